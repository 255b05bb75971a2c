/* test_db.c: opening the state, per-thread connections, migrations, generations. */
#include "store_fixture.h"

#include "leastcloud/buf.h"
#include "leastcloud/store_iam.h"
#include "leastcloud/store_trail.h"

#include <pthread.h>
#include <sqlite3.h>
#include <time.h>
#include <sys/stat.h>

static void test_first_open_writes_root_credentials_file_with_mode_0600(void **state)
{
    struct fixture *f = *state;
    char *path = lc_asprintf("%s/credentials", f->dir);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    size_t len;
    char *text = lc_file_read(path, 4096, &len, NULL);
    struct lc_store_key root;
    assert_int_equal(lc_store_root_key(f->store, &root, NULL), 0);
    assert_non_null(strstr(text, root.key_id));
    assert_non_null(strstr(text, root.secret));
    assert_memory_equal(root.key_id, "AKIA", 4);
    assert_int_equal(strlen(root.key_id), 20);
    assert_string_equal(root.principal_arn, "arn:aws:iam::000000000000:root");
    lc_free(text);
    lc_free(path);
}

static void test_reopen_keeps_the_same_root_key(void **state)
{
    struct fixture *f = *state;
    struct lc_store_key before, after;
    assert_int_equal(lc_store_root_key(f->store, &before, NULL), 0);
    lc_store_close(f->store);
    assert_int_equal(lc_store_open(f->dir, NULL, &f->store, NULL), 0);
    assert_int_equal(lc_store_root_key(f->store, &after, NULL), 0);
    assert_string_equal(before.key_id, after.key_id);
    assert_string_equal(before.secret, after.secret);
}

static void test_migration_refuses_state_from_a_newer_build(void **state)
{
    struct fixture *f = *state;
    const char *steps[] = {"CREATE TABLE t1(x);", "CREATE TABLE t2(x);"};
    struct lc_error err;
    assert_int_equal(lc_store_migrate(f->store, "demo", steps, 2, &err), 0);
    assert_int_equal(lc_store_migrate(f->store, "demo", steps, 2, &err), 0); /* idempotent */
    assert_int_equal(lc_store_migrate(f->store, "demo", steps, 1, &err), LC_EUNSUPPORTED);
    assert_non_null(strstr(err.message, "newer leastcloud"));
}

static void test_failed_migration_step_leaves_nothing_behind(void **state)
{
    struct fixture *f = *state;
    const char *steps[] = {"CREATE TABLE ok1(x); CREATE TABLE broken(;"};
    struct lc_error err;
    assert_int_not_equal(lc_store_migrate(f->store, "bad", steps, 1, &err), 0);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(lc_store_db(f->store),
                                        "SELECT count(*) FROM sqlite_master WHERE name='ok1'", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
}

static void *s_thread(void *arg)
{
    struct lc_store *store = arg;
    return lc_store_db(store);
}

static void test_each_thread_gets_its_own_connection(void **state)
{
    struct fixture *f = *state;
    pthread_t t;
    void *other;
    assert_int_equal(pthread_create(&t, NULL, s_thread, f->store), 0);
    pthread_join(t, &other);
    assert_ptr_not_equal(other, lc_store_db(f->store));
    assert_ptr_equal(lc_store_db(f->store), lc_store_db(f->store));
}

static void test_generation_counts_iam_changes(void **state)
{
    struct fixture *f = *state;
    int64_t g0 = lc_store_generation(f->store, "iam");
    assert_int_equal(lc_store_principal_create(f->store, LC_PRINCIPAL_USER, "alice", NULL, NULL, NULL, NULL), 0);
    assert_true(lc_store_generation(f->store, "iam") > g0);
    assert_int_equal(lc_store_generation(f->store, "never-bumped"), 0);
}

static void test_nested_transaction_joins_the_outer_one(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(lc_store_begin_write(f->store, NULL), 0);
    assert_int_equal(lc_store_principal_create(f->store, LC_PRINCIPAL_USER, "bob", NULL, NULL, NULL, NULL), 0);
    lc_store_rollback(f->store);
    struct lc_store_principal p;
    struct lc_error err;
    assert_int_equal(lc_store_principal_get_by_name(f->store, LC_PRINCIPAL_USER, "bob", &p, &err), LC_ENOTFOUND);
    assert_string_equal(err.aws_code, "NoSuchEntity");
}

static void test_constraint_violation_is_reported_as_exists(void **state)
{
    struct fixture *f = *state;
    struct lc_error err;
    assert_int_equal(lc_store_exec(f->store, "CREATE TABLE u(x PRIMARY KEY); INSERT INTO u VALUES(1);", &err), 0);
    assert_int_equal(lc_store_exec(f->store, "INSERT INTO u VALUES(1);", &err), LC_EEXISTS);
}

/* Opens path on a connection of its own that gives up at once on a lock. */
static sqlite3 *s_other(const char *dir, const char *file)
{
    char *path = lc_asprintf("%s/%s", dir, file);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    lc_free(path);
    return db;
}

static void test_a_write_transaction_locks_state_db_and_not_the_trail(void **state)
{
    struct fixture *f = *state;
    struct lc_error err;
    assert_int_equal(lc_store_trail_init(f->store, &err), 0);
    sqlite3 *state_db = s_other(f->dir, "state.db"), *trail_db = s_other(f->dir, "trail.db");
    assert_int_equal(lc_store_begin_write(f->store, &err), 0);
    /* state.db is taken before anything is written... */
    assert_int_equal(sqlite3_exec(state_db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_BUSY);
    /* ...and trail.db stays free for the trail writer. */
    assert_int_equal(sqlite3_exec(trail_db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(trail_db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(lc_store_commit(f->store, &err), 0);
    assert_int_equal(sqlite3_exec(state_db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_exec(state_db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(state_db);
    sqlite3_close(trail_db);
}

struct s_holder {
    sqlite3 *db;
    int64_t hold_ms;
};

static void *s_hold_then_commit(void *arg)
{
    struct s_holder *h = arg;
    struct timespec ts = {h->hold_ms / 1000, (h->hold_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    assert_int_equal(sqlite3_exec(h->db, "INSERT INTO w VALUES(2); COMMIT", NULL, NULL, NULL), SQLITE_OK);
    return NULL;
}

/* Another process holds state.db's write lock: begin_write waits for it, then reads what it wrote
 * and writes on top of it, as BEGIN IMMEDIATE did. */
static void test_a_write_transaction_waits_for_another_writer_and_sees_its_commit(void **state)
{
    struct fixture *f = *state;
    struct lc_error err;
    assert_int_equal(lc_store_exec(f->store, "CREATE TABLE w(x); INSERT INTO w VALUES(1);", &err), 0);
    assert_int_equal(fixture_i64(lc_store_db(f->store), "SELECT count(*) FROM w"), 1); /* this connection has read the table before */
    struct s_holder h = {s_other(f->dir, "state.db"), 200};
    assert_int_equal(sqlite3_exec(h.db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, s_hold_then_commit, &h), 0);
    assert_int_equal(lc_store_begin_write(f->store, &err), 0);
    assert_int_equal(fixture_i64(lc_store_db(f->store), "SELECT count(*) FROM w"), 2);
    assert_int_equal(lc_store_exec(f->store, "INSERT INTO w VALUES(3)", &err), 0);
    assert_int_equal(lc_store_commit(f->store, &err), 0);
    pthread_join(t, NULL);
    sqlite3_close(h.db);
    assert_int_equal(fixture_i64(lc_store_db(f->store), "SELECT count(*) FROM w"), 3);
}

static const struct CMUnitTest tests[] = {
    FIXTURE_TEST(test_constraint_violation_is_reported_as_exists),
    FIXTURE_TEST(test_first_open_writes_root_credentials_file_with_mode_0600),
    FIXTURE_TEST(test_reopen_keeps_the_same_root_key),
    FIXTURE_TEST(test_migration_refuses_state_from_a_newer_build),
    FIXTURE_TEST(test_failed_migration_step_leaves_nothing_behind),
    FIXTURE_TEST(test_each_thread_gets_its_own_connection),
    FIXTURE_TEST(test_generation_counts_iam_changes),
    FIXTURE_TEST(test_nested_transaction_joins_the_outer_one),
    FIXTURE_TEST(test_a_write_transaction_locks_state_db_and_not_the_trail),
    FIXTURE_TEST(test_a_write_transaction_waits_for_another_writer_and_sees_its_commit),
};
LC_TEST_MAIN(tests)
