#ifndef MAILSHARD_COPENSSL_SHIM_H
#define MAILSHARD_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

// SHA-crypt (Auth) runs thousands of one- or two-block SHA-2 compressions per
// login. OpenSSL 3 marks its low-level SHA API deprecated in favour of EVP, whose
// per-call dispatch costs more than the compression itself at this size; these
// wrappers reach the same assembly block functions without the deprecation noise.
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wdeprecated-declarations"
static inline void mailshard_sha256_init(SHA256_CTX *context) { SHA256_Init(context); }
static inline void mailshard_sha256_update(SHA256_CTX *context, const void *bytes, size_t count) {
    SHA256_Update(context, bytes, count);
}
static inline void mailshard_sha256_final(unsigned char *digest, SHA256_CTX *context) { SHA256_Final(digest, context); }
static inline void mailshard_sha256_transform(SHA256_CTX *context, const unsigned char *block) {
    SHA256_Transform(context, block);
}
static inline void mailshard_sha512_init(SHA512_CTX *context) { SHA512_Init(context); }
static inline void mailshard_sha512_update(SHA512_CTX *context, const void *bytes, size_t count) {
    SHA512_Update(context, bytes, count);
}
static inline void mailshard_sha512_final(unsigned char *digest, SHA512_CTX *context) { SHA512_Final(digest, context); }
static inline void mailshard_sha512_transform(SHA512_CTX *context, const unsigned char *block) {
    SHA512_Transform(context, block);
}
#pragma clang diagnostic pop

// TLS (ShardRuntime's TLSLayer): the settings below are macros over
// SSL_CTX_ctrl / SSL_ctrl, which Swift does not import.
static inline int mailshard_ssl_ctx_set_min_tls12(SSL_CTX *context) {
    return (int)SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
}
static inline void mailshard_ssl_ctx_harden(SSL_CTX *context) {
    // No TLS 1.2 renegotiation (a client could make the server redo handshakes),
    // no compression (CRIME), the server's cipher order.
    SSL_CTX_set_options(context, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    // Idle connections give their read and write buffers back (tens of KiB each).
    SSL_CTX_set_mode(context, SSL_MODE_RELEASE_BUFFERS);
}
static inline int mailshard_ssl_set_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}
#endif
