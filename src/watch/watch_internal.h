/* watch_internal.h: what the watch module's files share. */
#ifndef LC_WATCH_INTERNAL_H
#define LC_WATCH_INTERNAL_H

#include "leastcloud/clock.h"
#include "leastcloud/json.h"
#include "leastcloud/store.h"
#include "leastcloud/watch.h"

#include <stdlib.h>

/* metrics.c */
int lc__watch_flush_consumed(struct lc_store *store, struct lc_error *err);
void lc__watch_reset_consumed(void);
double lc__watch_round(double v);
/* Appends lc_watch_dims_key's text to out (no allocation when out has room). */
struct lc_buf;
void lc__watch_dims_key_append(struct lc_buf *out, const struct lc_watch_dim *dims, size_t n);
/* Merges the single observations v[0..n), in this order, into one minute of one series (dims_key as
 * lc_watch_dims_key writes it) with the very arithmetic of n lc_watch_put calls of one value each, in
 * one read and one write. Joins the caller's transaction. */
int lc__watch_put_values(struct lc_store *store, const char *ns, const char *name, const char *dims_key,
                         int64_t minute, const double *v, size_t n, const char *unit, struct lc_error *err);

/* alarm.c: "1234.0", "0.5": Java's Double.toString as CloudWatch prints values. out: 64 bytes. */
void lc__watch_format_number(double v, char out[64]);
/* "29/11/26 05:31:00" (UTC). out: 32 bytes. */
void lc__watch_format_reason_time(int64_t ms, char out[32]);
/* "2026-11-29T05:31:00.000+0000". out: 32 bytes. */
void lc__watch_format_iso(int64_t ms, char out[32]);
/* A JSON value that may be a number or a numeric string (CloudFormation passes strings). */
int lc__watch_json_number(const json_t *v, double *out);

/* ingest.c: the trail rows after the cursor, as metrics. */
int lc__watch_ingest_trail(struct lc_store *store, struct lc_error *err);

/* notify.c: an alarm's actions for a state change (SNS topic ARNs) */
int lc__watch_alarm_actions(struct lc_store *store, const char *alarm_name, const json_t *config,
                            const char *old_state, const char *new_state, const char *reason, int64_t now_ms,
                            struct lc_error *err);

/* notify.c: POSTs the pending http deliveries (call outside of transactions). */
void lc__watch_deliver(struct lc_store *store);

/* alarms.c: account and region for ARNs */
char *lc__watch_alarm_arn(struct lc_store *store, const char *name);

#endif
