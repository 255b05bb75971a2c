/* errors.c: DynamoDB's error codes, their wire namespaces and bodies (AWS-BEHAVIOUR.md §2.2). */
#include "ddb/ddb_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Errors the DynamoDB model declares: they travel in the service's own namespace. */
static const char *const s_service_errors[] = {
    "BackupInUseException", "BackupNotFoundException", "ConditionalCheckFailedException",
    "ContinuousBackupsUnavailableException", "DuplicateItemException", "ExportConflictException",
    "ExportNotFoundException", "GlobalTableAlreadyExistsException", "GlobalTableNotFoundException",
    "IdempotentParameterMismatchException", "ImportConflictException", "ImportNotFoundException",
    "IndexNotFoundException", "InternalServerError", "InvalidEndpointException",
    "InvalidExportTimeException", "InvalidRestoreTimeException", "ItemCollectionSizeLimitExceededException",
    "LimitExceededException", "PointInTimeRecoveryUnavailableException", "PolicyNotFoundException",
    "ProvisionedThroughputExceededException", "ReplicaAlreadyExistsException", "ReplicaNotFoundException",
    "ReplicatedWriteConflictException", "RequestLimitExceeded", "ResourceInUseException",
    "ResourceNotFoundException", "TableAlreadyExistsException", "TableInUseException",
    "TableNotFoundException", "TransactionCanceledException", "TransactionConflictException",
    "TransactionInProgressException",
};

#define NS_SERVICE "com.amazonaws.dynamodb.v20120810#"
#define NS_VALIDATE "com.amazon.coral.validate#"
#define NS_CORAL "com.amazon.coral.service#"

const char *lc_ddb_error_type(const char *aws_code)
{
    /* Rendered once per code into a static table so callers get a stable string. */
    static __thread char buf[LC_ERROR_CODE_MAX + 64];
    if (!aws_code || !*aws_code)
        aws_code = "InternalFailure";
    const char *ns = NS_CORAL;
    if (strcmp(aws_code, "ValidationException") == 0) {
        ns = NS_VALIDATE;
    } else {
        for (size_t i = 0; i < sizeof s_service_errors / sizeof *s_service_errors; i++) {
            if (strcmp(aws_code, s_service_errors[i]) == 0) {
                ns = NS_SERVICE;
                break;
            }
        }
    }
    snprintf(buf, sizeof buf, "%s%s", ns, aws_code);
    return buf;
}

json_t *lc_ddb_error_body(const struct lc_error *err)
{
    const char *code = err && err->aws_code[0] ? err->aws_code : "InternalFailure";
    /* Real replies capitalise Message for AccessDenied and the deserializer's errors. */
    bool capital = strcmp(code, "AccessDeniedException") == 0 || strcmp(code, "SerializationException") == 0;
    json_t *body = json_object();
    json_object_set_new(body, "__type", json_string(lc_ddb_error_type(code)));
    json_object_set_new(body, capital ? "Message" : "message", json_string(err ? err->message : ""));
    return body;
}

static int s_vset(struct lc_error *err, const char *code, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
static int s_vset(struct lc_error *err, const char *code, const char *fmt, va_list ap)
{
    char msg[LC_ERROR_MESSAGE_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return lc_error_set(err, LC_EINVAL, 400, code, "%s", msg);
}

int ddb_invalid(struct lc_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = s_vset(err, "ValidationException", fmt, ap);
    va_end(ap);
    return rc;
}

int ddb_serialization(struct lc_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = s_vset(err, "SerializationException", fmt, ap);
    va_end(ap);
    return rc;
}

int ddb_not_found(struct lc_error *err)
{
    return lc_error_set(err, LC_ENOTFOUND, 400, "ResourceNotFoundException", "Requested resource not found");
}

int ddb_constraint(struct lc_error *err, const char *value, const char *field, const char *constraint)
{
    if (!value)
        return ddb_invalid(err, "1 validation error detected: Value null at '%s' failed to satisfy constraint: %s",
                           field, constraint);
    return ddb_invalid(err, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s",
                       value, field, constraint);
}
