#include <string.h>

int copy_payload(const unsigned char *pkt, size_t len) {
    unsigned char payload[64];
    if (len > sizeof payload) return -1;
    // ok: vb-c-memcpy-unchecked-length
    memcpy(payload, pkt, len);
    return payload[0];
}
