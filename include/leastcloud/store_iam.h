/*
 * store_iam.h: IAM's entities in the state: principals (root, users, roles, groups), access keys
 * (long-term AKIA keys and STS session ASIA keys), inline and managed policies with versions,
 * attachments and group membership.
 *
 * Every change bumps the "iam" generation (lc_store_generation) so that caches of compiled policies
 * can tell when to reload. Functions that change several rows run in their own transaction unless the
 * caller already opened one (they then join it). Output structs are caller-owned, fixed-size and hold
 * no heap memory unless a *_free function is named.
 */
#ifndef LEASTCLOUD_STORE_IAM_H
#define LEASTCLOUD_STORE_IAM_H

#include "leastcloud/store.h"

#include <stdbool.h>
#include <stdint.h>

#define LC_ARN_MAX 1024
#define LC_IAM_NAME_MAX 129
#define LC_SESSION_TOKEN_MAX 1024

enum lc_principal_type { LC_PRINCIPAL_ROOT, LC_PRINCIPAL_USER, LC_PRINCIPAL_ROLE, LC_PRINCIPAL_GROUP };

struct lc_store_principal {
    enum lc_principal_type type;
    char arn[LC_ARN_MAX];            /* arn:aws:iam::000000000000:user/path/name */
    char name[LC_IAM_NAME_MAX];
    char path[512];                  /* "/" by default */
    char id[32];                     /* AIDA... (user), AROA... (role), AGPA... (group), the account for root */
    char account[13];
    char boundary_arn[LC_ARN_MAX];   /* "" when none */
    int64_t created_ms;
};

struct lc_store_key {
    char key_id[32];                       /* AKIA... or ASIA... */
    char secret[41];
    char principal_arn[LC_ARN_MAX];        /* the user, role or root that owns the key */
    bool active;
    /* Session keys only (ASIA): the token the request must carry, the session's ARN
     * (arn:aws:sts::<acct>:assumed-role/<role>/<session>) and its expiry. */
    char session_token[LC_SESSION_TOKEN_MAX];
    char session_arn[LC_ARN_MAX];
    int64_t expires_ms;                    /* 0 for long-term keys */
    int64_t created_ms;
};

const char *lc_principal_type_name(enum lc_principal_type type);   /* "user", "role", ... */

/* The account's root principal and its first access key (created by lc_store_open). */
int lc_store_root_key(struct lc_store *store, struct lc_store_key *out, struct lc_error *err);

/* Creates a user, role or group (not root) named `name` under `path` (NULL = "/"). For roles,
 * trust_policy is the AssumeRolePolicyDocument JSON (required); NULL otherwise. LC_EEXISTS with IAM's
 * EntityAlreadyExists message when the name is taken. out may be NULL. */
int lc_store_principal_create(struct lc_store *store, enum lc_principal_type type, const char *name,
                              const char *path, const char *trust_policy,
                              struct lc_store_principal *out, struct lc_error *err);
/* LC_ENOTFOUND (NoSuchEntity, 404) when absent. */
int lc_store_principal_get(struct lc_store *store, const char *arn, struct lc_store_principal *out,
                           struct lc_error *err);
int lc_store_principal_get_by_name(struct lc_store *store, enum lc_principal_type type,
                                   const char *name, struct lc_store_principal *out,
                                   struct lc_error *err);
/* A role's trust policy; caller frees with lc_free. NULL with err when absent. */
char *lc_store_role_trust_policy(struct lc_store *store, const char *role_arn, struct lc_error *err);
int lc_store_role_set_trust_policy(struct lc_store *store, const char *role_arn, const char *doc,
                                   struct lc_error *err);
/* Sets or clears (boundary_arn NULL) the permissions boundary of a user or role. */
int lc_store_principal_set_boundary(struct lc_store *store, const char *arn, const char *boundary_arn,
                                    struct lc_error *err);
/* Deletes the principal with its keys, inline policies, attachments and memberships. The IAM API
 * refuses (DeleteConflict) before calling this when AWS would; the store does not. */
int lc_store_principal_delete(struct lc_store *store, const char *arn, struct lc_error *err);
/* Calls fn for each principal of `type` (sorted by name); stops early when fn returns non-zero. */
int lc_store_principal_list(struct lc_store *store, enum lc_principal_type type,
                            int (*fn)(const struct lc_store_principal *p, void *ud), void *ud,
                            struct lc_error *err);

/* Creates an active long-term key (AKIA...) for a user or root. */
int lc_store_key_create(struct lc_store *store, const char *principal_arn, struct lc_store_key *out,
                        struct lc_error *err);
/* Creates STS session credentials (ASIA... + token) for `role_arn` as `session_name`, valid for
 * duration_s seconds. session_policy (JSON) may be NULL. */
int lc_store_session_create(struct lc_store *store, const char *role_arn, const char *session_name,
                            int duration_s, const char *session_policy, struct lc_store_key *out,
                            struct lc_error *err);
/* LC_ENOTFOUND when the key id is unknown (expired session keys are reported as found; the caller
 * compares expires_ms with the clock). */
int lc_store_key_lookup(struct lc_store *store, const char *key_id, struct lc_store_key *out,
                        struct lc_error *err);
/* A session key's policy (JSON, caller frees with lc_free) or NULL when it has none. */
char *lc_store_session_policy(struct lc_store *store, const char *key_id);
int lc_store_key_set_active(struct lc_store *store, const char *key_id, bool active,
                            struct lc_error *err);
int lc_store_key_delete(struct lc_store *store, const char *key_id, struct lc_error *err);
int lc_store_key_list(struct lc_store *store, const char *principal_arn,
                      int (*fn)(const struct lc_store_key *k, void *ud), void *ud,
                      struct lc_error *err);
/* Records the key's last use (for GetAccessKeyLastUsed and the audit). */
int lc_store_key_touch(struct lc_store *store, const char *key_id, int64_t now_ms);

/* Inline policies of a user, role or group. put replaces a policy of the same name. */
int lc_store_inline_policy_put(struct lc_store *store, const char *principal_arn, const char *name,
                               const char *document, struct lc_error *err);
/* Caller frees with lc_free; NULL with LC_ENOTFOUND when absent. */
char *lc_store_inline_policy_get(struct lc_store *store, const char *principal_arn, const char *name,
                                 struct lc_error *err);
int lc_store_inline_policy_delete(struct lc_store *store, const char *principal_arn, const char *name,
                                  struct lc_error *err);
int lc_store_inline_policy_list(struct lc_store *store, const char *principal_arn,
                                int (*fn)(const char *name, const char *document, void *ud), void *ud,
                                struct lc_error *err);

/* Managed policies. aws_managed ones live at arn:aws:iam::aws:policy/<path><name>. out_arn (may be
 * NULL) receives the ARN (LC_ARN_MAX bytes). The document becomes version v1, the default. */
int lc_store_managed_policy_create(struct lc_store *store, const char *name, const char *path,
                                   const char *document, const char *description, bool aws_managed,
                                   char *out_arn, struct lc_error *err);
/* The default version's document; caller frees with lc_free. NULL with LC_ENOTFOUND. */
char *lc_store_managed_policy_document(struct lc_store *store, const char *policy_arn,
                                       struct lc_error *err);
/* Adds a version; when set_default, it becomes the default. out_version receives "vN" (8 bytes). */
int lc_store_managed_policy_add_version(struct lc_store *store, const char *policy_arn,
                                        const char *document, bool set_default, char out_version[8],
                                        struct lc_error *err);
/* LC_ECONFLICT (DeleteConflict) while attached anywhere. */
int lc_store_managed_policy_delete(struct lc_store *store, const char *policy_arn,
                                   struct lc_error *err);
int lc_store_policy_attach(struct lc_store *store, const char *principal_arn, const char *policy_arn,
                           struct lc_error *err);
int lc_store_policy_detach(struct lc_store *store, const char *principal_arn, const char *policy_arn,
                           struct lc_error *err);
int lc_store_attached_list(struct lc_store *store, const char *principal_arn,
                           int (*fn)(const char *policy_arn, void *ud), void *ud,
                           struct lc_error *err);

int lc_store_group_add_user(struct lc_store *store, const char *group_arn, const char *user_arn,
                            struct lc_error *err);
int lc_store_group_remove_user(struct lc_store *store, const char *group_arn, const char *user_arn,
                               struct lc_error *err);

/* Everything that decides what a principal may do, as the evaluator needs it. */
struct lc_store_policy_doc {
    char *label;     /* inline: "<principal name>/<policy name>"; managed: the policy ARN */
    char *document;  /* the JSON text */
    bool managed;
};
struct lc_store_policies {
    struct lc_store_policy_doc *identity;  /* inline + attached managed, the user's groups' too */
    size_t n_identity;
    struct lc_store_policy_doc boundary;   /* label/document NULL when no permissions boundary */
};
/* Fills *out (caller frees with lc_store_policies_free) for a user, role or root ARN. */
int lc_store_principal_policies(struct lc_store *store, const char *principal_arn,
                                struct lc_store_policies *out, struct lc_error *err);
void lc_store_policies_free(struct lc_store_policies *p);

#endif
