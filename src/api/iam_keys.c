/* iam_keys.c: access keys (CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey). */
#include "api/iam_api.h"

#include <string.h>

#include "leastcloud/str.h"

#define MAX_KEYS_PER_USER 2

/*
 * The user a key operation is about: UserName, else the caller (a user, or root for root's own
 * keys). Session credentials name no user: IAM refuses as AWS does. Authorizes action on it.
 */
static int s_key_owner(struct lc_api_call *call, const char *action, struct lc_store_principal *p,
                       struct lc_error *err)
{
    const char *name = lc_api_param(call->req, "UserName");
    const struct lc_api_caller *c = call->caller;
    struct lc_error lerr;
    int lrc;
    if (name) {
        if ((lrc = lc__iam_check_name("UserName", name, 64, err)) != 0)
            return lrc;
        lrc = lc__iam_principal(call, LC_PRINCIPAL_USER, name, p, &lerr);
    } else if (c->type == LC_IAM_PRINCIPAL_ASSUMED_ROLE) {
        int rc = lc_api_authorize(call, action, c->principal_arn, NULL, 0, err);
        return rc ? rc : lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                                      "Must specify userName when calling with non-User credentials");
    } else {
        lrc = lc_store_principal_get(call->store, c->principal_arn, p, &lerr);
    }
    return lc__iam_authorize_then(call, action, p->arn, lrc, &lerr, err);
}

static void s_key_xml(struct lc_buf *b, const struct lc_store_principal *owner, const struct lc_store_key *k,
                      bool secret)
{
    if (owner->type != LC_PRINCIPAL_ROOT)
        lc_api_xml_elem(b, "UserName", owner->name);
    lc_api_xml_elem(b, "AccessKeyId", k->key_id);
    lc_api_xml_elem(b, "Status", k->active ? "Active" : "Inactive");
    if (secret)
        lc_api_xml_elem(b, "SecretAccessKey", k->secret);
    lc__iam_xml_time(b, "CreateDate", k->created_ms);
}

static int s_count_long_term(const struct lc_store_key *k, void *ud)
{
    if (k->expires_ms == 0)
        (*(int *)ud)++;
    return 0;
}

int lc__iam_op_create_access_key(struct lc_api_call *call, struct lc_error *err)
{
    struct lc_store_principal p;
    int rc = s_key_owner(call, "iam:CreateAccessKey", &p, err);
    if (rc)
        return rc;
    struct lc_store_tx tx;
    if ((rc = lc_store_tx_begin(call->store, &tx, err)) != 0)
        return rc;
    int n = 0;
    rc = lc_store_key_list(call->store, p.arn, s_count_long_term, &n, err);
    if (!rc && n >= MAX_KEYS_PER_USER)
        rc = lc_error_set(err, LC_ELIMIT, 409, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: %d",
                          MAX_KEYS_PER_USER);
    struct lc_store_key k;
    if (!rc)
        rc = lc_store_key_create(call->store, p.arn, &k, err);
    if ((rc = lc_store_tx_end(call->store, &tx, rc, err)) != 0)
        return rc;
    lc_buf_append_str(&call->resp->body, "<AccessKey>");
    s_key_xml(&call->resp->body, &p, &k, true);
    lc_buf_append_str(&call->resp->body, "</AccessKey>");
    return 0;
}

struct s_keys {
    struct lc_buf *b;
    const struct lc_store_principal *owner;
};

static int s_key_member(const struct lc_store_key *k, void *ud)
{
    struct s_keys *l = ud;
    if (k->expires_ms != 0)
        return 0; /* STS session keys are not the user's access keys */
    lc_buf_append_str(l->b, "<member>");
    s_key_xml(l->b, l->owner, k, false);
    lc_buf_append_str(l->b, "</member>");
    return 0;
}

int lc__iam_op_list_access_keys(struct lc_api_call *call, struct lc_error *err)
{
    struct lc_store_principal p;
    int rc = s_key_owner(call, "iam:ListAccessKeys", &p, err);
    if (rc)
        return rc;
    struct s_keys l = {&call->resp->body, &p};
    lc_buf_append_str(l.b, "<AccessKeyMetadata>");
    rc = lc_store_key_list(call->store, p.arn, s_key_member, &l, err);
    lc_buf_append_str(l.b, "</AccessKeyMetadata><IsTruncated>false</IsTruncated>");
    return rc;
}

/* The key named by AccessKeyId, which must belong to p (AWS: NoSuchEntity otherwise). */
static int s_owned_key(struct lc_api_call *call, const struct lc_store_principal *p, struct lc_store_key *k,
                       struct lc_error *err)
{
    const char *id = lc__iam_param_required(call, "AccessKeyId", err);
    if (!id)
        return LC_EINVAL;
    if (lc_store_key_lookup(call->store, id, k, NULL) != 0 || strcmp(k->principal_arn, p->arn) != 0 ||
        k->expires_ms != 0)
        return lc_error_set(err, LC_ENOTFOUND, 404, "NoSuchEntity", "The Access Key with id %s cannot be found.", id);
    return 0;
}

int lc__iam_op_update_access_key(struct lc_api_call *call, struct lc_error *err)
{
    const char *status = lc__iam_param_required(call, "Status", err);
    if (!status)
        return LC_EINVAL;
    if (strcmp(status, "Active") != 0 && strcmp(status, "Inactive") != 0)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "1 validation error detected: Value '%s' at 'status' failed to satisfy constraint: "
                            "Member must satisfy enum value set: [Active, Inactive]", status);
    struct lc_store_principal p;
    struct lc_store_key k;
    int rc = s_key_owner(call, "iam:UpdateAccessKey", &p, err);
    if (rc || (rc = s_owned_key(call, &p, &k, err)) != 0)
        return rc;
    return lc_store_key_set_active(call->store, k.key_id, !strcmp(status, "Active"), err);
}

int lc__iam_op_delete_access_key(struct lc_api_call *call, struct lc_error *err)
{
    struct lc_store_principal p;
    struct lc_store_key k;
    int rc = s_key_owner(call, "iam:DeleteAccessKey", &p, err);
    if (rc || (rc = s_owned_key(call, &p, &k, err)) != 0)
        return rc;
    return lc_store_key_delete(call->store, k.key_id, err);
}
