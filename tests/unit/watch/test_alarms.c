/* test_alarms.c: alarms in the state, SetAlarmState, history, the evaluator tick and stack alarms (alarms.c). */
#include "watch_fixture.h"

#include "leastcloud/store_stacks.h"

#define T0 1795930260000LL /* 2026-11-29 05:31:00 UTC */

static void s_alarm(struct lc_store *store, const char *json)
{
    json_t *cfg = json_loads(json, 0, NULL);
    assert_non_null(cfg);
    OK(lc_watch_alarm_put(store, cfg, err));
    json_decref(cfg);
}

struct s_state {
    const char *name;
    char state[32];
    char reason[512];
    int n;
};

static int s_find(const struct lc_watch_alarm_row *r, void *ud)
{
    struct s_state *s = ud;
    s->n++;
    if (!strcmp(r->name, s->name)) {
        snprintf(s->state, sizeof s->state, "%s", r->state);
        snprintf(s->reason, sizeof s->reason, "%s", r->reason);
    }
    return 0;
}

static struct s_state s_get(struct lc_store *store, const char *name)
{
    struct s_state s = {name, "", "", 0};
    OK(lc_watch_alarm_list(store, s_find, &s, err));
    return s;
}

static int s_count_notes(const struct lc_watch_notification *n, void *ud)
{
    (*(int *)ud)++;
    return 0;
}

#define ALARM_JSON(name, actions)                                                                                  \
    "{\"AlarmName\":\"" name "\",\"Namespace\":\"Test\",\"MetricName\":\"Reads\",\"Statistic\":\"Sum\","          \
    "\"Period\":60,\"EvaluationPeriods\":1,\"Threshold\":10,\"ComparisonOperator\":\"GreaterThanThreshold\","    \
    "\"TreatMissingData\":\"notBreaching\",\"AlarmActions\":[" actions "]}"

static void test_new_alarm_is_unchecked_insufficient_data(void **state)
{
    struct fixture *f = *state;
    s_alarm(f->store, ALARM_JSON("a", ""));
    struct s_state s = s_get(f->store, "a");
    assert_string_equal(s.state, "INSUFFICIENT_DATA");
    assert_string_equal(s.reason, "Unchecked: Initial alarm creation");
}

static void test_evaluation_alarms_and_notifies_the_topic_subscriptions(void **state)
{
    struct fixture *f = *state;
    char topic[1024];
    OK(lc_watch_topic_create(f->store, "t", topic, err));
    assert_string_equal(topic, "arn:aws:sns:us-east-1:000000000000:t");
    OK(lc_watch_subscribe(f->store, topic, "email", "me@example.com", NULL, err));
    s_alarm(f->store, ALARM_JSON("a", "\"arn:aws:sns:us-east-1:000000000000:t\""));
    struct lc_watch_datum d = {"Test", "Reads", NULL, 0, T0 + 1000, 42, 42, 1, 1, "Count"};
    OK(lc_watch_put(f->store, &d, 1, err));
    size_t changed;
    OK(lc_watch_evaluate(f->store, T0 + 5000, &changed, err));
    assert_int_equal(changed, 1);
    struct s_state s = s_get(f->store, "a");
    assert_string_equal(s.state, "ALARM");
    assert_string_equal(s.reason, "Threshold Crossed: 1 datapoint [42.0 (29/11/26 05:31:00)] was greater than the "
                                  "threshold (10.0).");
    int notes = 0;
    OK(lc_watch_notification_list(f->store, s_count_notes, &notes, err));
    assert_int_equal(notes, 1);
    /* Evaluating again changes nothing and notifies nobody. */
    OK(lc_watch_evaluate(f->store, T0 + 6000, &changed, err));
    assert_int_equal(changed, 0);
    notes = 0;
    OK(lc_watch_notification_list(f->store, s_count_notes, &notes, err));
    assert_int_equal(notes, 1);
}

struct s_hist {
    int state_updates, config_updates, actions;
    char first_summary[256];
};

static int s_hist_row(const struct lc_watch_history_row *r, void *ud)
{
    struct s_hist *h = ud;
    if (!h->first_summary[0])
        snprintf(h->first_summary, sizeof h->first_summary, "%s", r->summary);
    h->state_updates += !strcmp(r->type, "StateUpdate");
    h->config_updates += !strcmp(r->type, "ConfigurationUpdate");
    h->actions += !strcmp(r->type, "Action");
    return 0;
}

static void test_set_alarm_state_records_history_and_runs_actions(void **state)
{
    struct fixture *f = *state;
    OK(lc_watch_topic_create(f->store, "t", NULL, err));
    s_alarm(f->store, ALARM_JSON("a", "\"arn:aws:sns:us-east-1:000000000000:t\", \"arn:aws:automate:x\""));
    OK(lc_watch_alarm_set_state(f->store, "a", LC_WATCH_ALARM, "testing", "{\"k\":1}", err));
    assert_string_equal(s_get(f->store, "a").state, "ALARM");
    struct s_hist h = {0};
    OK(lc_watch_history_list(f->store, "a", NULL, s_hist_row, &h, err));
    assert_int_equal(h.config_updates, 1);
    assert_int_equal(h.state_updates, 1);
    assert_int_equal(h.actions, 2); /* one SNS action done, one unsupported action recorded as failed */
    struct lc_error err = {0};
    assert_int_equal(lc_watch_alarm_set_state(f->store, "nope", LC_WATCH_OK, "x", NULL, &err), LC_ENOTFOUND);
    assert_string_equal(err.aws_code, "ResourceNotFound");
    assert_int_equal(lc_watch_alarm_set_state(f->store, "a", LC_WATCH_OK, "x", "not json", &err), LC_EINVAL);
}

static void test_put_again_is_an_update_and_delete_removes(void **state)
{
    struct fixture *f = *state;
    s_alarm(f->store, ALARM_JSON("a", ""));
    s_alarm(f->store, ALARM_JSON("a", ""));                    /* unchanged: no new history */
    s_alarm(f->store, ALARM_JSON("a", "\"arn:aws:sns:us-east-1:000000000000:x\""));
    struct s_hist h = {0};
    OK(lc_watch_history_list(f->store, "a", "ConfigurationUpdate", s_hist_row, &h, err));
    assert_int_equal(h.config_updates, 2);
    assert_string_equal(h.first_summary, "Alarm \"a\" updated");
    OK(lc_watch_alarm_delete(f->store, "a", err));
    assert_int_equal(s_get(f->store, "a").n, 0);
    struct lc_error err = {0};
    assert_int_equal(lc_watch_alarm_delete(f->store, "a", &err), LC_ENOTFOUND);
}

/* Deployed AWS::CloudWatch::Alarm resources are evaluated too, notify deployed subscriptions, and
 * leave with their stack. (This also covers lc_store_stack_resources_of_type, which used to fail
 * with "ambiguous column name: status".) */
static void test_stack_alarms_follow_their_stack(void **state)
{
    struct fixture *f = *state;
    struct lc_stack st;
    OK(lc_store_stack_create(f->store, "S", "CREATE_COMPLETE", &st, err));
    struct lc_stack_resource topic = {.logical_id = "T", .type = "AWS::SNS::Topic",
                                      .physical_id = "arn:aws:sns:us-east-1:000000000000:stack-topic",
                                      .status = "CREATE_COMPLETE", .properties = "{}", .attributes = "{}"};
    struct lc_stack_resource sub = {.logical_id = "Sub", .type = "AWS::SNS::Subscription",
                                    .physical_id = "arn:aws:sns:us-east-1:000000000000:stack-topic:1",
                                    .status = "CREATE_COMPLETE",
                                    .properties = "{\"TopicArn\":\"arn:aws:sns:us-east-1:000000000000:stack-topic\","
                                                  "\"Protocol\":\"email\",\"Endpoint\":\"ops@example.com\"}",
                                    .attributes = "{}"};
    struct lc_stack_resource alarm = {.logical_id = "A", .type = "AWS::CloudWatch::Alarm", .physical_id = "stack-alarm",
                                      .status = "CREATE_COMPLETE",
                                      .properties = "{\"Namespace\":\"Test\",\"MetricName\":\"Reads\",\"Statistic\":"
                                                    "\"Sum\",\"Period\":\"60\",\"EvaluationPeriods\":\"1\","
                                                    "\"Threshold\":\"5\",\"ComparisonOperator\":\"GreaterThanThreshold\","
                                                    "\"AlarmActions\":[\"arn:aws:sns:us-east-1:000000000000:stack-topic\"]}",
                                      .attributes = "{}"};
    OK(lc_store_stack_resource_put(f->store, st.stack_id, &topic, err));
    OK(lc_store_stack_resource_put(f->store, st.stack_id, &sub, err));
    OK(lc_store_stack_resource_put(f->store, st.stack_id, &alarm, err));
    struct lc_watch_datum d = {"Test", "Reads", NULL, 0, T0, 6, 6, 1, 1, NULL};
    OK(lc_watch_put(f->store, &d, 1, err));
    OK(lc_watch_evaluate(f->store, T0 + 1000, NULL, err));
    assert_string_equal(s_get(f->store, "stack-alarm").state, "ALARM");
    int notes = 0;
    OK(lc_watch_notification_list(f->store, s_count_notes, &notes, err));
    assert_int_equal(notes, 1);
    OK(lc_store_stack_set_status(f->store, st.stack_id, "DELETE_COMPLETE", NULL, false, err));
    OK(lc_watch_evaluate(f->store, T0 + 2000, NULL, err));
    assert_int_equal(s_get(f->store, "stack-alarm").n, 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_new_alarm_is_unchecked_insufficient_data),
        FIXTURE_TEST(test_evaluation_alarms_and_notifies_the_topic_subscriptions),
        FIXTURE_TEST(test_set_alarm_state_records_history_and_runs_actions),
        FIXTURE_TEST(test_put_again_is_an_update_and_delete_removes),
        FIXTURE_TEST(test_stack_alarms_follow_their_stack),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
