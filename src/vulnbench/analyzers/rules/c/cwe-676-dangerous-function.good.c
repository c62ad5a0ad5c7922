#include <string.h>

int count(char *s) {
    int n = 0;
    char *save = NULL;
    // ok: vb-c-dangerous-function
    for (char *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) n++;
    return n;
}
