/*
 * alarm.c: a metric alarm's definition and its evaluation as CloudWatch does it: the last
 * EvaluationPeriods periods, DatapointsToAlarm of them breaching to alarm, missing periods treated
 * per TreatMissingData, and the state reason in CloudWatch's own words.
 */
#include "watch/watch_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/error.h"
#include "leastcloud/str.h"

const char *lc_watch_state_name(enum lc_watch_state s)
{
    switch (s) {
    case LC_WATCH_OK: return "OK";
    case LC_WATCH_ALARM: return "ALARM";
    case LC_WATCH_INSUFFICIENT_DATA: return "INSUFFICIENT_DATA";
    }
    return "INSUFFICIENT_DATA";
}

int lc_watch_state_parse(const char *name)
{
    if (!name)
        return -1;
    if (!strcmp(name, "OK"))
        return LC_WATCH_OK;
    if (!strcmp(name, "ALARM"))
        return LC_WATCH_ALARM;
    if (!strcmp(name, "INSUFFICIENT_DATA"))
        return LC_WATCH_INSUFFICIENT_DATA;
    return -1;
}

static const char *const s_cmp_names[] = {"GreaterThanOrEqualToThreshold", "GreaterThanThreshold",
                                          "LessThanThreshold", "LessThanOrEqualToThreshold"};
static const char *const s_cmp_phrases[] = {"greater than or equal to", "greater than", "less than",
                                            "less than or equal to"};
static const char *const s_missing_names[] = {"missing", "ignore", "breaching", "notBreaching"};

void lc_watch_alarm_clear(struct lc_watch_alarm *a)
{
    lc_free(a->name);
    lc_free(a->ns);
    lc_free(a->metric);
    lc_free(a->dims_key);
    memset(a, 0, sizeof *a);
}

int lc__watch_json_number(const json_t *v, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return 0;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end = NULL;
        double d = strtod(s, &end);
        if (*s && end && *end == '\0' && isfinite(d)) {
            *out = d;
            return 0;
        }
    }
    return LC_EINVAL;
}

static int s_missing_param(struct lc_error *err, const char *name)
{
    return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                        "1 validation error detected: Value null at '%c%s' failed to satisfy constraint: "
                        "Member must not be null",
                        name[0] + ('a' - 'A'), name + 1);
}

static int s_int_field(const json_t *cfg, const char *name, bool required, int min, int *out, struct lc_error *err)
{
    const json_t *v = json_object_get(cfg, name);
    double d;
    if (!v || json_is_null(v)) {
        if (required)
            return s_missing_param(err, name);
        return 1;
    }
    if (lc__watch_json_number(v, &d) != 0 || d != floor(d) || d < min || d > 1e9)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "1 validation error detected: Value at '%c%s' failed to satisfy constraint: Member "
                            "must have value greater than or equal to %d",
                            name[0] + ('a' - 'A'), name + 1, min);
    *out = (int)d;
    return 0;
}

int lc_watch_alarm_parse(const json_t *cfg, struct lc_watch_alarm *out, struct lc_error *err)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(cfg))
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError", "The alarm definition must be an object.");
    const char *name = lc_json_str(cfg, "AlarmName");
    if (!name || !*name)
        return s_missing_param(err, "AlarmName");
    if (strlen(name) > 255)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "1 validation error detected: Value at 'alarmName' failed to satisfy constraint: "
                            "Member must have length less than or equal to 255");
    if (json_object_get(cfg, "Metrics"))
        return lc_error_set(err, LC_EUNSUPPORTED, 400, "ValidationError",
                            "Metric math alarms (Metrics) are not supported by leastcloud; use MetricName.");
    const char *ns = lc_json_str(cfg, "Namespace");
    const char *metric = lc_json_str(cfg, "MetricName");
    if (!metric)
        return s_missing_param(err, "MetricName");
    if (!ns)
        return s_missing_param(err, "Namespace");
    const char *stat = lc_json_str(cfg, "Statistic");
    if (!stat) {
        if (json_object_get(cfg, "ExtendedStatistic"))
            return lc_error_set(err, LC_EUNSUPPORTED, 400, "ValidationError",
                                "ExtendedStatistic (percentiles) is not supported by leastcloud; use Statistic.");
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "Exactly one of Statistic and ExtendedStatistic must be specified.");
    }
    int s = lc_watch_stat_parse(stat);
    if (s < 0)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'statistic' failed to satisfy constraint: "
                            "Member must satisfy enum value set: [Maximum, SampleCount, Sum, Minimum, Average]",
                            stat);
    int period = 0, evals = 0, m = 0;
    int rc;
    if ((rc = s_int_field(cfg, "Period", true, 10, &period, err)) < 0)
        return rc;
    if (period % 60)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "Period must be 10, 20, 30 or a multiple of 60; leastcloud keeps 1-minute data, so "
                            "use a multiple of 60 (got %d).", period);
    if ((rc = s_int_field(cfg, "EvaluationPeriods", true, 1, &evals, err)) < 0)
        return rc;
    rc = s_int_field(cfg, "DatapointsToAlarm", false, 1, &m, err);
    if (rc < 0)
        return rc;
    if (rc == 1)
        m = evals;
    if (m > evals)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "DatapointsToAlarm must be less than or equal to EvaluationPeriods");
    const json_t *th = json_object_get(cfg, "Threshold");
    double threshold;
    if (!th)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "Threshold is required for an alarm on a single metric.");
    if (lc__watch_json_number(th, &threshold) != 0)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError", "Threshold must be a number.");
    const char *cmp = lc_json_str(cfg, "ComparisonOperator");
    if (!cmp)
        return s_missing_param(err, "ComparisonOperator");
    int c = -1;
    for (int i = 0; i < 4; i++)
        if (!strcmp(cmp, s_cmp_names[i]))
            c = i;
    if (c < 0)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'comparisonOperator' failed to satisfy "
                            "constraint: Member must satisfy enum value set: [GreaterThanOrEqualToThreshold, "
                            "GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold] (anomaly "
                            "detection operators are not supported by leastcloud)",
                            cmp);
    const char *tmd = lc_json_str(cfg, "TreatMissingData");
    int missing = LC_WATCH_MISSING;
    if (tmd) {
        missing = -1;
        for (int i = 0; i < 4; i++)
            if (!strcmp(tmd, s_missing_names[i]))
                missing = i;
        if (missing < 0)
            return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                                "TreatMissingData must be one of: breaching, notBreaching, ignore, missing");
    }
    const json_t *dims = json_object_get(cfg, "Dimensions");
    size_t nd = json_is_array(dims) ? json_array_size(dims) : 0;
    if (nd > 30)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "The collection Dimensions must not have a size greater than 30.");
    struct lc_watch_dim dv[30];
    for (size_t i = 0; i < nd; i++) {
        const json_t *d = json_array_get(dims, i);
        dv[i].name = lc_json_str(d, "Name");
        dv[i].value = lc_json_str(d, "Value");
        if (!dv[i].name || !dv[i].value)
            return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                                "Dimensions.member.%zu must have a Name and a Value.", i + 1);
    }
    const json_t *ae = json_object_get(cfg, "ActionsEnabled");
    out->actions_enabled = !ae || json_is_true(ae) ||
                           (json_is_string(ae) && !strcmp(json_string_value(ae), "true"));
    out->name = lc_strdup(name);
    out->ns = lc_strdup(ns);
    out->metric = lc_strdup(metric);
    out->dims_key = lc_watch_dims_key(dv, nd);
    out->stat = (enum lc_watch_stat)s;
    out->period_s = period;
    out->evaluation_periods = evals;
    out->datapoints_to_alarm = m;
    out->threshold = threshold;
    out->cmp = (enum lc_watch_cmp)c;
    out->missing = (enum lc_watch_missing)missing;
    return 0;
}

/* ---- formatting as CloudWatch prints ---- */

void lc__watch_format_number(double v, char out[64])
{
    v = lc__watch_round(v);
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(out, 64, "%.1f", v);
        return;
    }
    /* The shortest text that reads back as the same double, as Java prints it. */
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, 64, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            break;
    }
    if (!strchr(out, '.') && !strchr(out, 'e')) {
        size_t len = strlen(out);
        if (len + 2 < 64)
            memcpy(out + len, ".0", 3);
    }
}

void lc__watch_format_reason_time(int64_t ms, char out[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    /* CloudWatch's reasons print the year with two digits. */
    snprintf(out, 32, "%02u/%02u/%02u %02u:%02u:%02u", (unsigned)tm.tm_mday % 100u, (unsigned)(tm.tm_mon + 1) % 100u,
             (unsigned)tm.tm_year % 100u, (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
             (unsigned)tm.tm_sec % 100u);
}

void lc__watch_format_iso(int64_t ms, char out[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02u.%03u+0000", (unsigned)(tm.tm_year + 1900) % 10000u,
             (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u,
             (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u, (unsigned)(((ms % 1000) + 1000) % 1000));
}

static bool s_breaches(enum lc_watch_cmp c, double v, double t)
{
    switch (c) {
    case LC_WATCH_GE: return v >= t;
    case LC_WATCH_GT: return v > t;
    case LC_WATCH_LT: return v < t;
    case LC_WATCH_LE: return v <= t;
    }
    return false;
}

struct s_slot {
    int64_t time_ms;
    const struct lc_watch_point *p; /* NULL = missing */
    double value;
    bool breaching;
};

/* "[1234.0 (29/11/26 05:31:00), 900.0 (29/11/26 05:30:00)]" of the slots (newest first) that match. */
static void s_list(struct lc_buf *b, const struct s_slot *slots, int n, bool breaching)
{
    lc_buf_append_byte(b, '[');
    bool first = true;
    for (int i = 0; i < n; i++) {
        if (!slots[i].p || slots[i].breaching != breaching)
            continue;
        char num[64], when[32];
        lc__watch_format_number(slots[i].value, num);
        lc__watch_format_reason_time(slots[i].time_ms, when);
        lc_buf_appendf(b, "%s%s (%s)", first ? "" : ", ", num, when);
        first = false;
    }
    lc_buf_append_byte(b, ']');
}

void lc_watch_alarm_evaluate(const struct lc_watch_alarm *a, enum lc_watch_state current,
                             const struct lc_watch_point *pts, size_t n, int64_t now_ms,
                             struct lc_watch_eval *out)
{
    memset(out, 0, sizeof *out);
    int64_t period_ms = (int64_t)a->period_s * 1000;
    int64_t newest = now_ms - (((now_ms % period_ms) + period_ms) % period_ms);
    /* The period that holds now is still filling: while it has no datapoint, the range ends with the
     * previous one (CloudWatch evaluates a period once its data has arrived), so that a burst at the
     * end of a minute is judged on that minute rather than on the empty one that just began. */
    bool current_has_data = false;
    for (size_t k = 0; k < n && !current_has_data; k++)
        current_has_data = pts[k].time_ms == newest;
    if (!current_has_data)
        newest -= period_ms;
    int N = a->evaluation_periods, M = a->datapoints_to_alarm;
    enum lc_watch_missing missing = a->missing;
    /* CloudWatch: alarms on AWS/DynamoDB metrics always ignore missing data (their metrics only
     * exist while the table is used). */
    if (!strcmp(a->ns, LC_WATCH_NS_DYNAMODB))
        missing = LC_WATCH_IGNORE;

    struct s_slot *slots = lc_calloc((size_t)N, sizeof *slots);
    int present = 0, breach_real = 0, breach_subst = 0, n_missing = 0;
    for (int i = 0; i < N; i++) {
        slots[i].time_ms = newest - (int64_t)i * period_ms;
        for (size_t k = 0; k < n; k++)
            if (pts[k].time_ms == slots[i].time_ms) {
                slots[i].p = &pts[k];
                break;
            }
        if (slots[i].p) {
            present++;
            slots[i].value = lc_watch_point_value(slots[i].p, a->stat);
            slots[i].breaching = s_breaches(a->cmp, slots[i].value, a->threshold);
            breach_real += slots[i].breaching;
        } else {
            n_missing++;
            if (missing == LC_WATCH_BREACHING)
                breach_subst++;
        }
    }
    int breaching = breach_real + breach_subst;
    const char *cmp = s_cmp_phrases[a->cmp];
    char th[64];
    lc__watch_format_number(a->threshold, th);
    struct lc_buf r;
    lc_buf_init(&r, sizeof out->reason - 1);
    enum lc_watch_state next = current;
    bool decided = true;

    if (breaching >= M) {
        next = LC_WATCH_ALARM;
        if (breach_real == 0) {
            lc_buf_appendf(&r, "Threshold Crossed: no datapoints were received for %d period%s and %d missing "
                               "datapoint%s %s treated as [Breaching].",
                           n_missing, n_missing == 1 ? "" : "s", breach_subst, breach_subst == 1 ? "" : "s",
                           breach_subst == 1 ? "was" : "were");
        } else if (M == N && breach_subst == 0) {
            lc_buf_appendf(&r, "Threshold Crossed: %d datapoint%s ", breach_real, breach_real == 1 ? "" : "s");
            s_list(&r, slots, N, true);
            lc_buf_appendf(&r, " %s %s the threshold (%s).", breach_real == 1 ? "was" : "were", cmp, th);
        } else {
            lc_buf_appendf(&r, "Threshold Crossed: %d out of the last %d datapoints ", breaching, N);
            s_list(&r, slots, N, true);
            lc_buf_appendf(&r, " %s %s the threshold (%s)", breaching == 1 ? "was" : "were", cmp, th);
            if (breach_subst)
                lc_buf_appendf(&r, " (%d missing datapoint%s treated as [Breaching])", breach_subst,
                               breach_subst == 1 ? "" : "s");
            lc_buf_appendf(&r, " (minimum %d datapoint%s for OK -> ALARM transition).", M, M == 1 ? "" : "s");
        }
    } else if (present == 0 && missing == LC_WATCH_MISSING) {
        next = LC_WATCH_INSUFFICIENT_DATA;
        lc_buf_appendf(&r, "Insufficient Data: %d datapoint%s %s unknown.", N, N == 1 ? "" : "s",
                       N == 1 ? "was" : "were");
    } else if (missing == LC_WATCH_NOT_BREACHING || missing == LC_WATCH_BREACHING ||
               (present > 0 && breaching + n_missing < M)) {
        /* Even if every missing period had breached, the alarm could not fire: it is OK. */
        next = LC_WATCH_OK;
        int ok = present - breach_real;
        if (ok == 0) {
            lc_buf_appendf(&r, "Threshold Crossed: no datapoints were received for %d period%s and %d missing "
                               "datapoint%s %s treated as [NonBreaching].",
                           n_missing, n_missing == 1 ? "" : "s", n_missing, n_missing == 1 ? "" : "s",
                           n_missing == 1 ? "was" : "were");
        } else if (M == N && n_missing == 0) {
            lc_buf_appendf(&r, "Threshold Crossed: %d datapoint%s ", ok, ok == 1 ? "" : "s");
            s_list(&r, slots, N, false);
            lc_buf_appendf(&r, " %s not %s the threshold (%s).", ok == 1 ? "was" : "were", cmp, th);
        } else {
            lc_buf_appendf(&r, "Threshold Crossed: %d out of the last %d datapoints ", ok, N);
            s_list(&r, slots, N, false);
            lc_buf_appendf(&r, " %s not %s the threshold (%s) (minimum %d datapoint%s for ALARM -> OK "
                               "transition).",
                           ok == 1 ? "was" : "were", cmp, th, N - M + 1, N - M + 1 == 1 ? "" : "s");
        }
    } else {
        decided = false; /* ignore / not enough data either way: the state stays */
    }
    if (r.data)
        lc_strlcpy(out->reason, r.data, sizeof out->reason);
    lc_buf_free(&r);
    out->state = decided ? next : current;
    out->changed = out->state != current;

    char iso[32];
    json_t *data = json_object();
    json_object_set_new(data, "version", json_string("1.0"));
    lc__watch_format_iso(now_ms, iso);
    json_object_set_new(data, "queryDate", json_string(iso));
    lc__watch_format_iso(newest - (int64_t)(N - 1) * period_ms, iso);
    json_object_set_new(data, "startDate", json_string(iso));
    json_object_set_new(data, "statistic", json_string(lc_watch_stat_name(a->stat)));
    json_object_set_new(data, "period", json_integer(a->period_s));
    json_t *recent = json_array(), *evaluated = json_array();
    for (int i = N - 1; i >= 0; i--)
        if (slots[i].p)
            json_array_append_new(recent, json_real(slots[i].value));
    for (int i = 0; i < N; i++) {
        lc__watch_format_iso(slots[i].time_ms, iso);
        json_t *e = json_pack("{ss}", "timestamp", iso);
        if (slots[i].p) {
            json_object_set_new(e, "sampleCount", json_real(slots[i].p->count));
            json_object_set_new(e, "value", json_real(slots[i].value));
        }
        json_array_append_new(evaluated, e);
    }
    json_object_set_new(data, "recentDatapoints", recent);
    json_object_set_new(data, "threshold", json_real(a->threshold));
    json_object_set_new(data, "evaluatedDatapoints", evaluated);
    out->reason_data = data;
    lc_free(slots);
}
