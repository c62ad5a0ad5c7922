#include <string.h>

int is_admin(const char *user, const char *token_type) {
    // ok: vb-c-hardcoded-credential
    if (strcmp(user, "admin") == 0)
        return 1;
    // ok: vb-c-hardcoded-credential
    return strcmp(token_type, "Bearer") == 0;
}

// ok: vb-c-hardcoded-credential
static const char *password_prompt = "Password: ";
