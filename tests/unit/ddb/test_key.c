/* test_key.c: key bytes sort as DynamoDB sorts: property tests against a reference comparator. */
#include "ddb_fixture.h"

#include "ddb/ddb_internal.h"
#include "leastcloud/hash.h"

static unsigned s_rand(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 8) & 0xffffff;
}

/* SQLite's BLOB order: memcmp, then the shorter first. */
static int s_blob_cmp(const struct lc_buf *a, const struct lc_buf *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->data, b->data, n) : 0;
    if (c)
        return c < 0 ? -1 : 1;
    return a->len < b->len ? -1 : a->len > b->len;
}

/* Reference for S and B: unsigned byte-wise comparison, written independently of memcmp. */
static int s_ref_bytes(const unsigned char *a, size_t la, const unsigned char *b, size_t lb)
{
    for (size_t i = 0; i < la && i < lb; i++) {
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    }
    return la < lb ? -1 : la > lb;
}

static void s_random_bytes(unsigned *seed, unsigned char *out, size_t *len, bool text)
{
    *len = 1 + s_rand(seed) % 6;
    for (size_t i = 0; i < *len; i++) {
        /* A small alphabet makes shared prefixes common; binary includes 0x00 and 0xff. */
        static const unsigned char bin[] = {0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff};
        out[i] = text ? (unsigned char)("aAb\xc3\xa9z"[s_rand(seed) % 6]) : bin[s_rand(seed) % 6];
    }
}

static void test_binary_keys_order_as_unsigned_bytes(void **state)
{
    unsigned seed = 7;
    for (int i = 0; i < 5000; i++) {
        unsigned char a[8], b[8];
        size_t la, lb;
        s_random_bytes(&seed, a, &la, false);
        s_random_bytes(&seed, b, &lb, false);
        char *ea = lc_base64_encode(a, la), *eb = lc_base64_encode(b, lb);
        json_t *va = json_pack("{s:s}", "B", ea), *vb = json_pack("{s:s}", "B", eb);
        struct lc_buf ka, kb;
        lc_buf_init(&ka, LC_BUF_UNLIMITED);
        lc_buf_init(&kb, LC_BUF_UNLIMITED);
        assert_int_equal(ddb_key_encode(va, 'B', &ka), 0);
        assert_int_equal(ddb_key_encode(vb, 'B', &kb), 0);
        assert_int_equal(s_blob_cmp(&ka, &kb), s_ref_bytes(a, la, b, lb));
        assert_int_equal(ddb_value_cmp(va, vb), s_ref_bytes(a, la, b, lb));
        lc_buf_free(&ka);
        lc_buf_free(&kb);
        json_decref(va);
        json_decref(vb);
        lc_free(ea);
        lc_free(eb);
    }
}

static void test_string_keys_order_as_utf8_bytes(void **state)
{
    unsigned seed = 11;
    for (int i = 0; i < 5000; i++) {
        unsigned char a[8], b[8];
        size_t la, lb;
        s_random_bytes(&seed, a, &la, true);
        s_random_bytes(&seed, b, &lb, true);
        /* Keep whole UTF-8 sequences: drop a dangling lead byte. */
        if (la && a[la - 1] == 0xc3)
            la--;
        if (lb && b[lb - 1] == 0xc3)
            lb--;
        for (size_t j = 0; j < la; j++)
            if (a[j] == 0xa9 && (j == 0 || a[j - 1] != 0xc3))
                a[j] = 'q';
        for (size_t j = 0; j < lb; j++)
            if (b[j] == 0xa9 && (j == 0 || b[j - 1] != 0xc3))
                b[j] = 'q';
        json_t *va = json_pack("{s:s%}", "S", (const char *)a, la), *vb = json_pack("{s:s%}", "S", (const char *)b, lb);
        if (!va || !vb) {
            json_decref(va);
            json_decref(vb);
            continue;
        }
        struct lc_buf ka, kb;
        lc_buf_init(&ka, LC_BUF_UNLIMITED);
        lc_buf_init(&kb, LC_BUF_UNLIMITED);
        assert_int_equal(ddb_key_encode(va, 'S', &ka), 0);
        assert_int_equal(ddb_key_encode(vb, 'S', &kb), 0);
        assert_int_equal(s_blob_cmp(&ka, &kb), s_ref_bytes(a, la, b, lb));
        lc_buf_free(&ka);
        lc_buf_free(&kb);
        json_decref(va);
        json_decref(vb);
    }
}

static void test_number_keys_order_by_value_through_sqlite(void **state)
{
    /* The real check: SQLite orders the encoded BLOBs like the numbers. */
    const char *values[] = {"-1e125", "-100", "-1.5", "-1", "-0.001", "0", "1E-130", "0.001", "1", "1.5", "2", "10", "100.5", "1e125"};
    size_t n = sizeof values / sizeof *values;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE k(b BLOB PRIMARY KEY, i INTEGER) WITHOUT ROWID", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO k VALUES(?, ?)", -1, &st, NULL), SQLITE_OK);
    for (size_t i = n; i-- > 0;) {
        json_t *v = json_pack("{s:s}", "N", values[i]);
        struct lc_buf k;
        lc_buf_init(&k, LC_BUF_UNLIMITED);
        assert_int_equal(ddb_key_encode(v, 'N', &k), 0);
        sqlite3_reset(st);
        sqlite3_bind_blob(st, 1, k.data, (int)k.len, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 2, (int)i);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        lc_buf_free(&k);
        json_decref(v);
    }
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT i FROM k ORDER BY b", -1, &st, NULL), SQLITE_OK);
    int expect = 0;
    while (sqlite3_step(st) == SQLITE_ROW)
        assert_int_equal(sqlite3_column_int(st, 0), expect++);
    assert_int_equal(expect, (int)n);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void test_key_encode_refuses_the_wrong_type(void **state)
{
    json_t *v = fx_json("{'S':'1'}");
    struct lc_buf k;
    lc_buf_init(&k, LC_BUF_UNLIMITED);
    assert_int_equal(ddb_key_encode(v, 'N', &k), LC_EINVAL);
    assert_int_equal(ddb_key_value_len(v, 'S'), 1);
    lc_buf_free(&k);
    json_decref(v);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_binary_keys_order_as_unsigned_bytes),
        cmocka_unit_test(test_string_keys_order_as_utf8_bytes),
        cmocka_unit_test(test_number_keys_order_by_value_through_sqlite),
        cmocka_unit_test(test_key_encode_refuses_the_wrong_type),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
