/* wildcard.c: IAM's `*` / `?` glob match, the inner loop of every action and resource match. */
#include "iam/iam_internal.h"

#include <string.h>

static inline unsigned char s_fold(unsigned char c, bool ci)
{
    return ci && c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/*
 * Greedy match with one backtrack point (the last `*`): linear for the patterns IAM policies
 * hold, never exponential. `esc` makes '\\' quote the next pattern character.
 */
static bool s_match(const char *p, size_t plen, const char *s, size_t slen, bool ci, bool esc)
{
    size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;
    while (si < slen) {
        if (pi < plen) {
            unsigned char pc = (unsigned char)p[pi];
            if (pc == '*') {
                star_p = ++pi;
                star_s = si;
                continue;
            }
            if (pc == '?') {
                pi++;
                si++;
                continue;
            }
            size_t adv = 1;
            if (esc && pc == '\\' && pi + 1 < plen) {
                pc = (unsigned char)p[pi + 1];
                adv = 2;
            }
            if (s_fold(pc, ci) == s_fold((unsigned char)s[si], ci)) {
                pi += adv;
                si++;
                continue;
            }
        }
        if (star_p == (size_t)-1)
            return false;
        pi = star_p;
        si = ++star_s;
    }
    while (pi < plen && p[pi] == '*')
        pi++;
    return pi == plen;
}

bool lc__iam_wild(const char *p, size_t plen, const char *s, size_t slen, bool ci)
{
    return s_match(p, plen, s, slen, ci, false);
}

bool lc__iam_wild_esc(const char *p, size_t plen, const char *s, size_t slen, bool ci)
{
    return s_match(p, plen, s, slen, ci, true);
}

bool lc_iam_wildcard_match(const char *pattern, size_t plen, const char *s, size_t slen, bool ci)
{
    return s_match(pattern, plen, s, slen, ci, false);
}

void lc__iam_pat_init(struct iam_pat *p, char *owned)
{
    p->s = owned;
    p->len = strlen(owned);
    p->has_var = strstr(owned, "${") != NULL;
    p->has_wild = strpbrk(owned, "*?") != NULL;
}
