#include <stdlib.h>

void release(char *buf) {
    // ok: vb-c-double-free
    free(buf);
    buf = NULL;
    free(buf);
}

int load_record(char *payload, int corrupt) {
    if (corrupt) {
        // ok: vb-c-double-free-goto
        free(payload);
        payload = NULL;
        goto fail;
    }
    return 0;
fail:
    free(payload);
    return -1;
}

int load_other(char *payload, int corrupt) {
    if (corrupt)
        goto fail;
    return 0;
fail:
    // ok: vb-c-double-free-goto
    free(payload);
    return -1;
}
