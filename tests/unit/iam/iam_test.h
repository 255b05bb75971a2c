/* iam_test.h: small helpers shared by the IAM unit tests. */
#ifndef LC_IAM_TEST_H
#define LC_IAM_TEST_H

#include "lc_test.h"

#include "leastcloud/buf.h"
#include "leastcloud/error.h"
#include "leastcloud/iam.h"

#define ACCT "111122223333"
#define ALICE "arn:aws:iam::" ACCT ":user/alice"
#define SESSION "arn:aws:sts::" ACCT ":assumed-role/Reader/s1"
#define TABLE "arn:aws:dynamodb:us-east-1:" ACCT ":table/orders"

static inline struct lc_iam_policy *t_parse(const char *json, enum lc_iam_policy_kind kind)
{
    struct lc_error err;
    lc_error_clear(&err);
    struct lc_iam_policy *p = lc_iam_policy_parse(json, strlen(json), kind, &err);
    if (!p)
        fail_msg("policy did not parse: %s", err.message);
    return p;
}

/* A set from up to four policies: identity, resource, boundary, session (NULL = none). */
static inline struct lc_iam_policy_set *t_set(const char *identity, const char *resource, const char *boundary,
                                             const char *session)
{
    struct lc_iam_policy_set *s = lc_iam_policy_set_new();
    if (identity)
        assert_int_equal(lc_iam_policy_set_add(s, LC_IAM_LAYER_IDENTITY, "alice/inline",
                                               t_parse(identity, LC_IAM_POLICY_IDENTITY)), 0);
    if (resource)
        assert_int_equal(lc_iam_policy_set_add(s, LC_IAM_LAYER_RESOURCE, "table-policy",
                                               t_parse(resource, LC_IAM_POLICY_RESOURCE)), 0);
    if (boundary)
        assert_int_equal(lc_iam_policy_set_add(s, LC_IAM_LAYER_BOUNDARY, "arn:aws:iam::" ACCT ":policy/boundary",
                                               t_parse(boundary, LC_IAM_POLICY_IDENTITY)), 0);
    if (session)
        assert_int_equal(lc_iam_policy_set_add(s, LC_IAM_LAYER_SESSION, "session",
                                               t_parse(session, LC_IAM_POLICY_IDENTITY)), 0);
    assert_int_equal(lc_iam_policy_set_compile(s), 0);
    return s;
}

static inline struct lc_iam_request *t_req(const char *principal, const char *action, const char *resource)
{
    struct lc_iam_request *r = lc_iam_request_new();
    lc_iam_request_set_principal(r, principal, lc_iam_principal_type_of(principal));
    lc_iam_request_set_action(r, action);
    lc_iam_request_set_resource(r, resource);
    return r;
}

/* Evaluates and frees both; returns the decision kind. */
static inline enum lc_iam_decision_kind t_eval(struct lc_iam_policy_set *s, struct lc_iam_request *r)
{
    struct lc_iam_decision d;
    assert_int_equal(lc_iam_evaluate(s, r, &d), 0);
    lc_iam_request_free(r);
    lc_iam_policy_set_free(s);
    return d.kind;
}

/* One identity statement around a condition block, for condition tests. */
#define T_COND_POLICY(cond) \
    "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":" cond "}}"

#endif
