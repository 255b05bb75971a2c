/* watch_fixture.h: a fresh state directory per test, removed afterwards. */
#ifndef WATCH_FIXTURE_H
#define WATCH_FIXTURE_H

#include "lc_test.h"

#include <ftw.h>
#include <unistd.h>

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"
#include "leastcloud/store.h"
#include "leastcloud/watch.h"

struct fixture {
    char *dir;
    struct lc_store *store;
};

static int s_rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static inline int fixture_setup(void **state)
{
    struct fixture *f = lc_calloc(1, sizeof *f);
    char tmpl[] = "/tmp/lc_watch_test_XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    f->dir = lc_strdup(tmpl);
    struct lc_error err = {0};
    if (lc_store_open(f->dir, NULL, &f->store, &err) != 0 || lc_watch_migrate(f->store, &err) != 0) {
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
    nftw(f->dir, s_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    lc_free(f->dir);
    lc_free(f);
    return 0;
}

#define FIXTURE_TEST(name) cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

/* Fails the test with the error's message when rc is not 0. */
#define OK(expr)                                                                                                   \
    do {                                                                                                           \
        struct lc_error e_ = {0};                                                                                  \
        struct lc_error *err = &e_;                                                                                \
        int rc_ = (expr);                                                                                          \
        if (rc_ != 0)                                                                                              \
            fail_msg("%s: %d %s", #expr, rc_, e_.message);                                                         \
    } while (0)

#endif
