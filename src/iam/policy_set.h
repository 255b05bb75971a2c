/* policy_set.h: the inside of a compiled policy set (policy_set.c, evaluate.c, cache.c). */
#ifndef LC_IAM_POLICY_SET_H
#define LC_IAM_POLICY_SET_H

#include <stdatomic.h>

#include "iam/iam_internal.h"

struct set_policy {
    enum lc_iam_layer layer;
    char *label;
    struct lc_iam_policy *policy;
};

struct lc_iam_policy_set {
    size_t n, cap;
    struct set_policy *pol;  /* sorted by layer once compiled */
    size_t first[LC_IAM_LAYER_SESSION + 1], count[LC_IAM_LAYER_SESSION + 1];
    bool compiled;
    atomic_int refs;         /* for lc_iam_cache; a set made by lc_iam_policy_set_new starts at 1 */
};

void lc__iam_policy_set_retain(const struct lc_iam_policy_set *s);

#endif
