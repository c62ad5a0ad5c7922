#include <string.h>

int copy_payload(const unsigned char *pkt, size_t len) {
    unsigned char payload[64];
    // ruleid: vb-c-memcpy-unchecked-length
    memcpy(payload, pkt, len);
    return payload[0];
}

#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

/* the greeting fills the whole buffer, then the terminator lands one past it */
int read_greeting(int fd, char *line, size_t cap) {
    ssize_t got = read(fd, line, cap);
    if (got < 0)
        return -1;
    // ruleid: vb-c-read-terminator-off-by-one
    line[got] = '\0';
    return 0;
}

int read_reply(int sock) {
    char reply[256];
    ssize_t got;
    got = recv(sock, reply, sizeof(reply), 0);
    if (got <= 0)
        return -1;
    // ruleid: vb-c-read-terminator-off-by-one
    reply[got] = 0;
    return reply[0];
}

/* echo the record's body back: its length comes from the record header */
size_t echo_record(const uint8_t *rec, size_t rec_len, uint8_t *out) {
    uint16_t body_len;
    if (rec_len < 4)
        return 0;
    body_len = (uint16_t)(rec[2] << 8 | rec[3]);
    // ruleid: vb-c-input-length-copy
    memcpy(out, rec + 4, body_len);
    return body_len;
}

int take_name(const unsigned char *msg, char *name) {
    size_t n = msg[0];
    // ruleid: vb-c-input-length-copy
    memmove(name, msg + 1, n);
    return (int)n;
}

int read_status(int fd) {
    char status[64];
    ssize_t n = read(fd, status, 64);
    if (n < 0)
        return -1;
    // ruleid: vb-c-read-terminator-off-by-one
    status[n] = '\0';
    return status[0];
}
