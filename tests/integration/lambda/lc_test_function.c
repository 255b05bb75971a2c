/*
 * lc_test_function.c: puts a Lambda function straight into a state directory, for the Lambda
 * integration tests (as the deploy engine would after `leastcloud deploy`).
 *
 *   lc_test_function STATE NAME RUNTIME HANDLER ROLE_ARN CODE_DIR TIMEOUT_S [ENV_JSON]
 */
#include <stdio.h>
#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/clock.h"
#include "leastcloud/error.h"
#include "leastcloud/store.h"
#include "leastcloud/store_lambda.h"
#include "leastcloud/str.h"

int main(int argc, char **argv)
{
    if (argc < 8) {
        fprintf(stderr, "usage: lc_test_function STATE NAME RUNTIME HANDLER ROLE_ARN CODE_DIR TIMEOUT_S [ENV_JSON]\n");
        return 2;
    }
    int64_t timeout = 0;
    if (lc_parse_i64(argv[7], &timeout) || timeout < 1 || timeout > 900) {
        fprintf(stderr, "lc_test_function: TIMEOUT_S must be 1..900\n");
        return 2;
    }
    struct lc_error err;
    struct lc_store *store;
    if (lc_store_open(argv[1], NULL, &store, &err)) {
        fprintf(stderr, "lc_test_function: %s\n", err.message);
        return 1;
    }
    char *arn = lc_asprintf("arn:aws:lambda:%s:%s:function:%s", lc_store_region(store), lc_store_account(store),
                            argv[2]);
    char sha[32];
    /* A new "code hash" each time, so that a warm process of the previous code is not reused. */
    lc_store_random_id("", 16, sha);
    struct lc_lambda_function f = {
        .name = argv[2],
        .arn = arn,
        .runtime = argv[3],
        .handler = argv[4],
        .role = argv[5],
        .description = "",
        .environment = argc > 8 ? argv[8] : "{}",
        .code_dir = argv[6],
        .code_sha256 = sha,
        .architecture = "x86_64",
        .config = "{}",
        .timeout_s = (int)timeout,
        .memory_mb = 128,
        .code_size = 1,
        .last_modified_ms = lc_clock_now_ms(),
    };
    int rc = lc_store_lambda_put(store, &f, &err);
    if (rc)
        fprintf(stderr, "lc_test_function: %s\n", err.message);
    else
        printf("{\"FunctionArn\":\"%s\"}\n", arn);
    lc_free(arn);
    lc_store_close(store);
    return rc ? 1 : 0;
}
