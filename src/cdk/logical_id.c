/* logical_id.c: CDK's makeUniqueId (core/lib/private/uniqueid.js): human part + md5 path hash. */
#include "cdk/internal.h"

#include <openssl/evp.h>
#include <string.h>

#include "leastcloud/alloc.h"

#define HASH_LEN 8
#define MAX_HUMAN_LEN 240
#define MAX_ID_LEN 255

static void s_alnum(struct lc_buf *b, const char *s)
{
    for (; *s; s++)
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9'))
            lc_buf_append_byte(b, *s);
}

static bool s_ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !memcmp(s + a - b, suffix, b);
}

char *lc__make_unique_id(const char *const *components, size_t n)
{
    /* "Default" components are hidden entirely, as CDK does. */
    const char **c = lc_calloc(n + 1, sizeof *c);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(components[i], "Default"))
            c[m++] = components[i];
    struct lc_buf b;
    lc_buf_init(&b, LC_BUF_UNLIMITED);
    if (m == 1) {
        s_alnum(&b, c[0]);
        if (b.len <= MAX_ID_LEN) {
            lc_free(c);
            return lc_buf_detach(&b, NULL);
        }
        lc_buf_reset(&b);
    }
    struct lc_buf joined;
    lc_buf_init(&joined, LC_BUF_UNLIMITED);
    for (size_t i = 0; i < m; i++) {
        if (i)
            lc_buf_append_byte(&joined, '/');
        lc_buf_append_str(&joined, c[i]);
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_Digest(joined.data ? joined.data : "", joined.len, md, &mdlen, EVP_md5(), NULL);
    lc_buf_free(&joined);

    const char *last = NULL;
    for (size_t i = 0; i < m; i++) {
        if (last && s_ends_with(last, c[i]))
            continue;  /* removeDupes */
        last = c[i];
        if (!strcmp(c[i], "Resource"))
            continue;
        s_alnum(&b, c[i]);
    }
    if (b.len > MAX_HUMAN_LEN) {
        b.len = MAX_HUMAN_LEN;
        b.data[b.len] = '\0';
    }
    static const char hex[] = "0123456789ABCDEF";
    for (int i = 0; i < HASH_LEN / 2; i++) {
        lc_buf_append_byte(&b, hex[md[i] >> 4]);
        lc_buf_append_byte(&b, hex[md[i] & 15]);
    }
    lc_free(c);
    return lc_buf_detach(&b, NULL);
}

char *lc__logical_id_for(struct lc_node *n)
{
    struct lc_node *stack = lc__stack_of(n);
    size_t depth = 0;
    for (struct lc_node *p = n; p && p != stack; p = p->parent)
        depth++;
    const char **comps = lc_calloc(depth + 1, sizeof *comps);
    size_t i = depth;
    for (struct lc_node *p = n; p && p != stack; p = p->parent)
        comps[--i] = p->id;
    char *id = lc__make_unique_id(comps, depth);
    lc_free(comps);
    return id;
}
