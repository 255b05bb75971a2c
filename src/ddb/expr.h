/* expr.h: the lexer shared by the expression parsers (condition, projection, and later update). */
#ifndef LC_DDB_EXPR_H
#define LC_DDB_EXPR_H

#include <strings.h>

#include "ddb/ddb_internal.h"

enum ddb_token_kind {
    DDB_T_NONE,
    DDB_T_EOF,
    DDB_T_BAD,
    DDB_T_NAME,      /* identifier or keyword */
    DDB_T_HASHNAME,  /* #name */
    DDB_T_VALUE,     /* :value */
    DDB_T_NUMBER,    /* digits (list index) */
    DDB_T_DOT,
    DDB_T_LBRACK,
    DDB_T_RBRACK,
    DDB_T_LPAREN,
    DDB_T_RPAREN,
    DDB_T_COMMA,
    DDB_T_EQ,
    DDB_T_NE,
    DDB_T_LT,
    DDB_T_LE,
    DDB_T_GT,
    DDB_T_GE,
};

struct ddb_token {
    enum ddb_token_kind kind;
    size_t start, len;
};

struct ddb_lexer {
    const char *src;
    size_t len, pos;
    struct ddb_token cur, prev;
};

void ddb_lex_init(struct ddb_lexer *lx, const char *src);
void ddb_lex_next(struct ddb_lexer *lx);
bool ddb_tok_is_word(const struct ddb_lexer *lx, const struct ddb_token *t, const char *word);
bool ddb_tok_is_keyword(const struct ddb_lexer *lx, const struct ddb_token *t);
/* "Invalid <what>: Syntax error; token: "<tok>", near: "<prev tok .. tok>"" for the current token. */
int ddb_lex_syntax_error(const struct ddb_lexer *lx, const char *what, struct lc_error *err);

/*
 * Semantic errors are collected while parsing and the one AWS reports first wins; the order differs
 * per expression kind, so each kind lists its categories in order.
 */
enum ddb_expr_err {
    DDB_XE_PARENS,
    DDB_XE_UNKNOWN_FUNCTION,
    DDB_XE_MISUSED_FUNCTION,
    DDB_XE_RESERVED,
    DDB_XE_ATTR_NAME_VAL,
    DDB_XE_OPERAND,
    DDB_XE_DISTINCT,
    DDB_XE_FUNCTION,
    DDB_XE_PATH_OVERLAP,
    DDB_XE_PATH_CONFLICT,
    DDB_XE_COUNT,
};

#endif
