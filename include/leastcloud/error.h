/*
 * error.h: the one error model of leastcloud.
 *
 * Functions that can fail return 0 or a negative LC_E* code and, when the caller passes a non-NULL
 * `struct lc_error *`, fill it with the AWS error code, the HTTP status AWS would answer with and a
 * message a person can act on. The caller owns the struct (usually on its stack); nothing in it is
 * heap-allocated, so there is nothing to free.
 */
#ifndef LEASTCLOUD_ERROR_H
#define LEASTCLOUD_ERROR_H

#include <stddef.h>

/* XX(NAME, description): the codes are negative and frozen in this order. */
#define LC_ERRNO_MAP(XX)                                                   \
    XX(NOMEM, "out of memory")                                             \
    XX(INVAL, "invalid input")                                             \
    XX(NOTFOUND, "not found")                                              \
    XX(EXISTS, "already exists")                                           \
    XX(DENIED, "access denied")                                            \
    XX(AUTH, "authentication failed")                                      \
    XX(IO, "input/output error")                                           \
    XX(LIMIT, "limit exceeded")                                            \
    XX(CONFLICT, "conflicting state")                                      \
    XX(UNSUPPORTED, "not supported")                                       \
    XX(INTERNAL, "internal error")

enum lc_errno {
    LC_OK = 0,
#define LC__ERRNO_ENUM(name, desc) LC_E##name,
    LC__ERRNO_FIRST = -1000,
    LC_ERRNO_MAP(LC__ERRNO_ENUM)
#undef LC__ERRNO_ENUM
};

#define LC_ERROR_CODE_MAX 96
#define LC_ERROR_MESSAGE_MAX 4096

struct lc_error {
    int code;                            /* an LC_E* value, or 0 when nothing failed */
    int http_status;                     /* the status AWS answers with, 0 when not an API error */
    char aws_code[LC_ERROR_CODE_MAX];    /* e.g. "ValidationException"; "" when not an API error */
    char message[LC_ERROR_MESSAGE_MAX];  /* full sentence(s); truncated, never overflowed */
};

/* Resets *err to "no error". err may be NULL. */
void lc_error_clear(struct lc_error *err);

/*
 * Fills *err (when not NULL) and returns `code`, so that a failing function can end with
 * `return lc_error_set(err, LC_EINVAL, 400, "ValidationException", "...", ...);`.
 * aws_code may be NULL for errors that never reach the wire.
 */
int lc_error_set(struct lc_error *err, int code, int http_status, const char *aws_code,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Prefixes the existing message with "<fmt>: " (for adding context on the way up). */
void lc_error_prefix(struct lc_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The constant name ("EINVAL") and description of an LC_E* code; never NULL. */
const char *lc_errno_name(int code);
const char *lc_strerror(int code);

#endif
