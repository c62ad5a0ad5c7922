#include <openssl/evp.h>

int encrypt_card(EVP_CIPHER_CTX *ctx, const unsigned char *key, const unsigned char *iv) {
    // ok: vb-c-weak-cipher
    return EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv);
}

int digest(EVP_MD_CTX *ctx) {
    // ok: vb-c-weak-hash
    return EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
}
