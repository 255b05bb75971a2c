/* policies.c: inline and managed IAM policies, attachments, groups, and a principal's policy set. */
#include "leastcloud/store_iam.h"

#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"
#include "leastcloud/error.h"
#include "leastcloud/str.h"

#include <stdio.h>
#include <string.h>

static int s_step_done(struct lc_store *store, sqlite3_stmt *st, const char *what, struct lc_error *err)
{
    int rc = sqlite3_step(st);
    lc_store_stmt_done(st);
    if (rc != SQLITE_DONE) {
        if ((rc & 0xff) == SQLITE_CONSTRAINT)
            return lc_error_set(err, LC_ENOTFOUND, 404, "NoSuchEntity", "%s: the entity does not exist",
                                what);
        return lc_store_sql_error(store, what, err);
    }
    return lc_store_bump_generation(store, "iam", err);
}

#define STMT_OR_FAIL(st, sql)                                  \
    sqlite3_stmt *st = lc_store_stmt(store, sql, err);         \
    if (!st)                                                   \
        return err ? err->code : LC_EINTERNAL

int lc_store_inline_policy_put(struct lc_store *store, const char *principal_arn, const char *name,
                               const char *document, struct lc_error *err)
{
    STMT_OR_FAIL(st, "INSERT INTO inline_policies(principal_arn, name, document) VALUES(?,?,?) "
                     "ON CONFLICT(principal_arn, name) DO UPDATE SET document=excluded.document");
    sqlite3_bind_text(st, 1, principal_arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, document, -1, SQLITE_STATIC);
    return s_step_done(store, st, "putting an inline policy", err);
}

char *lc_store_inline_policy_get(struct lc_store *store, const char *principal_arn, const char *name,
                                 struct lc_error *err)
{
    sqlite3_stmt *st = lc_store_stmt(
        store, "SELECT document FROM inline_policies WHERE principal_arn=? AND name=?", err);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, principal_arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    char *doc = NULL;
    if (sqlite3_step(st) == SQLITE_ROW)
        doc = lc_strdup((const char *)sqlite3_column_text(st, 0));
    lc_store_stmt_done(st);
    if (!doc)
        lc_error_set(err, LC_ENOTFOUND, 404, "NoSuchEntity", "The policy with name %s cannot be found.",
                     name);
    return doc;
}

int lc_store_inline_policy_delete(struct lc_store *store, const char *principal_arn, const char *name,
                                  struct lc_error *err)
{
    STMT_OR_FAIL(st, "DELETE FROM inline_policies WHERE principal_arn=? AND name=?");
    sqlite3_bind_text(st, 1, principal_arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    lc_store_stmt_done(st);
    if (rc != SQLITE_DONE)
        return lc_store_sql_error(store, "deleting an inline policy", err);
    if (sqlite3_changes(lc_store_db(store)) == 0)
        return lc_error_set(err, LC_ENOTFOUND, 404, "NoSuchEntity",
                            "The policy with name %s cannot be found.", name);
    return lc_store_bump_generation(store, "iam", err);
}

int lc_store_inline_policy_list(struct lc_store *store, const char *principal_arn,
                                int (*fn)(const char *name, const char *document, void *ud), void *ud,
                                struct lc_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(lc_store_db(store),
                           "SELECT name, document FROM inline_policies WHERE principal_arn=? ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK)
        return lc_store_sql_error(store, "listing inline policies", err);
    sqlite3_bind_text(st, 1, principal_arn, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW)
        if (fn((const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1), ud))
            break;
    sqlite3_finalize(st);
    return 0;
}

int lc_store_managed_policy_create(struct lc_store *store, const char *name, const char *path,
                                   const char *document, const char *description, bool aws_managed,
                                   char *out_arn, struct lc_error *err)
{
    if (!path || !*path)
        path = "/";
    char arn[LC_ARN_MAX], id[32];
    snprintf(arn, sizeof arn, "arn:aws:iam::%s:policy%s%s", aws_managed ? "aws" : lc_store_account(store),
             path, name);
    lc_store_random_id("ANPA", 17, id);
    int64_t now = lc_clock_now_ms();
    struct lc_store_tx tx;
    int rc = lc_store_tx_begin(store, &tx, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = lc_store_stmt(
        store,
        "INSERT INTO policies(arn, account, name, path, id, aws_managed, description, created_ms, updated_ms)"
        " VALUES(?,?,?,?,?,?,?,?,?)", err);
    if (!st)
        return lc_store_tx_end(store, &tx, LC_EINTERNAL, err);
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, aws_managed ? "aws" : lc_store_account(store), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, aws_managed);
    if (description)
        sqlite3_bind_text(st, 7, description, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, now);
    sqlite3_bind_int64(st, 9, now);
    int step = sqlite3_step(st);
    lc_store_stmt_done(st);
    if (step != SQLITE_DONE)
        rc = (step & 0xff) == SQLITE_CONSTRAINT
                 ? lc_error_set(err, LC_EEXISTS, 409, "EntityAlreadyExists",
                                "A policy called %s already exists. Duplicate names are not allowed.", name)
                 : lc_store_sql_error(store, "creating a policy", err);
    if (!rc) {
        st = lc_store_stmt(store, "INSERT INTO policy_versions(policy_arn, version_id, document, created_ms)"
                                  " VALUES(?, 'v1', ?, ?)", err);
        if (!st)
            return lc_store_tx_end(store, &tx, LC_EINTERNAL, err);
        sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, document, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, now);
        rc = s_step_done(store, st, "creating a policy version", err);
    }
    rc = lc_store_tx_end(store, &tx, rc, err);
    if (!rc && out_arn)
        lc_strlcpy(out_arn, arn, LC_ARN_MAX);
    return rc;
}

char *lc_store_managed_policy_document(struct lc_store *store, const char *policy_arn,
                                       struct lc_error *err)
{
    sqlite3_stmt *st = lc_store_stmt(
        store,
        "SELECT v.document FROM policies p JOIN policy_versions v"
        " ON v.policy_arn=p.arn AND v.version_id=p.default_version WHERE p.arn=?", err);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, policy_arn, -1, SQLITE_STATIC);
    char *doc = NULL;
    if (sqlite3_step(st) == SQLITE_ROW)
        doc = lc_strdup((const char *)sqlite3_column_text(st, 0));
    lc_store_stmt_done(st);
    if (!doc)
        lc_error_set(err, LC_ENOTFOUND, 404, "NoSuchEntity", "Policy %s does not exist or is not attachable.",
                     policy_arn);
    return doc;
}

int lc_store_managed_policy_add_version(struct lc_store *store, const char *policy_arn,
                                        const char *document, bool set_default, char out_version[8],
                                        struct lc_error *err)
{
    struct lc_store_tx tx;
    int rc = lc_store_tx_begin(store, &tx, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = lc_store_stmt(store, "SELECT next_version FROM policies WHERE arn=?", err);
    if (!st)
        return lc_store_tx_end(store, &tx, LC_EINTERNAL, err);
    sqlite3_bind_text(st, 1, policy_arn, -1, SQLITE_STATIC);
    int next = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    lc_store_stmt_done(st);
    if (!next)
        return lc_store_tx_end(store, &tx,
                               lc_error_set(err, LC_ENOTFOUND, 404, "NoSuchEntity",
                                            "Policy %s does not exist or is not attachable.", policy_arn),
                               err);
    char version[16];
    snprintf(version, sizeof version, "v%d", next % 100000);
    st = lc_store_stmt(store, "INSERT INTO policy_versions(policy_arn, version_id, document, created_ms)"
                              " VALUES(?,?,?,?)", err);
    if (!st)
        return lc_store_tx_end(store, &tx, LC_EINTERNAL, err);
    sqlite3_bind_text(st, 1, policy_arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, version, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, document, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, lc_clock_now_ms());
    rc = s_step_done(store, st, "adding a policy version", err);
    if (!rc) {
        st = lc_store_stmt(store,
                           "UPDATE policies SET next_version=next_version+1, updated_ms=?2,"
                           " default_version=CASE WHEN ?3 THEN ?4 ELSE default_version END WHERE arn=?1", err);
        if (!st)
            return lc_store_tx_end(store, &tx, LC_EINTERNAL, err);
        sqlite3_bind_text(st, 1, policy_arn, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, lc_clock_now_ms());
        sqlite3_bind_int(st, 3, set_default);
        sqlite3_bind_text(st, 4, version, -1, SQLITE_STATIC);
        rc = s_step_done(store, st, "updating a policy", err);
    }
    rc = lc_store_tx_end(store, &tx, rc, err);
    if (!rc && out_version)
        lc_strlcpy(out_version, version, 8);
    return rc;
}

int lc_store_managed_policy_delete(struct lc_store *store, const char *policy_arn,
                                   struct lc_error *err)
{
    STMT_OR_FAIL(st, "SELECT count(*) FROM attachments WHERE policy_arn=?");
    sqlite3_bind_text(st, 1, policy_arn, -1, SQLITE_STATIC);
    int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    lc_store_stmt_done(st);
    if (n)
        return lc_error_set(err, LC_ECONFLICT, 409, "DeleteConflict",
                            "Cannot delete a policy attached to entities.");
    STMT_OR_FAIL(del, "DELETE FROM policies WHERE arn=?");
    sqlite3_bind_text(del, 1, policy_arn, -1, SQLITE_STATIC);
    int rc = sqlite3_step(del);
    lc_store_stmt_done(del);
    if (rc != SQLITE_DONE)
        return lc_store_sql_error(store, "deleting a policy", err);
    if (sqlite3_changes(lc_store_db(store)) == 0)
        return lc_error_set(err, LC_ENOTFOUND, 404, "NoSuchEntity",
                            "Policy %s does not exist or is not attachable.", policy_arn);
    return lc_store_bump_generation(store, "iam", err);
}

int lc_store_policy_attach(struct lc_store *store, const char *principal_arn, const char *policy_arn,
                           struct lc_error *err)
{
    STMT_OR_FAIL(st, "INSERT OR IGNORE INTO attachments(principal_arn, policy_arn) VALUES(?,?)");
    sqlite3_bind_text(st, 1, principal_arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, policy_arn, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    lc_store_stmt_done(st);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return lc_error_set(err, LC_ENOTFOUND, 404, "NoSuchEntity",
                            "Policy %s does not exist or is not attachable.", policy_arn);
    if (rc != SQLITE_DONE)
        return lc_store_sql_error(store, "attaching a policy", err);
    return lc_store_bump_generation(store, "iam", err);
}

int lc_store_policy_detach(struct lc_store *store, const char *principal_arn, const char *policy_arn,
                           struct lc_error *err)
{
    STMT_OR_FAIL(st, "DELETE FROM attachments WHERE principal_arn=? AND policy_arn=?");
    sqlite3_bind_text(st, 1, principal_arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, policy_arn, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    lc_store_stmt_done(st);
    if (rc != SQLITE_DONE)
        return lc_store_sql_error(store, "detaching a policy", err);
    if (sqlite3_changes(lc_store_db(store)) == 0)
        return lc_error_set(err, LC_ENOTFOUND, 404, "NoSuchEntity", "Policy %s was not found.", policy_arn);
    return lc_store_bump_generation(store, "iam", err);
}

int lc_store_attached_list(struct lc_store *store, const char *principal_arn,
                           int (*fn)(const char *policy_arn, void *ud), void *ud,
                           struct lc_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(lc_store_db(store),
                           "SELECT policy_arn FROM attachments WHERE principal_arn=? ORDER BY policy_arn",
                           -1, &st, NULL) != SQLITE_OK)
        return lc_store_sql_error(store, "listing attached policies", err);
    sqlite3_bind_text(st, 1, principal_arn, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW)
        if (fn((const char *)sqlite3_column_text(st, 0), ud))
            break;
    sqlite3_finalize(st);
    return 0;
}

int lc_store_group_add_user(struct lc_store *store, const char *group_arn, const char *user_arn,
                            struct lc_error *err)
{
    STMT_OR_FAIL(st, "INSERT OR IGNORE INTO group_members(group_arn, user_arn) VALUES(?,?)");
    sqlite3_bind_text(st, 1, group_arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, user_arn, -1, SQLITE_STATIC);
    return s_step_done(store, st, "adding a user to a group", err);
}

int lc_store_group_remove_user(struct lc_store *store, const char *group_arn, const char *user_arn,
                               struct lc_error *err)
{
    STMT_OR_FAIL(st, "DELETE FROM group_members WHERE group_arn=? AND user_arn=?");
    sqlite3_bind_text(st, 1, group_arn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, user_arn, -1, SQLITE_STATIC);
    return s_step_done(store, st, "removing a user from a group", err);
}

/* ---- a principal's whole policy set ---- */

static void s_push(struct lc_store_policies *out, size_t *cap, char *label, char *doc, bool managed)
{
    if (out->n_identity == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        out->identity = lc_realloc(out->identity, *cap * sizeof *out->identity);
    }
    out->identity[out->n_identity++] = (struct lc_store_policy_doc){label, doc, managed};
}

/* Inline (labelled "<name>/<policy>") then attached managed policies of one principal. */
static int s_collect(struct lc_store *store, const char *arn, const char *name,
                     struct lc_store_policies *out, size_t *cap, struct lc_error *err)
{
    sqlite3_stmt *st = lc_store_stmt(
        store, "SELECT name, document FROM inline_policies WHERE principal_arn=? ORDER BY name", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW)
        s_push(out, cap, lc_asprintf("%s/%s", name, (const char *)sqlite3_column_text(st, 0)),
               lc_strdup((const char *)sqlite3_column_text(st, 1)), false);
    lc_store_stmt_done(st);
    st = lc_store_stmt(store,
                       "SELECT a.policy_arn, v.document FROM attachments a JOIN policies p ON p.arn=a.policy_arn"
                       " JOIN policy_versions v ON v.policy_arn=p.arn AND v.version_id=p.default_version"
                       " WHERE a.principal_arn=? ORDER BY a.policy_arn", err);
    if (!st)
        return err ? err->code : LC_EINTERNAL;
    sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW)
        s_push(out, cap, lc_strdup((const char *)sqlite3_column_text(st, 0)),
               lc_strdup((const char *)sqlite3_column_text(st, 1)), true);
    lc_store_stmt_done(st);
    return 0;
}

int lc_store_principal_policies(struct lc_store *store, const char *principal_arn,
                                struct lc_store_policies *out, struct lc_error *err)
{
    memset(out, 0, sizeof *out);
    struct lc_store_principal p;
    int rc = lc_store_principal_get(store, principal_arn, &p, err);
    if (rc)
        return rc;
    size_t cap = 0;
    if ((rc = s_collect(store, p.arn, p.name, out, &cap, err)) != 0)
        goto fail;
    if (p.type == LC_PRINCIPAL_USER) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(lc_store_db(store),
                               "SELECT g.arn, g.name FROM group_members m JOIN principals g ON g.arn=m.group_arn"
                               " WHERE m.user_arn=? ORDER BY g.name", -1, &st, NULL) != SQLITE_OK) {
            rc = lc_store_sql_error(store, "reading group memberships", err);
            goto fail;
        }
        sqlite3_bind_text(st, 1, p.arn, -1, SQLITE_STATIC);
        while (!rc && sqlite3_step(st) == SQLITE_ROW) {
            char *garn = lc_strdup((const char *)sqlite3_column_text(st, 0));
            char *gname = lc_strdup((const char *)sqlite3_column_text(st, 1));
            rc = s_collect(store, garn, gname, out, &cap, err);
            lc_free(garn);
            lc_free(gname);
        }
        sqlite3_finalize(st);
        if (rc)
            goto fail;
    }
    if (p.boundary_arn[0]) {
        out->boundary.document = lc_store_managed_policy_document(store, p.boundary_arn, err);
        if (!out->boundary.document) {
            rc = err ? err->code : LC_ENOTFOUND;
            goto fail;
        }
        out->boundary.label = lc_strdup(p.boundary_arn);
        out->boundary.managed = true;
    }
    return 0;
fail:
    lc_store_policies_free(out);
    return rc;
}

void lc_store_policies_free(struct lc_store_policies *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_identity; i++) {
        lc_free(p->identity[i].label);
        lc_free(p->identity[i].document);
    }
    lc_free(p->identity);
    lc_free(p->boundary.label);
    lc_free(p->boundary.document);
    memset(p, 0, sizeof *p);
}
