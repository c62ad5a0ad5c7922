#include <stdlib.h>
#include <time.h>
#include <sys/random.h>

int roll_dice(void) {
    // ok: vb-c-time-seeded-prng
    srand(time(NULL));
    // ok: vb-c-weak-random-secret
    return rand() % 6 + 1;
}

int generate_session_token(unsigned char *out, size_t n) {
    // ok: vb-c-weak-random-secret
    return getrandom(out, n, 0) == (ssize_t) n ? 0 : -1;
}
