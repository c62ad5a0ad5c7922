#include <stdio.h>

void show(const char *msg) {
    // ok: vb-c-format-string
    printf("%s", msg);
}
