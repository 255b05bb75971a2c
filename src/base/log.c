/* log.c: one line per event on stderr, with a UTC timestamp, level and module. */
#include "leastcloud/log.h"

#include "leastcloud/clock.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static _Atomic int s_level = -1;

static int s_level_from_env(void)
{
    const char *e = getenv("LEASTCLOUD_LOG");
    if (!e)
        return LC_LOG_WARN;
    if (!strcmp(e, "error")) return LC_LOG_ERROR;
    if (!strcmp(e, "info")) return LC_LOG_INFO;
    if (!strcmp(e, "debug")) return LC_LOG_DEBUG;
    return LC_LOG_WARN;
}

void lc_log_set_level(enum lc_log_level level)
{
    atomic_store(&s_level, (int)level);
}

int lc_log_enabled(enum lc_log_level level)
{
    int cur = atomic_load(&s_level);
    if (cur < 0) {
        cur = s_level_from_env();
        atomic_store(&s_level, cur);
    }
    return (int)level <= cur;
}

void lc_log(enum lc_log_level level, const char *module, const char *fmt, ...)
{
    static const char *names[] = {"error", "warn", "info", "debug"};
    if (!lc_log_enabled(level))
        return;
    char ts[25], line[4096];
    lc_time_format_iso_ms(lc_clock_now_ms(), ts);
    int n = snprintf(line, sizeof line, "%s %-5s %s: ", ts, names[level], module);
    if (n < 0 || (size_t)n >= sizeof line)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
