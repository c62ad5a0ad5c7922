#include <stdlib.h>

void release(char *buf, int failed) {
    free(buf);
    if (failed) {
        // ruleid: vb-c-double-free
        free(buf);
    }
}
