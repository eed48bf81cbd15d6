/* rng.c - xoshiro256** (Blackman & Vigna, reference algorithm) seeded by
 * splitmix64, with uniform, normal and permutation draws on top.
 *
 * Every result here is pure integer arithmetic or a fixed sequence of libm
 * calls, so a seed gives the same stream on every platform: the only
 * floating-point step that can differ by an ulp between libms is the
 * log/cos of rng_normal. */
#include "rng.h"

#include <math.h>

/* splitmix64: advances *state and returns its next output. */
static uint64_t rng_splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint64_t rng_rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

/* s[0..4) = the first four splitmix64 outputs from seed. splitmix64 never
 * gives four zeros in a row, so the xoshiro state is never all zero. */
void rng_seed(rng *r, uint64_t seed) {
    uint64_t st = seed;
    for (int i = 0; i < 4; i++) r->s[i] = rng_splitmix64(&st);
}

/* xoshiro256**: the output scrambles s[1], then the state takes one step. */
uint64_t rng_next(rng *r) {
    uint64_t *s = r->s;
    uint64_t result = rng_rotl(s[1] * 5u, 7) * 9u;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rng_rotl(s[3], 45);
    return result;
}

/* The top 53 bits as k * 2^-53, k in [0, 2^53): exact, and at most
 * 1 - 2^-53, so the result is in [0, 1). */
double rng_uniform(rng *r) {
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Box-Muller, cosine branch. Consumes exactly two 64-bit draws per call:
 * the first gives u1 = 1 - uniform in (0, 1] (exact, never 0, so log is
 * finite; the largest |result| is sqrt(-2 log 2^-53) ~ 8.57), the second
 * u2 = uniform in [0, 1). */
double rng_normal(rng *r) {
    const double two_pi = 6.283185307179586476925286766559;
    double u1 = 1.0 - rng_uniform(r);
    double u2 = rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(two_pi * u2);
}

/* hi:lo = a * b, the full 128-bit product. */
#if defined(__SIZEOF_INT128__) && !defined(FIT_RNG_NO_INT128)
__extension__ typedef unsigned __int128 rng_u128;
static uint64_t rng_mul128(uint64_t a, uint64_t b, uint64_t *lo) {
    rng_u128 m = (rng_u128)a * b;
    *lo = (uint64_t)m;
    return (uint64_t)(m >> 64);
}
#else
static uint64_t rng_mul128(uint64_t a, uint64_t b, uint64_t *lo) {
    uint64_t a0 = a & 0xffffffffu, a1 = a >> 32;
    uint64_t b0 = b & 0xffffffffu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    /* middle column: at most 3 * (2^32 - 1), no overflow */
    uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    *lo = (mid << 32) | (p00 & 0xffffffffu);
    return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}
#endif

/* An unbiased integer in [0, bound), bound >= 1, by Lemire's
 * multiply-and-reject ("Fast random integer generation in an interval",
 * 2019): the high word of next * bound, redrawing while the low word falls
 * in the 2^64 mod bound values that would favour some results. */
static uint64_t rng_bounded(rng *r, uint64_t bound) {
    uint64_t lo;
    uint64_t hi = rng_mul128(rng_next(r), bound, &lo);
    if (lo < bound) {
        uint64_t threshold = (0u - bound) % bound; /* 2^64 mod bound */
        while (lo < threshold) hi = rng_mul128(rng_next(r), bound, &lo);
    }
    return hi;
}

/* Fisher-Yates from the top: for i = n-1 down to 1, swap idx[i] with
 * idx[j], j uniform in [0, i]. Draws n-1 bounded integers (more on the rare
 * rejections), none for n < 2. */
void rng_permutation(rng *r, size_t *idx, size_t n) {
    for (size_t i = 0; i < n; i++) idx[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)rng_bounded(r, (uint64_t)i);
        size_t tmp = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = tmp;
    }
}
