/*
 * iam_internal.h: the compiled form of a policy, shared by the files of src/iam.
 *
 * A policy is compiled while it is parsed: actions are lower-cased, resource patterns are split
 * into ARN parts, condition values are pre-parsed (numbers, dates, CIDRs, booleans) and every
 * string that holds a policy variable is flagged so that evaluation substitutes only those.
 */
#ifndef LC_IAM_INTERNAL_H
#define LC_IAM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leastcloud/buf.h"
#include "leastcloud/iam.h"

/* A pattern string with flags computed once. */
struct iam_pat {
    char *s;
    size_t len;
    bool has_var;   /* contains "${" */
    bool has_wild;  /* contains '*' or '?' outside variables */
};

struct iam_action_pat {
    struct iam_pat p;  /* lower-cased "service:name" pattern, or "*" */
    bool all;
};

/* A resource pattern: "*" or an ARN pattern split into its six parts. */
struct iam_res_pat {
    struct iam_pat whole;
    bool all;
    bool is_arn;
    /* Views into whole.s: partition, service, region, account, resource. */
    struct lc_cur part[5];
    bool part_literal[5];  /* no wildcard and no variable: compared without the glob matcher */
};

enum iam_principal_kind { IAM_PR_AWS, IAM_PR_SERVICE, IAM_PR_FEDERATED, IAM_PR_CANONICAL, IAM_PR_ANY };

struct iam_principal {
    enum iam_principal_kind kind;
    char *value;  /* "*" or an ARN / account id / service name */
};

enum iam_cond_op {
    IAM_OP_STRING_EQUALS,
    IAM_OP_STRING_NOT_EQUALS,
    IAM_OP_STRING_EQUALS_IC,
    IAM_OP_STRING_NOT_EQUALS_IC,
    IAM_OP_STRING_LIKE,
    IAM_OP_STRING_NOT_LIKE,
    IAM_OP_NUMERIC_EQUALS,
    IAM_OP_NUMERIC_NOT_EQUALS,
    IAM_OP_NUMERIC_LT,
    IAM_OP_NUMERIC_LTE,
    IAM_OP_NUMERIC_GT,
    IAM_OP_NUMERIC_GTE,
    IAM_OP_DATE_EQUALS,
    IAM_OP_DATE_NOT_EQUALS,
    IAM_OP_DATE_LT,
    IAM_OP_DATE_LTE,
    IAM_OP_DATE_GT,
    IAM_OP_DATE_GTE,
    IAM_OP_BOOL,
    IAM_OP_BINARY_EQUALS,
    IAM_OP_IP_ADDRESS,
    IAM_OP_NOT_IP_ADDRESS,
    IAM_OP_ARN_EQUALS,
    IAM_OP_ARN_LIKE,
    IAM_OP_ARN_NOT_EQUALS,
    IAM_OP_ARN_NOT_LIKE,
    IAM_OP_NULL,
    IAM_OP_COUNT
};

enum iam_set_op { IAM_SET_NONE, IAM_SET_FOR_ANY, IAM_SET_FOR_ALL };

/* One pre-parsed condition value. */
struct iam_cond_value {
    struct iam_pat p;
    bool num_ok;     /* numeric operators: the value parsed */
    double num;
    bool date_ok;    /* date operators */
    int64_t date_ms;
    bool ip_ok;      /* IpAddress: family, address bytes, prefix length */
    int ip_family;   /* 4 or 6 */
    uint8_t ip[16];
    int ip_prefix;
};

struct iam_condition {
    enum iam_cond_op op;
    enum iam_set_op set;
    bool if_exists;
    char *key;        /* lower-cased */
    char *key_orig;   /* as written */
    size_t n_values;
    struct iam_cond_value *values;
};

struct iam_statement {
    char *sid;                   /* "" when absent */
    bool deny;
    bool not_action;
    size_t n_actions;
    struct iam_action_pat *actions;
    bool has_resource;           /* Resource or NotResource present */
    bool not_resource;
    size_t n_resources;
    struct iam_res_pat *resources;
    bool has_principal;          /* Principal or NotPrincipal present */
    bool not_principal;
    size_t n_principals;
    struct iam_principal *principals;
    size_t n_conditions;
    struct iam_condition *conditions;
};

struct lc_iam_policy {
    enum lc_iam_policy_kind kind;
    char *version;  /* "2012-10-17", "2008-10-17" or "" */
    char *id;
    size_t n_statements;
    struct iam_statement *statements;
};

/* ---- request (request.c) */

struct iam_ctx_entry {
    char *key;       /* lower-cased */
    size_t key_len;
    size_t n, cap;
    char **values;
    bool marked_list; /* lc_iam_request_mark_multivalued, or more than one value added */
};

/* The key is list-valued: marked so, more than one value, or a key AWS defines as multi-valued
 * (looked up only here, when a condition or variable needs it, not for every key of every call). */
bool lc__iam_ctx_is_list(const struct iam_ctx_entry *e);

/* Every string of a request lives in its arena: a request is filled and reset once per API call,
 * and a dozen context keys each with a malloc'd key, value and value array were most of its cost. */
struct iam_arena_chunk {
    struct iam_arena_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

struct lc_iam_request {
    struct iam_arena_chunk *arena;  /* newest first; reset keeps only the first (largest) */
    char *principal;
    enum lc_iam_principal_type principal_type;
    char *account;
    char *action;          /* as given */
    char *action_lc;       /* lower-cased */
    char *resource;
    bool resource_is_arn;
    struct lc_cur resource_part[5];  /* views into resource */
    char *resource_account;
    size_t n_ctx, cap_ctx;
    struct iam_ctx_entry *ctx;
};

const struct iam_ctx_entry *lc__iam_request_find(const struct lc_iam_request *r, const char *key, size_t len);

/* ---- wildcard and ARN helpers (wildcard.c, arn.c) */

bool lc__iam_wild(const char *p, size_t plen, const char *s, size_t slen, bool ci);
void lc__iam_split_arn(const char *s, size_t len, struct lc_cur part[5]);
void lc__iam_split_arn_pattern(const char *s, size_t len, struct lc_cur part[5]);

/* ---- per-evaluation scratch space for resolved variables (variable.c) */

/* Starts on the caller's stack; grows onto the heap only for very long resolved strings. */
struct iam_scratch {
    char *data;
    size_t len, cap;
    bool heap;
};

void lc__iam_scratch_init(struct iam_scratch *s, char *stack, size_t size);
void lc__iam_scratch_free(struct iam_scratch *s);

/* ---- variables (variable.c) */

/*
 * Resolves a policy string that holds variables into a pattern in out: `*` and `?` written in the
 * policy stay wildcards when keep_wild (else they are escaped), while `${*}`, `${?}`, `${$}` and
 * the characters of substituted values are literal, escaped with a backslash for
 * lc__iam_wild_esc. Returns false when a variable has no single value and no default: AWS then
 * treats the string as matching nothing.
 */
bool lc__iam_resolve(const struct iam_pat *p, const struct lc_iam_request *r, bool keep_wild, struct iam_scratch *out);
/* Wildcard match where '\\' escapes the next pattern character (output of lc__iam_resolve). */
bool lc__iam_wild_esc(const char *p, size_t plen, const char *s, size_t slen, bool ci);
/* Compiles flags for a pattern string. */
void lc__iam_pat_init(struct iam_pat *p, char *owned);

/* ---- matchers (matcher.c) */

bool lc__iam_action_matches(const struct iam_statement *st, const char *action_lc, size_t len);
bool lc__iam_resource_matches(const struct iam_statement *st, const struct lc_iam_request *r, struct iam_scratch *scratch);
/* How a resource-based statement's Principal names the caller. */
enum iam_pmatch {
    IAM_PM_NONE = 0,
    IAM_PM_ACCOUNT,  /* the caller's account root: delegates to the account's identity policies */
    IAM_PM_ROLE,     /* the role whose session calls: grants within boundaries and session policies */
    IAM_PM_ANY,      /* "*": grants past a permissions boundary, within session policies */
    IAM_PM_DIRECT,   /* the user ARN, the session ARN or the service itself: grants on its own */
};
enum iam_pmatch lc__iam_principal_match(const struct iam_statement *st, const struct lc_iam_request *r);

/* ---- conditions (condition.c) */

bool lc__iam_conditions_match(const struct iam_statement *st, const struct lc_iam_request *r, struct iam_scratch *scratch);
/* Operator table: name without set/IfExists qualifiers. -1 when unknown. */
int lc__iam_cond_op_from_name(const char *name, size_t len);
const char *lc__iam_cond_op_name(enum iam_cond_op op);
/* Pre-parses a value for its operator; false when the value is invalid for it. */
bool lc__iam_cond_value_prepare(enum iam_cond_op op, struct iam_cond_value *v);
bool lc__iam_parse_ip(const char *s, size_t len, bool allow_prefix, int *family, uint8_t ip[16], int *prefix);
bool lc__iam_parse_date(const char *s, size_t len, int64_t *ms);
bool lc__iam_parse_number(const char *s, size_t len, double *out);

#endif
