#include <string.h>

int copy_payload(const unsigned char *pkt, size_t len) {
    unsigned char payload[64];
    if (len > sizeof payload) return -1;
    // ok: vb-c-memcpy-unchecked-length
    memcpy(payload, pkt, len);
    return payload[0];
}

#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

int read_greeting(int fd, char *line, size_t cap) {
    ssize_t got = read(fd, line, cap - 1);
    if (got < 0)
        return -1;
    // ok: vb-c-read-terminator-off-by-one
    line[got] = '\0';
    return 0;
}

int read_reply(int sock) {
    char reply[256];
    ssize_t got;
    got = recv(sock, reply, sizeof reply - 1, 0);
    if (got <= 0)
        return -1;
    // ok: vb-c-read-terminator-off-by-one
    reply[got] = 0;
    return reply[0];
}

size_t echo_record(const uint8_t *rec, size_t rec_len, uint8_t *out, size_t out_cap) {
    uint16_t body_len;
    if (rec_len < 4)
        return 0;
    body_len = (uint16_t)(rec[2] << 8 | rec[3]);
    if (body_len > rec_len - 4 || body_len > out_cap)
        return 0;
    // ok: vb-c-input-length-copy
    memcpy(out, rec + 4, body_len);
    return body_len;
}

int take_name(const unsigned char *msg, char *name, size_t cap) {
    size_t n = msg[0];
    if (n >= cap)
        goto bad;
    // ok: vb-c-input-length-copy
    memmove(name, msg + 1, n);
    return (int)n;
bad:
    return -1;
}

/* a CWEval-style fragment: the read leaves room for the terminator */
char *read_all(FILE *fp) {
    char *out = malloc(4096);
    size_t n = fread(out, 1, 4095, fp);
    // ok: vb-c-read-terminator-off-by-one
    out[n] = '\0';
    return out;
}
