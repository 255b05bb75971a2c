/* db.c: opening the state, per-thread connections, migrations and transactions. */
#include "leastcloud/store.h"
#include "leastcloud/store_trail.h"

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"
#include "leastcloud/hash.h"
#include "leastcloud/log.h"
#include "leastcloud/str.h"
#include "store/store_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define STORE_BUSY_TIMEOUT_MS 10000

struct s_cached_stmt {
    const char *sql; /* compared by address */
    sqlite3_stmt *st;
};

struct s_conn {
    sqlite3 *db;
    struct s_cached_stmt *stmts; /* grows; never evicts, since callers hold borrowed statements */
    size_t n_stmts, cap_stmts;
    struct lc_store *store;
    struct s_conn *next;
};

struct lc_store {
    char *dir;
    char *path;
    char *trail_path;
    char *account;
    char *region;
    pthread_key_t key;
    pthread_mutex_t lock; /* guards conns */
    struct s_conn *conns;
};

static void s_conn_unlink_and_close(struct lc_store *store, struct s_conn *c)
{
    pthread_mutex_lock(&store->lock);
    for (struct s_conn **p = &store->conns; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            break;
        }
    }
    pthread_mutex_unlock(&store->lock);
    for (size_t i = 0; i < c->n_stmts; i++)
        sqlite3_finalize(c->stmts[i].st);
    lc_free(c->stmts);
    sqlite3_close_v2(c->db);
    lc_free(c);
}

static void s_thread_exit(void *arg)
{
    struct s_conn *c = arg;
    s_conn_unlink_and_close(c->store, c);
}

static int s_open_conn(struct lc_store *store, sqlite3 **out, struct lc_error *err)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(store->path, &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        lc_error_set(err, LC_EIO, 500, "InternalFailure", "cannot open %s: %s", store->path,
                     db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close_v2(db);
        return LC_EIO;
    }
    sqlite3_busy_timeout(db, STORE_BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(db, 1);
    const char *setup = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                        "PRAGMA temp_store=MEMORY;";
    char *msg = NULL;
    /* The trail has a file of its own (see store_trail.h): the trail writer commits many times a
     * second, and any commit to a database makes every other connection drop its page cache and
     * unmap its memory map of that database at its next read. */
    char *attach = sqlite3_mprintf("%s ATTACH DATABASE %Q AS " LC_STORE_TRAIL_SCHEMA ";"
                                   " PRAGMA " LC_STORE_TRAIL_SCHEMA ".journal_mode=WAL;"
                                   " PRAGMA " LC_STORE_TRAIL_SCHEMA ".synchronous=NORMAL;",
                                   setup, store->trail_path);
    int erc = sqlite3_exec(db, attach, NULL, NULL, &msg);
    sqlite3_free(attach);
    if (erc != SQLITE_OK) {
        lc_error_set(err, LC_EIO, 500, "InternalFailure", "cannot set up %s: %s", store->path,
                     msg ? msg : "unknown error");
        sqlite3_free(msg);
        sqlite3_close_v2(db);
        return LC_EIO;
    }
    *out = db;
    return 0;
}

sqlite3 *lc_store_db(struct lc_store *store)
{
    struct s_conn *c = pthread_getspecific(store->key);
    if (c)
        return c->db;
    struct lc_error err;
    sqlite3 *db;
    if (s_open_conn(store, &db, &err) != 0) {
        LC_LOGE("store", "%s", err.message);
        abort(); /* the state was opened before; losing it now is not recoverable */
    }
    c = lc_calloc(1, sizeof *c);
    c->db = db;
    c->store = store;
    pthread_mutex_lock(&store->lock);
    c->next = store->conns;
    store->conns = c;
    pthread_mutex_unlock(&store->lock);
    pthread_setspecific(store->key, c);
    return db;
}

sqlite3_stmt *lc_store_stmt(struct lc_store *store, const char *sql, struct lc_error *err)
{
    sqlite3 *db = lc_store_db(store);
    struct s_conn *c = pthread_getspecific(store->key);
    for (size_t i = 0; i < c->n_stmts; i++) {
        if (c->stmts[i].sql == sql) {
            sqlite3_reset(c->stmts[i].st);
            sqlite3_clear_bindings(c->stmts[i].st);
            return c->stmts[i].st;
        }
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        lc_store_sql_error(store, "preparing a statement", err);
        return NULL;
    }
    if (c->n_stmts == c->cap_stmts) {
        c->cap_stmts = c->cap_stmts ? c->cap_stmts * 2 : 32;
        c->stmts = lc_realloc(c->stmts, c->cap_stmts * sizeof *c->stmts);
    }
    c->stmts[c->n_stmts++] = (struct s_cached_stmt){sql, st};
    return st;
}

void lc_store_stmt_done(sqlite3_stmt *st)
{
    if (st)
        sqlite3_reset(st);
}

const char *lc_store_dir(const struct lc_store *store) { return store->dir; }
const char *lc_store_account(const struct lc_store *store) { return store->account; }
const char *lc_store_region(const struct lc_store *store) { return store->region; }

int lc_store_sql_error(struct lc_store *store, const char *what, struct lc_error *err)
{
    sqlite3 *db = lc_store_db(store);
    int rc = sqlite3_errcode(db) & 0xff; /* extended result codes are on */
    int code = LC_EINTERNAL;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        code = LC_ECONFLICT;
    else if (rc == SQLITE_CONSTRAINT)
        code = LC_EEXISTS;
    else if (rc == SQLITE_FULL || rc == SQLITE_IOERR)
        code = LC_EIO;
    return lc_error_set(err, code, 500, "InternalFailure", "%s: %s", what, sqlite3_errmsg(db));
}

int lc_store_exec(struct lc_store *store, const char *sql, struct lc_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(lc_store_db(store), sql, NULL, NULL, &msg) != SQLITE_OK) {
        int code = lc_store_sql_error(store, "statement failed", err);
        sqlite3_free(msg);
        return code;
    }
    return 0;
}

int lc_store_begin_read(struct lc_store *store, struct lc_error *err)
{
    return lc_store_exec(store, "BEGIN", err);
}

int lc_store_run(struct lc_store *store, const char *sql, struct lc_error *err)
{
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(store, sql, err);
    lc_store_stmt_done(st);
    return rc;
}

/* BEGIN IMMEDIATE write-locks every attached database, trail.db included, so that each write
 * transaction and each batch of the trail writer would wait for the other. A deferred BEGIN and, at
 * once, a write statement on main that changes no row take state.db's write lock alone; as nothing
 * has been read yet, SQLite waits for the lock in the busy handler exactly as for BEGIN IMMEDIATE
 * (and takes its snapshot after it), instead of failing with SQLITE_BUSY_SNAPSHOT later. */
static const char s_begin_sql[] = "BEGIN";
static const char s_lock_main_sql[] = "UPDATE main.schema_version SET version = version WHERE 0";

int lc_store_begin_write(struct lc_store *store, struct lc_error *err)
{
    int rc = lc_store_run(store, s_begin_sql, err);
    if (rc)
        return rc;
    rc = lc_store_run(store, s_lock_main_sql, err);
    if (rc)
        lc_store_rollback(store);
    return rc;
}

int lc_store_commit(struct lc_store *store, struct lc_error *err)
{
    return lc_store_exec(store, "COMMIT", err);
}

void lc_store_rollback(struct lc_store *store)
{
    sqlite3 *db = lc_store_db(store);
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

static int s_domain_version(struct lc_store *store, const char *domain, int *version)
{
    sqlite3_stmt *st;
    *version = 0;
    if (sqlite3_prepare_v2(lc_store_db(store), "SELECT version FROM schema_version WHERE domain=?",
                           -1, &st, NULL) != SQLITE_OK)
        return LC_EINTERNAL;
    sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        *version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return 0;
}

int lc_store_migrate(struct lc_store *store, const char *domain, const char *const *steps, size_t n,
                     struct lc_error *err)
{
    int rc = lc_store_begin_write(store, err);
    if (rc)
        return rc;
    int version;
    if (s_domain_version(store, domain, &version) != 0) {
        rc = lc_store_sql_error(store, "reading schema_version", err);
        goto fail;
    }
    if ((size_t)version > n) {
        rc = lc_error_set(err, LC_EUNSUPPORTED, 500, "InternalFailure",
                          "the state in %s was written by a newer leastcloud (%s schema version %d, "
                          "this build knows %zu)", store->dir, domain, version, n);
        goto fail;
    }
    for (size_t i = (size_t)version; i < n; i++) {
        if ((rc = lc_store_exec(store, steps[i], err)) != 0) {
            lc_error_prefix(err, "migrating %s to version %zu", domain, i + 1);
            goto fail;
        }
    }
    if ((size_t)version < n) {
        char *sql = lc_asprintf("INSERT INTO schema_version(domain, version) VALUES('%s', %zu) "
                                "ON CONFLICT(domain) DO UPDATE SET version=excluded.version",
                                domain, n);
        rc = lc_store_exec(store, sql, err);
        lc_free(sql);
        if (rc)
            goto fail;
    }
    return lc_store_commit(store, err);
fail:
    lc_store_rollback(store);
    return rc;
}

int64_t lc_store_generation(struct lc_store *store, const char *name)
{
    sqlite3_stmt *st = lc_store_stmt(store, "SELECT value FROM generation WHERE name=?", NULL);
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    lc_store_stmt_done(st);
    return v;
}

int lc_store_bump_generation(struct lc_store *store, const char *name, struct lc_error *err)
{
    sqlite3_stmt *st = lc_store_stmt(store,
                                     "INSERT INTO generation(name, value) VALUES(?, 1) "
                                     "ON CONFLICT(name) DO UPDATE SET value=value+1",
                                     err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(store, "bumping generation", err);
    lc_store_stmt_done(st);
    return rc;
}

void lc_store_random_id(const char *prefix, size_t n, char *out)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    size_t p = strlen(prefix);
    memcpy(out, prefix, p);
    uint8_t bytes[64];
    if (n > sizeof bytes)
        n = sizeof bytes;
    if (lc_random_bytes(bytes, n) != 0)
        abort(); /* no randomness means no safe credentials */
    for (size_t i = 0; i < n; i++)
        out[p + i] = alphabet[bytes[i] & 31];
    out[p + n] = '\0';
}

void lc_store_random_secret(char out[41])
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint8_t bytes[40];
    if (lc_random_bytes(bytes, sizeof bytes) != 0)
        abort();
    for (size_t i = 0; i < 40; i++)
        out[i] = alphabet[bytes[i] & 63];
    out[40] = '\0';
}

static int s_mkdir_p(const char *dir, struct lc_error *err)
{
    char *path = lc_strdup(dir);
    int rc = 0;
    for (char *p = path + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(path, 0700) != 0 && errno != EEXIST) {
                rc = lc_error_set(err, LC_EIO, 0, NULL, "cannot create the state directory %s: %s",
                                  path, strerror(errno));
                break;
            }
            *p = saved;
            if (!saved)
                break;
        }
    }
    lc_free(path);
    return rc;
}

/*
 * SQLite's memory statistics take one process-wide mutex around every allocation, which the server's
 * threads then queue on; nothing here reads those statistics. Must run before SQLite initializes
 * (a later call is refused, harmlessly).
 */
static pthread_once_t s_sqlite_once = PTHREAD_ONCE_INIT;

static void s_sqlite_configure(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int lc_store_open(const char *dir, const struct lc_store_options *options, struct lc_store **out,
                  struct lc_error *err)
{
    *out = NULL;
    pthread_once(&s_sqlite_once, s_sqlite_configure);
    if (!dir || !*dir)
        return lc_error_set(err, LC_EINVAL, 0, NULL, "no state directory given");
    int rc = s_mkdir_p(dir, err);
    if (rc)
        return rc;
    struct lc_store *store = lc_calloc(1, sizeof *store);
    store->dir = lc_strdup(dir);
    store->path = lc_asprintf("%s/state.db", dir);
    store->trail_path = lc_asprintf("%s/trail.db", dir);
    store->account = lc_strdup(options && options->account_id ? options->account_id : "000000000000");
    store->region = lc_strdup(options && options->region ? options->region : "us-east-1");
    pthread_mutex_init(&store->lock, NULL);
    pthread_key_create(&store->key, s_thread_exit);

    sqlite3 *probe;
    if ((rc = s_open_conn(store, &probe, err)) != 0) {
        lc_store_close(store);
        return rc;
    }
    sqlite3_close_v2(probe);
    rc = lc_store_exec(store,
                       "CREATE TABLE IF NOT EXISTS schema_version(domain TEXT PRIMARY KEY, version INTEGER NOT NULL);"
                       "CREATE TABLE IF NOT EXISTS generation(name TEXT PRIMARY KEY, value INTEGER NOT NULL);",
                       err);
    if (!rc)
        rc = lc__store_identity_init(store, err);
    if (rc) {
        lc_store_close(store);
        return rc;
    }
    *out = store;
    return 0;
}

void lc_store_close(struct lc_store *store)
{
    if (!store)
        return;
    /* The calling thread's connection is closed with the rest; forget it so the key destructor
     * does not see it again. */
    pthread_setspecific(store->key, NULL);
    while (store->conns)
        s_conn_unlink_and_close(store, store->conns);
    pthread_key_delete(store->key);
    pthread_mutex_destroy(&store->lock);
    lc_free(store->dir);
    lc_free(store->path);
    lc_free(store->trail_path);
    lc_free(store->account);
    lc_free(store->region);
    lc_free(store);
}

int lc_store_tx_begin(struct lc_store *store, struct lc_store_tx *tx, struct lc_error *err)
{
    tx->owned = sqlite3_get_autocommit(lc_store_db(store)) != 0;
    return tx->owned ? lc_store_begin_write(store, err) : 0;
}

int lc_store_tx_end(struct lc_store *store, struct lc_store_tx *tx, int rc, struct lc_error *err)
{
    if (!tx->owned)
        return rc;
    if (rc) {
        lc_store_rollback(store);
        return rc;
    }
    rc = lc_store_commit(store, err);
    if (rc)
        lc_store_rollback(store);
    return rc;
}
