#include <stdlib.h>

void release(char *buf) {
    // ok: vb-c-double-free
    free(buf);
    buf = NULL;
    free(buf);
}
