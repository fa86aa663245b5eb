#ifndef MAILSHARD_CCRYPT_SHIM_H
#define MAILSHARD_CCRYPT_SHIM_H
// libxcrypt: SHA-crypt, bcrypt, yescrypt and the legacy crypt(3) hashes that
// Dovecot passwd-files carry.
#include <crypt.h>
#endif
