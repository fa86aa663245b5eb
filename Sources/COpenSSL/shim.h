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
#endif
