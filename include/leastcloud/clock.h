/*
 * clock.h: wall-clock time, injectable for tests (signature expiry, alarms, CurrentTime conditions).
 */
#ifndef LEASTCLOUD_CLOCK_H
#define LEASTCLOUD_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds since the Unix epoch; the fixed time when one is set. Thread-safe. */
int64_t lc_clock_now_ms(void);
/* Fixes the clock at ms (tests only); a negative value returns to the real clock. */
void lc_clock_set_fixed_ms(int64_t ms);

/* "20130609T094515Z" (SigV4's basic format); out must hold 17 bytes. */
void lc_time_format_basic(int64_t ms, char out[17]);
/* "2013-06-09T09:45:15Z"; out must hold 21 bytes. */
void lc_time_format_iso(int64_t ms, char out[21]);
/* "2013-06-09T09:45:15.123Z"; out must hold 25 bytes. */
void lc_time_format_iso_ms(int64_t ms, char out[25]);
/* Parses the basic format exactly; returns 0 and *ms, or LC_EINVAL. */
int lc_time_parse_basic(const char *s, size_t len, int64_t *ms);
/* Parses ISO 8601 extended ("2013-06-09T09:45:15Z", optional fraction, Z or +hh:mm, or a date only). */
int lc_time_parse_iso(const char *s, size_t len, int64_t *ms);

#endif
