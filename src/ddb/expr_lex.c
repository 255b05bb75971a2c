/* expr_lex.c: the tokens of DynamoDB's expression language, and the arena that parsed trees live in. */
#include "ddb/expr.h"

#include <string.h>

#include "leastcloud/alloc.h"

struct ddb_arena_block {
    struct ddb_arena_block *next;
    size_t used, cap;
    max_align_t data[];
};

#define ARENA_BLOCK 4096

void *ddb_arena_alloc(struct ddb_expr_ctx *ctx, size_t size)
{
    size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    struct ddb_arena_block *b = ctx->arena;
    if (!b || b->cap - b->used < size) {
        size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
        b = lc_malloc(sizeof *b + cap);
        b->next = ctx->arena;
        b->used = 0;
        b->cap = cap;
        ctx->arena = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

void ddb_expr_ctx_init(struct ddb_expr_ctx *ctx, const json_t *names, const json_t *values)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->names = names;
    ctx->values = values;
    /* used_names / used_values are created on first use: most requests name nothing. */
}

void ddb_expr_ctx_free(struct ddb_expr_ctx *ctx)
{
    while (ctx->arena) {
        struct ddb_arena_block *next = ctx->arena->next;
        lc_free(ctx->arena);
        ctx->arena = next;
    }
    json_decref(ctx->used_names);
    json_decref(ctx->used_values);
    ctx->used_names = ctx->used_values = NULL;
}

static bool s_is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool s_is_digit(char c) { return c >= '0' && c <= '9'; }
static bool s_is_word(char c) { return s_is_alpha(c) || s_is_digit(c) || c == '_'; }

void ddb_lex_init(struct ddb_lexer *lx, const char *src)
{
    memset(lx, 0, sizeof *lx);
    lx->src = src;
    lx->len = strlen(src);
    lx->prev.kind = DDB_T_NONE;
    ddb_lex_next(lx);
}

/* Reads the token at lx->pos into lx->cur, remembering the one before (for "near" in errors). */
void ddb_lex_next(struct ddb_lexer *lx)
{
    lx->prev = lx->cur;
    const char *s = lx->src;
    size_t i = lx->pos;
    while (i < lx->len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    struct ddb_token t = {.start = i, .len = 1, .kind = DDB_T_BAD};
    if (i >= lx->len) {
        t.kind = DDB_T_EOF;
        t.len = 0;
    } else if (s_is_alpha(s[i]) || s[i] == '_') {
        size_t j = i;
        while (j < lx->len && s_is_word(s[j]))
            j++;
        t.kind = DDB_T_NAME;
        t.len = j - i;
    } else if (s_is_digit(s[i])) {
        size_t j = i;
        while (j < lx->len && s_is_digit(s[j]))
            j++;
        t.kind = DDB_T_NUMBER;
        t.len = j - i;
    } else if ((s[i] == '#' || s[i] == ':') && i + 1 < lx->len && s_is_word(s[i + 1])) {
        size_t j = i + 1;
        while (j < lx->len && s_is_word(s[j]))
            j++;
        t.kind = s[i] == '#' ? DDB_T_HASHNAME : DDB_T_VALUE;
        t.len = j - i;
    } else {
        switch (s[i]) {
        case '.': t.kind = DDB_T_DOT; break;
        case '[': t.kind = DDB_T_LBRACK; break;
        case ']': t.kind = DDB_T_RBRACK; break;
        case '(': t.kind = DDB_T_LPAREN; break;
        case ')': t.kind = DDB_T_RPAREN; break;
        case ',': t.kind = DDB_T_COMMA; break;
        case '=': t.kind = DDB_T_EQ; break;
        case '<':
            t.kind = DDB_T_LT;
            if (i + 1 < lx->len && s[i + 1] == '=') {
                t.kind = DDB_T_LE;
                t.len = 2;
            } else if (i + 1 < lx->len && s[i + 1] == '>') {
                t.kind = DDB_T_NE;
                t.len = 2;
            }
            break;
        case '>':
            t.kind = DDB_T_GT;
            if (i + 1 < lx->len && s[i + 1] == '=') {
                t.kind = DDB_T_GE;
                t.len = 2;
            }
            break;
        default:
            /* One UTF-8 character, so the error shows the whole character. */
            while (i + t.len < lx->len && ((unsigned char)s[i + t.len] & 0xC0) == 0x80)
                t.len++;
            break;
        }
    }
    lx->cur = t;
    lx->pos = t.start + t.len;
}

bool ddb_tok_is_word(const struct ddb_lexer *lx, const struct ddb_token *t, const char *word)
{
    size_t n = strlen(word);
    return t->kind == DDB_T_NAME && t->len == n && strncasecmp(lx->src + t->start, word, n) == 0;
}

/* The keywords of the grammar are not attribute names. */
bool ddb_tok_is_keyword(const struct ddb_lexer *lx, const struct ddb_token *t)
{
    static const char *const kw[] = {"AND", "OR", "NOT", "BETWEEN", "IN"};
    for (size_t i = 0; i < sizeof kw / sizeof *kw; i++) {
        if (ddb_tok_is_word(lx, t, kw[i]))
            return true;
    }
    return false;
}

int ddb_lex_syntax_error(const struct ddb_lexer *lx, const char *what, struct lc_error *err)
{
    const struct ddb_token *t = &lx->cur;
    size_t near_start = lx->prev.kind == DDB_T_NONE ? t->start : lx->prev.start;
    size_t near_end = t->start + t->len;
    if (t->kind == DDB_T_EOF)
        return ddb_invalid(err, "Invalid %s: Syntax error; token: \"<EOF>\", near: \"%.*s\"", what,
                           (int)(near_end - near_start), lx->src + near_start);
    return ddb_invalid(err, "Invalid %s: Syntax error; token: \"%.*s\", near: \"%.*s\"", what, (int)t->len,
                       lx->src + t->start, (int)(near_end - near_start), lx->src + near_start);
}
