/* ddb_fixture.h: a fresh state directory and DynamoDB handle per test, and JSON call helpers. */
#ifndef DDB_FIXTURE_H
#define DDB_FIXTURE_H

#include "lc_test.h"

#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/ddb.h"
#include "leastcloud/error.h"
#include "leastcloud/json.h"
#include "leastcloud/store.h"

#include <ftw.h>
#include <unistd.h>

static int s_rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

struct fx {
    char *dir;
    struct lc_store *store;
    struct lc_ddb *ddb;
};

static inline int fx_setup(void **state)
{
    struct fx *f = lc_calloc(1, sizeof *f);
    char tmpl[] = "/tmp/lc_ddb_test_XXXXXX";
    f->dir = lc_strdup(mkdtemp(tmpl));
    struct lc_error err;
    if (lc_store_open(f->dir, NULL, &f->store, &err) != 0 || lc_ddb_open(f->store, &f->ddb, &err) != 0) {
        fprintf(stderr, "open: %s\n", err.message);
        return -1;
    }
    *state = f;
    return 0;
}

static inline int fx_teardown(void **state)
{
    struct fx *f = *state;
    lc_ddb_free(f->ddb);
    lc_store_close(f->store);
    nftw(f->dir, s_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    lc_free(f->dir);
    lc_free(f);
    return 0;
}

#define FX_TEST(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

/* Parses test JSON; single quotes stand for double quotes to keep the literals readable. */
static inline json_t *fx_json(const char *text)
{
    char *copy = lc_strdup(text);
    for (char *c = copy; *c; c++)
        if (*c == '\'')
            *c = '"';
    json_error_t jerr;
    json_t *v = json_loads(copy, JSON_ALLOW_NUL | JSON_DECODE_ANY, &jerr);
    if (!v)
        fail_msg("bad test JSON: %s in %s", jerr.text, copy);
    lc_free(copy);
    return v;
}

/* Runs an operation that must succeed; returns the response (caller decrefs). */
static inline json_t *fx_ok(struct fx *f, const char *op, const char *req_text)
{
    json_t *req = fx_json(req_text);
    json_t *resp = NULL;
    struct lc_error err;
    lc_error_clear(&err);
    int rc = lc_ddb_call(f->ddb, op, req, &resp, &err);
    if (rc != 0)
        fail_msg("%s failed: %s: %s", op, err.aws_code, err.message);
    json_decref(req);
    return resp;
}

/* Runs an operation that must fail with `code` and exactly `message` (NULL: any message). */
static inline void fx_fail(struct fx *f, const char *op, const char *req_text, const char *code, const char *message)
{
    json_t *req = fx_json(req_text);
    json_t *resp = NULL;
    struct lc_error err;
    lc_error_clear(&err);
    int rc = lc_ddb_call(f->ddb, op, req, &resp, &err);
    json_decref(req);
    if (rc == 0) {
        char *s = json_dumps(resp, JSON_COMPACT);
        json_decref(resp);
        fail_msg("%s succeeded but should fail with %s: %s", op, code, s);
    }
    assert_null(resp);
    assert_string_equal(err.aws_code, code);
    if (message)
        assert_string_equal(err.message, message);
}

/* Compact JSON text of a value for string comparison (keys sorted). Caller frees with free(). */
static inline char *fx_text(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

static inline void fx_assert_json(const json_t *v, const char *expected_text)
{
    json_t *want = fx_json(expected_text);
    char *a = fx_text(v), *b = fx_text(want);
    if (strcmp(a, b) != 0)
        fail_msg("JSON differs:\n  got:  %s\n  want: %s", a, b);
    free(a);
    free(b);
    json_decref(want);
}

static inline void fx_simple_table(struct fx *f, const char *name)
{
    char *req = lc_asprintf("{'TableName':'%s','AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'},"
                            "{'AttributeName':'sk','AttributeType':'N'}],'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},"
                            "{'AttributeName':'sk','KeyType':'RANGE'}],'BillingMode':'PAY_PER_REQUEST'}", name);
    json_decref(fx_ok(f, "CreateTable", req));
    lc_free(req);
}

#endif
