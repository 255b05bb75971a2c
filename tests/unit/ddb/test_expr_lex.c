/* test_expr_lex.c: the tokens of the expression language. */
#include "ddb_fixture.h"

#include "ddb/expr.h"

static void test_tokens(void **state)
{
    struct ddb_lexer lx;
    ddb_lex_init(&lx, " #a.b[10] <> :v1 AND <= >= < > = ( ) , x_1 \xc3\xa9");
    const enum ddb_token_kind want[] = {DDB_T_HASHNAME, DDB_T_DOT, DDB_T_NAME, DDB_T_LBRACK, DDB_T_NUMBER, DDB_T_RBRACK,
                                        DDB_T_NE, DDB_T_VALUE, DDB_T_NAME, DDB_T_LE, DDB_T_GE, DDB_T_LT, DDB_T_GT, DDB_T_EQ,
                                        DDB_T_LPAREN, DDB_T_RPAREN, DDB_T_COMMA, DDB_T_NAME, DDB_T_BAD, DDB_T_EOF};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        if (lx.cur.kind != want[i])
            fail_msg("token %zu: kind %d, want %d", i, lx.cur.kind, want[i]);
        if (i == 8)
            assert_true(ddb_tok_is_keyword(&lx, &lx.cur));
        if (i == 18)
            assert_int_equal(lx.cur.len, 2); /* a whole UTF-8 character */
        ddb_lex_next(&lx);
    }
}

static void test_syntax_error_at_start_and_end(void **state)
{
    struct ddb_lexer lx;
    struct lc_error err;
    ddb_lex_init(&lx, "!");
    ddb_lex_syntax_error(&lx, "FilterExpression", &err);
    assert_string_equal(err.message, "Invalid FilterExpression: Syntax error; token: \"!\", near: \"!\"");
    ddb_lex_init(&lx, "a");
    ddb_lex_next(&lx);
    ddb_lex_syntax_error(&lx, "FilterExpression", &err);
    assert_string_equal(err.message, "Invalid FilterExpression: Syntax error; token: \"<EOF>\", near: \"a\"");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_syntax_error_at_start_and_end),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
