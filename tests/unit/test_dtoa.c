/* test_dtoa.c - shortest reals against an independent reference built
 * from glibc's correctly rounded printf and strtod (below), on every
 * binary exponent, subnormals, integers, powers of two and ten, short
 * decimals and random bit patterns. Every text must also read back. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "service/dtoa.h"

/* The reference: the fewest digits P (1..17) for which printf's
 * correctly rounded "%.*e" reads back to the same double (round trip is
 * monotonic in P, so a binary search finds it), laid out as %g would with
 * precision max(15, P): "%.*e" beyond it, "%.*f" within, ".0" on
 * integer-looking texts. Returns P. */
static int reference(double x, char *out) {
    int lo = 1, hi = 17;
    char t[48];
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        snprintf(t, sizeof t, "%.*e", mid - 1, x);
        if (strtod(t, NULL) == x)
            hi = mid;
        else
            lo = mid + 1;
    }
    snprintf(t, sizeof t, "%.*e", lo - 1, x);
    int lead = atoi(strchr(t, 'e') + 1);
    int prec = lo > 15 ? lo : 15;
    if (lead < -4 || lead >= prec) {
        strcpy(out, t);
    } else {
        int decimals = lo - 1 - lead;
        int n = snprintf(out, 400, "%.*f", decimals > 0 ? decimals : 0, x);
        if (strchr(out, '.') == NULL) strcpy(out + n, ".0");
    }
    return lo;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t next_u64(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717u;
}

static double from_bits(uint64_t b) {
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

static long mismatches, tried;

/* Compares x's text with the reference and that it reads back; prints
 * the first few differences. */
static void try_one(double x) {
    if (!isfinite(x)) return;
    char got[DTOA_MAX], want[400];
    size_t n = dtoa_json(x, got);
    int ref_digits = reference(x, want);
    tried++;
    double back = strtod(got, NULL);
    /* The reference tries only the nearest P-digit decimal; at a power
       of two the interval below x is half as wide, and another P-digit
       decimal above x may read back where the nearest does not. There
       shorter is right (Python's repr agrees on the examples). */
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    unsigned long long d;
    int e, pow2 = (bits & (((uint64_t)1 << 52) - 1)) == 0;
    int shorter = pow2 && dtoa_shortest(x, &d, &e) < ref_digits;
    if ((!shorter && strcmp(got, want) != 0) || n != strlen(got) ||
        memcmp(&back, &x, sizeof x) != 0) {
        if (mismatches++ < 10) fprintf(stderr, "  %a: got %s, want %s\n", x, got, want);
    }
}

static void test_fixed_cases(void) {
    char t[DTOA_MAX];
    struct {
        double x;
        const char *text;
    } cases[] = {
        {0.0, "0.0"},
        {-0.0, "-0.0"},
        {1.0, "1.0"},
        {3.0, "3.0"},
        {-2.5, "-2.5"},
        {0.05, "0.05"},
        {0.1, "0.1"},
        {0.3, "0.3"},
        {0.1 + 0.2, "0.30000000000000004"},
        {100.0, "100.0"},
        {1e15, "1e+15"},
        {123456789012345.0, "123456789012345.0"},
        {1e20, "1e+20"},
        {1e-5, "1e-05"},
        {0.0001, "0.0001"},
        {1e100, "1e+100"},
        {1e-300, "1e-300"},
        {DBL_MAX, "1.7976931348623157e+308"},
        {DBL_MIN, "2.2250738585072014e-308"},
        {5e-324, "5e-324"},
        {1e-323, "1e-323"},
        {8e-323, "8e-323"},
        {9007199254740991.0, "9007199254740991.0"},
        {9007199254740992.0, "9007199254740992.0"},
        {2.0 / 3.0, "0.6666666666666666"},
        {1.281650271168446, "1.281650271168446"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dtoa_json(cases[i].x, t);
        CHECK_STR(t, cases[i].text);
    }
    dtoa_json(NAN, t);
    CHECK_STR(t, "null");
    dtoa_json(-INFINITY, t);
    CHECK_STR(t, "null");
    unsigned long long d;
    int e;
    CHECK_INT(dtoa_shortest(1.5e-7, &d, &e), 2);
    CHECK_INT(d, 15);
    CHECK_INT(e, -8);
    dtoa_json(0x1p-1017, t); /* a power of two with a shorter form above it */
    CHECK_STR(t, "7.120236347223045e-307");
}

/* Every binary exponent: the power of two, its neighbours and a few
 * random significands, both signs. */
static void test_every_exponent(void) {
    mismatches = tried = 0;
    for (uint64_t bq = 0; bq < 2047; bq++) {
        uint64_t base = bq << 52;
        uint64_t ts[] = {0, 1, 2, 3, ((uint64_t)1 << 52) - 1, ((uint64_t)1 << 52) - 2};
        for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
            try_one(from_bits(base | ts[i]));
            try_one(-from_bits(base | ts[i]));
        }
        for (int r = 0; r < 60; r++) try_one(from_bits(base | (next_u64() >> 12)));
    }
    CHECK(tried > 140000);
    CHECK_INT(mismatches, 0);
}

/* Integers, powers of ten and short decimals: where the shortest form is
 * much shorter than 17 digits. */
static void test_short_decimals(void) {
    mismatches = tried = 0;
    for (int i = -2000; i <= 2000; i++) try_one((double)i);
    for (int k = -325; k <= 309; k++) {
        double p = pow(10.0, k);
        try_one(p);
        try_one(nextafter(p, 0));
        try_one(nextafter(p, INFINITY));
        for (int m = 1; m < 100; m += 7) try_one(m * p);
    }
    for (int i = 1; i < 100000; i++) try_one(i / 1000.0);
    for (int i = 1; i < 100000; i++) try_one((double)next_u64() / 1e19 * 1e6);
    CHECK_INT(mismatches, 0);
}

static void test_random_bits(void) {
    mismatches = tried = 0;
    for (int i = 0; i < 400000; i++) try_one(from_bits(next_u64()));
    CHECK(tried > 398000);
    CHECK_INT(mismatches, 0);
}

int main(void) {
    test_fixed_cases();
    test_every_exponent();
    test_short_decimals();
    test_random_bits();
    return check_done("test_dtoa");
}
