#include <openssl/crypto.h>
#include <string.h>

int verify_mac(const unsigned char *expected_mac, const unsigned char *mac, size_t n) {
    // ok: vb-c-timing-unsafe-compare
    return CRYPTO_memcmp(expected_mac, mac, n) == 0;
}

int is_bearer(const char *token_type, const char *name, const char *other) {
    // ok: vb-c-timing-unsafe-compare
    if (strcmp(token_type, "Bearer") != 0)
        return 0;
    // ok: vb-c-timing-unsafe-compare
    return strcmp(name, other) == 0;
}
