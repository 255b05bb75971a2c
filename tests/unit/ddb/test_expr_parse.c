/* test_expr_parse.c: the expression grammar and AWS's messages for what it refuses. */
#include "ddb_fixture.h"

#include "ddb/ddb_internal.h"

static const char *NAMES = "{'#a':'a','#b':'b','#n':'name'}";
static const char *VALUES = "{':s':{'S':'x'},':n':{'N':'1'},':m':{'N':'5'},':t':{'S':'S'},':bad':{'S':'Q'},':b':{'BOOL':true}}";

/* Parses a condition; returns NULL with the message in *msg on failure (caller frees msg). */
static int s_cond(const char *src, char **msg)
{
    json_t *names = fx_json(NAMES), *values = fx_json(VALUES);
    struct ddb_expr_ctx ctx;
    ddb_expr_ctx_init(&ctx, names, values);
    struct ddb_node *root;
    struct lc_error err;
    lc_error_clear(&err);
    int rc = ddb_expr_parse_condition(&ctx, "ConditionExpression", src, &root, &err);
    *msg = lc_strdup(err.message);
    ddb_expr_ctx_free(&ctx);
    json_decref(names);
    json_decref(values);
    return rc;
}

static void s_ok(const char *src)
{
    char *msg;
    if (s_cond(src, &msg) != 0)
        fail_msg("%s: %s", src, msg);
    lc_free(msg);
}

static void s_bad(const char *src, const char *want)
{
    char *msg;
    if (s_cond(src, &msg) == 0)
        fail_msg("%s parsed, want %s", src, want);
    if (strcmp(msg, want) != 0)
        fail_msg("%s:\n  got  %s\n  want %s", src, msg, want);
    lc_free(msg);
}

static void test_condition_grammar_accepts_the_full_language(void **state)
{
    s_ok("a = :s");
    s_ok("#a.b[2].c <> :s");
    s_ok("a < :n AND b <= :n OR NOT c > :n");
    s_ok("(a >= :n) and not (b = :s or c = :s)");
    s_ok("a BETWEEN :n AND :m");
    s_ok("a IN (:n, :m, :s)");
    s_ok("attribute_exists(a) AND attribute_not_exists(#b.c)");
    s_ok("attribute_type(a, :t)");
    s_ok("begins_with(a, :s) AND contains(b, :n)");
    s_ok("size(a) > :n");
    s_ok("  a\t=\n:s  ");
}

static void test_syntax_errors_name_the_token_and_its_neighbour(void **state)
{
    s_bad("a = ", "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"= \"");
    s_bad("a == :s", "Invalid ConditionExpression: Syntax error; token: \"=\", near: \"==\"");
    s_bad("begins_with(a, ())", "Invalid ConditionExpression: Syntax error; token: \"(\", near: \", (\"");
    s_bad("a = :s :s", "Invalid ConditionExpression: Syntax error; token: \":s\", near: \":s :s\"");
    s_bad("a = :s AND", "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"AND\"");
    s_bad("a ! :s", "Invalid ConditionExpression: Syntax error; token: \"!\", near: \"a !\"");
    s_bad("a.[1] = :s", "Invalid ConditionExpression: Syntax error; token: \"[\", near: \".[\"");
    s_bad("", "Invalid ConditionExpression: The expression can not be empty;");
}

static void test_semantic_errors_use_aws_messages_and_priority(void **state)
{
    s_bad("name = :s", "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name");
    s_bad("#zz = :s", "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #zz");
    s_bad("a = :zz", "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :zz");
    s_bad("frob(a)", "Invalid ConditionExpression: Invalid function name; function: frob");
    s_bad("begins_with(a)", "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1");
    s_bad("a = a", "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]");
    s_bad("begins_with(a, :n)", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N");
    s_bad("attribute_exists(:s)", "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists");
    s_bad("attribute_type(a, :bad)", "Invalid ConditionExpression: Invalid attribute type name found; type: Q, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
    s_bad("a BETWEEN :m AND :n", "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}");
    s_bad("a BETWEEN :s AND :n", "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {S:x}, upper bound operand: AttributeValue: {N:1}");
    s_bad("((a = :s))", "Invalid ConditionExpression: The expression has redundant parentheses;");
    s_bad("begins_with(a, :s) = :b", "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: begins_with");
    s_bad("size(a)", "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size");
    /* Priority: an unknown function is reported before a reserved word. */
    s_bad("name = :s AND frob(a)", "Invalid ConditionExpression: Invalid function name; function: frob");
}

static void test_deep_nesting_is_refused_not_overflowed(void **state)
{
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    for (int i = 0; i < 5000; i++)
        lc_buf_append_str(&b, "NOT ");
    lc_buf_append_str(&b, "a = :s");
    char *msg;
    assert_int_not_equal(s_cond(b.data, &msg), 0);
    assert_non_null(strstr(msg, "Syntax error"));
    lc_free(msg);
    lc_buf_reset(&b);
    for (int i = 0; i < 5000; i++)
        lc_buf_append_str(&b, "(");
    assert_int_not_equal(s_cond(b.data, &msg), 0);
    lc_free(msg);
    lc_buf_free(&b);
}

static int s_proj(const char *src, const char *names_text, char **msg, char **paths_text)
{
    json_t *names = names_text ? fx_json(names_text) : NULL;
    struct ddb_expr_ctx ctx;
    ddb_expr_ctx_init(&ctx, names, NULL);
    struct ddb_node **paths;
    size_t n;
    struct lc_error err;
    lc_error_clear(&err);
    int rc = ddb_expr_parse_projection(&ctx, src, &paths, &n, &err);
    if (rc == 0)
        rc = ddb_expr_check_unused(&ctx, &err);
    *msg = lc_strdup(err.message);
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        lc_buf_append_str(&b, i ? " | " : "");
        for (size_t j = 0; j < paths[i]->npath; j++) {
            if (paths[i]->path[j].name)
                lc_buf_appendf(&b, "%s%s", j ? "." : "", paths[i]->path[j].name);
            else
                lc_buf_appendf(&b, "[%ld]", paths[i]->path[j].index);
        }
    }
    *paths_text = lc_buf_detach(&b, NULL);
    ddb_expr_ctx_free(&ctx);
    json_decref(names);
    return rc;
}

static void test_projection_paths_and_errors(void **state)
{
    char *msg, *paths;
    assert_int_equal(s_proj("a, #n.b[3], c.d", "{'#n':'name'}", &msg, &paths), 0);
    assert_string_equal(paths, "a | name.b[3] | c.d");
    lc_free(msg);
    lc_free(paths);
    const struct {
        const char *src, *names, *want;
    } bad[] = {
        {"a,", NULL, "Invalid ProjectionExpression: Syntax error; token: \"<EOF>\", near: \",\""},
        {"a, a", NULL, "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
        {"a.b, a", NULL, "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]"},
        {"a[0], a.b", NULL, "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [0]], path two: [a, b]"},
        {"size", NULL, "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: size"},
        {"a", "{'#x':'x'}", "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}"},
        {"", NULL, "Invalid ProjectionExpression: The expression can not be empty;"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (s_proj(bad[i].src, bad[i].names, &msg, &paths) == 0)
            fail_msg("%s parsed", bad[i].src);
        if (strcmp(msg, bad[i].want) != 0)
            fail_msg("%s:\n  got  %s\n  want %s", bad[i].src, msg, bad[i].want);
        lc_free(msg);
        lc_free(paths);
    }
}

static void test_expression_parameter_checks(void **state)
{
    const struct {
        const char *req, *want;
    } cases[] = {
        {"{'ExpressionAttributeNames':{}}", "ExpressionAttributeNames must not be empty"},
        {"{'ExpressionAttributeNames':{'a':'b'}}", "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\""},
        {"{'ExpressionAttributeValues':{}}", "ExpressionAttributeValues must not be empty"},
        {"{'ExpressionAttributeValues':{'v':{'S':'x'}}}", "ExpressionAttributeValues contains invalid key: Syntax error; key: \"v\""},
        {"{'ExpressionAttributeValues':{':v':{'N':'x'}}}",
         "ExpressionAttributeValues contains invalid value: The parameter cannot be converted to a numeric value: x for key :v"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *req = fx_json(cases[i].req), *values = NULL;
        struct lc_error err;
        assert_int_equal(ddb_expr_check_params(req, &values, &err), LC_EINVAL);
        assert_null(values);
        assert_string_equal(err.message, cases[i].want);
        json_decref(req);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_condition_grammar_accepts_the_full_language),
        cmocka_unit_test(test_syntax_errors_name_the_token_and_its_neighbour),
        cmocka_unit_test(test_semantic_errors_use_aws_messages_and_priority),
        cmocka_unit_test(test_deep_nesting_is_refused_not_overflowed),
        cmocka_unit_test(test_projection_paths_and_errors),
        cmocka_unit_test(test_expression_parameter_checks),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
