#include <stdio.h>
#include <string.h>

void greet(const char *name) {
    char buf[16];
    // ok: vb-c-unbounded-copy
    snprintf(buf, sizeof buf, "%s", name);
    char line[64];
    // ok: vb-c-gets
    fgets(line, sizeof line, stdin);
    char word[8];
    // ok: vb-c-scanf-string
    scanf("%7s", word);
    puts(buf);
}

/* a CWEval-style digest to hex: two hex digits per byte */
void to_hex(const unsigned char *digest, char *out) {
    for (int i = 0; i < 16; i++)
        // ok: vb-c-unbounded-copy
        sprintf(out + 2 * i, "%02x", digest[i]);
}
