/* string_to_sign.c: step 2 and step 4 of SigV4 (the string to sign and the final HMAC). */
#include "auth/auth_internal.h"

#include "leastcloud/hash.h"

int lc__auth_string_to_sign(struct lc_buf *b, struct lc_cur amz_date, struct lc_cur scope,
                            struct lc_cur canonical_request)
{
    char hash[LC_SHA256_HEX_LEN + 1];
    lc_sha256_hex(canonical_request.ptr, canonical_request.len, hash);
    return lc_buf_appendf(b, LC_AUTH_ALGORITHM "\n" LC_CUR_PRI "\n" LC_CUR_PRI "\n%s",
                          LC_CUR_ARG(amz_date), LC_CUR_ARG(scope), hash);
}

void lc__auth_signature_hex(const uint8_t key[32], struct lc_cur string_to_sign, char out65[65])
{
    uint8_t mac[LC_SHA256_LEN];
    lc_hmac_sha256(key, LC_SHA256_LEN, string_to_sign.ptr, string_to_sign.len, mac);
    lc_hex_encode(mac, sizeof mac, out65);
}
