/* test_stack.c: stacks end to end on a real state: create, update, delete, rollback, recovery. */
#include "lc_test.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "leastcloud/alloc.h"
#include "leastcloud/ddb.h"
#include "leastcloud/deploy.h"
#include "leastcloud/error.h"
#include "leastcloud/json.h"
#include "leastcloud/store.h"
#include "leastcloud/store_iam.h"
#include "leastcloud/store_lambda.h"
#include "leastcloud/store_stacks.h"

struct fixture {
    char dir[256];
    struct lc_store *store;
};

static int setup(void **state)
{
    struct fixture *f = lc_calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/lc-deploy-test-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    struct lc_error err;
    if (lc_store_open(f->dir, NULL, &f->store, &err) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    lc_store_close(f->store);
    char *cmd = lc_asprintf("rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
    lc_free(cmd);
    lc_free(f);
    return 0;
}

static char *s_ref(const char *variant_path)
{
    return lc_asprintf("%s/tests/data/cdk-reference/%s", lc_test_source_dir(), variant_path);
}

static int s_deploy_file(struct fixture *f, const char *stack, const char *path, bool strict,
                         struct lc_deploy_result *r, struct lc_error *err)
{
    struct lc_deploy_options opt = {.stack_name = stack, .template_path = path, .strict = strict};
    return lc_deploy_stack(f->store, &opt, r, err);
}

static int s_deploy_ref(struct fixture *f, const char *stack, const char *variant_path, struct lc_deploy_result *r,
                        struct lc_error *err)
{
    char *p = s_ref(variant_path);
    int rc = s_deploy_file(f, stack, p, false, r, err);
    lc_free(p);
    return rc;
}

static int s_deploy_body(struct fixture *f, const char *stack, const char *body, struct lc_deploy_result *r,
                         struct lc_error *err)
{
    struct lc_deploy_options opt = {.stack_name = stack, .template_body = body};
    return lc_deploy_stack(f->store, &opt, r, err);
}

static const char *s_output(const struct lc_deploy_result *r, const char *key)
{
    size_t i;
    json_t *o;
    json_array_foreach(r->outputs, i, o) if (!strcmp(lc_json_str(o, "OutputKey"), key)) return lc_json_str(o, "OutputValue");
    return NULL;
}

static bool s_principal(struct fixture *f, enum lc_principal_type type, const char *name)
{
    struct lc_store_principal p;
    return lc_store_principal_get_by_name(f->store, type, name, &p, NULL) == 0;
}

static bool s_table(struct fixture *f, const char *name)
{
    struct lc_ddb *ddb;
    struct lc_error err;
    assert_int_equal(lc_ddb_open(f->store, &ddb, &err), 0);
    bool exists = lc_ddb_table_exists(ddb, name);
    lc_ddb_free(ddb);
    return exists;
}

static int s_count_resources(const struct lc_stack_resource *r, void *ud)
{
    (*(int *)ud)++;
    return 0;
}

static void test_seed_stack_creates_every_resource_and_its_outputs(void **state)
{
    struct fixture *f = *state;
    struct lc_deploy_result r;
    struct lc_error err;
    if (s_deploy_ref(f, "SampleCDKStack", "seed/default/SampleCDKStack.template.json", &r, &err))
        fail_msg("%s", err.message);
    assert_string_equal(r.status, "CREATE_COMPLETE");
    assert_true(s_table(f, "dynamoTable"));
    /* The access key in the outputs is a working key of read-table-user. */
    struct lc_store_key key;
    assert_int_equal(lc_store_key_lookup(f->store, s_output(&r, "accessToken"), &key, &err), 0);
    assert_string_equal(key.secret, s_output(&r, "secretAccessToken"));
    assert_non_null(strstr(key.principal_arn, ":user/read-table-user"));
    char *doc = lc_store_inline_policy_get(f->store, key.principal_arn, "readTableUserDefaultPolicyFD186BB0", &err);
    assert_non_null(doc);
    assert_non_null(strstr(doc, "dynamodb:GetItem"));
    assert_non_null(strstr(doc, "arn:aws:dynamodb:us-east-1:000000000000:table/dynamoTable"));
    lc_free(doc);
    /* The function, its role and the AWS-managed policy CDK attaches, with its real document. */
    struct lc_lambda_function fn;
    assert_int_equal(lc_store_lambda_get(f->store, "read-function", &fn, &err), 0);
    assert_string_equal(fn.runtime, "nodejs14.x");
    assert_string_equal(fn.handler, "index.handler");
    assert_int_equal(fn.timeout_s, 10);
    assert_string_equal(fn.environment, "{\"DYNAMO_TABLE_NAME\":\"dynamoTable\"}");
    char *index = lc_asprintf("%s/index.js", fn.code_dir);
    assert_int_equal(access(index, R_OK), 0);
    lc_free(index);
    char *policy = lc_store_managed_policy_document(
        f->store, "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", &err);
    assert_non_null(policy);
    assert_non_null(strstr(policy, "logs:CreateLogStream"));
    lc_free(policy);
    struct lc_store_principal role;
    assert_int_equal(lc_store_principal_get(f->store, fn.role, &role, &err), 0);
    assert_non_null(strstr(role.name, "SampleCDKStack-readfunctionServiceRole"));
    lc_lambda_function_clear(&fn);
    /* Deploying the same template again changes nothing. */
    lc_deploy_result_clear(&r);
    assert_int_equal(s_deploy_ref(f, "SampleCDKStack", "seed/default/SampleCDKStack.template.json", &r, &err), 0);
    assert_true(r.no_changes);
    lc_deploy_result_clear(&r);
}

static void test_destroy_keeps_the_retained_table_and_its_items_and_redeploy_fails_cleanly(void **state)
{
    struct fixture *f = *state;
    struct lc_deploy_result r;
    struct lc_error err;
    assert_int_equal(s_deploy_ref(f, "SampleCDKStack", "seed/default/SampleCDKStack.template.json", &r, &err), 0);
    lc_deploy_result_clear(&r);
    struct lc_ddb *ddb;
    assert_int_equal(lc_ddb_open(f->store, &ddb, &err), 0);
    json_t *put = json_pack("{s:s, s:{s:{s:s}, s:{s:s}}}", "TableName", "dynamoTable", "Item", "timestamp", "N", "1",
                            "message", "S", "kept"), *resp = NULL;
    if (lc_ddb_put_item(ddb, put, &resp, &err))
        fail_msg("%s", err.message);
    json_decref(put);
    json_decref(resp);

    assert_int_equal(lc_deploy_delete_stack(f->store, "SampleCDKStack", NULL, &err), 0);
    assert_false(s_principal(f, LC_PRINCIPAL_USER, "read-table-user"));
    struct lc_lambda_function fn;
    assert_int_equal(lc_store_lambda_get(f->store, "read-function", &fn, NULL), LC_ENOTFOUND);
    assert_true(lc_ddb_table_exists(ddb, "dynamoTable"));
    json_t *get = json_pack("{s:s, s:{s:{s:s}}}", "TableName", "dynamoTable", "Key", "timestamp", "N", "1");
    assert_int_equal(lc_ddb_get_item(ddb, get, &resp, &err), 0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(resp, "Item"), "message"), "S")),
                        "kept");
    json_decref(get);
    json_decref(resp);
    lc_ddb_free(ddb);

    /* As CloudFormation: the retained table's name is taken, the create fails and rolls back. */
    int rc = s_deploy_ref(f, "SampleCDKStack", "seed/default/SampleCDKStack.template.json", &r, &err);
    assert_int_not_equal(rc, 0);
    assert_string_equal(err.message, "dynamoTable already exists");
    assert_string_equal(r.status, "ROLLBACK_COMPLETE");
    assert_false(s_principal(f, LC_PRINCIPAL_USER, "read-table-user"));
    int n = 0;
    lc_store_stack_resource_list(f->store, r.stack_id, s_count_resources, &n, NULL);
    assert_int_equal(n, 0);
    lc_deploy_result_clear(&r);
}

static void test_every_reference_variant_deploys_updates_and_destroys(void **state)
{
    struct fixture *f = *state;
    /* After each update the grants are the new variant's: `who` is the policy's principal ("role" for
     * the function's, "user" for read-table-user's), `has` an action it must now allow, `lacks` one it
     * must no longer allow (NULL: no check). */
    static const struct {
        const char *from, *to, *want, *who, *has, *lacks;
    } cases[] = {
        {"seed/default/SampleCDKStack", "write/default/WriteStack", "UPDATE_COMPLETE", "role", "dynamodb:PutItem",
         "dynamodb:Scan"},
        {"write/default/WriteStack", "readwrite/default/ReadWriteStack", "UPDATE_COMPLETE", "role", "dynamodb:Scan", NULL},
        {"readwrite/default/ReadWriteStack", "full/default/FullAccessStack", "UPDATE_COMPLETE", "role", "dynamodb:*",
         "dynamodb:PutItem"},
        {"full/default/FullAccessStack", "stream/default/StreamStack", "UPDATE_COMPLETE", "role", "dynamodb:ListStreams",
         "dynamodb:*"},
        {"stream/default/StreamStack", "invoke/default/InvokeStack", "UPDATE_COMPLETE", "user", "lambda:InvokeFunction",
         NULL},
        {"invoke/default/InvokeStack", "custom/default/CustomGrantStack", "UPDATE_COMPLETE", "user", "dynamodb:Query",
         "lambda:InvokeFunction"},
        {"custom/default/CustomGrantStack", "seed/minimal/SampleCDKStack", "UPDATE_COMPLETE", "user", "dynamodb:Scan",
         NULL},
        /* A new key schema replaces the table, and its name is fixed: CloudFormation refuses. */
        {"sortkey-gsi/default/SortKeyGsiStack", "seed/default/SampleCDKStack", "UPDATE_ROLLBACK_COMPLETE", "user",
         "dynamodb:GetItem", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char name[32], from[128], to[128];
        snprintf(name, sizeof name, "Variant%zu", i);
        snprintf(from, sizeof from, "%s.template.json", cases[i].from);
        snprintf(to, sizeof to, "%s.template.json", cases[i].to);
        struct lc_deploy_result r;
        struct lc_error err;
        if (s_deploy_ref(f, name, from, &r, &err))
            fail_msg("%s: %s", from, err.message);
        assert_string_equal(r.status, "CREATE_COMPLETE");
        const char *key_before = s_output(&r, "accessToken");
        char *key = lc_strdup(key_before);
        lc_deploy_result_clear(&r);
        s_deploy_ref(f, name, to, &r, &err);
        if (strcmp(r.status, cases[i].want) != 0)
            fail_msg("%s -> %s: %s (%s)", from, to, r.status, err.message);
        /* The user and its key are untouched by every update. */
        struct lc_store_key k;
        assert_int_equal(lc_store_key_lookup(f->store, key, &k, &err), 0);
        lc_free(key);
        char *doc;
        if (!strcmp(cases[i].who, "user")) {
            doc = lc_store_inline_policy_get(f->store, k.principal_arn, "readTableUserDefaultPolicyFD186BB0", &err);
        } else {
            struct lc_lambda_function fn;
            struct lc_store_principal role;
            assert_int_equal(lc_store_lambda_get(f->store, "read-function", &fn, &err), 0);
            assert_int_equal(lc_store_principal_get(f->store, fn.role, &role, &err), 0);
            doc = lc_store_inline_policy_get(f->store, role.arn, "readfunctionServiceRoleDefaultPolicy48580EEC", &err);
            lc_lambda_function_clear(&fn);
        }
        assert_non_null(doc);
        char has[96], lacks[96];
        snprintf(has, sizeof has, "\"%s\"", cases[i].has);
        if (!strstr(doc, has))
            fail_msg("%s -> %s: %s lacks %s: %s", from, to, cases[i].who, cases[i].has, doc);
        if (cases[i].lacks) {
            snprintf(lacks, sizeof lacks, "\"%s\"", cases[i].lacks);
            if (strstr(doc, lacks))
                fail_msg("%s -> %s: %s still allows %s", from, to, cases[i].who, cases[i].lacks);
        }
        lc_free(doc);
        lc_deploy_result_clear(&r);
        if (lc_deploy_delete_stack(f->store, name, NULL, &err))
            fail_msg("destroy after %s: %s", to, err.message);
        assert_false(s_principal(f, LC_PRINCIPAL_USER, "read-table-user"));
        /* The retained table stays; sortkey-gsi's table (DeletionPolicy Delete) goes. Clear it for the next case. */
        if (s_table(f, "dynamoTable")) {
            struct lc_ddb *ddb;
            assert_int_equal(lc_ddb_open(f->store, &ddb, &err), 0);
            json_t *req = json_pack("{s:s}", "TableName", "dynamoTable"), *resp = NULL;
            assert_int_equal(lc_ddb_delete_table(ddb, req, &resp, &err), 0);
            json_decref(req);
            json_decref(resp);
            lc_ddb_free(ddb);
        }
    }
}

static void test_failure_in_the_last_resource_leaves_nothing(void **state)
{
    struct fixture *f = *state;
    const char *body =
        "Resources:\n"
        "  Table:\n"
        "    Type: AWS::DynamoDB::Table\n"
        "    Properties:\n"
        "      KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
        "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n"
        "      BillingMode: PAY_PER_REQUEST\n"
        "  User:\n"
        "    Type: AWS::IAM::User\n"
        "    Properties: {UserName: doomed-user}\n"
        "  Key:\n"
        "    Type: AWS::IAM::AccessKey\n"
        "    Properties: {UserName: !Ref User}\n"
        "  Fn:\n"
        "    Type: AWS::Lambda::Function\n"
        "    DependsOn: [Key, Table]\n"
        "    Properties:\n"
        "      Role: arn:aws:iam::000000000000:role/no-such-role\n"
        "      Runtime: nodejs20.x\n"
        "      Handler: index.handler\n"
        "      Code: {ZipFile: 'exports.handler = async () => 1'}\n";
    struct lc_deploy_result r;
    struct lc_error err;
    assert_int_not_equal(s_deploy_body(f, "Doomed", body, &r, &err), 0);
    assert_string_equal(err.aws_code, "InvalidParameterValueException");
    assert_string_equal(err.message, "The role defined for the function cannot be assumed by Lambda.");
    assert_string_equal(r.status, "ROLLBACK_COMPLETE");
    assert_false(s_principal(f, LC_PRINCIPAL_USER, "doomed-user"));
    struct lc_ddb *ddb;
    assert_int_equal(lc_ddb_open(f->store, &ddb, &err), 0);
    json_t *req = json_object(), *resp = NULL;
    if (lc_ddb_list_tables(ddb, req, &resp, NULL) == 0)
        assert_int_equal(json_array_size(json_object_get(resp, "TableNames")), 0);
    json_decref(req);
    json_decref(resp);
    lc_ddb_free(ddb);
    lc_deploy_result_clear(&r);
}

static void test_a_malformed_policy_fails_as_iam_does_and_rolls_back(void **state)
{
    struct fixture *f = *state;
    const char *body = "Resources:\n  U:\n    Type: AWS::IAM::User\n    Properties: {UserName: pol-user}\n"
                       "  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: p\n"
                       "      Users: [!Ref U]\n      PolicyDocument: {Version: '2012-10-17', Statement: "
                       "[{Effect: Allw, Action: 'dynamodb:GetItem', Resource: '*'}]}\n";
    struct lc_deploy_result r;
    struct lc_error err;
    assert_int_not_equal(s_deploy_body(f, "Pol", body, &r, &err), 0);
    assert_string_equal(err.aws_code, "MalformedPolicyDocument");
    assert_string_equal(r.status, "ROLLBACK_COMPLETE");
    assert_false(s_principal(f, LC_PRINCIPAL_USER, "pol-user"));
    lc_deploy_result_clear(&r);
}

static void test_a_template_with_problems_creates_no_stack(void **state)
{
    struct fixture *f = *state;
    struct lc_deploy_result r;
    struct lc_error err;
    assert_int_equal(s_deploy_body(f, "Bad", "{\"Resources\": {\"U\": {\"Type\": \"AWS::IAM::User\", \"Properties\": "
                                              "{\"UserName\": {\"Ref\": \"Nope\"}, \"Shoe\": 1}}}}", &r, &err), LC_EINVAL);
    assert_non_null(strstr(err.message, "2 problems"));
    struct lc_stack st;
    assert_int_equal(lc_store_stack_get(f->store, "Bad", &st, NULL), LC_ENOTFOUND);
    lc_deploy_result_clear(&r);
    /* Stack names follow CloudFormation's pattern. */
    assert_int_equal(s_deploy_body(f, "bad_name", "{\"Resources\": {\"T\": {\"Type\": \"AWS::SNS::Topic\"}}}", &r, &err),
                     LC_EINVAL);
    assert_non_null(strstr(err.message, "Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*"));
    lc_deploy_result_clear(&r);
    /* A zip function needs a runtime and a handler, as Lambda says. */
    const char *no_handler = "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n"
                             "      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, "
                             "Principal: {Service: lambda.amazonaws.com}, Action: 'sts:AssumeRole'}]}\n"
                             "  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !GetAtt R.Arn\n"
                             "      Runtime: python3.12\n      Code: {ZipFile: 'def handler(e, c): return 1'}\n";
    assert_int_not_equal(s_deploy_body(f, "NoHandler", no_handler, &r, &err), 0);
    assert_string_equal(err.message, "Runtime and Handler are mandatory parameters for functions created with "
                                     "deployment packages.");
    assert_string_equal(r.status, "ROLLBACK_COMPLETE");
    lc_deploy_result_clear(&r);
}

static void test_strict_refuses_nodejs14_with_aws_words(void **state)
{
    struct fixture *f = *state;
    struct lc_deploy_result r;
    struct lc_error err;
    char *p = s_ref("seed/default/SampleCDKStack.template.json");
    assert_int_not_equal(s_deploy_file(f, "Strict", p, true, &r, &err), 0);
    lc_free(p);
    assert_string_equal(err.aws_code, "InvalidParameterValueException");
    assert_string_equal(err.message, "The runtime parameter of nodejs14.x is no longer supported for creating or "
                                     "updating AWS Lambda functions. We recommend you use a supported runtime while "
                                     "creating or updating functions.");
    assert_string_equal(r.status, "ROLLBACK_COMPLETE");
    lc_deploy_result_clear(&r);
}

static void test_yaml_parameters_conditions_exports_and_imports(void **state)
{
    struct fixture *f = *state;
    const char *producer =
        "Parameters:\n"
        "  Env: {Type: String, AllowedValues: [dev, prod], Default: dev}\n"
        "Conditions:\n"
        "  IsProd: !Equals [!Ref Env, prod]\n"
        "Mappings:\n"
        "  Paths: {dev: {Path: /dev/}, prod: {Path: /prod/}}\n"
        "Resources:\n"
        "  Group:\n"
        "    Type: AWS::IAM::Group\n"
        "    Properties:\n"
        "      Path: !FindInMap [Paths, !Ref Env, Path]\n"
        "  ProdOnly:\n"
        "    Type: AWS::SNS::Topic\n"
        "    Condition: IsProd\n"
        "  Topic:\n"
        "    Type: AWS::SNS::Topic\n"
        "    Properties:\n"
        "      TopicName: !Sub '${AWS::StackName}-${Env}'\n"
        "      DisplayName: !If [IsProd, !GetAtt ProdOnly.TopicName, !Join ['-', [!Select [1, !Split [',', 'a,b']], !Ref 'AWS::Region']]]\n"
        "Outputs:\n"
        "  TopicArn:\n"
        "    Value: !Ref Topic\n"
        "    Export: {Name: !Sub '${AWS::StackName}-topic'}\n"
        "  GroupArn:\n"
        "    Value: !GetAtt Group.Arn\n";
    struct lc_deploy_result r;
    struct lc_error err;
    if (s_deploy_body(f, "Producer", producer, &r, &err))
        fail_msg("%s", err.message);
    assert_string_equal(s_output(&r, "TopicArn"), "arn:aws:sns:us-east-1:000000000000:Producer-dev");
    assert_non_null(strstr(s_output(&r, "GroupArn"), ":group/dev/Producer-Group-"));
    int n = 0;
    lc_store_stack_resource_list(f->store, r.stack_id, s_count_resources, &n, NULL);
    assert_int_equal(n, 2); /* ProdOnly's condition is false */
    lc_deploy_result_clear(&r);

    const char *consumer = "Resources:\n  Sub:\n    Type: AWS::SNS::Subscription\n    Properties:\n"
                           "      TopicArn: !ImportValue Producer-topic\n      Protocol: email\n"
                           "      Endpoint: a@example.com\n";
    if (s_deploy_body(f, "Consumer", consumer, &r, &err))
        fail_msg("%s", err.message);
    lc_deploy_result_clear(&r);
    /* A stack whose export is imported cannot be deleted. */
    assert_int_equal(lc_deploy_delete_stack(f->store, "Producer", NULL, &err), LC_ECONFLICT);
    assert_non_null(strstr(err.message, "in use by Consumer"));
    assert_int_equal(lc_deploy_delete_stack(f->store, "Consumer", NULL, &err), 0);
    assert_int_equal(lc_deploy_delete_stack(f->store, "Producer", NULL, &err), 0);

    /* A parameter outside its AllowedValues is a template problem: nothing is created. */
    json_t *params = json_pack("{s:s}", "Env", "staging");
    struct lc_deploy_options opt = {.stack_name = "Producer", .template_body = producer, .parameters = params};
    assert_int_equal(lc_deploy_stack(f->store, &opt, &r, &err), LC_EINVAL);
    assert_non_null(strstr(err.message, "Parameter 'Env' must be one of AllowedValues"));
    json_decref(params);
    lc_deploy_result_clear(&r);
}

static void test_update_replaces_unnamed_resources_and_removes_dropped_ones(void **state)
{
    struct fixture *f = *state;
    const char *v1 = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      Path: /one/\n"
                     "      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, "
                     "Principal: {Service: lambda.amazonaws.com}, Action: 'sts:AssumeRole'}]}\n"
                     "  Extra:\n    Type: AWS::IAM::User\n    Properties: {UserName: extra-user}\n"
                     "Outputs:\n  RoleArn: {Value: !GetAtt Role.Arn}\n";
    const char *v2 = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      Path: /two/\n"
                     "      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, "
                     "Principal: {Service: lambda.amazonaws.com}, Action: 'sts:AssumeRole'}]}\n"
                     "Outputs:\n  RoleArn: {Value: !GetAtt Role.Arn}\n";
    struct lc_deploy_result r;
    struct lc_error err;
    assert_int_equal(s_deploy_body(f, "Repl", v1, &r, &err), 0);
    char *arn1 = lc_strdup(s_output(&r, "RoleArn"));
    lc_deploy_result_clear(&r);
    json_t *changes;
    struct lc_deploy_options opt = {.stack_name = "Repl", .template_body = v2};
    assert_int_equal(lc_deploy_changeset(f->store, &opt, &changes, &err), 0);
    char *text = lc_json_stringify(changes, 0);
    assert_non_null(strstr(text, "\"Action\":\"Modify\",\"LogicalResourceId\":\"Role\""));
    assert_non_null(strstr(text, "\"Replacement\":\"True\""));
    assert_non_null(strstr(text, "\"Action\":\"Remove\",\"LogicalResourceId\":\"Extra\""));
    lc_free(text);
    json_decref(changes);
    if (s_deploy_body(f, "Repl", v2, &r, &err))
        fail_msg("%s", err.message);
    assert_string_equal(r.status, "UPDATE_COMPLETE");
    assert_non_null(strstr(s_output(&r, "RoleArn"), ":role/two/Repl-Role-"));
    struct lc_store_principal p;
    assert_int_equal(lc_store_principal_get(f->store, arn1, &p, NULL), LC_ENOTFOUND);
    assert_false(s_principal(f, LC_PRINCIPAL_USER, "extra-user"));
    lc_free(arn1);
    lc_deploy_result_clear(&r);
}

static void test_killed_deploy_is_reported_stale_and_can_be_deleted(void **state)
{
    struct fixture *f = *state;
    char *path = s_ref("seed/default/SampleCDKStack.template.json");
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        setenv("LEASTCLOUD_DEPLOY_STEP_DELAY_MS", "300", 1);
        struct lc_store *store;
        struct lc_error err;
        if (lc_store_open(f->dir, NULL, &store, &err) != 0)
            _exit(3);
        struct lc_deploy_options opt = {.stack_name = "Killed", .template_path = path};
        lc_deploy_stack(store, &opt, NULL, &err);
        _exit(0);
    }
    /* Wait for the third resource, then kill -9 in the middle of the deploy. */
    struct lc_stack st;
    for (int i = 0; i < 200; i++) {
        int n = 0;
        if (lc_store_stack_get(f->store, "Killed", &st, NULL) == 0)
            lc_store_stack_resource_list(f->store, st.stack_id, s_count_resources, &n, NULL);
        if (n >= 3)
            break;
        usleep(20000);
    }
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    lc_free(path);
    assert_int_equal(lc_store_stack_get(f->store, "Killed", &st, NULL), 0);
    assert_string_equal(st.status, "CREATE_IN_PROGRESS");
    assert_true(st.stale);
    struct lc_error err;
    if (lc_deploy_delete_stack(f->store, "Killed", NULL, &err))
        fail_msg("%s", err.message);
    assert_int_equal(lc_store_stack_get(f->store, st.stack_id, &st, NULL), 0);
    assert_string_equal(st.status, "DELETE_COMPLETE");
    int n = 0;
    lc_store_stack_resource_list(f->store, st.stack_id, s_count_resources, &n, NULL);
    assert_int_equal(n, 0);
    assert_true(s_table(f, "dynamoTable")); /* DeletionPolicy Retain, as on AWS */
}

static void test_killed_update_rolls_back_to_the_previous_template(void **state)
{
    struct fixture *f = *state;
    struct lc_deploy_result r;
    struct lc_error err;
    assert_int_equal(s_deploy_ref(f, "Upd", "seed/default/SampleCDKStack.template.json", &r, &err), 0);
    lc_deploy_result_clear(&r);
    char *path = s_ref("write/default/WriteStack.template.json");
    pid_t child = fork();
    if (child == 0) {
        setenv("LEASTCLOUD_DEPLOY_STEP_DELAY_MS", "2000", 1);
        struct lc_store *store;
        if (lc_store_open(f->dir, NULL, &store, &err) != 0)
            _exit(3);
        struct lc_deploy_options opt = {.stack_name = "Upd", .template_path = path};
        lc_deploy_stack(store, &opt, NULL, &err);
        _exit(0);
    }
    struct lc_stack st;
    struct lc_stack_resource res = {0};
    for (int i = 0; i < 300; i++) {
        lc_stack_resource_clear(&res);
        if (lc_store_stack_get(f->store, "Upd", &st, NULL) == 0 &&
            lc_store_stack_resource_get(f->store, st.stack_id, "readfunctionServiceRoleDefaultPolicy48580EEC", &res,
                                        NULL) == 0 &&
            !strcmp(res.status, "UPDATE_COMPLETE"))
            break;
        usleep(20000);
    }
    lc_stack_resource_clear(&res);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    lc_free(path);
    assert_int_equal(lc_store_stack_get(f->store, "Upd", &st, NULL), 0);
    assert_true(st.stale);
    assert_string_equal(st.status, "UPDATE_IN_PROGRESS");
    assert_int_equal(lc_deploy_recover(f->store, "Upd", NULL, &err), 0);
    assert_int_equal(lc_store_stack_get(f->store, "Upd", &st, NULL), 0);
    assert_string_equal(st.status, "UPDATE_ROLLBACK_COMPLETE");
    struct lc_store_principal role;
    struct lc_lambda_function fn;
    assert_int_equal(lc_store_lambda_get(f->store, "read-function", &fn, &err), 0);
    assert_int_equal(lc_store_principal_get(f->store, fn.role, &role, &err), 0);
    char *doc = lc_store_inline_policy_get(f->store, role.arn, "readfunctionServiceRoleDefaultPolicy48580EEC", &err);
    assert_non_null(doc);
    assert_non_null(strstr(doc, "dynamodb:GetItem"));  /* the seed's read grant is back */
    assert_null(strstr(doc, "dynamodb:PutItem"));
    lc_free(doc);
    lc_lambda_function_clear(&fn);
}

#define FX_TEST( name ) cmocka_unit_test_setup_teardown( name, setup, teardown)
static const struct CMUnitTest tests[] = {
    FX_TEST(test_seed_stack_creates_every_resource_and_its_outputs),
    FX_TEST(test_destroy_keeps_the_retained_table_and_its_items_and_redeploy_fails_cleanly),
    FX_TEST(test_every_reference_variant_deploys_updates_and_destroys),
    FX_TEST(test_failure_in_the_last_resource_leaves_nothing),
    FX_TEST(test_a_malformed_policy_fails_as_iam_does_and_rolls_back),
    FX_TEST(test_a_template_with_problems_creates_no_stack),
    FX_TEST(test_strict_refuses_nodejs14_with_aws_words),
    FX_TEST(test_yaml_parameters_conditions_exports_and_imports),
    FX_TEST(test_update_replaces_unnamed_resources_and_removes_dropped_ones),
    FX_TEST(test_killed_deploy_is_reported_stale_and_can_be_deleted),
    FX_TEST(test_killed_update_rolls_back_to_the_previous_template),
};
LC_TEST_MAIN(tests)
