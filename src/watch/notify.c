/*
 * notify.c: SNS topics and subscriptions (from the SNS API, or deployed AWS::SNS::Topic /
 * AWS::SNS::Subscription resources), publishing to them, and alarm actions. Every delivery is a row
 * in watch_notification; http endpoints on the loopback address are also POSTed, after the
 * transaction that recorded them commits (never while holding the write lock).
 */
#include "watch/watch_internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/error.h"
#include "leastcloud/hash.h"
#include "leastcloud/log.h"
#include "leastcloud/store_stacks.h"
#include "leastcloud/str.h"

static void s_uuid(char out[37])
{
    uint8_t b[16];
    char hex[33];
    if (lc_random_bytes(b, sizeof b) != 0)
        memset(b, 0x5a, sizeof b);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    lc_hex_encode(b, sizeof b, hex);
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

int lc_watch_topic_create(struct lc_store *store, const char *name, char *out_arn, struct lc_error *err)
{
    int rc = lc_watch_migrate(store, err);
    if (rc)
        return rc;
    size_t len = name ? strlen(name) : 0;
    bool valid = len > 0 && len <= 256;
    for (size_t i = 0; valid && i < len; i++) {
        char c = name[i];
        valid = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                (c == '.' && lc_str_ends_with(name, ".fifo") && i == len - 5);
    }
    if (!valid)
        return lc_error_set(err, LC_EINVAL, 400, "InvalidParameter",
                            "Invalid parameter: Topic Name");
    char *arn = lc_asprintf("arn:aws:sns:%s:%s:%s", lc_store_region(store), lc_store_account(store), name);
    static const char sql[] = "INSERT OR IGNORE INTO watch_topic (arn, name, created_ms) VALUES (?, ?, ?)";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st) {
        lc_free(arn);
        return LC_EINTERNAL;
    }
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, lc_clock_now_ms());
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(store, "creating a topic", err);
    lc_store_stmt_done(st);
    if (!rc && out_arn)
        lc_strlcpy(out_arn, arn, 1024);
    lc_free(arn);
    return rc;
}

/* ---- topics and subscriptions: the API's and the deployed stacks' ---- */

struct s_list {
    char **a, **b, **c, **d;
    size_t n;
};

static void s_list_add(struct s_list *l, const char *a, const char *b, const char *c, const char *d)
{
    l->a = lc_realloc(l->a, (l->n + 1) * sizeof *l->a);
    l->b = lc_realloc(l->b, (l->n + 1) * sizeof *l->b);
    l->c = lc_realloc(l->c, (l->n + 1) * sizeof *l->c);
    l->d = lc_realloc(l->d, (l->n + 1) * sizeof *l->d);
    l->a[l->n] = lc_strdup(a ? a : "");
    l->b[l->n] = lc_strdup(b ? b : "");
    l->c[l->n] = lc_strdup(c ? c : "");
    l->d[l->n] = lc_strdup(d ? d : "");
    l->n++;
}

static void s_list_free(struct s_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        lc_free(l->a[i]);
        lc_free(l->b[i]);
        lc_free(l->c[i]);
        lc_free(l->d[i]);
    }
    lc_free(l->a);
    lc_free(l->b);
    lc_free(l->c);
    lc_free(l->d);
    memset(l, 0, sizeof *l);
}

static int s_stack_topic(const char *stack_id, const struct lc_stack_resource *r, void *ud)
{
    s_list_add(ud, r->physical_id, NULL, NULL, NULL);
    return 0;
}

static int s_stack_sub(const char *stack_id, const struct lc_stack_resource *r, void *ud)
{
    json_t *p = r->properties ? json_loads(r->properties, 0, NULL) : NULL;
    s_list_add(ud, r->physical_id, lc_json_str(p, "TopicArn"), lc_json_str(p, "Protocol"), lc_json_str(p, "Endpoint"));
    json_decref(p);
    return 0;
}

static int s_topics(struct lc_store *store, struct s_list *l, struct lc_error *err)
{
    static const char sql[] = "SELECT arn FROM watch_topic ORDER BY arn";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    while (sqlite3_step(st) == SQLITE_ROW)
        s_list_add(l, (const char *)sqlite3_column_text(st, 0), NULL, NULL, NULL);
    lc_store_stmt_done(st);
    /* lc_watch_migrate migrated the stacks' domain too, so this also works inside a transaction. */
    return lc_store_stack_resources_of_type(store, "AWS::SNS::Topic", s_stack_topic, l, err);
}

static int s_subs(struct lc_store *store, const char *topic, struct s_list *l, struct lc_error *err)
{
    static const char sql[] =
        "SELECT arn, topic_arn, protocol, endpoint FROM watch_subscription WHERE ?1 IS NULL OR topic_arn = ?1"
        " ORDER BY created_ms, arn";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    if (topic)
        sqlite3_bind_text(st, 1, topic, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW)
        s_list_add(l, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
                   (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3));
    lc_store_stmt_done(st);
    struct s_list dep = {0};
    int rc = lc_store_stack_resources_of_type(store, "AWS::SNS::Subscription", s_stack_sub, &dep, err);
    for (size_t i = 0; i < dep.n; i++)
        if (!topic || !strcmp(dep.b[i], topic))
            s_list_add(l, dep.a[i], dep.b[i], dep.c[i], dep.d[i]);
    s_list_free(&dep);
    return rc;
}

int lc_watch_topic_list(struct lc_store *store, int (*fn)(const char *arn, void *ud), void *ud,
                        struct lc_error *err)
{
    int rc = lc_watch_migrate(store, err);
    struct s_list l = {0};
    if (!rc)
        rc = s_topics(store, &l, err);
    for (size_t i = 0; !rc && i < l.n; i++)
        if (fn(l.a[i], ud))
            break;
    s_list_free(&l);
    return rc;
}

int lc_watch_subscription_list(struct lc_store *store, const char *topic_arn,
                               int (*fn)(const char *arn, const char *topic_arn, const char *protocol,
                                         const char *endpoint, void *ud),
                               void *ud, struct lc_error *err)
{
    int rc = lc_watch_migrate(store, err);
    struct s_list l = {0};
    if (!rc)
        rc = s_subs(store, topic_arn, &l, err);
    for (size_t i = 0; !rc && i < l.n; i++)
        if (fn(l.a[i], l.b[i], l.c[i], l.d[i], ud))
            break;
    s_list_free(&l);
    return rc;
}

static bool s_topic_exists(struct lc_store *store, const char *topic, struct lc_error *err)
{
    struct s_list l = {0};
    bool found = false;
    if (s_topics(store, &l, err) == 0)
        for (size_t i = 0; i < l.n && !found; i++)
            found = !strcmp(l.a[i], topic);
    s_list_free(&l);
    return found;
}

int lc_watch_subscribe(struct lc_store *store, const char *topic_arn, const char *protocol, const char *endpoint,
                       char *out_arn, struct lc_error *err)
{
    int rc = lc_watch_migrate(store, err);
    if (rc)
        return rc;
    static const char *const protocols[] = {"http", "https", "email", "email-json", "sqs", "lambda",
                                            "sms", "application", "firehose"};
    bool known = false;
    for (size_t i = 0; protocol && i < sizeof protocols / sizeof protocols[0]; i++)
        known = known || !strcmp(protocol, protocols[i]);
    if (!known)
        return lc_error_set(err, LC_EINVAL, 400, "InvalidParameter", "Invalid parameter: Amazon SNS does not "
                                                                      "support this protocol string: %s",
                            protocol ? protocol : "");
    if (!endpoint || !*endpoint)
        return lc_error_set(err, LC_EINVAL, 400, "InvalidParameter", "Invalid parameter: Endpoint");
    if (!topic_arn || !s_topic_exists(store, topic_arn, err))
        return lc_error_set(err, LC_ENOTFOUND, 404, "NotFound", "Topic does not exist");
    char id[37];
    s_uuid(id);
    char *arn = lc_asprintf("%s:%s", topic_arn, id);
    static const char sql[] =
        "INSERT INTO watch_subscription (arn, topic_arn, protocol, endpoint, created_ms) VALUES (?, ?, ?, ?, ?)";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st) {
        lc_free(arn);
        return LC_EINTERNAL;
    }
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, topic_arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, protocol, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, endpoint, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, lc_clock_now_ms());
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(store, "subscribing", err);
    lc_store_stmt_done(st);
    if (!rc && out_arn)
        lc_strlcpy(out_arn, arn, 1024);
    lc_free(arn);
    return rc;
}

/* ---- delivery ---- */

/* Only http://127.0.0.1[:port]/path (or localhost): the local cloud sends nothing off the machine. */
static int s_parse_local_url(const char *url, int *port, const char **path)
{
    const char *p;
    if (lc_str_starts_with(url, "http://127.0.0.1"))
        p = url + 16;
    else if (lc_str_starts_with(url, "http://localhost"))
        p = url + 16;
    else
        return -1;
    *port = 80;
    if (*p == ':') {
        char *end;
        long v = strtol(p + 1, &end, 10);
        if (v <= 0 || v > 65535)
            return -1;
        *port = (int)v;
        p = end;
    }
    if (*p != '/' && *p != '\0')
        return -1;
    *path = *p ? p : "/";
    return 0;
}

static bool s_write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* POSTs body; returns the HTTP status or -1. Bounded by a 3 s timeout. */
static int s_http_post(const char *url, const char *topic, const char *message_id, const char *body)
{
    int port;
    const char *path;
    if (s_parse_local_url(url, &port, &path) != 0)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {3, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int status = -1;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
        struct lc_buf req;
        lc_buf_init(&req, LC_BUF_UNLIMITED);
        lc_buf_appendf(&req,
                       "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                       "x-amz-sns-message-type: Notification\r\nx-amz-sns-message-id: %s\r\n"
                       "x-amz-sns-topic-arn: %s\r\nUser-Agent: Amazon Simple Notification Service Agent\r\n"
                       "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                       path, port, message_id, topic, strlen(body));
        lc_buf_append_str(&req, body);
        if (s_write_all(fd, req.data, req.len)) {
            char line[64] = {0};
            ssize_t r = recv(fd, line, sizeof line - 1, 0);
            int code;
            if (r > 12 && sscanf(line, "HTTP/1.%*d %d", &code) == 1)
                status = code;
        }
        lc_buf_free(&req);
    }
    close(fd);
    return status;
}

/* The SNS Notification document an http(s) endpoint receives. */
static char *s_envelope(const char *topic, const char *message_id, const char *subject, const char *message,
                        int64_t now_ms)
{
    char iso[32];
    lc__watch_format_iso(now_ms, iso);
    /* SNS uses "2026-11-29T05:31:00.000Z". */
    iso[23] = 'Z';
    iso[24] = '\0';
    json_t *j = json_pack("{ss ss ss ss ss ss ss}", "Type", "Notification", "MessageId", message_id, "TopicArn", topic,
                          "Subject", subject ? subject : "", "Message", message, "Timestamp", iso,
                          "SignatureVersion", "1");
    if (!subject)
        json_object_del(j, "Subject");
    char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    char *out = lc_strdup(text);
    free(text);
    return out;
}

/* Sends the pending http deliveries; called outside of transactions. */
static void s_deliver_pending(struct lc_store *store)
{
    struct lc_error err = {0};
    static const char sel[] =
        "SELECT id, topic_arn, endpoint, subject, message, time_ms FROM watch_notification"
        " WHERE status = 'pending' ORDER BY id LIMIT 100";
    struct s_list l = {0};
    int64_t ids[100], times[100];
    sqlite3_stmt *st = lc_store_stmt(store, sel, &err);
    if (!st)
        return;
    while (sqlite3_step(st) == SQLITE_ROW && l.n < 100) {
        ids[l.n] = sqlite3_column_int64(st, 0);
        times[l.n] = sqlite3_column_int64(st, 5);
        s_list_add(&l, (const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2),
                   (const char *)sqlite3_column_text(st, 3), (const char *)sqlite3_column_text(st, 4));
    }
    lc_store_stmt_done(st);
    for (size_t i = 0; i < l.n; i++) {
        char mid[37];
        s_uuid(mid);
        char *body = s_envelope(l.a[i], mid, *l.c[i] ? l.c[i] : NULL, l.d[i], times[i]);
        int code = s_http_post(l.b[i], l.a[i], mid, body);
        lc_free(body);
        char status[64];
        if (code >= 200 && code < 300)
            snprintf(status, sizeof status, "delivered");
        else if (code > 0)
            snprintf(status, sizeof status, "failed: HTTP %d", code);
        else
            snprintf(status, sizeof status, "failed: no answer");
        static const char upd[] = "UPDATE watch_notification SET status = ? WHERE id = ?";
        st = lc_store_stmt(store, upd, &err);
        if (!st)
            break;
        sqlite3_bind_text(st, 1, status, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, ids[i]);
        sqlite3_step(st);
        lc_store_stmt_done(st);
    }
    s_list_free(&l);
}

static int s_record(struct lc_store *store, const char *topic, const char *sub, const char *protocol,
                    const char *endpoint, const char *subject, const char *message, int64_t now_ms,
                    struct lc_error *err)
{
    int port;
    const char *path;
    bool post = !strcmp(protocol, "http") && s_parse_local_url(endpoint, &port, &path) == 0;
    static const char sql[] =
        "INSERT INTO watch_notification (time_ms, topic_arn, subscription_arn, protocol, endpoint, subject,"
        " message, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    sqlite3_bind_int64(st, 1, now_ms);
    sqlite3_bind_text(st, 2, topic, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, sub, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, protocol, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, endpoint, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, subject ? subject : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, message, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, post ? "pending" : "recorded", -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(store, "recording a notification", err);
    lc_store_stmt_done(st);
    return rc;
}

static int s_publish(struct lc_store *store, const char *topic, const char *subject, const char *message,
                     int64_t now_ms, struct lc_error *err)
{
    struct s_list subs = {0};
    int rc = s_subs(store, topic, &subs, err);
    for (size_t i = 0; !rc && i < subs.n; i++)
        rc = s_record(store, topic, subs.a[i], subs.c[i], subs.d[i], subject, message, now_ms, err);
    if (!rc && subs.n == 0)
        rc = s_record(store, topic, "", "none", "", subject, message, now_ms, err);
    s_list_free(&subs);
    return rc;
}

int lc_watch_publish(struct lc_store *store, const char *topic_arn, const char *subject, const char *message,
                     char *message_id, struct lc_error *err)
{
    int rc = lc_watch_migrate(store, err);
    if (rc)
        return rc;
    if (!message || !*message)
        return lc_error_set(err, LC_EINVAL, 400, "InvalidParameter", "Invalid parameter: Empty message");
    if (!topic_arn || !s_topic_exists(store, topic_arn, err))
        return lc_error_set(err, LC_ENOTFOUND, 404, "NotFound", "Topic does not exist");
    rc = s_publish(store, topic_arn, subject, message, lc_clock_now_ms(), err);
    if (message_id)
        s_uuid(message_id);
    if (!rc && sqlite3_get_autocommit(lc_store_db(store)))
        s_deliver_pending(store);
    return rc;
}

void lc__watch_deliver(struct lc_store *store)
{
    s_deliver_pending(store);
}

int lc_watch_notification_list(struct lc_store *store,
                               int (*fn)(const struct lc_watch_notification *n, void *ud), void *ud,
                               struct lc_error *err)
{
    int rc = lc_watch_migrate(store, err);
    if (rc)
        return rc;
    static const char sql[] =
        "SELECT id, time_ms, topic_arn, subscription_arn, protocol, endpoint, subject, message, status"
        " FROM watch_notification ORDER BY id";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct lc_watch_notification n = {
            sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
            (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
            (const char *)sqlite3_column_text(st, 4), (const char *)sqlite3_column_text(st, 5),
            (const char *)sqlite3_column_text(st, 6), (const char *)sqlite3_column_text(st, 7),
            (const char *)sqlite3_column_text(st, 8)};
        if (fn(&n, ud))
            break;
    }
    lc_store_stmt_done(st);
    return 0;
}

/* ---- alarm actions ---- */

static const char *s_region_name(const char *region)
{
    static const struct {
        const char *code, *name;
    } names[] = {{"us-east-1", "US East (N. Virginia)"}, {"us-east-2", "US East (Ohio)"},
                 {"us-west-1", "US West (N. California)"}, {"us-west-2", "US West (Oregon)"},
                 {"eu-west-1", "EU (Ireland)"}, {"eu-central-1", "EU (Frankfurt)"},
                 {"ap-southeast-2", "Asia Pacific (Sydney)"}, {"ap-northeast-1", "Asia Pacific (Tokyo)"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(names[i].code, region))
            return names[i].name;
    return region;
}

static json_t *s_array_or_empty(const json_t *v)
{
    return json_is_array(v) ? json_deep_copy(v) : json_array();
}

int lc__watch_alarm_actions(struct lc_store *store, const char *alarm_name, const json_t *config,
                            const char *old_state, const char *new_state, const char *reason, int64_t now_ms,
                            struct lc_error *err)
{
    const json_t *ae = json_object_get(config, "ActionsEnabled");
    if (ae && (json_is_false(ae) || (json_is_string(ae) && !strcmp(json_string_value(ae), "false"))))
        return 0;
    const char *key = !strcmp(new_state, "ALARM") ? "AlarmActions" : !strcmp(new_state, "OK") ? "OKActions"
                                                                                            : "InsufficientDataActions";
    const json_t *actions = json_object_get(config, key);
    if (!json_is_array(actions) || json_array_size(actions) == 0)
        return 0;
    const char *region = lc_store_region(store);
    char when[32];
    lc__watch_format_iso(now_ms, when);
    char *arn = lc__watch_alarm_arn(store, alarm_name);
    json_t *dims = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(config, "Dimensions"), i, d)
        json_array_append_new(dims, json_pack("{ssss}", "value", lc_json_str(d, "Value") ? lc_json_str(d, "Value") : "",
                                              "name", lc_json_str(d, "Name") ? lc_json_str(d, "Name") : ""));
    double num = 0;
    json_t *trigger = json_pack("{ss ss ss ss}", "MetricName", lc_json_str(config, "MetricName") ? lc_json_str(config, "MetricName") : "",
                                "Namespace", lc_json_str(config, "Namespace") ? lc_json_str(config, "Namespace") : "",
                                "StatisticType", "Statistic", "ComparisonOperator",
                                lc_json_str(config, "ComparisonOperator") ? lc_json_str(config, "ComparisonOperator") : "");
    const char *stat = lc_json_str(config, "Statistic");
    char upper[32] = "";
    for (size_t k = 0; stat && stat[k] && k < sizeof upper - 1; k++)
        upper[k] = (char)((stat[k] >= 'a' && stat[k] <= 'z') ? stat[k] - 32 : stat[k]);
    if (!strcmp(upper, "SAMPLECOUNT"))
        lc_strlcpy(upper, "SAMPLE_COUNT", sizeof upper);
    json_object_set_new(trigger, "Statistic", json_string(upper));
    json_object_set_new(trigger, "Unit", lc_json_str(config, "Unit") ? json_string(lc_json_str(config, "Unit")) : json_null());
    json_object_set_new(trigger, "Dimensions", dims);
    if (lc__watch_json_number(json_object_get(config, "Period"), &num) == 0)
        json_object_set_new(trigger, "Period", json_integer((json_int_t)num));
    if (lc__watch_json_number(json_object_get(config, "EvaluationPeriods"), &num) == 0)
        json_object_set_new(trigger, "EvaluationPeriods", json_integer((json_int_t)num));
    if (lc__watch_json_number(json_object_get(config, "DatapointsToAlarm"), &num) == 0)
        json_object_set_new(trigger, "DatapointsToAlarm", json_integer((json_int_t)num));
    if (lc__watch_json_number(json_object_get(config, "Threshold"), &num) == 0)
        json_object_set_new(trigger, "Threshold", json_real(num));
    const char *tmd = lc_json_str(config, "TreatMissingData");
    json_object_set_new(trigger, "TreatMissingData", json_string(tmd ? tmd : "missing"));
    json_object_set_new(trigger, "EvaluateLowSampleCountPercentile", json_string(""));
    const char *desc = lc_json_str(config, "AlarmDescription");
    json_t *msg = json_pack("{ss so ss ss ss ss ss ss ss ss}", "AlarmName", alarm_name, "AlarmDescription",
                            desc ? json_string(desc) : json_null(), "AWSAccountId", lc_store_account(store),
                            "AlarmConfigurationUpdatedTimestamp", when, "NewStateValue", new_state, "NewStateReason",
                            reason, "StateChangeTime", when, "Region", s_region_name(region), "AlarmArn", arn,
                            "OldStateValue", old_state);
    json_object_set_new(msg, "OKActions", s_array_or_empty(json_object_get(config, "OKActions")));
    json_object_set_new(msg, "AlarmActions", s_array_or_empty(json_object_get(config, "AlarmActions")));
    json_object_set_new(msg, "InsufficientDataActions",
                        s_array_or_empty(json_object_get(config, "InsufficientDataActions")));
    json_object_set_new(msg, "Trigger", trigger);
    char *text = json_dumps(msg, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *subject = lc_asprintf("%s: \"%.*s\" in %s", new_state, 60, alarm_name, s_region_name(region));
    int rc = 0;
    json_t *a;
    json_array_foreach(actions, i, a)
    {
        const char *target = json_string_value(a);
        if (!target || rc)
            continue;
        char *summary;
        if (lc_str_starts_with(target, "arn:aws:sns:")) {
            rc = s_publish(store, target, subject, text, now_ms, err);
            summary = lc_asprintf("Successfully executed action %s", target);
        } else {
            summary = lc_asprintf("Failed to execute action %s: leastcloud runs only SNS actions", target);
        }
        if (!rc) {
            static const char sql[] =
                "INSERT INTO watch_alarm_history (alarm_name, time_ms, type, summary, data) VALUES (?, ?, 'Action', ?, ?)";
            sqlite3_stmt *st = lc_store_stmt(store, sql, err);
            if (st) {
                char *data = lc_asprintf("{\"actionState\":\"%s\",\"stateUpdateTimestamp\":%lld,\"notificationResource\":\"%s\"}",
                                         lc_str_starts_with(target, "arn:aws:sns:") ? "Succeeded" : "Failed",
                                         (long long)now_ms, target);
                sqlite3_bind_text(st, 1, alarm_name, -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 2, now_ms);
                sqlite3_bind_text(st, 3, summary, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 4, data, -1, SQLITE_STATIC);
                if (sqlite3_step(st) != SQLITE_DONE)
                    rc = lc_store_sql_error(store, "recording an alarm action", err);
                lc_store_stmt_done(st);
                lc_free(data);
            } else {
                rc = LC_EINTERNAL;
            }
        }
        lc_free(summary);
    }
    lc_free(subject);
    free(text);
    json_decref(msg);
    lc_free(arn);
    return rc;
}
