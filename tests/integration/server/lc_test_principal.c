/*
 * lc_test_principal.c: creates IAM principals directly in a state directory, for the server's
 * integration tests until the IAM API exists. Prints the credentials as one JSON object.
 *
 *   lc_test_principal STATE user NAME [POLICY_FILE]             a user, its key, its inline policy
 *   lc_test_principal STATE session ROLE SESSION [POLICY_FILE]  a role with that policy and STS
 *                                                               session credentials for it (1 hour)
 *   lc_test_principal STATE deactivate KEY_ID                   marks a key inactive
 *   lc_test_principal STATE expire-session ROLE SESSION         session credentials that expired
 */
#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/buf.h"
#include "leastcloud/error.h"
#include "leastcloud/store.h"
#include "leastcloud/store_iam.h"

static int s_fail(const char *what, const struct lc_error *err)
{
    fprintf(stderr, "lc_test_principal: %s: %s\n", what, err->message);
    return 1;
}

static void s_print(const struct lc_store_key *k, const char *arn)
{
    printf("{\"Arn\":\"%s\",\"AccessKeyId\":\"%s\",\"SecretAccessKey\":\"%s\"", arn, k->key_id, k->secret);
    if (k->session_token[0])
        printf(",\"SessionToken\":\"%s\"", k->session_token);
    printf("}\n");
}

static int s_role_with_policy(struct lc_store *store, const char *name, const char *policy_file,
                              struct lc_store_principal *role, struct lc_error *err)
{
    if (lc_store_principal_get_by_name(store, LC_PRINCIPAL_ROLE, name, role, err) != 0 &&
        lc_store_principal_create(store, LC_PRINCIPAL_ROLE, name, NULL,
                                  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                                  "\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},"
                                  "\"Action\":\"sts:AssumeRole\"}]}",
                                  role, err) != 0)
        return -1;
    if (!policy_file)
        return 0;
    char *doc = lc_file_read(policy_file, 1 << 20, NULL, err);
    if (!doc)
        return -1;
    int rc = lc_store_inline_policy_put(store, role->arn, "policy", doc, err);
    lc_free(doc);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: lc_test_principal STATE user NAME [POLICY_FILE] | STATE session ROLE SESSION "
                        "[POLICY_FILE] | STATE deactivate KEY_ID | STATE expire-session ROLE SESSION\n");
        return 2;
    }
    struct lc_error err;
    struct lc_store *store;
    if (lc_store_open(argv[1], NULL, &store, &err))
        return s_fail("open", &err);
    int status = 0;
    const char *cmd = argv[2];
    if (!strcmp(cmd, "user")) {
        struct lc_store_principal p;
        struct lc_store_key k;
        if (lc_store_principal_create(store, LC_PRINCIPAL_USER, argv[3], NULL, NULL, &p, &err) ||
            lc_store_key_create(store, p.arn, &k, &err)) {
            status = s_fail("user", &err);
        } else if (argc > 4) {
            char *doc = lc_file_read(argv[4], 1 << 20, NULL, &err);
            /* Named like CDK's policy for the seed user, so the trail shows a familiar label. */
            if (!doc || lc_store_inline_policy_put(store, p.arn, argc > 5 ? argv[5] : "policy", doc, &err))
                status = s_fail("policy", &err);
            lc_free(doc);
        }
        if (!status)
            s_print(&k, p.arn);
    } else if (!strcmp(cmd, "session") || !strcmp(cmd, "expire-session")) {
        struct lc_store_principal role;
        struct lc_store_key k;
        bool expired = !strcmp(cmd, "expire-session");
        if (argc < 5 || s_role_with_policy(store, argv[3], argc > 5 ? argv[5] : NULL, &role, &err) ||
            lc_store_session_create(store, role.arn, argv[4], expired ? -60 : 3600, NULL, &k, &err))
            status = s_fail("session", &err);
        else
            s_print(&k, k.session_arn);
    } else if (!strcmp(cmd, "deactivate")) {
        if (lc_store_key_set_active(store, argv[3], false, &err))
            status = s_fail("deactivate", &err);
    } else {
        fprintf(stderr, "lc_test_principal: unknown command %s\n", cmd);
        status = 2;
    }
    lc_store_close(store);
    return status;
}
