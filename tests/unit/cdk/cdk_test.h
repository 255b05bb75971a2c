/* cdk_test.h: helpers for the construct library's tests: synth into a temp dir, compare templates. */
#ifndef LC_CDK_TEST_H
#define LC_CDK_TEST_H

#include "lc_test.h"

#include <ftw.h>
#include <sys/stat.h>
#include <jansson.h>
#include <unistd.h>

#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/cdk.h"
#include "leastcloud/error.h"
#include "leastcloud/json.h"

/* The context the CDK CLI passes by default (what the references' default/ output was made with). */
#define CLI_CONTEXT "{\"aws:cdk:enable-path-metadata\":true,\"aws:cdk:enable-asset-metadata\":true}"

static int s_rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static inline void cdk_rm_rf(const char *dir)
{
    if (getenv("LC_CDK_TEST_KEEP"))
        return;
    nftw(dir, s_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh temp dir; caller frees with lc_free after cdk_rm_rf. */
static inline char *cdk_tmpdir(void)
{
    char *d = lc_strdup("/tmp/lc-cdk-test-XXXXXX");
    assert_non_null(mkdtemp(d));
    return d;
}

/* Runs the tests from the folder holding functionLocation/ (asset paths are relative, as in CDK). */
static inline void cdk_chdir_assets(void)
{
    char *d = lc_asprintf("%s/examples/seed", lc_test_source_dir());
    assert_int_equal(chdir(d), 0);
    lc_free(d);
}

static inline json_t *cdk_load(const char *path)
{
    struct lc_error err;
    json_t *v = lc_json_load_file(path, &err);
    if (!v)
        fail_msg("%s", err.message);
    return v;
}

static inline json_t *cdk_load_src(const char *rel)
{
    char *p = lc_asprintf("%s/%s", lc_test_source_dir(), rel);
    json_t *v = cdk_load(p);
    lc_free(p);
    return v;
}

/* What we compare: the template without CDK's analytics resource and its condition. */
static inline void cdk_strip_analytics(json_t *t)
{
    json_object_del(json_object_get(t, "Resources"), "CDKMetadata");
    json_object_del(t, "Conditions");
}

static inline void cdk_assert_json_equal(json_t *got, json_t *want)
{
    if (!json_equal(got, want)) {
        char *g = lc_json_stringify(got, 1), *w = lc_json_stringify(want, 1);
        fprintf(stderr, "--- got ---\n%s\n--- want ---\n%s\n", g, w);
        lc_free(g);
        lc_free(w);
        fail_msg("templates differ");
    }
}

/* Synthesizes and returns the stack's template (new reference); frees the app. */
static inline json_t *cdk_synth_template(lc_app *app, const char *stack, char **dir_out)
{
    /* LC_CDK_TEST_KEEP=<dir>: keep each assembly in <dir>/<stack> (the integration tests lint them). */
    const char *keep = getenv("LC_CDK_TEST_KEEP");
    char *dir = keep ? lc_asprintf("%s/%s", keep, stack) : cdk_tmpdir();
    if (keep)
        mkdir(dir, 0755);
    struct lc_error err;
    lc_error_clear(&err);
    int rc = lc_app_synth_to(app, dir, &err);
    if (rc != 0)
        fail_msg("synth failed: %s", err.message);
    char *p = lc_asprintf("%s/%s.template.json", dir, stack);
    json_t *t = cdk_load(p);
    lc_free(p);
    lc_app_free(app);
    if (dir_out) {
        *dir_out = dir;
    } else {
        if (!keep)
            cdk_rm_rf(dir);
        lc_free(dir);
    }
    return t;
}

static inline void cdk_assert_template(lc_app *app, const char *stack, const char *want_rel)
{
    json_t *got = cdk_synth_template(app, stack, NULL);
    json_t *want = cdk_load_src(want_rel);
    cdk_strip_analytics(want);
    cdk_assert_json_equal(got, want);
    json_decref(got);
    json_decref(want);
}

/* Expects validation to fail with a message containing `needle`; frees the app. */
static inline void cdk_assert_synth_fails(lc_app *app, const char *needle)
{
    char *dir = cdk_tmpdir();
    struct lc_error err;
    lc_error_clear(&err);
    int rc = lc_app_synth_to(app, dir, &err);
    if (rc == 0)
        fail_msg("synth succeeded, expected an error containing '%s'", needle);
    if (!strstr(err.message, needle))
        fail_msg("error '%s' does not contain '%s'", err.message, needle);
    lc_app_free(app);
    cdk_rm_rf(dir);
    lc_free(dir);
}

#endif
