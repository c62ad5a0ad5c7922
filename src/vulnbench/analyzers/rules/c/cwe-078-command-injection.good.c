#include <stdlib.h>

int clear(void) {
    // ok: vb-c-command-injection
    return system("clear");
}
