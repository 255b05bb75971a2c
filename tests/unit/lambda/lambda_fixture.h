/* lambda_fixture.h: a temporary state with an execution role, and functions whose code is the fake
 * C runtime (fake_bootstrap.c), for the supervisor's tests. */
#ifndef LC_LAMBDA_FIXTURE_H
#define LC_LAMBDA_FIXTURE_H

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lc_test.h"
#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/store.h"
#include "leastcloud/store_iam.h"
#include "leastcloud/store_lambda.h"
#include "leastcloud/str.h"

struct fixture {
    char dir[64];
    char *code_dir;
    struct lc_store *store;
    struct lc_store_principal role;
};

static inline void fixture_rm(const char *dir)
{
    char *cmd = lc_asprintf("rm -rf '%s'", dir);
    int rc = system(cmd);
    (void)rc;
    lc_free(cmd);
}

static inline void fixture_open(struct fixture *f)
{
    memset(f, 0, sizeof *f);
    lc_strlcpy(f->dir, "/tmp/lc_lambda_unit_XXXXXX", sizeof f->dir);
    assert_non_null(mkdtemp(f->dir));
    char *state = lc_asprintf("%s/state", f->dir);
    struct lc_error err;
    assert_int_equal(lc_store_open(state, NULL, &f->store, &err), 0);
    lc_free(state);
    assert_int_equal(lc_store_principal_create(f->store, LC_PRINCIPAL_ROLE, "fn-role", NULL,
                                               "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                                               "\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},"
                                               "\"Action\":\"sts:AssumeRole\"}]}",
                                               &f->role, &err),
                     0);
    f->code_dir = lc_asprintf("%s/code", f->dir);
    assert_int_equal(mkdir(f->code_dir, 0700), 0);
    const char *build = getenv("LC_BUILD_DIR");
    char *src = lc_asprintf("%s/tests/lambda_fake_bootstrap", build ? build : "build");
    size_t len;
    char *bin = lc_file_read(src, 64 << 20, &len, &err);
    assert_non_null(bin);
    char *dst = lc_asprintf("%s/bootstrap", f->code_dir);
    assert_int_equal(lc_file_write(dst, bin, len, 0700, &err), 0);
    lc_free(bin);
    lc_free(src);
    lc_free(dst);
}

static inline void fixture_close(struct fixture *f)
{
    lc_store_close(f->store);
    fixture_rm(f->dir);
    lc_free(f->code_dir);
}

/* A function description (strings borrowed from the fixture and literals). */
static inline struct lc_lambda_function fixture_function(struct fixture *f, const char *name, int timeout_s)
{
    return (struct lc_lambda_function){
        .name = (char *)name,
        .arn = (char *)"arn:aws:lambda:us-east-1:000000000000:function:fake",
        .runtime = (char *)"provided.al2023",
        .handler = (char *)"fake.handler",
        .role = f->role.arn,
        .environment = (char *)"{\"COLOR\":\"blue\"}",
        .code_dir = f->code_dir,
        .code_sha256 = (char *)"sha-1",
        .timeout_s = timeout_s,
        .memory_mb = 128,
        .last_modified_ms = 1,
    };
}

#endif
