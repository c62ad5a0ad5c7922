#include <stdlib.h>
#include <time.h>

void generate_session_token(char *out, size_t n) {
    static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    // ruleid: vb-c-time-seeded-prng
    srand(time(NULL));
    for (size_t i = 0; i + 1 < n; i++)
        // ruleid: vb-c-weak-random-secret
        out[i] = chars[rand() % 36];
    out[n - 1] = '\0';
}
