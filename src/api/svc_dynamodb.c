/*
 * svc_dynamodb.c: DynamoDB (awsJson1_0, X-Amz-Target: DynamoDB_20120810.<Operation>) over the ddb
 * module: the module names the IAM checks an operation needs, the pipeline evaluates them, and
 * only then does the operation run.
 */
#include "api/api_internal.h"

#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/ddb.h"
#include "leastcloud/json.h"
#include "leastcloud/watch.h"

static struct lc_ddb *s_ddb;

static int s_start(struct lc_store *store, struct lc_error *err)
{
    int rc = lc_ddb_open(store, &s_ddb, err);
    if (!rc) /* AWS/DynamoDB ConsumedRead/WriteCapacityUnits for CloudWatch (src/watch) */
        lc_ddb_set_consumed_hook(s_ddb, lc_watch_ddb_consumed, NULL);
    return rc;
}

static void s_stop(void)
{
    lc_ddb_free(s_ddb);
    s_ddb = NULL;
}

/* Runs every check the operation needs; the first denial ends the request. */
static int s_authorize(struct lc_api_call *call, const struct lc_ddb_auth_checks *checks, struct lc_error *err)
{
    for (size_t i = 0; i < checks->count; i++) {
        const struct lc_ddb_auth_check *c = &checks->items[i];
        size_t n = 0;
        for (size_t k = 0; k < c->key_count; k++)
            n += c->keys[k].count;
        struct lc_api_condition stack[16];
        struct lc_api_condition *conds = n <= 16 ? stack : lc_calloc(n, sizeof *conds);
        size_t j = 0;
        for (size_t k = 0; k < c->key_count; k++)
            for (size_t v = 0; v < c->keys[k].count; v++)
                conds[j++] = (struct lc_api_condition){c->keys[k].name, c->keys[k].values[v]};
        int rc = lc_api_authorize(call, c->action, c->resource, conds, n, err);
        if (conds != stack)
            lc_free(conds);
        if (rc)
            return rc;
    }
    return 0;
}

/*
 * An operation of the model the ddb module does not implement yet still asks IAM first, on the
 * table it names: a caller without the permission must see AccessDenied, as on AWS, not learn that
 * the operation is missing here.
 */
static int s_authorize_unimplemented(struct lc_api_call *call, const char *op, struct lc_error *err)
{
    const char *table = lc_json_str(call->req->json, "TableName");
    char *arn = table && *table ? lc_ddb_table_arn(s_ddb, table) : NULL;
    char action[LC_API_OPERATION_MAX + 16];
    snprintf(action, sizeof action, "dynamodb:%s", op);
    int rc = lc_api_authorize(call, action, arn ? arn : "*", NULL, 0, err);
    lc_free(arn);
    return rc;
}

static int s_call(struct lc_api_call *call, struct lc_error *err)
{
    const char *op = call->req->operation;
    struct lc_ddb_auth_checks checks = {0};
    int rc = lc_ddb_auth_checks(s_ddb, op, call->req->json, &checks, err);
    if (rc == LC_EUNSUPPORTED) {
        lc_ddb_auth_checks_free(&checks);
        rc = s_authorize_unimplemented(call, op, err);
        if (rc)
            return rc;
        json_t *out = NULL;
        rc = lc_ddb_call(s_ddb, op, call->req->json, &out, err);
        if (!rc)
            rc = lc_api_reply_json(call->resp, out);
        json_decref(out);
        return rc;
    }
    if (!rc && checks.count == 0)
        rc = lc_error_set(err, LC_EINTERNAL, 500, "InternalFailure", "no IAM check is defined for %s", op);
    if (!rc)
        rc = s_authorize(call, &checks, err);
    lc_ddb_auth_checks_free(&checks);
    if (rc)
        return rc;
    /* The text form copies stored items straight into the reply (no jansson round trip), which is
     * most of the cost of a Query or Scan of many items. */
    char *body = NULL;
    size_t len = 0;
    rc = lc_ddb_call_text(s_ddb, op, call->req->json, &body, &len, err);
    if (rc)
        return rc;
    lc_buf_reset(&call->resp->body);
    rc = lc_buf_append(&call->resp->body, body, len);
    lc_free(body);
    return rc;
}

static int s_render_error(const struct lc_api_service *svc, const struct lc_api_request *req,
                          const struct lc_error *e, struct lc_api_response *resp)
{
    json_t *body = lc_ddb_error_body(e);
    int rc = lc_api_reply_json(resp, body);
    json_decref(body);
    return rc;
}

/* Every operation of the botocore model dynamodb/2012-08-10; the ddb module answers the ones it
 * does not implement yet. */
#define OP(name) {#name, s_call, 0}
#define RO(name) {#name, s_call, LC_API_OP_READ_ONLY}
static const struct lc_api_operation s_ops[] = {
    OP(BatchExecuteStatement), RO(BatchGetItem), OP(BatchWriteItem), OP(CreateBackup),
    OP(CreateGlobalTable), OP(CreateTable), OP(DeleteBackup), OP(DeleteItem), OP(DeleteResourcePolicy),
    OP(DeleteTable), RO(DescribeBackup), RO(DescribeContinuousBackups), RO(DescribeContributorInsights),
    RO(DescribeEndpoints), RO(DescribeExport), RO(DescribeGlobalTable), RO(DescribeGlobalTableSettings),
    RO(DescribeImport), RO(DescribeKinesisStreamingDestination), RO(DescribeLimits), RO(DescribeTable),
    RO(DescribeTableReplicaAutoScaling), RO(DescribeTimeToLive), OP(DisableKinesisStreamingDestination),
    OP(EnableKinesisStreamingDestination), OP(ExecuteStatement), OP(ExecuteTransaction),
    OP(ExportTableToPointInTime), RO(GetItem), RO(GetResourcePolicy), OP(ImportTable), RO(ListBackups),
    RO(ListContributorInsights), RO(ListExports), RO(ListGlobalTables), RO(ListImports), RO(ListTables),
    RO(ListTagsOfResource), OP(PutItem), OP(PutResourcePolicy), RO(Query), OP(RestoreTableFromBackup),
    OP(RestoreTableToPointInTime), RO(Scan), OP(TagResource), RO(TransactGetItems), OP(TransactWriteItems),
    OP(UntagResource), OP(UpdateContinuousBackups), OP(UpdateContributorInsights), OP(UpdateGlobalTable),
    OP(UpdateGlobalTableSettings), OP(UpdateItem), OP(UpdateKinesisStreamingDestination), OP(UpdateTable),
    OP(UpdateTableReplicaAutoScaling), OP(UpdateTimeToLive),
};
#undef OP
#undef RO

const struct lc_api_service lc_api_svc_dynamodb = {
    .name = "dynamodb",
    .protocol = LC_API_JSON,
    .target_prefix = "DynamoDB_20120810",
    .content_type = "application/x-amz-json-1.0",
    .max_body = (size_t)16 * 1024 * 1024,
    .coral_ids = true,
    .serialize_writes = true,
    .ops = s_ops,
    .n_ops = sizeof s_ops / sizeof s_ops[0],
    .start = s_start,
    .stop = s_stop,
    .render_error = s_render_error,
};
