/* physical_name.c: the names CloudFormation gives resources whose template does not name them. */
#include <string.h>

#include "deploy/internal.h"
#include "leastcloud/alloc.h"
#include "leastcloud/hash.h"

char *lc_cfn_physical_name(const char *stack_name, const char *logical_id, size_t max_len)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    enum { SUFFIX = 12 };
    char suffix[SUFFIX + 1];
    unsigned char bytes[SUFFIX];
    if (lc_random_bytes(bytes, sizeof bytes) != 0)
        memset(bytes, 7, sizeof bytes);
    for (int i = 0; i < SUFFIX; i++)
        suffix[i] = alphabet[bytes[i] % 36];
    suffix[SUFFIX] = '\0';
    size_t sl = strlen(stack_name), ll = strlen(logical_id);
    if (max_len < SUFFIX + 4)
        max_len = SUFFIX + 4;
    size_t room = max_len - SUFFIX - 2; /* two dashes */
    /* Like CloudFormation, shorten both parts, the stack name first, keeping each readable. */
    while (sl + ll > room) {
        if (sl >= ll && sl > 1)
            sl--;
        else if (ll > 1)
            ll--;
        else
            break;
    }
    return lc_asprintf("%.*s-%.*s-%s", (int)sl, stack_name, (int)ll, logical_id, suffix);
}
