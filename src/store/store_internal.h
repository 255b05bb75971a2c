/* store_internal.h: functions shared between the files of the store module only. */
#ifndef LC_STORE_INTERNAL_H
#define LC_STORE_INTERNAL_H

#include "leastcloud/store.h"

struct lc_error;

/* Creates the IAM tables and, on the first start, the account, its root and root key, and
 * <state>/credentials. Called by lc_store_open. */
int lc__store_identity_init(struct lc_store *store, struct lc_error *err);

#endif
