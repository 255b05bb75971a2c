/* logs.c: Lambda's error documents and log framing (START / END / REPORT), as CloudWatch shows them. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <jansson.h>

#include "lambda/internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/hash.h"
#include "leastcloud/json.h"

#define LOG_TAIL_BYTES 4096

static char *s_error_doc(const char *type, const char *message)
{
    json_t *o = json_pack("{s:s, s:s}", "errorType", type, "errorMessage", message);
    char *s = lc_json_stringify(o, 0);
    json_decref(o);
    return s;
}

char *lc__lambda_timeout_error(const char *request_id, double timeout_s)
{
    /* AWS: lambda-timeout. Current runtimes answer errorType Sandbox.Timedout with this message. */
    char msg[160];
    snprintf(msg, sizeof msg, "RequestId: %s Error: Task timed out after %.2f seconds", request_id, timeout_s);
    return s_error_doc("Sandbox.Timedout", msg);
}

char *lc__lambda_exit_error(const char *request_id, int wait_status)
{
    char how[64];
    if (WIFSIGNALED(wait_status))
        snprintf(how, sizeof how, "signal: %s", WTERMSIG(wait_status) == 9 ? "killed" : "terminated");
    else
        snprintf(how, sizeof how, "exit status %d", WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1);
    char msg[200];
    snprintf(msg, sizeof msg, "RequestId: %s Error: Runtime exited with error: %s", request_id, how);
    return s_error_doc("Runtime.ExitError", msg);
}

char *lc__lambda_log_frame(const char *request_id, const char *output, size_t output_len, double duration_ms,
                           int memory_mb, int max_memory_mb, double init_ms)
{
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    lc_buf_appendf(&b, "START RequestId: %s Version: $LATEST\n", request_id);
    if (output_len) {
        lc_buf_append(&b, output, output_len);
        if (output[output_len - 1] != '\n')
            lc_buf_append_byte(&b, '\n');
    }
    lc_buf_appendf(&b, "END RequestId: %s\n", request_id);
    long long billed = (long long)duration_ms + ((double)(long long)duration_ms < duration_ms ? 1 : 0);
    if (billed < 1)
        billed = 1;
    lc_buf_appendf(&b, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %lld ms\tMemory Size: %d MB\t"
                   "Max Memory Used: %d MB\t", request_id, duration_ms, billed, memory_mb, max_memory_mb);
    if (init_ms > 0)
        lc_buf_appendf(&b, "Init Duration: %.2f ms\t", init_ms);
    lc_buf_append_byte(&b, '\n');
    return lc_buf_detach(&b, NULL);
}

char *lc_lambda_log_tail(const char *log)
{
    size_t len = strlen(log);
    const char *start = len > LOG_TAIL_BYTES ? log + len - LOG_TAIL_BYTES : log;
    return lc_base64_encode(start, strlen(start));
}

void lc__lambda_uuid(char out[37])
{
    uint8_t r[16];
    if (lc_random_bytes(r, sizeof r) != 0)
        memset(r, 0x42, sizeof r);
    r[6] = (uint8_t)((r[6] & 0x0f) | 0x40);
    r[8] = (uint8_t)((r[8] & 0x3f) | 0x80);
    char hex[33];
    lc_hex_encode(r, 16, hex);
    size_t o = 0;
    for (int i = 0; i < 32; i++) {
        if (i == 8 || i == 12 || i == 16 || i == 20)
            out[o++] = '-';
        out[o++] = hex[i];
    }
    out[o] = '\0';
}
