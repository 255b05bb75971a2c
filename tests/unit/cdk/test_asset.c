/* test_asset.c: CDK's source fingerprint of an asset directory, reimplemented over lc_sha256. */
#include "cdk_test.h"

#include <sys/stat.h>

static void s_write(const char *dir, const char *name, const char *data, size_t len)
{
    char *p = lc_asprintf("%s/%s", dir, name);
    assert_int_equal(lc_file_write(p, data, len, 0644, NULL), 0);
    lc_free(p);
}

static void s_hash(const char *path, char out[65])
{
    struct lc_error err;
    if (lc_cdk_asset_hash(path, out, &err) != 0)
        fail_msg("%s", err.message);
}

static void test_seed_function_directory_hashes_like_cdk(void **state)
{
    char *d = lc_asprintf("%s/examples/seed/functionLocation", lc_test_source_dir());
    char h[65];
    s_hash(d, h);
    assert_string_equal(h, "b205477964981b2847e3ff6bc34423167b614113ba4c8dad4b888c237d53ba65");
    lc_free(d);
}

static void test_crlf_text_hashes_like_lf_text(void **state)
{
    char *a = cdk_tmpdir(), *b = cdk_tmpdir();
    s_write(a, "f.txt", "one\r\ntwo\r\n", 10);
    s_write(b, "f.txt", "one\ntwo\n", 8);
    char ha[65], hb[65];
    s_hash(a, ha);
    s_hash(b, hb);
    assert_string_equal(ha, hb);
    cdk_rm_rf(a);
    cdk_rm_rf(b);
    lc_free(a);
    lc_free(b);
}

static void test_binary_content_is_hashed_as_is(void **state)
{
    char *a = cdk_tmpdir(), *b = cdk_tmpdir();
    s_write(a, "f.bin", "\0one\r\n", 6);
    s_write(b, "f.bin", "\0one\n", 5);
    char ha[65], hb[65];
    s_hash(a, ha);
    s_hash(b, hb);
    assert_string_not_equal(ha, hb);
    cdk_rm_rf(a);
    cdk_rm_rf(b);
    lc_free(a);
    lc_free(b);
}

static void test_file_names_and_nesting_change_the_hash(void **state)
{
    char *a = cdk_tmpdir(), *b = cdk_tmpdir();
    s_write(a, "x.js", "1", 1);
    char *sub = lc_asprintf("%s/sub", b);
    mkdir(sub, 0755);
    s_write(sub, "x.js", "1", 1);
    char ha[65], hb[65];
    s_hash(a, ha);
    s_hash(b, hb);
    assert_string_not_equal(ha, hb);
    cdk_rm_rf(a);
    cdk_rm_rf(b);
    lc_free(a);
    lc_free(b);
    lc_free(sub);
}

/* Expected hash computed by aws-cdk-lib 2.276's FileSystem.fingerprint on the same tree: CRLFs,
 * invalid UTF-8, a CR at the 8 KiB chunk boundary, an internal symlink. */
static void test_quirky_text_files_and_internal_links_hash_like_cdk(void **state)
{
    char *d = cdk_tmpdir();
    char *sub = lc_asprintf("%s/sub", d);
    mkdir(sub, 0755);
    s_write(d, "x.txt", "a\r\nb\r\n", 6);
    s_write(sub, "y.txt", "caf\xc3\xa9 \xff\xfe bad\r", 13);
    char *edge = lc_malloc(8192 + 20);
    memset(edge, 'A', 8191);
    edge[8191] = '\r';
    for (int i = 0; i < 10; i++) {
        edge[8192 + 2 * i] = '\n';
        edge[8193 + 2 * i] = 'B';
    }
    s_write(d, "edge.txt", edge, 8192 + 20);
    s_write(d, "in.txt", "hi\n", 3);
    char *link = lc_asprintf("%s/link-in", d);
    assert_int_equal(symlink("in.txt", link), 0);
    char h[65];
    s_hash(d, h);
    assert_string_equal(h, "51bad5804edec279661e7ad9fdddd4d98f62dc78ff3e1fc0bd4deb1c797ce290");
    cdk_rm_rf(d);
    lc_free(d);
    lc_free(sub);
    lc_free(edge);
    lc_free(link);
}

static void test_missing_asset_is_an_error(void **state)
{
    char h[65];
    struct lc_error err;
    assert_int_equal(lc_cdk_asset_hash("/nonexistent/dir", h, &err), LC_ENOTFOUND);
    assert_non_null(strstr(err.message, "Cannot find asset at /nonexistent/dir"));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_function_directory_hashes_like_cdk),
        cmocka_unit_test(test_crlf_text_hashes_like_lf_text),
        cmocka_unit_test(test_binary_content_is_hashed_as_is),
        cmocka_unit_test(test_file_names_and_nesting_change_the_hash),
        cmocka_unit_test(test_quirky_text_files_and_internal_links_hash_like_cdk),
        cmocka_unit_test(test_missing_asset_is_an_error),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
