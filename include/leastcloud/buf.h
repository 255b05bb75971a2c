/*
 * buf.h: cursors in, buffers out.
 *
 * struct lc_cur is a non-owning view (pointer + length) passed by value; it is never assumed to be
 * NUL-terminated. struct lc_buf is an owning, growable byte buffer with a hard size cap: an append
 * that would pass `max` fails with LC_ELIMIT and leaves the buffer as it was. The buffer's data is
 * always NUL-terminated (not counted in len) so it can be handed to C string functions.
 */
#ifndef LEASTCLOUD_BUF_H
#define LEASTCLOUD_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct lc_cur {
    const char *ptr;
    size_t len;
};

#define LC_CUR_PRI "%.*s"
#define LC_CUR_ARG(c) (int)(c).len, (c).ptr

struct lc_cur lc_cur_from_str(const char *s);          /* NULL gives the empty cursor */
struct lc_cur lc_cur_make(const char *ptr, size_t len);
bool lc_cur_eq_str(struct lc_cur c, const char *s);
bool lc_cur_eq_str_ci(struct lc_cur c, const char *s); /* ASCII case-insensitive */
bool lc_cur_starts_with(struct lc_cur c, const char *prefix);
/* Splits at the first `sep`: *head gets what is before it, *c what is after; false if absent
 * (then *head = *c and *c becomes empty). */
bool lc_cur_split(struct lc_cur *c, char sep, struct lc_cur *head);
struct lc_cur lc_cur_trim(struct lc_cur c);            /* strips ASCII whitespace at both ends */
char *lc_cur_dup(struct lc_cur c);                     /* caller frees with lc_free */

#define LC_BUF_UNLIMITED ((size_t)-1)

struct lc_buf {
    char *data;   /* owned; NULL until the first append */
    size_t len;
    size_t cap;
    size_t max;   /* hard cap on len */
};

void lc_buf_init(struct lc_buf *b, size_t max);
void lc_buf_free(struct lc_buf *b);                    /* frees data and re-initializes */
void lc_buf_reset(struct lc_buf *b);                   /* len = 0, keeps capacity */
int lc_buf_append(struct lc_buf *b, const void *data, size_t len);
int lc_buf_append_str(struct lc_buf *b, const char *s);
int lc_buf_append_cur(struct lc_buf *b, struct lc_cur c);
int lc_buf_append_byte(struct lc_buf *b, char c);
int lc_buf_appendf(struct lc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int lc_buf_vappendf(struct lc_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Hands the data to the caller (who frees it with lc_free; never NULL) and re-initializes b. */
char *lc_buf_detach(struct lc_buf *b, size_t *len);
struct lc_cur lc_buf_cur(const struct lc_buf *b);      /* borrowed, valid until the next change */
/* Reads a whole file; caller frees with lc_free. Returns NULL and fills err on failure. */
struct lc_error;
char *lc_file_read(const char *path, size_t max, size_t *len, struct lc_error *err);
/* Writes atomically (temp file + rename) with `mode`. */
int lc_file_write(const char *path, const void *data, size_t len, int mode, struct lc_error *err);

#endif
