/* ddb_internal.h: what the files of src/ddb share. Not part of the public API. */
#ifndef LC_DDB_INTERNAL_H
#define LC_DDB_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leastcloud/buf.h"
#include "leastcloud/ddb.h"
#include "leastcloud/error.h"

struct lc_store;

/* ---------------------------------------------------------------- limits (AWS's) */
#define DDB_ITEM_MAX_BYTES (400 * 1024)
#define DDB_PAGE_MAX_BYTES (1024 * 1024)
#define DDB_HASH_KEY_MAX_BYTES 2048
#define DDB_RANGE_KEY_MAX_BYTES 1024
#define DDB_BATCH_GET_MAX 100
#define DDB_BATCH_WRITE_MAX 25
#define DDB_MAX_LSI 5
#define DDB_MAX_GSI 20

/* Fills err with a ValidationException (HTTP 400) and returns LC_EINVAL. */
int ddb_invalid(struct lc_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fills err with a SerializationException (HTTP 400) and returns LC_EINVAL. */
int ddb_serialization(struct lc_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The Java deserializer's SerializationException for a JSON value of the wrong type. */
int ddb_wrong_type(const json_t *v, const char *java_type, struct lc_error *err);
/* ResourceNotFoundException "Requested resource not found" (the data-plane form). */
int ddb_not_found(struct lc_error *err);

/* ---------------------------------------------------------------- numbers (number.c) */
#define DDB_NUM_MAX_DIGITS 38
#define DDB_NUM_KEY_MAX 24

/* A DynamoDB number: sign * 0.d1d2...dn * 10^exp, with d1 != 0 and dn != 0 (zero: sign 0, n 0). */
struct ddb_num {
    int sign;
    int exp;
    int ndigits;
    char digits[DDB_NUM_MAX_DIGITS + 1]; /* ASCII '0'..'9', NUL-terminated */
};

/*
 * Parses number text as DynamoDB does (optional sign, digits with an optional point, optional
 * exponent) and checks its range: at most 38 significant digits, magnitude from 1E-130 up to below
 * 1E+126. Fails with AWS's ValidationException messages.
 */
int ddb_num_parse(const char *s, size_t len, struct ddb_num *out, struct lc_error *err);
/* -1, 0, 1 by value. */
int ddb_num_cmp(const struct ddb_num *a, const struct ddb_num *b);
/* The canonical text DynamoDB answers with: plain decimal, no exponent, no redundant zeros. */
int ddb_num_format(const struct ddb_num *n, struct lc_buf *out);
/* Order-preserving key bytes (memcmp order == numeric order); returns the length (<= DDB_NUM_KEY_MAX). */
size_t ddb_num_encode(const struct ddb_num *n, uint8_t *out);
/* The bytes DynamoDB counts for the number in an item's size. */
size_t ddb_num_size(const struct ddb_num *n);

/* ---------------------------------------------------------------- attribute values (value.c) */

/*
 * Checks one AttributeValue as DynamoDB's front end does (SerializationException for wrong JSON
 * types, ValidationException for empty values, bad numbers, duplicate set members, ...) and returns
 * a canonical copy in *out (numbers normalised), new reference. *size receives its size in bytes as
 * DynamoDB counts it. out may be NULL to only check.
 */
int ddb_value_check(const json_t *v, json_t **out, size_t *size, struct lc_error *err);
/* Checks a map of name -> AttributeValue (an Item or a Key); same outputs. `what` names it in
 * serialization errors. *size is the item size (names included). */
int ddb_item_check(const json_t *item, json_t **out, size_t *size, struct lc_error *err);
/* The type letter(s) of a checked AttributeValue ("S", "N", "SS", ...), or NULL. Borrowed key. */
const char *ddb_value_type(const json_t *v);
/* Size of an already-checked item/value (names included for items). */
size_t ddb_item_size(const json_t *item);
size_t ddb_value_size(const json_t *v);
/* DynamoDB's comparison of two scalar values of the same type (S, N, B): -1, 0, 1. */
int ddb_value_cmp(const json_t *a, const json_t *b);
/* Deep equality of checked values (sets compared as sets). */
bool ddb_value_equal(const json_t *a, const json_t *b);

/* ---------------------------------------------------------------- keys (key.c) */

struct ddb_key_attr {
    char *name;
    char type; /* 'S', 'N' or 'B'; 0 when absent (no range key) */
};

/*
 * Encodes a scalar key value of `type` so that memcmp order is DynamoDB's order: S as its UTF-8
 * bytes, B as its raw bytes, N with ddb_num_encode. Appends to out. LC_EINVAL when the value is
 * not of that type (err untouched: callers give the context-specific message).
 */
int ddb_key_encode(const json_t *value, char type, struct lc_buf *out);
/* Byte length of a key value as DynamoDB counts it for the 2048/1024 limits. */
size_t ddb_key_value_len(const json_t *value, char type);

/* ---------------------------------------------------------------- tables (table.c) */

enum ddb_projection { DDB_PROJ_ALL, DDB_PROJ_KEYS_ONLY, DDB_PROJ_INCLUDE };

struct ddb_index {
    char *name;
    char *arn;
    int64_t id; /* position in the table's index list, stable for the table's life */
    bool global;
    struct ddb_key_attr hash, range;
    enum ddb_projection projection;
    char **include; /* NonKeyAttributes */
    size_t n_include;
};

/* A table's metadata as parsed once from the stored description. Immutable once cached. */
struct ddb_table {
    char *name;
    char *arn;
    int64_t id;
    struct ddb_key_attr hash, range;
    struct ddb_index *indexes;
    size_t n_indexes;
    json_t *description; /* the stored TableDescription without counts */
    json_t *tags;        /* array of {Key, Value}; may be NULL */
    struct ddb_table *next_retired;
};

/* Looks a table up through the cache; borrowed, valid until lc_ddb_free. NULL (err filled with
 * ResourceNotFoundException) when absent. */
const struct ddb_table *ddb_table_get(struct lc_ddb *ddb, const char *name, struct lc_error *err);
const struct ddb_index *ddb_table_index(const struct ddb_table *t, const char *name);
/* The cached table without touching the database (NULL when not cached), and the generation the
 * cache is stamped with: the caller must check it against the database's before trusting it. */
const struct ddb_table *ddb_table_peek(struct lc_ddb *ddb, const char *name, int64_t *generation);
/* Parses a stored description into a new table (caller frees with ddb_table_free). */
struct ddb_table *ddb_table_from_description(const char *name, int64_t id, const json_t *meta);
void ddb_table_free(struct ddb_table *t);
/* True when column `col` of st's current row is the generation row's name 'ddb' (see table.c). */
bool ddb_is_generation_row(sqlite3_stmt *st, int col);
/* Forgets the cache (after a change in this process). */
void ddb_table_cache_invalidate(struct lc_ddb *ddb);
/* Table name checks with AWS's messages (`param` is "TableName" or a path). */
int ddb_check_table_name(const json_t *v, const char *param, struct lc_error *err);

/* ---------------------------------------------------------------- the handle (ddb.c) */

struct ddb_counter {
    char *table;
    struct lc_ddb_table_counters c;
};

struct lc_ddb {
    struct lc_store *store;
    char *arn_prefix; /* "arn:aws:dynamodb:<region>:<account>:table/", immutable */
    size_t arn_prefix_len;
    _Atomic int64_t gen_rowid; /* rowid of the 'ddb' row of table generation; 0 until known */
    pthread_mutex_t lock; /* guards everything below */
    int64_t generation;   /* of the cached tables; -1 = nothing cached */
    struct ddb_table **tables;
    size_t n_tables, cap_tables;
    struct ddb_table *retired; /* replaced tables, freed with the handle (borrowers may hold them) */
    struct ddb_counter *counters;
    size_t n_counters, cap_counters;
    lc_ddb_consumed_fn hook;
    void *hook_ctx;
};

/*
 * Transactions on the calling thread's connection through cached statements (sqlite3_exec would
 * re-parse BEGIN/COMMIT on every call). A read transaction makes the table-cache check and the
 * item reads one snapshot and one lock cycle; a write transaction takes state.db's write lock at
 * once (lc_store_begin_write). Both join a
 * transaction the caller already has open.
 */
struct ddb_tx {
    bool owned;
};
int ddb_tx_read(struct lc_ddb *ddb, struct ddb_tx *tx, struct lc_error *err);
int ddb_tx_write(struct lc_ddb *ddb, struct ddb_tx *tx, struct lc_error *err);
/* Commits (rc == 0) or rolls back; returns rc or the commit's error. */
int ddb_tx_end(struct lc_ddb *ddb, struct ddb_tx *tx, int rc, struct lc_error *err);

/*
 * Where a read operation puts the items it returns. In text mode the stored JSON text of each item
 * is copied as is (no parse, no re-serialisation) into `items`, comma-separated, and left out of
 * the JSON response; lc_ddb_call_text writes the rest of the reply around it. `items` starts with
 * `base` bytes that are not items (the reply's opening, written first so that the items are
 * copied only once). Items that need work (projection, filter) still go through JSON.
 */
struct ddb_sink {
    bool text;
    const char *member; /* "Item" (one object) or "Items" (an array) */
    struct lc_buf items;
    size_t base;
    size_t n_items;
};
int ddb_get_item(struct lc_ddb *ddb, const json_t *request, json_t **response, struct ddb_sink *sink, struct lc_error *err);
int ddb_query_scan(struct lc_ddb *ddb, const json_t *request, bool query, json_t **response, struct ddb_sink *sink,
                   struct lc_error *err);

/* Records consumed capacity for metrics and calls the hook. */
void ddb_account(struct lc_ddb *ddb, const char *table, double read_units, double write_units, bool write);
/* Bumps the "ddb" generation (inside the caller's transaction). */
int ddb_bump_generation(struct lc_ddb *ddb, struct lc_error *err);

/* ---------------------------------------------------------------- expressions (expr_*.c) */

enum ddb_node_kind {
    DDB_N_PATH,
    DDB_N_VALUE,
    DDB_N_CMP,      /* op: = <> < <= > >= */
    DDB_N_BETWEEN,  /* args: operand, low, high */
    DDB_N_IN,       /* args: operand, list... */
    DDB_N_AND,
    DDB_N_OR,
    DDB_N_NOT,
    DDB_N_FUNC,     /* name + args */
};

enum ddb_cmp_op { DDB_EQ, DDB_NE, DDB_LT, DDB_LE, DDB_GT, DDB_GE };

struct ddb_path_elem {
    const char *name; /* resolved attribute name (after #name substitution); NULL for [index] */
    long index;
};

struct ddb_node {
    enum ddb_node_kind kind;
    enum ddb_cmp_op op;
    const char *func;              /* for DDB_N_FUNC, lower-case as written */
    struct ddb_node **args;
    size_t nargs;
    struct ddb_path_elem *path;    /* DDB_N_PATH */
    size_t npath;
    const json_t *value;           /* DDB_N_VALUE: borrowed from ExpressionAttributeValues */
    const char *text;              /* DDB_N_VALUE: ":name"; DDB_N_PATH: the written head */
    bool parens;                   /* written in parentheses */
};

/* Memory for one parsed expression: everything is freed at once by ddb_expr_free. */
struct ddb_arena_block;
struct ddb_expr_ctx {
    const json_t *names;   /* ExpressionAttributeNames (object) or NULL */
    const json_t *values;  /* ExpressionAttributeValues (object) or NULL */
    json_t *used_names;    /* object used as a set of names referenced, owned; NULL until one is */
    json_t *used_values;
    struct ddb_arena_block *arena;
};

void ddb_expr_ctx_init(struct ddb_expr_ctx *ctx, const json_t *names, const json_t *values);
void ddb_expr_ctx_free(struct ddb_expr_ctx *ctx);
void *ddb_arena_alloc(struct ddb_expr_ctx *ctx, size_t size);

/*
 * Parses a condition expression (the grammar of ConditionExpression, FilterExpression and
 * KeyConditionExpression). On failure fills err with "Invalid <what>: <reason>" as AWS words it.
 * The tree lives in ctx's arena.
 */
int ddb_expr_parse_condition(struct ddb_expr_ctx *ctx, const char *what, const char *src,
                             struct ddb_node **out, struct lc_error *err);
/* Parses a ProjectionExpression into its list of paths (DDB_N_PATH nodes). */
int ddb_expr_parse_projection(struct ddb_expr_ctx *ctx, const char *src, struct ddb_node ***paths,
                              size_t *npaths, struct lc_error *err);
/* After parsing every expression of a request: AWS's errors for unused names and values. */
int ddb_expr_check_unused(struct ddb_expr_ctx *ctx, struct lc_error *err);
/* Validates ExpressionAttributeNames/Values themselves (keys, emptiness, value checks); fills
 * *values_out with canonical copies (new reference, NULL when absent). */
int ddb_expr_check_params(const json_t *request, json_t **values_out, struct lc_error *err);
/* Is `word` one of DynamoDB's reserved words (case-insensitive)? */
bool ddb_reserved_word(const char *word, size_t len);

/* Evaluates a condition against an item (NULL: an absent item). */
bool ddb_expr_eval(const struct ddb_node *root, const json_t *item);

/* ---------------------------------------------------------------- a request's expressions (exprs.c) */

enum {
    DDB_X_PROJECTION = 1,
    DDB_X_CONDITION = 2,
    DDB_X_KEYCOND = 4,
    DDB_X_FILTER = 8,
    DDB_X_ATTRS_TO_GET = 16, /* the legacy AttributesToGet is accepted */
};

struct ddb_exprs {
    struct ddb_expr_ctx ctx;
    json_t *values;                /* canonical ExpressionAttributeValues, owned */
    struct ddb_node **projection;  /* NULL: every attribute */
    size_t nprojection;
    struct ddb_node *condition, *keycond, *filter;
};

/*
 * Validates and parses every expression of a request that the operation supports (`flags`), with
 * AWS's messages and checks in AWS's order (parameters, expressions, unused names/values).
 * Free with ddb_exprs_free, also after a failure.
 */
int ddb_exprs_parse(const json_t *request, unsigned flags, struct ddb_exprs *x, struct lc_error *err);
void ddb_exprs_free(struct ddb_exprs *x);

/* Applies a projection (list of paths) to an item: a new object with only those parts. */
json_t *ddb_project(const json_t *item, struct ddb_node **paths, size_t npaths);

/* ---------------------------------------------------------------- key conditions (keycond.c) */

struct ddb_key_range {
    struct lc_buf pk;      /* encoded partition key */
    bool has_lo, lo_incl, has_hi, hi_incl;
    struct lc_buf lo, hi;  /* encoded sort key bounds */
    json_t *hash_value;    /* the partition key value (canonical), new reference */
};
void ddb_key_range_free(struct ddb_key_range *r);
/* Turns a parsed KeyConditionExpression into a range on (hash, range) with AWS's errors. */
int ddb_key_condition(const struct ddb_node *root, const struct ddb_key_attr *hash,
                      const struct ddb_key_attr *range, struct ddb_key_range *out, struct lc_error *err);

/* ---------------------------------------------------------------- item storage (items.c) */

/* Encodes the primary key of `item` for table t (or index ix when not NULL): pk and sk (sk empty
 * when the schema has no range key). Returns LC_EINVAL (err untouched) when an attribute is
 * missing or of the wrong type. */
int ddb_item_key(const json_t *item, const struct ddb_key_attr *hash, const struct ddb_key_attr *range,
                 struct lc_buf *pk, struct lc_buf *sk);
/* Validates a Key parameter against the table's schema with AWS's messages; canonical copy out.
 * canon NULL: the values were already checked (ddb_item_check) and no copy is made. */
int ddb_check_key(const struct ddb_table *t, const json_t *key, json_t **canon, struct lc_error *err);
/* ddb_check_key(t, key, NULL, NULL) == 0 followed by ddb_item_key, in one pass: 0 with the encoded
 * key appended to pk and sk, or LC_EINVAL (nothing reported: the caller takes the slow path, which
 * words the error). For a key whose values ddb_item_check accepted. */
int ddb_check_key_fast(const struct ddb_table *t, const json_t *key, struct lc_buf *pk, struct lc_buf *sk);
/* Validates an Item against the schema (key present, types, index key types, key sizes). */
int ddb_check_item_schema(const struct ddb_table *t, const json_t *item, struct lc_error *err);

/*
 * Reads one item (its stored text appended to `text`, or parsed into *item when text is NULL) and
 * the store's current "ddb" generation in one autocommit statement, so that a cached table can be
 * used and validated with a single lock cycle. *size is 0 when the item is absent. *generation is
 * -1 (nothing read) when the generation row is not yet known by its rowid.
 */
int ddb_store_get_gen(struct lc_ddb *ddb, const struct ddb_table *t, const struct lc_buf *pk, const struct lc_buf *sk,
                      int64_t *generation, struct lc_buf *text, json_t **item, size_t *size, struct lc_error *err);
/* Reads one item's stored text by encoded key and appends it to out; *found tells whether it exists. */
int ddb_store_get_text(struct lc_ddb *ddb, const struct ddb_table *t, const struct lc_buf *pk,
                       const struct lc_buf *sk, struct lc_buf *out, bool *found, size_t *size, struct lc_error *err);
/* Reads one item by encoded key: *item is a new reference (NULL when absent). */
int ddb_store_get(struct lc_ddb *ddb, const struct ddb_table *t, const struct lc_buf *pk,
                  const struct lc_buf *sk, json_t **item, size_t *size, struct lc_error *err);
/* Writes (replaces) an item and maintains the indexes; *old receives the previous item (new ref,
 * NULL when none). Must run inside a write transaction. idx_units receives per-index write units
 * (array of t->n_indexes doubles) when not NULL. */
int ddb_store_put(struct lc_ddb *ddb, const struct ddb_table *t, const json_t *item, size_t size,
                  json_t **old, size_t *old_size, double *idx_units, struct lc_error *err);
/* Deletes an item by key and its index entries; *old as above. */
int ddb_store_delete(struct lc_ddb *ddb, const struct ddb_table *t, const struct lc_buf *pk,
                     const struct lc_buf *sk, json_t **old, size_t *old_size, double *idx_units,
                     struct lc_error *err);
/* Drops every item of a table (DeleteTable). */
int ddb_store_drop(struct lc_ddb *ddb, int64_t table_id, struct lc_error *err);

/* ---------------------------------------------------------------- capacity (capacity.c) */

double ddb_read_units(size_t bytes, bool consistent);
double ddb_write_units(size_t bytes);
/* Builds the ConsumedCapacity object for `mode` ("TOTAL"/"INDEXES"; NULL/"NONE" gives NULL).
 * idx_units may be NULL. New reference. */
json_t *ddb_consumed(const struct ddb_table *t, const char *mode, double table_units,
                     const double *idx_units, bool read);
/* Checks ReturnConsumedCapacity / ReturnValues style enums; returns the value or NULL. */
int ddb_check_enum(const json_t *request, const char *field, const char *const *allowed, size_t n,
                   const char **out, struct lc_error *err);

/* Request helpers (request.c): typed getters with SerializationException on wrong JSON types. */
int ddb_req_string(const json_t *req, const char *field, bool required, const char **out, struct lc_error *err);
int ddb_req_bool(const json_t *req, const char *field, bool *out, struct lc_error *err);
int ddb_req_int(const json_t *req, const char *field, bool *present, int64_t *out, struct lc_error *err);
int ddb_req_object(const json_t *req, const char *field, bool required, const json_t **out, struct lc_error *err);
int ddb_req_array(const json_t *req, const char *field, bool required, const json_t **out, struct lc_error *err);
/* Finds the members `names` of a request in one pass over it (requests have a handful of members,
 * and a hashed lookup per name costs more than the pass); out[i] is NULL when names[i] is absent.
 * Same values as json_object_get per name. */
void ddb_req_members(const json_t *req, const char *const *names, size_t n, const json_t **out);
/* AWS's "1 validation error detected: Value 'x' at 'field' failed to satisfy constraint: ..." */
int ddb_constraint(struct lc_error *err, const char *value, const char *field, const char *constraint);

#endif
