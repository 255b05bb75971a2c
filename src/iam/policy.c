/*
 * policy.c: parses and validates a policy document as IAM does, compiling it on the way
 * (lower-cased actions, split ARN patterns, pre-parsed condition values). Every error is IAM's
 * MalformedPolicyDocument with the place first: "Statement[1].Action[0]: ...".
 */
#include "iam/iam_internal.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"

/* IAM's quotas on policy size, counted without whitespace (the largest, a role's inline policy,
 * for identity policies; S3's bucket policy for resource policies). Callers with a tighter quota
 * check lc_iam_policy_size themselves. */
#define IAM_IDENTITY_MAX_CHARS 10240
#define IAM_RESOURCE_MAX_CHARS 20480
#define IAM_MAX_DEPTH_NAME 96

struct parse {
    struct lc_error *err;
    enum lc_iam_policy_kind kind;
    bool vars;  /* Version 2012-10-17: policy variables are substituted */
    char where[256];
};

static int s_fail(struct parse *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int s_fail(struct parse *ps, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (ps->where[0])
        return lc_error_set(ps->err, LC_EINVAL, 400, "MalformedPolicyDocument", "%s: %s", ps->where, msg);
    return lc_error_set(ps->err, LC_EINVAL, 400, "MalformedPolicyDocument", "%s", msg);
}

static void s_where(struct parse *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void s_where(struct parse *ps, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->where, sizeof ps->where, fmt, ap);
    va_end(ap);
}

size_t lc_iam_policy_size(const char *json, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += !(json[i] == ' ' || json[i] == '\t' || json[i] == '\n' || json[i] == '\r');
    return n;
}

/* String or array of strings -> newly allocated array of strings. */
static int s_string_list(struct parse *ps, json_t *v, const char *name, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (json_is_string(v)) {
        *out = lc_malloc(sizeof(char *));
        (*out)[0] = lc_strndup(json_string_value(v), json_string_length(v));
        *n = 1;
        return 0;
    }
    if (!json_is_array(v))
        return s_fail(ps, "%s must be a string or an array of strings.", name);
    size_t count = json_array_size(v);
    *out = lc_calloc(count ? count : 1, sizeof(char *));
    for (size_t i = 0; i < count; i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_string(e)) {
            for (size_t j = 0; j < i; j++)
                lc_free((*out)[j]);
            lc_free(*out);
            *out = NULL;
            return s_fail(ps, "%s must be a string or an array of strings.", name);
        }
        (*out)[i] = lc_strndup(json_string_value(e), json_string_length(e));
    }
    *n = count;
    return 0;
}

static void s_free_list(char **l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        lc_free(l[i]);
    lc_free(l);
}

static bool s_is_vendor_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

static bool s_is_action_char(char c)
{
    return s_is_vendor_char(c) || c == '*' || c == '?' || c == '_' || c == '.';
}

static int s_parse_actions(struct parse *ps, struct iam_statement *st, json_t *v, const char *name, size_t si)
{
    char **l;
    size_t n;
    s_where(ps, "Statement[%zu].%s", si, name);
    if (s_string_list(ps, v, name, &l, &n) != 0)
        return LC_EINVAL;
    if (n == 0) {
        s_free_list(l, n);
        return s_fail(ps, "Policy statement must contain actions.");
    }
    st->actions = lc_calloc(n, sizeof(*st->actions));
    st->n_actions = n;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char *a = l[i];
        l[i] = NULL;
        for (char *p = a; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p + 32);
        lc__iam_pat_init(&st->actions[i].p, a);
        st->actions[i].p.has_var = false;
        if (strcmp(a, "*") == 0) {
            st->actions[i].all = true;
            continue;
        }
        s_where(ps, "Statement[%zu].%s[%zu]", si, name, i);
        const char *colon = strchr(a, ':');
        if (!colon || colon == a) {
            rc = s_fail(ps, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
            break;
        }
        for (const char *p = a; p < colon; p++) {
            if (!s_is_vendor_char(*p)) {
                rc = s_fail(ps, "Vendor %s is not valid", a);
                break;
            }
        }
        if (rc)
            break;
        if (colon[1] == '\0') {
            rc = s_fail(ps, "Action %s must name an action after the vendor prefix.", a);
            break;
        }
        for (const char *p = colon + 1; *p; p++) {
            if (!s_is_action_char(*p)) {
                rc = s_fail(ps, "Action %s contains characters that are not allowed.", a);
                break;
            }
        }
        if (rc)
            break;
    }
    s_free_list(l, n);
    return rc;
}

static int s_parse_resources(struct parse *ps, struct iam_statement *st, json_t *v, const char *name, size_t si)
{
    char **l;
    size_t n;
    s_where(ps, "Statement[%zu].%s", si, name);
    if (s_string_list(ps, v, name, &l, &n) != 0)
        return LC_EINVAL;
    if (n == 0) {
        s_free_list(l, n);
        return s_fail(ps, "Policy statement must contain resources.");
    }
    st->resources = lc_calloc(n, sizeof(*st->resources));
    st->n_resources = n;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct iam_res_pat *rp = &st->resources[i];
        lc__iam_pat_init(&rp->whole, l[i]);
        l[i] = NULL;
        rp->whole.has_var = rp->whole.has_var && ps->vars;
        if (strcmp(rp->whole.s, "*") == 0) {
            rp->all = true;
            continue;
        }
        s_where(ps, "Statement[%zu].%s[%zu]", si, name, i);
        if (strncmp(rp->whole.s, "arn:", 4) != 0 || strchr(rp->whole.s + 4, ':') == NULL) {
            rc = s_fail(ps, "Resource %s must be in ARN format or \"*\".", rp->whole.s);
            break;
        }
        rp->is_arn = true;
    }
    s_free_list(l, n);
    return rc;
}

static void s_add_principal(struct iam_statement *st, enum iam_principal_kind k, const char *v)
{
    st->principals = lc_realloc(st->principals, (st->n_principals + 1) * sizeof(*st->principals));
    struct iam_principal *p = &st->principals[st->n_principals++];
    p->kind = k;
    bool digits = strlen(v) == 12;
    for (const char *c = v; *c && digits; c++)
        digits = *c >= '0' && *c <= '9';
    /* An account id in an AWS principal means the account's root ARN (IAM rewrites it so). */
    p->value = k == IAM_PR_AWS && digits ? lc_asprintf("arn:aws:iam::%s:root", v) : lc_strdup(v);
}

static int s_parse_principal(struct parse *ps, struct iam_statement *st, json_t *v, const char *name, size_t si)
{
    s_where(ps, "Statement[%zu].%s", si, name);
    if (json_is_string(v)) {
        if (strcmp(json_string_value(v), "*") != 0)
            return s_fail(ps, "Invalid principal in policy: \"%s\"", json_string_value(v));
        s_add_principal(st, IAM_PR_ANY, "*");
        return 0;
    }
    if (!json_is_object(v) || json_object_size(v) == 0)
        return s_fail(ps, "Invalid principal in policy.");
    const char *k;
    json_t *val;
    json_object_foreach(v, k, val) {
        enum iam_principal_kind kind;
        if (strcmp(k, "AWS") == 0)
            kind = IAM_PR_AWS;
        else if (strcmp(k, "Service") == 0)
            kind = IAM_PR_SERVICE;
        else if (strcmp(k, "Federated") == 0)
            kind = IAM_PR_FEDERATED;
        else if (strcmp(k, "CanonicalUser") == 0)
            kind = IAM_PR_CANONICAL;
        else
            return s_fail(ps, "Invalid principal in policy: unknown principal type \"%s\"", k);
        char **l;
        size_t n;
        s_where(ps, "Statement[%zu].%s.%s", si, name, k);
        if (s_string_list(ps, val, k, &l, &n) != 0)
            return LC_EINVAL;
        int rc = n == 0 ? s_fail(ps, "Invalid principal in policy.") : 0;
        for (size_t i = 0; i < n && rc == 0; i++) {
            const char *p = l[i];
            if (kind == IAM_PR_AWS && strcmp(p, "*") != 0 && strncmp(p, "arn:", 4) != 0) {
                bool digits = strlen(p) == 12;
                for (const char *c = p; *c && digits; c++)
                    digits = *c >= '0' && *c <= '9';
                if (!digits) {
                    s_where(ps, "Statement[%zu].%s.%s[%zu]", si, name, k, i);
                    rc = s_fail(ps, "Invalid principal in policy: \"AWS\":\"%s\"", p);
                    break;
                }
            }
            s_add_principal(st, kind, p);
        }
        s_free_list(l, n);
        if (rc)
            return rc;
    }
    return 0;
}

/* Splits "ForAnyValue:StringLikeIfExists" into its parts. */
static int s_parse_operator(const char *name, struct iam_condition *c)
{
    const char *op = name;
    c->set = IAM_SET_NONE;
    if (strncasecmp(op, "ForAnyValue:", 12) == 0) {
        c->set = IAM_SET_FOR_ANY;
        op += 12;
    } else if (strncasecmp(op, "ForAllValues:", 13) == 0) {
        c->set = IAM_SET_FOR_ALL;
        op += 13;
    }
    size_t len = strlen(op);
    c->if_exists = false;
    if (len > 8 && strcasecmp(op + len - 8, "IfExists") == 0) {
        c->if_exists = true;
        len -= 8;
    }
    int code = lc__iam_cond_op_from_name(op, len);
    if (code < 0 || (code == IAM_OP_NULL && (c->if_exists || c->set != IAM_SET_NONE)))
        return LC_EINVAL;
    c->op = (enum iam_cond_op)code;
    return 0;
}

static char *s_scalar_string(json_t *v)
{
    if (json_is_string(v))
        return lc_strndup(json_string_value(v), json_string_length(v));
    if (json_is_true(v))
        return lc_strdup("true");
    if (json_is_false(v))
        return lc_strdup("false");
    if (json_is_integer(v))
        return lc_asprintf("%lld", (long long)json_integer_value(v));
    if (json_is_real(v))
        return lc_asprintf("%.17g", json_real_value(v));
    return NULL;
}

static int s_parse_conditions(struct parse *ps, struct iam_statement *st, json_t *v, size_t si)
{
    s_where(ps, "Statement[%zu].Condition", si);
    if (!json_is_object(v))
        return s_fail(ps, "Condition must be an object.");
    const char *opname;
    json_t *block;
    size_t total = 0;
    json_object_foreach(v, opname, block) {
        if (json_is_object(block))
            total += json_object_size(block);
    }
    st->conditions = lc_calloc(total ? total : 1, sizeof(*st->conditions));
    json_object_foreach(v, opname, block) {
        s_where(ps, "Statement[%zu].Condition.%s", si, opname);
        struct iam_condition proto = {0};
        if (s_parse_operator(opname, &proto) != 0)
            return s_fail(ps, "Invalid Condition type : %s", opname);
        if (!json_is_object(block) || json_object_size(block) == 0)
            return s_fail(ps, "Condition operator %s must map condition keys to values.", opname);
        const char *key;
        json_t *vals;
        json_object_foreach(block, key, vals) {
            s_where(ps, "Statement[%zu].Condition.%s.%s", si, opname, key);
            const char *colon = strchr(key, ':');
            if (!colon || colon == key || colon[1] == '\0')
                return s_fail(ps, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
            struct iam_condition *c = &st->conditions[st->n_conditions++];
            *c = proto;
            c->key_orig = lc_strdup(key);
            c->key = lc_strdup(key);
            for (char *p = c->key; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                    *p = (char)(*p + 32);
            size_t n = json_is_array(vals) ? json_array_size(vals) : 1;
            if (n == 0)
                return s_fail(ps, "Condition key %s must have at least one value.", key);
            c->values = lc_calloc(n, sizeof(*c->values));
            for (size_t i = 0; i < n; i++) {
                json_t *e = json_is_array(vals) ? json_array_get(vals, i) : vals;
                char *s = s_scalar_string(e);
                if (!s)
                    return s_fail(ps, "Condition values must be strings, numbers or booleans (%s).", key);
                c->n_values++;
                lc__iam_pat_init(&c->values[i].p, s);
                c->values[i].p.has_var = c->values[i].p.has_var && ps->vars;
                if (!lc__iam_cond_value_prepare(c->op, &c->values[i]) && c->op == IAM_OP_NULL)
                    return s_fail(ps, "Null condition values must be \"true\" or \"false\" (%s).", s);
            }
        }
    }
    return 0;
}

static bool s_sid_ok(const char *s)
{
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
            return false;
    return true;
}

static int s_parse_statement(struct parse *ps, struct iam_statement *st, json_t *o, size_t si)
{
    s_where(ps, "Statement[%zu]", si);
    if (!json_is_object(o))
        return s_fail(ps, "Syntax errors in policy. A statement must be an object.");
    static const char *const known[] = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource",
                                        "Principal", "NotPrincipal", "Condition"};
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        bool ok = false;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            ok = ok || strcmp(k, known[i]) == 0;
        if (!ok) {
            s_where(ps, "Statement[%zu].%s", si, k);
            return s_fail(ps, "Syntax errors in policy. Unknown element %s.", k);
        }
    }
    json_t *sid = json_object_get(o, "Sid");
    if (sid) {
        s_where(ps, "Statement[%zu].Sid", si);
        if (!json_is_string(sid))
            return s_fail(ps, "Sid must be a string.");
        st->sid = lc_strdup(json_string_value(sid));
        if (ps->kind == LC_IAM_POLICY_IDENTITY && !s_sid_ok(st->sid))
            return s_fail(ps, "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the "
                              "regular expression [0-9A-Za-z]*");
    } else {
        st->sid = lc_strdup("");
    }
    json_t *eff = json_object_get(o, "Effect");
    s_where(ps, "Statement[%zu].Effect", si);
    if (!eff)
        return s_fail(ps, "Syntax errors in policy. Missing Effect.");
    if (!json_is_string(eff) || (strcmp(json_string_value(eff), "Allow") && strcmp(json_string_value(eff), "Deny")))
        return s_fail(ps, "Invalid effect: %s", json_is_string(eff) ? json_string_value(eff) : "(not a string)");
    st->deny = strcmp(json_string_value(eff), "Deny") == 0;

    json_t *a = json_object_get(o, "Action"), *na = json_object_get(o, "NotAction");
    s_where(ps, "Statement[%zu]", si);
    if (a && na)
        return s_fail(ps, "Syntax errors in policy. A statement cannot have both Action and NotAction.");
    if (!a && !na)
        return s_fail(ps, "Policy statement must contain actions.");
    st->not_action = na != NULL;
    if (s_parse_actions(ps, st, a ? a : na, a ? "Action" : "NotAction", si) != 0)
        return LC_EINVAL;

    json_t *r = json_object_get(o, "Resource"), *nr = json_object_get(o, "NotResource");
    s_where(ps, "Statement[%zu]", si);
    if (r && nr)
        return s_fail(ps, "Syntax errors in policy. A statement cannot have both Resource and NotResource.");
    if (!r && !nr) {
        /* Trust policies name no resource: the role itself is the resource. */
        if (ps->kind != LC_IAM_POLICY_TRUST)
            return s_fail(ps, "Policy statement must contain resources.");
    } else {
        st->has_resource = true;
        st->not_resource = nr != NULL;
        if (s_parse_resources(ps, st, r ? r : nr, r ? "Resource" : "NotResource", si) != 0)
            return LC_EINVAL;
    }

    json_t *p = json_object_get(o, "Principal"), *np = json_object_get(o, "NotPrincipal");
    s_where(ps, "Statement[%zu]", si);
    if (p && np)
        return s_fail(ps, "Syntax errors in policy. A statement cannot have both Principal and NotPrincipal.");
    if (ps->kind == LC_IAM_POLICY_IDENTITY && (p || np))
        return s_fail(ps, "Policy document should not specify a principal.");
    if (ps->kind != LC_IAM_POLICY_IDENTITY && !p && !np)
        return s_fail(ps, "Missing required field Principal");
    if (p || np) {
        st->has_principal = true;
        st->not_principal = np != NULL;
        if (s_parse_principal(ps, st, p ? p : np, p ? "Principal" : "NotPrincipal", si) != 0)
            return LC_EINVAL;
    }
    json_t *c = json_object_get(o, "Condition");
    if (c && s_parse_conditions(ps, st, c, si) != 0)
        return LC_EINVAL;
    return 0;
}

static void s_free_statement(struct iam_statement *st)
{
    lc_free(st->sid);
    for (size_t i = 0; i < st->n_actions; i++)
        lc_free(st->actions[i].p.s);
    lc_free(st->actions);
    for (size_t i = 0; i < st->n_resources; i++)
        lc_free(st->resources[i].whole.s);
    lc_free(st->resources);
    for (size_t i = 0; i < st->n_principals; i++)
        lc_free(st->principals[i].value);
    lc_free(st->principals);
    for (size_t i = 0; i < st->n_conditions; i++) {
        struct iam_condition *c = &st->conditions[i];
        for (size_t j = 0; j < c->n_values; j++)
            lc_free(c->values[j].p.s);
        lc_free(c->values);
        lc_free(c->key);
        lc_free(c->key_orig);
    }
    lc_free(st->conditions);
}

void lc_iam_policy_free(struct lc_iam_policy *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_statements; i++)
        s_free_statement(&p->statements[i]);
    lc_free(p->statements);
    lc_free(p->version);
    lc_free(p->id);
    lc_free(p);
}

/* Resource patterns are split once here, after the strings stop moving. */
static void s_split_resources(struct lc_iam_policy *p)
{
    for (size_t i = 0; i < p->n_statements; i++) {
        struct iam_statement *st = &p->statements[i];
        for (size_t j = 0; j < st->n_resources; j++)
            if (st->resources[j].is_arn) {
                struct iam_res_pat *rp = &st->resources[j];
                lc__iam_split_arn_pattern(rp->whole.s, rp->whole.len, rp->part);
                for (int k = 0; k < 5; k++) {
                    const struct lc_cur *c = &rp->part[k];
                    rp->part_literal[k] = c->ptr && !memchr(c->ptr, '*', c->len) && !memchr(c->ptr, '?', c->len) &&
                                          !(rp->whole.has_var && memchr(c->ptr, '$', c->len));
                }
            }
    }
}

static int s_parse_doc(struct parse *ps, struct lc_iam_policy *pol, json_t *doc)
{
    ps->where[0] = '\0';
    if (!json_is_object(doc))
        return s_fail(ps, "Syntax errors in policy. The policy must be a JSON object.");
    const char *k;
    json_t *v;
    json_object_foreach(doc, k, v) {
        if (strcmp(k, "Version") && strcmp(k, "Id") && strcmp(k, "Statement")) {
            s_where(ps, "%s", k);
            return s_fail(ps, "Syntax errors in policy. Unknown element %s.", k);
        }
    }
    json_t *ver = json_object_get(doc, "Version");
    if (ver) {
        s_where(ps, "Version");
        if (!json_is_string(ver) ||
            (strcmp(json_string_value(ver), "2012-10-17") && strcmp(json_string_value(ver), "2008-10-17")))
            return s_fail(ps, "The policy must use a valid version: \"2012-10-17\" or \"2008-10-17\".");
        pol->version = lc_strdup(json_string_value(ver));
    } else {
        pol->version = lc_strdup("");
    }
    ps->vars = strcmp(pol->version, "2012-10-17") == 0;
    json_t *id = json_object_get(doc, "Id");
    if (id) {
        s_where(ps, "Id");
        if (!json_is_string(id))
            return s_fail(ps, "Id must be a string.");
        pol->id = lc_strdup(json_string_value(id));
    }
    json_t *stmts = json_object_get(doc, "Statement");
    ps->where[0] = '\0';
    if (!stmts)
        return s_fail(ps, "Syntax errors in policy. Missing Statement.");
    s_where(ps, "Statement");
    if (!json_is_object(stmts) && !json_is_array(stmts))
        return s_fail(ps, "Statement must be an object or an array of objects.");
    size_t n = json_is_array(stmts) ? json_array_size(stmts) : 1;
    if (n == 0)
        return s_fail(ps, "Syntax errors in policy. Statement is empty.");
    pol->statements = lc_calloc(n, sizeof(*pol->statements));
    for (size_t i = 0; i < n; i++) {
        pol->n_statements = i + 1;
        json_t *o = json_is_array(stmts) ? json_array_get(stmts, i) : stmts;
        if (s_parse_statement(ps, &pol->statements[i], o, i) != 0)
            return LC_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n && pol->statements[i].sid[0]; j++) {
            if (strcmp(pol->statements[i].sid, pol->statements[j].sid) == 0) {
                s_where(ps, "Statement[%zu].Sid", j);
                return s_fail(ps, "Statement IDs (SID) in a single policy must be unique.");
            }
        }
    }
    s_split_resources(pol);
    return 0;
}

struct lc_iam_policy *lc_iam_policy_parse(const char *json, size_t len, enum lc_iam_policy_kind kind,
                                          struct lc_error *err)
{
    struct parse ps = {.err = err, .kind = kind};
    size_t max = kind == LC_IAM_POLICY_IDENTITY ? IAM_IDENTITY_MAX_CHARS : IAM_RESOURCE_MAX_CHARS;
    size_t size = lc_iam_policy_size(json, len);
    if (size > max) {
        lc_error_set(err, LC_ELIMIT, 409, "LimitExceeded", "Cannot exceed quota for PolicySize: %zu", max);
        return NULL;
    }
    json_error_t jerr;
    json_t *doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        lc_error_set(err, LC_EINVAL, 400, "MalformedPolicyDocument",
                     "Syntax errors in policy. line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
        return NULL;
    }
    struct lc_iam_policy *pol = lc_calloc(1, sizeof(*pol));
    pol->kind = kind;
    if (s_parse_doc(&ps, pol, doc) != 0) {
        json_decref(doc);
        lc_iam_policy_free(pol);
        return NULL;
    }
    json_decref(doc);
    return pol;
}

size_t lc_iam_policy_statement_count(const struct lc_iam_policy *p)
{
    return p->n_statements;
}

const char *lc_iam_policy_statement_sid(const struct lc_iam_policy *p, size_t i)
{
    return i < p->n_statements ? p->statements[i].sid : NULL;
}
