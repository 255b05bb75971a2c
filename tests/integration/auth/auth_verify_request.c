/*
 * auth_verify_request.c: verifies one request written as text (see tests/unit/auth/req_file.h)
 * with lc_auth_verify and prints the outcome as one JSON object, for the interop tests that sign
 * requests with botocore.
 *
 *   auth_verify_request --akid ID --secret S [--token T] [--service NAME] [--now BASICDATE] FILE
 */
#include "req_file.h"

#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

struct store {
    const char *akid, *secret, *token;
};

static int s_lookup(struct lc_cur akid, void *user_data, struct lc_auth_key *key)
{
    const struct store *s = user_data;
    if (!lc_cur_eq_str(akid, s->akid))
        return 0;
    key->found = true;
    key->status = LC_AUTH_KEY_ACTIVE;
    key->secret_access_key = lc_strdup(s->secret);
    if (s->token) {
        key->session_token_expected = true;
        key->session_token = lc_strdup(s->token);
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct store st = {0};
    const char *service = "dynamodb", *file = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--akid") == 0 && v)
            st.akid = argv[++i];
        else if (strcmp(a, "--secret") == 0 && v)
            st.secret = argv[++i];
        else if (strcmp(a, "--token") == 0 && v)
            st.token = argv[++i];
        else if (strcmp(a, "--service") == 0 && v)
            service = argv[++i];
        else if (strcmp(a, "--now") == 0 && v) {
            int64_t ms;
            if (lc_time_parse_basic(v, strlen(v), &ms)) {
                fprintf(stderr, "--now wants 20150830T123600Z\n");
                return 2;
            }
            lc_clock_set_fixed_ms(ms);
            i++;
        } else if (a[0] != '-' && !file)
            file = a;
        else {
            fprintf(stderr, "usage: auth_verify_request --akid ID --secret S [--token T] "
                            "[--service NAME] [--now DATE] FILE\n");
            return 2;
        }
    }
    if (!st.akid || !st.secret || !file) {
        fprintf(stderr, "auth_verify_request: --akid, --secret and FILE are required\n");
        return 2;
    }
    struct req_file rf;
    if (req_file_load(&rf, file)) {
        fprintf(stderr, "auth_verify_request: cannot read a request from %s\n", file);
        req_file_clean_up(&rf);
        return 2;
    }
    struct lc_auth_service svc;
    lc_auth_service_profile(service, &svc);
    struct lc_auth_verifier v = {.lookup = s_lookup, .user_data = &st};
    struct lc_auth_result res;
    struct lc_error err;
    int rc = lc_auth_verify(&v, &rf.req, &svc, &res, &err);
    json_t *out = rc ? json_pack("{s:b, s:s, s:i, s:s}", "ok", 0, "code", err.aws_code, "status",
                                 err.http_status, "message", err.message)
                     : json_pack("{s:b, s:s, s:s, s:b, s:b}", "ok", 1, "access_key_id",
                                 res.access_key_id, "service", res.service, "presigned",
                                 res.presigned, "session", res.session);
    char *text = json_dumps(out, JSON_COMPACT);
    printf("%s\n", text);
    free(text); /* jansson's allocation */
    json_decref(out);
    req_file_clean_up(&rf);
    return rc ? 1 : 0;
}
