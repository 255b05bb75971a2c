/* test_value.c: AttributeValue validation with AWS's messages, canonical copies and sizes. */
#include "ddb_fixture.h"

#include "ddb/ddb_internal.h"

static void s_expect(const char *text, const char *code, const char *message)
{
    json_t *v = fx_json(text);
    struct lc_error err;
    lc_error_clear(&err);
    json_t *out = NULL;
    int rc = ddb_value_check(v, &out, NULL, &err);
    json_decref(v);
    if (rc == 0) {
        json_decref(out);
        fail_msg("%s was accepted, want %s", text, message);
    }
    assert_null(out);
    assert_string_equal(err.aws_code, code);
    assert_string_equal(err.message, message);
}

static void test_attribute_value_validation_messages(void **state)
{
    s_expect("{}", "ValidationException", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    s_expect("{'S':'a','N':'1'}", "ValidationException",
             "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
    s_expect("{'NULL':false}", "ValidationException",
             "One or more parameter values were invalid: Null attribute value types must have the value of true");
    s_expect("{'SS':[]}", "ValidationException", "One or more parameter values were invalid: An string set  may not be empty");
    s_expect("{'NS':[]}", "ValidationException", "One or more parameter values were invalid: An number set  may not be empty");
    s_expect("{'BS':[]}", "ValidationException", "One or more parameter values were invalid: Binary sets should not be empty");
    s_expect("{'SS':['a','b','a']}", "ValidationException",
             "One or more parameter values were invalid: Input collection [a, b, a] contains duplicates.");
    s_expect("{'NS':['1','1.0']}", "ValidationException", "Input collection contains duplicates");
    s_expect("{'BS':['AAAA','AAAA']}", "ValidationException",
             "One or more parameter values were invalid: Input collection [AAAA, AAAA]of type BS contains duplicates.");
    s_expect("{'N':'x1'}", "ValidationException", "The parameter cannot be converted to a numeric value: x1");
    s_expect("{'L':[{'N':'1e999'}]}", "ValidationException",
             "Number overflow. Attempting to store a number with magnitude larger than supported range");
    s_expect("{'M':{'a':{}}}", "ValidationException",
             "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
}

static void test_wrong_json_types_are_serialization_errors(void **state)
{
    s_expect("{'S':5}", "SerializationException", "NUMBER_VALUE cannot be converted to String");
    s_expect("{'S':1.5}", "SerializationException", "DECIMAL_VALUE cannot be converted to String");
    s_expect("{'S':true}", "SerializationException", "TRUE_VALUE cannot be converted to String");
    s_expect("{'S':['a']}", "SerializationException", "Unrecognized collection type class java.lang.String");
    s_expect("{'S':{}}", "SerializationException", "Start of structure or map found where not expected");
    s_expect("{'N':5}", "SerializationException", "NUMBER_VALUE cannot be converted to String");
    s_expect("{'B':5}", "SerializationException", "only base-64-encoded strings are convertible to bytes");
    s_expect("{'B':'abc'}", "SerializationException", "Base64 encoded length is expected a multiple of 4 bytes but found: 3");
    s_expect("{'B':'ab!='}", "SerializationException", "Invalid last non-pad Base64 character dectected");
    s_expect("{'BOOL':5}", "SerializationException", "NUMBER_VALUE cannot be converted to Boolean");
    s_expect("{'BOOL':'maybe'}", "SerializationException", "Unexpected token received from parser");
    s_expect("{'SS':'a'}", "SerializationException", "Unexpected field type");
    s_expect("{'L':[5]}", "SerializationException", "Unexpected value type in payload");
    s_expect("{'M':[]}", "SerializationException",
             "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>");
    s_expect("5", "SerializationException", "Unexpected value type in payload");
}

static void test_canonical_copy_normalises_numbers_and_bool_spellings(void **state)
{
    json_t *v = fx_json("{'M':{'n':{'N':'01.10'},'b':{'BOOL':'yes'},'ns':{'NS':['1e1','2']},'l':{'L':[{'N':'-0'}]}}}");
    json_t *out;
    size_t size;
    assert_int_equal(ddb_value_check(v, &out, &size, NULL), 0);
    fx_assert_json(out, "{'M':{'n':{'N':'1.1'},'b':{'BOOL':true},'ns':{'NS':['10','2']},'l':{'L':[{'N':'0'}]}}}");
    json_decref(out);
    json_decref(v);
}

static void test_item_sizes_count_names_and_values(void **state)
{
    const struct {
        const char *item;
        size_t size;
    } cases[] = {
        {"{'a':{'S':'hello'}}", 6},
        {"{'ab':{'S':'h\\u00e9'}}", 5},         /* UTF-8 bytes: 'é' is 2 */
        {"{'a':{'B':'AAECAw=='}}", 5},           /* 4 raw bytes */
        {"{'a':{'BOOL':true},'b':{'NULL':true}}", 4},
        {"{'a':{'SS':['x','yz']}}", 4},
        {"{'a':{'L':[{'S':'x'},{'N':'1'}]}}", 1 + 3 + (1 + 1) + (1 + 2)},
        {"{'a':{'M':{'k':{'S':'v'}}}}", 1 + 3 + 1 + 1 + 1},
        {"{'a':{'M':{}}}", 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *item = fx_json(cases[i].item);
        size_t size = 0;
        assert_int_equal(ddb_item_check(item, NULL, &size, NULL), 0);
        if (size != cases[i].size)
            fail_msg("size of %s = %zu, want %zu", cases[i].item, size, cases[i].size);
        assert_int_equal(ddb_item_size(item), cases[i].size);
        json_decref(item);
    }
}

static void test_value_comparison_and_equality(void **state)
{
    json_t *a = fx_json("{'N':'-10'}"), *b = fx_json("{'N':'9'}"), *c = fx_json("{'N':'9.0'}");
    assert_int_equal(ddb_value_cmp(a, b), -1);
    assert_true(ddb_value_equal(b, c));
    json_t *s1 = fx_json("{'S':'a'}"), *s2 = fx_json("{'S':'ab'}"), *s3 = fx_json("{'S':'B'}");
    assert_int_equal(ddb_value_cmp(s1, s2), -1);
    assert_int_equal(ddb_value_cmp(s3, s1), -1); /* by bytes: 'B' < 'a' */
    json_t *x = fx_json("{'SS':['a','b']}"), *y = fx_json("{'SS':['b','a']}");
    assert_true(ddb_value_equal(x, y));
    json_t *b1 = fx_json("{'B':'/w=='}"), *b2 = fx_json("{'B':'AA=='}");
    assert_int_equal(ddb_value_cmp(b1, b2), 1); /* 0xff > 0x00: unsigned */
    json_t *all[] = {a, b, c, s1, s2, s3, x, y, b1, b2};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        json_decref(all[i]);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attribute_value_validation_messages),
        cmocka_unit_test(test_wrong_json_types_are_serialization_errors),
        cmocka_unit_test(test_canonical_copy_normalises_numbers_and_bool_spellings),
        cmocka_unit_test(test_item_sizes_count_names_and_values),
        cmocka_unit_test(test_value_comparison_and_equality),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
