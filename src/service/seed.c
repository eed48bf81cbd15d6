/* seed.c - drawing a seed. */
#include "seed.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static uint64_t splitmix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t seed_draw(void) {
    uint64_t v = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    int ok = f != NULL && fread(&v, sizeof v, 1, f) == 1;
    if (f != NULL) fclose(f);
    if (!ok) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        v = splitmix64((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec) ^
            splitmix64((uint64_t)getpid());
    }
    return v & (SEED_MAX_VALUE - 1);
}
