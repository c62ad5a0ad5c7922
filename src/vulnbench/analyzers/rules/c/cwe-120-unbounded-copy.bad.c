#include <stdio.h>
#include <string.h>

void greet(const char *name) {
    char buf[16];
    // ruleid: vb-c-unbounded-copy
    strcpy(buf, name);
    char line[64];
    // ruleid: vb-c-gets
    gets(line);
    char word[8];
    // ruleid: vb-c-scanf-string
    scanf("%s", word);
    puts(buf);
}

void greet(char *out, const char *name, int n) {
    // ruleid: vb-c-unbounded-copy
    sprintf(out, "%d: hello %s", n, name);
}
