/*
 * auth_bench.c: what SigV4 costs per request. Verifies a signed DynamoDB GetItem (as botocore
 * sends it) in a loop, with and without the signing-key cache, and signs one, then prints
 * microseconds per operation (CPU time of this process).
 *
 *   auth_bench [iterations]
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
#define BODY "{\"TableName\":\"dynamoTable\",\"Key\":{\"id\":{\"S\":\"item-000042\"}}}"

static int s_lookup(struct lc_cur akid, void *user_data, struct lc_auth_key *key)
{
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
    int64_t n = 200000;
    if (argc > 1 && (lc_parse_i64(argv[1], &n) || n <= 0)) {
        fprintf(stderr, "usage: auth_bench [iterations]\n");
        return 2;
    }
    struct lc_auth_header h[8] = {
        {lc_cur_from_str("Host"), lc_cur_from_str("127.0.0.1:4566")},
        {lc_cur_from_str("Content-Type"), lc_cur_from_str("application/x-amz-json-1.0")},
        {lc_cur_from_str("X-Amz-Target"), lc_cur_from_str("DynamoDB_20120810.GetItem")},
        {lc_cur_from_str("User-Agent"), lc_cur_from_str("Boto3/1.43.11 md/Botocore#1.43.11")},
        {lc_cur_from_str("Content-Length"), lc_cur_from_str("62")},
    };
    struct lc_auth_request req = {
        .method = lc_cur_from_str("POST"), .path = lc_cur_from_str("/"),
        .query = lc_cur_from_str(""), .headers = h, .header_count = 5,
        .payload = BODY, .payload_len = strlen(BODY),
    };
    struct lc_auth_sign_params p = {
        .access_key_id = AKID, .secret_access_key = SECRET, .region = "us-east-1",
        .service = "dynamodb", .time_ms = lc_clock_now_ms(), .normalize_path = true,
        .double_encode_path = true,
    };
    struct lc_auth_signature sig;
    struct lc_error err;
    double t0 = s_cpu_us();
    for (int64_t i = 0; i < n; i++) {
        lc_auth_sign_header(&p, &req, &sig, &err);
        if (i + 1 < n)
            lc_auth_signature_clean_up(&sig);
    }
    double sign_us = (s_cpu_us() - t0) / (double)n;
    h[5] = (struct lc_auth_header){lc_cur_from_str("X-Amz-Date"), lc_cur_from_str(sig.amz_date)};
    h[6] = (struct lc_auth_header){lc_cur_from_str("Authorization"),
                                   lc_cur_from_str(sig.authorization)};
    req.header_count = 7;

    struct lc_auth_service svc;
    lc_auth_service_profile("dynamodb", &svc);
    struct lc_auth_key_cache *cache = lc_auth_key_cache_new(0);
    double results[2];
    for (int with_cache = 0; with_cache < 2; with_cache++) {
        struct lc_auth_verifier v = {.lookup = s_lookup, .cache = with_cache ? cache : NULL};
        t0 = s_cpu_us();
        for (int64_t i = 0; i < n; i++) {
            if (lc_auth_verify(&v, &req, &svc, NULL, &err)) {
                fprintf(stderr, "verification failed: %s\n", err.message);
                return 1;
            }
        }
        results[with_cache] = (s_cpu_us() - t0) / (double)n;
    }
    printf("iterations %lld\nsign_header_us %.2f\nverify_us_no_cache %.2f\nverify_us_cached %.2f\n",
           (long long)n, sign_us, results[0], results[1]);
    lc_auth_signature_clean_up(&sig);
    lc_auth_key_cache_destroy(cache);
    return 0;
}
