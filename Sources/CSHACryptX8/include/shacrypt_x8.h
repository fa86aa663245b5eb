#ifndef MAILSHARD_SHACRYPT_X8_H
#define MAILSHARD_SHACRYPT_X8_H
#include <stddef.h>
#include <stdint.h>

// SHA-crypt's rounds for SHA-512 ($6$), eight computations at once in the lanes
// of AVX-512 registers. The 5,000 rounds are one SHA-512 compression each for any
// usual password; a scalar compression (OpenSSL's) is bound by its dependency
// chain, so eight independent ones side by side cost little more than one. Only
// the rounds live here; Auth (SHACrypt*.swift) prepares the lanes and encodes.

/// One SHA-512 crypt computation in a batch: its P and S sequences and the
/// intermediate digest A going in, the final digest coming out.
typedef struct {
    uint8_t digest[64];
    uint8_t p_bytes[255];
    uint8_t s_bytes[16];
    uint16_t p_length;
    uint8_t s_length;
} mailshard_shacrypt512_lane;

/// Whether this CPU (and the OS) can run the 8-lane AVX-512 rounds.
int mailshard_shacrypt512_x8_available(void);

/// Runs `rounds` SHA-crypt rounds for `count` (1...8) lanes at once; every lane's
/// `digest` holds A on entry and the final C on return. Needs `..._available()`.
void mailshard_shacrypt512_x8_rounds(mailshard_shacrypt512_lane *lanes, int count, uint32_t rounds);
#endif
