/* seed.h - a fresh seed for a job that did not bring one. */
#ifndef FITD_SEED_H
#define FITD_SEED_H

#include <stddef.h>
#include <stdint.h>

/* The largest seed fitd accepts or draws: 2^53, so that every seed is an
 * exact integer in any JSON reader (JavaScript included). */
#define SEED_MAX_VALUE 9007199254740992ULL

/* A seed in [0, 2^53) from the kernel's random source; when that cannot be read, from the
 * clock and the process id mixed by splitmix64 (still reported, so the run
 * remains reproducible). */
uint64_t seed_draw(void);

/* Fills buf[0..n) from the kernel's random source (getrandom) without
 * blocking. Returns 0, or -1 when it could not (buf is then unspecified). */
int seed_bytes(void *buf, size_t n);

#endif
