/*
 * json.h: helpers over jansson. jansson's own reference counting applies: functions named *_new
 * return a new reference; getters return borrowed references valid while the parent lives.
 */
#ifndef LEASTCLOUD_JSON_H
#define LEASTCLOUD_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct lc_error;

/*
 * Serializes as JavaScript's JSON.stringify(v, undefined, indent) does (key order kept,
 * "key": value, no trailing newline), so our files can be byte-compared with CDK's.
 * indent 0 gives the compact form. Caller frees with lc_free.
 */
char *lc_json_stringify(const json_t *v, int indent);
/* Writes lc_json_stringify(v, indent) to path atomically. */
int lc_json_write_file(const char *path, const json_t *v, int indent, struct lc_error *err);
/* Parses a file or a buffer; NULL with err filled ("<path>:<line>:<column>: <reason>"). */
json_t *lc_json_load_file(const char *path, struct lc_error *err);
json_t *lc_json_loadb(const char *data, size_t len, struct lc_error *err);

/*
 * Appends s (len bytes) to b as a quoted JSON string, byte for byte as jansson's json_dumps writes
 * it (", \\ and control characters escaped, \\u00XX upper-case; '/' and non-ASCII as they are),
 * without building a json_t. Returns LC_EINVAL, appending nothing, when s is not valid UTF-8
 * (jansson refuses such strings too); else lc_buf_append's result.
 */
struct lc_buf;
int lc_json_append_string(struct lc_buf *b, const char *s, size_t len);

/* Borrowed string member or NULL when absent or not a string. */
const char *lc_json_str(const json_t *obj, const char *key);

#endif
