/* str.h: small string helpers that replace the banned unbounded C library calls. */
#ifndef LEASTCLOUD_STR_H
#define LEASTCLOUD_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Copies at most size-1 bytes and always NUL-terminates; returns strlen(src) (truncated if >= size). */
size_t lc_strlcpy(char *dst, const char *src, size_t size);
bool lc_str_starts_with(const char *s, const char *prefix);
bool lc_str_ends_with(const char *s, const char *suffix);
bool lc_str_eq_ci(const char *a, const char *b);
/* Whole-string decimal parse with range check; 0 or LC_EINVAL. */
int lc_parse_i64(const char *s, int64_t *out);
/* True when the bytes are well-formed UTF-8 (no overlongs, no surrogates). */
bool lc_utf8_valid(const char *s, size_t len);

#endif
