/*
 * provider_misc.c: resources whose whole state is their stored properties until a service engine
 * uses them: AWS::KMS::Key, AWS::SNS::Topic, AWS::SNS::Subscription, AWS::CloudWatch::Alarm (the
 * watch module evaluates alarms from lc_store_stack_resources_of_type) and AWS::CDK::Metadata.
 * Each gets the identifiers and attributes AWS would give it.
 */
#include <stdio.h>
#include <string.h>

#include "deploy/internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/error.h"
#include "leastcloud/hash.h"
#include "leastcloud/store_stacks.h"
#include "leastcloud/str.h"

static char *s_uuid(void)
{
    uint8_t b[16];
    char hex[33];
    if (lc_random_bytes(b, sizeof b) != 0)
        memset(b, 0x3c, sizeof b);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    lc_hex_encode(b, sizeof b, hex);
    return lc_asprintf("%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static int s_keep(const struct lc_provider_call *c, const char *id, const json_t *props, const json_t *attrs,
                  struct lc_error *err)
{
    return 0; /* the stored row is the resource: removing the row removes it */
}

/* ---- AWS::KMS::Key ---- */

static json_t *s_kms_attrs(const struct lc_provider_call *c, const char *id)
{
    char *arn = lc_asprintf("arn:%s:kms:%s:%s:key/%s", c->partition, c->region, c->account, id);
    json_t *a = json_pack("{ssss}", "Arn", arn, "KeyId", id);
    lc_free(arn);
    return a;
}

static int s_kms_create(const struct lc_provider_call *c, const json_t *props, char **id, json_t **attrs,
                        struct lc_error *err)
{
    *id = s_uuid();
    *attrs = s_kms_attrs(c, *id);
    return 0;
}

static int s_kms_update(const struct lc_provider_call *c, const char *id, const json_t *o, const json_t *n,
                        json_t **attrs, struct lc_error *err)
{
    *attrs = s_kms_attrs(c, id);
    return 0;
}

const struct lc_provider lc_provider_kms_key = {"AWS::KMS::Key", NULL, 0, s_kms_create, s_kms_update, s_keep};

/* ---- AWS::SNS::Topic (Ref is the topic ARN) ---- */

static int s_topic_create(const struct lc_provider_call *c, const json_t *props, char **id, json_t **attrs,
                          struct lc_error *err)
{
    char *name = lc_prov_name(c, props, "TopicName", 256);
    const json_t *fifo = json_object_get(props, "FifoTopic");
    bool is_fifo = json_is_true(fifo) || (json_is_string(fifo) && !strcmp(json_string_value(fifo), "true"));
    if (is_fifo && !lc_str_ends_with(name, ".fifo")) {
        if (lc_prov_str(props, "TopicName")) {
            lc_free(name);
            return lc_error_set(err, LC_EINVAL, 400, "InvalidParameter",
                                "Invalid parameter: Fifo Topic names must end with .fifo and must be made up of "
                                "only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, "
                                "and must be between 1 and 256 characters long.");
        }
        char *n = lc_asprintf("%.*s.fifo", 251, name);
        lc_free(name);
        name = n;
    }
    *id = lc_asprintf("arn:%s:sns:%s:%s:%s", c->partition, c->region, c->account, name);
    *attrs = json_pack("{ssss}", "TopicArn", *id, "TopicName", name);
    lc_free(name);
    return 0;
}

static int s_topic_update(const struct lc_provider_call *c, const char *id, const json_t *o, const json_t *n,
                          json_t **attrs, struct lc_error *err)
{
    const char *name = strrchr(id, ':');
    *attrs = json_pack("{ssss}", "TopicArn", id, "TopicName", name ? name + 1 : id);
    return 0;
}

const struct lc_provider lc_provider_sns_topic = {"AWS::SNS::Topic", "TopicName", 256, s_topic_create,
                                                  s_topic_update, s_keep};

/* ---- AWS::SNS::Subscription (Ref is the subscription ARN) ---- */

static int s_sub_create(const struct lc_provider_call *c, const json_t *props, char **id, json_t **attrs,
                        struct lc_error *err)
{
    const char *topic = lc_prov_str(props, "TopicArn");
    if (!topic || !lc_str_starts_with(topic, "arn:"))
        return lc_error_set(err, LC_EINVAL, 400, "InvalidParameter", "Invalid parameter: TopicArn");
    char *u = s_uuid();
    *id = lc_asprintf("%s:%s", topic, u);
    lc_free(u);
    *attrs = json_pack("{ss}", "Arn", *id);
    return 0;
}

static int s_sub_update(const struct lc_provider_call *c, const char *id, const json_t *o, const json_t *n,
                        json_t **attrs, struct lc_error *err)
{
    *attrs = json_pack("{ss}", "Arn", id);
    return 0;
}

const struct lc_provider lc_provider_sns_subscription = {"AWS::SNS::Subscription", NULL, 0, s_sub_create,
                                                         s_sub_update, s_keep};

/* ---- AWS::CloudWatch::Alarm (Ref is the alarm name) ---- */

struct s_alarm_seek {
    const char *name;
    bool found;
};

static int s_alarm_seek(const char *stack_id, const struct lc_stack_resource *r, void *ud)
{
    struct s_alarm_seek *s = ud;
    if (r->physical_id && !strcmp(r->physical_id, s->name))
        s->found = true;
    return s->found;
}

static int s_alarm_create(const struct lc_provider_call *c, const json_t *props, char **id, json_t **attrs,
                          struct lc_error *err)
{
    char *name = lc_prov_name(c, props, "AlarmName", 255);
    struct s_alarm_seek seek = {name, false};
    lc_store_stack_resources_of_type(c->store, "AWS::CloudWatch::Alarm", s_alarm_seek, &seek, NULL);
    if (seek.found) {
        int rc = lc_error_set(err, LC_EEXISTS, 400, "AlreadyExists",
                              "Resource of type 'AWS::CloudWatch::Alarm' with identifier '%s' already exists.",
                              name);
        lc_free(name);
        return rc;
    }
    *id = name;
    char *arn = lc_asprintf("arn:%s:cloudwatch:%s:%s:alarm:%s", c->partition, c->region, c->account, name);
    *attrs = json_pack("{ss}", "Arn", arn);
    lc_free(arn);
    return 0;
}

static int s_alarm_update(const struct lc_provider_call *c, const char *id, const json_t *o, const json_t *n,
                          json_t **attrs, struct lc_error *err)
{
    char *arn = lc_asprintf("arn:%s:cloudwatch:%s:%s:alarm:%s", c->partition, c->region, c->account, id);
    *attrs = json_pack("{ss}", "Arn", arn);
    lc_free(arn);
    return 0;
}

const struct lc_provider lc_provider_cloudwatch_alarm = {"AWS::CloudWatch::Alarm", "AlarmName", 255,
                                                         s_alarm_create, s_alarm_update, s_keep};

/* ---- AWS::CDK::Metadata: accepted, no effect ---- */

static int s_cdk_create(const struct lc_provider_call *c, const json_t *props, char **id, json_t **attrs,
                        struct lc_error *err)
{
    *id = s_uuid();
    *attrs = json_object();
    return 0;
}

static int s_cdk_update(const struct lc_provider_call *c, const char *id, const json_t *o, const json_t *n,
                        json_t **attrs, struct lc_error *err)
{
    *attrs = json_object();
    return 0;
}

const struct lc_provider lc_provider_cdk_metadata = {"AWS::CDK::Metadata", NULL, 0, s_cdk_create, s_cdk_update,
                                                     s_keep};
