/* test_trail.c: the trail in its own file, so that its commits leave state.db's readers alone. */
#include "store_fixture.h"

#include <sqlite3.h>
#include <string.h>

#include "leastcloud/store_trail.h"

static void s_append(struct lc_store *store, const char *request_id)
{
    struct lc_store_trail_event ev = {
        .time_ms = 1700000000000,
        .request_id = request_id,
        .principal_arn = "arn:aws:iam::000000000000:user/reader",
        .service = "dynamodb",
        .operation = "GetItem",
        .action = "dynamodb:GetItem",
        .resources = "[\"arn:aws:dynamodb:us-east-1:000000000000:table/t\"]",
        .decision = "Allowed",
        .statement = 0,
        .http_status = 200,
    };
    struct lc_error err;
    assert_int_equal(lc_store_trail_append(store, &ev, 1, &err), 0);
}

static void test_trail_commits_leave_the_state_database_unchanged(void **state)
{
    struct fixture *f = *state;
    struct lc_error err;
    assert_int_equal(lc_store_trail_init(f->store, &err), 0);
    /* Another connection to state.db, as a server thread reading DynamoDB items has. */
    char *path = lc_asprintf("%s/state.db", f->dir);
    sqlite3 *reader;
    assert_int_equal(sqlite3_open_v2(path, &reader, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    int64_t before = fixture_i64(reader, "PRAGMA data_version");
    s_append(f->store, "r1");
    s_append(f->store, "r2");
    assert_int_equal(fixture_i64(reader, "PRAGMA data_version"), before);
    assert_int_equal(lc_store_trail_count(f->store), 2);
    /* The probe sees a commit to state.db itself. */
    assert_int_equal(lc_store_exec(f->store, "CREATE TABLE probe(x)", &err), 0);
    assert_true(fixture_i64(reader, "PRAGMA data_version") != before);
    sqlite3_close(reader);
    lc_free(path);
}

/* A state written before the trail had its own file: the table as it was, with a row in it. */
static void test_trail_rows_of_an_older_state_move_to_the_trail_file(void **state)
{
    struct fixture *f = *state;
    struct lc_error err;
    static const char *const old_steps[] = {
        "CREATE TABLE trail(id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, request_id TEXT NOT NULL,"
        " principal_arn TEXT NOT NULL, key_id TEXT NOT NULL, source_ip TEXT NOT NULL, service TEXT NOT NULL,"
        " operation TEXT NOT NULL, action TEXT NOT NULL, resources TEXT NOT NULL, decision TEXT NOT NULL,"
        " policy TEXT NOT NULL, statement INTEGER NOT NULL, sid TEXT NOT NULL, checks TEXT NOT NULL,"
        " error_code TEXT NOT NULL, http_status INTEGER NOT NULL, duration_us INTEGER NOT NULL);"
        "CREATE INDEX trail_principal_time ON trail(principal_arn, time_ms);"
        "CREATE INDEX trail_time ON trail(time_ms);",
        "DROP INDEX trail_time;",
    };
    assert_int_equal(lc_store_migrate(f->store, "trail", old_steps, 2, &err), 0);
    assert_int_equal(lc_store_exec(f->store,
                                   "INSERT INTO main.trail VALUES(7, 1, 'old-request', 'p', 'k', 'ip', 'dynamodb',"
                                   " 'GetItem', 'dynamodb:GetItem', '[]', 'Allowed', 'pol', 0, '', '', '', 200, 5);",
                                   &err),
                     0);
    assert_int_equal(lc_store_trail_init(f->store, &err), 0);

    sqlite3 *db = lc_store_db(f->store);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM main.sqlite_master WHERE name = 'trail'", -1, &st,
                                        NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);

    char *path = lc_asprintf("%s/trail.db", f->dir);
    sqlite3 *trail;
    assert_int_equal(sqlite3_open_v2(path, &trail, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(trail, "SELECT id, request_id FROM trail", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 7);
    assert_string_equal((const char *)sqlite3_column_text(st, 1), "old-request");
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(trail);
    lc_free(path);

    /* New rows follow the old ones. */
    s_append(f->store, "new-request");
    assert_int_equal(lc_store_trail_count(f->store), 2);
}

static void test_a_trail_file_deleted_by_hand_comes_back_empty(void **state)
{
    struct fixture *f = *state;
    struct lc_error err;
    assert_int_equal(lc_store_trail_init(f->store, &err), 0);
    s_append(f->store, "r1");
    lc_store_close(f->store);
    char *path = lc_asprintf("%s/trail.db", f->dir);
    assert_int_equal(remove(path), 0);
    char *wal = lc_asprintf("%s-wal", path);
    remove(wal);
    lc_free(wal);
    lc_free(path);
    assert_int_equal(lc_store_open(f->dir, NULL, &f->store, &err), 0);
    assert_int_equal(lc_store_trail_init(f->store, &err), 0);
    assert_int_equal(lc_store_trail_count(f->store), 0);
    s_append(f->store, "r2");
    assert_int_equal(lc_store_trail_count(f->store), 1);
}

static const struct CMUnitTest tests[] = {
    FIXTURE_TEST(test_trail_commits_leave_the_state_database_unchanged),
    FIXTURE_TEST(test_trail_rows_of_an_older_state_move_to_the_trail_file),
    FIXTURE_TEST(test_a_trail_file_deleted_by_hand_comes_back_empty),
};
LC_TEST_MAIN(tests)
