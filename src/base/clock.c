/* clock.c: the injectable clock and the timestamp formats AWS uses. */
#include "leastcloud/clock.h"

#include "leastcloud/error.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static _Atomic int64_t s_fixed_ms = -1;

int64_t lc_clock_now_ms(void)
{
    int64_t fixed = atomic_load(&s_fixed_ms);
    if (fixed >= 0)
        return fixed;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void lc_clock_set_fixed_ms(int64_t ms)
{
    atomic_store(&s_fixed_ms, ms < 0 ? -1 : ms);
}

static void s_tm(int64_t ms, struct tm *tm)
{
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    gmtime_r(&t, tm);
}

void lc_time_format_basic(int64_t ms, char out[17])
{
    struct tm tm;
    s_tm(ms, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

void lc_time_format_iso(int64_t ms, char out[21])
{
    struct tm tm;
    s_tm(ms, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void lc_time_format_iso_ms(int64_t ms, char out[25])
{
    struct tm tm;
    s_tm(ms, &tm);
    char head[20];
    strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 25, "%.19s.%03dZ", head, (int)(((ms % 1000) + 1000) % 1000));
}

static int s_digits(const char *s, size_t n, int *v)
{
    *v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return LC_EINVAL;
        *v = *v * 10 + (s[i] - '0');
    }
    return 0;
}

static int64_t s_days_from_civil(int y, int m, int d)
{
    /* Howard Hinnant's algorithm: days since 1970-01-01 in the proleptic Gregorian calendar. */
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int64_t)era * 146097 + doe - 719468;
}

static int s_make(int y, int mo, int d, int h, int mi, int s, int64_t *ms)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || s > 60)
        return LC_EINVAL;
    *ms = ((s_days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000 + (int64_t)s * 1000;
    return 0;
}

int lc_time_parse_basic(const char *s, size_t len, int64_t *ms)
{
    int y, mo, d, h, mi, sec;
    if (len != 16 || s[8] != 'T' || s[15] != 'Z')
        return LC_EINVAL;
    if (s_digits(s, 4, &y) || s_digits(s + 4, 2, &mo) || s_digits(s + 6, 2, &d) ||
        s_digits(s + 9, 2, &h) || s_digits(s + 11, 2, &mi) || s_digits(s + 13, 2, &sec))
        return LC_EINVAL;
    return s_make(y, mo, d, h, mi, sec, ms);
}

int lc_time_parse_iso(const char *s, size_t len, int64_t *ms)
{
    int y, mo, d, h = 0, mi = 0, sec = 0;
    if (len < 10 || s[4] != '-' || s[7] != '-' || s_digits(s, 4, &y) || s_digits(s + 5, 2, &mo) ||
        s_digits(s + 8, 2, &d))
        return LC_EINVAL;
    size_t i = 10;
    int64_t frac_ms = 0, offset_min = 0;
    if (i < len) {
        if ((s[i] != 'T' && s[i] != 't' && s[i] != ' ') || len < i + 9 || s[i + 3] != ':' ||
            s[i + 6] != ':' || s_digits(s + i + 1, 2, &h) || s_digits(s + i + 4, 2, &mi) ||
            s_digits(s + i + 7, 2, &sec))
            return LC_EINVAL;
        i += 9;
        if (i < len && s[i] == '.') {
            int scale = 100;
            for (i++; i < len && isdigit((unsigned char)s[i]); i++, scale /= 10)
                frac_ms += (s[i] - '0') * scale;
        }
        if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
            i++;
        } else if (i < len && (s[i] == '+' || s[i] == '-')) {
            int oh, om;
            if (len < i + 6 || s[i + 3] != ':' || s_digits(s + i + 1, 2, &oh) ||
                s_digits(s + i + 4, 2, &om))
                return LC_EINVAL;
            offset_min = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
            i += 6;
        }
    }
    if (i != len)
        return LC_EINVAL;
    int rc = s_make(y, mo, d, h, mi, sec, ms);
    if (rc)
        return rc;
    *ms += frac_ms - offset_min * 60000;
    return 0;
}
