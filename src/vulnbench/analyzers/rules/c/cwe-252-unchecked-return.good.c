#include <stdlib.h>
#include <unistd.h>

void drop_privileges(uid_t uid, gid_t gid) {
    // ok: vb-c-unchecked-privilege-call
    if (setgid(gid) != 0)
        abort();
    // ok: vb-c-unchecked-privilege-call
    if (setuid(uid) != 0)
        abort();
    // ok: vb-c-unchecked-privilege-call
    int rc = chdir("/var/empty");
    if (rc != 0)
        abort();
}
