/* test_alarm.c: alarm definitions and their evaluation as CloudWatch does it (alarm.c). */
#include "lc_test.h"

#include <jansson.h>

#include "leastcloud/error.h"
#include "leastcloud/watch.h"

/* 2026-11-29 05:31:00 UTC, a minute boundary. */
#define T0 1795930260000LL
#define MIN 60000LL

static void s_alarm(struct lc_watch_alarm *a, const char *json)
{
    json_t *cfg = json_loads(json, 0, NULL);
    assert_non_null(cfg);
    struct lc_error err = {0};
    int rc = lc_watch_alarm_parse(cfg, a, &err);
    if (rc)
        fail_msg("parse: %s", err.message);
    json_decref(cfg);
}

#define BASE "\"AlarmName\":\"a\",\"Namespace\":\"Test\",\"MetricName\":\"M\",\"Statistic\":\"Sum\",\"Period\":60,"

static struct lc_watch_point s_pt(int64_t t, double v)
{
    return (struct lc_watch_point){t, v, 1, v, v};
}

static void test_threshold_crossed_reason_in_cloudwatch_words(void **state)
{
    struct lc_watch_alarm a;
    s_alarm(&a, "{" BASE "\"EvaluationPeriods\":1,\"Threshold\":1000,\"ComparisonOperator\":\"GreaterThanThreshold\"}");
    struct lc_watch_point p = s_pt(T0, 1234);
    struct lc_watch_eval ev;
    lc_watch_alarm_evaluate(&a, LC_WATCH_OK, &p, 1, T0 + 10000, &ev);
    assert_int_equal(ev.state, LC_WATCH_ALARM);
    assert_true(ev.changed);
    assert_string_equal(ev.reason,
                        "Threshold Crossed: 1 datapoint [1234.0 (29/11/26 05:31:00)] was greater than the threshold "
                        "(1000.0).");
    assert_int_equal(json_integer_value(json_object_get(ev.reason_data, "period")), 60);
    assert_string_equal(json_string_value(json_object_get(ev.reason_data, "statistic")), "Sum");
    json_decref(ev.reason_data);
    lc_watch_alarm_clear(&a);
}

static void test_ok_reason_says_not_greater(void **state)
{
    struct lc_watch_alarm a;
    s_alarm(&a, "{" BASE "\"EvaluationPeriods\":1,\"Threshold\":1000,\"ComparisonOperator\":\"GreaterThanThreshold\"}");
    struct lc_watch_point p = s_pt(T0, 0.5);
    struct lc_watch_eval ev;
    lc_watch_alarm_evaluate(&a, LC_WATCH_ALARM, &p, 1, T0 + 10000, &ev);
    assert_int_equal(ev.state, LC_WATCH_OK);
    assert_string_equal(ev.reason,
                        "Threshold Crossed: 1 datapoint [0.5 (29/11/26 05:31:00)] was not greater than the threshold "
                        "(1000.0).");
    json_decref(ev.reason_data);
    lc_watch_alarm_clear(&a);
}

/* Each operator on the value equal to the threshold, and just above / below it. */
static void test_each_comparison_operator_at_and_around_the_threshold(void **state)
{
    static const struct {
        const char *op;
        double v;
        enum lc_watch_state want;
    } cases[] = {
        {"GreaterThanThreshold", 10, LC_WATCH_OK},           {"GreaterThanThreshold", 10.5, LC_WATCH_ALARM},
        {"GreaterThanOrEqualToThreshold", 10, LC_WATCH_ALARM}, {"GreaterThanOrEqualToThreshold", 9.9, LC_WATCH_OK},
        {"LessThanThreshold", 10, LC_WATCH_OK},              {"LessThanThreshold", 9, LC_WATCH_ALARM},
        {"LessThanOrEqualToThreshold", 10, LC_WATCH_ALARM},  {"LessThanOrEqualToThreshold", 11, LC_WATCH_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char json[512];
        snprintf(json, sizeof json, "{" BASE "\"EvaluationPeriods\":1,\"Threshold\":10,\"ComparisonOperator\":\"%s\"}",
                 cases[i].op);
        struct lc_watch_alarm a;
        s_alarm(&a, json);
        struct lc_watch_point p = s_pt(T0, cases[i].v);
        struct lc_watch_eval ev;
        lc_watch_alarm_evaluate(&a, LC_WATCH_INSUFFICIENT_DATA, &p, 1, T0 + 1000, &ev);
        if (ev.state != cases[i].want)
            fail_msg("%s with %g: got %s", cases[i].op, cases[i].v, lc_watch_state_name(ev.state));
        json_decref(ev.reason_data);
        lc_watch_alarm_clear(&a);
    }
}

static void test_less_than_reason_names_the_operator(void **state)
{
    struct lc_watch_alarm a;
    s_alarm(&a, "{" BASE "\"EvaluationPeriods\":1,\"Threshold\":5,\"ComparisonOperator\":\"LessThanOrEqualToThreshold\"}");
    struct lc_watch_point p = s_pt(T0, 2);
    struct lc_watch_eval ev;
    lc_watch_alarm_evaluate(&a, LC_WATCH_OK, &p, 1, T0, &ev);
    assert_string_equal(ev.reason, "Threshold Crossed: 1 datapoint [2.0 (29/11/26 05:31:00)] was less than or equal "
                                   "to the threshold (5.0).");
    json_decref(ev.reason_data);
    lc_watch_alarm_clear(&a);
}

/* 2 of 3: two breaching datapoints alarm, one does not. */
static void test_m_of_n_datapoints_to_alarm(void **state)
{
    struct lc_watch_alarm a;
    s_alarm(&a, "{" BASE "\"EvaluationPeriods\":3,\"DatapointsToAlarm\":2,\"Threshold\":10,"
                "\"ComparisonOperator\":\"GreaterThanThreshold\"}");
    struct lc_watch_point two[] = {s_pt(T0 - 2 * MIN, 20), s_pt(T0 - MIN, 5), s_pt(T0, 30)};
    struct lc_watch_eval ev;
    lc_watch_alarm_evaluate(&a, LC_WATCH_OK, two, 3, T0 + 5000, &ev);
    assert_int_equal(ev.state, LC_WATCH_ALARM);
    assert_string_equal(ev.reason, "Threshold Crossed: 2 out of the last 3 datapoints [30.0 (29/11/26 05:31:00), "
                                   "20.0 (29/11/26 05:29:00)] were greater than the threshold (10.0) (minimum 2 "
                                   "datapoints for OK -> ALARM transition).");
    json_decref(ev.reason_data);
    struct lc_watch_point one[] = {s_pt(T0 - 2 * MIN, 1), s_pt(T0 - MIN, 5), s_pt(T0, 30)};
    lc_watch_alarm_evaluate(&a, LC_WATCH_ALARM, one, 3, T0 + 5000, &ev);
    assert_int_equal(ev.state, LC_WATCH_OK);
    assert_true(ev.changed);
    json_decref(ev.reason_data);
    lc_watch_alarm_clear(&a);
}

/* Datapoints outside the evaluation range do not count. */
static void test_old_datapoints_are_outside_the_range(void **state)
{
    struct lc_watch_alarm a;
    s_alarm(&a, "{" BASE "\"EvaluationPeriods\":2,\"Threshold\":10,\"ComparisonOperator\":\"GreaterThanThreshold\","
                "\"TreatMissingData\":\"notBreaching\"}");
    struct lc_watch_point pts[] = {s_pt(T0 - 5 * MIN, 100), s_pt(T0 - 4 * MIN, 100), s_pt(T0, 1)};
    struct lc_watch_eval ev;
    lc_watch_alarm_evaluate(&a, LC_WATCH_ALARM, pts, 3, T0 + 1000, &ev);
    assert_int_equal(ev.state, LC_WATCH_OK);
    json_decref(ev.reason_data);
    lc_watch_alarm_clear(&a);
}

static void test_missing_data_missing_goes_to_insufficient_data(void **state)
{
    struct lc_watch_alarm a;
    s_alarm(&a, "{" BASE "\"EvaluationPeriods\":2,\"Threshold\":10,\"ComparisonOperator\":\"GreaterThanThreshold\"}");
    struct lc_watch_eval ev;
    lc_watch_alarm_evaluate(&a, LC_WATCH_OK, NULL, 0, T0 + 1000, &ev);
    assert_int_equal(ev.state, LC_WATCH_INSUFFICIENT_DATA);
    assert_string_equal(ev.reason, "Insufficient Data: 2 datapoints were unknown.");
    json_decref(ev.reason_data);
    lc_watch_alarm_clear(&a);
}

static void test_missing_data_ignore_keeps_the_state(void **state)
{
    struct lc_watch_alarm a;
    s_alarm(&a, "{" BASE "\"EvaluationPeriods\":1,\"Threshold\":10,\"ComparisonOperator\":\"GreaterThanThreshold\","
                "\"TreatMissingData\":\"ignore\"}");
    struct lc_watch_eval ev;
    lc_watch_alarm_evaluate(&a, LC_WATCH_ALARM, NULL, 0, T0 + 1000, &ev);
    assert_int_equal(ev.state, LC_WATCH_ALARM);
    assert_false(ev.changed);
    json_decref(ev.reason_data);
    lc_watch_alarm_clear(&a);
}

static void test_missing_data_breaching_alarms(void **state)
{
    struct lc_watch_alarm a;
    s_alarm(&a, "{" BASE "\"EvaluationPeriods\":1,\"Threshold\":10,\"ComparisonOperator\":\"GreaterThanThreshold\","
                "\"TreatMissingData\":\"breaching\"}");
    struct lc_watch_eval ev;
    lc_watch_alarm_evaluate(&a, LC_WATCH_OK, NULL, 0, T0 + 1000, &ev);
    assert_int_equal(ev.state, LC_WATCH_ALARM);
    assert_string_equal(ev.reason, "Threshold Crossed: no datapoints were received for 1 period and 1 missing "
                                   "datapoint was treated as [Breaching].");
    json_decref(ev.reason_data);
    lc_watch_alarm_clear(&a);
}

static void test_missing_data_not_breaching_is_ok(void **state)
{
    struct lc_watch_alarm a;
    s_alarm(&a, "{" BASE "\"EvaluationPeriods\":1,\"Threshold\":10,\"ComparisonOperator\":\"GreaterThanThreshold\","
                "\"TreatMissingData\":\"notBreaching\"}");
    struct lc_watch_eval ev;
    lc_watch_alarm_evaluate(&a, LC_WATCH_ALARM, NULL, 0, T0 + 1000, &ev);
    assert_int_equal(ev.state, LC_WATCH_OK);
    assert_string_equal(ev.reason, "Threshold Crossed: no datapoints were received for 1 period and 1 missing "
                                   "datapoint was treated as [NonBreaching].");
    json_decref(ev.reason_data);
    lc_watch_alarm_clear(&a);
}

/* CloudWatch: alarms on AWS/DynamoDB metrics always ignore missing data, whatever they say. */
static void test_dynamodb_namespace_always_ignores_missing_data(void **state)
{
    struct lc_watch_alarm a;
    s_alarm(&a, "{\"AlarmName\":\"d\",\"Namespace\":\"AWS/DynamoDB\",\"MetricName\":\"ConsumedReadCapacityUnits\","
                "\"Statistic\":\"Sum\",\"Period\":60,\"EvaluationPeriods\":1,\"Threshold\":10,"
                "\"ComparisonOperator\":\"GreaterThanThreshold\",\"TreatMissingData\":\"breaching\"}");
    struct lc_watch_eval ev;
    lc_watch_alarm_evaluate(&a, LC_WATCH_OK, NULL, 0, T0 + 1000, &ev);
    assert_int_equal(ev.state, LC_WATCH_OK);
    assert_false(ev.changed);
    json_decref(ev.reason_data);
    lc_watch_alarm_clear(&a);
}

/* A burst at the end of a minute is judged on that minute while the new one has no data yet. */
static void test_empty_current_period_evaluates_the_previous_one(void **state)
{
    struct lc_watch_alarm a;
    s_alarm(&a, "{" BASE "\"EvaluationPeriods\":1,\"Threshold\":10,\"ComparisonOperator\":\"GreaterThanThreshold\","
                "\"TreatMissingData\":\"notBreaching\"}");
    struct lc_watch_point p = s_pt(T0 - MIN, 50);
    struct lc_watch_eval ev;
    lc_watch_alarm_evaluate(&a, LC_WATCH_OK, &p, 1, T0 + 2000, &ev);
    assert_int_equal(ev.state, LC_WATCH_ALARM);
    assert_string_equal(ev.reason, "Threshold Crossed: 1 datapoint [50.0 (29/11/26 05:30:00)] was greater than the "
                                   "threshold (10.0).");
    json_decref(ev.reason_data);
    /* One more minute without data: the range holds only an empty period. */
    lc_watch_alarm_evaluate(&a, LC_WATCH_ALARM, &p, 1, T0 + MIN + 2000, &ev);
    assert_int_equal(ev.state, LC_WATCH_OK);
    json_decref(ev.reason_data);
    lc_watch_alarm_clear(&a);
}

static void test_statistics_pick_the_right_value(void **state)
{
    struct lc_watch_point p = {T0, 12, 4, 1, 6};
    assert_true(lc_watch_point_value(&p, LC_WATCH_SUM) == 12);
    assert_true(lc_watch_point_value(&p, LC_WATCH_AVERAGE) == 3);
    assert_true(lc_watch_point_value(&p, LC_WATCH_MINIMUM) == 1);
    assert_true(lc_watch_point_value(&p, LC_WATCH_MAXIMUM) == 6);
    assert_true(lc_watch_point_value(&p, LC_WATCH_SAMPLE_COUNT) == 4);
    struct lc_watch_alarm a;
    s_alarm(&a, "{\"AlarmName\":\"a\",\"Namespace\":\"T\",\"MetricName\":\"M\",\"Statistic\":\"Average\","
                "\"Period\":60,\"EvaluationPeriods\":1,\"Threshold\":2.5,\"ComparisonOperator\":\"GreaterThanThreshold\"}");
    struct lc_watch_eval ev;
    lc_watch_alarm_evaluate(&a, LC_WATCH_OK, &p, 1, T0, &ev);
    assert_string_equal(ev.reason, "Threshold Crossed: 1 datapoint [3.0 (29/11/26 05:31:00)] was greater than the "
                                   "threshold (2.5).");
    json_decref(ev.reason_data);
    lc_watch_alarm_clear(&a);
}

/* CloudFormation passes numbers as strings; both parse the same. */
static void test_numbers_as_strings_parse_like_numbers(void **state)
{
    struct lc_watch_alarm a;
    s_alarm(&a, "{\"AlarmName\":\"a\",\"Namespace\":\"T\",\"MetricName\":\"M\",\"Statistic\":\"Maximum\","
                "\"Period\":\"120\",\"EvaluationPeriods\":\"3\",\"DatapointsToAlarm\":\"2\",\"Threshold\":\"7.5\","
                "\"ComparisonOperator\":\"LessThanThreshold\",\"Dimensions\":[{\"Name\":\"B\",\"Value\":\"2\"},"
                "{\"Name\":\"A\",\"Value\":\"1\"}]}");
    assert_int_equal(a.period_s, 120);
    assert_int_equal(a.evaluation_periods, 3);
    assert_int_equal(a.datapoints_to_alarm, 2);
    assert_true(a.threshold == 7.5);
    assert_int_equal(a.stat, LC_WATCH_MAXIMUM);
    assert_string_equal(a.dims_key, "[{\"Name\":\"A\",\"Value\":\"1\"},{\"Name\":\"B\",\"Value\":\"2\"}]");
    lc_watch_alarm_clear(&a);
}

static void test_invalid_definitions_are_refused_with_validation_errors(void **state)
{
    static const char *const bad[] = {
        "{\"Namespace\":\"T\",\"MetricName\":\"M\",\"Statistic\":\"Sum\",\"Period\":60,\"EvaluationPeriods\":1,"
        "\"Threshold\":1,\"ComparisonOperator\":\"GreaterThanThreshold\"}",
        "{" BASE "\"EvaluationPeriods\":1,\"Threshold\":1,\"ComparisonOperator\":\"Bigger\"}",
        "{" BASE "\"EvaluationPeriods\":1,\"DatapointsToAlarm\":2,\"Threshold\":1,\"ComparisonOperator\":"
        "\"GreaterThanThreshold\"}",
        "{" BASE "\"EvaluationPeriods\":0,\"Threshold\":1,\"ComparisonOperator\":\"GreaterThanThreshold\"}",
        "{\"AlarmName\":\"a\",\"Namespace\":\"T\",\"MetricName\":\"M\",\"Statistic\":\"Median\",\"Period\":60,"
        "\"EvaluationPeriods\":1,\"Threshold\":1,\"ComparisonOperator\":\"GreaterThanThreshold\"}",
        "{" BASE "\"EvaluationPeriods\":1,\"Threshold\":1,\"ComparisonOperator\":\"GreaterThanThreshold\","
        "\"TreatMissingData\":\"sometimes\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *cfg = json_loads(bad[i], 0, NULL);
        assert_non_null(cfg);
        struct lc_watch_alarm a;
        struct lc_error err = {0};
        if (lc_watch_alarm_parse(cfg, &a, &err) == 0)
            fail_msg("accepted: %s", bad[i]);
        assert_string_equal(err.aws_code, "ValidationError");
        assert_int_equal(err.http_status, 400);
        json_decref(cfg);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threshold_crossed_reason_in_cloudwatch_words),
        cmocka_unit_test(test_ok_reason_says_not_greater),
        cmocka_unit_test(test_each_comparison_operator_at_and_around_the_threshold),
        cmocka_unit_test(test_less_than_reason_names_the_operator),
        cmocka_unit_test(test_m_of_n_datapoints_to_alarm),
        cmocka_unit_test(test_old_datapoints_are_outside_the_range),
        cmocka_unit_test(test_missing_data_missing_goes_to_insufficient_data),
        cmocka_unit_test(test_missing_data_ignore_keeps_the_state),
        cmocka_unit_test(test_missing_data_breaching_alarms),
        cmocka_unit_test(test_missing_data_not_breaching_is_ok),
        cmocka_unit_test(test_dynamodb_namespace_always_ignores_missing_data),
        cmocka_unit_test(test_empty_current_period_evaluates_the_previous_one),
        cmocka_unit_test(test_statistics_pick_the_right_value),
        cmocka_unit_test(test_numbers_as_strings_parse_like_numbers),
        cmocka_unit_test(test_invalid_definitions_are_refused_with_validation_errors),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
