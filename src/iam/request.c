/* request.c: the request context: who asks, for what, on what, and the condition keys. */
#include "iam/iam_internal.h"

#include <string.h>
#include <strings.h>

#include "iam/action_table.h"
#include "leastcloud/alloc.h"

#define ARENA_FIRST 4096

static struct iam_arena_chunk *s_chunk_new(size_t cap)
{
    struct iam_arena_chunk *c = lc_malloc(sizeof *c + cap);
    c->next = NULL;
    c->used = 0;
    c->cap = cap;
    return c;
}

static void *s_alloc(struct lc_iam_request *r, size_t size)
{
    size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    struct iam_arena_chunk *c = r->arena;
    if (c->cap - c->used < size) {
        c = s_chunk_new(size > c->cap ? size : c->cap);
        c->next = r->arena;
        r->arena = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += size;
    return p;
}

static char *s_strdup(struct lc_iam_request *r, const char *v, size_t len)
{
    char *p = s_alloc(r, len + 1);
    memcpy(p, v, len);
    p[len] = '\0';
    return p;
}

struct lc_iam_request *lc_iam_request_new(void)
{
    struct lc_iam_request *r = lc_calloc(1, sizeof(struct lc_iam_request));
    r->arena = s_chunk_new(ARENA_FIRST);
    return r;
}

static void s_clear(struct lc_iam_request *r)
{
    r->principal = r->account = r->action = r->action_lc = r->resource = r->resource_account = NULL;
    r->n_ctx = 0;
    r->principal_type = LC_IAM_PRINCIPAL_USER;
    if (r->arena->next) { /* it overflowed: one chunk as large as everything was, from now on */
        size_t total = 0;
        for (struct iam_arena_chunk *c = r->arena, *next; c; c = next) {
            next = c->next;
            total += c->cap;
            lc_free(c);
        }
        r->arena = s_chunk_new(total);
    }
    r->arena->used = 0;
}

void lc_iam_request_reset(struct lc_iam_request *r)
{
    s_clear(r);
}

void lc_iam_request_free(struct lc_iam_request *r)
{
    if (!r)
        return;
    for (struct iam_arena_chunk *c = r->arena, *next; c; c = next) {
        next = c->next;
        lc_free(c);
    }
    lc_free(r->ctx);
    lc_free(r);
}

/* NULL stays NULL, as lc_strdup would have it. */
static void s_set(struct lc_iam_request *r, char **field, const char *v)
{
    *field = v ? s_strdup(r, v, strlen(v)) : NULL;
}

/* The account of "arn:aws:iam::123:user/x" is "123"; NULL when v is not an ARN. */
static char *s_arn_account(struct lc_iam_request *r, const char *v)
{
    struct lc_iam_arn a;
    if (!v || lc_iam_arn_parse(v, strlen(v), &a) != 0 || a.account_len == 0)
        return NULL;
    return s_strdup(r, a.account, a.account_len);
}

void lc_iam_request_set_principal(struct lc_iam_request *r, const char *arn, enum lc_iam_principal_type type)
{
    s_set(r, &r->principal, arn);
    r->principal_type = type;
    r->account = s_arn_account(r, arn);
}

void lc_iam_request_set_account(struct lc_iam_request *r, const char *account)
{
    s_set(r, &r->account, account);
}

void lc_iam_request_set_action(struct lc_iam_request *r, const char *action)
{
    s_set(r, &r->action, action);
    s_set(r, &r->action_lc, action);
    for (char *p = r->action_lc; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
}

void lc_iam_request_set_resource(struct lc_iam_request *r, const char *resource)
{
    s_set(r, &r->resource, resource);
    struct lc_iam_arn a;
    r->resource_is_arn = resource && lc_iam_arn_parse(resource, strlen(resource), &a) == 0;
    if (r->resource_is_arn)
        lc__iam_split_arn(resource, strlen(resource), r->resource_part);
}

void lc_iam_request_set_resource_account(struct lc_iam_request *r, const char *account)
{
    s_set(r, &r->resource_account, account);
}

const struct iam_ctx_entry *lc__iam_request_find(const struct lc_iam_request *r, const char *key, size_t len)
{
    for (size_t i = 0; i < r->n_ctx; i++) {
        const struct iam_ctx_entry *e = &r->ctx[i];
        if (e->key_len == len && strncasecmp(e->key, key, len) == 0)
            return e;
    }
    return NULL;
}

static struct iam_ctx_entry *s_entry(struct lc_iam_request *r, const char *key)
{
    size_t len = strlen(key);
    struct iam_ctx_entry *e = (struct iam_ctx_entry *)lc__iam_request_find(r, key, len);
    if (e)
        return e;
    if (r->n_ctx == r->cap_ctx) {
        r->cap_ctx = r->cap_ctx ? r->cap_ctx * 2 : 16;
        r->ctx = lc_realloc(r->ctx, r->cap_ctx * sizeof(*r->ctx));
    }
    e = &r->ctx[r->n_ctx++];
    memset(e, 0, sizeof(*e));
    e->key = s_strdup(r, key, len);
    e->key_len = len;
    for (char *p = e->key; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    return e;
}

void lc_iam_request_add_context(struct lc_iam_request *r, const char *key, const char *value)
{
    struct iam_ctx_entry *e = s_entry(r, key);
    if (e->n == e->cap) { /* the old array stays in the arena until the reset */
        size_t cap = e->cap ? e->cap * 2 : 2;
        char **values = s_alloc(r, cap * sizeof(char *));
        if (e->n)
            memcpy(values, e->values, e->n * sizeof(char *));
        e->values = values;
        e->cap = cap;
    }
    e->values[e->n++] = s_strdup(r, value ? value : "", value ? strlen(value) : 0);
    if (e->n > 1)
        e->marked_list = true;
}

bool lc__iam_ctx_is_list(const struct iam_ctx_entry *e)
{
    return e->marked_list || e->n > 1 || lc__iam_key_is_multi(e->key, e->key_len);
}

void lc_iam_request_mark_multivalued(struct lc_iam_request *r, const char *key)
{
    s_entry(r, key)->marked_list = true;
}

size_t lc_iam_request_get_context(const struct lc_iam_request *r, const char *key, const char *const **values)
{
    const struct iam_ctx_entry *e = lc__iam_request_find(r, key, strlen(key));
    if (!e)
        return 0;
    *values = (const char *const *)e->values;
    return e->n;
}

enum lc_iam_principal_type lc_iam_principal_type_of(const char *arn)
{
    struct lc_iam_arn a;
    if (!arn)
        return LC_IAM_PRINCIPAL_ANONYMOUS;
    if (lc_iam_arn_parse(arn, strlen(arn), &a) != 0) {
        size_t n = strlen(arn);
        return n > 14 && strcmp(arn + n - 14, ".amazonaws.com") == 0 ? LC_IAM_PRINCIPAL_SERVICE
                                                                     : LC_IAM_PRINCIPAL_ANONYMOUS;
    }
    if (a.resource_len == 4 && memcmp(a.resource, "root", 4) == 0)
        return LC_IAM_PRINCIPAL_ROOT;
    if (a.resource_len > 13 && memcmp(a.resource, "assumed-role/", 13) == 0)
        return LC_IAM_PRINCIPAL_ASSUMED_ROLE;
    return LC_IAM_PRINCIPAL_USER;
}
