/* test_number.c: 38-digit decimals: parsing with AWS's messages, canonical text, order, key bytes. */
#include "ddb_fixture.h"

#include "ddb/ddb_internal.h"

static char *s_canon(const char *text)
{
    struct ddb_num n;
    struct lc_error err;
    if (ddb_num_parse(text, strlen(text), &n, &err) != 0)
        fail_msg("%s: %s", text, err.message);
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    ddb_num_format(&n, &b);
    return lc_buf_detach(&b, NULL);
}

static void s_expect_canon(const char *in, const char *want)
{
    char *got = s_canon(in);
    if (strcmp(got, want) != 0)
        fail_msg("%s -> %s, want %s", in, got, want);
    lc_free(got);
}

static void s_expect_error(const char *in, const char *message)
{
    struct ddb_num n;
    struct lc_error err;
    assert_int_equal(ddb_num_parse(in, strlen(in), &n, &err), LC_EINVAL);
    assert_string_equal(err.aws_code, "ValidationException");
    assert_string_equal(err.message, message);
}

static void test_numbers_print_in_canonical_plain_form(void **state)
{
    s_expect_canon("0", "0");
    s_expect_canon("-0", "0");
    s_expect_canon("0.000e10", "0");
    s_expect_canon("1.0", "1");
    s_expect_canon("+007", "7");
    s_expect_canon("1e2", "100");
    s_expect_canon("1.5E-3", "0.0015");
    s_expect_canon("-12.3400", "-12.34");
    s_expect_canon(".5", "0.5");
    s_expect_canon("5.", "5");
    s_expect_canon("123456789012345678901234567890.12345678", "123456789012345678901234567890.12345678");
    char want[200];
    want[0] = '1';
    memset(want + 1, '0', 125);
    want[126] = '\0';
    s_expect_canon("1E125", want);
    memcpy(want, "0.", 2);
    memset(want + 2, '0', 129);
    want[131] = '1';
    want[132] = '\0';
    s_expect_canon("1E-130", want);
    s_expect_canon("100000000000000000000000000000000000000000000000000000", "100000000000000000000000000000000000000000000000000000");
}

static void test_bad_numbers_get_aws_messages(void **state)
{
    s_expect_error("", "The parameter cannot be converted to a numeric value");
    s_expect_error("abc", "The parameter cannot be converted to a numeric value: abc");
    s_expect_error("1e", "The parameter cannot be converted to a numeric value: 1e");
    s_expect_error("--1", "The parameter cannot be converted to a numeric value: --1");
    s_expect_error("1.2.3", "The parameter cannot be converted to a numeric value: 1.2.3");
    s_expect_error(" 1", "The parameter cannot be converted to a numeric value:  1");
    s_expect_error("NaN", "The parameter cannot be converted to a numeric value: NaN");
    s_expect_error("1E126", "Number overflow. Attempting to store a number with magnitude larger than supported range");
    s_expect_error("1E-131", "Number underflow. Attempting to store a number with magnitude smaller than supported range");
    s_expect_error("123456789012345678901234567890123456789",
                   "Attempting to store more than 38 significant digits in a Number");
    s_expect_error("1.00000000000000000000000000000000000001",
                   "Attempting to store more than 38 significant digits in a Number");
}

static void test_38_digits_and_trailing_zeros_are_fine(void **state)
{
    s_expect_canon("12345678901234567890123456789012345678", "12345678901234567890123456789012345678");
    s_expect_canon("-9.9999999999999999999999999999999999999E+125",
                   "-999999999999999999999999999999999999990000000000000000000000000000000000000000000000000000000000000000000000000000000000000000");
    /* 38 significant digits followed by zeros beyond the 38th place. */
    s_expect_canon("1234567890123456789012345678901234567800000", "1234567890123456789012345678901234567800000");
}

/* A reference comparator that shares no code with number.c: align both numbers as fixed-point
 * digit strings of 300 digits (130 fraction digits) and compare them as text. */
static void s_fixed(const char *digits, int exp10, char out[301])
{
    memset(out, '0', 300);
    out[300] = '\0';
    /* value = 0.digits * 10^exp10; digit i (0-based) has weight 10^(exp10-1-i); position 169 is 10^0. */
    for (int i = 0; digits[i]; i++) {
        int pos = 169 - (exp10 - 1 - i);
        if (pos >= 0 && pos < 300)
            out[pos] = digits[i];
    }
}

static int s_ref_cmp(int sa, const char *da, int ea, int sb, const char *db, int eb)
{
    if (sa != sb)
        return sa < sb ? -1 : 1;
    if (sa == 0)
        return 0;
    char fa[301], fb[301];
    s_fixed(da, ea, fa);
    s_fixed(db, eb, fb);
    int c = strcmp(fa, fb);
    c = c < 0 ? -1 : c > 0;
    return sa > 0 ? c : -c;
}

struct gen {
    int sign, exp;
    char digits[39];
    char text[200];
};

static unsigned s_rand(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 8) & 0xffffff;
}

/* Random numbers written in varied forms, clustered so that ties and near-ties are common. */
static void s_gen(unsigned *seed, struct gen *g)
{
    g->sign = (int)(s_rand(seed) % 3) - 1;
    int n = 1 + (int)(s_rand(seed) % (s_rand(seed) % 4 == 0 ? 38 : 3));
    for (int i = 0; i < n; i++)
        g->digits[i] = (char)('0' + s_rand(seed) % 10);
    g->digits[0] = (char)('1' + s_rand(seed) % 9);
    while (n > 1 && g->digits[n - 1] == '0')
        n--;
    g->digits[n] = '\0';
    g->exp = (int)(s_rand(seed) % 8) - 4;
    if (s_rand(seed) % 10 == 0)
        g->exp = (int)(s_rand(seed) % 255) - 129;
    if (g->sign == 0) {
        snprintf(g->text, sizeof g->text, "%s0", s_rand(seed) % 2 ? "-" : "");
        return;
    }
    /* 0.DIGITS e EXP, written as DIGITS e (EXP - n) or with a leading "0." */
    if (s_rand(seed) % 2)
        snprintf(g->text, sizeof g->text, "%s%se%d", g->sign < 0 ? "-" : "", g->digits, g->exp - n);
    else
        snprintf(g->text, sizeof g->text, "%s0.%s000E%+d", g->sign < 0 ? "-" : "", g->digits, g->exp);
}

static void test_number_order_matches_a_reference_on_random_values(void **state)
{
    unsigned seed = 12345;
    for (int i = 0; i < 20000; i++) {
        struct gen a, b;
        s_gen(&seed, &a);
        if (s_rand(&seed) % 5 == 0)
            b = a, snprintf(b.text, sizeof b.text, "%s", a.text);
        else
            s_gen(&seed, &b);
        struct ddb_num na, nb;
        assert_int_equal(ddb_num_parse(a.text, strlen(a.text), &na, NULL), 0);
        assert_int_equal(ddb_num_parse(b.text, strlen(b.text), &nb, NULL), 0);
        int want = s_ref_cmp(a.sign, a.digits, a.exp, b.sign, b.digits, b.exp);
        int got = ddb_num_cmp(&na, &nb);
        if (got != want)
            fail_msg("cmp(%s, %s) = %d, want %d", a.text, b.text, got, want);
        uint8_t ka[DDB_NUM_KEY_MAX], kb[DDB_NUM_KEY_MAX];
        size_t la = ddb_num_encode(&na, ka), lb = ddb_num_encode(&nb, kb);
        int c = memcmp(ka, kb, la < lb ? la : lb);
        int key = c ? (c < 0 ? -1 : 1) : (la < lb ? -1 : la > lb);
        if (key != want)
            fail_msg("key order of %s vs %s = %d, want %d", a.text, b.text, key, want);
    }
}

static void test_negative_exponent_and_boundary_cases_order(void **state)
{
    const char *ordered[] = {"-9.9999999999999999999999999999999999999E+125", "-1E125", "-100", "-99.99", "-10", "-1.5", "-1",
                             "-0.5", "-0.123", "-0.12", "-1E-130", "0", "1E-130", "0.12", "0.123", "0.5", "1", "1.5", "10",
                             "99.99", "100", "1E125", "9.9999999999999999999999999999999999999E+125"};
    size_t n = sizeof ordered / sizeof *ordered;
    for (size_t i = 0; i + 1 < n; i++) {
        struct ddb_num a, b;
        assert_int_equal(ddb_num_parse(ordered[i], strlen(ordered[i]), &a, NULL), 0);
        assert_int_equal(ddb_num_parse(ordered[i + 1], strlen(ordered[i + 1]), &b, NULL), 0);
        assert_int_equal(ddb_num_cmp(&a, &b), -1);
        uint8_t ka[DDB_NUM_KEY_MAX], kb[DDB_NUM_KEY_MAX];
        size_t la = ddb_num_encode(&a, ka), lb = ddb_num_encode(&b, kb);
        int c = memcmp(ka, kb, la < lb ? la : lb);
        if (!(c < 0 || (c == 0 && la < lb)))
            fail_msg("key of %s is not below key of %s", ordered[i], ordered[i + 1]);
    }
}

static void test_number_sizes_follow_dynamodb(void **state)
{
    const struct {
        const char *text;
        size_t size;
    } cases[] = {{"0", 1}, {"1", 2}, {"12", 2}, {"123", 3}, {"10", 2}, {"-1", 3}, {"0.5", 2}, {"1234567890", 6}, {"0.012", 3}, {"1200", 2}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct ddb_num n;
        assert_int_equal(ddb_num_parse(cases[i].text, strlen(cases[i].text), &n, NULL), 0);
        if (ddb_num_size(&n) != cases[i].size)
            fail_msg("size(%s) = %zu, want %zu", cases[i].text, ddb_num_size(&n), cases[i].size);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_print_in_canonical_plain_form),
        cmocka_unit_test(test_bad_numbers_get_aws_messages),
        cmocka_unit_test(test_38_digits_and_trailing_zeros_are_fine),
        cmocka_unit_test(test_number_order_matches_a_reference_on_random_values),
        cmocka_unit_test(test_negative_exponent_and_boundary_cases_order),
        cmocka_unit_test(test_number_sizes_follow_dynamodb),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
