/* test_graph.c: dependencies from Ref, Fn::GetAtt, Fn::Sub and DependsOn, and the creation order. */
#include "lc_test.h"

#include <time.h>

#include "deploy/internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/json.h"

static char *s_order(const char *resources_json, const char *include_json)
{
    json_t *r = json_loads(resources_json, 0, NULL);
    json_t *inc = include_json ? json_loads(include_json, 0, NULL) : NULL;
    json_t *cycle = NULL;
    json_t *o = lc_cfn_topo_order(r, inc, &cycle);
    char *s = lc_json_stringify(o ? o : cycle, 0);
    json_decref(o);
    json_decref(cycle);
    json_decref(r);
    json_decref(inc);
    return s;
}

static void test_dependencies_come_first_and_ties_keep_template_order(void **state)
{
    char *s = s_order("{\"Fn\": {\"Properties\": {\"Role\": {\"Fn::GetAtt\": [\"Role\", \"Arn\"]},"
                      "                          \"Env\": {\"Fn::Sub\": \"${Table}\"}}, \"DependsOn\": [\"Policy\"]},"
                      " \"Policy\": {\"Properties\": {\"Roles\": [{\"Ref\": \"Role\"}]}},"
                      " \"Table\": {},"
                      " \"Role\": {}}", NULL);
    assert_string_equal(s, "[\"Table\",\"Role\",\"Policy\",\"Fn\"]");
    lc_free(s);
}

static void test_a_cycle_names_its_members(void **state)
{
    char *s = s_order("{\"A\": {\"Properties\": {\"X\": {\"Ref\": \"B\"}}}, \"B\": {\"Properties\": {\"X\": {\"Fn::GetAtt\": \"A.Arn\"}}},"
                      " \"C\": {}}", NULL);
    assert_string_equal(s, "[\"A\",\"B\"]");
    lc_free(s);
}

static void test_excluded_resources_are_left_out(void **state)
{
    char *s = s_order("{\"A\": {\"Properties\": {\"X\": {\"Fn::If\": [\"c\", {\"Ref\": \"B\"}, \"y\"]}}}, \"B\": {}}",
                      "{\"A\": true}");
    assert_string_equal(s, "[\"A\"]");
    lc_free(s);
}

static void test_refs_to_parameters_and_pseudo_parameters_are_not_dependencies(void **state)
{
    json_t *r = json_loads("{\"A\": {\"Properties\": {\"X\": {\"Ref\": \"AWS::Region\"}, \"Y\": {\"Ref\": \"Param\"},"
                           " \"Z\": {\"Fn::Sub\": [\"${V}\", {\"V\": {\"Ref\": \"B\"}}]}}}, \"B\": {}}", 0, NULL);
    json_t *deps = lc_cfn_resource_deps(r, "A");
    char *s = lc_json_stringify(deps, 0);
    assert_string_equal(s, "[\"B\"]");
    lc_free(s);
    json_decref(deps);
    json_decref(r);
}

static void test_a_long_chain_is_ordered_without_rescanning_the_template(void **state)
{
    /* R0 depends on R1, ... on R19999: the old scan from the top for each placed resource took
     * n^2/2 steps (tens of seconds); a heap of ready resources takes n log n. */
    enum { N = 20000 };
    json_t *r = json_object();
    char name[32], next[32];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "R%d", i);
        snprintf(next, sizeof next, "R%d", i + 1);
        json_object_set_new(r, name, i + 1 < N ? json_pack("{s:s}", "DependsOn", next) : json_object());
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    json_t *o = lc_cfn_topo_order(r, NULL, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_non_null(o);
    assert_int_equal(json_array_size(o), N);
    assert_string_equal(json_string_value(json_array_get(o, 0)), "R19999");
    assert_string_equal(json_string_value(json_array_get(o, N - 1)), "R0");
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (secs > 5.0)
        fail_msg("ordering %d chained resources took %.1f s", N, secs);
    json_decref(o);
    json_decref(r);
}

static void test_resources_waiting_on_a_cycle_are_named_with_it(void **state)
{
    char *s = s_order("{\"A\": {\"DependsOn\": \"B\"}, \"Free\": {}, \"B\": {\"DependsOn\": \"A\"},"
                      " \"Waits\": {\"DependsOn\": [\"A\", \"Free\"]}, \"Self\": {\"DependsOn\": \"Self\"}}", NULL);
    assert_string_equal(s, "[\"A\",\"B\",\"Waits\",\"Self\"]");
    lc_free(s);
}

static void test_a_resource_referring_to_thousands_of_others_lists_each_once(void **state)
{
    enum { N = 60000 };
    json_t *r = json_object(), *refs = json_array();
    char name[32];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "R%d", i);
        json_object_set_new(r, name, json_object());
        json_array_append_new(refs, json_pack("{s:s}", "Ref", name));
        json_array_append_new(refs, json_pack("{s:[s,s]}", "Fn::GetAtt", name, "Arn"));
    }
    json_object_set_new(r, "Top", json_pack("{s:{s:o}}", "Properties", "Tags", refs));
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    json_t *deps = lc_cfn_resource_deps(r, "Top");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(json_array_size(deps), N);
    assert_string_equal(json_string_value(json_array_get(deps, N - 1)), "R59999");
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (secs > 5.0)
        fail_msg("the %d dependencies of one resource took %.1f s", N, secs);
    json_decref(deps);
    json_decref(r);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_dependencies_come_first_and_ties_keep_template_order),
    cmocka_unit_test(test_a_cycle_names_its_members),
    cmocka_unit_test(test_excluded_resources_are_left_out),
    cmocka_unit_test(test_refs_to_parameters_and_pseudo_parameters_are_not_dependencies),
    cmocka_unit_test(test_a_long_chain_is_ordered_without_rescanning_the_template),
    cmocka_unit_test(test_resources_waiting_on_a_cycle_are_named_with_it),
    cmocka_unit_test(test_a_resource_referring_to_thousands_of_others_lists_each_once),
};
LC_TEST_MAIN(tests)
