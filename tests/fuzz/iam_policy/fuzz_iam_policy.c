/*
 * fuzz_iam_policy.c: libFuzzer target for the policy parser and everything a parsed policy
 * reaches at evaluation time (matchers, conditions, variables). Input: a policy document. It is
 * parsed as an identity policy and as a resource policy; whatever parses is compiled and
 * evaluated against a few fixed requests whose context fills every key the engine reads.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "leastcloud/buf.h"
#include "leastcloud/error.h"
#include "leastcloud/iam.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void s_evaluate(struct lc_iam_policy *p, enum lc_iam_layer layer)
{
    struct lc_iam_policy_set *set = lc_iam_policy_set_new();
    if (lc_iam_policy_set_add(set, layer, "fuzz", p) != 0) {
        lc_iam_policy_set_free(set);
        return;
    }
    lc_iam_policy_set_compile(set);
    static const char *const principals[] = {"arn:aws:iam::111122223333:user/alice",
                                             "arn:aws:sts::111122223333:assumed-role/Reader/s1"};
    static const char *const actions[] = {"dynamodb:GetItem", "s3:PutObject", "sts:AssumeRole"};
    static const char *const resources[] = {"arn:aws:dynamodb:us-east-1:111122223333:table/alice", "*",
                                            "arn:aws:s3:::bucket/key:with:colons"};
    struct lc_iam_request *r = lc_iam_request_new();
    for (size_t i = 0; i < 3; i++) {
        lc_iam_request_reset(r);
        lc_iam_request_set_principal(r, principals[i % 2], i % 2 ? LC_IAM_PRINCIPAL_ASSUMED_ROLE : LC_IAM_PRINCIPAL_USER);
        lc_iam_request_set_action(r, actions[i]);
        lc_iam_request_set_resource(r, resources[i]);
        lc_iam_request_add_context(r, "aws:username", "alice");
        lc_iam_request_add_context(r, "aws:SourceIp", i ? "2001:db8::1" : "10.1.2.3");
        lc_iam_request_add_context(r, "aws:CurrentTime", "2025-06-15T12:00:00Z");
        lc_iam_request_add_context(r, "aws:EpochTime", "1750000000");
        lc_iam_request_add_context(r, "aws:SecureTransport", "true");
        lc_iam_request_add_context(r, "aws:PrincipalArn", principals[i % 2]);
        lc_iam_request_add_context(r, "aws:PrincipalTag/team", "ops*?$");
        lc_iam_request_add_context(r, "dynamodb:LeadingKeys", "alice");
        lc_iam_request_add_context(r, "dynamodb:LeadingKeys", "b${*}");
        struct lc_iam_decision d;
        if (lc_iam_evaluate(set, r, &d) == 0 && d.kind != LC_IAM_ALLOWED) {
            struct lc_buf b;
            lc_buf_init(&b, 1 << 16);
            lc_iam_denial_message(r, &d, &b);
            lc_buf_free(&b);
        }
    }
    lc_iam_request_free(r);
    lc_iam_policy_set_free(set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lc_error err;
    const char *json = (const char *)data;
    struct lc_iam_policy *p = lc_iam_policy_parse(json, size, LC_IAM_POLICY_IDENTITY, &err);
    if (p) {
        (void)lc_iam_policy_statement_count(p);
        (void)lc_iam_policy_statement_sid(p, 0);
        s_evaluate(p, LC_IAM_LAYER_IDENTITY);
    } else if (strlen(err.message) >= sizeof err.message) {
        __builtin_trap();  /* the message must stay terminated inside its buffer */
    }
    p = lc_iam_policy_parse(json, size, LC_IAM_POLICY_RESOURCE, &err);
    if (p)
        s_evaluate(p, LC_IAM_LAYER_RESOURCE);
    /* The raw bytes as an ARN pattern and value too. */
    if (size < 512) {
        char buf[512];
        memcpy(buf, data, size);
        buf[size] = '\0';
        size_t half = strlen(buf) / 2;
        (void)lc_iam_arn_match(buf, "arn:aws:dynamodb:us-east-1:111122223333:table/alice");
        (void)lc_iam_wildcard_match(buf, half, buf + half, strlen(buf) - half, true);
    }
    return 0;
}
