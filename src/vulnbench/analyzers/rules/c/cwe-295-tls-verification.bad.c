#include <curl/curl.h>
#include <openssl/ssl.h>

void setup(SSL_CTX *ctx, CURL *curl) {
    // ruleid: vb-c-tls-verification-disabled
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    // ruleid: vb-c-tls-verification-disabled
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
}
