#include <stdlib.h>

int *alloc_items(size_t count) {
    // ruleid: vb-c-alloc-size-overflow
    return malloc(count * sizeof(int));
}
