/* dtoa.c - shortest round-trip decimals of doubles (Schubfach).
 *
 * The algorithm and its proof are R. Giulietti's, "The Schubfach way to
 * render doubles" (2020), as in OpenJDK's DoubleToDecimal. A double v =
 * c 2^q has a rounding interval Rv of the reals that read back as v; the
 * shortest decimal is found among at most four candidates near v 10^-k,
 * computed with one 126-bit power of ten (dtoa_table.h) and 64x64-bit
 * products. */
#include "dtoa.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtoa_table.h"

__extension__ typedef unsigned __int128 u128;

enum {
    DTOA_P = 53,        /* significand bits, hidden one included */
    DTOA_Q_MIN = -1074, /* exponent of the smallest subnormal */
    DTOA_C_TINY = 3,    /* subnormals below it get one more digit */
};
#define DTOA_C_MIN ((uint64_t)1 << (DTOA_P - 1))
#define DTOA_MASK63 ((uint64_t)0x7fffffffffffffff)

/* floor(x / 2^s) for any sign of x (>> of a negative value is
 * implementation-defined in C). */
static int floor_shift(int64_t x, int s) {
    if (x >= 0) return (int)(x >> s);
    return -(int)(((uint64_t)-x + ((uint64_t)1 << s) - 1) >> s);
}

/* floor(log10(2^e)), floor(log10(3/4 2^e)), floor(log2(10^e)) for the
 * exponents doubles have (|e| < 2^11): Giulietti's fixed-point forms. */
static int flog10pow2(int e) {
    return floor_shift((int64_t)e * 661971961083LL, 41);
}
static int flog10_three_quarters_pow2(int e) {
    return floor_shift((int64_t)e * 661971961083LL - 274743187321LL, 41);
}
static int flog2pow10(int e) {
    return floor_shift((int64_t)e * 913124641741LL, 38);
}

/* Round to odd of cp g 2^-127, g = g1 2^63 + g0 (the paper's rop). */
static uint64_t rop(uint64_t g1, uint64_t g0, uint64_t cp) {
    uint64_t x1 = (uint64_t)(((u128)g0 * cp) >> 64);
    u128 y = (u128)g1 * cp;
    uint64_t y0 = (uint64_t)y, y1 = (uint64_t)(y >> 64);
    uint64_t z = (y0 >> 1) + x1;
    uint64_t vbp = y1 + (z >> 63);
    return vbp | (((z & DTOA_MASK63) + DTOA_MASK63) >> 63);
}

/* The decimal of c 2^q: sets *f and *e so that v = f 10^e (f may end in
 * zeros). dk is -1 when c was scaled by 10 (the tiniest subnormals). */
static void to_decimal(int q, uint64_t c, int dk, uint64_t *f, int *e) {
    uint64_t out = c & 1;
    uint64_t cb = c << 2, cbr = cb + 2, cbl;
    int k;
    if (c != DTOA_C_MIN || q == DTOA_Q_MIN) { /* regular spacing */
        cbl = cb - 2;
        k = flog10pow2(q);
    } else { /* v is a power of two: the interval below is half as wide */
        cbl = cb - 1;
        k = flog10_three_quarters_pow2(q);
    }
    int h = q + flog2pow10(-k) + 2;
    const uint64_t *g = dtoa_g[k - DTOA_K_MIN];
    uint64_t vb = rop(g[0], g[1], cb << h);
    uint64_t vbl = rop(g[0], g[1], cbl << h);
    uint64_t vbr = rop(g[0], g[1], cbr << h);
    uint64_t s = vb >> 2;
    if (s >= 100) {
        /* one digit fewer: sp10 = 10 floor(s / 10), and the next one up */
        uint64_t sp10 = 10 * (uint64_t)(((u128)s * 1844674407370955168u) >> 64);
        uint64_t tp10 = sp10 + 10;
        int upin = vbl + out <= sp10 << 2;
        int wpin = (tp10 << 2) + out <= vbr;
        if (upin != wpin) {
            *f = upin ? sp10 : tp10;
            *e = k + dk;
            return;
        }
    }
    uint64_t t = s + 1;
    int uin = vbl + out <= s << 2;
    int win = (t << 2) + out <= vbr;
    *e = k + dk;
    if (uin != win) {
        *f = uin ? s : t;
        return;
    }
    /* both in Rv: the closer, the even one on a tie */
    int64_t cmp = (int64_t)(vb - ((s + t) << 1));
    *f = cmp < 0 || (cmp == 0 && (s & 1) == 0) ? s : t;
}

static const uint64_t pow10[18] = {1u,
                                   10u,
                                   100u,
                                   1000u,
                                   10000u,
                                   100000u,
                                   1000000u,
                                   10000000u,
                                   100000000u,
                                   1000000000u,
                                   10000000000u,
                                   100000000000u,
                                   1000000000000u,
                                   10000000000000u,
                                   100000000000000u,
                                   1000000000000000u,
                                   10000000000000000u,
                                   100000000000000000u};

/* Schubfach, like Java, lets a subnormal whose shortest form has one
 * digit come out with two when those are closer (4.9e-324 for 5e-324).
 * For a two-digit f 10^*e of subnormal x: the one-digit neighbour nearer
 * to it when that reads back as x (strtod settles it; a rare path), else
 * f. */
static uint64_t one_digit(double x, uint64_t f, int *e) {
    uint64_t d = f / 10 + (f % 10 >= 5);
    char t[32];
    snprintf(t, sizeof t, "%llue%d", (unsigned long long)d, *e + 1);
    if (strtod(t, NULL) != fabs(x)) return f;
    *e += 1;
    if (d == 10) { /* 9.6e-323 -> 1e-322 */
        *e += 1;
        d = 1;
    }
    return d;
}

int dtoa_shortest(double x, unsigned long long *digits, int *exp10) {
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    uint64_t t = bits & (DTOA_C_MIN - 1);
    int bq = (int)((bits >> (DTOA_P - 1)) & 0x7ff);
    uint64_t f = 0;
    int e = 0;
    if (bq != 0) {
        int mq = -DTOA_Q_MIN + 1 - bq; /* -q */
        uint64_t c = DTOA_C_MIN | t;
        if (mq > 0 && mq < DTOA_P && ((c >> mq) << mq) == c) {
            f = c >> mq; /* an integer below 2^53: its own digits */
        } else {
            to_decimal(-mq, c, 0, &f, &e);
        }
    } else if (t < DTOA_C_TINY) {
        to_decimal(DTOA_Q_MIN, 10 * t, -1, &f, &e);
    } else {
        to_decimal(DTOA_Q_MIN, t, 0, &f, &e);
    }
    while (f != 0 && f % 10 == 0) {
        f /= 10;
        e++;
    }
    if (bq == 0 && f >= 10 && f < 100) f = one_digit(x, f, &e);
    *digits = f;
    *exp10 = e;
    /* most doubles have 16 or 17 digits: count down from 17 */
    int n = 17;
    while (n > 1 && f < pow10[n - 1]) n--;
    return n;
}

size_t dtoa_json(double x, char out[DTOA_MAX]) {
    char *p = out;
    if (!isfinite(x)) {
        memcpy(out, "null", 5);
        return 4;
    }
    if (signbit(x)) *p++ = '-';
    if (x == 0) {
        memcpy(p, "0.0", 4);
        return (size_t)(p - out) + 3;
    }
    unsigned long long f;
    int e;
    char d[20];
    int n = dtoa_shortest(x, &f, &e);
    static const char pairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    int left = n; /* digits still to write, from the right */
    for (; left >= 2; left -= 2, f /= 100) memcpy(d + left - 2, pairs + 2 * (f % 100), 2);
    if (left == 1) d[0] = (char)('0' + f);
    int lead = n - 1 + e; /* the power of ten of the first digit */
    int prec = n > 15 ? n : 15;
    if (lead < -4 || lead >= prec) { /* d.ddde+XX, as %g writes it */
        *p++ = d[0];
        if (n > 1) {
            *p++ = '.';
            memcpy(p, d + 1, (size_t)n - 1);
            p += n - 1;
        }
        *p++ = 'e';
        *p++ = lead < 0 ? '-' : '+';
        int a = lead < 0 ? -lead : lead;
        if (a >= 100) *p++ = (char)('0' + a / 100);
        *p++ = (char)('0' + a / 10 % 10);
        *p++ = (char)('0' + a % 10);
    } else if (lead >= 0) { /* ddd.ddd or ddd.0 */
        for (int i = 0; i <= lead; i++) *p++ = i < n ? d[i] : '0';
        *p++ = '.';
        if (n > lead + 1) {
            memcpy(p, d + lead + 1, (size_t)(n - lead - 1));
            p += n - lead - 1;
        } else {
            *p++ = '0';
        }
    } else { /* 0.000ddd */
        *p++ = '0';
        *p++ = '.';
        for (int i = 0; i < -lead - 1; i++) *p++ = '0';
        memcpy(p, d, (size_t)n);
        p += n;
    }
    *p = '\0';
    return (size_t)(p - out);
}
