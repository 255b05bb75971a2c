/* buf.c: cursors and capped growable buffers. */
#include "leastcloud/buf.h"

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct lc_cur lc_cur_from_str(const char *s)
{
    return (struct lc_cur){s ? s : "", s ? strlen(s) : 0};
}

struct lc_cur lc_cur_make(const char *ptr, size_t len)
{
    return (struct lc_cur){ptr, len};
}

bool lc_cur_eq_str(struct lc_cur c, const char *s)
{
    size_t n = strlen(s);
    return c.len == n && memcmp(c.ptr, s, n) == 0;
}

bool lc_cur_eq_str_ci(struct lc_cur c, const char *s)
{
    size_t n = strlen(s);
    if (c.len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)c.ptr[i]) != tolower((unsigned char)s[i]))
            return false;
    return true;
}

bool lc_cur_starts_with(struct lc_cur c, const char *prefix)
{
    size_t n = strlen(prefix);
    return c.len >= n && memcmp(c.ptr, prefix, n) == 0;
}

bool lc_cur_split(struct lc_cur *c, char sep, struct lc_cur *head)
{
    const char *p = c->len ? memchr(c->ptr, sep, c->len) : NULL;
    if (!p) {
        *head = *c;
        *c = (struct lc_cur){c->ptr + c->len, 0};
        return false;
    }
    *head = (struct lc_cur){c->ptr, (size_t)(p - c->ptr)};
    c->len -= (size_t)(p - c->ptr) + 1;
    c->ptr = p + 1;
    return true;
}

struct lc_cur lc_cur_trim(struct lc_cur c)
{
    while (c.len && isspace((unsigned char)c.ptr[0])) {
        c.ptr++;
        c.len--;
    }
    while (c.len && isspace((unsigned char)c.ptr[c.len - 1]))
        c.len--;
    return c;
}

char *lc_cur_dup(struct lc_cur c)
{
    char *p = lc_malloc(c.len + 1);
    if (c.len)
        memcpy(p, c.ptr, c.len);
    p[c.len] = '\0';
    return p;
}

void lc_buf_init(struct lc_buf *b, size_t max)
{
    *b = (struct lc_buf){NULL, 0, 0, max};
}

void lc_buf_free(struct lc_buf *b)
{
    lc_free(b->data);
    lc_buf_init(b, b->max);
}

void lc_buf_reset(struct lc_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static int s_reserve(struct lc_buf *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra)
        return LC_ELIMIT;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
    b->data = lc_realloc(b->data, cap);
    b->cap = cap;
    return 0;
}

int lc_buf_append(struct lc_buf *b, const void *data, size_t len)
{
    int rc = s_reserve(b, len);
    if (rc)
        return rc;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int lc_buf_append_str(struct lc_buf *b, const char *s)
{
    return lc_buf_append(b, s, strlen(s));
}

int lc_buf_append_cur(struct lc_buf *b, struct lc_cur c)
{
    return lc_buf_append(b, c.ptr, c.len);
}

int lc_buf_append_byte(struct lc_buf *b, char c)
{
    return lc_buf_append(b, &c, 1);
}

int lc_buf_vappendf(struct lc_buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return LC_EINVAL;
    int rc = s_reserve(b, (size_t)n);
    if (rc)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int lc_buf_appendf(struct lc_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = lc_buf_vappendf(b, fmt, ap);
    va_end(ap);
    return rc;
}

char *lc_buf_detach(struct lc_buf *b, size_t *len)
{
    if (!b->data) {
        s_reserve(b, 0);
        b->data[0] = '\0';
    }
    char *p = b->data;
    if (len)
        *len = b->len;
    lc_buf_init(b, b->max);
    return p;
}

struct lc_cur lc_buf_cur(const struct lc_buf *b)
{
    return (struct lc_cur){b->data ? b->data : "", b->len};
}

char *lc_file_read(const char *path, size_t max, size_t *len, struct lc_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        lc_error_set(err, errno == ENOENT ? LC_ENOTFOUND : LC_EIO, 0, NULL, "cannot open %s: %s",
                     path, strerror(errno));
        return NULL;
    }
    struct lc_buf b;
    lc_buf_init(&b, max);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (lc_buf_append(&b, chunk, n)) {
            lc_error_set(err, LC_ELIMIT, 0, NULL, "%s is larger than %zu bytes", path, max);
            fclose(f);
            lc_buf_free(&b);
            return NULL;
        }
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        lc_error_set(err, LC_EIO, 0, NULL, "cannot read %s", path);
        lc_buf_free(&b);
        return NULL;
    }
    return lc_buf_detach(&b, len);
}

int lc_file_write(const char *path, const void *data, size_t len, int mode, struct lc_error *err)
{
    char *tmp = lc_asprintf("%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0) {
        int e = errno;
        lc_free(tmp);
        return lc_error_set(err, LC_EIO, 0, NULL, "cannot create %s: %s", path, strerror(e));
    }
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            lc_free(tmp);
            return lc_error_set(err, LC_EIO, 0, NULL, "cannot write %s: %s", path, strerror(e));
        }
        p += w;
        left -= (size_t)w;
    }
    if (fchmod(fd, (mode_t)mode) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        lc_free(tmp);
        return lc_error_set(err, LC_EIO, 0, NULL, "cannot write %s: %s", path, strerror(e));
    }
    lc_free(tmp);
    return 0;
}
