/*
 * internal.h: the construct tree shared by the files of src/cdk/.
 *
 * Every construct is a struct lc_node in one tree (app -> stacks -> constructs). A node that is a
 * CloudFormation resource (CDK's L1, "Resource" children mostly) carries a struct cfn with its
 * type and properties as jansson values in which strings may hold tokens; synth resolves them.
 */
#ifndef LC_CDK_INTERNAL_H
#define LC_CDK_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "leastcloud/buf.h"
#include "leastcloud/cdk.h"

enum node_kind {
    N_APP, N_STACK, N_TABLE, N_FUNCTION, N_ROLE, N_USER, N_POLICY, N_KEY, N_CFN, N_OUTPUT,
    N_PLAIN,  /* a construct with no behaviour of its own (asset, log group wrapper, ...) */
};

struct statement {
    lc_effect effect;
    char **actions;
    size_t nactions;
    char **resources;  /* token strings; an entry may be a "lazy" token that resolves to nothing */
    size_t nresources;
    char *sid;
};

struct statement_list {
    struct statement *items;
    size_t len, cap;
};

struct cfn {
    char *type;
    json_t *props;            /* owned; keys in output order */
    char *logical_id;
    const char *update_replace_policy;  /* "Retain", "Delete", "Snapshot" or NULL */
    const char *deletion_policy;
    struct lc_node **deps;    /* constructs this resource depends on (their resources, at synth) */
    size_t ndeps, capdeps;
    json_t *asset_metadata;   /* owned or NULL: aws:asset:* entries of the Metadata */
    bool plain_id;            /* L1 created directly by the user: logical ID has no hash */
    /* Fills props from the node's state just before synth (policies, functions). */
    void (*render)(struct lc_node *self);
};

struct index_def {
    bool global;
    char *name;
    char *pk, *sk;
    lc_attr_type pk_type, sk_type;
    lc_projection projection;
    char **non_key;
    size_t nnon_key;
    int rcu, wcu;
};

struct lc_node {
    enum node_kind kind;
    struct lc_app *app;
    struct lc_node *parent;
    char *id;
    char *path;  /* from the app: "Stack/a/b" */
    const char *fqn;
    struct lc_node **children;
    size_t nchildren, capchildren;
    struct cfn *cfn;  /* when this node is a CloudFormation resource */
    struct lc_node *resource;  /* L2: its default child "Resource" */

    /* kind-specific state */
    union {
        struct {
            char *account, *region;
            bool termination_protection;
            char *description;
        } stack;
        struct {
            struct index_def *indexes;
            size_t nindexes;
            json_t *attrs;  /* AttributeDefinitions, in registration order */
            lc_billing_mode billing;
            int rcu, wcu;
            struct lc_node *key;
            bool has_stream;
            char *pk, *sk;
        } table;
        struct {
            struct lc_node *role;
            struct lc_node *log_group;
            lc_runtime runtime;
            char *asset_source;  /* absolute path of the asset directory, or NULL */
            char asset_hash[65];
        } fn;
        struct {
            struct lc_node *default_policy;  /* N_POLICY child, created at the first grant */
        } principal;  /* N_ROLE and N_USER */
        struct {
            struct statement_list statements;
            struct lc_node **roles, **users;
            size_t nroles, nusers;
            bool is_default;
            char *name;
            struct lc_node *owner;
        } policy;
    } u;
};

struct token {
    enum { TOK_REF, TOK_GETATT, TOK_INDEX_ARN } kind;
    struct lc_node *target;  /* the resource (L1) node; for TOK_INDEX_ARN, the table (L2) */
    char *attr;
    char *text;              /* "${Token[TOKEN.n]}" */
};

struct lc_app {
    struct lc_node root;
    json_t *context;  /* owned object */
    char *outdir;
    struct token *tokens;
    size_t ntokens, captokens;
    struct lc_buf errors;
    size_t nerrors;
    char **warnings;  /* printed at synth */
    size_t nwarnings;
};

/* tree.c */
struct lc_node *lc__node_new(struct lc_node *scope, const char *id, enum node_kind kind, const char *fqn);
struct lc_node *lc__stack_of(struct lc_node *n);
void lc__node_add_dep(struct lc_node *n, struct lc_node *on);
struct cfn *lc__cfn_attach(struct lc_node *n, const char *type);
/* Creates an L1 child (usually "Resource") of `scope` with `type`. */
struct lc_node *lc__cfn_child(struct lc_node *scope, const char *id, const char *type, const char *fqn);
void lc__app_error(struct lc_app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool lc__context_flag(struct lc_app *app, const char *key);
void lc__node_free(struct lc_node *n);
void lc__nodes_walk(struct lc_node *n, void (*fn)(struct lc_node *, void *), void *ctx);
/* Validates an id (no tokens, no '/'): returns false and records an error otherwise. */
bool lc__literal_required(struct lc_app *app, const char *what, const char *value);

/* logical_id.c */
char *lc__make_unique_id(const char *const *components, size_t n);
char *lc__logical_id_for(struct lc_node *n);

/* token.c */
const char *lc__token(struct lc_app *app, int kind, struct lc_node *target, const char *attr);
const char *lc__ref(struct lc_node *l1);
const char *lc__getatt(struct lc_node *l1, const char *attr);
/* Resolves tokens inside v (deep copy); values resolving to nothing are dropped from arrays and
 * objects. Returns a new reference (NULL when v itself resolves to nothing). */
json_t *lc__resolve(struct lc_app *app, const json_t *v);
/* Resolves one string (new reference, NULL for nothing). */
json_t *lc__resolve_string(struct lc_app *app, const char *s);

/* policy.c */
void lc__statement_list_add(struct statement_list *l, lc_effect effect, const char *const *actions,
                            size_t nactions, const char *const *resources, size_t nresources,
                            const char *sid);
void lc__statement_list_free(struct statement_list *l);
/* Renders a policy document {"Statement": [...], "Version": "2012-10-17"} (unresolved tokens). */
json_t *lc__policy_document(struct lc_app *app, const struct statement_list *l);
/* Resolves and post-processes a document as CDK does (dedupe; merge and sort when minimizing). */
json_t *lc__policy_document_resolved(struct lc_app *app, const struct statement_list *l);
struct lc_node *lc__principal_of(struct lc_node *g);
int lc__grant(struct lc_node *g, const char *const *actions, size_t nactions,
              const char *const *resources, size_t nresources);

/* asset.c */
int lc__asset_stage(const char *src, const char *outdir, const char *hash, struct lc_error *err);

/* runtime.c */
struct runtime_life {
    const char *name, *deprecated, *create_block, *update_block, *successor;
};
const struct runtime_life *lc__runtime_life(const char *name);

/* synth.c */
json_t *lc__stack_template(struct lc_node *stack);

/* function.c */
bool lc__function_deprecated_runtime(struct lc_node *fn, char **warning);

/* Sorting helper shared by DependsOn and tree order: JavaScript's localeCompare for ASCII paths. */
int lc__locale_compare(const char *a, const char *b);

/* util: a NULL-terminated list's length bounded by LC_CDK_MAX_LIST. */
size_t lc__list_len(const char *const *list, size_t max);

#endif
