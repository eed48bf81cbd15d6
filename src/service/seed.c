/* seed.c - drawing a seed, and random bytes for ids. */
#include "seed.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static uint64_t splitmix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* Each thread draws the kernel's bytes a block at a time and hands them
 * out in order: a job's id and seed cost a system call per ~20 jobs
 * instead of two each. The bytes are the kernel's, used once each; fitd
 * does not fork, so no two processes share a block. */
#define POOL_BYTES 256
static _Thread_local unsigned char pool[POOL_BYTES];
static _Thread_local size_t pool_left;

int seed_bytes(void *buf, size_t n) {
    if (n > POOL_BYTES) return getrandom(buf, n, GRND_NONBLOCK) == (ssize_t)n ? 0 : -1;
    if (pool_left < n) {
        if (getrandom(pool, POOL_BYTES, GRND_NONBLOCK) != POOL_BYTES) return -1;
        pool_left = POOL_BYTES;
    }
    memcpy(buf, pool + (POOL_BYTES - pool_left), n);
    pool_left -= n;
    return 0;
}

uint64_t seed_draw(void) {
    uint64_t v = 0;
    if (seed_bytes(&v, sizeof v) != 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        v = splitmix64((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec) ^
            splitmix64((uint64_t)getpid());
    }
    return v & (SEED_MAX_VALUE - 1);
}
