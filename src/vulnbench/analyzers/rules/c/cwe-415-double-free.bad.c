#include <stdlib.h>

void release(char *buf, int failed) {
    // ruleid: vb-c-double-free
    free(buf);
    if (failed) {
        free(buf);
    }
}

int load_record(char *payload, int corrupt) {
    if (corrupt) {
        // ruleid: vb-c-double-free-goto
        free(payload);
        goto fail;
    }
    return 0;
fail:
    free(payload);
    return -1;
}
