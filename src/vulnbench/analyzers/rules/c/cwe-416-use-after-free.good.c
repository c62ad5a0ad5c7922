#include <stdlib.h>

struct node { int value; };

int take(struct node *n) {
    int v = n->value;
    free(n);
    // ok: vb-c-use-after-free
    return v;
}
