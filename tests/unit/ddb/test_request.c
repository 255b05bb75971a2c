/* test_request.c: typed request members with the deserializer's messages. */
#include "ddb_fixture.h"

#include "ddb/ddb_internal.h"

static void test_typed_members_and_their_errors(void **state)
{
    json_t *req = fx_json("{'s':'x','n':3,'r':2.7,'b':true,'bs':'yes','o':{},'a':[],'bad':[1]}");
    struct lc_error err;
    const char *s;
    bool b, present;
    int64_t i;
    const json_t *o;
    assert_int_equal(ddb_req_string(req, "s", true, &s, &err), 0);
    assert_string_equal(s, "x");
    assert_int_equal(ddb_req_string(req, "missing", true, &s, &err), LC_EINVAL);
    assert_string_equal(err.message, "The parameter 'missing' is required but was not present in the request");
    assert_int_equal(ddb_req_string(req, "n", false, &s, &err), LC_EINVAL);
    assert_string_equal(err.message, "NUMBER_VALUE cannot be converted to String");
    assert_int_equal(ddb_req_int(req, "r", &present, &i, &err), 0);
    assert_true(present);
    assert_int_equal(i, 2);
    assert_int_equal(ddb_req_int(req, "s", &present, &i, &err), LC_EINVAL);
    assert_string_equal(err.message, "STRING_VALUE cannot be converted to Long");
    assert_int_equal(ddb_req_bool(req, "bs", &b, &err), 0);
    assert_true(b);
    assert_int_equal(ddb_req_bool(req, "n", &b, &err), LC_EINVAL);
    assert_string_equal(err.message, "NUMBER_VALUE cannot be converted to Boolean");
    assert_int_equal(ddb_req_object(req, "a", false, &o, &err), LC_EINVAL);
    assert_string_equal(err.aws_code, "SerializationException");
    assert_int_equal(ddb_req_array(req, "o", false, &o, &err), LC_EINVAL);
    assert_string_equal(err.message, "Start of structure or map found where not expected");
    json_decref(req);
}

static void test_enums_list_their_values(void **state)
{
    json_t *req = fx_json("{'ReturnConsumedCapacity':'ALL'}");
    static const char *const allowed[] = {"INDEXES", "TOTAL", "NONE"};
    const char *v;
    struct lc_error err;
    assert_int_equal(ddb_check_enum(req, "ReturnConsumedCapacity", allowed, 3, &v, &err), LC_EINVAL);
    assert_string_equal(err.message, "1 validation error detected: Value 'ALL' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]");
    json_decref(req);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typed_members_and_their_errors),
        cmocka_unit_test(test_enums_list_their_values),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
