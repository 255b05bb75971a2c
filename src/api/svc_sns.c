/*
 * svc_sns.c: a minimal SNS (Query protocol, http://sns.amazonaws.com/doc/2010-03-31/) over the watch
 * module: CreateTopic, Subscribe, ListTopics, ListSubscriptions, ListSubscriptionsByTopic, Publish.
 * Deliveries are recorded in the state (and POSTed to http endpoints on 127.0.0.1); CloudWatch alarm
 * actions publish through the same path.
 */
#include "api/api_internal.h"

#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/str.h"
#include "leastcloud/watch.h"

static char *s_topic_arn(struct lc_api_call *call, const char *name)
{
    return lc_asprintf("arn:aws:sns:%s:%s:%s", lc_store_region(call->store), lc_store_account(call->store), name);
}

static int s_create_topic(struct lc_api_call *call, struct lc_error *err)
{
    const char *name = lc_api_param(call->req, "Name");
    char *arn = s_topic_arn(call, name ? name : "");
    int rc = lc_api_authorize(call, "sns:CreateTopic", arn, NULL, 0, err);
    lc_free(arn);
    if (rc)
        return rc;
    if (!name)
        return lc_error_set(err, LC_EINVAL, 400, "InvalidParameter", "Invalid parameter: Name");
    char out[1024];
    if ((rc = lc_watch_topic_create(call->store, name, out, err)) != 0)
        return rc;
    return lc_api_xml_elem(&call->resp->body, "TopicArn", out);
}

static int s_subscribe(struct lc_api_call *call, struct lc_error *err)
{
    const char *topic = lc_api_param(call->req, "TopicArn");
    int rc = lc_api_authorize(call, "sns:Subscribe", topic ? topic : "*", NULL, 0, err);
    if (rc)
        return rc;
    char out[1024];
    if ((rc = lc_watch_subscribe(call->store, topic, lc_api_param(call->req, "Protocol"),
                                 lc_api_param(call->req, "Endpoint"), out, err)) != 0)
        return rc;
    return lc_api_xml_elem(&call->resp->body, "SubscriptionArn", out);
}

static int s_topic_row(const char *arn, void *ud)
{
    struct lc_buf *b = ud;
    lc_buf_append_str(b, "<member>");
    lc_api_xml_elem(b, "TopicArn", arn);
    lc_buf_append_str(b, "</member>");
    return 0;
}

static int s_list_topics(struct lc_api_call *call, struct lc_error *err)
{
    int rc = lc_api_authorize(call, "sns:ListTopics", "*", NULL, 0, err);
    if (rc)
        return rc;
    struct lc_buf *b = &call->resp->body;
    lc_buf_append_str(b, "<Topics>");
    rc = lc_watch_topic_list(call->store, s_topic_row, b, err);
    lc_buf_append_str(b, "</Topics>");
    return rc;
}

static int s_sub_row(const char *arn, const char *topic, const char *protocol, const char *endpoint, void *ud)
{
    struct lc_api_call *call = ud;
    struct lc_buf *b = &call->resp->body;
    lc_buf_append_str(b, "<member>");
    lc_api_xml_elem(b, "SubscriptionArn", arn);
    lc_api_xml_elem(b, "Owner", lc_store_account(call->store));
    lc_api_xml_elem(b, "Protocol", protocol);
    lc_api_xml_elem(b, "Endpoint", endpoint);
    lc_api_xml_elem(b, "TopicArn", topic);
    lc_buf_append_str(b, "</member>");
    return 0;
}

static int s_list_subscriptions(struct lc_api_call *call, struct lc_error *err)
{
    int rc = lc_api_authorize(call, "sns:ListSubscriptions", "*", NULL, 0, err);
    if (rc)
        return rc;
    lc_buf_append_str(&call->resp->body, "<Subscriptions>");
    rc = lc_watch_subscription_list(call->store, NULL, s_sub_row, call, err);
    lc_buf_append_str(&call->resp->body, "</Subscriptions>");
    return rc;
}

static int s_list_subscriptions_by_topic(struct lc_api_call *call, struct lc_error *err)
{
    const char *topic = lc_api_param(call->req, "TopicArn");
    int rc = lc_api_authorize(call, "sns:ListSubscriptionsByTopic", topic ? topic : "*", NULL, 0, err);
    if (rc)
        return rc;
    if (!topic)
        return lc_error_set(err, LC_EINVAL, 400, "InvalidParameter", "Invalid parameter: TopicArn");
    lc_buf_append_str(&call->resp->body, "<Subscriptions>");
    rc = lc_watch_subscription_list(call->store, topic, s_sub_row, call, err);
    lc_buf_append_str(&call->resp->body, "</Subscriptions>");
    return rc;
}

static int s_publish(struct lc_api_call *call, struct lc_error *err)
{
    const char *topic = lc_api_param(call->req, "TopicArn");
    if (!topic)
        topic = lc_api_param(call->req, "TargetArn");
    int rc = lc_api_authorize(call, "sns:Publish", topic ? topic : "*", NULL, 0, err);
    if (rc)
        return rc;
    char id[37];
    if ((rc = lc_watch_publish(call->store, topic, lc_api_param(call->req, "Subject"),
                               lc_api_param(call->req, "Message"), id, err)) != 0)
        return rc;
    return lc_api_xml_elem(&call->resp->body, "MessageId", id);
}

static const struct lc_api_operation s_ops[] = {
    {"CreateTopic", s_create_topic, 0},
    {"Subscribe", s_subscribe, 0},
    {"ListTopics", s_list_topics, 0},
    {"ListSubscriptions", s_list_subscriptions, 0},
    {"ListSubscriptionsByTopic", s_list_subscriptions_by_topic, 0},
    {"Publish", s_publish, 0},
};

const struct lc_api_service lc_api_svc_sns = {
    .name = "sns",
    .protocol = LC_API_QUERY,
    .content_type = "text/xml",
    .xml_namespace = "http://sns.amazonaws.com/doc/2010-03-31/",
    .ops = s_ops,
    .n_ops = sizeof s_ops / sizeof s_ops[0],
};
