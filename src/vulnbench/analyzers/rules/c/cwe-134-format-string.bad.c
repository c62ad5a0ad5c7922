#include <stdio.h>

void show(const char *msg) {
    // ruleid: vb-c-format-string
    printf(msg);
}
