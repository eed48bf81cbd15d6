/* test_seed.c - seeds and random bytes (src/service/seed.c): seeds in
 * range and distinct; the per-thread pool of the kernel's bytes hands out
 * every request filled, across its block boundaries and past its size,
 * never the same bytes twice (in one thread or across threads), with each
 * bit set about half the time. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "service/seed.h"

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Count of equal neighbours in v[0..n) once sorted. */
static size_t repeats(uint64_t *v, size_t n) {
    qsort(v, n, sizeof *v, cmp_u64);
    size_t r = 0;
    for (size_t i = 1; i < n; i++) r += v[i] == v[i - 1];
    return r;
}

static void test_seeds(void) {
    enum { N = 20000 };
    static uint64_t v[N];
    int out_of_range = 0;
    for (int i = 0; i < N; i++) {
        v[i] = seed_draw();
        out_of_range += v[i] >= SEED_MAX_VALUE;
    }
    CHECK_INT(out_of_range, 0);
    CHECK_INT((long long)repeats(v, N), 0);
}

/* Requests of every size from 1 to 300 bytes (the pool holds 256): each
 * filled (a canary after it untouched), and their 8-byte words distinct. */
static void test_sizes(void) {
    unsigned char buf[310];
    static uint64_t words[40000];
    size_t nw = 0;
    int failed = 0, overrun = 0;
    for (int round = 0; round < 3; round++) {
        for (size_t n = 1; n <= 300; n++) {
            memset(buf, 0xA5, sizeof buf);
            failed += seed_bytes(buf, n) != 0;
            overrun += buf[n] != 0xA5;
            for (size_t k = 0; k + 8 <= n && nw < sizeof words / sizeof words[0]; k += 8)
                memcpy(&words[nw++], buf + k, 8);
        }
    }
    CHECK_INT(failed, 0);
    CHECK_INT(overrun, 0);
    CHECK(nw > 10000);
    CHECK_INT((long long)repeats(words, nw), 0);
}

/* Over 800,000 bits, each of the 8 bit positions is set 50% +- 1%. */
static void test_balance(void) {
    long set[8] = {0};
    unsigned char b[100];
    for (int i = 0; i < 1000; i++) {
        CHECK_INT(seed_bytes(b, sizeof b), 0);
        for (size_t k = 0; k < sizeof b; k++)
            for (int bit = 0; bit < 8; bit++) set[bit] += (b[k] >> bit) & 1;
    }
    for (int bit = 0; bit < 8; bit++) CHECK_NEAR((double)set[bit] / 100000.0, 0.5, 0.01);
}

/* Four threads draw ids' worth of bytes at once: no 6-byte draw of one
 * thread equals another's (each thread has a pool of its own). */
enum { THREADS = 4, DRAWS = 5000 };
static uint64_t drawn[THREADS * DRAWS];

static void *draw_main(void *arg) {
    uint64_t *out = arg;
    for (int i = 0; i < DRAWS; i++) {
        uint64_t v = 0;
        if (seed_bytes(&v, 6) != 0) v = 0;
        out[i] = v;
    }
    return NULL;
}

static void test_threads(void) {
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) CHECK_INT(pthread_create(&t[i], NULL, draw_main, drawn + i * DRAWS), 0);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    int zero = 0;
    for (int i = 0; i < THREADS * DRAWS; i++) zero += drawn[i] == 0;
    CHECK_INT(zero, 0);
    CHECK_INT((long long)repeats(drawn, THREADS * DRAWS), 0);
}

int main(void) {
    test_seeds();
    test_sizes();
    test_balance();
    test_threads();
    return check_done("test_seed");
}
