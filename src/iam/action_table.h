/* action_table.h: the generated table of AWS services and actions (see action_table.c). */
#ifndef LC_IAM_ACTION_TABLE_H
#define LC_IAM_ACTION_TABLE_H

#include <stddef.h>
#include <stdint.h>

struct lc__iam_action_info {
    const char *name;   /* "dynamodb:GetItem" */
    char level;         /* R(ead) W(rite) L(ist) T(agging) P(ermissions management) ? */
    uint16_t res;       /* index into lc__iam_resource_lists: comma-separated ARN patterns */
};

extern const char *const lc__iam_services[];   /* sorted */
extern const size_t lc__iam_n_services;
extern const char *const lc__iam_resource_lists[];
extern const struct lc__iam_action_info lc__iam_actions[];  /* sorted case-insensitively */
extern const size_t lc__iam_n_actions;
extern const char *const lc__iam_multi_keys[]; /* lower-cased, sorted */
extern const size_t lc__iam_n_multi_keys;

/* NULL when the action is unknown. Case-insensitive. */
const struct lc__iam_action_info *lc__iam_action_find(const char *action);
/* True for keys whose values are a list (dynamodb:Attributes, aws:TagKeys, ...). */
int lc__iam_key_is_multi(const char *key, size_t len);

#endif
