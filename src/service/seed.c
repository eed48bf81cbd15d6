/* seed.c - drawing a seed, and random bytes for ids. */
#include "seed.h"

#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static uint64_t splitmix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

int seed_bytes(void *buf, size_t n) {
    /* one system call, where opening /dev/urandom took three and a FILE */
    ssize_t got = getrandom(buf, n, GRND_NONBLOCK);
    return got == (ssize_t)n ? 0 : -1;
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
