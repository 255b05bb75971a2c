/*
 * bench_auth.c: what lc_auth_verify costs per call, for bench/auth/run.sh. Verifies, in a loop,
 * the request bench/ddb sends (a botocore-signed DynamoDB GetItem: Host, Content-Length,
 * X-Amz-Target, Content-Type, X-Amz-Date, Authorization; SignedHeaders
 * content-type;host;x-amz-date;x-amz-target) through a signing-key cache, as the server does, and
 * prints CPU microseconds per call. Under callgrind, --toggle-collect=lc_auth_verify counts only
 * the verifier.
 *
 *   bench_auth getitem|presigned [calls]
 */
#include "leastcloud/alloc.h"
#include "leastcloud/auth.h"
#include "leastcloud/clock.h"
#include "leastcloud/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define AKID "AKIAIOSFODNN7EXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define BODY "{\"TableName\":\"bench\",\"Key\":{\"p\":{\"S\":\"p00042\"},\"s\":{\"N\":\"7\"}}}"

static int s_lookup(struct lc_cur akid, void *user_data, struct lc_auth_key *key)
{
    (void)user_data;
    if (!lc_cur_eq_str(akid, AKID))
        return 0;
    key->found = true;
    key->status = LC_AUTH_KEY_ACTIVE;
    key->secret_access_key = lc_strdup(SECRET);
    return 0;
}

static double s_cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    int64_t n = 100000;
    bool presigned = argc > 1 && strcmp(argv[1], "presigned") == 0;
    if (argc < 2 || (!presigned && strcmp(argv[1], "getitem") != 0) ||
        (argc > 2 && (lc_parse_i64(argv[2], &n) || n <= 0))) {
        fprintf(stderr, "usage: bench_auth getitem|presigned [calls]\n");
        return 2;
    }
    /* Signed as botocore signs it: Content-Length is not among the signed headers. */
    struct lc_auth_header signed_h[3] = {
        {lc_cur_from_str("X-Amz-Target"), lc_cur_from_str("DynamoDB_20120810.GetItem")},
        {lc_cur_from_str("Content-Type"), lc_cur_from_str("application/x-amz-json-1.0")},
        {lc_cur_from_str("Host"), lc_cur_from_str("127.0.0.1:4566")},
    };
    struct lc_auth_request req = {
        .method = lc_cur_from_str("POST"), .path = lc_cur_from_str("/"),
        .query = lc_cur_from_str(""), .headers = signed_h, .header_count = 3,
        .payload = BODY, .payload_len = strlen(BODY),
    };
    struct lc_auth_sign_params p = {
        .access_key_id = AKID, .secret_access_key = SECRET, .region = "us-east-1",
        .service = "dynamodb", .time_ms = lc_clock_now_ms(), .normalize_path = true,
        .double_encode_path = true, .expires_s = 900,
    };
    struct lc_auth_signature sig;
    struct lc_error err;
    int rc = presigned ? lc_auth_presign(&p, &req, &sig, &err) : lc_auth_sign_header(&p, &req, &sig, &err);
    if (rc) {
        fprintf(stderr, "signing failed: %s\n", err.message);
        return 1;
    }
    /* The headers in the order the server's HTTP layer hands them over. */
    struct lc_auth_header h[6] = {
        {lc_cur_from_str("Host"), lc_cur_from_str("127.0.0.1:4566")},
        {lc_cur_from_str("Content-Length"), lc_cur_from_str("62")},
        {lc_cur_from_str("X-Amz-Target"), lc_cur_from_str("DynamoDB_20120810.GetItem")},
        {lc_cur_from_str("Content-Type"), lc_cur_from_str("application/x-amz-json-1.0")},
        {lc_cur_from_str("X-Amz-Date"), lc_cur_from_str(sig.amz_date)},
        {lc_cur_from_str("Authorization"), lc_cur_from_str(sig.authorization)},
    };
    req.headers = h;
    req.header_count = presigned ? 4 : 6;
    if (presigned)
        req.query = lc_cur_from_str(sig.query);

    struct lc_auth_service svc;
    lc_auth_service_profile("dynamodb", &svc);
    struct lc_auth_key_cache *cache = lc_auth_key_cache_new(0);
    struct lc_auth_verifier v = {.lookup = s_lookup, .cache = cache};
    struct lc_auth_result res;
    double t0 = s_cpu_us();
    for (int64_t i = 0; i < n; i++) {
        if (lc_auth_verify(&v, &req, &svc, &res, &err)) {
            fprintf(stderr, "verification failed: %s\n", err.message);
            return 1;
        }
    }
    printf("%s verify_us %.3f (%lld calls)\n", argv[1], (s_cpu_us() - t0) / (double)n, (long long)n);
    lc_auth_signature_clean_up(&sig);
    lc_auth_key_cache_destroy(cache);
    return 0;
}
