/* alloc.c: the allocation wrappers; the single place where running out of memory is handled. */
#include "leastcloud/alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void lc__alloc_oom(size_t size)
{
    fprintf(stderr, "leastcloud: out of memory (allocating %zu bytes)\n", size);
    abort();
}

void *lc_malloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        lc__alloc_oom(size);
    return p;
}

void *lc_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        lc__alloc_oom(SIZE_MAX);
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        lc__alloc_oom(count * size);
    return p;
}

void *lc_realloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        lc__alloc_oom(size);
    return p;
}

void lc_free(void *ptr)
{
    free(ptr);
}

char *lc_strdup(const char *s)
{
    if (!s)
        return NULL;
    return lc_strndup(s, strlen(s));
}

char *lc_strndup(const char *s, size_t n)
{
    if (!s)
        return NULL;
    size_t len = strnlen(s, n);
    char *p = lc_malloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *lc_vasprintf(const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        n = 0;
    char *p = lc_malloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *lc_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = lc_vasprintf(fmt, ap);
    va_end(ap);
    return p;
}
