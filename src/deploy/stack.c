/* stack.c: create, update, delete and recover a stack, with CloudFormation's rollbacks and events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deploy/run.h"
#include "deploy/schema.h"
#include "leastcloud/alloc.h"
#include "leastcloud/error.h"
#include "leastcloud/json.h"
#include "leastcloud/str.h"

/* ---- small helpers ---- */

static const json_t *s_def(const json_t *tmpl, const char *logical)
{
    return json_object_get(json_object_get(tmpl, "Resources"), logical);
}

static char *s_dump(const json_t *v)
{
    return v ? lc_json_stringify(v, 0) : NULL;
}

static json_t *s_load(const char *text)
{
    return text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
}

static const char *s_policy(const json_t *def, const char *key)
{
    const char *p = json_string_value(json_object_get(def, key));
    return p ? p : "Delete";
}

static void s_live_set(struct lc_run *run, const char *logical, const char *id, const json_t *attrs)
{
    json_object_set_new(run->live, logical,
                        attrs ? json_pack("{s:s, s:O}", "id", id, "attrs", attrs) : json_pack("{s:s, s:o}", "id", id, "attrs", json_object()));
}

static int s_status(struct lc_run *run, const char *status, const char *reason, struct lc_error *err)
{
    bool owned = lc_str_ends_with(status, "_IN_PROGRESS");
    int rc = lc_store_stack_set_status(run->store, run->stack.stack_id, status, reason, owned, err);
    if (!rc) {
        lc_strlcpy(run->stack.status, status, sizeof run->stack.status);
        lc_run_event(run, NULL, NULL, NULL, status, reason);
    }
    return rc;
}

/* Logical ids of the stack's rows, in the reverse of `tmpl`'s dependency order (rows the template
 * does not know come first). A new array. */
static int s_collect_row(const struct lc_stack_resource *r, void *ud)
{
    json_object_set_new(ud, r->logical_id, json_true());
    return 0;
}

static json_t *s_reverse_order(struct lc_run *run, const json_t *tmpl)
{
    json_t *rows = json_object();
    lc_store_stack_resource_list(run->store, run->stack.stack_id, s_collect_row, rows, NULL);
    json_t *out = json_array();
    const json_t *resources = json_object_get(tmpl, "Resources");
    const char *name;
    json_t *v;
    json_object_foreach(rows, name, v) if (!json_object_get(resources, name)) json_array_append_new(out, json_string(name));
    json_t *order = resources ? lc_cfn_topo_order(resources, rows, NULL) : NULL;
    if (!order) {
        /* No usable template (or a cycle): the reverse of creation order. */
        json_t *all = json_array();
        json_object_foreach(rows, name, v) if (json_object_get(resources, name)) json_array_append_new(all, json_string(name));
        order = all;
    }
    for (size_t i = json_array_size(order); i-- > 0;)
        json_array_append(out, json_array_get(order, i));
    json_decref(order);
    json_decref(rows);
    return out;
}

/* ---- one resource ---- */

static int s_create_resource(struct lc_run *run, const char *logical, struct lc_error *err)
{
    const json_t *def = s_def(run->tmpl, logical);
    const char *type = json_string_value(json_object_get(def, "Type"));
    const struct lc_provider *p = lc_provider_find(type);
    lc_run_event(run, logical, NULL, type, "CREATE_IN_PROGRESS", NULL);
    json_t *props = NULL, *attrs = NULL;
    char *id = NULL;
    int rc = p ? lc_cfn_eval(&run->ev, json_object_get(def, "Properties"), &props, err)
               : lc_error_set(err, LC_EUNSUPPORTED, 400, "ValidationError", "Unrecognized resource type %s", type);
    if (!rc && !props)
        props = json_object();
    struct lc_store_tx tx;
    if (!rc && (rc = lc_store_tx_begin(run->store, &tx, err)) == 0) {
        struct lc_provider_call c = lc_run_call(run, logical, type);
        rc = p->create(&c, props, &id, &attrs, err);
        if (!rc) {
            char *ptext = s_dump(props), *atext = s_dump(attrs);
            struct lc_stack_resource row = {
                .logical_id = (char *)logical, .type = (char *)type, .physical_id = id,
                .status = "CREATE_COMPLETE", .properties = ptext, .attributes = atext,
                .deletion_policy = (char *)s_policy(def, "DeletionPolicy"),
                .update_replace_policy = (char *)s_policy(def, "UpdateReplacePolicy"),
            };
            rc = lc_store_stack_resource_put(run->store, run->stack.stack_id, &row, err);
            lc_free(ptext);
            lc_free(atext);
        }
        rc = lc_store_tx_end(run->store, &tx, rc, err);
    }
    if (rc) {
        lc_run_event(run, logical, NULL, type, "CREATE_FAILED", err ? err->message : "failed");
    } else {
        s_live_set(run, logical, id, attrs);
        lc_run_event(run, logical, id, type, "CREATE_COMPLETE", NULL);
        lc_run_step_delay();
    }
    lc_free(id);
    json_decref(props);
    json_decref(attrs);
    return rc;
}

/* Deletes the resource of a row (or keeps it, per its DeletionPolicy) and its row. */
static int s_delete_row(struct lc_run *run, const struct lc_stack_resource *r, bool create_rollback,
                        struct lc_error *err)
{
    const char *policy = r->deletion_policy ? r->deletion_policy : "Delete";
    bool keep = !strcmp(policy, "Retain") || (!strcmp(policy, "RetainExceptOnCreate") && !create_rollback);
    if (keep) {
        int rc = lc_store_stack_resource_delete(run->store, run->stack.stack_id, r->logical_id, err);
        if (!rc)
            lc_run_event(run, r->logical_id, r->physical_id, r->type, "DELETE_SKIPPED", NULL);
        return rc;
    }
    lc_run_event(run, r->logical_id, r->physical_id, r->type, "DELETE_IN_PROGRESS", NULL);
    const struct lc_provider *p = lc_provider_find(r->type);
    json_t *props = s_load(r->properties), *attrs = s_load(r->attributes);
    if (!props)
        props = json_object();
    struct lc_store_tx tx;
    int rc = lc_store_tx_begin(run->store, &tx, err);
    if (!rc) {
        struct lc_provider_call c = lc_run_call(run, r->logical_id, r->type);
        if (p && r->physical_id)
            rc = p->remove(&c, r->physical_id, props, attrs, err);
        if (!rc)
            rc = lc_store_stack_resource_delete(run->store, run->stack.stack_id, r->logical_id, err);
        rc = lc_store_tx_end(run->store, &tx, rc, err);
    }
    json_decref(props);
    json_decref(attrs);
    lc_run_event(run, r->logical_id, r->physical_id, r->type, rc ? "DELETE_FAILED" : "DELETE_COMPLETE",
                 rc && err ? err->message : NULL);
    if (!rc)
        lc_run_step_delay();
    return rc;
}

/* Deletes the rows named in `order`, in that order. Stops at the first failure. */
static int s_delete_rows(struct lc_run *run, const json_t *order, bool create_rollback, struct lc_error *err)
{
    size_t i;
    json_t *name;
    json_array_foreach(order, i, name) {
        struct lc_stack_resource r;
        if (lc_store_stack_resource_get(run->store, run->stack.stack_id, json_string_value(name), &r, NULL) != 0)
            continue;
        int rc = s_delete_row(run, &r, create_rollback, err);
        lc_stack_resource_clear(&r);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- create ---- */

static int s_rollback_create(struct lc_run *run, const json_t *tmpl, const char *reason, struct lc_error *err)
{
    struct lc_error ignored;
    s_status(run, "ROLLBACK_IN_PROGRESS", reason, &ignored);
    json_t *order = s_reverse_order(run, tmpl);
    int rc = s_delete_rows(run, order, true, err);
    json_decref(order);
    return s_status(run, rc ? "ROLLBACK_FAILED" : "ROLLBACK_COMPLETE", rc && err ? err->message : NULL, &ignored);
}

static int s_save_docs(struct lc_run *run, struct lc_error *err)
{
    char *t = s_dump(run->tmpl), *p = s_dump(run->ev.params);
    int rc = lc_store_stack_set_doc(run->store, run->stack.stack_id, "template", t, err);
    if (!rc)
        rc = lc_store_stack_set_doc(run->store, run->stack.stack_id, "template_body", run->body, err);
    if (!rc)
        rc = lc_store_stack_set_doc(run->store, run->stack.stack_id, "parameters", p, err);
    if (!rc)
        rc = lc_store_stack_set_doc(run->store, run->stack.stack_id, "description",
                                    json_string_value(json_object_get(run->tmpl, "Description")), err);
    lc_free(t);
    lc_free(p);
    return rc;
}

static int s_create(struct lc_run *run, struct lc_deploy_result *out, struct lc_error *err)
{
    int rc = lc_store_stack_create(run->store, run->opt->stack_name, "CREATE_IN_PROGRESS", &run->stack, err);
    if (rc)
        return rc;
    run->ev.stack_id = run->stack.stack_id;
    if ((rc = s_save_docs(run, err)) != 0)
        return rc;
    lc_run_event(run, NULL, NULL, NULL, "CREATE_IN_PROGRESS", "User Initiated");
    json_t *order = lc_cfn_topo_order(json_object_get(run->tmpl, "Resources"), run->include, NULL);
    size_t i;
    json_t *name;
    json_array_foreach(order, i, name) {
        if ((rc = s_create_resource(run, json_string_value(name), err)) != 0)
            break;
    }
    if (!rc)
        rc = lc_run_outputs(run, err);
    if (rc) {
        struct lc_error keep = *err;
        char *reason = i < json_array_size(order)
                           ? lc_asprintf("The following resource(s) failed to create: [%s]. Rollback requested by "
                                         "user.", json_string_value(json_array_get(order, i)))
                           : lc_asprintf("%s", keep.message);
        struct lc_error rb;
        s_rollback_create(run, run->tmpl, reason, &rb);
        lc_free(reason);
        *err = keep;
    } else {
        rc = s_status(run, "CREATE_COMPLETE", NULL, err);
    }
    json_decref(order);
    return rc;
}

/* ---- update ---- */

/* The top-level properties whose values differ (a new array). */
static json_t *s_changed_props(const json_t *old_props, const json_t *new_props)
{
    json_t *out = json_array();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)new_props, k, v) if (!json_equal(v, json_object_get(old_props, k)))
        json_array_append_new(out, json_string(k));
    json_object_foreach((json_t *)old_props, k, v) if (!json_object_get(new_props, k))
        json_array_append_new(out, json_string(k));
    return out;
}

static bool s_needs_replacement(const char *type, const json_t *changed)
{
    const struct lc_provider *p = lc_provider_find(type);
    if (!p || !p->update)
        return true;
    const struct lc_cfn_type *t = lc_cfn_schema(type);
    size_t i;
    json_t *k;
    json_array_foreach(changed, i, k) {
        int flags = t ? lc_cfn_prop_flags(t, json_string_value(k)) : -1;
        if (flags >= 0 && (flags & LC_CFN_CREATE_ONLY))
            return true;
    }
    return false;
}

static int s_update_resource(struct lc_run *run, const char *logical, struct lc_stack_resource *row,
                             struct lc_error *err)
{
    const json_t *def = s_def(run->tmpl, logical);
    const char *type = json_string_value(json_object_get(def, "Type"));
    json_t *props = NULL;
    int rc = lc_cfn_eval(&run->ev, json_object_get(def, "Properties"), &props, err);
    if (rc) {
        lc_run_event(run, logical, row->physical_id, type, "UPDATE_FAILED", err ? err->message : NULL);
        return rc;
    }
    if (!props)
        props = json_object();
    json_t *old_props = s_load(row->properties);
    if (!old_props)
        old_props = json_object();
    json_t *changed = s_changed_props(old_props, props);
    bool same_type = !strcmp(row->type, type);
    const char *dp = s_policy(def, "DeletionPolicy"), *urp = s_policy(def, "UpdateReplacePolicy");
    if (same_type && !json_array_size(changed)) {
        /* Nothing to do to the resource; its policies may still have changed. */
        if (strcmp(row->deletion_policy ? row->deletion_policy : "", dp) ||
            strcmp(row->update_replace_policy ? row->update_replace_policy : "", urp)) {
            struct lc_stack_resource r = *row;
            r.deletion_policy = (char *)dp;
            r.update_replace_policy = (char *)urp;
            rc = lc_store_stack_resource_put(run->store, run->stack.stack_id, &r, err);
        }
        json_decref(props);
        json_decref(old_props);
        json_decref(changed);
        return rc;
    }
    const struct lc_provider *p = lc_provider_find(type);
    bool replace = !same_type || s_needs_replacement(type, changed);
    if (replace && same_type && p && p->name_prop) {
        const char *o = lc_prov_str(old_props, p->name_prop), *n = lc_prov_str(props, p->name_prop);
        if (o && n && !strcmp(o, n)) {
            rc = lc_error_set(err, LC_EINVAL, 400, "ValidationError",
                              "CloudFormation cannot update a stack when a custom-named resource requires "
                              "replacing. Rename %s and update the stack again.", n);
            lc_run_event(run, logical, row->physical_id, type, "UPDATE_FAILED", err ? err->message : NULL);
            json_decref(props);
            json_decref(old_props);
            json_decref(changed);
            return rc;
        }
    }
    lc_run_event(run, logical, row->physical_id, type, "UPDATE_IN_PROGRESS",
                 replace ? "Requested update requires the creation of a new physical resource; hence creating one."
                         : NULL);
    json_t *attrs = NULL;
    char *new_id = NULL;
    struct lc_store_tx tx;
    if ((rc = lc_store_tx_begin(run->store, &tx, err)) == 0) {
        struct lc_provider_call c = lc_run_call(run, logical, type);
        if (replace) {
            rc = p ? p->create(&c, props, &new_id, &attrs, err)
                   : lc_error_set(err, LC_EUNSUPPORTED, 400, "ValidationError", "Unrecognized resource type %s", type);
        } else {
            rc = p->update(&c, row->physical_id, old_props, props, &attrs, err);
            new_id = lc_strdup(row->physical_id);
        }
        if (!rc) {
            char *ptext = s_dump(props), *atext = s_dump(attrs);
            struct lc_stack_resource r = {
                .logical_id = (char *)logical, .type = (char *)type, .physical_id = new_id,
                .status = "UPDATE_COMPLETE", .properties = ptext, .attributes = atext,
                .deletion_policy = (char *)dp, .update_replace_policy = (char *)urp,
                /* What to roll back to, or to delete in the cleanup after a replacement. */
                .prev_physical_id = row->physical_id, .prev_properties = row->properties,
                .prev_attributes = row->attributes, .prev_type = row->type,
            };
            rc = lc_store_stack_resource_put(run->store, run->stack.stack_id, &r, err);
            lc_free(ptext);
            lc_free(atext);
        }
        rc = lc_store_tx_end(run->store, &tx, rc, err);
    }
    if (rc) {
        lc_run_event(run, logical, row->physical_id, type, "UPDATE_FAILED", err ? err->message : NULL);
    } else {
        s_live_set(run, logical, new_id, attrs);
        lc_run_event(run, logical, new_id, type, "UPDATE_COMPLETE", NULL);
        lc_run_step_delay();
    }
    lc_free(new_id);
    json_decref(attrs);
    json_decref(props);
    json_decref(old_props);
    json_decref(changed);
    return rc;
}

struct s_rows {
    struct lc_stack_resource *v;
    size_t n;
};

static int s_copy_row(const struct lc_stack_resource *r, void *ud)
{
    struct s_rows *rows = ud;
    rows->v = lc_realloc(rows->v, (rows->n + 1) * sizeof *rows->v);
    struct lc_stack_resource *c = &rows->v[rows->n++];
    memset(c, 0, sizeof *c);
    c->logical_id = lc_strdup(r->logical_id);
    c->type = lc_strdup(r->type);
    c->physical_id = lc_strdup(r->physical_id);
    c->status = lc_strdup(r->status);
    c->properties = lc_strdup(r->properties);
    c->attributes = lc_strdup(r->attributes);
    c->deletion_policy = lc_strdup(r->deletion_policy);
    c->update_replace_policy = lc_strdup(r->update_replace_policy);
    c->prev_physical_id = lc_strdup(r->prev_physical_id);
    c->prev_properties = lc_strdup(r->prev_properties);
    c->prev_attributes = lc_strdup(r->prev_attributes);
    c->prev_type = lc_strdup(r->prev_type);
    return 0;
}

static void s_rows_free(struct s_rows *rows)
{
    for (size_t i = 0; i < rows->n; i++)
        lc_stack_resource_clear(&rows->v[i]);
    lc_free(rows->v);
    rows->v = NULL;
    rows->n = 0;
}

static struct lc_stack_resource *s_row_find(struct s_rows *rows, const char *logical)
{
    for (size_t i = 0; i < rows->n; i++)
        if (!strcmp(rows->v[i].logical_id, logical))
            return &rows->v[i];
    return NULL;
}

/* Puts a row back to its state before the update (or, for a row the update added, deletes it). */
static int s_restore_row(struct lc_run *run, struct lc_stack_resource *r, const json_t *prev_tmpl,
                         struct lc_error *err)
{
    if (!json_object_get(json_object_get(prev_tmpl, "Resources"), r->logical_id) && !r->prev_physical_id)
        return s_delete_row(run, r, true, err);
    if (!r->prev_physical_id)
        return 0; /* untouched by the update */
    bool replaced = strcmp(r->prev_physical_id, r->physical_id ? r->physical_id : "") != 0;
    lc_run_event(run, r->logical_id, r->physical_id, r->type, "UPDATE_IN_PROGRESS", NULL);
    const struct lc_provider *p = lc_provider_find(r->type);
    json_t *cur = s_load(r->properties), *prev = s_load(r->prev_properties), *cur_attrs = s_load(r->attributes);
    if (!cur)
        cur = json_object();
    if (!prev)
        prev = json_object();
    json_t *attrs = NULL;
    struct lc_store_tx tx;
    int rc = lc_store_tx_begin(run->store, &tx, err);
    if (!rc) {
        struct lc_provider_call c = lc_run_call(run, r->logical_id, r->type);
        if (replaced)
            rc = p ? p->remove(&c, r->physical_id, cur, cur_attrs, err) : 0;
        else if (p && p->update)
            rc = p->update(&c, r->physical_id, cur, prev, &attrs, err);
        if (!rc) {
            struct lc_stack_resource back = {
                .logical_id = r->logical_id, .type = r->prev_type ? r->prev_type : r->type,
                .physical_id = r->prev_physical_id, .status = "UPDATE_COMPLETE",
                .properties = r->prev_properties, .attributes = r->prev_attributes,
                .deletion_policy = r->deletion_policy, .update_replace_policy = r->update_replace_policy,
            };
            rc = lc_store_stack_resource_put(run->store, run->stack.stack_id, &back, err);
        }
        rc = lc_store_tx_end(run->store, &tx, rc, err);
    }
    json_decref(cur);
    json_decref(prev);
    json_decref(cur_attrs);
    json_decref(attrs);
    lc_run_event(run, r->logical_id, r->prev_physical_id, r->type, rc ? "UPDATE_FAILED" : "UPDATE_COMPLETE",
                 rc && err ? err->message : NULL);
    return rc;
}

/* Rolls an update back from what the state records, so it works after a crash too. */
static int s_update_rollback(struct lc_run *run, const char *reason, struct lc_error *err)
{
    struct lc_error ignored;
    s_status(run, "UPDATE_ROLLBACK_IN_PROGRESS", reason, &ignored);
    char *prev_text = lc_store_stack_doc(run->store, run->stack.stack_id, "prev_template");
    char *cur_text = lc_store_stack_doc(run->store, run->stack.stack_id, "template");
    json_t *prev_tmpl = s_load(prev_text), *cur_tmpl = s_load(cur_text);
    json_t *order = s_reverse_order(run, cur_tmpl);
    int rc = 0;
    size_t i;
    json_t *name;
    json_array_foreach(order, i, name) {
        struct lc_stack_resource r;
        if (lc_store_stack_resource_get(run->store, run->stack.stack_id, json_string_value(name), &r, NULL) != 0)
            continue;
        rc = s_restore_row(run, &r, prev_tmpl, err);
        lc_stack_resource_clear(&r);
        if (rc)
            break;
    }
    json_decref(order);
    if (!rc && prev_text) {
        s_status(run, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", NULL, &ignored);
        lc_store_stack_set_doc(run->store, run->stack.stack_id, "template", prev_text, NULL);
        char *pp = lc_store_stack_doc(run->store, run->stack.stack_id, "prev_parameters");
        lc_store_stack_set_doc(run->store, run->stack.stack_id, "parameters", pp, NULL);
        lc_free(pp);
        lc_store_stack_set_doc(run->store, run->stack.stack_id, "prev_template", NULL, NULL);
        lc_store_stack_set_doc(run->store, run->stack.stack_id, "prev_parameters", NULL, NULL);
    }
    lc_free(prev_text);
    lc_free(cur_text);
    json_decref(prev_tmpl);
    json_decref(cur_tmpl);
    return s_status(run, rc ? "UPDATE_ROLLBACK_FAILED" : "UPDATE_ROLLBACK_COMPLETE", rc && err ? err->message : NULL,
                    &ignored);
}

/* After a successful update: delete what was replaced (per UpdateReplacePolicy) and what the new
 * template removed (per DeletionPolicy), in reverse dependency order. `keep`: the logical ids the
 * template still has. */
static int s_update_cleanup(struct lc_run *run, const json_t *keep, struct lc_error *err)
{
    char *prev_text = lc_store_stack_doc(run->store, run->stack.stack_id, "prev_template");
    json_t *prev_tmpl = s_load(prev_text);
    lc_free(prev_text);
    struct s_rows rows = {0};
    lc_store_stack_resource_list(run->store, run->stack.stack_id, s_copy_row, &rows, NULL);
    int rc = 0;
    for (size_t i = 0; i < rows.n && !rc; i++) {
        struct lc_stack_resource *r = &rows.v[i];
        if (!r->prev_physical_id)
            continue;
        if (strcmp(r->prev_physical_id, r->physical_id ? r->physical_id : "") != 0) {
            struct lc_stack_resource old = {
                .logical_id = r->logical_id, .type = r->prev_type ? r->prev_type : r->type,
                .physical_id = r->prev_physical_id, .properties = r->prev_properties,
                .attributes = r->prev_attributes, .deletion_policy = r->update_replace_policy,
            };
            const char *policy = old.deletion_policy ? old.deletion_policy : "Delete";
            if (!strcmp(policy, "Retain")) {
                lc_run_event(run, old.logical_id, old.physical_id, old.type, "DELETE_SKIPPED", NULL);
            } else {
                lc_run_event(run, old.logical_id, old.physical_id, old.type, "DELETE_IN_PROGRESS", NULL);
                const struct lc_provider *p = lc_provider_find(old.type);
                json_t *props = s_load(old.properties), *attrs = s_load(old.attributes);
                if (!props)
                    props = json_object();
                struct lc_provider_call c = lc_run_call(run, old.logical_id, old.type);
                rc = p ? p->remove(&c, old.physical_id, props, attrs, err) : 0;
                json_decref(props);
                json_decref(attrs);
                lc_run_event(run, old.logical_id, old.physical_id, old.type, rc ? "DELETE_FAILED" : "DELETE_COMPLETE",
                             rc && err ? err->message : NULL);
            }
        }
        if (!rc) {
            struct lc_stack_resource clean = *r;
            clean.prev_physical_id = clean.prev_properties = clean.prev_attributes = clean.prev_type = NULL;
            rc = lc_store_stack_resource_put(run->store, run->stack.stack_id, &clean, err);
        }
    }
    if (!rc) {
        json_t *removed = json_array();
        json_t *order = s_reverse_order(run, prev_tmpl);
        size_t i;
        json_t *name;
        json_array_foreach(order, i, name) if (!json_object_get(keep, json_string_value(name)))
            json_array_append(removed, name);
        rc = s_delete_rows(run, removed, false, err);
        json_decref(order);
        json_decref(removed);
    }
    if (!rc) {
        lc_store_stack_set_doc(run->store, run->stack.stack_id, "prev_template", NULL, NULL);
        lc_store_stack_set_doc(run->store, run->stack.stack_id, "prev_parameters", NULL, NULL);
    }
    s_rows_free(&rows);
    json_decref(prev_tmpl);
    return rc;
}

static int s_update(struct lc_run *run, struct lc_deploy_result *out, struct lc_error *err)
{
    run->ev.stack_id = run->stack.stack_id;
    char *old_text = lc_store_stack_doc(run->store, run->stack.stack_id, "template");
    char *old_params = lc_store_stack_doc(run->store, run->stack.stack_id, "parameters");
    json_t *old_tmpl = s_load(old_text), *oparams = s_load(old_params);
    bool same = old_tmpl && json_equal(old_tmpl, run->tmpl) && oparams && json_equal(oparams, run->ev.params);
    json_decref(old_tmpl);
    json_decref(oparams);
    if (same) {
        lc_free(old_text);
        lc_free(old_params);
        if (out)
            out->no_changes = true;
        return 0;
    }
    int rc = lc_run_load_live(run, err);
    if (!rc)
        rc = lc_store_stack_set_doc(run->store, run->stack.stack_id, "prev_template", old_text, err);
    if (!rc)
        rc = lc_store_stack_set_doc(run->store, run->stack.stack_id, "prev_parameters", old_params, err);
    lc_free(old_text);
    lc_free(old_params);
    if (!rc)
        rc = s_status(run, "UPDATE_IN_PROGRESS", "User Initiated", err);
    if (!rc)
        rc = s_save_docs(run, err);
    if (rc)
        return rc;
    json_t *order = lc_cfn_topo_order(json_object_get(run->tmpl, "Resources"), run->include, NULL);
    size_t i;
    json_t *name;
    json_array_foreach(order, i, name) {
        struct lc_stack_resource row;
        const char *logical = json_string_value(name);
        if (lc_store_stack_resource_get(run->store, run->stack.stack_id, logical, &row, NULL) != 0) {
            rc = s_create_resource(run, logical, err);
        } else {
            rc = s_update_resource(run, logical, &row, err);
            lc_stack_resource_clear(&row);
        }
        if (rc)
            break;
    }
    if (!rc) {
        rc = s_status(run, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", NULL, err);
        if (!rc)
            rc = s_update_cleanup(run, run->include, err);
        if (!rc)
            rc = lc_run_outputs(run, err);
        if (!rc)
            rc = s_status(run, "UPDATE_COMPLETE", NULL, err);
    } else {
        struct lc_error keep = *err, rb;
        char *reason = i < json_array_size(order)
                           ? lc_asprintf("The following resource(s) failed to update: [%s]. ",
                                         json_string_value(json_array_get(order, i)))
                           : lc_strdup(keep.message);
        s_update_rollback(run, reason, &rb);
        lc_free(reason);
        *err = keep;
    }
    json_decref(order);
    return rc;
}

/* ---- delete ---- */

static int s_delete(struct lc_run *run, struct lc_error *err)
{
    char *importers = lc_store_export_importers(run->store, run->stack.stack_id);
    if (importers) {
        int rc = lc_error_set(err, LC_ECONFLICT, 400, "ValidationError",
                              "Export of stack %s cannot be deleted as it is in use by %s", run->stack.name,
                              importers);
        lc_free(importers);
        return rc;
    }
    int rc = s_status(run, "DELETE_IN_PROGRESS", "User Initiated", err);
    if (rc)
        return rc;
    char *text = lc_store_stack_doc(run->store, run->stack.stack_id, "template");
    json_t *tmpl = s_load(text);
    lc_free(text);
    json_t *order = s_reverse_order(run, tmpl);
    rc = s_delete_rows(run, order, false, err);
    json_decref(order);
    json_decref(tmpl);
    struct lc_error ignored;
    if (rc) {
        struct lc_error keep = *err;
        s_status(run, "DELETE_FAILED", keep.message, &ignored);
        *err = keep;
        return rc;
    }
    lc_store_export_clear(run->store, run->stack.stack_id, NULL);
    lc_store_import_clear(run->store, run->stack.stack_id, NULL);
    return s_status(run, "DELETE_COMPLETE", NULL, err);
}

/* ---- recovery ---- */

static int s_recover(struct lc_run *run, struct lc_error *err)
{
    if (!run->stack.stale)
        return 0;
    char note[512];
    snprintf(note, sizeof note,
             "%s was interrupted: the process that ran it (pid %d) is gone; leastcloud finishes its work",
             run->stack.status, run->stack.owner_pid);
    lc_run_event(run, NULL, NULL, NULL, run->stack.status, note);
    run->ev.stack_id = run->stack.stack_id;
    const char *s = run->stack.status;
    if (!strcmp(s, "CREATE_IN_PROGRESS") || !strcmp(s, "ROLLBACK_IN_PROGRESS")) {
        char *text = lc_store_stack_doc(run->store, run->stack.stack_id, "template");
        json_t *tmpl = s_load(text);
        lc_free(text);
        int rc = s_rollback_create(run, tmpl, note, err);
        json_decref(tmpl);
        return rc;
    }
    if (!strcmp(s, "UPDATE_IN_PROGRESS") || !strcmp(s, "UPDATE_ROLLBACK_IN_PROGRESS") ||
        !strcmp(s, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"))
        return s_update_rollback(run, note, err);
    if (!strcmp(s, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")) {
        char *text = lc_store_stack_doc(run->store, run->stack.stack_id, "template");
        json_t *tmpl = s_load(text), *keep = json_object();
        lc_free(text);
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(tmpl, "Resources"), k, v) json_object_set_new(keep, k, json_true());
        int rc = s_update_cleanup(run, keep, err);
        json_decref(keep);
        json_decref(tmpl);
        struct lc_error ignored;
        int st = s_status(run, rc ? "UPDATE_FAILED" : "UPDATE_COMPLETE", rc && err ? err->message : NULL, &ignored);
        return rc ? rc : st;
    }
    if (!strcmp(s, "DELETE_IN_PROGRESS"))
        return s_delete(run, err);
    return 0;
}

/* ---- public ---- */

void lc_deploy_result_clear(struct lc_deploy_result *r)
{
    if (!r)
        return;
    json_decref(r->outputs);
    memset(r, 0, sizeof *r);
}

static void s_result(struct lc_run *run, struct lc_deploy_result *out)
{
    if (!out)
        return;
    lc_strlcpy(out->stack_id, run->stack.stack_id, sizeof out->stack_id);
    struct lc_stack now;
    if (*run->stack.stack_id && lc_store_stack_get(run->store, run->stack.stack_id, &now, NULL) == 0)
        lc_strlcpy(out->status, now.status, sizeof out->status);
    char *outs = *run->stack.stack_id ? lc_store_stack_doc(run->store, run->stack.stack_id, "outputs") : NULL;
    json_decref(out->outputs);
    out->outputs = outs ? json_loads(outs, 0, NULL) : NULL;
    if (!out->outputs)
        out->outputs = json_array();
    lc_free(outs);
}

static bool s_in_progress(const char *status)
{
    return lc_str_ends_with(status, "_IN_PROGRESS");
}

int lc_deploy_stack(struct lc_store *store, const struct lc_deploy_options *opt, struct lc_deploy_result *out,
                    struct lc_error *err)
{
    if (out)
        memset(out, 0, sizeof *out);
    struct lc_run run;
    int rc = lc_run_init(&run, store, opt, err);
    if (!rc)
        rc = lc_run_prepare(&run, err);
    if (!rc && lc_store_stack_get(store, opt->stack_name, &run.stack, NULL) == 0) {
        if (run.stack.stale)
            rc = s_recover(&run, err);
        if (!rc)
            rc = lc_store_stack_get(store, run.stack.stack_id, &run.stack, err);
        if (!rc && (!strcmp(run.stack.status, "ROLLBACK_COMPLETE") || !strcmp(run.stack.status, "ROLLBACK_FAILED"))) {
            /* What the CDK CLI does: a stack that never got created is deleted and created afresh. */
            rc = s_delete(&run, err);
            memset(&run.stack, 0, sizeof run.stack);
        } else if (!rc && (s_in_progress(run.stack.status) || !strcmp(run.stack.status, "DELETE_FAILED") ||
                           !strcmp(run.stack.status, "UPDATE_ROLLBACK_FAILED"))) {
            rc = lc_error_set(err, LC_ECONFLICT, 400, "ValidationError",
                              "Stack:%s is in %s state and can not be updated.", run.stack.stack_id,
                              run.stack.status);
        } else if (!rc) {
            rc = s_update(&run, out, err);
            s_result(&run, out);
            lc_run_clear(&run);
            return rc;
        }
    }
    if (!rc) {
        rc = s_create(&run, out, err);
        s_result(&run, out);
    }
    lc_run_clear(&run);
    return rc;
}

int lc_deploy_delete_stack(struct lc_store *store, const char *stack, const struct lc_deploy_options *opt,
                           struct lc_error *err)
{
    struct lc_deploy_options none = {0};
    struct lc_run run;
    int rc = lc_run_init(&run, store, opt ? opt : &none, err);
    if (!rc)
        rc = lc_store_stack_get(store, stack, &run.stack, err);
    if (!rc && !strcmp(run.stack.status, "DELETE_COMPLETE")) {
        lc_run_clear(&run);
        return 0;
    }
    if (!rc && s_in_progress(run.stack.status) && !run.stack.stale)
        rc = lc_error_set(err, LC_ECONFLICT, 400, "ValidationError",
                          "Stack:%s is in %s state and can not be deleted now (process %d is working on it).",
                          run.stack.stack_id, run.stack.status, run.stack.owner_pid);
    if (!rc) {
        run.ev.stack_id = run.stack.stack_id;
        /* An interrupted create or delete needs no rollback first: deleting removes it all. */
        if (run.stack.stale && strncmp(run.stack.status, "UPDATE", 6) == 0)
            rc = s_recover(&run, err);
        if (!rc)
            rc = s_delete(&run, err);
    }
    lc_run_clear(&run);
    return rc;
}

int lc_deploy_recover(struct lc_store *store, const char *stack, const struct lc_deploy_options *opt,
                      struct lc_error *err)
{
    struct lc_deploy_options none = {0};
    struct lc_run run;
    int rc = lc_run_init(&run, store, opt ? opt : &none, err);
    if (!rc)
        rc = lc_store_stack_get(store, stack, &run.stack, err);
    if (!rc)
        rc = s_recover(&run, err);
    lc_run_clear(&run);
    return rc;
}

int lc_deploy_changeset(struct lc_store *store, const struct lc_deploy_options *opt, json_t **changes,
                        struct lc_error *err)
{
    *changes = NULL;
    struct lc_run run;
    int rc = lc_run_init(&run, store, opt, err);
    if (!rc)
        rc = lc_run_prepare(&run, err);
    if (rc) {
        lc_run_clear(&run);
        return rc;
    }
    json_t *list = json_array();
    bool exists = lc_store_stack_get(store, opt->stack_name, &run.stack, NULL) == 0;
    struct s_rows rows = {0};
    if (exists) {
        run.ev.stack_id = run.stack.stack_id;
        lc_run_load_live(&run, NULL);
        lc_store_stack_resource_list(store, run.stack.stack_id, s_copy_row, &rows, NULL);
    }
    json_t *order = lc_cfn_topo_order(json_object_get(run.tmpl, "Resources"), run.include, NULL);
    size_t i;
    json_t *name;
    json_array_foreach(order, i, name) {
        const char *logical = json_string_value(name);
        const json_t *def = s_def(run.tmpl, logical);
        const char *type = json_string_value(json_object_get(def, "Type"));
        struct lc_stack_resource *row = s_row_find(&rows, logical);
        if (!row) {
            json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "Action", "Add", "LogicalResourceId", logical,
                                                  "ResourceType", type));
            continue;
        }
        json_t *props = NULL, *old = s_load(row->properties);
        if (!old)
            old = json_object();
        struct lc_error e;
        const char *replacement;
        json_t *details;
        if (strcmp(row->type, type) != 0) {
            replacement = "True";
            details = json_array();
        } else if (lc_cfn_eval(&run.ev, json_object_get(def, "Properties"), &props, &e) != 0) {
            /* It refers to something this change set creates or replaces: known only when applied. */
            details = s_changed_props(old, json_object_get(def, "Properties"));
            replacement = "Conditional";
        } else {
            if (!props)
                props = json_object();
            details = s_changed_props(old, props);
            replacement = s_needs_replacement(type, details) ? "True" : "False";
        }
        if (json_array_size(details) || !strcmp(replacement, "True"))
            json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "Action", "Modify",
                                                  "LogicalResourceId", logical, "ResourceType", type,
                                                  "PhysicalResourceId", row->physical_id ? row->physical_id : "",
                                                  "Replacement", replacement, "Details", details));
        else
            json_decref(details);
        json_decref(props);
        json_decref(old);
    }
    for (size_t r = 0; r < rows.n; r++) {
        if (json_object_get(run.include, rows.v[r].logical_id))
            continue;
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s}", "Action", "Remove", "LogicalResourceId",
                                              rows.v[r].logical_id, "ResourceType", rows.v[r].type,
                                              "PhysicalResourceId", rows.v[r].physical_id ? rows.v[r].physical_id : "",
                                              "DeletionPolicy",
                                              rows.v[r].deletion_policy ? rows.v[r].deletion_policy : "Delete"));
    }
    json_decref(order);
    s_rows_free(&rows);
    lc_run_clear(&run);
    *changes = list;
    return 0;
}

int lc_deploy_validate_template(const char *body, size_t len, json_t **summary, struct lc_error *err)
{
    json_t *tmpl = lc_cfn_template_parse(body, len, err);
    if (!tmpl)
        return err ? err->code : LC_EINVAL;
    json_t *problems = json_array();
    lc_cfn_validate(tmpl, NULL, problems);
    int rc = lc_cfn_problems_error(problems, err);
    json_decref(problems);
    if (!rc && summary) {
        json_t *params = json_array();
        const char *k;
        json_t *def;
        json_object_foreach(json_object_get(tmpl, "Parameters"), k, def) {
            json_t *p = json_pack("{s:s, s:b}", "ParameterKey", k, "NoEcho",
                                  json_is_true(json_object_get(def, "NoEcho")));
            char *d = json_object_get(def, "Default") ? lc_cfn_scalar_string(json_object_get(def, "Default")) : NULL;
            if (d)
                json_object_set_new(p, "DefaultValue", json_string(d));
            lc_free(d);
            if (json_object_get(def, "Description"))
                json_object_set(p, "Description", json_object_get(def, "Description"));
            json_array_append_new(params, p);
        }
        *summary = json_pack("{s:o}", "Parameters", params);
        if (json_object_get(tmpl, "Description"))
            json_object_set(*summary, "Description", json_object_get(tmpl, "Description"));
    }
    json_decref(tmpl);
    return rc;
}
