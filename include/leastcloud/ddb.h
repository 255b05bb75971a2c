/*
 * ddb.h: DynamoDB's data plane as a library, independent of HTTP.
 *
 * Requests and responses are jansson JSON exactly as the DynamoDB JSON 1.0 protocol carries them
 * (the botocore model dynamodb/2012-08-10 is the authority for the shapes). The server parses the
 * body, asks lc_ddb_auth_checks which IAM checks to make, evaluates them, and only then calls
 * lc_ddb_call; it renders a failure with lc_ddb_error_body.
 *
 * Ownership, once for the whole module: `const json_t *request` is borrowed for the call only;
 * `json_t **response` receives a NEW reference the caller releases with json_decref (NULL on
 * failure). Objects returned by *_new are freed by the matching *_free.
 *
 * Threads: one struct lc_ddb per store, shared by every worker thread. Each thread talks to SQLite
 * through its own connection (lc_store_db); table descriptions are cached in memory behind a lock
 * and reloaded when the store's "ddb" generation moves (any process that changes a table bumps it).
 *
 * Errors: functions return 0 or a negative LC_E* code and fill `err` with the AWS error code
 * ("ValidationException", "ResourceNotFoundException", ...), HTTP status 400 (500 for internal
 * failures) and AWS's exact message.
 */
#ifndef LEASTCLOUD_DDB_H
#define LEASTCLOUD_DDB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lc_error;
struct lc_store;
struct lc_ddb;

/* ---------------------------------------------------------------- the handle */

/*
 * Creates the module's tables in the store when absent (migration domain "ddb") and returns the
 * handle in *out (caller frees with lc_ddb_free, before closing the store). The store is borrowed
 * and must outlive the handle.
 */
int lc_ddb_open(struct lc_store *store, struct lc_ddb **out, struct lc_error *err);
void lc_ddb_free(struct lc_ddb *ddb); /* NULL is a no-op */

/*
 * Runs one operation by its wire name ("GetItem", "CreateTable", ... the part of X-Amz-Target after
 * "DynamoDB_20120810."). Unknown names fail with LC_EUNSUPPORTED, HTTP 400 and aws_code
 * "UnknownOperationException" (namespace com.amazon.coral.service). On success *response is a new
 * reference.
 */
int lc_ddb_call(struct lc_ddb *ddb, const char *operation, const json_t *request, json_t **response,
                struct lc_error *err);
/*
 * Same as lc_ddb_call, but returns the response as the compact JSON body to send (*body, *len;
 * caller frees *body with lc_free). Faster for GetItem, Query and Scan: items that need no
 * projection or filter are copied from storage as text instead of being parsed into jansson
 * objects and serialised again. Errors as lc_ddb_call (render them with lc_ddb_error_body).
 */
int lc_ddb_call_text(struct lc_ddb *ddb, const char *operation, const json_t *request, char **body, size_t *len,
                     struct lc_error *err);
/* True when lc_ddb_call implements `operation`. */
bool lc_ddb_operation_known(const char *operation);

/* ---------------------------------------------------------------- operations
 * Each is what lc_ddb_call dispatches to, public so that other modules (the CloudFormation engine
 * creating AWS::DynamoDB::Table, the CLI) can call them without going through a name. Same
 * ownership as lc_ddb_call. */
int lc_ddb_create_table(struct lc_ddb *ddb, const json_t *request, json_t **response, struct lc_error *err);
int lc_ddb_describe_table(struct lc_ddb *ddb, const json_t *request, json_t **response, struct lc_error *err);
int lc_ddb_delete_table(struct lc_ddb *ddb, const json_t *request, json_t **response, struct lc_error *err);
int lc_ddb_list_tables(struct lc_ddb *ddb, const json_t *request, json_t **response, struct lc_error *err);
int lc_ddb_put_item(struct lc_ddb *ddb, const json_t *request, json_t **response, struct lc_error *err);
int lc_ddb_get_item(struct lc_ddb *ddb, const json_t *request, json_t **response, struct lc_error *err);
int lc_ddb_delete_item(struct lc_ddb *ddb, const json_t *request, json_t **response, struct lc_error *err);
int lc_ddb_query(struct lc_ddb *ddb, const json_t *request, json_t **response, struct lc_error *err);
int lc_ddb_scan(struct lc_ddb *ddb, const json_t *request, json_t **response, struct lc_error *err);
int lc_ddb_batch_get_item(struct lc_ddb *ddb, const json_t *request, json_t **response, struct lc_error *err);
int lc_ddb_batch_write_item(struct lc_ddb *ddb, const json_t *request, json_t **response, struct lc_error *err);

/* True when the table exists (for callers that want to know without building a request). */
bool lc_ddb_table_exists(struct lc_ddb *ddb, const char *table_name);

/* ---------------------------------------------------------------- errors on the wire */

/*
 * The `__type` AWS sends for an error code, with its namespace: service errors
 * ("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"), validation
 * ("com.amazon.coral.validate#ValidationException") and framework/auth errors
 * ("com.amazon.coral.service#AccessDeniedException", SerializationException,
 * UnknownOperationException, UnrecognizedClientException, ...). Returns a static string; unknown
 * codes get the com.amazon.coral.service namespace. The one place that knows the namespaces.
 */
const char *lc_ddb_error_type(const char *aws_code);
/*
 * The error body AWS sends: {"__type":"<lc_ddb_error_type>","message":"..."}; AccessDeniedException
 * uses the capitalised "Message" key, as real DynamoDB replies do. New reference.
 */
json_t *lc_ddb_error_body(const struct lc_error *err);

/* ---------------------------------------------------------------- authorization */

/* One IAM check the server must pass before calling the operation. */
struct lc_ddb_auth_key {
    char *name;     /* "dynamodb:LeadingKeys", "dynamodb:Attributes", "dynamodb:Select", ... */
    char **values;  /* multi-valued; each owned */
    size_t count;
};

struct lc_ddb_auth_check {
    char *action;    /* "dynamodb:GetItem" */
    char *resource;  /* "arn:aws:dynamodb:<region>:<account>:table/<name>[/index/<index>]" or "*" */
    struct lc_ddb_auth_key *keys;
    size_t key_count;
};

struct lc_ddb_auth_checks {
    struct lc_ddb_auth_check *items;
    size_t count;
};

/*
 * Fills *out with the checks for `operation` + `request`: one per (table, action) for batch
 * operations, the index ARN for Query/Scan with IndexName, "*" for ListTables. Condition keys:
 * dynamodb:LeadingKeys (partition key values, as text, when the table is known and the request
 * names them), dynamodb:Attributes (top-level attribute names written or projected),
 * dynamodb:Select and dynamodb:ReturnValues (when the request sets them; Select is
 * SPECIFIC_ATTRIBUTES when a ProjectionExpression is given). The request is not validated here:
 * malformed parts add no keys, and the operation itself reports them after authorization.
 * Returns 0, or LC_EUNSUPPORTED for an unknown operation. Free with lc_ddb_auth_checks_free
 * (also after a failure).
 */
int lc_ddb_auth_checks(struct lc_ddb *ddb, const char *operation, const json_t *request,
                       struct lc_ddb_auth_checks *out, struct lc_error *err);
void lc_ddb_auth_checks_free(struct lc_ddb_auth_checks *checks);

/* "arn:aws:dynamodb:<region>:<account>:table/<name>"; caller frees with lc_free. */
char *lc_ddb_table_arn(struct lc_ddb *ddb, const char *table_name);

/* ---------------------------------------------------------------- metrics */

/*
 * Consumed capacity per table since the handle opened, for CloudWatch's
 * ConsumedReadCapacityUnits / ConsumedWriteCapacityUnits and the request counts. Units are the
 * ones ReturnConsumedCapacity reports (0.5 for an eventually consistent read of up to 4 KB).
 */
struct lc_ddb_table_counters {
    double read_units;
    double write_units;
    uint64_t read_requests;   /* GetItem, Query, Scan, BatchGetItem (per table) */
    uint64_t write_requests;  /* PutItem, DeleteItem, BatchWriteItem (per table) */
};

/* Copies the counters of `table_name` into *out; all zero for a table never used. */
void lc_ddb_table_counters(struct lc_ddb *ddb, const char *table_name, struct lc_ddb_table_counters *out);

/*
 * Called after every successful data-plane operation, once per table touched, on the worker
 * thread that ran it (so keep it short). table_name is borrowed for the call. NULL unsets.
 */
typedef void (*lc_ddb_consumed_fn)(void *ctx, const char *table_name, double read_units, double write_units);
void lc_ddb_set_consumed_hook(struct lc_ddb *ddb, lc_ddb_consumed_fn fn, void *ctx);

#endif
