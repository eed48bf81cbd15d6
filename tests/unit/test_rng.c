/* test_rng.c - src/core/rng.c: the seeded stream against reference values,
 * and the distributions of uniform, normal and permutation draws. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "core/rng.h"

/* Reference values below were computed once, independently, by a ~30-line
 * Python 3 transcription of splitmix64 and xoshiro256** (the algorithms as
 * published by Blackman & Vigna at prng.di.unimi.it), of Lemire's bounded
 * draw, Fisher-Yates from the top, and Box-Muller as rng.h specifies.
 * splitmix64(0)'s first output 0xe220a8397b1dcdaf is also the commonly
 * published one. */

static const uint64_t seed_values[3] = {0u, 42u, 0x123456789abcdef0u};

/* state after rng_seed(seed): the first four splitmix64 outputs */
static const uint64_t seeded_state[3][4] = {
    {0xe220a8397b1dcdafu, 0x6e789e6aa1b965f4u, 0x06c45d188009454fu, 0xf88bb8a8724c81ecu},
    {0xbdd732262feb6e95u, 0x28efe333b266f103u, 0x47526757130f9f52u, 0x581ce1ff0e4ae394u},
    {0x161922c645ce50e8u, 0xad760cafa1697b60u, 0x3501ff44902ca50du, 0x417cb9a826d831dfu},
};

/* the first five rng_next outputs after rng_seed(seed) */
static const uint64_t first_outputs[3][5] = {
    {0x99ec5f36cb75f2b4u, 0xbf6e1f784956452au, 0x1a5f849d4933e6e0u, 0x6aa594f1262d2d2cu,
     0xbba5ad4a1f842e59u},
    {0x15780b2e0c2ec716u, 0x6104d9866d113a7eu, 0xae17533239e499a1u, 0xecb8ad4703b360a1u,
     0xfde6dc7fe2ec5e64u},
    {0xe01d6fafc557f1b9u, 0xbd627ebe4406b404u, 0x2c23132b578b57dbu, 0x2e8b319d4d1f276au,
     0x608d57acf53888e4u},
};

static void test_reference_stream(void) {
    for (int k = 0; k < 3; k++) {
        rng r;
        rng_seed(&r, seed_values[k]);
        for (int i = 0; i < 4; i++) CHECK(r.s[i] == seeded_state[k][i]);
        for (int i = 0; i < 5; i++) CHECK(rng_next(&r) == first_outputs[k][i]);
    }
}

static void test_uniform(void) {
    rng r;
    /* seed 42: (next >> 11) * 2^-53 of the outputs above, exactly */
    rng_seed(&r, 42u);
    CHECK(rng_uniform(&r) == 0.08386297105988216);
    CHECK(rng_uniform(&r) == 0.3789802506626686);
    CHECK(rng_uniform(&r) == 0.6800434110281394);

    rng_seed(&r, 7u);
    const long n = 1000000;
    int in_range = 1;
    double sum = 0.0;
    for (long i = 0; i < n; i++) {
        double u = rng_uniform(&r);
        if (!(u >= 0.0 && u < 1.0)) in_range = 0;
        sum += u;
    }
    CHECK(in_range);
    /* mean 1/2, standard error sqrt(1/12 / n) */
    CHECK_NEAR(sum / (double)n, 0.5, 5.0 * sqrt(1.0 / 12.0 / (double)n));
}

static void test_normal(void) {
    rng r, r2;
    /* seed 42, first four draws (Python's libm; allow an ulp or two) */
    const double want[4] = {-0.303263064678738, 1.3438117634372806, 0.3834617912676943,
                            0.9369624250258953};
    rng_seed(&r, 42u);
    for (int i = 0; i < 4; i++) CHECK_REL(rng_normal(&r), want[i], 1e-14);

    /* one value per call, from exactly two 64-bit draws */
    rng_seed(&r, 99u);
    rng_seed(&r2, 99u);
    (void)rng_normal(&r);
    (void)rng_next(&r2);
    (void)rng_next(&r2);
    CHECK(rng_next(&r) == rng_next(&r2));

    /* moments of 1e6 draws, within 5 standard errors:
     * se(mean) = 1/sqrt(n), se(sd) ~ 1/sqrt(2n) */
    const long n = 1000000;
    double sum = 0.0, sumsq = 0.0;
    int finite = 1;
    rng_seed(&r, 12345u);
    for (long i = 0; i < n; i++) {
        double z = rng_normal(&r);
        if (!isfinite(z)) finite = 0;
        sum += z;
        sumsq += z * z;
    }
    double mean = sum / (double)n;
    double sd = sqrt(sumsq / (double)n - mean * mean);
    CHECK(finite);
    CHECK_NEAR(mean, 0.0, 5.0 / sqrt((double)n));
    CHECK_NEAR(sd, 1.0, 5.0 / sqrt(2.0 * (double)n));

    /* deterministic for a seed, bit for bit */
    int same = 1;
    rng_seed(&r, 2024u);
    rng_seed(&r2, 2024u);
    for (int i = 0; i < 1000; i++)
        if (rng_normal(&r) != rng_normal(&r2)) same = 0;
    CHECK(same);
}

static int is_permutation(const size_t *idx, size_t n) {
    unsigned char *seen = calloc(n ? n : 1, 1);
    int ok = seen != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        if (idx[i] >= n || seen[idx[i]])
            ok = 0;
        else
            seen[idx[i]] = 1;
    }
    free(seen);
    return ok;
}

static void test_permutation(void) {
    rng r;
    size_t idx[16];

    /* reference permutations (Lemire draws, Fisher-Yates from the top) */
    const size_t want42[10] = {9, 1, 4, 2, 8, 7, 6, 5, 3, 0};
    const size_t want2024[16] = {6, 8, 13, 14, 5, 7, 15, 4, 10, 3, 12, 9, 2, 1, 11, 0};
    int same = 1;
    rng_seed(&r, 42u);
    rng_permutation(&r, idx, 10);
    for (int i = 0; i < 10; i++)
        if (idx[i] != want42[i]) same = 0;
    rng_seed(&r, 2024u);
    rng_permutation(&r, idx, 16);
    for (int i = 0; i < 16; i++)
        if (idx[i] != want2024[i]) same = 0;
    CHECK(same);

    /* n = 0 and n = 1: nothing drawn */
    rng r2;
    rng_seed(&r, 5u);
    rng_seed(&r2, 5u);
    rng_permutation(&r, idx, 0);
    rng_permutation(&r, idx, 1);
    CHECK(idx[0] == 0);
    CHECK(rng_next(&r) == rng_next(&r2));

    /* a larger one is a permutation */
    size_t n = 100000;
    size_t *big = malloc(n * sizeof *big);
    CHECK(big != NULL);
    if (big != NULL) {
        rng_permutation(&r, big, n);
        CHECK(is_permutation(big, n));
        size_t fixed = 0; /* about 1 expected; the identity would give n */
        for (size_t i = 0; i < n; i++) fixed += big[i] == i;
        CHECK(fixed < 20);
    }
    free(big);

    /* all 6 orders of 3 come up equally often: chi-square with 5 degrees of
     * freedom, loose bound (P(chi2_5 > 30) ~ 1.5e-5; the seed is fixed) */
    long count[6] = {0};
    const long trials = 60000;
    rng_seed(&r, 31337u);
    for (long t = 0; t < trials; t++) {
        rng_permutation(&r, idx, 3);
        /* rank of the order: first element * 2 + whether the rest is swapped */
        int code = (int)idx[0] * 2 + (idx[1] > idx[2]);
        count[code]++;
    }
    double expect = (double)trials / 6.0, chi2 = 0.0;
    int all_seen = 1;
    for (int c = 0; c < 6; c++) {
        double d = (double)count[c] - expect;
        chi2 += d * d / expect;
        if (count[c] == 0) all_seen = 0;
    }
    CHECK(all_seen);
    CHECK(chi2 < 30.0);
}

int main(void) {
    test_reference_stream();
    test_uniform();
    test_normal();
    test_permutation();
    return check_done("test_rng");
}
