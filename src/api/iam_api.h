/*
 * iam_api.h: what the files of the IAM and STS Query services share (svc_iam.c, svc_sts.c,
 * iam_*.c): request parameter helpers with IAM's validation messages, the XML shapes IAM answers
 * with (botocore's iam/2010-05-08 model), and the IAM-API-only state (tags, role descriptions,
 * policy listings) that store_iam.h does not cover.
 *
 * Ownership: strings returned by the param helpers are borrowed from the request; everything the
 * store helpers return is documented beside them.
 */
#ifndef LC_API_IAM_API_H
#define LC_API_IAM_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/service.h"

/* ------------------------------------------------------------------ parameters (iam_params.c) */

/* The value of a required parameter, or NULL with IAM's ValidationError ("1 validation error
 * detected: Value null at 'userName' failed to satisfy constraint: Member must not be null"). */
const char *lc__iam_param_required(const struct lc_api_call *call, const char *name, struct lc_error *err);
/* Checks a user, role or group name against IAM's pattern [\w+=,.@-]+ and length 1..max. */
int lc__iam_check_name(const char *param, const char *value, size_t max, struct lc_error *err);
/* Checks a Path: "/" or "/.../" of printable ASCII, at most 512 characters. NULL passes. */
int lc__iam_check_path(const char *value, struct lc_error *err);
/* Collects "<prefix>.member.N" values in N order (N from 1 without gaps). Returns the count;
 * out[i] are borrowed. */
size_t lc__iam_param_list(const struct lc_api_call *call, const char *prefix, const char **out, size_t max);
/* Parses and validates a policy document as IAM does (MalformedPolicyDocument with the engine's
 * message, LimitExceeded over max_size non-whitespace characters). */
int lc__iam_check_policy(const char *doc, enum lc_iam_policy_kind kind, size_t max_size, struct lc_error *err);

/* MaxItems (1..1000, default 100) and Marker (the key of the first item of the page: an ARN). */
struct lc__iam_pager {
    const char *marker;
    bool started;
    size_t max, n;
    bool truncated;
    char next[LC_ARN_MAX];
};
int lc__iam_pager_init(const struct lc_api_call *call, struct lc__iam_pager *pg, struct lc_error *err);
/* For each item in order: 1 emit it, 0 skip it (before the marker), -1 stop (page full; the item
 * becomes the next marker). */
int lc__iam_pager_take(struct lc__iam_pager *pg, const char *key);
/* <IsTruncated>…</IsTruncated> and, when truncated, <Marker>…</Marker>. */
void lc__iam_pager_end(struct lc_buf *b, const struct lc__iam_pager *pg);

/* arn:aws:iam::<acct>:<type><path><name> into out (LC_ARN_MAX). */
void lc__iam_arn(const struct lc_api_call *call, const char *type, const char *path, const char *name, char *out);
/* Looks up a principal by name. On LC_ENOTFOUND *out->arn still holds the ARN the name would have
 * (path "/"), so that authorization names it before the NoSuchEntity is reported. */
int lc__iam_principal(const struct lc_api_call *call, enum lc_principal_type type, const char *name,
                      struct lc_store_principal *out, struct lc_error *err);
/* Authorizes action on the principal's ARN, then reports a lookup failure (AWS checks first). */
int lc__iam_authorize_then(struct lc_api_call *call, const char *action, const char *arn, int lookup_rc,
                           const struct lc_error *lookup_err, struct lc_error *err);
/* The principal named by the required parameter `param`, with `action` authorized on it first
 * (lc__iam_principal then lc__iam_authorize_then): the opening of most IAM operations. */
int lc__iam_named(struct lc_api_call *call, enum lc_principal_type type, const char *param, const char *action,
                  struct lc_store_principal *out, struct lc_error *err);

/* ------------------------------------------------------------------ XML (iam_xml.c) */

/* <name>2026-11-29T05:12:54Z</name> */
void lc__iam_xml_time(struct lc_buf *b, const char *name, int64_t ms);
/* <name>percent-encoded JSON</name>, as IAM sends policy documents (botocore unquotes them). */
void lc__iam_xml_doc(struct lc_buf *b, const char *name, const char *doc);
void lc__iam_xml_bool(struct lc_buf *b, const char *name, bool v);
void lc__iam_xml_int(struct lc_buf *b, const char *name, long long v);
/* The inner fields of User, Role, Group (no surrounding element). */
void lc__iam_xml_user(struct lc_api_call *call, struct lc_buf *b, const struct lc_store_principal *p, bool tags);
void lc__iam_xml_role(struct lc_api_call *call, struct lc_buf *b, const struct lc_store_principal *p, bool tags);
void lc__iam_xml_group(struct lc_buf *b, const struct lc_store_principal *p);
/* RoleDetail's own fields (GetAccountAuthorizationDetails has no Description or MaxSessionDuration). */
void lc__iam_xml_role_detail(struct lc_api_call *call, struct lc_buf *b, const struct lc_store_principal *p);
/* <Tags><member><Key>..</Key><Value>..</Value></member>...</Tags> (nothing when none unless always). */
void lc__iam_xml_tags(struct lc_api_call *call, struct lc_buf *b, const char *arn, bool always);
/* <AttachedManagedPolicies|AttachedPolicies> members of a principal. */
int lc__iam_xml_attached(struct lc_api_call *call, struct lc_buf *b, const char *elem, const char *arn,
                         struct lc_error *err);

/* ------------------------------------------------------------------ extra state (iam_state.c) */

/* Creates the IAM API's own tables (tags, role metadata). Called from the service's start. */
int lc__iam_state_migrate(struct lc_store *store, struct lc_error *err);

struct lc__iam_tag {
    char *key;
    char *value;
};
/* Upserts tags (at most 50 per entity: LimitExceeded beyond). */
int lc__iam_tags_put(struct lc_store *store, const char *arn, const struct lc__iam_tag *tags, size_t n,
                     struct lc_error *err);
int lc__iam_tags_remove(struct lc_store *store, const char *arn, const char *const *keys, size_t n,
                        struct lc_error *err);
/* Sorted by key; fn returning non-zero stops. */
int lc__iam_tags_list(struct lc_store *store, const char *arn,
                      int (*fn)(const char *key, const char *value, void *ud), void *ud);
/* Forgets everything the IAM API stored about an entity (tags, description). */
void lc__iam_state_forget(struct lc_store *store, const char *arn);
/* A role's description and maximum session duration (defaults "" and 3600). */
int lc__iam_role_meta_set(struct lc_store *store, const char *arn, const char *description, int max_session_s,
                          struct lc_error *err);
void lc__iam_role_meta_get(struct lc_store *store, const char *arn, char *description, size_t size,
                           int *max_session_s);

/* GetSessionToken: makes a session key (from lc_store_session_create) act as its principal itself
 * (user or root) rather than as an assumed-role session. */
int lc__iam_session_as_principal(struct lc_store *store, const char *key_id, struct lc_error *err);

/* A managed policy's metadata as IAM lists it. */
struct lc__iam_policy_info {
    char arn[LC_ARN_MAX];
    char name[LC_IAM_NAME_MAX];
    char path[512];
    char id[32];
    char default_version[16];
    char description[1024];
    bool aws_managed;
    int attachment_count;
    int boundary_count;
    int64_t created_ms, updated_ms;
};
/* LC_ENOTFOUND with IAM's "Policy <arn> does not exist or is not attachable." */
int lc__iam_policy_info(struct lc_store *store, const char *arn, struct lc__iam_policy_info *out,
                        struct lc_error *err);
/* scope: "All", "AWS" or "Local"; only_attached: attachment_count > 0. Sorted by name. */
int lc__iam_policy_list(struct lc_store *store, const char *scope, bool only_attached,
                        int (*fn)(const struct lc__iam_policy_info *p, void *ud), void *ud,
                        struct lc_error *err);

struct lc__iam_policy_version {
    char version_id[16];
    bool is_default;
    int64_t created_ms;
    char *document;  /* owned by the walk: valid during fn */
};
/* Newest first. fn returning non-zero stops. */
int lc__iam_policy_versions(struct lc_store *store, const char *arn,
                            int (*fn)(const struct lc__iam_policy_version *v, void *ud), void *ud,
                            struct lc_error *err);
/* One version's document (caller frees with lc_free) or NULL with NoSuchEntity. */
char *lc__iam_policy_version_get(struct lc_store *store, const char *arn, const char *version_id,
                                 struct lc__iam_policy_version *meta, struct lc_error *err);
int lc__iam_policy_version_delete(struct lc_store *store, const char *arn, const char *version_id,
                                  struct lc_error *err);
int lc__iam_policy_set_default(struct lc_store *store, const char *arn, const char *version_id,
                               struct lc_error *err);

/* Groups of a user, users of a group (sorted by name); fn returning non-zero stops. */
int lc__iam_groups_of_user(struct lc_store *store, const char *user_arn,
                           int (*fn)(const struct lc_store_principal *g, void *ud), void *ud, struct lc_error *err);
int lc__iam_users_of_group(struct lc_store *store, const char *group_arn,
                           int (*fn)(const struct lc_store_principal *u, void *ud), void *ud, struct lc_error *err);
/* Rows a principal still has: long-term keys, inline policies, attached policies, groups (or members). */
struct lc__iam_usage {
    int keys, inline_policies, attached, groups;
};
int lc__iam_usage(struct lc_store *store, const char *arn, struct lc__iam_usage *out, struct lc_error *err);

/* ------------------------------------------------------------------ evaluation (iam_simulate.c) */

/*
 * Compiles the policies that apply to `principal_arn` (identity + boundary), plus session_key's
 * session policy when given, plus `extra` identity documents and an optional resource-based
 * document (e.g. a trust policy) labelled resource_label in decisions. When identity_allow_all, an allow-everything identity policy
 * stands in for root. Caller frees *out with lc_iam_policy_set_free.
 */
int lc__iam_build_set(struct lc_store *store, const char *principal_arn, const char *session_key,
                      bool identity_allow_all, const char *const *extra, size_t n_extra,
                      const char *resource_doc, enum lc_iam_policy_kind resource_kind, const char *resource_label,
                      struct lc_iam_policy_set **out, struct lc_error *err);
/* Records a decision made outside lc_api_authorize in the call's checks (so the trail shows it). */
void lc__iam_record_check(struct lc_api_call *call, const char *action, const char *resource,
                          const struct lc_iam_decision *d);

/* ------------------------------------------------------------------ operations */

#define LC__IAM_OP(name) int lc__iam_op_##name(struct lc_api_call *call, struct lc_error *err)
/* iam_principals.c */
LC__IAM_OP(create_user); LC__IAM_OP(get_user); LC__IAM_OP(list_users); LC__IAM_OP(delete_user);
LC__IAM_OP(create_group); LC__IAM_OP(get_group); LC__IAM_OP(list_groups); LC__IAM_OP(delete_group);
LC__IAM_OP(add_user_to_group); LC__IAM_OP(remove_user_from_group); LC__IAM_OP(list_groups_for_user);
LC__IAM_OP(create_role); LC__IAM_OP(get_role); LC__IAM_OP(list_roles); LC__IAM_OP(delete_role);
LC__IAM_OP(update_assume_role_policy);
LC__IAM_OP(tag_user); LC__IAM_OP(untag_user); LC__IAM_OP(list_user_tags);
LC__IAM_OP(tag_role); LC__IAM_OP(untag_role); LC__IAM_OP(list_role_tags);
/* iam_keys.c */
LC__IAM_OP(create_access_key); LC__IAM_OP(list_access_keys); LC__IAM_OP(delete_access_key);
LC__IAM_OP(update_access_key);
/* iam_policies.c */
LC__IAM_OP(put_user_policy); LC__IAM_OP(get_user_policy); LC__IAM_OP(delete_user_policy); LC__IAM_OP(list_user_policies);
LC__IAM_OP(put_role_policy); LC__IAM_OP(get_role_policy); LC__IAM_OP(delete_role_policy); LC__IAM_OP(list_role_policies);
LC__IAM_OP(put_group_policy); LC__IAM_OP(get_group_policy); LC__IAM_OP(delete_group_policy); LC__IAM_OP(list_group_policies);
LC__IAM_OP(create_policy); LC__IAM_OP(get_policy); LC__IAM_OP(delete_policy); LC__IAM_OP(list_policies);
LC__IAM_OP(get_policy_version); LC__IAM_OP(create_policy_version); LC__IAM_OP(list_policy_versions);
LC__IAM_OP(delete_policy_version); LC__IAM_OP(set_default_policy_version);
LC__IAM_OP(attach_user_policy); LC__IAM_OP(detach_user_policy); LC__IAM_OP(list_attached_user_policies);
LC__IAM_OP(attach_role_policy); LC__IAM_OP(detach_role_policy); LC__IAM_OP(list_attached_role_policies);
LC__IAM_OP(attach_group_policy); LC__IAM_OP(detach_group_policy); LC__IAM_OP(list_attached_group_policies);
/* iam_simulate.c */
LC__IAM_OP(simulate_principal_policy); LC__IAM_OP(simulate_custom_policy);
LC__IAM_OP(get_account_authorization_details);

#endif
