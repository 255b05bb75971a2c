/*
 * store_trail.h: the decision trail, one row per API request the server answered: who asked
 * (principal, key, source address), for what (service, operation, IAM action, resources), what
 * IAM decided and which statement decided it, and how the request ended (error code, HTTP status).
 * `leastcloud trail` and `leastcloud audit` read it; CloudTrail's record shape can be built from it.
 *
 * Its own migration domain "trail". Strings in an event are borrowed by append (copied into the
 * database) and by the list callback (valid during the callback only).
 *
 * The table lives in its own file, <state>/trail.db, attached to every store connection as
 * LC_STORE_TRAIL_SCHEMA (so plain `trail` in SQL names it): the server commits trail rows many
 * times a second, and a commit to a database makes every other connection to it drop its page cache
 * and memory map; the DynamoDB data in state.db keeps them.
 */
#define LC_STORE_TRAIL_SCHEMA "trail_db"
#ifndef LEASTCLOUD_STORE_TRAIL_H
#define LEASTCLOUD_STORE_TRAIL_H

#include "leastcloud/store.h"

#include <stdint.h>

struct lc_store_trail_event {
    int64_t id;               /* set by the store (list only) */
    int64_t time_ms;
    const char *request_id;
    const char *principal_arn; /* "" when authentication failed before a principal was known */
    const char *key_id;        /* "" when the request carried none */
    const char *source_ip;
    const char *service;       /* "dynamodb", "iam", ... ("" when unroutable) */
    const char *operation;     /* "GetItem" */
    const char *action;        /* the IAM action that decided ("dynamodb:GetItem"), "" when none */
    const char *resources;     /* JSON array of resource ARNs checked, "[]" when none */
    /* "Allowed", "ImplicitlyDenied", "ExplicitlyDenied", or the authentication error code
     * ("UnrecognizedClientException", "InvalidSignatureException", ...), "" when never decided
     * (malformed request, unknown operation). */
    const char *decision;
    const char *policy;        /* the deciding policy's label, "" when none */
    int statement;             /* its statement index, -1 when none */
    const char *sid;           /* "" when none */
    const char *checks;        /* JSON array of every check when more than one was made, else "" */
    const char *error_code;    /* "" on success */
    int http_status;
    int64_t duration_us;
};

/* Creates or upgrades the trail table. Call once at startup (the server does). */
int lc_store_trail_init(struct lc_store *store, struct lc_error *err);

/* Appends events in one transaction (joining the caller's when one is open). */
int lc_store_trail_append(struct lc_store *store, const struct lc_store_trail_event *events, size_t n,
                          struct lc_error *err);

struct lc_store_trail_filter {
    const char *principal_arn; /* NULL: every principal */
    int64_t since_ms;          /* 0: from the start */
    int64_t after_id;          /* rows with id > after_id (for following), 0: all */
    int64_t limit;             /* 0: no limit */
};

/* Calls fn for each matching event, oldest first; stops early when fn returns non-zero. f may be NULL. */
int lc_store_trail_list(struct lc_store *store, const struct lc_store_trail_filter *f,
                        int (*fn)(const struct lc_store_trail_event *ev, void *ud), void *ud,
                        struct lc_error *err);

/* Number of rows (for tests and status). */
int64_t lc_store_trail_count(struct lc_store *store);

#endif
