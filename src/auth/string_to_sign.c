/* string_to_sign.c: step 2 and step 4 of SigV4 (the string to sign and the final HMAC). */
#include "auth/auth_internal.h"

#include <string.h>

#define STS_PREFIX LC_AUTH_ALGORITHM "\n"

void lc__auth_sha256_hex(struct lc_cur data, char out65[65])
{
    struct lc_sha256_ctx c;
    uint8_t d[LC_SHA256_LEN];
    lc_sha256_init(&c);
    lc_sha256_update(&c, data.ptr, data.len);
    lc_sha256_final(&c, d);
    lc_hex_encode(d, sizeof d, out65);
}

size_t lc__auth_string_to_sign_len(struct lc_cur amz_date, struct lc_cur scope)
{
    return strlen(STS_PREFIX) + amz_date.len + 1 + scope.len + 1 + LC_SHA256_HEX_LEN;
}

int lc__auth_string_to_sign(struct lc_buf *b, struct lc_cur amz_date, struct lc_cur scope,
                            struct lc_cur canonical_request)
{
    /* One size check up front, as a single formatted append would do: all or nothing. */
    if (lc__auth_string_to_sign_len(amz_date, scope) > b->max - b->len)
        return LC_ELIMIT;
    char hash[LC_SHA256_HEX_LEN + 1];
    lc__auth_sha256_hex(canonical_request, hash);
    int rc = lc_buf_append_str(b, STS_PREFIX);
    rc = rc ? rc : lc_buf_append_cur(b, amz_date);
    rc = rc ? rc : lc_buf_append_byte(b, '\n');
    rc = rc ? rc : lc_buf_append_cur(b, scope);
    rc = rc ? rc : lc_buf_append_byte(b, '\n');
    rc = rc ? rc : lc_buf_append(b, hash, LC_SHA256_HEX_LEN);
    return rc;
}

void lc__auth_signature_hex(const uint8_t key[32], struct lc_cur string_to_sign, char out65[65])
{
    uint8_t mac[LC_SHA256_LEN];
    lc_hmac_sha256(key, LC_SHA256_LEN, string_to_sign.ptr, string_to_sign.len, mac);
    lc_hex_encode(mac, sizeof mac, out65);
}

void lc__auth_signature_of(const struct lc_hmac_sha256_key *key, struct lc_cur amz_date,
                           struct lc_cur scope, struct lc_cur canonical_request,
                           uint8_t out32[LC_SHA256_LEN])
{
    char hash[LC_SHA256_HEX_LEN + 1];
    lc__auth_sha256_hex(canonical_request, hash);
    struct lc_sha256_ctx c;
    lc_hmac_sha256_start(key, &c);
    lc_sha256_update(&c, STS_PREFIX, strlen(STS_PREFIX));
    lc_sha256_update(&c, amz_date.ptr, amz_date.len);
    lc_sha256_update(&c, "\n", 1);
    lc_sha256_update(&c, scope.ptr, scope.len);
    lc_sha256_update(&c, "\n", 1);
    lc_sha256_update(&c, hash, LC_SHA256_HEX_LEN);
    lc_hmac_sha256_finish(key, &c, out32);
}

/* Hex digit values plus one; 0 marks a byte that is not a lower-case hex digit. */
static const uint8_t s_hex_digit[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

bool lc__auth_signature_matches(const uint8_t mac[LC_SHA256_LEN], struct lc_cur hex)
{
    if (hex.len != LC_SHA256_HEX_LEN)
        return false;
    uint8_t got[LC_SHA256_LEN];
    for (size_t i = 0; i < LC_SHA256_LEN; i++) {
        uint8_t hi = s_hex_digit[(unsigned char)hex.ptr[2 * i]];
        uint8_t lo = s_hex_digit[(unsigned char)hex.ptr[2 * i + 1]];
        if (!hi || !lo) /* says nothing about the MAC: only the request's own text is looked at */
            return false;
        got[i] = (uint8_t)((hi - 1) << 4 | (lo - 1));
    }
    return lc_const_eq(got, mac, LC_SHA256_LEN);
}
