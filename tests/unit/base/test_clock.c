/* test_clock.c: timestamp formats and the injectable clock. */
#include "lc_test.h"

#include "leastcloud/clock.h"
#include "leastcloud/error.h"

static void test_basic_format_round_trips(void **state)
{
    int64_t ms;
    assert_int_equal(lc_time_parse_basic("20150830T123600Z", 16, &ms), 0);
    assert_int_equal(ms, 1440938160000LL);
    char out[17];
    lc_time_format_basic(ms, out);
    assert_string_equal(out, "20150830T123600Z");
}

static void test_basic_format_rejects_bad_dates(void **state)
{
    int64_t ms;
    assert_int_equal(lc_time_parse_basic("201", 3, &ms), LC_EINVAL);
    assert_int_equal(lc_time_parse_basic("20151330T123600Z", 16, &ms), LC_EINVAL);
    assert_int_equal(lc_time_parse_basic("20150830 123600Z", 16, &ms), LC_EINVAL);
}

static void test_iso_parse_accepts_fraction_and_offsets(void **state)
{
    int64_t a, b, c;
    assert_int_equal(lc_time_parse_iso("2015-08-30T12:36:00Z", 20, &a), 0);
    assert_int_equal(lc_time_parse_iso("2015-08-30T14:36:00.250+02:00", 29, &b), 0);
    assert_int_equal(b - a, 250);
    assert_int_equal(lc_time_parse_iso("2015-08-30", 10, &c), 0);
    assert_int_equal(a - c, (12 * 3600 + 36 * 60) * 1000LL);
    assert_int_equal(lc_time_parse_iso("2015-08-30T12:36", 16, &c), LC_EINVAL);
}

static void test_fixed_clock_is_returned_until_cleared(void **state)
{
    lc_clock_set_fixed_ms(1234);
    assert_int_equal(lc_clock_now_ms(), 1234);
    lc_clock_set_fixed_ms(-1);
    assert_true(lc_clock_now_ms() > 1600000000000LL);
    char iso[25];
    lc_time_format_iso_ms(1440938160007LL, iso);
    assert_string_equal(iso, "2015-08-30T12:36:00.007Z");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_basic_format_round_trips),
    cmocka_unit_test(test_basic_format_rejects_bad_dates),
    cmocka_unit_test(test_iso_parse_accepts_fraction_and_offsets),
    cmocka_unit_test(test_fixed_clock_is_returned_until_cleared),
};
LC_TEST_MAIN(tests)
