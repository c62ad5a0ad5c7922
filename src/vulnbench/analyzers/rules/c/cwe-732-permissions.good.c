#include <fcntl.h>
#include <sys/stat.h>

int share(const char *path) {
    // ok: vb-c-permissive-mode
    umask(077);
    // ok: vb-c-permissive-mode
    chmod(path, 0640);
    // ok: vb-c-permissive-mode
    return open(path, O_CREAT | O_WRONLY, 0600);
}
