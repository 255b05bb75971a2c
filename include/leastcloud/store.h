/*
 * store.h: the SQLite state of a leastcloud account (one state directory, one database in WAL mode).
 *
 * One `struct lc_store` per process, shared by all threads. Each thread gets its own SQLite connection
 * (lc_store_db), opened on first use and closed when the thread ends or the store closes, so that
 * worker threads never share a connection. The CLI and a running server may use the same state at once:
 * SQLite's locking and a busy timeout arbitrate.
 *
 * Durability: WAL with synchronous=NORMAL, so a committed transaction survives kill -9 of the process.
 *
 * Each module owns its own tables and declares them as a numbered list of migration steps applied with
 * lc_store_migrate(store, "<module>", steps, n, err); the versions live in table `schema_version`.
 */
#ifndef LEASTCLOUD_STORE_H
#define LEASTCLOUD_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lc_error;
struct lc_store;

struct lc_store_options {
    const char *account_id;  /* default "000000000000" */
    const char *region;      /* default "us-east-1" */
};

/*
 * Opens (creating when absent, mode 0700) the state directory `dir` and its database `state.db`,
 * applies the core migrations and, on the very first start, creates the account and its root
 * credentials, written to `<dir>/credentials` (mode 0600, ini format like ~/.aws/credentials).
 * On success *out owns the store; close it with lc_store_close. options may be NULL.
 */
int lc_store_open(const char *dir, const struct lc_store_options *options, struct lc_store **out,
                  struct lc_error *err);
/* Closes every connection the store opened. NULL is a no-op. No thread may still use the store. */
void lc_store_close(struct lc_store *store);

/* The calling thread's connection; borrowed, valid until the thread exits or the store closes.
 * Never NULL once lc_store_open succeeded (an open failure aborts: it means the disk vanished). */
sqlite3 *lc_store_db(struct lc_store *store);

const char *lc_store_dir(const struct lc_store *store);        /* borrowed */
const char *lc_store_account(const struct lc_store *store);    /* borrowed, e.g. "000000000000" */
const char *lc_store_region(const struct lc_store *store);     /* borrowed, e.g. "us-east-1" */

/*
 * Applies steps[v..n-1] of `domain`, where v is the domain's recorded version, each in the same
 * transaction as the version bump. Steps are SQL scripts and must never change once released:
 * add a new step instead.
 */
int lc_store_migrate(struct lc_store *store, const char *domain, const char *const *steps, size_t n,
                     struct lc_error *err);

/* Transactions on the calling thread's connection. begin_write takes state.db's write lock at
 * once (as BEGIN IMMEDIATE would, waiting up to the busy timeout) so that a read-then-write
 * transaction never fails to upgrade; trail.db's lock is taken only by a statement that writes it. */
int lc_store_begin_read(struct lc_store *store, struct lc_error *err);
int lc_store_begin_write(struct lc_store *store, struct lc_error *err);
int lc_store_commit(struct lc_store *store, struct lc_error *err);
void lc_store_rollback(struct lc_store *store);

/* A write transaction that joins the caller's when the connection is already inside one, so that
 * store functions compose: the outermost caller commits. */
struct lc_store_tx {
    bool owned; /* we began it, so we end it */
};
int lc_store_tx_begin(struct lc_store *store, struct lc_store_tx *tx, struct lc_error *err);
/* Commits (rc == 0) or rolls back (rc != 0) an owned transaction; returns rc or the commit error. */
int lc_store_tx_end(struct lc_store *store, struct lc_store_tx *tx, int rc, struct lc_error *err);

/* Fills err from the connection's last SQLite error (LC_EINTERNAL, 500, "InternalFailure") with
 * `what` as context; returns the LC_E code. LC_ECONFLICT for SQLITE_BUSY, LC_EEXISTS for constraints. */
int lc_store_sql_error(struct lc_store *store, const char *what, struct lc_error *err);

/*
 * A prepared statement for `sql` on the calling thread's connection, cached per connection by the
 * ADDRESS of `sql` (pass a string literal or other static string), freshly reset with its bindings
 * cleared. Borrowed: never finalize it. Call lc_store_stmt_done when finished stepping, because a
 * statement left mid-way keeps its read snapshot open. NULL (err filled) if the SQL does not compile.
 */
sqlite3_stmt *lc_store_stmt(struct lc_store *store, const char *sql, struct lc_error *err);
void lc_store_stmt_done(sqlite3_stmt *st);

/* Runs SQL with no result rows (DDL, simple statements). */
int lc_store_exec(struct lc_store *store, const char *sql, struct lc_error *err);
/* The same for one statement without parameters that runs often (BEGIN, COMMIT): through the
 * statement cache (same address rule as lc_store_stmt), so it is parsed once per connection. */
int lc_store_run(struct lc_store *store, const char *sql, struct lc_error *err);

/* A monotonically increasing counter per name (e.g. "iam" bumps on every IAM change, so that caches
 * of compiled policies know when to reload). get returns 0 for a counter never bumped. */
int64_t lc_store_generation(struct lc_store *store, const char *name);
int lc_store_bump_generation(struct lc_store *store, const char *name, struct lc_error *err);

/* Random identifiers as AWS shapes them: `prefix` + upper-case base32 characters, e.g. ("AKIA", 16)
 * gives an access key id "AKIA" + 16 chars. out must hold strlen(prefix)+n+1 bytes. */
void lc_store_random_id(const char *prefix, size_t n, char *out);
/* A 40-character secret access key from [A-Za-z0-9+/]. out must hold 41 bytes. */
void lc_store_random_secret(char out[41]);

#endif
