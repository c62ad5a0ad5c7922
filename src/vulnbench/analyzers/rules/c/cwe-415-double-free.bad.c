#include <stdlib.h>

void release(char *buf, int failed) {
    // ruleid: vb-c-double-free
    free(buf);
    if (failed) {
        free(buf);
    }
}
