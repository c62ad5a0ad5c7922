#include <string.h>

int count(char *s) {
    int n = 0;
    // ruleid: vb-c-dangerous-function
    for (char *t = strtok(s, ","); t; t = strtok(NULL, ",")) n++;
    return n;
}
