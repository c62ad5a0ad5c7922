#include <stdio.h>
#include <stdlib.h>

int count_lines(const char *path) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "wc -l %s", path);
    // ruleid: vb-c-command-injection
    return system(cmd);
}
