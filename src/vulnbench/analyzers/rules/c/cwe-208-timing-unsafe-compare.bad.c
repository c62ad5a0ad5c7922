#include <string.h>

int verify_mac(const unsigned char *expected_mac, const unsigned char *mac, size_t n) {
    // ruleid: vb-c-timing-unsafe-compare
    return memcmp(expected_mac, mac, n) == 0;
}

int check_token(const char *token, const char *stored) {
    // ruleid: vb-c-timing-unsafe-compare
    return strcmp(stored, token) == 0;
}
