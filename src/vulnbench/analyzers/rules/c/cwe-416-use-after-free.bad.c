#include <stdlib.h>

struct node { int value; };

int take(struct node *n) {
    free(n);
    // ruleid: vb-c-use-after-free
    return n->value;
}
