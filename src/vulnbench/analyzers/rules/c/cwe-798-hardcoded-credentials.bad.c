#include <string.h>

#define ADMIN_PASSWORD "s3cr3t-admin"

int check_login(const char *user, const char *password) {
    // ruleid: vb-c-hardcoded-credential
    if (strcmp(password, "hunter2!") == 0)
        return 1;
    // ruleid: vb-c-hardcoded-credential
    return strcmp(password, ADMIN_PASSWORD) == 0;
}

// ruleid: vb-c-hardcoded-credential
static const char *api_key = "AKIA1234567890ABCD";
