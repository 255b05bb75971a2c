/*
 * trail_record.c: a decision-trail row in CloudTrail's record shape (eventVersion 1.08), plus what
 * CloudTrail does not say and leastcloud does: which policy statement decided.
 */
#include "watch/watch_internal.h"

#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/store_trail.h"
#include "leastcloud/str.h"

static const char *s_or(const char *s, const char *def)
{
    return s && *s ? s : def;
}

static json_t *s_identity(const struct lc_store_trail_event *ev, const char *account)
{
    const char *arn = ev->principal_arn;
    if (!arn || !*arn)
        return json_pack("{ss}", "type", "Unknown");
    json_t *id = json_object();
    const char *type = "IAMUser";
    if (lc_str_ends_with(arn, ":root"))
        type = "Root";
    else if (strstr(arn, ":assumed-role/"))
        type = "AssumedRole";
    json_object_set_new(id, "type", json_string(type));
    json_object_set_new(id, "arn", json_string(arn));
    json_object_set_new(id, "accountId", json_string(account));
    if (ev->key_id && *ev->key_id)
        json_object_set_new(id, "accessKeyId", json_string(ev->key_id));
    if (!strcmp(type, "IAMUser")) {
        const char *slash = strrchr(arn, '/');
        json_object_set_new(id, "userName", json_string(slash ? slash + 1 : arn));
    }
    return id;
}

json_t *lc_watch_trail_record(const struct lc_store_trail_event *ev, const char *account, const char *region)
{
    char when[21];
    lc_time_format_iso(ev->time_ms, when);
    char *source = lc_asprintf("%s.amazonaws.com", s_or(ev->service, "unknown"));
    json_t *resources = json_loads(s_or(ev->resources, "[]"), 0, NULL);
    if (!json_is_array(resources)) {
        json_decref(resources);
        resources = json_array();
    }
    json_t *res_list = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(resources, i, r)
        json_array_append_new(res_list, json_pack("{sO}", "ARN", r));
    json_t *rec = json_object();
    json_object_set_new(rec, "eventVersion", json_string("1.08"));
    json_object_set_new(rec, "userIdentity", s_identity(ev, account));
    json_object_set_new(rec, "eventTime", json_string(when));
    json_object_set_new(rec, "eventSource", json_string(source));
    json_object_set_new(rec, "eventName", json_string(s_or(ev->operation, "")));
    json_object_set_new(rec, "awsRegion", json_string(region));
    json_object_set_new(rec, "sourceIPAddress", json_string(s_or(ev->source_ip, "")));
    json_object_set_new(rec, "requestParameters", json_pack("{so}", "resources", resources));
    json_object_set_new(rec, "resources", res_list);
    if (ev->error_code && *ev->error_code) {
        json_object_set_new(rec, "errorCode", json_string(ev->error_code));
        if (!strcmp(ev->decision, "ImplicitlyDenied") || !strcmp(ev->decision, "ExplicitlyDenied")) {
            /* The denial sentence as AWS words it; the trail keeps what it needs to rebuild it. */
            const char *res = json_string_value(json_array_get(resources, 0));
            char *msg = !strcmp(ev->decision, "ExplicitlyDenied")
                            ? lc_asprintf("User: %s is not authorized to perform: %s on resource: %s with an explicit "
                                          "deny in an identity-based policy",
                                          ev->principal_arn, ev->action, res ? res : "*")
                            : lc_asprintf("User: %s is not authorized to perform: %s on resource: %s because no "
                                          "identity-based policy allows the %s action",
                                          ev->principal_arn, ev->action, res ? res : "*", ev->action);
            json_object_set_new(rec, "errorMessage", json_string(msg));
            lc_free(msg);
        }
    }
    json_object_set_new(rec, "requestID", json_string(s_or(ev->request_id, "")));
    json_object_set_new(rec, "eventID", json_integer(ev->id));
    json_object_set_new(rec, "eventType", json_string("AwsApiCall"));
    json_object_set_new(rec, "recipientAccountId", json_string(account));
    json_t *decision = json_object();
    json_object_set_new(decision, "action", json_string(s_or(ev->action, "")));
    json_object_set_new(decision, "decision", json_string(s_or(ev->decision, "")));
    if (ev->policy && *ev->policy) {
        json_object_set_new(decision, "policy", json_string(ev->policy));
        json_object_set_new(decision, "statement", json_integer(ev->statement));
        if (ev->sid && *ev->sid)
            json_object_set_new(decision, "sid", json_string(ev->sid));
    }
    json_t *checks = ev->checks && *ev->checks ? json_loads(ev->checks, 0, NULL) : NULL;
    if (checks)
        json_object_set_new(decision, "checks", checks);
    json_object_set_new(decision, "httpStatus", json_integer(ev->http_status));
    json_object_set_new(decision, "durationMicros", json_integer(ev->duration_us));
    json_object_set_new(rec, "leastcloud", decision);
    lc_free(source);
    return rec;
}
