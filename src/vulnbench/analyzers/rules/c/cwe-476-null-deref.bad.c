#include <stdlib.h>
#include <string.h>

char *dup(const char *s, size_t n) {
    // ruleid: vb-c-unchecked-malloc
    char *p = malloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}
