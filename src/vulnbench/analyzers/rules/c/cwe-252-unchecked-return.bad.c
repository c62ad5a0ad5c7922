#include <unistd.h>

void drop_privileges(uid_t uid, gid_t gid) {
    // ruleid: vb-c-unchecked-privilege-call
    setgid(gid);
    // ruleid: vb-c-unchecked-privilege-call
    setuid(uid);
    // ruleid: vb-c-unchecked-privilege-call
    chdir("/var/empty");
}
