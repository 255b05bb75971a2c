/* action.c: look-ups in the generated action table (known services, actions, multi-valued keys). */
#include "iam/action_table.h"
#include "iam/iam_internal.h"

#include <string.h>
#include <strings.h>

const struct lc__iam_action_info *lc__iam_action_find(const char *action)
{
    size_t lo = 0, hi = lc__iam_n_actions;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcasecmp(lc__iam_actions[mid].name, action);
        if (c == 0)
            return &lc__iam_actions[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

bool lc_iam_action_known(const char *action)
{
    return action && lc__iam_action_find(action) != NULL;
}

bool lc_iam_service_known(const char *service, size_t len)
{
    size_t lo = 0, hi = lc__iam_n_services;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *s = lc__iam_services[mid];
        int c = strncasecmp(s, service, len);
        if (c == 0 && s[len] != '\0')
            c = 1;
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

const char *lc_iam_action_resource_arns(const char *action)
{
    const struct lc__iam_action_info *a = action ? lc__iam_action_find(action) : NULL;
    return a ? lc__iam_resource_lists[a->res] : NULL;
}

int lc__iam_key_is_multi(const char *key, size_t len)
{
    size_t lo = 0, hi = lc__iam_n_multi_keys;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *s = lc__iam_multi_keys[mid];
        int c = strncasecmp(s, key, len);
        if (c == 0 && s[len] != '\0')
            c = 1;
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}
