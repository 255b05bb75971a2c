/* test_validate.c: static checks of a whole template, every problem at once. */
#include "lc_test.h"

#include <time.h>

#include "deploy/internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/error.h"

static json_t *s_problems(const char *text)
{
    json_t *t = json_loads(text, 0, NULL);
    assert_non_null(t);
    json_t *p = json_array();
    lc_cfn_validate(t, NULL, p);
    json_decref(t);
    return p;
}

static bool s_has(const json_t *problems, const char *fragment)
{
    size_t i;
    json_t *p;
    json_array_foreach(problems, i, p) if (strstr(json_string_value(p), fragment)) return true;
    return false;
}

static void test_a_sound_template_has_no_problems(void **state)
{
    json_t *p = s_problems("{\"Resources\": {\"User\": {\"Type\": \"AWS::IAM::User\", \"Properties\": {\"UserName\": \"u\"}},"
                           " \"Key\": {\"Type\": \"AWS::IAM::AccessKey\", \"Properties\": {\"UserName\": {\"Ref\": \"User\"}}}},"
                           " \"Outputs\": {\"Secret\": {\"Value\": {\"Fn::GetAtt\": [\"Key\", \"SecretAccessKey\"]}}}}");
    assert_int_equal(json_array_size(p), 0);
    json_decref(p);
}

static void test_ten_problems_are_all_reported(void **state)
{
    const char *text =
        "{\"Resources\": {"
        " \"A\": {\"Type\": \"AWS::Nope::Thing\"},"                                                   /* 1 type */
        " \"B\": {\"Type\": \"AWS::IAM::Role\", \"Properties\": {}},"                                 /* 2 required */
        " \"C\": {\"Type\": \"AWS::IAM::User\", \"Properties\": {\"Colour\": \"red\"}},"              /* 3 unknown prop */
        " \"D\": {\"Type\": \"AWS::IAM::User\", \"Properties\": {\"Arn\": \"x\"}},"                   /* 4 read-only */
        " \"E\": {\"Type\": \"AWS::IAM::User\", \"Properties\": {\"UserName\": {\"Ref\": \"Ghost\"}}},"  /* 5 bad ref */
        " \"F\": {\"Type\": \"AWS::IAM::User\", \"Properties\": {\"Path\": {\"Fn::GetAtt\": [\"C\", \"Colour\"]}}},"  /* 6 bad attribute */
        " \"G\": {\"Type\": \"AWS::IAM::User\", \"DependsOn\": \"Nobody\"},"                           /* 7 bad DependsOn */
        " \"H\": {\"Type\": \"AWS::IAM::User\", \"Condition\": \"Missing\"},"                          /* 8 bad condition */
        " \"I\": {\"Type\": \"AWS::IAM::Group\", \"DependsOn\": \"J\"},"
        " \"J\": {\"Type\": \"AWS::IAM::Group\", \"DependsOn\": \"I\"},"                               /* 9 cycle */
        " \"K\": {\"Type\": \"AWS::IAM::User\", \"DeletionPolicy\": \"Keep\"}"                         /* 10 bad policy */
        "}}";
    json_t *p = s_problems(text);
    assert_int_equal(json_array_size(p), 10);
    assert_true(s_has(p, "Resource A: Unrecognized resource type AWS::Nope::Thing"));
    assert_true(s_has(p, "Resource B: required property AssumeRolePolicyDocument of AWS::IAM::Role is missing"));
    assert_true(s_has(p, "Resource C: Encountered unsupported property Colour"));
    assert_true(s_has(p, "Resource D: property Arn of AWS::IAM::User is read-only"));
    assert_true(s_has(p, "Resource E: Unresolved resource dependencies [Ghost]"));
    assert_true(s_has(p, "Resource F: Template error: resource C does not support attribute type Colour"));
    assert_true(s_has(p, "Resource G: DependsOn refers to Nobody"));
    assert_true(s_has(p, "Resource H: Condition Missing is not defined"));
    assert_true(s_has(p, "Circular dependency between resources: [I, J]"));
    assert_true(s_has(p, "Resource K: DeletionPolicy must be"));
    struct lc_error err;
    assert_int_equal(lc_cfn_problems_error(p, &err), LC_EINVAL);
    assert_string_equal(err.aws_code, "ValidationError");
    assert_non_null(strstr(err.message, "10 problems; nothing was created"));
    assert_non_null(strstr(err.message, "\n  10. "));
    json_decref(p);
}

static void test_sub_variables_and_getatt_in_sub_are_checked(void **state)
{
    json_t *p = s_problems("{\"Resources\": {\"A\": {\"Type\": \"AWS::SNS::Topic\", \"Properties\": {"
                           "\"TopicName\": {\"Fn::Sub\": \"${Missing}-${B.TopicName}-${AWS::Region}-${!Lit}\"},"
                           "\"DisplayName\": {\"Fn::Sub\": [\"${X}\", {\"X\": \"ok\"}]}}},"
                           " \"B\": {\"Type\": \"AWS::SNS::Topic\"}}}");
    assert_int_equal(json_array_size(p), 1);
    assert_true(s_has(p, "Unresolved resource dependencies [Missing]"));
    json_decref(p);
}

static void test_conditions_may_not_refer_to_resources(void **state)
{
    json_t *p = s_problems("{\"Conditions\": {\"C\": {\"Fn::Equals\": [{\"Ref\": \"T\"}, \"x\"]}},"
                           " \"Resources\": {\"T\": {\"Type\": \"AWS::SNS::Topic\"}}}");
    assert_true(s_has(p, "Conditions can only refer to parameters"));
    json_decref(p);
}

static void test_empty_resources_and_unknown_sections(void **state)
{
    json_t *p = s_problems("{\"Resources\": {}, \"Resorces\": {}}");
    assert_true(s_has(p, "Invalid template property or properties [Resorces]"));
    assert_true(s_has(p, "At least one Resources member must be defined."));
    json_decref(p);
}

static void test_every_cdk_reference_template_is_sound(void **state)
{
    const char *variants[] = {"seed/default/SampleCDKStack", "write/default/WriteStack",
                              "readwrite/default/ReadWriteStack", "full/default/FullAccessStack",
                              "sortkey-gsi/default/SortKeyGsiStack", "stream/default/StreamStack",
                              "invoke/default/InvokeStack", "custom/default/CustomGrantStack"};
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/tests/data/cdk-reference/%s.template.json", lc_test_source_dir(), variants[i]);
        json_t *t = json_load_file(path, 0, NULL);
        if (!t)
            skip();
        json_t *p = json_array();
        lc_cfn_validate(t, NULL, p);
        if (json_array_size(p))
            fail_msg("%s: %s", variants[i], json_string_value(json_array_get(p, 0)));
        json_decref(p);
        json_decref(t);
    }
}

static void test_a_problem_of_a_long_non_ascii_resource_name_is_kept(void **state)
{
    /* "Resource <name>" used to be cut at 512 bytes, here inside a two-byte character: the problem
     * was not valid UTF-8, json_string refused it and the template passed. */
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    lc_buf_append_str(&b, "{\"Resources\": {\"a");
    for (int i = 0; i < 300; i++)
        lc_buf_append_str(&b, "\u00e9");
    lc_buf_append_str(&b, "\": {\"Type\": \"AWS::SNS::Topic\", \"Properties\": {\"TopicName\": {\"Ref\": \"Nope\"}}}}}");
    json_t *p = s_problems(b.data);
    assert_int_equal(json_array_size(p), 1);
    assert_true(s_has(p, "Unresolved resource dependencies [Nope]"));
    json_decref(p);
    lc_buf_free(&b);
}

static void test_thousands_of_problems_are_gathered_without_rescanning_them(void **state)
{
    enum { N = 40000 };
    json_t *r = json_object();
    char name[32], type[48];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "R%d", i);
        snprintf(type, sizeof type, "AWS::Nope::T%d", i);
        json_object_set_new(r, name, json_pack("{s:s}", "Type", type));
    }
    json_t *t = json_pack("{s:o}", "Resources", r);
    json_t *p = json_array();
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    lc_cfn_validate(t, NULL, p);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(json_array_size(p), N);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (secs > 5.0)
        fail_msg("%d problems took %.1f s", N, secs);
    json_decref(p);
    json_decref(t);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_a_sound_template_has_no_problems),
    cmocka_unit_test(test_ten_problems_are_all_reported),
    cmocka_unit_test(test_sub_variables_and_getatt_in_sub_are_checked),
    cmocka_unit_test(test_conditions_may_not_refer_to_resources),
    cmocka_unit_test(test_empty_resources_and_unknown_sections),
    cmocka_unit_test(test_every_cdk_reference_template_is_sound),
    cmocka_unit_test(test_a_problem_of_a_long_non_ascii_resource_name_is_kept),
    cmocka_unit_test(test_thousands_of_problems_are_gathered_without_rescanning_them),
};
LC_TEST_MAIN(tests)
