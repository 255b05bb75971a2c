/*
 * svc_monitoring.c: CloudWatch (service "monitoring", API 2010-08-01) over the watch module, in the
 * three protocols its model lists: the Query protocol (Action=..., XML replies; aws CLI v2 and older
 * SDKs), awsJson1_0 (X-Amz-Target: GraniteServiceVersion20100801.<Op>; botocore 1.43 picks it first)
 * and smithy-rpc-v2-cbor (POST /service/GraniteServiceVersion20100801/operation/<Op>; SDKs that
 * prefer CBOR).
 *
 * Every operation is written once against JSON input and output in the model's shapes; the three
 * front ends only translate (Query parameters -> JSON, CBOR <-> JSON, JSON -> XML). Timestamps travel
 * inside the output as {"$cbor_ts": seconds} and are rendered per protocol.
 *
 * The service also owns the background alarm evaluator: started with the server, stopped with it.
 */
#include "api/api_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"
#include "leastcloud/json.h"
#include "leastcloud/str.h"
#include "leastcloud/watch.h"

#define TARGET_PREFIX "GraniteServiceVersion20100801"
#define CBOR_PATH "/service/" TARGET_PREFIX "/operation/"

typedef int (*s_op_fn)(struct lc_api_call *call, const json_t *in, json_t *out, struct lc_error *err);

/* ------------------------------------------------------------------ helpers */

static int s_invalid(struct lc_error *err, const char *param, const char *value)
{
    return lc_error_set(err, LC_EINVAL, 400, "InvalidParameterValue", "The value %s for parameter %s is invalid.",
                        value ? value : "null", param);
}

static int s_missing(struct lc_error *err, const char *param)
{
    return lc_error_set(err, LC_EINVAL, 400, "MissingParameter", "The parameter %s is required.", param);
}

static bool s_num(const json_t *v, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return true;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end = NULL;
        double d = strtod(s, &end);
        if (*s && end && !*end && isfinite(d)) {
            *out = d;
            return true;
        }
    }
    return false;
}

/* ISO 8601 text (Query) or epoch seconds (CBOR, JSON). */
static bool s_time(const json_t *v, int64_t *ms)
{
    if (json_is_number(v)) {
        *ms = (int64_t)llround(json_number_value(v) * 1000.0);
        return true;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (lc_time_parse_iso(s, strlen(s), ms) == 0)
            return true;
        double d;
        if (s_num(v, &d)) {
            *ms = (int64_t)llround(d * 1000.0);
            return true;
        }
    }
    return false;
}

static json_t *s_ts(int64_t ms)
{
    return lc_watch_cbor_ts(ms);
}

/* Dimensions [{Name, Value}] of the request as watch dims (borrowed from the JSON). */
static int s_dims(const json_t *arr, struct lc_watch_dim *out, size_t *n, struct lc_error *err)
{
    *n = 0;
    if (!arr)
        return 0;
    if (!json_is_array(arr) || json_array_size(arr) > 30)
        return lc_error_set(err, LC_EINVAL, 400, "InvalidParameterValue",
                            "The collection Dimensions must not have a size greater than 30.");
    size_t i;
    json_t *d;
    json_array_foreach(arr, i, d)
    {
        const char *name = lc_json_str(d, "Name"), *value = lc_json_str(d, "Value");
        if (!name || !*name)
            return lc_error_set(err, LC_EINVAL, 400, "InvalidParameterValue",
                                "The parameter Dimensions.member.%zu.Name is required.", i + 1);
        if (!value)
            return lc_error_set(err, LC_EINVAL, 400, "InvalidParameterValue",
                                "The parameter Dimensions.member.%zu.Value is required.", i + 1);
        out[(*n)++] = (struct lc_watch_dim){name, value};
    }
    return 0;
}

static json_t *s_dims_json(const char *dims_key)
{
    json_t *d = json_loads(dims_key, 0, NULL);
    return d ? d : json_array();
}

static char *s_alarm_arn(struct lc_api_call *call, const char *name)
{
    return lc_asprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", lc_store_region(call->store),
                       lc_store_account(call->store), name);
}

static int s_authorize_alarm(struct lc_api_call *call, const char *action, const char *name, struct lc_error *err)
{
    char *arn = s_alarm_arn(call, name);
    int rc = lc_api_authorize(call, action, arn, NULL, 0, err);
    lc_free(arn);
    return rc;
}

/* ------------------------------------------------------------------ metrics */

static int s_put_metric_data(struct lc_api_call *call, const json_t *in, json_t *out, struct lc_error *err)
{
    const char *ns = lc_json_str(in, "Namespace");
    struct lc_api_condition cond = {"cloudwatch:namespace", ns ? ns : ""};
    int rc = lc_api_authorize(call, "cloudwatch:PutMetricData", "*", &cond, 1, err);
    if (rc)
        return rc;
    if (!ns || !*ns)
        return s_missing(err, "Namespace");
    if (lc_str_starts_with(ns, "AWS/"))
        return lc_error_set(err, LC_EINVAL, 400, "InvalidParameterValue",
                            "The value AWS/ for parameter Namespace is invalid.");
    const json_t *data = json_object_get(in, "MetricData");
    if (!json_is_array(data) || json_array_size(data) == 0)
        return s_missing(err, "MetricData");
    if (json_array_size(data) > 1000)
        return lc_error_set(err, LC_EINVAL, 400, "InvalidParameterValue",
                            "The collection MetricData must not have a size greater than 1000.");
    size_t n = json_array_size(data), cap = n * 2 + 8, k = 0;
    struct lc_watch_datum *d = lc_calloc(cap, sizeof *d);
    struct lc_watch_dim(*dims)[30] = lc_calloc(n, sizeof *dims);
    int64_t now = lc_clock_now_ms();
    size_t i;
    json_t *m;
    json_array_foreach(data, i, m)
    {
        const char *name = lc_json_str(m, "MetricName");
        if (!name || !*name) {
            rc = lc_error_set(err, LC_EINVAL, 400, "InvalidParameterValue",
                              "The parameter MetricData.member.%zu.MetricName is required.", i + 1);
            break;
        }
        size_t nd;
        if ((rc = s_dims(json_object_get(m, "Dimensions"), dims[i], &nd, err)) != 0)
            break;
        int64_t t = now;
        const json_t *ts = json_object_get(m, "Timestamp");
        if (ts && !s_time(ts, &t)) {
            rc = s_invalid(err, "Timestamp", json_string_value(ts));
            break;
        }
        if (t < now - 14LL * 86400000 || t > now + 2LL * 3600000) {
            rc = lc_error_set(err, LC_EINVAL, 400, "InvalidParameterValue",
                              "The parameter MetricData.member.%zu.Timestamp must specify a time no more than two "
                              "weeks in the past and two hours in the future.", i + 1);
            break;
        }
        const char *unit = lc_json_str(m, "Unit");
        struct lc_watch_datum base = {"", name, dims[i], nd, t, 0, 0, 0, 0, unit};
        base.ns = ns;
        double v;
        const json_t *sv = json_object_get(m, "StatisticValues");
        const json_t *values = json_object_get(m, "Values");
        if (sv) {
            double sc, sum, mn, mx;
            if (!s_num(json_object_get(sv, "SampleCount"), &sc) || !s_num(json_object_get(sv, "Sum"), &sum) ||
                !s_num(json_object_get(sv, "Minimum"), &mn) || !s_num(json_object_get(sv, "Maximum"), &mx) || sc <= 0) {
                rc = lc_error_set(err, LC_EINVAL, 400, "InvalidParameterValue",
                                  "The parameters MetricData.member.%zu.StatisticValues.SampleCount, Sum, Minimum "
                                  "and Maximum are all required.", i + 1);
                break;
            }
            base.sum = sum;
            base.count = sc;
            base.min = mn;
            base.max = mx;
            d[k++] = base;
        } else if (json_is_array(values) && json_array_size(values) > 0) {
            const json_t *counts = json_object_get(m, "Counts");
            size_t j;
            json_t *x;
            json_array_foreach(values, j, x)
            {
                double c = 1;
                if (!s_num(x, &v)) {
                    rc = s_invalid(err, "Values", json_string_value(x));
                    break;
                }
                if (json_is_array(counts) && j < json_array_size(counts))
                    s_num(json_array_get(counts, j), &c);
                if (k == cap) {
                    cap *= 2;
                    d = lc_realloc(d, cap * sizeof *d);
                }
                base.sum = v * c;
                base.count = c;
                base.min = base.max = v;
                d[k++] = base;
            }
            if (rc)
                break;
        } else if (s_num(json_object_get(m, "Value"), &v)) {
            base.sum = base.min = base.max = v;
            base.count = 1;
            d[k++] = base;
        } else {
            rc = lc_error_set(err, LC_EINVAL, 400, "InvalidParameterCombination",
                              "The parameters MetricData.member.%zu.Value, MetricData.member.%zu.StatisticValues "
                              "or MetricData.member.%zu.Values must be specified.", i + 1, i + 1, i + 1);
            break;
        }
        if (k + 1 >= cap) {
            cap *= 2;
            d = lc_realloc(d, cap * sizeof *d);
        }
    }
    if (!rc)
        rc = lc_watch_put(call->store, d, k, err);
    lc_free(d);
    lc_free(dims);
    return rc;
}

/* Statistics to ask for, from a list of names. */
static int s_stats(const json_t *list, bool want[5], struct lc_error *err)
{
    memset(want, 0, 5 * sizeof *want);
    if (!json_is_array(list) || json_array_size(list) == 0)
        return lc_error_set(err, LC_EINVAL, 400, "InvalidParameterCombination",
                            "Must specify either Statistics or ExtendedStatistics.");
    size_t i;
    json_t *s;
    json_array_foreach(list, i, s)
    {
        int k = lc_watch_stat_parse(json_string_value(s));
        if (k < 0)
            return s_invalid(err, "Statistics", json_string_value(s));
        want[k] = true;
    }
    return 0;
}

static int s_range(const json_t *in, const char *start_key, const char *end_key, int64_t *start, int64_t *end,
                   struct lc_error *err)
{
    if (!s_time(json_object_get(in, start_key), start))
        return s_missing(err, start_key);
    if (!s_time(json_object_get(in, end_key), end))
        return s_missing(err, end_key);
    if (*end <= *start)
        return lc_error_set(err, LC_EINVAL, 400, "InvalidParameterValue",
                            "The parameter %s must be greater than %s.", end_key, start_key);
    return 0;
}

static int s_get_metric_statistics(struct lc_api_call *call, const json_t *in, json_t *out, struct lc_error *err)
{
    int rc = lc_api_authorize(call, "cloudwatch:GetMetricStatistics", "*", NULL, 0, err);
    if (rc)
        return rc;
    const char *ns = lc_json_str(in, "Namespace"), *name = lc_json_str(in, "MetricName");
    if (!ns)
        return s_missing(err, "Namespace");
    if (!name)
        return s_missing(err, "MetricName");
    int64_t start, end;
    if ((rc = s_range(in, "StartTime", "EndTime", &start, &end, err)) != 0)
        return rc;
    double period;
    if (!s_num(json_object_get(in, "Period"), &period))
        return s_missing(err, "Period");
    if (period < 60 || fmod(period, 60) != 0)
        return lc_error_set(err, LC_EINVAL, 400, "InvalidParameterValue",
                            "The parameter Period must be a multiple of 60.");
    bool want[5];
    if ((rc = s_stats(json_object_get(in, "Statistics"), want, err)) != 0)
        return rc;
    struct lc_watch_dim dims[30];
    size_t nd;
    if ((rc = s_dims(json_object_get(in, "Dimensions"), dims, &nd, err)) != 0)
        return rc;
    if ((rc = lc_watch_flush(call->store, err)) != 0)
        return rc;
    char *key = lc_watch_dims_key(dims, nd);
    struct lc_watch_point *pts;
    size_t n;
    rc = lc_watch_query(call->store, ns, name, key, start, end, (int)period, &pts, &n, err);
    lc_free(key);
    if (rc)
        return rc;
    const char *unit = lc_json_str(in, "Unit");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_object();
        json_object_set_new(p, "Timestamp", s_ts(pts[i].time_ms));
        for (int s = 0; s < 5; s++)
            if (want[s])
                json_object_set_new(p, lc_watch_stat_name((enum lc_watch_stat)s),
                                    json_real(lc_watch_point_value(&pts[i], (enum lc_watch_stat)s)));
        json_object_set_new(p, "Unit", json_string(unit ? unit : "None"));
        json_array_append_new(arr, p);
    }
    lc_free(pts);
    json_object_set_new(out, "Label", json_string(name));
    json_object_set_new(out, "Datapoints", arr);
    return 0;
}

static int s_get_metric_data(struct lc_api_call *call, const json_t *in, json_t *out, struct lc_error *err)
{
    int rc = lc_api_authorize(call, "cloudwatch:GetMetricData", "*", NULL, 0, err);
    if (rc)
        return rc;
    const json_t *queries = json_object_get(in, "MetricDataQueries");
    if (!json_is_array(queries) || json_array_size(queries) == 0)
        return s_missing(err, "MetricDataQueries");
    int64_t start, end;
    if ((rc = s_range(in, "StartTime", "EndTime", &start, &end, err)) != 0)
        return rc;
    if ((rc = lc_watch_flush(call->store, err)) != 0)
        return rc;
    const char *scan = lc_json_str(in, "ScanBy");
    bool ascending = scan && !strcmp(scan, "TimestampAscending");
    json_t *results = json_array();
    size_t i;
    json_t *q;
    json_array_foreach(queries, i, q)
    {
        const char *id = lc_json_str(q, "Id");
        const json_t *ms = json_object_get(q, "MetricStat");
        if (!id) {
            rc = s_missing(err, "MetricDataQueries.member.N.Id");
            break;
        }
        if (!ms) {
            rc = lc_error_set(err, LC_EUNSUPPORTED, 400, "ValidationError",
                              "MetricDataQueries.member.%zu: only MetricStat queries are supported by leastcloud "
                              "(no Expression).", i + 1);
            break;
        }
        const json_t *metric = json_object_get(ms, "Metric");
        const char *ns = lc_json_str(metric, "Namespace"), *name = lc_json_str(metric, "MetricName");
        double period;
        int stat = lc_watch_stat_parse(lc_json_str(ms, "Stat"));
        if (!ns || !name || !s_num(json_object_get(ms, "Period"), &period) || stat < 0 || period < 60 ||
            fmod(period, 60) != 0) {
            rc = lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                              "MetricDataQueries.member.%zu.MetricStat needs Metric (Namespace, MetricName), a "
                              "Period that is a multiple of 60 and a Stat (Sum, Average, Minimum, Maximum, "
                              "SampleCount).", i + 1);
            break;
        }
        const json_t *rd = json_object_get(q, "ReturnData");
        if (rd && (json_is_false(rd) || (json_is_string(rd) && !strcmp(json_string_value(rd), "false"))))
            continue;
        struct lc_watch_dim dims[30];
        size_t nd;
        if ((rc = s_dims(json_object_get(metric, "Dimensions"), dims, &nd, err)) != 0)
            break;
        char *key = lc_watch_dims_key(dims, nd);
        struct lc_watch_point *pts;
        size_t n;
        rc = lc_watch_query(call->store, ns, name, key, start, end, (int)period, &pts, &n, err);
        lc_free(key);
        if (rc)
            break;
        json_t *ts = json_array(), *vals = json_array();
        for (size_t k = 0; k < n; k++) {
            size_t j = ascending ? k : n - 1 - k;
            json_array_append_new(ts, s_ts(pts[j].time_ms));
            json_array_append_new(vals, json_real(lc_watch_point_value(&pts[j], (enum lc_watch_stat)stat)));
        }
        lc_free(pts);
        const char *label = lc_json_str(q, "Label");
        json_array_append_new(results, json_pack("{ss ss so so ss}", "Id", id, "Label", label ? label : name,
                                                 "Timestamps", ts, "Values", vals, "StatusCode", "Complete"));
    }
    if (rc) {
        json_decref(results);
        return rc;
    }
    json_object_set_new(out, "MetricDataResults", results);
    json_object_set_new(out, "Messages", json_array());
    return 0;
}

struct s_list_ctx {
    json_t *arr;
    const json_t *filter; /* [{Name, Value?}] */
};

static int s_list_one(const char *ns, const char *name, const char *dims_key, void *ud)
{
    struct s_list_ctx *c = ud;
    json_t *dims = s_dims_json(dims_key);
    size_t i;
    json_t *f;
    json_array_foreach(c->filter, i, f)
    {
        const char *fname = lc_json_str(f, "Name"), *fvalue = lc_json_str(f, "Value");
        bool hit = false;
        size_t j;
        json_t *d;
        json_array_foreach(dims, j, d)
            hit = hit || (fname && !strcmp(fname, lc_json_str(d, "Name")) &&
                          (!fvalue || !strcmp(fvalue, lc_json_str(d, "Value"))));
        if (!hit) {
            json_decref(dims);
            return 0;
        }
    }
    json_array_append_new(c->arr, json_pack("{ss ss so}", "Namespace", ns, "MetricName", name, "Dimensions", dims));
    return json_array_size(c->arr) >= 500;
}

static int s_list_metrics(struct lc_api_call *call, const json_t *in, json_t *out, struct lc_error *err)
{
    int rc = lc_api_authorize(call, "cloudwatch:ListMetrics", "*", NULL, 0, err);
    if (rc)
        return rc;
    if ((rc = lc_watch_flush(call->store, err)) != 0)
        return rc;
    struct s_list_ctx c = {json_array(), json_object_get(in, "Dimensions")};
    rc = lc_watch_list_metrics(call->store, lc_json_str(in, "Namespace"), lc_json_str(in, "MetricName"),
                               s_list_one, &c, err);
    json_object_set_new(out, "Metrics", c.arr);
    return rc;
}

/* ------------------------------------------------------------------ alarms */

static int s_put_metric_alarm(struct lc_api_call *call, const json_t *in, json_t *out, struct lc_error *err)
{
    const char *name = lc_json_str(in, "AlarmName");
    int rc = s_authorize_alarm(call, "cloudwatch:PutMetricAlarm", name ? name : "", err);
    if (rc)
        return rc;
    /* Keep the model's fields only, with numbers as numbers, so that every protocol stores the same. */
    json_t *cfg = json_object();
    static const char *const strs[] = {"AlarmName", "AlarmDescription", "MetricName", "Namespace", "Statistic",
                                       "ExtendedStatistic", "Unit", "ComparisonOperator", "TreatMissingData",
                                       "EvaluateLowSampleCountPercentile", "ThresholdMetricId"};
    static const char *const nums[] = {"Period", "EvaluationPeriods", "DatapointsToAlarm", "Threshold"};
    static const char *const lists[] = {"OKActions", "AlarmActions", "InsufficientDataActions", "Dimensions",
                                        "Metrics", "Tags"};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (lc_json_str(in, strs[i]))
            json_object_set_new(cfg, strs[i], json_string(lc_json_str(in, strs[i])));
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        double v;
        const json_t *j = json_object_get(in, nums[i]);
        if (j && !s_num(j, &v)) {
            json_decref(cfg);
            return s_invalid(err, nums[i], json_string_value(j));
        }
        if (j)
            json_object_set_new(cfg, nums[i], v == floor(v) && strcmp(nums[i], "Threshold") ? json_integer((json_int_t)v)
                                                                                             : json_real(v));
    }
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        const json_t *j = json_object_get(in, lists[i]);
        if (json_is_array(j))
            json_object_set_new(cfg, lists[i], json_deep_copy(j));
    }
    const json_t *ae = json_object_get(in, "ActionsEnabled");
    json_object_set_new(cfg, "ActionsEnabled",
                        json_boolean(!ae || json_is_true(ae) ||
                                     (json_is_string(ae) && !strcmp(json_string_value(ae), "true"))));
    rc = lc_watch_alarm_put(call->store, cfg, err);
    json_decref(cfg);
    return rc;
}

struct s_describe {
    json_t *arr;
    const json_t *names;
    const char *prefix, *state, *action_prefix;
};

static bool s_has_action_prefix(const json_t *cfg, const char *prefix)
{
    static const char *const keys[] = {"OKActions", "AlarmActions", "InsufficientDataActions"};
    for (size_t k = 0; k < 3; k++) {
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(cfg, keys[k]), i, a)
            if (json_is_string(a) && lc_str_starts_with(json_string_value(a), prefix))
                return true;
    }
    return false;
}

static json_t *s_alarm_json(const struct lc_watch_alarm_row *r)
{
    const json_t *c = r->config;
    json_t *a = json_object();
    json_object_set_new(a, "AlarmName", json_string(r->name));
    json_object_set_new(a, "AlarmArn", json_string(r->arn));
    if (lc_json_str(c, "AlarmDescription"))
        json_object_set_new(a, "AlarmDescription", json_string(lc_json_str(c, "AlarmDescription")));
    json_object_set_new(a, "AlarmConfigurationUpdatedTimestamp", s_ts(r->config_updated_ms));
    const json_t *ae = json_object_get(c, "ActionsEnabled");
    json_object_set_new(a, "ActionsEnabled",
                        json_boolean(!ae || json_is_true(ae) ||
                                     (json_is_string(ae) && !strcmp(json_string_value(ae), "true"))));
    static const char *const lists[] = {"OKActions", "AlarmActions", "InsufficientDataActions"};
    for (size_t i = 0; i < 3; i++) {
        const json_t *l = json_object_get(c, lists[i]);
        json_object_set_new(a, lists[i], json_is_array(l) ? json_deep_copy(l) : json_array());
    }
    json_object_set_new(a, "StateValue", json_string(r->state));
    json_object_set_new(a, "StateReason", json_string(r->reason));
    if (r->reason_data && *r->reason_data)
        json_object_set_new(a, "StateReasonData", json_string(r->reason_data));
    json_object_set_new(a, "StateUpdatedTimestamp", s_ts(r->state_updated_ms));
    static const char *const strs[] = {"MetricName", "Namespace", "Statistic", "Unit", "ComparisonOperator"};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (lc_json_str(c, strs[i]))
            json_object_set_new(a, strs[i], json_string(lc_json_str(c, strs[i])));
    const json_t *dims = json_object_get(c, "Dimensions");
    json_object_set_new(a, "Dimensions", json_is_array(dims) ? json_deep_copy(dims) : json_array());
    static const char *const ints[] = {"Period", "EvaluationPeriods", "DatapointsToAlarm"};
    double v;
    for (size_t i = 0; i < 3; i++)
        if (s_num(json_object_get(c, ints[i]), &v))
            json_object_set_new(a, ints[i], json_integer((json_int_t)v));
    if (s_num(json_object_get(c, "Threshold"), &v))
        json_object_set_new(a, "Threshold", json_real(v));
    const char *tmd = lc_json_str(c, "TreatMissingData");
    json_object_set_new(a, "TreatMissingData", json_string(tmd ? tmd : "missing"));
    json_object_set_new(a, "StateTransitionedTimestamp", s_ts(r->state_updated_ms));
    return a;
}

static int s_describe_one(const struct lc_watch_alarm_row *r, void *ud)
{
    struct s_describe *d = ud;
    if (json_array_size(d->names)) {
        bool hit = false;
        size_t i;
        json_t *n;
        json_array_foreach(d->names, i, n)
            hit = hit || (json_is_string(n) && !strcmp(json_string_value(n), r->name));
        if (!hit)
            return 0;
    }
    if (d->prefix && !lc_str_starts_with(r->name, d->prefix))
        return 0;
    if (d->state && strcmp(d->state, r->state) != 0)
        return 0;
    if (d->action_prefix && !s_has_action_prefix(r->config, d->action_prefix))
        return 0;
    json_array_append_new(d->arr, s_alarm_json(r));
    return 0;
}

static int s_describe_alarms(struct lc_api_call *call, const json_t *in, json_t *out, struct lc_error *err)
{
    int rc = s_authorize_alarm(call, "cloudwatch:DescribeAlarms", "*", err);
    if (rc)
        return rc;
    const char *state = lc_json_str(in, "StateValue");
    if (state && lc_watch_state_parse(state) < 0)
        return s_invalid(err, "StateValue", state);
    /* On demand: what the caller sees is evaluated up to now, not up to the last background tick. */
    if ((rc = lc_watch_evaluate(call->store, lc_clock_now_ms(), NULL, err)) != 0)
        return rc;
    struct s_describe d = {json_array(), json_object_get(in, "AlarmNames"), lc_json_str(in, "AlarmNamePrefix"),
                           state, lc_json_str(in, "ActionPrefix")};
    rc = lc_watch_alarm_list(call->store, s_describe_one, &d, err);
    json_object_set_new(out, "MetricAlarms", d.arr);
    json_object_set_new(out, "CompositeAlarms", json_array());
    return rc;
}

struct s_history {
    json_t *arr;
    int64_t start, end;
    size_t max;
};

static int s_history_one(const struct lc_watch_history_row *r, void *ud)
{
    struct s_history *h = ud;
    if (r->time_ms < h->start || r->time_ms >= h->end)
        return 0;
    json_array_append_new(h->arr, json_pack("{ss ss so ss ss ss}", "AlarmName", r->alarm_name, "AlarmType",
                                            "MetricAlarm", "Timestamp", s_ts(r->time_ms), "HistoryItemType", r->type,
                                            "HistorySummary", r->summary, "HistoryData", r->data));
    return json_array_size(h->arr) >= h->max;
}

static int s_describe_alarm_history(struct lc_api_call *call, const json_t *in, json_t *out, struct lc_error *err)
{
    const char *name = lc_json_str(in, "AlarmName");
    int rc = s_authorize_alarm(call, "cloudwatch:DescribeAlarmHistory", name ? name : "*", err);
    if (rc)
        return rc;
    const char *type = lc_json_str(in, "HistoryItemType");
    if (type && strcmp(type, "StateUpdate") && strcmp(type, "ConfigurationUpdate") && strcmp(type, "Action"))
        return s_invalid(err, "HistoryItemType", type);
    if ((rc = lc_watch_evaluate(call->store, lc_clock_now_ms(), NULL, err)) != 0)
        return rc;
    struct s_history h = {json_array(), INT64_MIN, INT64_MAX, 100};
    double max;
    if (s_num(json_object_get(in, "MaxRecords"), &max) && max >= 1 && max <= 100)
        h.max = (size_t)max;
    if (json_object_get(in, "StartDate"))
        s_time(json_object_get(in, "StartDate"), &h.start);
    if (json_object_get(in, "EndDate"))
        s_time(json_object_get(in, "EndDate"), &h.end);
    rc = lc_watch_history_list(call->store, name, type, s_history_one, &h, err);
    json_object_set_new(out, "AlarmHistoryItems", h.arr);
    return rc;
}

static int s_set_alarm_state(struct lc_api_call *call, const json_t *in, json_t *out, struct lc_error *err)
{
    const char *name = lc_json_str(in, "AlarmName");
    int rc = s_authorize_alarm(call, "cloudwatch:SetAlarmState", name ? name : "", err);
    if (rc)
        return rc;
    if (!name)
        return s_missing(err, "AlarmName");
    const char *state = lc_json_str(in, "StateValue"), *reason = lc_json_str(in, "StateReason");
    int s = lc_watch_state_parse(state);
    if (s < 0)
        return s_invalid(err, "StateValue", state);
    if (!reason)
        return s_missing(err, "StateReason");
    return lc_watch_alarm_set_state(call->store, name, (enum lc_watch_state)s, reason,
                                    lc_json_str(in, "StateReasonData"), err);
}

static int s_delete_alarms(struct lc_api_call *call, const json_t *in, json_t *out, struct lc_error *err)
{
    const json_t *names = json_object_get(in, "AlarmNames");
    if (!json_is_array(names) || json_array_size(names) == 0) {
        int rc = s_authorize_alarm(call, "cloudwatch:DeleteAlarms", "*", err);
        return rc ? rc : s_missing(err, "AlarmNames");
    }
    size_t i;
    json_t *n;
    json_array_foreach(names, i, n)
    {
        int rc = s_authorize_alarm(call, "cloudwatch:DeleteAlarms", json_string_value(n) ? json_string_value(n) : "",
                                   err);
        if (rc)
            return rc;
    }
    json_array_foreach(names, i, n)
    {
        struct lc_error e = {0};
        int rc = lc_watch_alarm_delete(call->store, json_string_value(n), &e);
        if (rc == LC_ENOTFOUND)
            return lc_error_set(err, LC_ENOTFOUND, 404, "ResourceNotFound", "%s", e.message);
        if (rc)
            return lc_error_set(err, rc, e.http_status, e.aws_code, "%s", e.message);
    }
    return 0;
}

/* ------------------------------------------------------------------ dispatch */

/* Metric reads write too (they flush pending counters first), so no operation is read-only. */
static const struct {
    const char *name;
    s_op_fn fn;
} s_ops_impl[] = {
    {"PutMetricData", s_put_metric_data},
    {"GetMetricStatistics", s_get_metric_statistics},
    {"GetMetricData", s_get_metric_data},
    {"ListMetrics", s_list_metrics},
    {"PutMetricAlarm", s_put_metric_alarm},
    {"DescribeAlarms", s_describe_alarms},
    {"DescribeAlarmHistory", s_describe_alarm_history},
    {"SetAlarmState", s_set_alarm_state},
    {"DeleteAlarms", s_delete_alarms},
};
#define N_OPS (sizeof s_ops_impl / sizeof s_ops_impl[0])

static s_op_fn s_find(const char *name)
{
    for (size_t i = 0; name && i < N_OPS; i++)
        if (!strcmp(s_ops_impl[i].name, name))
            return s_ops_impl[i].fn;
    return NULL;
}

/* Query parameters as the model's JSON: "A.member.2.B" -> {"A": [_, {"B": ...}]}; values stay text. */
static json_t *s_params_json(const struct lc_api_request *req)
{
    json_t *root = json_object();
    for (size_t i = 0; i < req->n_params; i++) {
        const char *name = req->params[i].name;
        if (!strcmp(name, "Action") || !strcmp(name, "Version"))
            continue;
        char *copy = lc_strdup(name);
        json_t *node = root;
        char *tok = copy;
        while (tok && node) {
            char *dot = strchr(tok, '.');
            if (dot)
                *dot = '\0';
            char *next = dot ? dot + 1 : NULL;
            bool list = next && (lc_str_starts_with(next, "member.") || lc_str_starts_with(next, "entry."));
            if (!next) {
                if (json_is_object(node))
                    json_object_set_new(node, tok, json_string(req->params[i].value));
                break;
            }
            if (list) {
                /* tok.member.N[.rest] */
                json_t *arr = json_object_get(node, tok);
                if (!json_is_array(arr)) {
                    arr = json_array();
                    json_object_set_new(node, tok, arr);
                }
                char *num = strchr(next, '.') + 1;
                char *after = strchr(num, '.');
                if (after)
                    *after = '\0';
                int64_t idx;
                if (lc_parse_i64(num, &idx) != 0 || idx < 1 || idx > 10000)
                    break;
                while (json_array_size(arr) < (size_t)idx)
                    json_array_append_new(arr, json_null());
                if (!after) {
                    json_array_set_new(arr, (size_t)idx - 1, json_string(req->params[i].value));
                    break;
                }
                json_t *slot = json_array_get(arr, (size_t)idx - 1);
                if (!json_is_object(slot)) {
                    slot = json_object();
                    json_array_set_new(arr, (size_t)idx - 1, slot);
                }
                node = slot;
                tok = after + 1;
                continue;
            }
            json_t *child = json_object_get(node, tok);
            if (!json_is_object(child)) {
                child = json_object();
                json_object_set_new(node, tok, child);
            }
            node = child;
            tok = next;
        }
        lc_free(copy);
    }
    return root;
}

static void s_iso_z(int64_t ms, char out[32])
{
    char t[21];
    lc_time_format_iso(ms, t); /* "2026-11-29T05:31:00Z" */
    snprintf(out, 32, "%.19s.%03dZ", t, (int)(((ms % 1000) + 1000) % 1000));
}

static void s_xml_value(struct lc_buf *b, const json_t *v);

static void s_xml_members(struct lc_buf *b, const json_t *obj)
{
    const char *k;
    json_t *m;
    json_object_foreach((json_t *)obj, k, m)
    {
        if (json_is_null(m))
            continue;
        lc_buf_appendf(b, "<%s>", k);
        s_xml_value(b, m);
        lc_buf_appendf(b, "</%s>", k);
    }
}

static void s_xml_value(struct lc_buf *b, const json_t *v)
{
    char num[64];
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const json_t *ts = json_object_get(v, "$cbor_ts");
        if (ts && json_object_size(v) == 1) {
            char iso[32];
            s_iso_z((int64_t)llround(json_number_value(ts) * 1000.0), iso);
            lc_buf_append_str(b, iso);
        } else {
            s_xml_members(b, v);
        }
        break;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m)
        {
            lc_buf_append_str(b, "<member>");
            s_xml_value(b, m);
            lc_buf_append_str(b, "</member>");
        }
        break;
    }
    case JSON_STRING: lc_api_xml_escape(b, json_string_value(v)); break;
    case JSON_INTEGER: lc_buf_appendf(b, "%lld", (long long)json_integer_value(v)); break;
    case JSON_REAL:
        snprintf(num, sizeof num, "%.17g", json_real_value(v));
        lc_buf_append_str(b, num);
        break;
    case JSON_TRUE: lc_buf_append_str(b, "true"); break;
    case JSON_FALSE: lc_buf_append_str(b, "false"); break;
    case JSON_NULL: break;
    }
}

static int s_query(struct lc_api_call *call, struct lc_error *err)
{
    s_op_fn fn = s_find(call->req->operation);
    json_t *in = s_params_json(call->req), *out = json_object();
    int rc = fn ? fn(call, in, out, err) : LC_EUNSUPPORTED;
    if (!rc)
        s_xml_members(&call->resp->body, out);
    json_decref(in);
    json_decref(out);
    return rc;
}

/* JSON renders timestamps as epoch seconds. */
static json_t *s_plain(const json_t *v)
{
    if (json_is_object(v)) {
        const json_t *ts = json_object_get(v, "$cbor_ts");
        if (ts && json_object_size(v) == 1)
            return json_real(json_number_value(ts));
        json_t *o = json_object();
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)v, k, m)
            json_object_set_new(o, k, s_plain(m));
        return o;
    }
    if (json_is_array(v)) {
        json_t *a = json_array();
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m)
            json_array_append_new(a, s_plain(m));
        return a;
    }
    return json_deep_copy(v);
}

static int s_json(struct lc_api_call *call, struct lc_error *err)
{
    s_op_fn fn = s_find(call->req->operation);
    json_t *out = json_object();
    int rc = fn ? fn(call, call->req->json, out, err) : LC_EUNSUPPORTED;
    if (!rc) {
        json_t *plain = s_plain(out);
        rc = lc_api_reply_json(call->resp, plain);
        json_decref(plain);
    }
    json_decref(out);
    return rc;
}

static int s_cbor(struct lc_api_call *call, struct lc_error *err)
{
    s_op_fn fn = s_find(call->req->operation);
    json_t *in = call->req->body_len ? lc_watch_cbor_decode(call->req->body, call->req->body_len, err) : json_object();
    if (!in)
        return LC_EINVAL;
    if (!json_is_object(in)) {
        json_decref(in);
        return lc_error_set(err, LC_EINVAL, 400, "SerializationException", "The request body must be a CBOR map");
    }
    json_t *out = json_object();
    int rc = fn ? fn(call, in, out, err) : LC_EUNSUPPORTED;
    if (!rc) {
        call->resp->content_type = "application/cbor";
        lc_api_response_header(call->resp, "smithy-protocol", "rpc-v2-cbor");
        rc = lc_watch_cbor_encode(out, &call->resp->body);
    }
    json_decref(in);
    json_decref(out);
    return rc;
}

/* awsQueryCompatible errors (CBOR and JSON): {"__type", "message"} plus x-amzn-query-error, where
 * CloudWatch keeps the Query protocol's names (AccessDenied, not AccessDeniedException), which is the
 * code clients report. */
static int s_render_compatible_error(const struct lc_api_service *svc, const struct lc_api_request *req,
                                     const struct lc_error *e, struct lc_api_response *resp)
{
    const char *code = e->aws_code[0] ? e->aws_code : "InternalFailure";
    bool cbor = svc->protocol == LC_API_REST_JSON;
    char q[160];
    snprintf(q, sizeof q, "%s;%s", !strcmp(code, "AccessDeniedException") ? "AccessDenied" : code,
             resp->status >= 500 ? "Receiver" : "Sender");
    lc_api_response_header(resp, "x-amzn-query-error", q);
    json_t *body = json_pack("{ssss}", "__type", code, "message", e->message);
    lc_buf_reset(&resp->body);
    int rc;
    if (cbor) {
        resp->content_type = "application/cbor";
        lc_api_response_header(resp, "smithy-protocol", "rpc-v2-cbor");
        rc = lc_watch_cbor_encode(body, &resp->body);
    } else {
        resp->content_type = "application/x-amz-json-1.0";
        rc = lc_api_reply_json(resp, body);
    }
    json_decref(body);
    return rc;
}

#define OPS(fn, flags_of)                                                                                       \
    {                                                                                                          \
        {"PutMetricData", fn, flags_of(LC_API_OP_NO_RESULT)},                                                  \
        {"GetMetricStatistics", fn, 0}, {"GetMetricData", fn, 0},          \
        {"ListMetrics", fn, 0}, {"PutMetricAlarm", fn, flags_of(LC_API_OP_NO_RESULT)},       \
        {"DescribeAlarms", fn, 0}, {"DescribeAlarmHistory", fn, 0},                                            \
        {"SetAlarmState", fn, flags_of(LC_API_OP_NO_RESULT)}, {"DeleteAlarms", fn, flags_of(LC_API_OP_NO_RESULT)}, \
    }
#define QUERY_FLAGS(f) (f)
#define NO_FLAGS(f) 0

static const struct lc_api_operation s_query_ops[] = OPS(s_query, QUERY_FLAGS);
static const struct lc_api_operation s_json_ops[] = OPS(s_json, NO_FLAGS);
static const struct lc_api_operation s_cbor_ops[] = OPS(s_cbor, NO_FLAGS);

static const struct lc_api_operation *s_cbor_route(const struct lc_api_service *svc, struct lc_api_request *req)
{
    const char *op = req->path + strlen(CBOR_PATH);
    return lc_api_operation_find(svc, op, strlen(op));
}

static int s_start(struct lc_store *store, struct lc_error *err)
{
    return lc_watch_evaluator_start(store, 0, err);
}

static void s_stop(void)
{
    lc_watch_evaluator_stop();
}

const struct lc_api_service lc_api_svc_monitoring = {
    .name = "monitoring",
    .protocol = LC_API_QUERY,
    .content_type = "text/xml",
    .xml_namespace = "http://monitoring.amazonaws.com/doc/2010-08-01/",
    .ops = s_query_ops,
    .n_ops = sizeof s_query_ops / sizeof s_query_ops[0],
    .start = s_start,
    .stop = s_stop,
};

const struct lc_api_service lc_api_svc_monitoring_json = {
    .name = "monitoring",
    .protocol = LC_API_JSON,
    .target_prefix = TARGET_PREFIX,
    .content_type = "application/x-amz-json-1.0",
    .ops = s_json_ops,
    .n_ops = sizeof s_json_ops / sizeof s_json_ops[0],
    .render_error = s_render_compatible_error,
};

const struct lc_api_service lc_api_svc_monitoring_cbor = {
    .name = "monitoring",
    .protocol = LC_API_REST_JSON,
    .content_type = "application/cbor",
    .path_prefix = CBOR_PATH,
    .ops = s_cbor_ops,
    .n_ops = sizeof s_cbor_ops / sizeof s_cbor_ops[0],
    .route = s_cbor_route,
    .render_error = s_render_compatible_error,
};
