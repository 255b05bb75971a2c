/* explain.c: names for decisions and layers, and AWS's access-denied sentence (AWS-BEHAVIOUR.md §2.1). */
#include "iam/iam_internal.h"

#include "leastcloud/error.h"

const char *lc_iam_decision_name(enum lc_iam_decision_kind k)
{
    switch (k) {
    case LC_IAM_ALLOWED:
        return "Allowed";
    case LC_IAM_IMPLICITLY_DENIED:
        return "ImplicitlyDenied";
    case LC_IAM_EXPLICITLY_DENIED:
        return "ExplicitlyDenied";
    }
    return "?";
}

const char *lc_iam_layer_phrase(enum lc_iam_layer layer)
{
    switch (layer) {
    case LC_IAM_LAYER_IDENTITY:
        return "identity-based policy";
    case LC_IAM_LAYER_RESOURCE:
        return "resource-based policy";
    case LC_IAM_LAYER_BOUNDARY:
        return "permissions boundary";
    case LC_IAM_LAYER_SESSION:
        return "session policy";
    case LC_IAM_LAYER_NONE:
        break;
    }
    return "policy";
}

/* "an identity-based policy", "a permissions boundary": the article AWS writes. */
static const char *s_article(enum lc_iam_layer layer)
{
    return layer == LC_IAM_LAYER_IDENTITY ? "an" : "a";
}

/*
 * Assumed roles keep the "User:" prefix and show the session ARN (AWS-BEHAVIOUR.md §2.1); an
 * account-level action names "*" as its resource.
 */
int lc_iam_denial_message(const struct lc_iam_request *r, const struct lc_iam_decision *d, struct lc_buf *out)
{
    if (!r || !d || d->kind == LC_IAM_ALLOWED)
        return LC_EINVAL;
    const char *who = r->principal ? r->principal : "anonymous";
    const char *action = r->action ? r->action : "";
    const char *res = r->resource && r->resource[0] ? r->resource : "*";
    enum lc_iam_layer layer = d->layer == LC_IAM_LAYER_NONE ? LC_IAM_LAYER_IDENTITY : d->layer;
    if (d->kind == LC_IAM_EXPLICITLY_DENIED)
        return lc_buf_appendf(out, "User: %s is not authorized to perform: %s on resource: %s with an explicit deny in %s %s",
                              who, action, res, s_article(layer), lc_iam_layer_phrase(layer));
    return lc_buf_appendf(out, "User: %s is not authorized to perform: %s on resource: %s because no %s allows the %s action",
                          who, action, res, lc_iam_layer_phrase(layer), action);
}
