/*
 * alloc.h: every allocation in leastcloud goes through these wrappers.
 *
 * Out of memory is treated as jq treats it: one place reports it and aborts the process
 * (lc__alloc_oom). A local cloud on a developer machine cannot do anything useful without memory,
 * and checking every allocation would hide the real error paths. So these functions never
 * return NULL (except lc_free's counterpart semantics below), and callers do not check.
 */
#ifndef LEASTCLOUD_ALLOC_H
#define LEASTCLOUD_ALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *lc_malloc(size_t size);                 /* never NULL; caller frees with lc_free */
void *lc_calloc(size_t count, size_t size);   /* zeroed; never NULL; checks count*size overflow */
void *lc_realloc(void *ptr, size_t size);     /* never NULL */
void lc_free(void *ptr);                      /* NULL is a harmless no-op */

char *lc_strdup(const char *s);               /* NULL in, NULL out; caller frees with lc_free */
char *lc_strndup(const char *s, size_t n);    /* copies at most n bytes and NUL-terminates */
char *lc_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *lc_vasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
