#include <stdlib.h>

int *alloc_items(size_t count) {
    // ruleid: vb-c-alloc-size-overflow
    return malloc(count * sizeof(int));
}

#include <stdint.h>

/* the header and body lengths are each 16-bit: their sum wraps */
char *frame_message(uint16_t head_len, uint16_t body_len) {
    uint16_t total = head_len + body_len + 2;
    // ruleid: vb-c-narrow-size-arithmetic
    char *frame = malloc(total);
    return frame;
}

unsigned char *alloc_bitmap(uint32_t cols, uint32_t rows) {
    uint32_t bytes;
    bytes = cols * rows * 3;
    // ruleid: vb-c-alloc-size-overflow-var
    return malloc(bytes);
}
