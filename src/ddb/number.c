/* number.c: DynamoDB numbers: 38 significant decimal digits, parsed, compared, printed, encoded. */
#include "ddb/ddb_internal.h"

#include <string.h>

/* AWS: magnitudes from 1E-130 to 9.99...E+125; in 0.d * 10^exp form that is exp in [-129, 126]. */
#define NUM_EXP_MIN (-129)
#define NUM_EXP_MAX 126

static int s_not_numeric(const char *s, size_t len, struct lc_error *err)
{
    if (len == 0)
        return ddb_invalid(err, "The parameter cannot be converted to a numeric value");
    return ddb_invalid(err, "The parameter cannot be converted to a numeric value: %.*s", (int)len, s);
}

int ddb_num_parse(const char *s, size_t len, struct ddb_num *out, struct lc_error *err)
{
    memset(out, 0, sizeof *out);
    size_t i = 0;
    int sign = 1;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        sign = s[i++] == '-' ? -1 : 1;
    size_t mant = i;
    long ndig = 0, int_digits = -1; /* digits in the mantissa; digits before the point */
    for (; i < len; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            ndig++;
        else if (s[i] == '.' && int_digits < 0)
            int_digits = ndig;
        else
            break;
    }
    size_t mant_end = i;
    if (ndig == 0)
        return s_not_numeric(s, len, err);
    if (int_digits < 0)
        int_digits = ndig;
    long exp10 = 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int esign = 1;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            esign = s[i++] == '-' ? -1 : 1;
        if (i >= len || s[i] < '0' || s[i] > '9')
            return s_not_numeric(s, len, err);
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            if (exp10 < 100000000)
                exp10 = exp10 * 10 + (s[i] - '0');
        }
        exp10 *= esign;
    }
    if (i != len)
        return s_not_numeric(s, len, err);
    /* First and last non-zero digit, as positions in the digit sequence (the point skipped). */
    long first = -1, last = -1, k = 0;
    for (size_t j = mant; j < mant_end; j++) {
        if (s[j] == '.')
            continue;
        if (s[j] != '0') {
            if (first < 0)
                first = k;
            last = k;
        }
        k++;
    }
    if (first < 0)
        return 0; /* zero, whatever its sign or exponent */
    long sig = last - first + 1;
    long exp = int_digits - first + exp10;
    /* AWS checks magnitude before precision (dynalite's order, from live DynamoDB). */
    if (exp > NUM_EXP_MAX)
        return ddb_invalid(err, "Number overflow. Attempting to store a number with magnitude larger than supported range");
    if (exp < NUM_EXP_MIN)
        return ddb_invalid(err, "Number underflow. Attempting to store a number with magnitude smaller than supported range");
    if (sig > DDB_NUM_MAX_DIGITS)
        return ddb_invalid(err, "Attempting to store more than 38 significant digits in a Number");
    out->sign = sign;
    out->exp = (int)exp;
    out->ndigits = (int)sig;
    k = 0;
    int n = 0;
    for (size_t j = mant; j < mant_end; j++) {
        if (s[j] == '.')
            continue;
        if (k >= first && k <= last)
            out->digits[n++] = s[j];
        k++;
    }
    out->digits[n] = '\0';
    return 0;
}

int ddb_num_cmp(const struct ddb_num *a, const struct ddb_num *b)
{
    if (a->sign != b->sign)
        return a->sign < b->sign ? -1 : 1;
    if (a->sign == 0)
        return 0;
    int mag;
    if (a->exp != b->exp) {
        mag = a->exp < b->exp ? -1 : 1;
    } else {
        int c = strcmp(a->digits, b->digits); /* a shorter prefix is smaller, as it should be */
        mag = c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    return a->sign > 0 ? mag : -mag;
}

int ddb_num_format(const struct ddb_num *n, struct lc_buf *out)
{
    if (n->sign == 0)
        return lc_buf_append_byte(out, '0');
    int rc = 0;
    if (n->sign < 0)
        rc |= lc_buf_append_byte(out, '-');
    if (n->exp <= 0) {
        rc |= lc_buf_append_str(out, "0.");
        for (int i = 0; i < -n->exp; i++)
            rc |= lc_buf_append_byte(out, '0');
        rc |= lc_buf_append(out, n->digits, (size_t)n->ndigits);
    } else if (n->exp >= n->ndigits) {
        rc |= lc_buf_append(out, n->digits, (size_t)n->ndigits);
        for (int i = n->ndigits; i < n->exp; i++)
            rc |= lc_buf_append_byte(out, '0');
    } else {
        rc |= lc_buf_append(out, n->digits, (size_t)n->exp);
        rc |= lc_buf_append_byte(out, '.');
        rc |= lc_buf_append(out, n->digits + n->exp, (size_t)(n->ndigits - n->exp));
    }
    return rc ? LC_ENOMEM : 0;
}

/*
 * Key bytes: a class byte (negative 0x3f, zero 0x40, positive 0x41), then for non-zero numbers the
 * exponent biased into one byte and the digits in pairs (each pair 0..99 stored as 1..100, a lone
 * last digit padded with 0). Negative numbers invert exponent and digit bytes and end with 0xff, so
 * that a longer digit run (a larger magnitude, a smaller value) sorts before its prefix.
 */
size_t ddb_num_encode(const struct ddb_num *n, uint8_t *out)
{
    size_t len = 0;
    if (n->sign == 0) {
        out[len++] = 0x40;
        return len;
    }
    bool neg = n->sign < 0;
    out[len++] = neg ? 0x3f : 0x41;
    uint8_t e = (uint8_t)(n->exp - NUM_EXP_MIN); /* 0..255 */
    out[len++] = neg ? (uint8_t)(255 - e) : e;
    for (int i = 0; i < n->ndigits; i += 2) {
        int hi = n->digits[i] - '0';
        int lo = i + 1 < n->ndigits ? n->digits[i + 1] - '0' : 0;
        uint8_t b = (uint8_t)(hi * 10 + lo + 1);
        out[len++] = neg ? (uint8_t)(255 - b) : b;
    }
    if (neg)
        out[len++] = 0xff;
    return len;
}

size_t ddb_num_size(const struct ddb_num *n)
{
    if (n->sign == 0)
        return 1;
    /* dynalite's formula, fitted to live DynamoDB: one byte per two digits plus framing. */
    int e = n->exp - 1;
    size_t size = 1 + (size_t)((n->ndigits + 1) / 2);
    if (!(n->ndigits % 2 != 0 || e % 2 != 0))
        size += 1;
    if (n->sign < 0)
        size += 1;
    return size;
}
