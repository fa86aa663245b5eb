#include "shacrypt_x8.h"
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

static const uint64_t round_constants[80] = {
    0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL, 0xe9b5dba58189dbbcULL,
    0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL, 0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL,
    0xd807aa98a3030242ULL, 0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
    0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL, 0xc19bf174cf692694ULL,
    0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL, 0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL,
    0x2de92c6f592b0275ULL, 0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
    0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL, 0xbf597fc7beef0ee4ULL,
    0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL, 0x06ca6351e003826fULL, 0x142929670a0e6e70ULL,
    0x27b70a8546d22ffcULL, 0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
    0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL, 0x92722c851482353bULL,
    0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL, 0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL,
    0xd192e819d6ef5218ULL, 0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
    0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL, 0x34b0bcb5e19b48a8ULL,
    0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL, 0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL,
    0x748f82ee5defb2fcULL, 0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
    0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL, 0xc67178f2e372532bULL,
    0xca273eceea26619cULL, 0xd186b8c721c0c207ULL, 0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL,
    0x06f067aa72176fbaULL, 0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
    0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL, 0x431d67c49c100d4cULL,
    0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL, 0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL,
};

static const uint64_t initial_state[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

int mailshard_shacrypt512_x8_available(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    if (!(ecx & bit_OSXSAVE)) return 0;
    // The OS must save the AVX-512 state (opmask, ZMM upper halves, ZMM16-31) and SSE/AVX.
    uint32_t xcr0_low, xcr0_high;
    __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    if ((xcr0_low & 0xE6) != 0xE6) return 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    return (ebx & bit_AVX512F) != 0;
}

#define X8 __attribute__((target("avx512f")))

/// One SHA-512 compression in each lane selected by `active`: `state[w]` holds
/// word w of the eight lanes; `blocks[lane]` the lane's 128-byte block.
X8 static void compress_x8(__m512i state[8], const uint8_t *const blocks[8], __mmask8 active) {
    __m512i w[16];
    for (int t = 0; t < 16; t++) {
        uint64_t words[8];
        for (int lane = 0; lane < 8; lane++) {
            uint64_t word;
            memcpy(&word, blocks[lane] + 8 * t, 8);
            words[lane] = __builtin_bswap64(word);
        }
        w[t] = _mm512_loadu_si512(words);
    }
    __m512i a = state[0], b = state[1], c = state[2], d = state[3];
    __m512i e = state[4], f = state[5], g = state[6], h = state[7];
    for (int t = 0; t < 80; t++) {
        __m512i wt;
        if (t < 16) {
            wt = w[t];
        } else {
            __m512i w15 = w[(t - 15) & 15], w2 = w[(t - 2) & 15];
            __m512i s0 = _mm512_ternarylogic_epi64(_mm512_ror_epi64(w15, 1), _mm512_ror_epi64(w15, 8), _mm512_srli_epi64(w15, 7), 0x96);
            __m512i s1 = _mm512_ternarylogic_epi64(_mm512_ror_epi64(w2, 19), _mm512_ror_epi64(w2, 61), _mm512_srli_epi64(w2, 6), 0x96);
            wt = _mm512_add_epi64(_mm512_add_epi64(w[t & 15], s0), _mm512_add_epi64(w[(t - 7) & 15], s1));
            w[t & 15] = wt;
        }
        __m512i sigma1 = _mm512_ternarylogic_epi64(_mm512_ror_epi64(e, 14), _mm512_ror_epi64(e, 18), _mm512_ror_epi64(e, 41), 0x96);
        __m512i choose = _mm512_ternarylogic_epi64(e, f, g, 0xCA);
        __m512i t1 = _mm512_add_epi64(_mm512_add_epi64(h, sigma1),
                                      _mm512_add_epi64(choose, _mm512_add_epi64(wt, _mm512_set1_epi64((long long)round_constants[t]))));
        __m512i sigma0 = _mm512_ternarylogic_epi64(_mm512_ror_epi64(a, 28), _mm512_ror_epi64(a, 34), _mm512_ror_epi64(a, 39), 0x96);
        __m512i majority = _mm512_ternarylogic_epi64(a, b, c, 0xE8);
        h = g; g = f; f = e;
        e = _mm512_add_epi64(d, t1);
        d = c; c = b; b = a;
        a = _mm512_add_epi64(t1, _mm512_add_epi64(sigma0, majority));
    }
    __m512i words[8] = {a, b, c, d, e, f, g, h};
    for (int i = 0; i < 8; i++) state[i] = _mm512_mask_add_epi64(state[i], active, state[i], words[i]);
}

/// A lane's message for one round, padded: its length in blocks.
static int build_message(uint8_t message[384], const mailshard_shacrypt512_lane *lane, uint32_t round) {
    size_t length = 0;
    const int odd = round & 1;
    if (odd) { memcpy(message, lane->p_bytes, lane->p_length); length = lane->p_length; }
    else { memcpy(message, lane->digest, 64); length = 64; }
    if (round % 3 != 0) { memcpy(message + length, lane->s_bytes, lane->s_length); length += lane->s_length; }
    if (round % 7 != 0) { memcpy(message + length, lane->p_bytes, lane->p_length); length += lane->p_length; }
    if (odd) { memcpy(message + length, lane->digest, 64); length += 64; }
    else { memcpy(message + length, lane->p_bytes, lane->p_length); length += lane->p_length; }
    size_t padded = (length + 1 + 16 + 127) / 128 * 128;
    message[length] = 0x80;
    memset(message + length + 1, 0, padded - 8 - length - 1);
    uint64_t bits = __builtin_bswap64((uint64_t)length * 8);
    memcpy(message + padded - 8, &bits, 8);
    return (int)(padded / 128);
}

X8 void mailshard_shacrypt512_x8_rounds(mailshard_shacrypt512_lane *lanes, int count, uint32_t rounds) {
    // 64 + 16 + 2 * 255 + 17 bytes at most: five blocks.
    uint8_t messages[8][640];
    static const uint8_t idle_block[128];
    for (uint32_t round = 0; round < rounds; round++) {
        int blocks[8] = {0};
        int most = 0;
        for (int lane = 0; lane < count; lane++) {
            blocks[lane] = build_message(messages[lane], &lanes[lane], round);
            if (blocks[lane] > most) most = blocks[lane];
        }
        __m512i state[8];
        for (int i = 0; i < 8; i++) state[i] = _mm512_set1_epi64((long long)initial_state[i]);
        for (int step = 0; step < most; step++) {
            const uint8_t *pointers[8];
            __mmask8 active = 0;
            for (int lane = 0; lane < 8; lane++) {
                if (lane < count && step < blocks[lane]) {
                    pointers[lane] = messages[lane] + 128 * step;
                    active |= (__mmask8)(1u << lane);
                } else {
                    pointers[lane] = idle_block;
                }
            }
            compress_x8(state, pointers, active);
        }
        uint64_t words[8][8];
        for (int i = 0; i < 8; i++) _mm512_storeu_si512(words[i], state[i]);
        for (int lane = 0; lane < count; lane++) {
            for (int i = 0; i < 8; i++) {
                uint64_t word = __builtin_bswap64(words[i][lane]);
                memcpy(lanes[lane].digest + 8 * i, &word, 8);
            }
        }
    }
    memset(messages, 0, sizeof messages);
}

#else

int mailshard_shacrypt512_x8_available(void) { return 0; }

void mailshard_shacrypt512_x8_rounds(mailshard_shacrypt512_lane *lanes, int count, uint32_t rounds) {
    (void)lanes; (void)count; (void)rounds;
    __builtin_trap();  // never called: available() is 0 here
}

#endif
