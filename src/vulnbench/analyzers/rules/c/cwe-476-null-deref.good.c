#include <stdlib.h>
#include <string.h>

char *dup(const char *s, size_t n) {
    char *p = malloc(n + 1);
    if (p == NULL) return NULL;
    // ok: vb-c-unchecked-malloc
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}
