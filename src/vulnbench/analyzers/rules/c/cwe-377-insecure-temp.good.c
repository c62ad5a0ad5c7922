#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

FILE *open_spool(void) {
    char name[] = "/tmp/spool-XXXXXX";
    // ok: vb-c-insecure-tempfile
    int fd = mkstemp(name);
    return fd < 0 ? NULL : fdopen(fd, "w");
}

FILE *open_config(void) {
    // ok: vb-c-insecure-tempfile
    return fopen("/etc/app.conf", "r");
}
