/* colstats.c - column statistics: min and max in one pass; then the mean
 * and the mean squared deviation from it, each by a compensated sum over
 * the values scaled by 2^-e (e: the exponent of the largest magnitude, so
 * every scaled value is below 1 in magnitude). Scaling by a power of two
 * is exact, so nothing changes but that the sums cannot overflow and the
 * squares can neither overflow nor underflow, whatever the data's range.
 *
 * The sums are compensated (Neumaier) rather than plain: a plain running
 * sum of a million values loses digits in a way that depends on n (adding
 * many small terms to a large total rounds the same way each time), a
 * compensated one is good to a few units in the last place. It is a
 * sequential loop on purpose: the order of additions is fixed, so the
 * result is the same on every machine. It relies on IEEE arithmetic as
 * written: no -ffast-math, which would cancel the compensation away. */
#include "colstats.h"

#include <math.h>

/* A running sum s + c, c holding what rounding took from s. */
typedef struct ksum {
    double s, c;
} ksum;

static void ksum_add(ksum *k, double v) {
    double t = k->s + v;
    if (fabs(k->s) >= fabs(v))
        k->c += (k->s - t) + v;
    else
        k->c += (v - t) + k->s;
    k->s = t;
}

void colstats_compute(const double *x, size_t n, col_stats *out) {
    out->count = (double)n;
    out->mean = out->sd = out->min = out->max = 0.0;
    if (n == 0) return;

    double lo = x[0], hi = x[0];
    for (size_t i = 1; i < n; i++) {
        if (x[i] < lo) lo = x[i];
        if (x[i] > hi) hi = x[i];
    }
    out->min = lo;
    out->max = hi;
    double big = fabs(lo) > fabs(hi) ? fabs(lo) : fabs(hi);
    if (big == 0.0 || !isfinite(big)) { /* all zero, or not finite numbers */
        out->mean = out->sd = big == 0.0 ? 0.0 : NAN;
        return;
    }
    int e;
    (void)frexp(big, &e);                /* big = m * 2^e, 0.5 <= m < 1 */
    if (e < -1023) e = -1023;            /* subnormal data: 2^-e must be a double */
    const double scale = ldexp(1.0, -e); /* exact: 2^-1024 .. 2^1023 */

    /* xs[i] = x[i] * scale, |xs[i]| < 1; the sum of n of them is < n */
    ksum sum = {0.0, 0.0};
    for (size_t i = 0; i < n; i++) ksum_add(&sum, x[i] * scale);
    double mean = (sum.s + sum.c) / (double)n;

    /* d = xs[i] - mean, |d| < 2, d * d < 4: var = mean of d * d */
    ksum sq = {0.0, 0.0};
    for (size_t i = 0; i < n; i++) {
        double d = x[i] * scale - mean;
        ksum_add(&sq, d * d);
    }
    double var = (sq.s + sq.c) / (double)n;

    /* back to the values' scale; the true mean lies in [min, max] and the
     * true sd is at most max |x|, so rounding may not leave them (a NaN in
     * x makes both NaN, which the comparisons let through) */
    double m = ldexp(mean, e), sd = ldexp(sqrt(var), e);
    out->mean = m < lo ? lo : m > hi ? hi : m;
    out->sd = sd > big ? big : sd;
}
