#include <openssl/evp.h>
#include <openssl/md5.h>

int encrypt_card(EVP_CIPHER_CTX *ctx, const unsigned char *key) {
    // ruleid: vb-c-weak-cipher
    return EVP_EncryptInit_ex(ctx, EVP_des_ede3_cbc(), NULL, key, NULL);
}

int seal(EVP_CIPHER_CTX *ctx, const unsigned char *key) {
    // ruleid: vb-c-weak-cipher
    return EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, key, NULL);
}

void hash_password(const char *pw, unsigned char *out) {
    // ruleid: vb-c-weak-hash
    MD5((const unsigned char *) pw, strlen(pw), out);
}
