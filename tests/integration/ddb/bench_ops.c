/*
 * bench_ops.c: the in-process cost of DynamoDB operations (no HTTP, no SigV4): CPU microseconds per
 * call for GetItem, PutItem, Query of 100 items and Scan of 100 items on a table of N items.
 * Usage: bench_ddb_ops [items=100000] [seconds-per-op=2] [only-this-operation]
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "leastcloud/alloc.h"
#include "leastcloud/ddb.h"
#include "leastcloud/error.h"
#include "leastcloud/store.h"

static double s_cpu_us(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec * 1e6 + (double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_sec * 1e6 +
           (double)ru.ru_stime.tv_usec;
}

static double s_wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static json_t *s_json(const char *text)
{
    json_error_t jerr;
    json_t *v = json_loads(text, 0, &jerr);
    if (!v) {
        fprintf(stderr, "bad JSON %s: %s\n", text, jerr.text);
        exit(1);
    }
    return v;
}

static bool s_text = true;

/* One call producing the response body a server would send: lc_ddb_call_text, or lc_ddb_call
 * followed by serialisation. */
static void s_call(struct lc_ddb *ddb, const char *op, json_t *req)
{
    struct lc_error err;
    int rc;
    if (s_text) {
        char *body = NULL;
        rc = lc_ddb_call_text(ddb, op, req, &body, NULL, &err);
        lc_free(body);
    } else {
        json_t *resp = NULL;
        rc = lc_ddb_call(ddb, op, req, &resp, &err);
        char *body = rc ? NULL : json_dumps(resp, JSON_COMPACT);
        free(body);
        json_decref(resp);
    }
    if (rc != 0) {
        fprintf(stderr, "%s: %s: %s\n", op, err.aws_code, err.message);
        exit(1);
    }
}

/* Calls make(i) + op until `seconds` pass; prints CPU µs per call. */
static const char *s_only; /* argv[3]: measure only this operation */

static void s_measure(struct lc_ddb *ddb, const char *label, const char *op, json_t *(*make)(long i), double seconds)
{
    if (s_only && strcmp(s_only, op) != 0)
        return;
    long n = 0;
    double w0 = s_wall_s(), c0 = s_cpu_us();
    while (s_wall_s() - w0 < seconds) {
        for (int k = 0; k < 50; k++, n++) {
            json_t *req = make(n);
            s_call(ddb, op, req);
            json_decref(req);
        }
    }
    double cpu = s_cpu_us() - c0, wall = s_wall_s() - w0;
    printf("%-22s %8ld calls  %8.1f cpu-us/call  %9.0f calls/s\n", label, n, cpu / (double)n, (double)n / wall);
}

static long s_items = 100000;

static json_t *s_get(long i)
{
    char buf[256];
    snprintf(buf, sizeof buf, "{\"TableName\":\"bench\",\"Key\":{\"pk\":{\"S\":\"p%ld\"},\"sk\":{\"N\":\"%ld\"}}}",
             (i * 7919) % (s_items / 100), (i * 31) % 100);
    return s_json(buf);
}

static json_t *s_put(long i)
{
    char buf[512];
    snprintf(buf, sizeof buf, "{\"TableName\":\"bench\",\"Item\":{\"pk\":{\"S\":\"w%ld\"},\"sk\":{\"N\":\"%ld\"},"
             "\"payload\":{\"S\":\"some text of a typical size for an item\"},\"n\":{\"N\":\"%ld\"}}}", i % 1000, i, i);
    return s_json(buf);
}

static json_t *s_query(long i)
{
    char buf[256];
    snprintf(buf, sizeof buf, "{\"TableName\":\"bench\",\"KeyConditionExpression\":\"pk = :p\","
             "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p%ld\"}}}", (i * 7919) % (s_items / 100));
    return s_json(buf);
}

static json_t *s_scan(long i)
{
    char buf[256];
    snprintf(buf, sizeof buf, "{\"TableName\":\"bench\",\"Limit\":100,\"ExclusiveStartKey\":{\"pk\":{\"S\":\"p%ld\"},\"sk\":{\"N\":\"0\"}}}",
             (i * 7919) % (s_items / 100));
    return s_json(buf);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        s_items = strtol(argv[1], NULL, 10);
    double seconds = argc > 2 ? strtod(argv[2], NULL) : 2.0;
    s_only = argc > 3 ? argv[3] : NULL;
    if (s_items < 100)
        s_items = 100;
    char dir[] = "/tmp/lc_ddb_bench_XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    struct lc_store *store;
    struct lc_ddb *ddb;
    struct lc_error err;
    if (lc_store_open(dir, NULL, &store, &err) || lc_ddb_open(store, &ddb, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    json_t *ct = s_json("{\"TableName\":\"bench\",\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
                        "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"}],\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
                        "{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}");
    s_call(ddb, "CreateTable", ct);
    json_decref(ct);
    /* Load with BatchWriteItem: N items in partitions of 100. */
    double w0 = s_wall_s();
    for (long i = 0; i < s_items; i += 25) {
        json_t *items = json_array();
        for (long j = i; j < i + 25 && j < s_items; j++) {
            char buf[512];
            snprintf(buf, sizeof buf, "{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"p%ld\"},\"sk\":{\"N\":\"%ld\"},"
                     "\"payload\":{\"S\":\"some text of a typical size for an item\"},\"n\":{\"N\":\"%ld\"}}}}", j / 100, j % 100, j);
            json_array_append_new(items, s_json(buf));
        }
        json_t *req = json_pack("{s:{s:o}}", "RequestItems", "bench", items);
        s_call(ddb, "BatchWriteItem", req);
        json_decref(req);
    }
    printf("loaded %ld items in %.1f s\n", s_items, s_wall_s() - w0);
    for (int mode = 0; mode < 2; mode++) {
        s_text = mode == 0;
        printf("-- %s\n", s_text ? "lc_ddb_call_text (stored items spliced as text)" : "lc_ddb_call + json_dumps");
        s_measure(ddb, "GetItem", "GetItem", s_get, seconds);
        s_measure(ddb, "Query (100 items)", "Query", s_query, seconds);
        s_measure(ddb, "Scan (100 items)", "Scan", s_scan, seconds);
        s_measure(ddb, "PutItem", "PutItem", s_put, seconds);
    }
    lc_ddb_free(ddb);
    lc_store_close(store);
    char *cmd = lc_asprintf("rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    lc_free(cmd);
    return 0;
}
