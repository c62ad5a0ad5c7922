#include <stdint.h>
#include <stdlib.h>

int *alloc_items(size_t count) {
    if (count > SIZE_MAX / sizeof(int)) return NULL;
    // ok: vb-c-alloc-size-overflow
    return malloc(count * sizeof(int));
}
