/* store_fixture.h: a fresh state directory per test, removed afterwards. */
#ifndef STORE_FIXTURE_H
#define STORE_FIXTURE_H

#include "lc_test.h"

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"
#include "leastcloud/store.h"

#include <ftw.h>
#include <sqlite3.h>
#include <stdint.h>
#include <unistd.h>

static int s_rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

static inline char *fixture_tmpdir(void)
{
    char tmpl[] = "/tmp/lc_store_test_XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return lc_strdup(d);
}

static inline void fixture_rmdir(char *dir)
{
    nftw(dir, s_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    lc_free(dir);
}

struct fixture {
    char *dir;
    struct lc_store *store;
};

/* The one integer a query such as "SELECT count(*) ..." or "PRAGMA data_version" answers. */
static inline int64_t fixture_i64(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static inline int fixture_setup(void **state)
{
    struct fixture *f = lc_calloc(1, sizeof *f);
    f->dir = fixture_tmpdir();
    struct lc_error err;
    if (lc_store_open(f->dir, NULL, &f->store, &err) != 0) {
        fprintf(stderr, "open: %s\n", err.message);
        return -1;
    }
    *state = f;
    return 0;
}

static inline int fixture_teardown(void **state)
{
    struct fixture *f = *state;
    lc_store_close(f->store);
    fixture_rmdir(f->dir);
    lc_free(f);
    return 0;
}

#define FIXTURE_TEST(name) cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

#endif
