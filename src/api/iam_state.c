/*
 * iam_state.c: what the IAM API keeps beside store_iam.h: tags and role metadata (its own tables,
 * store domain "iam_api"), and the listings IAM answers (policies with counts, versions, group
 * members) read from the store's IAM tables. Changes that alter what a principal may do bump the
 * "iam" generation, as the store's own functions do.
 */
#include "api/iam_api.h"

#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"
#include "leastcloud/str.h"

#define MAX_TAGS 50

static const char *const s_steps[] = {
    "CREATE TABLE iam_api_tags(arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
    "  PRIMARY KEY(arn, key));"
    "CREATE TABLE iam_api_role_meta(arn TEXT PRIMARY KEY, description TEXT, max_session_s INTEGER);",
};

int lc__iam_state_migrate(struct lc_store *store, struct lc_error *err)
{
    return lc_store_migrate(store, "iam_api", s_steps, sizeof s_steps / sizeof s_steps[0], err);
}

static const char *s_col(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s ? s : "";
}

static int s_exec1(struct lc_store *store, sqlite3_stmt *st, const char *what, struct lc_error *err)
{
    int rc = sqlite3_step(st);
    lc_store_stmt_done(st);
    return rc == SQLITE_DONE ? 0 : lc_store_sql_error(store, what, err);
}

int lc__iam_tags_put(struct lc_store *store, const char *arn, const struct lc__iam_tag *tags, size_t n,
                     struct lc_error *err)
{
    struct lc_store_tx tx;
    int rc = lc_store_tx_begin(store, &tx, err);
    if (rc)
        return rc;
    static const char ins[] = "INSERT INTO iam_api_tags(arn, key, value) VALUES(?,?,?)"
                              " ON CONFLICT(arn, key) DO UPDATE SET value=excluded.value";
    for (size_t i = 0; i < n && !rc; i++) {
        sqlite3_stmt *st = lc_store_stmt(store, ins, err);
        if (!st) {
            rc = LC_EINTERNAL;
            break;
        }
        sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, tags[i].key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, tags[i].value, -1, SQLITE_STATIC);
        rc = s_exec1(store, st, "tagging", err);
    }
    if (!rc) {
        static const char cnt[] = "SELECT count(*) FROM iam_api_tags WHERE arn=?";
        sqlite3_stmt *st = lc_store_stmt(store, cnt, err);
        if (!st)
            rc = LC_EINTERNAL;
        else {
            sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
            int total = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
            lc_store_stmt_done(st);
            if (total > MAX_TAGS)
                rc = lc_error_set(err, LC_ELIMIT, 409, "LimitExceeded", "Cannot exceed quota for TagsPerUser: %d",
                                  MAX_TAGS);
        }
    }
    /* aws:ResourceTag conditions may read tags: keep compiled sets honest. */
    if (!rc)
        rc = lc_store_bump_generation(store, "iam", err);
    return lc_store_tx_end(store, &tx, rc, err);
}

int lc__iam_tags_remove(struct lc_store *store, const char *arn, const char *const *keys, size_t n,
                        struct lc_error *err)
{
    static const char del[] = "DELETE FROM iam_api_tags WHERE arn=? AND key=?";
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *st = lc_store_stmt(store, del, err);
        if (!st)
            return LC_EINTERNAL;
        sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, keys[i], -1, SQLITE_STATIC);
        int rc = s_exec1(store, st, "untagging", err);
        if (rc)
            return rc;
    }
    return lc_store_bump_generation(store, "iam", err);
}

int lc__iam_tags_list(struct lc_store *store, const char *arn,
                      int (*fn)(const char *key, const char *value, void *ud), void *ud)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(lc_store_db(store), "SELECT key, value FROM iam_api_tags WHERE arn=? ORDER BY key", -1,
                           &st, NULL) != SQLITE_OK)
        return LC_EINTERNAL;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW)
        if (fn(s_col(st, 0), s_col(st, 1), ud))
            break;
    sqlite3_finalize(st);
    return 0;
}

void lc__iam_state_forget(struct lc_store *store, const char *arn)
{
    static const char a[] = "DELETE FROM iam_api_tags WHERE arn=?";
    static const char b[] = "DELETE FROM iam_api_role_meta WHERE arn=?";
    const char *sqls[] = {a, b};
    for (size_t i = 0; i < 2; i++) {
        sqlite3_stmt *st = lc_store_stmt(store, sqls[i], NULL);
        if (!st)
            continue;
        sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
        sqlite3_step(st);
        lc_store_stmt_done(st);
    }
}

int lc__iam_role_meta_set(struct lc_store *store, const char *arn, const char *description, int max_session_s,
                          struct lc_error *err)
{
    static const char sql[] = "INSERT OR REPLACE INTO iam_api_role_meta(arn, description, max_session_s) VALUES(?,?,?)";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, description ? description : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, max_session_s);
    return s_exec1(store, st, "saving role metadata", err);
}

void lc__iam_role_meta_get(struct lc_store *store, const char *arn, char *description, size_t size,
                           int *max_session_s)
{
    static const char sql[] = "SELECT description, max_session_s FROM iam_api_role_meta WHERE arn=?";
    description[0] = '\0';
    *max_session_s = 3600;
    sqlite3_stmt *st = lc_store_stmt(store, sql, NULL);
    if (!st)
        return;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        lc_strlcpy(description, s_col(st, 0), size);
        if (sqlite3_column_int(st, 1) > 0)
            *max_session_s = sqlite3_column_int(st, 1);
    }
    lc_store_stmt_done(st);
}

/* ------------------------------------------------------------------ managed policies */

#define POLICY_COLUMNS                                                                                   \
    "SELECT p.arn, p.name, p.path, p.id, p.default_version, coalesce(p.description,''), p.aws_managed,"   \
    " (SELECT count(*) FROM attachments a WHERE a.policy_arn=p.arn),"                                     \
    " (SELECT count(*) FROM principals b WHERE b.boundary_arn=p.arn), p.created_ms, p.updated_ms"         \
    " FROM policies p"

static void s_policy_row(sqlite3_stmt *st, struct lc__iam_policy_info *o)
{
    memset(o, 0, sizeof *o);
    lc_strlcpy(o->arn, s_col(st, 0), sizeof o->arn);
    lc_strlcpy(o->name, s_col(st, 1), sizeof o->name);
    lc_strlcpy(o->path, s_col(st, 2), sizeof o->path);
    lc_strlcpy(o->id, s_col(st, 3), sizeof o->id);
    lc_strlcpy(o->default_version, s_col(st, 4), sizeof o->default_version);
    lc_strlcpy(o->description, s_col(st, 5), sizeof o->description);
    o->aws_managed = sqlite3_column_int(st, 6) != 0;
    o->attachment_count = sqlite3_column_int(st, 7);
    o->boundary_count = sqlite3_column_int(st, 8);
    o->created_ms = sqlite3_column_int64(st, 9);
    o->updated_ms = sqlite3_column_int64(st, 10);
}

int lc__iam_policy_info(struct lc_store *store, const char *arn, struct lc__iam_policy_info *out,
                        struct lc_error *err)
{
    static const char sql[] = POLICY_COLUMNS " WHERE p.arn=?";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    if (found)
        s_policy_row(st, out);
    lc_store_stmt_done(st);
    if (!found)
        return lc_error_set(err, LC_ENOTFOUND, 404, "NoSuchEntity", "Policy %s does not exist or is not attachable.",
                            arn);
    return 0;
}

int lc__iam_policy_list(struct lc_store *store, const char *scope, bool only_attached,
                        int (*fn)(const struct lc__iam_policy_info *p, void *ud), void *ud,
                        struct lc_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(lc_store_db(store), POLICY_COLUMNS " ORDER BY p.name, p.arn", -1, &st, NULL) != SQLITE_OK)
        return lc_store_sql_error(store, "listing policies", err);
    struct lc__iam_policy_info *info = lc_malloc(sizeof *info);
    while (sqlite3_step(st) == SQLITE_ROW) {
        s_policy_row(st, info);
        if (scope && !strcmp(scope, "AWS") && !info->aws_managed)
            continue;
        if (scope && !strcmp(scope, "Local") && info->aws_managed)
            continue;
        if (only_attached && info->attachment_count == 0)
            continue;
        if (fn(info, ud))
            break;
    }
    lc_free(info);
    sqlite3_finalize(st);
    return 0;
}

/* Versions sort by number, not text: v10 after v9. */
int lc__iam_policy_versions(struct lc_store *store, const char *arn,
                            int (*fn)(const struct lc__iam_policy_version *v, void *ud), void *ud,
                            struct lc_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(lc_store_db(store),
                           "SELECT v.version_id, v.version_id=p.default_version, v.created_ms, v.document"
                           " FROM policy_versions v JOIN policies p ON p.arn=v.policy_arn WHERE p.arn=?"
                           " ORDER BY CAST(substr(v.version_id, 2) AS INTEGER) DESC", -1, &st, NULL) != SQLITE_OK)
        return lc_store_sql_error(store, "listing policy versions", err);
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct lc__iam_policy_version v = {.is_default = sqlite3_column_int(st, 1) != 0,
                                           .created_ms = sqlite3_column_int64(st, 2),
                                           .document = (char *)s_col(st, 3)};
        lc_strlcpy(v.version_id, s_col(st, 0), sizeof v.version_id);
        if (fn(&v, ud))
            break;
    }
    sqlite3_finalize(st);
    return 0;
}

char *lc__iam_policy_version_get(struct lc_store *store, const char *arn, const char *version_id,
                                 struct lc__iam_policy_version *meta, struct lc_error *err)
{
    static const char sql[] = "SELECT v.version_id=p.default_version, v.created_ms, v.document"
                              " FROM policy_versions v JOIN policies p ON p.arn=v.policy_arn"
                              " WHERE p.arn=? AND v.version_id=?";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, version_id, -1, SQLITE_STATIC);
    char *doc = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        doc = lc_strdup(s_col(st, 2));
        if (meta) {
            memset(meta, 0, sizeof *meta);
            lc_strlcpy(meta->version_id, version_id, sizeof meta->version_id);
            meta->is_default = sqlite3_column_int(st, 0) != 0;
            meta->created_ms = sqlite3_column_int64(st, 1);
        }
    }
    lc_store_stmt_done(st);
    if (!doc)
        lc_error_set(err, LC_ENOTFOUND, 404, "NoSuchEntity", "Policy %s version %s does not exist or is not attachable.",
                     arn, version_id);
    return doc;
}

int lc__iam_policy_version_delete(struct lc_store *store, const char *arn, const char *version_id,
                                  struct lc_error *err)
{
    struct lc__iam_policy_version meta;
    char *doc = lc__iam_policy_version_get(store, arn, version_id, &meta, err);
    if (!doc)
        return err ? err->code : LC_ENOTFOUND;
    lc_free(doc);
    if (meta.is_default)
        return lc_error_set(err, LC_ECONFLICT, 409, "DeleteConflict", "Cannot delete the default version of a policy.");
    static const char sql[] = "DELETE FROM policy_versions WHERE policy_arn=? AND version_id=?";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, version_id, -1, SQLITE_STATIC);
    return s_exec1(store, st, "deleting a policy version", err);
}

int lc__iam_policy_set_default(struct lc_store *store, const char *arn, const char *version_id,
                               struct lc_error *err)
{
    char *doc = lc__iam_policy_version_get(store, arn, version_id, NULL, err);
    if (!doc)
        return err ? err->code : LC_ENOTFOUND;
    lc_free(doc);
    struct lc_store_tx tx;
    int rc = lc_store_tx_begin(store, &tx, err);
    if (rc)
        return rc;
    static const char sql[] = "UPDATE policies SET default_version=?, updated_ms=? WHERE arn=?";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return lc_store_tx_end(store, &tx, LC_EINTERNAL, err);
    sqlite3_bind_text(st, 1, version_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, lc_clock_now_ms());
    sqlite3_bind_text(st, 3, arn, -1, SQLITE_STATIC);
    rc = s_exec1(store, st, "setting the default version", err);
    if (!rc)
        rc = lc_store_bump_generation(store, "iam", err);
    return lc_store_tx_end(store, &tx, rc, err);
}

/* ------------------------------------------------------------------ groups */

static void s_principal_row(sqlite3_stmt *st, struct lc_store_principal *p)
{
    memset(p, 0, sizeof *p);
    p->type = !strcmp(s_col(st, 0), "group") ? LC_PRINCIPAL_GROUP : LC_PRINCIPAL_USER;
    lc_strlcpy(p->arn, s_col(st, 1), sizeof p->arn);
    lc_strlcpy(p->name, s_col(st, 2), sizeof p->name);
    lc_strlcpy(p->path, s_col(st, 3), sizeof p->path);
    lc_strlcpy(p->id, s_col(st, 4), sizeof p->id);
    lc_strlcpy(p->account, s_col(st, 5), sizeof p->account);
    lc_strlcpy(p->boundary_arn, s_col(st, 6), sizeof p->boundary_arn);
    p->created_ms = sqlite3_column_int64(st, 7);
}

static int s_members(struct lc_store *store, const char *sql, const char *arn,
                     int (*fn)(const struct lc_store_principal *p, void *ud), void *ud, struct lc_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(lc_store_db(store), sql, -1, &st, NULL) != SQLITE_OK)
        return lc_store_sql_error(store, "listing group members", err);
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    struct lc_store_principal *p = lc_malloc(sizeof *p);
    while (sqlite3_step(st) == SQLITE_ROW) {
        s_principal_row(st, p);
        if (fn(p, ud))
            break;
    }
    lc_free(p);
    sqlite3_finalize(st);
    return 0;
}

#define MEMBER_COLUMNS "SELECT x.type, x.arn, x.name, x.path, x.id, x.account, coalesce(x.boundary_arn,''), x.created_ms"

int lc__iam_groups_of_user(struct lc_store *store, const char *user_arn,
                           int (*fn)(const struct lc_store_principal *g, void *ud), void *ud, struct lc_error *err)
{
    return s_members(store, MEMBER_COLUMNS " FROM group_members m JOIN principals x ON x.arn=m.group_arn"
                            " WHERE m.user_arn=? ORDER BY x.name", user_arn, fn, ud, err);
}

int lc__iam_users_of_group(struct lc_store *store, const char *group_arn,
                           int (*fn)(const struct lc_store_principal *u, void *ud), void *ud, struct lc_error *err)
{
    return s_members(store, MEMBER_COLUMNS " FROM group_members m JOIN principals x ON x.arn=m.user_arn"
                            " WHERE m.group_arn=? ORDER BY x.name", group_arn, fn, ud, err);
}

int lc__iam_usage(struct lc_store *store, const char *arn, struct lc__iam_usage *out, struct lc_error *err)
{
    static const char sql[] =
        "SELECT (SELECT count(*) FROM access_keys WHERE principal_arn=?1 AND expires_ms=0),"
        " (SELECT count(*) FROM inline_policies WHERE principal_arn=?1),"
        " (SELECT count(*) FROM attachments WHERE principal_arn=?1),"
        " (SELECT count(*) FROM group_members WHERE user_arn=?1 OR group_arn=?1)";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    memset(out, 0, sizeof *out);
    if (sqlite3_step(st) == SQLITE_ROW) {
        out->keys = sqlite3_column_int(st, 0);
        out->inline_policies = sqlite3_column_int(st, 1);
        out->attached = sqlite3_column_int(st, 2);
        out->groups = sqlite3_column_int(st, 3);
    }
    lc_store_stmt_done(st);
    return 0;
}

int lc__iam_session_as_principal(struct lc_store *store, const char *key_id, struct lc_error *err)
{
    static const char sql[] = "UPDATE access_keys SET session_arn=NULL WHERE key_id=?";
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);
    if (!st)
        return LC_EINTERNAL;
    sqlite3_bind_text(st, 1, key_id, -1, SQLITE_STATIC);
    return s_exec1(store, st, "saving session credentials", err);
}
