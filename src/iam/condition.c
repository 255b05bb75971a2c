/*
 * condition.c: the Condition element. Every operator family (String*, Numeric*, Date*, Bool,
 * BinaryEquals, IpAddress/NotIpAddress, Arn*, Null), the IfExists suffix and the ForAnyValue /
 * ForAllValues set operators, following AWS's "Condition operators" and "Multivalued context keys"
 * pages. Negated operators hold when no policy value matches (and every value could be compared);
 * a missing key makes them hold, and makes the positive operators fail.
 */
#include "iam/iam_internal.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "leastcloud/clock.h"

struct op_info {
    const char *name;
    bool negated;
};

static const struct op_info s_ops[IAM_OP_COUNT] = {
    [IAM_OP_STRING_EQUALS] = {"StringEquals", false},
    [IAM_OP_STRING_NOT_EQUALS] = {"StringNotEquals", true},
    [IAM_OP_STRING_EQUALS_IC] = {"StringEqualsIgnoreCase", false},
    [IAM_OP_STRING_NOT_EQUALS_IC] = {"StringNotEqualsIgnoreCase", true},
    [IAM_OP_STRING_LIKE] = {"StringLike", false},
    [IAM_OP_STRING_NOT_LIKE] = {"StringNotLike", true},
    [IAM_OP_NUMERIC_EQUALS] = {"NumericEquals", false},
    [IAM_OP_NUMERIC_NOT_EQUALS] = {"NumericNotEquals", true},
    [IAM_OP_NUMERIC_LT] = {"NumericLessThan", false},
    [IAM_OP_NUMERIC_LTE] = {"NumericLessThanEquals", false},
    [IAM_OP_NUMERIC_GT] = {"NumericGreaterThan", false},
    [IAM_OP_NUMERIC_GTE] = {"NumericGreaterThanEquals", false},
    [IAM_OP_DATE_EQUALS] = {"DateEquals", false},
    [IAM_OP_DATE_NOT_EQUALS] = {"DateNotEquals", true},
    [IAM_OP_DATE_LT] = {"DateLessThan", false},
    [IAM_OP_DATE_LTE] = {"DateLessThanEquals", false},
    [IAM_OP_DATE_GT] = {"DateGreaterThan", false},
    [IAM_OP_DATE_GTE] = {"DateGreaterThanEquals", false},
    [IAM_OP_BOOL] = {"Bool", false},
    [IAM_OP_BINARY_EQUALS] = {"BinaryEquals", false},
    [IAM_OP_IP_ADDRESS] = {"IpAddress", false},
    [IAM_OP_NOT_IP_ADDRESS] = {"NotIpAddress", true},
    [IAM_OP_ARN_EQUALS] = {"ArnEquals", false},
    [IAM_OP_ARN_LIKE] = {"ArnLike", false},
    [IAM_OP_ARN_NOT_EQUALS] = {"ArnNotEquals", true},
    [IAM_OP_ARN_NOT_LIKE] = {"ArnNotLike", true},
    [IAM_OP_NULL] = {"Null", false},
};

int lc__iam_cond_op_from_name(const char *name, size_t len)
{
    for (int i = 0; i < IAM_OP_COUNT; i++)
        if (strlen(s_ops[i].name) == len && strncasecmp(s_ops[i].name, name, len) == 0)
            return i;
    return -1;
}

const char *lc__iam_cond_op_name(enum iam_cond_op op)
{
    return op < IAM_OP_COUNT ? s_ops[op].name : "?";
}

bool lc__iam_parse_number(const char *s, size_t len, double *out)
{
    char tmp[64];
    if (len == 0 || len >= sizeof tmp)
        return false;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    char *end;
    double d = strtod(tmp, &end);
    if (*end != '\0' || end == tmp || !isfinite(d) || tmp[0] == ' ')
        return false;
    *out = d;
    return true;
}

/* An all-digit value is epoch seconds (aws:EpochTime); anything else must be ISO 8601. */
bool lc__iam_parse_date(const char *s, size_t len, int64_t *ms)
{
    bool digits = len > 0 && len < 19;
    for (size_t i = 0; i < len && digits; i++)
        digits = s[i] >= '0' && s[i] <= '9';
    if (digits) {
        int64_t v = 0;
        for (size_t i = 0; i < len; i++)
            v = v * 10 + (s[i] - '0');
        *ms = v * 1000;
        return true;
    }
    return lc_time_parse_iso(s, len, ms) == 0;
}

bool lc__iam_parse_ip(const char *s, size_t len, bool allow_prefix, int *family, uint8_t ip[16], int *prefix)
{
    char tmp[64];
    if (len == 0 || len >= sizeof tmp)
        return false;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    char *slash = strchr(tmp, '/');
    int pfx = -1;
    if (slash) {
        if (!allow_prefix || slash[1] == '\0' || strlen(slash + 1) > 3)
            return false;
        pfx = 0;
        for (const char *p = slash + 1; *p; p++) {
            if (*p < '0' || *p > '9')
                return false;
            pfx = pfx * 10 + (*p - '0');
        }
        *slash = '\0';
    }
    memset(ip, 0, 16);
    if (inet_pton(AF_INET, tmp, ip) == 1) {
        if (pfx > 32)
            return false;
        *family = 4;
        *prefix = pfx < 0 ? 32 : pfx;
        return true;
    }
    if (inet_pton(AF_INET6, tmp, ip) == 1) {
        if (pfx > 128)
            return false;
        *family = 6;
        *prefix = pfx < 0 ? 128 : pfx;
        return true;
    }
    return false;
}

bool lc__iam_cond_value_prepare(enum iam_cond_op op, struct iam_cond_value *v)
{
    const char *s = v->p.s;
    size_t len = v->p.len;
    switch (op) {
    case IAM_OP_NUMERIC_EQUALS: case IAM_OP_NUMERIC_NOT_EQUALS: case IAM_OP_NUMERIC_LT:
    case IAM_OP_NUMERIC_LTE: case IAM_OP_NUMERIC_GT: case IAM_OP_NUMERIC_GTE:
        return v->num_ok = lc__iam_parse_number(s, len, &v->num);
    case IAM_OP_DATE_EQUALS: case IAM_OP_DATE_NOT_EQUALS: case IAM_OP_DATE_LT:
    case IAM_OP_DATE_LTE: case IAM_OP_DATE_GT: case IAM_OP_DATE_GTE:
        return v->date_ok = lc__iam_parse_date(s, len, &v->date_ms);
    case IAM_OP_IP_ADDRESS: case IAM_OP_NOT_IP_ADDRESS:
        return v->ip_ok = lc__iam_parse_ip(s, len, true, &v->ip_family, v->ip, &v->ip_prefix);
    case IAM_OP_NULL:
        return strcasecmp(s, "true") == 0 || strcasecmp(s, "false") == 0;
    default:
        return true;
    }
}

enum tri { T_NO = 0, T_YES = 1, T_INVALID = 2 };

static bool s_ip_in(const struct iam_cond_value *pv, const uint8_t ip[16])
{
    int bits = pv->ip_prefix, full = bits / 8, rem = bits % 8;
    if (memcmp(pv->ip, ip, (size_t)full) != 0)
        return false;
    if (rem == 0)
        return true;
    uint8_t mask = (uint8_t)(0xFF << (8 - rem));
    return (pv->ip[full] & mask) == (ip[full] & mask);
}

/* The string form of a policy value, with variables resolved; NULL when unresolvable. */
static const char *s_value_pattern(const struct iam_cond_value *pv, const struct lc_iam_request *r, bool keep_wild,
                                   struct iam_scratch *scratch, size_t *len, bool *esc)
{
    if (!pv->p.has_var) {
        *len = pv->p.len;
        *esc = false;
        return pv->p.s;
    }
    if (!lc__iam_resolve(&pv->p, r, keep_wild, scratch))
        return NULL;
    *len = scratch->len;
    *esc = true;
    return scratch->data ? scratch->data : "";
}

static bool s_pat_eq(const char *p, size_t plen, bool esc, bool wild, const char *v, size_t vlen, bool ci)
{
    if (esc || wild)
        return esc ? lc__iam_wild_esc(p, plen, v, vlen, ci) : lc__iam_wild(p, plen, v, vlen, ci);
    if (plen != vlen)
        return false;
    return ci ? strncasecmp(p, v, vlen) == 0 : memcmp(p, v, vlen) == 0;
}

/* ArnLike / ArnEquals: part by part, both with wildcards (AWS treats ArnEquals as ArnLike). */
static enum tri s_arn_cmp(const char *p, size_t plen, bool esc, const char *v)
{
    size_t vlen = strlen(v);
    if (plen == 1 && p[0] == '*' && !esc)
        return T_YES;
    size_t pc = 0, vc = 0;
    for (size_t i = 0; i < plen; i++)
        pc += p[i] == ':';
    for (size_t i = 0; i < vlen; i++)
        vc += v[i] == ':';
    if (pc < 5 || plen < 4 || memcmp(p, "arn:", 4) != 0)
        return T_INVALID;
    if (vc < 5 || vlen < 4 || memcmp(v, "arn:", 4) != 0)
        return T_INVALID;
    struct lc_cur pp[5], vp[5];
    lc__iam_split_arn(p, plen, pp);
    lc__iam_split_arn(v, vlen, vp);
    for (int i = 0; i < 5; i++) {
        bool m = esc ? lc__iam_wild_esc(pp[i].ptr, pp[i].len, vp[i].ptr, vp[i].len, false)
                     : lc__iam_wild(pp[i].ptr, pp[i].len, vp[i].ptr, vp[i].len, false);
        if (!m)
            return T_NO;
    }
    return T_YES;
}

/* Does one request value satisfy one policy value, in the positive sense of the operator? */
static enum tri s_value_test(enum iam_cond_op op, const struct iam_cond_value *pv, const char *v,
                             const struct lc_iam_request *r, struct iam_scratch *scratch)
{
    size_t plen, vlen = strlen(v);
    bool esc;
    const char *p;
    switch (op) {
    case IAM_OP_STRING_EQUALS: case IAM_OP_STRING_NOT_EQUALS:
        if (!(p = s_value_pattern(pv, r, false, scratch, &plen, &esc)))
            return T_INVALID;
        return s_pat_eq(p, plen, esc, false, v, vlen, false) ? T_YES : T_NO;
    case IAM_OP_STRING_EQUALS_IC: case IAM_OP_STRING_NOT_EQUALS_IC:
        if (!(p = s_value_pattern(pv, r, false, scratch, &plen, &esc)))
            return T_INVALID;
        return s_pat_eq(p, plen, esc, false, v, vlen, true) ? T_YES : T_NO;
    case IAM_OP_STRING_LIKE: case IAM_OP_STRING_NOT_LIKE:
        if (!(p = s_value_pattern(pv, r, true, scratch, &plen, &esc)))
            return T_INVALID;
        return s_pat_eq(p, plen, esc, true, v, vlen, false) ? T_YES : T_NO;
    case IAM_OP_NUMERIC_EQUALS: case IAM_OP_NUMERIC_NOT_EQUALS: case IAM_OP_NUMERIC_LT:
    case IAM_OP_NUMERIC_LTE: case IAM_OP_NUMERIC_GT: case IAM_OP_NUMERIC_GTE: {
        double d;
        if (!pv->num_ok || !lc__iam_parse_number(v, vlen, &d))
            return T_INVALID;
        bool m = op == IAM_OP_NUMERIC_LT ? d < pv->num : op == IAM_OP_NUMERIC_LTE ? d <= pv->num
               : op == IAM_OP_NUMERIC_GT ? d > pv->num : op == IAM_OP_NUMERIC_GTE ? d >= pv->num : d == pv->num;
        return m ? T_YES : T_NO;
    }
    case IAM_OP_DATE_EQUALS: case IAM_OP_DATE_NOT_EQUALS: case IAM_OP_DATE_LT:
    case IAM_OP_DATE_LTE: case IAM_OP_DATE_GT: case IAM_OP_DATE_GTE: {
        int64_t t;
        if (!pv->date_ok || !lc__iam_parse_date(v, vlen, &t))
            return T_INVALID;
        int64_t x = pv->date_ms;
        bool m = op == IAM_OP_DATE_LT ? t < x : op == IAM_OP_DATE_LTE ? t <= x : op == IAM_OP_DATE_GT ? t > x
               : op == IAM_OP_DATE_GTE ? t >= x : t == x;
        return m ? T_YES : T_NO;
    }
    case IAM_OP_BOOL: {
        if (!(p = s_value_pattern(pv, r, false, scratch, &plen, &esc)))
            return T_INVALID;
        bool pt = plen == 4 && strncasecmp(p, "true", 4) == 0, pf = plen == 5 && strncasecmp(p, "false", 5) == 0;
        bool vt = strcasecmp(v, "true") == 0, vf = strcasecmp(v, "false") == 0;
        if (!(pt || pf) || !(vt || vf))
            return T_INVALID;
        return pt == vt ? T_YES : T_NO;
    }
    case IAM_OP_BINARY_EQUALS:
        return pv->p.len == vlen && memcmp(pv->p.s, v, vlen) == 0 ? T_YES : T_NO;
    case IAM_OP_IP_ADDRESS: case IAM_OP_NOT_IP_ADDRESS: {
        int fam, pfx;
        uint8_t ip[16];
        if (!pv->ip_ok || !lc__iam_parse_ip(v, vlen, false, &fam, ip, &pfx))
            return T_INVALID;
        if (fam != pv->ip_family)
            return T_NO;
        return s_ip_in(pv, ip) ? T_YES : T_NO;
    }
    case IAM_OP_ARN_EQUALS: case IAM_OP_ARN_LIKE: case IAM_OP_ARN_NOT_EQUALS: case IAM_OP_ARN_NOT_LIKE:
        if (!(p = s_value_pattern(pv, r, true, scratch, &plen, &esc)))
            return T_INVALID;
        return s_arn_cmp(p, plen, esc, v);
    default:
        return T_INVALID;
    }
}

/* The operator applied to one request value against all the policy values. */
static bool s_op_holds(const struct iam_condition *c, const char *v, const struct lc_iam_request *r,
                       struct iam_scratch *scratch)
{
    bool neg = s_ops[c->op].negated;
    for (size_t i = 0; i < c->n_values; i++) {
        enum tri t = s_value_test(c->op, &c->values[i], v, r, scratch);
        if (!neg && t == T_YES)
            return true;
        if (neg && t != T_NO)
            return false;
    }
    return neg;
}

static bool s_condition_holds(const struct iam_condition *c, const struct lc_iam_request *r, struct iam_scratch *scratch)
{
    const struct iam_ctx_entry *e = lc__iam_request_find(r, c->key, strlen(c->key));
    if (c->op == IAM_OP_NULL) {
        const char *want = e ? "false" : "true";
        for (size_t i = 0; i < c->n_values; i++)
            if (strcasecmp(c->values[i].p.s, want) == 0)
                return true;
        return false;
    }
    if (c->set == IAM_SET_FOR_ALL) {
        if (!e)
            return true;
        for (size_t i = 0; i < e->n; i++)
            if (!s_op_holds(c, e->values[i], r, scratch))
                return false;
        return true;
    }
    if (c->set == IAM_SET_FOR_ANY) {
        if (!e)
            return c->if_exists;
        for (size_t i = 0; i < e->n; i++)
            if (s_op_holds(c, e->values[i], r, scratch))
                return true;
        return false;
    }
    if (!e)
        return c->if_exists || s_ops[c->op].negated;
    /* A single-valued operator cannot compare a list: AWS's docs ask for a set operator there. */
    if (e->n != 1 || lc__iam_ctx_is_list(e))
        return false;
    return s_op_holds(c, e->values[0], r, scratch);
}

bool lc__iam_conditions_match(const struct iam_statement *st, const struct lc_iam_request *r, struct iam_scratch *scratch)
{
    for (size_t i = 0; i < st->n_conditions; i++)
        if (!s_condition_holds(&st->conditions[i], r, scratch))
            return false;
    return true;
}
