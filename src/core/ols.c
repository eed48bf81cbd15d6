/* ols.c - least squares by Householder QR on centred, unit-norm columns.
 *
 * Working columns. When X has an intercept (a column whose entries are all
 * the same nonzero value v; the first such column is taken), every other
 * column c is centred, w_c = x_c - mean(x_c), and y by its mean too: an
 * exact reparametrisation that removes the near-collinearity of a column
 * like a year (1947..1962) with the constant, which otherwise costs Longley
 * two or three digits. Then each working column is divided by its 2-norm
 * s_c, so that all columns have the same weight in the QR.
 *
 * Blocks. The rows are taken OLS_BLOCK at a time: each block is stacked
 * under the k x k triangle R built from the rows before it, and k
 * Householder reflections fold it in (the classic QR row update). The
 * result is the QR of the whole working matrix (up to the signs of R's
 * rows), but memory is O(k^2 + OLS_BLOCK * k) whatever n is, and every sum
 * runs in one fixed order: the same inputs give the same bits.
 *
 * Back to beta. With gamma solving R gamma = Q^T (y - my), beta_c =
 * gamma_c / s_c, and for the intercept column ic
 * beta_ic = gamma_ic / s_ic + (my - sum_{c != ic} beta_c * mean_c) / v. */
#include "ols.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define OLS_BLOCK 256 /* rows folded into R per step */

/* |R_jj| below this times max |R_ii| counts as rank deficient. */
#define OLS_RANK_TOL 1e-13

/* The 2-norm of x[i] - shift over i < n, without overflow or harmful
 * underflow: the largest |x_i - shift| is factored out first (two passes,
 * fixed order). NaN or inf if x holds one. */
static double ols_norm(const double *x, size_t n, double shift) {
    double big = 0.0, sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double a = fabs(x[i] - shift);
        if (a > big || isnan(a)) big = a;
    }
    if (big == 0.0 || !isfinite(big)) return big;
    for (size_t i = 0; i < n; i++) {
        double t = (x[i] - shift) / big;
        sum += t * t;
    }
    return big * sqrt(sum);
}

/* The mean of x[0..n), summed in index order. */
static double ols_mean(const double *x, size_t n) {
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) sum += x[i];
    return sum / (double)n;
}

/* Whether x[0..n) is one finite nonzero value repeated. */
static int ols_is_constant(const double *x, size_t n) {
    if (!(isfinite(x[0]) && x[0] != 0.0)) return 0;
    for (size_t i = 1; i < n; i++)
        if (x[i] != x[0]) return 0;
    return 1;
}

/* Folds m rows into the triangle.
 * r[j*k + c]: R row j, column c (c >= j), k x k;  z[0..k): Q^T y, top part.
 * xb[c*OLS_BLOCK + i]: the block's working column c, row i < m;  yb[0..m).
 * For column j the reflection H = I - v v^T / (-alpha v0) acts on R's row j
 * and the m block rows only (R's rows below j are zero in column j), with
 * v = (R_jj - alpha, xb[j][0..m)) and alpha = -sign(R_jj) * norm. */
static void ols_fold(double *r, double *z, double *xb, double *yb, size_t k, size_t m) {
    for (size_t j = 0; j < k; j++) {
        double *vt = xb + j * OLS_BLOCK; /* v's tail, m entries */
        double tail = 0.0;
        for (size_t i = 0; i < m; i++) tail += vt[i] * vt[i];
        if (tail == 0.0) continue; /* nothing below R_jj to fold in */

        double x0 = r[j * k + j];
        double norm = sqrt(x0 * x0 + tail);
        double alpha = x0 > 0.0 ? -norm : norm;
        double v0 = x0 - alpha;    /* sign of -alpha, |v0| = |x0| + norm */
        double denom = alpha * v0; /* -v^T v / 2, never 0 here */

        for (size_t c = j + 1; c < k; c++) {
            double *col = xb + c * OLS_BLOCK;
            double s = v0 * r[j * k + c];
            for (size_t i = 0; i < m; i++) s += vt[i] * col[i];
            double f = s / denom;
            r[j * k + c] += f * v0;
            for (size_t i = 0; i < m; i++) col[i] += f * vt[i];
        }
        double s = v0 * z[j];
        for (size_t i = 0; i < m; i++) s += vt[i] * yb[i];
        double f = s / denom;
        z[j] += f * v0;
        for (size_t i = 0; i < m; i++) yb[i] += f * vt[i];
        r[j * k + j] = alpha;
    }
}

/* Borrows xcols and y; writes beta[0..k) only on success. A column that is
 * all zero, or holds NaN or inf (or values so large that their spread
 * overflows) makes X count as rank deficient (1). A non-finite y gives a
 * non-finite beta. */
int ols_solve(const double *const *xcols, size_t k, const double *y, size_t n, double *beta) {
    int rc = 2;
    double *buf = NULL;
    double *r, *z, *scale, *shift, *xb, *yb;
    double yshift = 0.0, rmax = 0.0;
    size_t ic = k; /* the intercept column, k if none */

    if (n < k) return 3;
    if (k == 0) return 0;

    /* buf: r[k*k] | z[k] | scale[k] | shift[k] | xb[OLS_BLOCK*k] | yb[OLS_BLOCK] */
    if (k > (SIZE_MAX / sizeof(double) - OLS_BLOCK) / (k + OLS_BLOCK + 3)) goto done;
    buf = calloc(k * (k + OLS_BLOCK + 3) + OLS_BLOCK, sizeof(double));
    if (buf == NULL) goto done;
    r = buf;
    z = r + k * k;
    scale = z + k;
    shift = scale + k;
    xb = shift + k;
    yb = xb + OLS_BLOCK * k;

    rc = 1; /* from here on the only failure is rank deficiency */
    /* the intercept: an implicit column of ones first, else a constant column */
    for (size_t c = 0; c < k && ic == k; c++)
        if (xcols[c] == NULL) ic = c;
    for (size_t c = 0; c < k && ic == k; c++)
        if (ols_is_constant(xcols[c], n)) ic = c;
    if (ic < k) {
        for (size_t c = 0; c < k; c++)
            shift[c] = c == ic ? 0.0 : xcols[c] ? ols_mean(xcols[c], n) : 1.0;
        yshift = ols_mean(y, n);
    }
    for (size_t c = 0; c < k; c++) {
        /* a second column of ones centres to zero: rank deficient below */
        scale[c] = xcols[c] ? ols_norm(xcols[c], n, shift[c]) : sqrt((double)n) * fabs(1.0 - shift[c]);
        if (!(scale[c] > 0.0 && isfinite(scale[c]))) goto done; /* zero or non-finite */
    }

    for (size_t row0 = 0; row0 < n; row0 += OLS_BLOCK) {
        size_t m = n - row0 < OLS_BLOCK ? n - row0 : OLS_BLOCK;
        for (size_t c = 0; c < k; c++) {
            double *w = xb + c * OLS_BLOCK;
            if (xcols[c] == NULL) { /* the implicit column of ones */
                for (size_t i = 0; i < m; i++) w[i] = (1.0 - shift[c]) / scale[c];
                continue;
            }
            const double *x = xcols[c] + row0;
            for (size_t i = 0; i < m; i++) w[i] = (x[i] - shift[c]) / scale[c];
        }
        for (size_t i = 0; i < m; i++) yb[i] = y[row0 + i] - yshift;
        ols_fold(r, z, xb, yb, k, m);
    }

    for (size_t j = 0; j < k; j++)
        if (fabs(r[j * k + j]) > rmax) rmax = fabs(r[j * k + j]);
    for (size_t j = 0; j < k; j++)
        if (!(fabs(r[j * k + j]) >= OLS_RANK_TOL * rmax) || rmax == 0.0) goto done;

    /* back-substitution R gamma = z, gamma overwriting z, from the bottom */
    for (size_t jj = k; jj-- > 0;) {
        double s = z[jj];
        for (size_t c = jj + 1; c < k; c++) s -= r[jj * k + c] * z[c];
        z[jj] = s / r[jj * k + jj];
    }
    for (size_t c = 0; c < k; c++) beta[c] = z[c] / scale[c];
    if (ic < k) {
        double level = yshift; /* y's level at x = 0 for the other columns */
        for (size_t c = 0; c < k; c++)
            if (c != ic) level -= beta[c] * shift[c];
        beta[ic] += level / (xcols[ic] ? xcols[ic][0] : 1.0);
    }
    rc = 0;
done:
    free(buf);
    return rc;
}
