/* identity.c: IAM principals, access keys and session credentials in the state. */
#include "leastcloud/store_iam.h"

#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/clock.h"
#include "leastcloud/error.h"
#include "leastcloud/hash.h"
#include "leastcloud/str.h"
#include "store/store_internal.h"

#include <stdio.h>
#include <string.h>

static const char *const s_iam_schema[] = {
    /* v1 */
    "CREATE TABLE accounts(id TEXT PRIMARY KEY, region TEXT NOT NULL, created_ms INTEGER NOT NULL);"
    "CREATE TABLE principals("
    "  arn TEXT PRIMARY KEY, account TEXT NOT NULL, type TEXT NOT NULL"
    "    CHECK(type IN ('root','user','role','group')),"
    "  name TEXT NOT NULL, path TEXT NOT NULL DEFAULT '/', id TEXT NOT NULL UNIQUE,"
    "  trust_policy TEXT, boundary_arn TEXT, created_ms INTEGER NOT NULL,"
    "  UNIQUE(account, type, name));"
    "CREATE TABLE access_keys("
    "  key_id TEXT PRIMARY KEY, secret TEXT NOT NULL,"
    "  principal_arn TEXT NOT NULL REFERENCES principals(arn) ON DELETE CASCADE,"
    "  status TEXT NOT NULL DEFAULT 'Active' CHECK(status IN ('Active','Inactive')),"
    "  session_token TEXT, session_arn TEXT, session_policy TEXT, expires_ms INTEGER NOT NULL DEFAULT 0,"
    "  created_ms INTEGER NOT NULL, last_used_ms INTEGER);"
    "CREATE INDEX access_keys_principal ON access_keys(principal_arn);"
    "CREATE TABLE policies("
    "  arn TEXT PRIMARY KEY, account TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL DEFAULT '/',"
    "  id TEXT NOT NULL UNIQUE, default_version TEXT NOT NULL DEFAULT 'v1',"
    "  next_version INTEGER NOT NULL DEFAULT 2, aws_managed INTEGER NOT NULL DEFAULT 0,"
    "  description TEXT, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);"
    "CREATE TABLE policy_versions("
    "  policy_arn TEXT NOT NULL REFERENCES policies(arn) ON DELETE CASCADE, version_id TEXT NOT NULL,"
    "  document TEXT NOT NULL, created_ms INTEGER NOT NULL, PRIMARY KEY(policy_arn, version_id));"
    "CREATE TABLE inline_policies("
    "  principal_arn TEXT NOT NULL REFERENCES principals(arn) ON DELETE CASCADE, name TEXT NOT NULL,"
    "  document TEXT NOT NULL, PRIMARY KEY(principal_arn, name));"
    "CREATE TABLE attachments("
    "  principal_arn TEXT NOT NULL REFERENCES principals(arn) ON DELETE CASCADE,"
    "  policy_arn TEXT NOT NULL REFERENCES policies(arn), PRIMARY KEY(principal_arn, policy_arn));"
    "CREATE TABLE group_members("
    "  group_arn TEXT NOT NULL REFERENCES principals(arn) ON DELETE CASCADE,"
    "  user_arn TEXT NOT NULL REFERENCES principals(arn) ON DELETE CASCADE,"
    "  PRIMARY KEY(group_arn, user_arn));",
};

static const char *const s_type_names[] = {"root", "user", "role", "group"};
static const char *const s_id_prefix[] = {"", "AIDA", "AROA", "AGPA"};

const char *lc_principal_type_name(enum lc_principal_type type)
{
    return (unsigned)type < 4 ? s_type_names[type] : "unknown";
}

static enum lc_principal_type s_type_from_name(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, s_type_names[i]))
            return (enum lc_principal_type)i;
    return LC_PRINCIPAL_USER;
}

static void s_copy_col(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    const unsigned char *v = sqlite3_column_text(st, col);
    lc_strlcpy(dst, v ? (const char *)v : "", size);
}

#define PRINCIPAL_COLS "type, arn, name, path, id, account, boundary_arn, created_ms"

static void s_read_principal(sqlite3_stmt *st, struct lc_store_principal *p)
{
    memset(p, 0, sizeof *p);
    p->type = s_type_from_name((const char *)sqlite3_column_text(st, 0));
    s_copy_col(p->arn, sizeof p->arn, st, 1);
    s_copy_col(p->name, sizeof p->name, st, 2);
    s_copy_col(p->path, sizeof p->path, st, 3);
    s_copy_col(p->id, sizeof p->id, st, 4);
    s_copy_col(p->account, sizeof p->account, st, 5);
    s_copy_col(p->boundary_arn, sizeof p->boundary_arn, st, 6);
    p->created_ms = sqlite3_column_int64(st, 7);
}

static int s_no_such_entity(struct lc_error *err, const char *kind, const char *name)
{
    return lc_error_set(err, LC_ENOTFOUND, 404, "NoSuchEntity", "The %s with name %s cannot be found.",
                        kind, name);
}

int lc_store_principal_get(struct lc_store *store, const char *arn, struct lc_store_principal *out,
                           struct lc_error *err)
{
    sqlite3_stmt *st = lc_store_stmt(store, "SELECT " PRINCIPAL_COLS " FROM principals WHERE arn=?", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        s_read_principal(st, out);
    lc_store_stmt_done(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE) {
        const char *slash = strrchr(arn, '/');
        return s_no_such_entity(err, "entity", slash ? slash + 1 : arn);
    }
    return lc_store_sql_error(store, "reading a principal", err);
}

int lc_store_principal_get_by_name(struct lc_store *store, enum lc_principal_type type,
                                   const char *name, struct lc_store_principal *out,
                                   struct lc_error *err)
{
    sqlite3_stmt *st = lc_store_stmt(
        store, "SELECT " PRINCIPAL_COLS " FROM principals WHERE account=? AND type=? AND name=?", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, lc_store_account(store), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, lc_principal_type_name(type), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        s_read_principal(st, out);
    lc_store_stmt_done(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return s_no_such_entity(err, lc_principal_type_name(type), name);
    return lc_store_sql_error(store, "reading a principal", err);
}

static int s_insert_principal(struct lc_store *store, enum lc_principal_type type, const char *arn,
                              const char *name, const char *path, const char *id,
                              const char *trust_policy, struct lc_error *err)
{
    sqlite3_stmt *st = lc_store_stmt(
        store,
        "INSERT INTO principals(arn, account, type, name, path, id, trust_policy, created_ms) "
        "VALUES(?,?,?,?,?,?,?,?)",
        err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, lc_store_account(store), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, lc_principal_type_name(type), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, id, -1, SQLITE_STATIC);
    if (trust_policy)
        sqlite3_bind_text(st, 7, trust_policy, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, lc_clock_now_ms());
    int rc = sqlite3_step(st);
    lc_store_stmt_done(st);
    if (rc == SQLITE_DONE)
        return 0;
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return lc_error_set(err, LC_EEXISTS, 409, "EntityAlreadyExists",
                            "%c%s with name %s already exists.", type == LC_PRINCIPAL_ROLE ? 'R'
                            : type == LC_PRINCIPAL_GROUP ? 'G' : 'U',
                            lc_principal_type_name(type) + 1, name);
    return lc_store_sql_error(store, "creating a principal", err);
}

int lc_store_principal_create(struct lc_store *store, enum lc_principal_type type, const char *name,
                              const char *path, const char *trust_policy,
                              struct lc_store_principal *out, struct lc_error *err)
{
    if (type == LC_PRINCIPAL_ROOT || !name || !*name)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError", "a principal needs a name");
    if (type == LC_PRINCIPAL_ROLE && !trust_policy)
        return lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                            "1 validation error detected: Value null at 'assumeRolePolicyDocument' "
                            "failed to satisfy constraint: Member must not be null");
    if (!path || !*path)
        path = "/";
    char id[32];
    lc_store_random_id(s_id_prefix[type], 17, id);
    char arn[LC_ARN_MAX];
    snprintf(arn, sizeof arn, "arn:aws:iam::%s:%s%s%s", lc_store_account(store),
             lc_principal_type_name(type), path, name);
    struct lc_store_tx tx;
    int rc = lc_store_tx_begin(store, &tx, err);
    if (!rc)
        rc = s_insert_principal(store, type, arn, name, path, id, trust_policy, err);
    if (!rc)
        rc = lc_store_bump_generation(store, "iam", err);
    rc = lc_store_tx_end(store, &tx, rc, err);
    if (!rc && out)
        rc = lc_store_principal_get(store, arn, out, err);
    return rc;
}

char *lc_store_role_trust_policy(struct lc_store *store, const char *role_arn, struct lc_error *err)
{
    sqlite3_stmt *st = lc_store_stmt(
        store, "SELECT trust_policy FROM principals WHERE arn=? AND type='role'", err);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, role_arn, -1, SQLITE_STATIC);
    char *doc = NULL;
    if (sqlite3_step(st) == SQLITE_ROW)
        doc = lc_strdup((const char *)sqlite3_column_text(st, 0));
    lc_store_stmt_done(st);
    if (!doc) {
        const char *slash = strrchr(role_arn, '/');
        s_no_such_entity(err, "role", slash ? slash + 1 : role_arn);
    }
    return doc;
}

static int s_exec_change(struct lc_store *store, const char *sql, const char *a, const char *b,
                         const char *c, int expect_rows, const char *what, struct lc_error *err)
{
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    if (a) sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    if (b) sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
    if (c) sqlite3_bind_text(st, 3, c, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    lc_store_stmt_done(st);
    if (rc != SQLITE_DONE)
        return lc_store_sql_error(store, what, err);
    if (expect_rows && sqlite3_changes(lc_store_db(store)) == 0)
        return lc_error_set(err, LC_ENOTFOUND, 404, "NoSuchEntity", "%s: no such entity", what);
    return lc_store_bump_generation(store, "iam", err);
}

int lc_store_role_set_trust_policy(struct lc_store *store, const char *role_arn, const char *doc,
                                   struct lc_error *err)
{
    return s_exec_change(store, "UPDATE principals SET trust_policy=?2 WHERE arn=?1 AND type='role'",
                         role_arn, doc, NULL, 1, "updating a trust policy", err);
}

int lc_store_principal_set_boundary(struct lc_store *store, const char *arn, const char *boundary_arn,
                                    struct lc_error *err)
{
    return s_exec_change(store, "UPDATE principals SET boundary_arn=?2 WHERE arn=?1", arn, boundary_arn,
                         NULL, 1, "setting a permissions boundary", err);
}

int lc_store_principal_delete(struct lc_store *store, const char *arn, struct lc_error *err)
{
    return s_exec_change(store, "DELETE FROM principals WHERE arn=? AND type<>'root'", arn, NULL, NULL,
                         1, "deleting a principal", err);
}

int lc_store_principal_list(struct lc_store *store, enum lc_principal_type type,
                            int (*fn)(const struct lc_store_principal *p, void *ud), void *ud,
                            struct lc_error *err)
{
    sqlite3_stmt *st;
    /* Not the cached statement: fn may call back into the store. */
    if (sqlite3_prepare_v2(lc_store_db(store),
                           "SELECT " PRINCIPAL_COLS " FROM principals WHERE account=? AND type=? ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK)
        return lc_store_sql_error(store, "listing principals", err);
    sqlite3_bind_text(st, 1, lc_store_account(store), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, lc_principal_type_name(type), -1, SQLITE_STATIC);
    struct lc_store_principal p;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        s_read_principal(st, &p);
        if (fn(&p, ud))
            break;
    }
    sqlite3_finalize(st);
    return 0;
}

/* ---- access keys ---- */

#define KEY_COLS "key_id, secret, principal_arn, status, session_token, session_arn, expires_ms, created_ms"

static void s_read_key(sqlite3_stmt *st, struct lc_store_key *k)
{
    memset(k, 0, sizeof *k);
    s_copy_col(k->key_id, sizeof k->key_id, st, 0);
    s_copy_col(k->secret, sizeof k->secret, st, 1);
    s_copy_col(k->principal_arn, sizeof k->principal_arn, st, 2);
    k->active = !strcmp((const char *)sqlite3_column_text(st, 3), "Active");
    s_copy_col(k->session_token, sizeof k->session_token, st, 4);
    s_copy_col(k->session_arn, sizeof k->session_arn, st, 5);
    k->expires_ms = sqlite3_column_int64(st, 6);
    k->created_ms = sqlite3_column_int64(st, 7);
}

int lc_store_key_lookup(struct lc_store *store, const char *key_id, struct lc_store_key *out,
                        struct lc_error *err)
{
    sqlite3_stmt *st = lc_store_stmt(store, "SELECT " KEY_COLS " FROM access_keys WHERE key_id=?", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, key_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        s_read_key(st, out);
    lc_store_stmt_done(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return lc_error_set(err, LC_ENOTFOUND, 404, "NoSuchEntity",
                            "The Access Key with id %s cannot be found.", key_id);
    return lc_store_sql_error(store, "reading an access key", err);
}

static int s_insert_key(struct lc_store *store, const struct lc_store_key *k, const char *policy,
                        struct lc_error *err)
{
    sqlite3_stmt *st = lc_store_stmt(
        store,
        "INSERT INTO access_keys(key_id, secret, principal_arn, status, session_token, session_arn,"
        " session_policy, expires_ms, created_ms) VALUES(?,?,?,'Active',?,?,?,?,?)",
        err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, k->key_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, k->secret, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, k->principal_arn, -1, SQLITE_STATIC);
    if (k->session_token[0])
        sqlite3_bind_text(st, 4, k->session_token, -1, SQLITE_STATIC);
    if (k->session_arn[0])
        sqlite3_bind_text(st, 5, k->session_arn, -1, SQLITE_STATIC);
    if (policy)
        sqlite3_bind_text(st, 6, policy, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, k->expires_ms);
    sqlite3_bind_int64(st, 8, k->created_ms);
    int rc = sqlite3_step(st);
    lc_store_stmt_done(st);
    if (rc != SQLITE_DONE) {
        if ((rc & 0xff) == SQLITE_CONSTRAINT)
            return lc_error_set(err, LC_ENOTFOUND, 404, "NoSuchEntity",
                                "The user with name %s cannot be found.",
                                strrchr(k->principal_arn, '/') ? strrchr(k->principal_arn, '/') + 1
                                                               : k->principal_arn);
        return lc_store_sql_error(store, "creating an access key", err);
    }
    return lc_store_bump_generation(store, "iam", err);
}

int lc_store_key_create(struct lc_store *store, const char *principal_arn, struct lc_store_key *out,
                        struct lc_error *err)
{
    struct lc_store_key k = {.active = true, .created_ms = lc_clock_now_ms()};
    lc_store_random_id("AKIA", 16, k.key_id);
    lc_store_random_secret(k.secret);
    lc_strlcpy(k.principal_arn, principal_arn, sizeof k.principal_arn);
    int rc = s_insert_key(store, &k, NULL, err);
    if (!rc && out)
        *out = k;
    return rc;
}

int lc_store_session_create(struct lc_store *store, const char *role_arn, const char *session_name,
                            int duration_s, const char *session_policy, struct lc_store_key *out,
                            struct lc_error *err)
{
    struct lc_store_principal role;
    int rc = lc_store_principal_get(store, role_arn, &role, err);
    if (rc)
        return rc;
    struct lc_store_key k = {.active = true, .created_ms = lc_clock_now_ms()};
    lc_store_random_id("ASIA", 16, k.key_id);
    lc_store_random_secret(k.secret);
    lc_strlcpy(k.principal_arn, role_arn, sizeof k.principal_arn);
    /* Real tokens are opaque base64 blobs; ours is random bytes, which is all a client needs. */
    uint8_t raw[96];
    if (lc_random_bytes(raw, sizeof raw) != 0)
        return lc_error_set(err, LC_EINTERNAL, 500, "InternalFailure", "no randomness available");
    char *token = lc_base64_encode(raw, sizeof raw);
    lc_strlcpy(k.session_token, "IQoJb3JpZ2luX2VjE", sizeof k.session_token);
    size_t used = strlen(k.session_token);
    lc_strlcpy(k.session_token + used, token, sizeof k.session_token - used);
    lc_free(token);
    snprintf(k.session_arn, sizeof k.session_arn, "arn:aws:sts::%s:assumed-role/%s/%s", role.account,
             role.name, session_name);
    k.expires_ms = k.created_ms + (int64_t)duration_s * 1000;
    rc = s_insert_key(store, &k, session_policy, err);
    if (!rc && out)
        *out = k;
    return rc;
}

char *lc_store_session_policy(struct lc_store *store, const char *key_id)
{
    sqlite3_stmt *st = lc_store_stmt(store, "SELECT session_policy FROM access_keys WHERE key_id=?", NULL);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, key_id, -1, SQLITE_STATIC);
    char *doc = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        doc = lc_strdup((const char *)sqlite3_column_text(st, 0));
    lc_store_stmt_done(st);
    return doc;
}

int lc_store_key_set_active(struct lc_store *store, const char *key_id, bool active,
                            struct lc_error *err)
{
    return s_exec_change(store, "UPDATE access_keys SET status=?2 WHERE key_id=?1", key_id,
                         active ? "Active" : "Inactive", NULL, 1, "updating an access key", err);
}

int lc_store_key_delete(struct lc_store *store, const char *key_id, struct lc_error *err)
{
    return s_exec_change(store, "DELETE FROM access_keys WHERE key_id=?", key_id, NULL, NULL, 1,
                         "deleting an access key", err);
}

int lc_store_key_list(struct lc_store *store, const char *principal_arn,
                      int (*fn)(const struct lc_store_key *k, void *ud), void *ud,
                      struct lc_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(lc_store_db(store),
                           "SELECT " KEY_COLS " FROM access_keys WHERE principal_arn=? AND session_token IS NULL"
                           " ORDER BY created_ms, key_id", -1, &st, NULL) != SQLITE_OK)
        return lc_store_sql_error(store, "listing access keys", err);
    sqlite3_bind_text(st, 1, principal_arn, -1, SQLITE_STATIC);
    struct lc_store_key k;
    while (sqlite3_step(st) == SQLITE_ROW) {
        s_read_key(st, &k);
        if (fn(&k, ud))
            break;
    }
    sqlite3_finalize(st);
    return 0;
}

int lc_store_key_touch(struct lc_store *store, const char *key_id, int64_t now_ms)
{
    sqlite3_stmt *st = lc_store_stmt(store, "UPDATE access_keys SET last_used_ms=? WHERE key_id=?", NULL);
    if (!st)
        return LC_EINTERNAL;
    sqlite3_bind_int64(st, 1, now_ms);
    sqlite3_bind_text(st, 2, key_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    lc_store_stmt_done(st);
    return rc == SQLITE_DONE ? 0 : LC_EINTERNAL;
}

/* ---- first start ---- */

static int s_write_credentials_file(struct lc_store *store, const struct lc_store_key *k,
                                    struct lc_error *err)
{
    char *path = lc_asprintf("%s/credentials", lc_store_dir(store));
    char *text = lc_asprintf("# leastcloud root credentials of account %s (eval \"$(leastcloud env)\")\n"
                             "[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                             "region = %s\n",
                             lc_store_account(store), k->key_id, k->secret, lc_store_region(store));
    int rc = lc_file_write(path, text, strlen(text), 0600, err);
    lc_free(text);
    lc_free(path);
    return rc;
}

int lc_store_root_key(struct lc_store *store, struct lc_store_key *out, struct lc_error *err)
{
    char arn[64];
    snprintf(arn, sizeof arn, "arn:aws:iam::%s:root", lc_store_account(store));
    sqlite3_stmt *st = lc_store_stmt(
        store,
        "SELECT " KEY_COLS " FROM access_keys WHERE principal_arn=? AND session_token IS NULL "
        "ORDER BY created_ms LIMIT 1", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        s_read_key(st, out);
    lc_store_stmt_done(st);
    if (rc == SQLITE_ROW)
        return 0;
    return lc_error_set(err, LC_ENOTFOUND, 500, "InternalFailure",
                        "the account %s has no root access key", lc_store_account(store));
}

int lc__store_identity_init(struct lc_store *store, struct lc_error *err)
{
    int rc = lc_store_migrate(store, "iam", s_iam_schema, sizeof s_iam_schema / sizeof *s_iam_schema, err);
    if (rc)
        return rc;
    struct lc_store_tx tx;
    if ((rc = lc_store_tx_begin(store, &tx, err)) != 0)
        return rc;
    sqlite3_stmt *st = lc_store_stmt(store, "SELECT 1 FROM accounts WHERE id=?", err);
    if (!st)
        return lc_store_tx_end(store, &tx, LC_EINTERNAL, err);
    sqlite3_bind_text(st, 1, lc_store_account(store), -1, SQLITE_STATIC);
    bool exists = sqlite3_step(st) == SQLITE_ROW;
    lc_store_stmt_done(st);
    struct lc_store_key key;
    if (!exists) {
        st = lc_store_stmt(store, "INSERT INTO accounts(id, region, created_ms) VALUES(?,?,?)", err);
        if (!st)
            return lc_store_tx_end(store, &tx, LC_EINTERNAL, err);
        sqlite3_bind_text(st, 1, lc_store_account(store), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, lc_store_region(store), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, lc_clock_now_ms());
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lc_store_sql_error(store, "creating the account", err);
        lc_store_stmt_done(st);
        char arn[64];
        snprintf(arn, sizeof arn, "arn:aws:iam::%s:root", lc_store_account(store));
        if (!rc)
            rc = s_insert_principal(store, LC_PRINCIPAL_ROOT, arn, "root", "/", lc_store_account(store),
                                    NULL, err);
        if (!rc)
            rc = lc_store_key_create(store, arn, &key, err);
    }
    rc = lc_store_tx_end(store, &tx, rc, err);
    if (rc)
        return rc;
    /* Written after the commit, and again if a crash lost it, so the file never names a key the
     * database does not have. */
    char *path = lc_asprintf("%s/credentials", lc_store_dir(store));
    size_t len;
    char *existing = lc_file_read(path, 1 << 16, &len, NULL);
    lc_free(path);
    if (!existing) {
        if ((rc = lc_store_root_key(store, &key, err)) == 0)
            rc = s_write_credentials_file(store, &key, err);
    }
    lc_free(existing);
    return rc;
}
