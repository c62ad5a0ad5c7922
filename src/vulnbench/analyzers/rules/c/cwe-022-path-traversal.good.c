#include <stdio.h>
#include <string.h>

FILE *open_upload(const char *name) {
    char path[256];
    if (strstr(name, "..") || strchr(name, '/')) return NULL;
    snprintf(path, sizeof path, "/srv/uploads/%s", name);
    // ok: vb-c-path-traversal
    return fopen(path, "rb");
}

FILE *open_in(const char *base, const char *name) {
    char path[256];
    if (strchr(name, '/') || strchr(name, '\\'))
        return NULL;
    snprintf(path, sizeof path, "%s/%s", base, name);
    // ok: vb-c-path-traversal
    return fopen(path, "rb");
}
