#include <stdlib.h>

void release(char *buf) {
    free(buf);
    buf = NULL;
    // ok: vb-c-double-free
    free(buf);
}
