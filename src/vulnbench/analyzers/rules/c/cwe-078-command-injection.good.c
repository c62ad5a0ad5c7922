#include <stdlib.h>

int clear(void) {
    // ok: vb-c-command-injection
    return system("clear");
}

long count_lines(const char *name) {
    for (const char *c = name; *c; c++) {
        if (!((*c >= 'a' && *c <= 'z') || *c == '.'))
            return -1;
    }
    char cmd[256];
    snprintf(cmd, sizeof cmd, "wc -l < '%s'", name);
    // ok: vb-c-command-injection
    return system(cmd);
}
