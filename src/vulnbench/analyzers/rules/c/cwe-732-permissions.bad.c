#include <fcntl.h>
#include <sys/stat.h>

int share(const char *path) {
    // ruleid: vb-c-permissive-mode
    umask(0);
    // ruleid: vb-c-permissive-mode
    chmod(path, 0777);
    // ruleid: vb-c-permissive-mode
    return open(path, O_CREAT | O_WRONLY, 0666);
}
