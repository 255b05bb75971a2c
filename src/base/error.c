/* error.c: filling and describing struct lc_error. */
#include "leastcloud/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void lc_error_clear(struct lc_error *err)
{
    if (!err)
        return;
    err->code = 0;
    err->http_status = 0;
    err->aws_code[0] = '\0';
    err->message[0] = '\0';
}

int lc_error_set(struct lc_error *err, int code, int http_status, const char *aws_code,
                 const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    err->http_status = http_status;
    snprintf(err->aws_code, sizeof err->aws_code, "%s", aws_code ? aws_code : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}

void lc_error_prefix(struct lc_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    size_t plen = strlen(prefix), mlen = strlen(err->message);
    if (plen + 2 >= sizeof err->message)
        plen = sizeof err->message - 3;
    if (plen + 2 + mlen >= sizeof err->message)
        mlen = sizeof err->message - plen - 3;
    memmove(err->message + plen + 2, err->message, mlen);
    memcpy(err->message, prefix, plen);
    memcpy(err->message + plen, ": ", 2);
    err->message[plen + 2 + mlen] = '\0';
}

const char *lc_errno_name(int code)
{
    switch (code) {
    case LC_OK: return "OK";
#define LC__NAME(name, desc) case LC_E##name: return "E" #name;
    LC_ERRNO_MAP(LC__NAME)
#undef LC__NAME
    default: return "EUNKNOWN";
    }
}

const char *lc_strerror(int code)
{
    switch (code) {
    case LC_OK: return "success";
#define LC__DESC(name, desc) case LC_E##name: return desc;
    LC_ERRNO_MAP(LC__DESC)
#undef LC__DESC
    default: return "unknown error";
    }
}
