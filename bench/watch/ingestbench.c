/*
 * ingestbench.c: the cost of turning decision-trail rows into metrics (lc_watch_flush, i.e. what the
 * evaluator thread does every interval), per trail row, and of lc_watch_dims_key.
 *
 *   ingestbench run DIR SHAPE [ROWS=10000]   appends ROWS trail rows to a fresh state in DIR, then
 *                                            times one lc_watch_flush that ingests them all; prints
 *                                            CPU µs per row. Under callgrind (--collect-atstart=no)
 *                                            only the flush is counted.
 *   ingestbench dump DIR                     prints every metric row (after `run`), values with 17
 *                                            digits, to diff the results of two builds
 *   ingestbench dims [CALLS=100000]          times lc_watch_dims_key of a 2-dimension set
 *
 * SHAPE: `get`   = bench/ddb's GetItem load: one user, one key, one table, one minute, all allowed;
 *        `mixed` = 16 principals x 4 tables, every DynamoDB operation, 1 in 10 denied, 1 in 20
 *                  throttled, 1 in 50 a server error, non-DynamoDB rows, rows over three minutes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <valgrind/callgrind.h>

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"
#include "leastcloud/store.h"
#include "leastcloud/store_trail.h"
#include "leastcloud/watch.h"

#define T0 1795930260000LL /* a minute boundary */

static double s_cpu_us(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec * 1e6 + (double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_sec * 1e6 +
           (double)ru.ru_stime.tv_usec;
}

static void s_check(int rc, const struct lc_error *err, const char *what)
{
    if (rc) {
        fprintf(stderr, "%s: %s\n", what, err->message);
        exit(1);
    }
}

static struct lc_store *s_open(const char *dir)
{
    struct lc_store *store;
    struct lc_error err = {0};
    s_check(lc_store_open(dir, NULL, &store, &err), &err, "open");
    s_check(lc_watch_migrate(store, &err), &err, "migrate");
    return store;
}

static const char *const s_ops[] = {"GetItem", "Query",      "Scan",           "PutItem",
                                    "UpdateItem", "DeleteItem", "BatchWriteItem", "DescribeTable"};

static void s_load(struct lc_store *store, const char *shape, long rows)
{
    bool mixed = !strcmp(shape, "mixed");
    if (!mixed && strcmp(shape, "get")) {
        fprintf(stderr, "unknown shape %s\n", shape);
        exit(2);
    }
    enum { CHUNK = 1000 };
    static struct lc_store_trail_event evs[CHUNK];
    static char users[CHUNK][96], keys[CHUNK][32], res[CHUNK][200];
    struct lc_error err = {0};
    for (long base = 0; base < rows; base += CHUNK) {
        size_t n = 0;
        for (long i = base; i < rows && n < CHUNK; i++, n++) {
            int u = mixed ? (int)(i % 16) : 0, t = mixed ? (int)((i / 16) % 4) : 0;
            snprintf(users[n], sizeof users[n], "arn:aws:iam::000000000000:user/user%d", u);
            snprintf(keys[n], sizeof keys[n], "AKIABENCH%011d", u);
            snprintf(res[n], sizeof res[n], "[\"arn:aws:dynamodb:us-east-1:000000000000:table/bench%d\"]", t);
            const char *op = mixed ? s_ops[i % 8] : "GetItem";
            const char *decision = mixed && i % 10 == 3 ? "ImplicitlyDenied" : "Allowed";
            const char *code = "";
            int status = 200;
            if (mixed && i % 10 == 3) {
                code = "AccessDeniedException";
                status = 400;
            } else if (mixed && i % 20 == 7) {
                code = "ProvisionedThroughputExceededException";
                status = 400;
            } else if (mixed && i % 50 == 11) {
                code = "InternalServerError";
                status = 500;
            }
            bool other = mixed && i % 25 == 5;
            evs[n] = (struct lc_store_trail_event){
                .time_ms = T0 + (mixed ? (i * 180000 / rows) : (i * 59000 / rows)),
                .request_id = "bench",
                .principal_arn = users[n],
                .key_id = keys[n],
                .source_ip = "127.0.0.1",
                .service = other ? "iam" : "dynamodb",
                .operation = other ? "GetUser" : op,
                .action = "dynamodb:GetItem",
                .resources = other ? "[\"arn:aws:iam::000000000000:user/x\"]" : res[n],
                .decision = decision,
                .policy = "bench-policy",
                .statement = 0,
                .sid = "",
                .checks = "",
                .error_code = code,
                .http_status = status,
                .duration_us = 150 + i % 97,
            };
        }
        s_check(lc_store_trail_append(store, evs, n, &err), &err, "append");
    }
}

static int s_dump_row(void *ud, int ncols, char **vals, char **names)
{
    (void)ud;
    (void)names;
    for (int i = 0; i < ncols; i++)
        printf("%s%s", i ? "\t" : "", vals[i] ? vals[i] : "NULL");
    printf("\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "run")) {
        long rows = argc > 4 ? atol(argv[4]) : 10000;
        struct lc_store *store = s_open(argv[2]);
        s_load(store, argv[3], rows);
        struct lc_error err = {0};
        double t = s_cpu_us();
        CALLGRIND_TOGGLE_COLLECT;
        int rc = lc_watch_flush(store, &err);
        CALLGRIND_TOGGLE_COLLECT;
        t = s_cpu_us() - t;
        s_check(rc, &err, "flush");
        printf("%s: %ld rows ingested, %.2f us/row\n", argv[3], rows, t / (double)rows);
        lc_store_close(store);
        return 0;
    }
    if (argc >= 3 && !strcmp(argv[1], "dump")) {
        struct lc_store *store = s_open(argv[2]);
        sqlite3_exec(lc_store_db(store),
                     "SELECT namespace, name, dims, minute, printf('%!.17g', sum), printf('%!.17g', count),"
                     " printf('%!.17g', min), printf('%!.17g', max), unit FROM watch_metric ORDER BY 1, 2, 3, 4",
                     s_dump_row, NULL, NULL);
        lc_store_close(store);
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "dims")) {
        long calls = argc > 2 ? atol(argv[2]) : 100000;
        struct lc_watch_dim dims[] = {{"TableName", "bench"}, {"PrincipalArn", "arn:aws:iam::000000000000:user/u"}};
        size_t total = 0;
        double t = s_cpu_us();
        CALLGRIND_TOGGLE_COLLECT;
        for (long i = 0; i < calls; i++) {
            char *k = lc_watch_dims_key(dims, 2);
            total += strlen(k);
            lc_free(k);
        }
        CALLGRIND_TOGGLE_COLLECT;
        t = s_cpu_us() - t;
        printf("dims: %.3f us/call (%zu)\n", t / (double)calls, total);
        return 0;
    }
    fprintf(stderr, "usage: ingestbench run DIR get|mixed [ROWS] | dump DIR | dims [CALLS]\n");
    return 2;
}
