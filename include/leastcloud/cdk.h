/*
 * cdk.h: the construct library. Write a stack in C the way AWS CDK users write it in TypeScript,
 * then synthesize the same cloud assembly (cdk.out/) that AWS CDK v2 writes for it.
 *
 * Ownership, once for the whole API: the app owns every construct, token string and staged asset
 * it hands out, until lc_app_free. Nothing returned here is freed by the caller except the app
 * itself and the strings/arrays returned by the "running an app" functions at the end (said there).
 *
 * Tokens are plain strings ("${Token[TOKEN.7]}") that stand for values only known at deploy time;
 * they may be embedded in other strings and resolve at synth to {"Ref": ...}, {"Fn::GetAtt": ...}
 * or {"Fn::Join": ...}, exactly as CDK's tokens do.
 *
 * Mistakes in a stack (duplicate ids, a missing partition key, a bad name, a timeout over 15
 * minutes, a missing asset directory, a token where a literal is required) do not abort: the
 * constructor records a validation error, still returns a usable object, and lc_app_synth reports
 * every recorded error and fails. So a stack reads as straight-line code with no error checks.
 */
#ifndef LEASTCLOUD_CDK_H
#define LEASTCLOUD_CDK_H

#include <stdbool.h>
#include <stddef.h>

struct lc_error;

typedef struct lc_app lc_app;
typedef struct lc_node lc_stack;
typedef struct lc_node lc_table;
typedef struct lc_node lc_function;
typedef struct lc_node lc_role;
typedef struct lc_node lc_user;
typedef struct lc_node lc_policy;
typedef struct lc_node lc_key;
typedef struct lc_node lc_cfn_resource;
typedef struct lc_node lc_output;
typedef struct lc_node lc_construct;
/* An IAM principal that grants attach to: a role, a user, or a function (its execution role). */
typedef struct lc_node lc_grantable;

#define LC_CDK_MAX_LIST 32  /* fixed capacity of the NULL-terminated lists in props */
#define LC_CDK_MAX_ENV 32

/* ---- App and stack --------------------------------------------------------------------------- */

typedef struct {
    /* Context (feature flags such as "@aws-cdk/aws-iam:minimizePolicies", or
     * "aws:cdk:enable-path-metadata") as a JSON object text. Merged over $CDK_CONTEXT_JSON. */
    const char *context_json;
    const char *outdir;  /* default: $CDK_OUTDIR, else "cdk.out" */
} lc_app_props;

/* props may be NULL. Never NULL. Free with lc_app_free. */
lc_app *lc_app_new(const lc_app_props *props);
void lc_app_free(lc_app *app);

typedef struct {
    const char *account;  /* optional; "unknown-account" in the manifest when absent */
    const char *region;   /* optional */
    const char *description;
    bool termination_protection;
} lc_stack_props;

lc_stack *lc_stack_new(lc_app *app, const char *id, const lc_stack_props *props);

/*
 * Validates the app and writes the cloud assembly into props' outdir / $CDK_OUTDIR / "cdk.out",
 * the way a CDK app does when `cdk synth` runs it. Prints validation errors and warnings (such as
 * a deprecated Lambda runtime, with its dates) on stderr. Returns the process exit status: 0, or 1
 * when validation failed (the template is still written for runtime findings, as CDK does).
 */
int lc_app_synth(lc_app *app);
/* The same, into `outdir`, reporting the first failure in *err as well. 0 or a negative LC_E*. */
int lc_app_synth_to(lc_app *app, const char *outdir, struct lc_error *err);
/* Every validation error so far, one per line; "" when none. Borrowed, valid until the next call. */
const char *lc_app_errors(lc_app *app);

/* A construct's path ("SampleCDKStack/read-function") and the logical ID of its CloudFormation
 * resource ("readfunction52D80982"; NULL for constructs with no resource). Borrowed. */
const char *lc_construct_path(const lc_construct *c);
const char *lc_construct_logical_id(const lc_construct *c);
/* Adds a dependency of `c`'s resources on every resource in `on` (CDK's node.addDependency). */
void lc_construct_add_dependency(lc_construct *c, lc_construct *on);

/* ---- Tokens ---------------------------------------------------------------------------------- */

/* True when s contains at least one token. */
bool lc_token_is_unresolved(const char *s);

/* ---- DynamoDB table -------------------------------------------------------------------------- */

typedef enum { LC_ATTR_UNSET = 0, LC_ATTR_STRING, LC_ATTR_NUMBER, LC_ATTR_BINARY } lc_attr_type;

typedef struct {
    const char *name;
    lc_attr_type type;
} lc_attribute;

typedef enum {
    LC_BILLING_DEFAULT = 0,  /* PROVISIONED, as CDK's Table */
    LC_BILLING_PROVISIONED,
    LC_BILLING_PAY_PER_REQUEST,
} lc_billing_mode;

typedef enum {
    LC_STREAM_NONE = 0,
    LC_STREAM_KEYS_ONLY,
    LC_STREAM_NEW_IMAGE,
    LC_STREAM_OLD_IMAGE,
    LC_STREAM_NEW_AND_OLD_IMAGES,
} lc_stream_view;

typedef enum {
    LC_ENCRYPTION_DEFAULT = 0,       /* AWS-owned key; no SSESpecification */
    LC_ENCRYPTION_AWS_MANAGED,       /* SSEEnabled true */
    LC_ENCRYPTION_CUSTOMER_MANAGED,  /* a generated KMS key, with grants on it */
} lc_table_encryption;

typedef enum {
    LC_REMOVAL_DEFAULT = 0,  /* RETAIN for tables and keys, as CDK */
    LC_REMOVAL_RETAIN,
    LC_REMOVAL_DESTROY,
    LC_REMOVAL_SNAPSHOT,
} lc_removal_policy;

typedef enum {
    LC_PROJECTION_ALL = 0,
    LC_PROJECTION_KEYS_ONLY,
    LC_PROJECTION_INCLUDE,
} lc_projection;

typedef struct {
    const char *table_name;  /* optional: CloudFormation generates one when absent */
    lc_attribute partition_key;
    lc_attribute sort_key;   /* optional */
    lc_billing_mode billing_mode;
    int read_capacity;       /* provisioned only; 0 means CDK's default 5 */
    int write_capacity;
    lc_stream_view stream;
    const char *time_to_live_attribute;
    bool point_in_time_recovery;
    lc_table_encryption encryption;
    lc_removal_policy removal_policy;
} lc_table_props;

typedef struct {
    const char *index_name;
    lc_attribute partition_key;  /* global indexes only */
    lc_attribute sort_key;
    lc_projection projection_type;
    const char *non_key_attributes[LC_CDK_MAX_LIST];  /* LC_PROJECTION_INCLUDE; NULL-terminated */
    int read_capacity;  /* provisioned tables; 0 means the table's */
    int write_capacity;
} lc_index_props;

lc_table *lc_table_new(lc_construct *scope, const char *id, const lc_table_props *props);
void lc_table_add_global_secondary_index(lc_table *t, const lc_index_props *props);
void lc_table_add_local_secondary_index(lc_table *t, const lc_index_props *props);

/* Tokens (borrowed, owned by the app). */
const char *lc_table_name(lc_table *t);        /* {"Ref": table} */
const char *lc_table_arn(lc_table *t);         /* {"Fn::GetAtt": [table, "Arn"]} */
const char *lc_table_stream_arn(lc_table *t);  /* {"Fn::GetAtt": [table, "StreamArn"]} */
/* The generated KMS key of a CUSTOMER_MANAGED table; NULL otherwise. */
lc_key *lc_table_encryption_key(lc_table *t);

/* Grants, with CDK's exact statements and order. Return 0 or a negative LC_E*. */
int lc_table_grant_read_data(lc_table *t, lc_grantable *g);
int lc_table_grant_write_data(lc_table *t, lc_grantable *g);
int lc_table_grant_read_write_data(lc_table *t, lc_grantable *g);
int lc_table_grant_full_access(lc_table *t, lc_grantable *g);
int lc_table_grant_stream_read(lc_table *t, lc_grantable *g);
/* table.grant(grantee, ...actions): `actions` is NULL-terminated. */
int lc_table_grant_actions(lc_table *t, lc_grantable *g, const char *const *actions);
#define lc_table_grant(t, g, ...) lc_table_grant_actions((t), (g), (const char *const[]){__VA_ARGS__, NULL})

/* ---- KMS key --------------------------------------------------------------------------------- */

typedef struct {
    const char *description;
    bool enable_key_rotation;
    lc_removal_policy removal_policy;
} lc_key_props;

lc_key *lc_key_new(lc_construct *scope, const char *id, const lc_key_props *props);
const char *lc_key_arn(lc_key *k);
/* key.grant(grantee, ...actions): NULL-terminated actions on the key's ARN. */
int lc_key_grant_actions(lc_key *k, lc_grantable *g, const char *const *actions);

/* ---- Lambda function ------------------------------------------------------------------------- */

/* X(ENUM_SUFFIX, "name"): every runtime name aws-cdk-lib 2.276 knows. */
#define LC_RUNTIME_MAP(X)                                                                         \
    X(NODEJS, "nodejs") X(NODEJS_4_3, "nodejs4.3") X(NODEJS_6_10, "nodejs6.10")                   \
    X(NODEJS_8_10, "nodejs8.10") X(NODEJS_10_X, "nodejs10.x") X(NODEJS_12_X, "nodejs12.x")        \
    X(NODEJS_14_X, "nodejs14.x") X(NODEJS_16_X, "nodejs16.x") X(NODEJS_18_X, "nodejs18.x")        \
    X(NODEJS_20_X, "nodejs20.x") X(NODEJS_22_X, "nodejs22.x") X(NODEJS_24_X, "nodejs24.x")        \
    X(PYTHON_2_7, "python2.7") X(PYTHON_3_6, "python3.6") X(PYTHON_3_7, "python3.7")              \
    X(PYTHON_3_8, "python3.8") X(PYTHON_3_9, "python3.9") X(PYTHON_3_10, "python3.10")            \
    X(PYTHON_3_11, "python3.11") X(PYTHON_3_12, "python3.12") X(PYTHON_3_13, "python3.13")        \
    X(PYTHON_3_14, "python3.14") X(PYTHON_3_15, "python3.15")                                     \
    X(JAVA_8, "java8") X(JAVA_8_CORRETTO, "java8.al2") X(JAVA_8_AL2023, "java8.al2023")           \
    X(JAVA_11, "java11") X(JAVA_11_AL2023, "java11.al2023") X(JAVA_17, "java17")                  \
    X(JAVA_17_AL2023, "java17.al2023") X(JAVA_21, "java21") X(JAVA_25, "java25")                  \
    X(DOTNET_CORE_1, "dotnetcore1.0") X(DOTNET_CORE_2, "dotnetcore2.0")                           \
    X(DOTNET_CORE_2_1, "dotnetcore2.1") X(DOTNET_CORE_3_1, "dotnetcore3.1") X(DOTNET_6, "dotnet6") \
    X(DOTNET_8, "dotnet8") X(DOTNET_9, "dotnet9") X(DOTNET_10, "dotnet10")                        \
    X(GO_1_X, "go1.x") X(RUBY_2_5, "ruby2.5") X(RUBY_2_7, "ruby2.7") X(RUBY_3_2, "ruby3.2")       \
    X(RUBY_3_3, "ruby3.3") X(RUBY_3_4, "ruby3.4") X(RUBY_4_0, "ruby4.0")                          \
    X(PROVIDED, "provided") X(PROVIDED_AL2, "provided.al2") X(PROVIDED_AL2023, "provided.al2023") \
    X(FROM_IMAGE, "FROM_IMAGE")

typedef enum {
    LC_RUNTIME_UNSET = 0,
#define LC__RUNTIME_ENUM(e, name) LC_RUNTIME_##e,
    LC_RUNTIME_MAP(LC__RUNTIME_ENUM)
#undef LC__RUNTIME_ENUM
    LC_RUNTIME__COUNT
} lc_runtime;

/* "nodejs14.x"; NULL for an unknown value. */
const char *lc_runtime_name(lc_runtime r);

typedef struct {
    enum { LC_CODE_NONE = 0, LC_CODE_ASSET, LC_CODE_INLINE } kind;
    const char *path_or_source;  /* asset directory (relative to the working directory) or code */
} lc_code;

static inline lc_code lc_code_from_asset(const char *path) { return (lc_code){LC_CODE_ASSET, path}; }
static inline lc_code lc_code_from_inline(const char *code) { return (lc_code){LC_CODE_INLINE, code}; }

typedef struct {
    const char *name;
    const char *value;  /* may contain tokens */
} lc_env_var;

typedef struct {
    lc_code code;
    const char *handler;
    lc_runtime runtime;
    const char *function_name;  /* optional: generated by CloudFormation when absent */
    const char *description;
    int timeout_s;              /* 0: Lambda's default (3 s, not written); at most 900 */
    int memory_size_mb;         /* 0: Lambda's default (128, not written) */
    lc_env_var environment[LC_CDK_MAX_ENV];  /* ends at the first {NULL} */
    lc_role *role;              /* optional: otherwise a ServiceRole with AWSLambdaBasicExecutionRole */
} lc_function_props;

lc_function *lc_function_new(lc_construct *scope, const char *id, const lc_function_props *props);
const char *lc_function_name(lc_function *f);  /* {"Ref": fn} */
const char *lc_function_arn(lc_function *f);   /* {"Fn::GetAtt": [fn, "Arn"]} */
lc_role *lc_function_role(lc_function *f);
lc_grantable *lc_function_grantable(lc_function *f);
/* lambda:InvokeFunction on the function and its versions. */
int lc_function_grant_invoke(lc_function *f, lc_grantable *g);

/* ---- IAM ------------------------------------------------------------------------------------- */

typedef struct {
    const char *assumed_by;  /* service principal, e.g. "lambda.amazonaws.com" */
    const char *role_name;
    const char *description;
    const char *path;
    /* AWS managed policy names ("service-role/AWSLambdaBasicExecutionRole") or full ARNs. */
    const char *managed_policies[LC_CDK_MAX_LIST];
} lc_role_props;

lc_role *lc_role_new(lc_construct *scope, const char *id, const lc_role_props *props);
const char *lc_role_name(lc_role *r);
const char *lc_role_arn(lc_role *r);
lc_grantable *lc_role_grantable(lc_role *r);

typedef struct {
    const char *user_name;  /* optional */
    const char *path;
    const char *managed_policies[LC_CDK_MAX_LIST];
} lc_user_props;

lc_user *lc_user_new(lc_construct *scope, const char *id, const lc_user_props *props);
const char *lc_user_name(lc_user *u);
const char *lc_user_arn(lc_user *u);
lc_grantable *lc_user_grantable(lc_user *u);

typedef enum { LC_EFFECT_ALLOW = 0, LC_EFFECT_DENY } lc_effect;

typedef struct {
    lc_effect effect;
    const char *actions[LC_CDK_MAX_LIST];    /* NULL-terminated */
    const char *resources[LC_CDK_MAX_LIST];  /* NULL-terminated; may contain tokens */
    const char *sid;
} lc_statement;

/* Adds a statement to the principal's DefaultPolicy (CDK's addToPrincipalPolicy). */
int lc_grantable_add_to_policy(lc_grantable *g, const lc_statement *s);

typedef struct {
    const char *policy_name;  /* optional: its logical ID */
    lc_statement statements[8];  /* ends at the first statement without actions */
} lc_policy_props;

lc_policy *lc_policy_new(lc_construct *scope, const char *id, const lc_policy_props *props);
void lc_policy_add_statement(lc_policy *p, const lc_statement *s);
void lc_policy_attach_to_role(lc_policy *p, lc_role *r);
void lc_policy_attach_to_user(lc_policy *p, lc_user *u);

/* AWS::IAM::AccessKey (CDK's L1 CfnAccessKey). */
typedef struct {
    const char *user_name;  /* usually lc_user_name(user) */
    const char *status;     /* optional: "Active" / "Inactive" */
} lc_access_key_props;

lc_cfn_resource *lc_access_key_new(lc_construct *scope, const char *id, const lc_access_key_props *props);
const char *lc_access_key_ref(lc_cfn_resource *k);     /* the access key id */
const char *lc_access_key_secret(lc_cfn_resource *k);  /* GetAtt SecretAccessKey */

/* ---- Raw CloudFormation resources and outputs ------------------------------------------------ */

typedef struct {
    const char *type;             /* "AWS::SNS::Topic" */
    const char *properties_json;  /* a JSON object; strings in it may hold tokens; key order kept */
} lc_cfn_resource_props;

lc_cfn_resource *lc_cfn_resource_new(lc_construct *scope, const char *id, const lc_cfn_resource_props *props);
const char *lc_cfn_ref(lc_cfn_resource *r);
const char *lc_cfn_get_att(lc_cfn_resource *r, const char *attribute);
/* Escape hatch: sets (or with value_json NULL removes) one property; the value is JSON text. */
void lc_cfn_add_property_override(lc_cfn_resource *r, const char *property, const char *value_json);

typedef struct {
    const char *value;  /* may be or contain tokens */
    const char *description;
    const char *export_name;
} lc_output_props;

lc_output *lc_output_new(lc_construct *scope, const char *id, const lc_output_props *props);

/* ---- Assets ---------------------------------------------------------------------------------- */

/* CDK's source fingerprint of a file or directory (AssetHashType.SOURCE, symlinks EXTERNAL):
 * writes 64 hex digits and a NUL into out65. 0 or a negative LC_E* with *err filled. */
int lc_cdk_asset_hash(const char *path, char out65[65], struct lc_error *err);

/* ---- Running an app (for the CLI: synth, ls, deploy) ----------------------------------------- */

typedef struct {
    const char *dir;     /* the folder with cdk.json; NULL for the working directory */
    const char *app;     /* overrides cdk.json's "app": a command, or an existing assembly folder */
    const char *outdir;  /* default <dir>/cdk.out */
    bool quiet;          /* do not print deprecated-runtime warnings */
} lc_cdk_run_opts;

/*
 * Runs the app of cdk.json as the CDK CLI does (CDK_OUTDIR, CDK_CONTEXT_JSON with cdk.json's and
 * cdk.context.json's context and the CLI's defaults), then checks the assembly it wrote and prints
 * CDK's deprecated-runtime warnings. When the app is an assembly folder it is used as is.
 * On success *assembly_dir receives the assembly's absolute path (caller frees with lc_free).
 */
int lc_cdk_synth_app(const lc_cdk_run_opts *opts, char **assembly_dir, struct lc_error *err);

typedef struct {
    char *name;           /* stack artifact id, e.g. "SampleCDKStack" */
    char *template_path;  /* absolute path of <name>.template.json */
    char *environment;    /* "aws://unknown-account/unknown-region" */
} lc_cdk_stack_info;

/* Lists the stacks of an assembly (manifest.json), in manifest order. Caller frees with
 * lc_cdk_stack_infos_free. */
int lc_cdk_assembly_stacks(const char *assembly_dir, lc_cdk_stack_info **stacks, size_t *count,
                           struct lc_error *err);
void lc_cdk_stack_infos_free(lc_cdk_stack_info *stacks, size_t count);

/* Deprecated-runtime findings of one template file, printed as CDK's validation prints them.
 * Returns how many were found (0 when none), or a negative LC_E*. */
int lc_cdk_check_runtimes(const char *template_path, const char *stack_name, bool print);
/* CDK's warning text for a runtime past its deprecation date, or NULL (caller frees with lc_free). */
char *lc_cdk_runtime_warning(const char *runtime_name);

#endif
