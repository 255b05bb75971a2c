/*
 * watch.h: CloudWatch-style metrics, alarms, SNS notifications and the least-privilege audit.
 *
 * Metrics live in the state (store domain "watch") as one row per (namespace, metric, dimension set,
 * minute) holding Sum, SampleCount, Minimum and Maximum, so that every statistic of any period that is
 * a multiple of 60 s can be computed. They come from three places: PutMetricData, the decision trail
 * (AWS/DynamoDB request latency and throttles per table, and LeastCloud/Access request counts per
 * table and principal, so that an alarm can watch "reads by one key"), and the ddb module's consumed
 * capacity hook (AWS/DynamoDB ConsumedRead/WriteCapacityUnits).
 *
 * Alarms are the PutMetricAlarm fields as a JSON object (the same shape as the properties of an
 * AWS::CloudWatch::Alarm resource, which the deploy engine stores and the evaluator reads too).
 * lc_watch_evaluate does everything one tick needs: ingest the new trail rows and capacity counters,
 * evaluate every alarm as CloudWatch does, record state changes with CloudWatch's reasons in the
 * history, and notify the SNS subscriptions of the topics in the new state's actions.
 *
 * Ownership: strings passed in are borrowed for the call; anything returned as `char *` or `json_t *`
 * belongs to the caller (lc_free / json_decref) unless said otherwise; rows given to callbacks are
 * borrowed for the callback only.
 */
#ifndef LEASTCLOUD_WATCH_H
#define LEASTCLOUD_WATCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lc_error;
struct lc_store;

/* ---------------------------------------------------------------- metrics */

#define LC_WATCH_NS_DYNAMODB "AWS/DynamoDB"
#define LC_WATCH_NS_ACCESS "LeastCloud/Access"

/* Creates or upgrades the domain's tables (idempotent; every function below calls it once). */
int lc_watch_migrate(struct lc_store *store, struct lc_error *err);

struct lc_watch_dim {
    const char *name;
    const char *value;
};

/* One observation or a pre-aggregated statistic set, merged into the minute that holds time_ms. */
struct lc_watch_datum {
    const char *ns;
    const char *name;
    const struct lc_watch_dim *dims;
    size_t n_dims;
    int64_t time_ms;
    double sum, count, min, max;  /* for one value v: v, 1, v, v */
    const char *unit;             /* NULL or "" = "None" */
};

/* Merges the data into their minute buckets in one transaction (joins the caller's). */
int lc_watch_put(struct lc_store *store, const struct lc_watch_datum *data, size_t n, struct lc_error *err);

/* The canonical text of a dimension set: a JSON array of {"Name","Value"} sorted by name (caller
 * frees with lc_free). Two sets are the same metric when their texts are equal. */
char *lc_watch_dims_key(const struct lc_watch_dim *dims, size_t n);

enum lc_watch_stat {
    LC_WATCH_SUM,
    LC_WATCH_AVERAGE,
    LC_WATCH_MINIMUM,
    LC_WATCH_MAXIMUM,
    LC_WATCH_SAMPLE_COUNT,
};
/* "Sum", "Average", "Minimum", "Maximum", "SampleCount"; -1 when unknown. */
int lc_watch_stat_parse(const char *name);
const char *lc_watch_stat_name(enum lc_watch_stat s);

/* One period's aggregate; time_ms is the period's start. */
struct lc_watch_point {
    int64_t time_ms;
    double sum, count, min, max;
};
double lc_watch_point_value(const struct lc_watch_point *p, enum lc_watch_stat s);

/*
 * The periods of `period_s` seconds (a multiple of 60, aligned to the epoch) from start_ms (inclusive)
 * to end_ms (exclusive) that have data, oldest first, for the metric named by ns, name and dims_key
 * (lc_watch_dims_key). *out (caller frees with lc_free) may be NULL when *n is 0.
 */
int lc_watch_query(struct lc_store *store, const char *ns, const char *name, const char *dims_key,
                   int64_t start_ms, int64_t end_ms, int period_s, struct lc_watch_point **out, size_t *n,
                   struct lc_error *err);

/* Every distinct metric (ns, name, dims_key), optionally filtered (NULL = any), sorted. */
int lc_watch_list_metrics(struct lc_store *store, const char *ns, const char *name,
                          int (*fn)(const char *ns, const char *name, const char *dims_key, void *ud), void *ud,
                          struct lc_error *err);

/*
 * The ddb module's consumed-capacity hook (lc_ddb_set_consumed_hook(ddb, lc_watch_ddb_consumed, NULL)):
 * adds to an in-memory per-table, per-minute sum that lc_watch_evaluate / lc_watch_flush write to the
 * store. Thread-safe, cheap.
 */
void lc_watch_ddb_consumed(void *ctx, const char *table_name, double read_units, double write_units);
/* Writes what the hook gathered and the trail rows not yet turned into metrics. */
int lc_watch_flush(struct lc_store *store, struct lc_error *err);

/* ---------------------------------------------------------------- alarms */

enum lc_watch_state { LC_WATCH_OK, LC_WATCH_ALARM, LC_WATCH_INSUFFICIENT_DATA };
/* "OK", "ALARM", "INSUFFICIENT_DATA"; parse returns -1 when unknown. */
const char *lc_watch_state_name(enum lc_watch_state s);
int lc_watch_state_parse(const char *name);

enum lc_watch_cmp {
    LC_WATCH_GE, /* GreaterThanOrEqualToThreshold */
    LC_WATCH_GT, /* GreaterThanThreshold */
    LC_WATCH_LT, /* LessThanThreshold */
    LC_WATCH_LE, /* LessThanOrEqualToThreshold */
};
enum lc_watch_missing { LC_WATCH_MISSING, LC_WATCH_IGNORE, LC_WATCH_BREACHING, LC_WATCH_NOT_BREACHING };

/* A metric alarm's definition, parsed and checked. Strings and dims_key are owned (lc_watch_alarm_clear). */
struct lc_watch_alarm {
    char *name;
    char *ns;
    char *metric;
    char *dims_key;
    enum lc_watch_stat stat;
    int period_s;
    int evaluation_periods;
    int datapoints_to_alarm;
    double threshold;
    enum lc_watch_cmp cmp;
    enum lc_watch_missing missing;
    bool actions_enabled;
};
void lc_watch_alarm_clear(struct lc_watch_alarm *a);

/*
 * Parses the PutMetricAlarm fields (AlarmName, Namespace, MetricName, Dimensions [{Name, Value}],
 * Statistic, Period, EvaluationPeriods, DatapointsToAlarm, Threshold, ComparisonOperator,
 * TreatMissingData, ActionsEnabled; numbers may be JSON numbers or numeric strings as CloudFormation
 * passes them). LC_EINVAL with CloudWatch's ValidationError message when something is missing or wrong.
 */
int lc_watch_alarm_parse(const json_t *config, struct lc_watch_alarm *out, struct lc_error *err);

struct lc_watch_eval {
    enum lc_watch_state state;  /* the state the alarm should be in */
    bool changed;               /* differs from the current state */
    char reason[2048];          /* "Threshold Crossed: 1 datapoint [1234.0 (29/11/26 05:31:00)] was ..." */
    json_t *reason_data;        /* StateReasonData as JSON (caller decrefs) */
};

/*
 * Evaluates the alarm over the EvaluationPeriods periods ending with the one that holds now_ms, or
 * with the one before while the current period has no datapoint yet (pts: that metric's
 * aggregates of a->period_s, any order, may hold periods outside the range). Missing periods are
 * treated per a->missing, except that AWS/DynamoDB alarms always keep their state on missing data,
 * as CloudWatch does. Pure: no store access.
 */
void lc_watch_alarm_evaluate(const struct lc_watch_alarm *a, enum lc_watch_state current,
                             const struct lc_watch_point *pts, size_t n, int64_t now_ms,
                             struct lc_watch_eval *out);

/* Creates or replaces the alarm (config as for lc_watch_alarm_parse, plus AlarmActions, OKActions,
 * InsufficientDataActions, AlarmDescription, Unit). A new alarm starts in INSUFFICIENT_DATA with
 * "Unchecked: Initial alarm creation"; the history gets a ConfigurationUpdate. */
int lc_watch_alarm_put(struct lc_store *store, const json_t *config, struct lc_error *err);
int lc_watch_alarm_delete(struct lc_store *store, const char *name, struct lc_error *err);

struct lc_watch_alarm_row {
    const char *name;
    const char *arn;
    const json_t *config;        /* the PutMetricAlarm fields */
    const char *source;          /* "api", or the stack id that defined it */
    const char *state;
    const char *reason;
    const char *reason_data;     /* JSON text or "" */
    int64_t state_updated_ms;
    int64_t config_updated_ms;
};
/* Every alarm, by name (stack alarms included once lc_watch_evaluate has synced them). */
int lc_watch_alarm_list(struct lc_store *store, int (*fn)(const struct lc_watch_alarm_row *r, void *ud), void *ud,
                        struct lc_error *err);
/* Sets the state as SetAlarmState does (history + actions); LC_ENOTFOUND (ResourceNotFound) when absent. */
int lc_watch_alarm_set_state(struct lc_store *store, const char *name, enum lc_watch_state state,
                             const char *reason, const char *reason_data, struct lc_error *err);

struct lc_watch_history_row {
    const char *alarm_name;
    const char *type;            /* "StateUpdate", "ConfigurationUpdate", "Action" */
    const char *summary;         /* "Alarm updated from OK to ALARM" */
    const char *data;            /* JSON text */
    int64_t time_ms;
};
/* Newest first; name/type NULL = any. */
int lc_watch_history_list(struct lc_store *store, const char *name, const char *type,
                          int (*fn)(const struct lc_watch_history_row *r, void *ud), void *ud,
                          struct lc_error *err);

/*
 * One evaluator tick at now_ms: flush (lc_watch_flush), sync the alarms of deployed stacks, evaluate
 * every alarm, record changes and notify. Serialized within the process. *changed (may be NULL)
 * receives how many alarms changed state.
 */
int lc_watch_evaluate(struct lc_store *store, int64_t now_ms, size_t *changed, struct lc_error *err);

/* The server's background evaluator: one thread ticking every interval_ms (0 = $LC_WATCH_INTERVAL_MS,
 * else 10000). start is a no-op when it already runs; stop runs a last tick and joins. */
int lc_watch_evaluator_start(struct lc_store *store, int interval_ms, struct lc_error *err);
void lc_watch_evaluator_stop(void);

/* ---------------------------------------------------------------- SNS and notifications */

/* Creates (idempotent) a topic; out_arn (may be NULL) receives its ARN (1024 bytes). */
int lc_watch_topic_create(struct lc_store *store, const char *name, char *out_arn, struct lc_error *err);
/* LC_ENOTFOUND (NotFound) for an unknown topic (API topics and deployed AWS::SNS::Topic count). */
int lc_watch_subscribe(struct lc_store *store, const char *topic_arn, const char *protocol, const char *endpoint,
                       char *out_arn, struct lc_error *err);
int lc_watch_topic_list(struct lc_store *store, int (*fn)(const char *arn, void *ud), void *ud,
                        struct lc_error *err);
/* topic_arn NULL = all. Deployed AWS::SNS::Subscription resources are included. */
int lc_watch_subscription_list(struct lc_store *store, const char *topic_arn,
                               int (*fn)(const char *arn, const char *topic_arn, const char *protocol,
                                         const char *endpoint, void *ud),
                               void *ud, struct lc_error *err);
/*
 * Publishes to every subscription of the topic: each gets a row in the notifications table; an http
 * endpoint on 127.0.0.1 is also POSTed (SNS's Notification JSON). *message_id (37 bytes, may be NULL)
 * receives the message id.
 */
int lc_watch_publish(struct lc_store *store, const char *topic_arn, const char *subject, const char *message,
                     char *message_id, struct lc_error *err);

struct lc_watch_notification {
    int64_t id;
    int64_t time_ms;
    const char *topic_arn;
    const char *subscription_arn;
    const char *protocol;
    const char *endpoint;
    const char *subject;
    const char *message;
    const char *status;          /* "recorded", "delivered", "failed: ..." */
};
int lc_watch_notification_list(struct lc_store *store,
                               int (*fn)(const struct lc_watch_notification *n, void *ud), void *ud,
                               struct lc_error *err);

/* ---------------------------------------------------------------- audit */

/* One action a principal's policies grant, with what the trail says about it. */
struct lc_watch_audit_action {
    char *action;        /* "dynamodb:GetItem" (as the action table spells it) */
    char level;          /* 'R', 'W', 'L', 'T', 'P' (access level), '?' unknown */
    char **resources;    /* the resource patterns granted (from the statements' Resource) */
    size_t n_resources;
    bool granted;
    int64_t used;        /* Allowed calls in the trail */
    int64_t denied;      /* denied calls in the trail */
    char **used_resources;   /* the resources actually used (sorted, unique) */
    size_t n_used_resources;
    char *denied_resource;   /* one denied resource, for the minimal policy's "needed" statement */
    char *denied_by;         /* "no identity-based policy allows ...", "explicit deny in X statement N" */
};

struct lc_watch_audit_principal {
    char *arn;               /* the IAM principal (a role for its sessions) */
    char *type;              /* "user", "role", "root" */
    struct lc_watch_audit_action *actions;  /* sorted by action name */
    size_t n_actions;
    size_t granted, used_granted, granted_read, used_read, denied_calls;
    int64_t calls;
    json_t *minimal_policy;  /* what would have served exactly what was used (+ denied-but-needed) */
};

struct lc_watch_audit {
    struct lc_watch_audit_principal *principals;
    size_t n;
};

/* principal_arn NULL = every principal seen in the trail or holding policies (root excluded unless
 * asked for by ARN). Caller frees with lc_watch_audit_free. */
int lc_watch_audit_run(struct lc_store *store, const char *principal_arn, struct lc_watch_audit *out,
                       struct lc_error *err);
void lc_watch_audit_free(struct lc_watch_audit *a);

/* A trail event in CloudTrail's record shape (caller decrefs). Takes the store row's fields. */
struct lc_store_trail_event;
json_t *lc_watch_trail_record(const struct lc_store_trail_event *ev, const char *account, const char *region);

/* ---------------------------------------------------------------- CBOR (smithy-rpc-v2-cbor) */

/* Encodes a JSON value as CBOR (objects as maps with text keys, integers as major 0/1, reals as
 * float64, strings as text, true/false/null as simple values). An object that is exactly
 * {"$cbor_ts": seconds} becomes a timestamp (tag 1 + float64), as smithy-rpc-v2-cbor sends them
 * (lc_watch_cbor_ts builds one). Appends to out. Returns 0 or the buffer's error. */
struct lc_buf;
int lc_watch_cbor_encode(const json_t *v, struct lc_buf *out);
json_t *lc_watch_cbor_ts(int64_t ms);
/* Decodes one CBOR data item into JSON (tag 1 timestamps become numbers of seconds, byte strings
 * base64 text, definite and indefinite lengths both). NULL with LC_EINVAL (SerializationException)
 * on malformed or trailing input or text containing U+0000, and with LC_ELIMIT (413
 * RequestEntityTooLarge) when the decoded values would pass 64 MiB. Caller decrefs. */
json_t *lc_watch_cbor_decode(const void *data, size_t len, struct lc_error *err);

#endif
