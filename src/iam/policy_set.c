/* policy_set.c: the policies that apply to one principal, grouped by layer and compiled once. */
#include "iam/policy_set.h"

#include <string.h>

#include "leastcloud/alloc.h"
#include "leastcloud/error.h"

struct lc_iam_policy_set *lc_iam_policy_set_new(void)
{
    struct lc_iam_policy_set *s = lc_calloc(1, sizeof(*s));
    atomic_init(&s->refs, 1);
    return s;
}

void lc_iam_policy_set_free(struct lc_iam_policy_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        lc_iam_policy_free(s->pol[i].policy);
        lc_free(s->pol[i].label);
    }
    lc_free(s->pol);
    lc_free(s);
}

void lc_iam_policy_set_release(const struct lc_iam_policy_set *cs)
{
    struct lc_iam_policy_set *s = (struct lc_iam_policy_set *)cs;
    if (s && atomic_fetch_sub(&s->refs, 1) == 1)
        lc_iam_policy_set_free(s);
}

void lc__iam_policy_set_retain(const struct lc_iam_policy_set *cs)
{
    atomic_fetch_add(&((struct lc_iam_policy_set *)cs)->refs, 1);
}

int lc_iam_policy_set_add(struct lc_iam_policy_set *s, enum lc_iam_layer layer, const char *label,
                          struct lc_iam_policy *p)
{
    if (s->compiled || !p || layer == LC_IAM_LAYER_NONE || layer > LC_IAM_LAYER_SESSION ||
        (layer == LC_IAM_LAYER_RESOURCE) != (p->kind != LC_IAM_POLICY_IDENTITY)) {
        lc_iam_policy_free(p);
        return LC_EINVAL;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4;
        s->pol = lc_realloc(s->pol, s->cap * sizeof(*s->pol));
    }
    s->pol[s->n++] = (struct set_policy){.layer = layer, .label = lc_strdup(label ? label : ""), .policy = p};
    return 0;
}

/* Stable order by layer, so evaluation walks each layer's policies as one run. */
int lc_iam_policy_set_compile(struct lc_iam_policy_set *s)
{
    if (s->compiled)
        return 0;
    for (size_t i = 1; i < s->n; i++) {
        struct set_policy tmp = s->pol[i];
        size_t j = i;
        while (j > 0 && s->pol[j - 1].layer > tmp.layer) {
            s->pol[j] = s->pol[j - 1];
            j--;
        }
        s->pol[j] = tmp;
    }
    memset(s->first, 0, sizeof s->first);
    memset(s->count, 0, sizeof s->count);
    for (size_t i = s->n; i-- > 0;) {
        s->first[s->pol[i].layer] = i;
        s->count[s->pol[i].layer]++;
    }
    s->compiled = true;
    return 0;
}
