/*
 * svc_sts.c: STS (Query protocol, https://sts.amazonaws.com/doc/2011-06-15/): GetCallerIdentity,
 * AssumeRole (the role's trust policy evaluated by the IAM engine as a resource-based policy,
 * together with the caller's identity policies, as AWS does within one account) and
 * GetSessionToken.
 */
#include "api/iam_api.h"

#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/str.h"

#define MAX_SESSION_POLICY 2048

static int s_get_caller_identity(struct lc_api_call *call, struct lc_error *err)
{
    (void)err;
    const struct lc_api_caller *c = call->caller;
    struct lc_buf *b = &call->resp->body;
    lc_api_xml_elem(b, "UserId", c->user_id);
    lc_api_xml_elem(b, "Account", c->account);
    lc_api_xml_elem(b, "Arn", c->arn);
    return 0;
}

static void s_credentials(struct lc_buf *b, const struct lc_store_key *k)
{
    lc_buf_append_str(b, "<Credentials>");
    lc_api_xml_elem(b, "AccessKeyId", k->key_id);
    lc_api_xml_elem(b, "SecretAccessKey", k->secret);
    lc_api_xml_elem(b, "SessionToken", k->session_token);
    lc__iam_xml_time(b, "Expiration", k->expires_ms);
    lc_buf_append_str(b, "</Credentials>");
}

static int s_duration(const char *text, int64_t min, int64_t max, int64_t def, int64_t *out, struct lc_error *err)
{
    *out = def;
    if (!text)
        return 0;
    if (lc_parse_i64(text, out) != 0 || *out < min)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy "
                            "constraint: Member must have value greater than or equal to %lld", text, (long long)min);
    if (*out > max)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    return 0;
}

/* The caller's identity keys the trust policy's conditions may test. */
static void s_context(const struct lc_api_call *call, struct lc_iam_request *r)
{
    const struct lc_api_caller *c = call->caller;
    lc_iam_request_add_context(r, "aws:PrincipalArn",
                               c->type == LC_IAM_PRINCIPAL_ASSUMED_ROLE ? c->principal_arn : c->arn);
    lc_iam_request_add_context(r, "aws:PrincipalAccount", c->account);
    if (c->type == LC_IAM_PRINCIPAL_USER)
        lc_iam_request_add_context(r, "aws:username", c->name);
    lc_iam_request_add_context(r, "aws:userid", c->user_id);
    lc_iam_request_add_context(r, "aws:SourceIp", call->req->source_ip ? call->req->source_ip : "");
    const char *session = lc_api_param(call->req, "RoleSessionName");
    if (session)
        lc_iam_request_add_context(r, "sts:RoleSessionName", session);
    lc_iam_request_set_principal(r, c->arn, c->type);
    lc_iam_request_set_account(r, c->account);
}

/* Identity side + trust policy in one evaluation, recorded like any other check. */
static int s_trust_check(struct lc_api_call *call, const char *role_arn, const char *trust, struct lc_error *err)
{
    const struct lc_api_caller *c = call->caller;
    struct lc_iam_policy_set *set;
    char label[LC_ARN_MAX + 16];
    snprintf(label, sizeof label, "%s/trust", role_arn);
    int rc = lc__iam_build_set(call->store, c->principal_arn, c->session ? c->key_id : NULL,
                               c->type == LC_IAM_PRINCIPAL_ROOT, NULL, 0, trust, LC_IAM_POLICY_TRUST, label, &set, err);
    if (rc)
        return rc == LC_EINVAL ? lc_error_set(err, LC_EINTERNAL, 500, "InternalFailure",
                                              "the stored policies of %s or %s do not parse: %s", c->arn, role_arn,
                                              err->message)
                               : rc;
    struct lc_iam_request *r = lc_iam_request_new();
    s_context(call, r);
    lc_iam_request_set_action(r, "sts:AssumeRole");
    lc_iam_request_set_resource(r, role_arn);
    struct lc_iam_decision d;
    rc = lc_iam_evaluate(set, r, &d);
    if (rc) {
        rc = lc_error_set(err, LC_EINTERNAL, 500, "InternalFailure", "evaluating sts:AssumeRole failed");
    } else {
        lc__iam_record_check(call, "sts:AssumeRole", role_arn, &d);
        if (d.kind != LC_IAM_ALLOWED) {
            struct lc_buf msg;
            lc_buf_init(&msg, LC_ERROR_MESSAGE_MAX - 1);
            lc_iam_denial_message(r, &d, &msg);
            rc = lc_error_set(err, LC_EDENIED, 403, "AccessDenied", "%s", msg.data ? msg.data : "");
            lc_buf_free(&msg);
        }
    }
    lc_iam_request_free(r);
    lc_iam_policy_set_free(set);
    return rc;
}

/* A role that does not exist cannot trust anyone: AWS answers AccessDenied, not NoSuchEntity. */
static int s_no_role(struct lc_api_call *call, const char *role_arn, struct lc_error *err)
{
    struct lc_iam_decision d = {.kind = LC_IAM_IMPLICITLY_DENIED, .layer = LC_IAM_LAYER_IDENTITY,
                                .statement_index = -1, .sid = ""};
    lc__iam_record_check(call, "sts:AssumeRole", role_arn, &d);
    return lc_error_set(err, LC_EDENIED, 403, "AccessDenied",
                        "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", call->caller->arn,
                        role_arn);
}

static int s_assume_role(struct lc_api_call *call, struct lc_error *err)
{
    const char *role_arn = lc__iam_param_required(call, "RoleArn", err);
    const char *session = role_arn ? lc__iam_param_required(call, "RoleSessionName", err) : NULL;
    if (!session)
        return LC_EINVAL;
    size_t slen = strlen(session);
    int rc = lc__iam_check_name("RoleSessionName", session, 64, err);
    if (!rc && slen < 2)
        rc = lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                          "1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy "
                          "constraint: Member must have length greater than or equal to 2", session);
    if (rc)
        return rc;
    const char *policy = lc_api_param(call->req, "Policy");
    if (policy && (rc = lc__iam_check_policy(policy, LC_IAM_POLICY_IDENTITY, MAX_SESSION_POLICY, err)) != 0)
        return rc;
    struct lc_store_principal role;
    if (lc_store_principal_get(call->store, role_arn, &role, NULL) != 0 || role.type != LC_PRINCIPAL_ROLE)
        return s_no_role(call, role_arn, err);
    char *trust = lc_store_role_trust_policy(call->store, role.arn, err);
    if (!trust)
        return s_no_role(call, role_arn, err);
    rc = s_trust_check(call, role.arn, trust, err);
    lc_free(trust);
    if (rc)
        return rc;
    char desc[8];
    int max_s;
    lc__iam_role_meta_get(call->store, role.arn, desc, sizeof desc, &max_s);
    int64_t duration;
    if ((rc = s_duration(lc_api_param(call->req, "DurationSeconds"), 900, max_s, 3600, &duration, err)) != 0)
        return rc;
    struct lc_store_key k;
    if ((rc = lc_store_session_create(call->store, role.arn, session, (int)duration, policy, &k, err)) != 0)
        return rc;
    struct lc_buf *b = &call->resp->body;
    s_credentials(b, &k);
    lc_buf_append_str(b, "<AssumedRoleUser>");
    lc_buf_appendf(b, "<AssumedRoleId>%s:", role.id);
    lc_api_xml_escape(b, session);
    lc_buf_append_str(b, "</AssumedRoleId>");
    lc_api_xml_elem(b, "Arn", k.session_arn);
    lc_buf_append_str(b, "</AssumedRoleUser>");
    if (policy)
        lc__iam_xml_int(b, "PackedPolicySize", (long long)(lc_iam_policy_size(policy, strlen(policy)) * 100 /
                                                           MAX_SESSION_POLICY));
    return 0;
}

static int s_get_session_token(struct lc_api_call *call, struct lc_error *err)
{
    const struct lc_api_caller *c = call->caller;
    int rc = lc_api_authorize(call, "sts:GetSessionToken", "*", NULL, 0, err);
    if (rc)
        return rc;
    /* Temporary (ASIA) keys, also GetSessionToken's own, cannot mint more. */
    if (c->session || c->type == LC_IAM_PRINCIPAL_ASSUMED_ROLE || lc_str_starts_with(c->key_id, "ASIA"))
        return lc_error_set(err, LC_EDENIED, 403, "AccessDenied", "Cannot call GetSessionToken with session credentials");
    int64_t duration;
    int64_t max = c->type == LC_IAM_PRINCIPAL_ROOT ? 3600 : 129600;
    if ((rc = s_duration(lc_api_param(call->req, "DurationSeconds"), 900, max, c->type == LC_IAM_PRINCIPAL_ROOT ? 3600 : 43200,
                         &duration, err)) != 0)
        return rc;
    struct lc_store_key k;
    struct lc_store_tx tx;
    if ((rc = lc_store_tx_begin(call->store, &tx, err)) != 0)
        return rc;
    rc = lc_store_session_create(call->store, c->principal_arn, "session", (int)duration, NULL, &k, err);
    if (!rc)
        rc = lc__iam_session_as_principal(call->store, k.key_id, err);
    if ((rc = lc_store_tx_end(call->store, &tx, rc, err)) != 0)
        return rc;
    s_credentials(&call->resp->body, &k);
    return 0;
}

static const struct lc_api_operation s_ops[] = {
    {"GetCallerIdentity", s_get_caller_identity, LC_API_OP_NO_AUTHZ},
    {"AssumeRole", s_assume_role, 0},
    {"GetSessionToken", s_get_session_token, 0},
};

const struct lc_api_service lc_api_svc_sts = {
    .name = "sts",
    .protocol = LC_API_QUERY,
    .content_type = "text/xml",
    .xml_namespace = "https://sts.amazonaws.com/doc/2011-06-15/",
    .ops = s_ops,
    .n_ops = sizeof s_ops / sizeof s_ops[0],
};
