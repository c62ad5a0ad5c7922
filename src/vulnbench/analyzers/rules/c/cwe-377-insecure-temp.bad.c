#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

FILE *open_spool(void) {
    char name[L_tmpnam];
    // ruleid: vb-c-insecure-tempfile
    tmpnam(name);
    return fopen(name, "w");
}

FILE *open_report(void) {
    // ruleid: vb-c-insecure-tempfile
    return fopen("/tmp/report.txt", "w");
}

FILE *open_job(int id) {
    char path[64];
    // ruleid: vb-c-insecure-tempfile
    snprintf(path, sizeof path, "/tmp/job-%d.dat", id);
    return fopen(path, "w");
}
