#include <stdio.h>

FILE *open_upload(const char *name) {
    char path[256];
    snprintf(path, sizeof path, "/srv/uploads/%s", name);
    // ruleid: vb-c-path-traversal
    return fopen(path, "rb");
}
