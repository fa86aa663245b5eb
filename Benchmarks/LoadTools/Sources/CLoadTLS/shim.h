#ifndef IMAP_LOAD_CLOADTLS_SHIM_H
#define IMAP_LOAD_CLOADTLS_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

// imap-load's TLS client (`--tls`). These settings are macros over SSL_CTX_ctrl /
// SSL_ctrl, which Swift does not import.
static inline int imap_load_ssl_ctx_set_min_tls12(SSL_CTX *context) {
    return (int)SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
}
static inline int imap_load_ssl_set_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}
#endif
