#include <curl/curl.h>
#include <openssl/ssl.h>

void setup(SSL_CTX *ctx, CURL *curl) {
    // ok: vb-c-tls-verification-disabled
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    // ok: vb-c-tls-verification-disabled
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
}
