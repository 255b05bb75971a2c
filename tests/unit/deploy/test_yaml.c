/* test_yaml.c: YAML templates and CloudFormation's short forms. */
#include "lc_test.h"

#include "deploy/internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/error.h"
#include "leastcloud/json.h"

static json_t *s_yaml(const char *text)
{
    struct lc_error err;
    json_t *v = lc_cfn_template_parse(text, strlen(text), &err);
    if (!v)
        fail_msg("%s", err.message);
    return v;
}

static void s_expect(const json_t *v, const char *json)
{
    char *got = lc_json_stringify(v, 0);
    assert_string_equal(got, json);
    lc_free(got);
}

static void test_short_forms_become_long_forms(void **state)
{
    json_t *t = s_yaml("Resources:\n"
                       "  A:\n"
                       "    Type: AWS::SNS::Topic\n"
                       "    Properties:\n"
                       "      TopicName: !Sub '${AWS::StackName}-topic'\n"
                       "      DisplayName: !Join ['-', [!Ref AWS::Region, !GetAtt B.Arn]]\n"
                       "      Other: !If [C, !Select [0, !GetAZs ''], !Ref 'AWS::NoValue']\n"
                       "      Cond: !Equals [!FindInMap [M, a, b], !Base64 x]\n"
                       "      Import: !ImportValue name\n"
                       "      Split: !Split [',', 'a,b']\n"
                       "      Cidr: !Cidr ['10.0.0.0/16', 2, 8]\n"
                       "      Not: !Not [!Condition C]\n");
    const json_t *p = json_object_get(json_object_get(json_object_get(t, "Resources"), "A"), "Properties");
    s_expect(json_object_get(p, "TopicName"), "{\"Fn::Sub\":\"${AWS::StackName}-topic\"}");
    s_expect(json_object_get(p, "DisplayName"),
             "{\"Fn::Join\":[\"-\",[{\"Ref\":\"AWS::Region\"},{\"Fn::GetAtt\":[\"B\",\"Arn\"]}]]}");
    s_expect(json_object_get(p, "Other"),
             "{\"Fn::If\":[\"C\",{\"Fn::Select\":[0,{\"Fn::GetAZs\":\"\"}]},{\"Ref\":\"AWS::NoValue\"}]}");
    s_expect(json_object_get(p, "Cond"), "{\"Fn::Equals\":[{\"Fn::FindInMap\":[\"M\",\"a\",\"b\"]},{\"Fn::Base64\":\"x\"}]}");
    s_expect(json_object_get(p, "Import"), "{\"Fn::ImportValue\":\"name\"}");
    s_expect(json_object_get(p, "Split"), "{\"Fn::Split\":[\",\",\"a,b\"]}");
    s_expect(json_object_get(p, "Cidr"), "{\"Fn::Cidr\":[\"10.0.0.0/16\",2,8]}");
    s_expect(json_object_get(p, "Not"), "{\"Fn::Not\":[{\"Condition\":\"C\"}]}");
    json_decref(t);
}

static void test_plain_scalars_are_typed_and_quoted_ones_stay_strings(void **state)
{
    json_t *t = s_yaml("AWSTemplateFormatVersion: 2010-09-09\nA: 10\nB: '10'\nC: true\nD: 1.5\nE: 0123\nF: ~\n");
    s_expect(t, "{\"AWSTemplateFormatVersion\":\"2010-09-09\",\"A\":10,\"B\":\"10\",\"C\":true,\"D\":1.5,"
                "\"E\":\"0123\",\"F\":null}");
    json_decref(t);
}

static void test_getatt_list_form_is_kept(void **state)
{
    json_t *t = s_yaml("X: !GetAtt [Table, StreamArn]\n");
    s_expect(t, "{\"X\":{\"Fn::GetAtt\":[\"Table\",\"StreamArn\"]}}");
    json_decref(t);
}

static void test_json_templates_parse_with_jansson(void **state)
{
    json_t *t = s_yaml("  {\"Resources\": {\"A\": {\"Type\": \"AWS::SNS::Topic\"}}}");
    assert_non_null(json_object_get(json_object_get(t, "Resources"), "A"));
    json_decref(t);
}

static void test_malformed_yaml_is_a_template_format_error_with_its_line(void **state)
{
    struct lc_error err;
    const char *text = "Resources:\n  A: [unclosed\n  B: x\n";
    assert_null(lc_cfn_template_parse(text, strlen(text), &err));
    assert_string_equal(err.aws_code, "ValidationError");
    assert_non_null(strstr(err.message, "Template format error: YAML not well-formed. (line"));
}

static void test_a_template_that_is_not_an_object_is_refused(void **state)
{
    struct lc_error err;
    assert_null(lc_cfn_template_parse("- a\n- b\n", 8, &err));
    assert_non_null(strstr(err.message, "must be a JSON or YAML object"));
}

static void test_yaml_aliases_are_refused_as_cloudformation_does(void **state)
{
    struct lc_error err;
    const char *text = "Resources:\n  A: &t {Type: AWS::SNS::Topic}\n  B: *t\n";
    assert_null(lc_cfn_template_parse(text, strlen(text), &err));
    assert_string_equal(err.aws_code, "ValidationError");
    assert_non_null(strstr(err.message, "YAML aliases are not allowed in CloudFormation templates"));
    assert_non_null(strstr(err.message, "line 2"));
    text = "Resources:\n  &k A: {Type: AWS::SNS::Topic}\n  B: {Type: AWS::SNS::Topic, Properties: {*k : 1}}\n";
    assert_null(lc_cfn_template_parse(text, strlen(text), &err));
    assert_non_null(strstr(err.message, "YAML aliases are not allowed"));
}

static void test_an_alias_bomb_is_refused_without_expanding_it(void **state)
{
    /* Six levels of nine aliases each: 531441 copies once expanded; an alias inside its own anchor: a cycle. */
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    lc_buf_append_str(&b, "a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (char c = 'b'; c <= 'g'; c++)
        lc_buf_appendf(&b, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", c, c, c - 1, c - 1, c - 1,
                       c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
    lc_buf_append_str(&b, "Resources: {T: {Type: AWS::SNS::Topic, Properties: {DisplayName: *g}}}\n");
    struct lc_error err;
    assert_null(lc_cfn_template_parse(b.data, b.len, &err));
    assert_non_null(strstr(err.message, "YAML aliases are not allowed"));
    lc_buf_free(&b);
    const char *cycle = "Resources: &r\n  T: {Type: AWS::SNS::Topic, Properties: {Tags: [*r, *r]}}\n";
    assert_null(lc_cfn_template_parse(cycle, strlen(cycle), &err));
    assert_non_null(strstr(err.message, "YAML aliases are not allowed"));
}

static void test_anchors_without_aliases_are_harmless(void **state)
{
    json_t *t = s_yaml("Resources:\n  A: &t {Type: AWS::SNS::Topic}\n");
    s_expect(t, "{\"Resources\":{\"A\":{\"Type\":\"AWS::SNS::Topic\"}}}");
    json_decref(t);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_short_forms_become_long_forms),
    cmocka_unit_test(test_plain_scalars_are_typed_and_quoted_ones_stay_strings),
    cmocka_unit_test(test_getatt_list_form_is_kept),
    cmocka_unit_test(test_json_templates_parse_with_jansson),
    cmocka_unit_test(test_malformed_yaml_is_a_template_format_error_with_its_line),
    cmocka_unit_test(test_a_template_that_is_not_an_object_is_refused),
    cmocka_unit_test(test_yaml_aliases_are_refused_as_cloudformation_does),
    cmocka_unit_test(test_an_alias_bomb_is_refused_without_expanding_it),
    cmocka_unit_test(test_anchors_without_aliases_are_harmless),
};
LC_TEST_MAIN(tests)
