/*
 * req_file.h: reads an HTTP request written as text (the SigV4 test suite's .req/.sreq format:
 * request line, `Name:value` headers with obsolete line folding, a blank line, the body) into a
 * struct lc_auth_request. Test support only.
 */
#ifndef LC_TEST_REQ_FILE_H
#define LC_TEST_REQ_FILE_H

#include "leastcloud/auth.h"

#define REQ_FILE_MAX_HEADERS 64

struct req_file {
    char *text;    /* the file, owned; cursors point into it or into `folded` */
    char *folded[REQ_FILE_MAX_HEADERS]; /* unfolded values of multi-line headers */
    struct lc_auth_header headers[REQ_FILE_MAX_HEADERS];
    struct lc_auth_request req;
    struct lc_cur target; /* path?query as written */
};

/* Parses `len` bytes of text (copied). Returns 0 or -1 on a malformed request. */
int req_file_parse(struct req_file *rf, const char *text, size_t len);
/* Reads and parses a file; -1 when unreadable or malformed. */
int req_file_load(struct req_file *rf, const char *path);
void req_file_clean_up(struct req_file *rf);
/* Adds a header (the strings must outlive rf); -1 when full. */
int req_file_add_header(struct req_file *rf, const char *name, const char *value);
/* Removes every header named `name` (case-insensitive). */
void req_file_remove_header(struct req_file *rf, const char *name);

#endif
