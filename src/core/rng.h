/* rng.h - the one seeded random generator of a job: xoshiro256** seeded by
 * splitmix64. Every draw a job makes (initializers, shuffles, synthetic
 * data) comes from here, so a seed reproduces a job bit for bit. */
#ifndef FIT_RNG_H
#define FIT_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct rng {
    uint64_t s[4];
} rng;

/* Seeds the state from one 64-bit value through splitmix64. */
void rng_seed(rng *r, uint64_t seed);
/* Next 64 random bits (xoshiro256**). */
uint64_t rng_next(rng *r);
/* Uniform double in [0, 1) with 53 random bits. */
double rng_uniform(rng *r);
/* Standard normal draw by the Box-Muller transform (one draw per call,
 * no cached second value, so the stream of draws is simple to reason about). */
double rng_normal(rng *r);
/* Fills idx[0..n) with a uniformly random permutation of 0..n-1
 * (Fisher-Yates on the identity, unbiased bounded draws). */
void rng_permutation(rng *r, size_t *idx, size_t n);

#endif
