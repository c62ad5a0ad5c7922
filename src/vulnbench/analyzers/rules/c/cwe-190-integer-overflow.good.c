#include <stdint.h>
#include <stdlib.h>

int *alloc_items(size_t count) {
    if (count > SIZE_MAX / sizeof(int)) return NULL;
    // ok: vb-c-alloc-size-overflow
    return malloc(count * sizeof(int));
}

char *frame_message(uint16_t head_len, uint16_t body_len) {
    size_t total = (size_t)head_len + body_len + 2;
    // ok: vb-c-narrow-size-arithmetic
    char *frame = malloc(total);
    return frame;
}

unsigned char *alloc_bitmap(uint32_t cols, uint32_t rows) {
    size_t bytes;
    if (cols == 0 || rows == 0 || cols > 8192 || rows > 8192)
        return NULL;
    bytes = (size_t)cols * rows * 3;
    // ok: vb-c-alloc-size-overflow-var
    return malloc(bytes);
}
