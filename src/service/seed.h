/* seed.h - a fresh seed for a job that did not bring one. */
#ifndef FITD_SEED_H
#define FITD_SEED_H

#include <stdint.h>

/* The largest seed fitd accepts or draws: 2^53, so that every seed is an
 * exact integer in any JSON reader (JavaScript included). */
#define SEED_MAX_VALUE 9007199254740992ULL

/* A seed in [0, 2^53) from /dev/urandom; when that cannot be read, from the
 * clock and the process id mixed by splitmix64 (still reported, so the run
 * remains reproducible). */
uint64_t seed_draw(void);

#endif
