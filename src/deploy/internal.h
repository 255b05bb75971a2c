/*
 * internal.h: what the files of src/deploy share: the template, the intrinsic-function evaluator,
 * the dependency graph and the resource providers.
 */
#ifndef LC_DEPLOY_INTERNAL_H
#define LC_DEPLOY_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "leastcloud/buf.h"

struct lc_error;
struct lc_store;

/* ---- template.c / yaml.c ---- */

/* Parses a template in JSON or YAML (short forms such as !Ref, !GetAtt, !Sub become their long
 * forms). Returns a new reference or NULL with err (ValidationError, "Template format error: ..."). */
json_t *lc_cfn_template_parse(const char *text, size_t len, struct lc_error *err);
json_t *lc_cfn_yaml_parse(const char *text, size_t len, struct lc_error *err);

/* ---- intrinsic.c ---- */

/* Resolves the run-time values of resources: Ref and Fn::GetAtt of a logical id. */
struct lc_cfn_resolver {
    /* *out: a new reference. LC_ENOTFOUND when the resource is not (yet) created. */
    int (*ref)(void *ud, const char *logical_id, json_t **out, struct lc_error *err);
    int (*getatt)(void *ud, const char *logical_id, const char *attr, json_t **out,
                  struct lc_error *err);
    /* Fn::ImportValue: a new string, or NULL when no stack exports the name. */
    char *(*import_value)(void *ud, const char *name);
    void *ud;
};

struct lc_cfn_eval {
    const json_t *template;      /* borrowed: the whole template */
    json_t *params;              /* owned: name -> value (string, or array for list types) */
    json_t *conditions;          /* owned: name -> true/false, filled as they are evaluated */
    const char *account, *region, *partition, *url_suffix, *stack_name, *stack_id;
    struct lc_cfn_resolver resolver;
    bool rules;                  /* inside Rules: Fn::Contains, Fn::EachMemberEquals/In allowed */
    int depth;
};

/* Evaluates every intrinsic function in `in`. *out receives a new reference, or NULL when the value
 * is AWS::NoValue (the caller drops the key or element). */
int lc_cfn_eval(struct lc_cfn_eval *ev, const json_t *in, json_t **out, struct lc_error *err);
/* The value of the template's condition `name` (evaluated once, then cached in ev->conditions). */
int lc_cfn_condition(struct lc_cfn_eval *ev, const char *name, bool *out, struct lc_error *err);
/* A scalar as CloudFormation turns it into a string ("10", "true"); NULL for objects and arrays.
 * Caller frees with lc_free. */
char *lc_cfn_scalar_string(const json_t *v);
/* Fn::GetAZs' answer for a region (a new array). */
json_t *lc_cfn_azs(const char *region);

/* ---- parameter.c ---- */

/* Resolves the template's parameters from `given` (name -> string; may be NULL) and their defaults,
 * checking types and constraints; SSM parameter types are answered locally (the CDK bootstrap
 * version parameter gets `bootstrap_version`). Every problem is appended to `problems` (a JSON
 * array of strings). Returns a new object name -> value. */
json_t *lc_cfn_parameters_resolve(const json_t *template, const json_t *given,
                                  const char *bootstrap_version, json_t *problems);

/* ---- rule.c ---- */

/* Evaluates the template's Rules; each failed assertion is appended to problems. */
int lc_cfn_rules_check(struct lc_cfn_eval *ev, json_t *problems, struct lc_error *err);

/* ---- validate.c ---- */

/* Static checks of the whole template: sections, resource types, properties against the schemas,
 * references, conditions, DependsOn, cycles. Appends one string per problem to `problems`. */
void lc_cfn_validate(const json_t *template, const json_t *params, json_t *problems);
/* Joins problems into one message: "Template format error: N problems:\n  1. ...". */
int lc_cfn_problems_error(const json_t *problems, struct lc_error *err);

/* ---- graph.c ---- */

/* Logical ids that `value` refers to through Ref, Fn::GetAtt and Fn::Sub (appended to deps, a JSON
 * array of strings, without duplicates; only names that are resources of the template). */
void lc_cfn_collect_refs(const json_t *resources, const json_t *value, json_t *deps);
/* All dependencies of one resource: references in Properties (and Metadata/Condition-free parts)
 * plus DependsOn. A new array. */
json_t *lc_cfn_resource_deps(const json_t *resources, const char *logical_id);
/* Topological order of `resources` (only the names in `include`, an object used as a set, or all
 * when NULL). Returns a new array of logical ids, or NULL when there is a cycle, with `cycle`
 * (when not NULL) receiving the names on it. Ties keep the template's order. */
json_t *lc_cfn_topo_order(const json_t *resources, const json_t *include, json_t **cycle);

/* ---- physical_name.c ---- */

/* CloudFormation's generated name: "<stack>-<logical>-<12 random [A-Z0-9]>", both parts shortened
 * to fit max_len. Caller frees with lc_free. */
char *lc_cfn_physical_name(const char *stack_name, const char *logical_id, size_t max_len);

/* ---- providers (provider.c, provider_*.c) ---- */

struct lc_ddb;

struct lc_provider_call {
    struct lc_store *store;
    struct lc_ddb *ddb;        /* opened by the engine before any provider runs */
    const char *stack_name, *stack_id, *logical_id, *type;
    const char *account, *region, *partition;
    const char *assets_dir;    /* the cloud assembly (for Lambda code), may be NULL */
    const char *template_dir;  /* where the template file was, may be NULL */
    bool strict;
    void (*warn)(void *ud, const char *logical_id, const char *message);
    void *warn_ud;
};

struct lc_provider {
    const char *type;
    const char *name_prop;  /* the property that names the resource ("TableName"), or NULL */
    size_t name_max;        /* longest generated name */
    /* Creates the resource from its resolved properties. *physical_id (caller frees) is what Ref
     * returns; *attrs (new object) holds the Fn::GetAtt values. */
    int (*create)(const struct lc_provider_call *c, const json_t *props, char **physical_id,
                  json_t **attrs, struct lc_error *err);
    /* Changes it in place; NULL when every change replaces. *attrs as for create. */
    int (*update)(const struct lc_provider_call *c, const char *physical_id, const json_t *old_props,
                  const json_t *new_props, json_t **attrs, struct lc_error *err);
    int (*remove)(const struct lc_provider_call *c, const char *physical_id, const json_t *props,
                  const json_t *attrs, struct lc_error *err);
};

const struct lc_provider *lc_provider_find(const char *type);

extern const struct lc_provider lc_provider_ddb_table;
extern const struct lc_provider lc_provider_iam_role, lc_provider_iam_policy,
    lc_provider_iam_managed_policy, lc_provider_iam_user, lc_provider_iam_access_key,
    lc_provider_iam_group;
extern const struct lc_provider lc_provider_lambda_function, lc_provider_lambda_permission;
extern const struct lc_provider lc_provider_kms_key, lc_provider_sns_topic,
    lc_provider_sns_subscription, lc_provider_cloudwatch_alarm, lc_provider_cdk_metadata;

/* Helpers for providers. */
const char *lc_prov_str(const json_t *props, const char *key);   /* borrowed string or NULL */
/* The name to give: props[name_prop] when set, else a generated one. Caller frees. */
char *lc_prov_name(const struct lc_provider_call *c, const json_t *props, const char *name_prop,
                   size_t max_len);
/* A policy document property (object or JSON string) as compact JSON text. Caller frees. */
char *lc_prov_policy_text(const json_t *doc);

#endif
