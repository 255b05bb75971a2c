/* action_each.c: wildcard expansion over the generated action table (used by the least-privilege audit). */
#include "iam/action_table.h"
#include "leastcloud/iam.h"

#include <string.h>
#include <strings.h>

size_t lc_iam_action_each(const char *pattern, int (*fn)(const char *action, char level, void *ud), void *ud)
{
    if (!pattern)
        return 0;
    size_t plen = strlen(pattern), n = 0;
    const char *colon = strchr(pattern, ':');
    /* A literal service prefix (no wildcard before the colon) lets most names be refused cheaply. */
    bool literal_service = colon && !memchr(pattern, '*', (size_t)(colon - pattern)) &&
                           !memchr(pattern, '?', (size_t)(colon - pattern));
    for (size_t i = 0; i < lc__iam_n_actions; i++) {
        const char *name = lc__iam_actions[i].name;
        if (literal_service && strncasecmp(name, pattern, (size_t)(colon - pattern) + 1) != 0)
            continue;
        if (!lc_iam_wildcard_match(pattern, plen, name, strlen(name), true))
            continue;
        n++;
        if (fn && fn(name, lc__iam_actions[i].level, ud))
            break;
    }
    return n;
}
