/* gen.c - synthetic datasets drawn from a seed: a noisy line, or a sample
 * of a normal distribution. One rng per call, seeded by rng_seed(c->seed),
 * drawn from in row order, so a configuration gives the same bits always. */
#include "gen.h"

#include <math.h>

#include "rng.h"

/* A normal draw here never exceeds sqrt(-2 ln 2^-53) < 9 in magnitude. */
#define GEN_Z_MAX 9.0

int gen_check(const gen_conf *c, fit_err *e) {
    if (c->n < 1) return fit_err_set(e, FIT_EINVAL, 0, "n must be between 1 and %ld", FIT_MAX_ROWS);
    if (c->n > FIT_MAX_ROWS)
        return fit_err_set(e, FIT_ELIMIT, 0, "n must be between 1 and %ld", FIT_MAX_ROWS);
    if (c->kind == GEN_LINEAR) {
        if (!isfinite(c->m)) return fit_err_set(e, FIT_EINVAL, 0, "m must be a finite number");
        if (!isfinite(c->b)) return fit_err_set(e, FIT_EINVAL, 0, "b must be a finite number");
        if (!isfinite(c->noise_sd) || c->noise_sd < 0.0)
            return fit_err_set(e, FIT_EINVAL, 0, "noise_sd must be a finite number >= 0");
        if (!isfinite(c->x_min))
            return fit_err_set(e, FIT_EINVAL, 0, "x_min must be a finite number");
        if (!isfinite(c->x_max))
            return fit_err_set(e, FIT_EINVAL, 0, "x_max must be a finite number");
        if (c->x_max < c->x_min) return fit_err_set(e, FIT_EINVAL, 0, "x_max must be >= x_min");
        if (!isfinite(c->x_max - c->x_min))
            return fit_err_set(e, FIT_EINVAL, 0, "x_max - x_min must be a finite number");
        /* y is linear in x: finite at both ends, with the widest noise, is finite everywhere */
        double ends[2] = {c->x_min, c->x_max};
        for (int k = 0; k < 2; k++) {
            double y = c->m * ends[k] + c->b, spread = GEN_Z_MAX * c->noise_sd;
            if (!isfinite(y) || !isfinite(spread) || !isfinite(fabs(y) + spread))
                return fit_err_set(e, FIT_EINVAL, 0,
                                   "m*x + b + noise overflows a double at x = %g", ends[k]);
        }
        return FIT_OK;
    }
    if (c->kind == GEN_GAUSSIAN) {
        if (!isfinite(c->mu)) return fit_err_set(e, FIT_EINVAL, 0, "mu must be a finite number");
        if (!isfinite(c->sigma) || !(c->sigma > 0.0))
            return fit_err_set(e, FIT_EINVAL, 0, "sigma must be a finite number > 0");
        if (!isfinite(fabs(c->mu) + GEN_Z_MAX * c->sigma))
            return fit_err_set(e, FIT_EINVAL, 0, "mu + sigma * noise overflows a double");
        return FIT_OK;
    }
    return fit_err_set(e, FIT_EINVAL, 0, "kind must be linear or gaussian");
}

/* x[0..n): x_min + i * step with step = (x_max - x_min) / (n - 1), the last
 * point x_max exactly (x_min alone for n == 1), clamped to x_max against
 * rounding. y[0..n): m * x[i] + b + noise_sd * z_i, z_i the i-th
 * rng_normal (drawn for every row, also when noise_sd is 0). Returns
 * FIT_EINVAL if some y overflows. */
static int gen_linear(const gen_conf *c, rng *r, double *x, double *y, size_t n, fit_err *e) {
    double step = n > 1 ? (c->x_max - c->x_min) / (double)(n - 1) : 0.0;
    for (size_t i = 0; i < n; i++) {
        double xi = c->x_min + (double)i * step;
        if (i > 0 && i + 1 == n) xi = c->x_max;
        x[i] = xi > c->x_max ? c->x_max : xi;
    }
    for (size_t i = 0; i < n; i++) {
        double z = rng_normal(r);
        y[i] = c->m * x[i] + c->b + c->noise_sd * z;
        if (!isfinite(y[i]))
            return fit_err_set(e, FIT_EINVAL, 0,
                               "y = m*x + b + noise overflows: m, b, noise_sd or the x range "
                               "is too large");
    }
    return FIT_OK;
}

/* x[0..n): mu + sigma * z_i, z_i the i-th rng_normal. Returns FIT_EINVAL
 * if some value overflows. */
static int gen_gaussian(const gen_conf *c, rng *r, double *x, size_t n, fit_err *e) {
    for (size_t i = 0; i < n; i++) {
        x[i] = c->mu + c->sigma * rng_normal(r);
        if (!isfinite(x[i]))
            return fit_err_set(e, FIT_EINVAL, 0,
                               "x = mu + sigma * N(0,1) overflows: mu or sigma is too large");
    }
    return FIT_OK;
}

/* Borrows c. On success *out is a new dataset the caller owns (data_free);
 * on failure *out is untouched and e says why: FIT_EINVAL for a bad field,
 * FIT_ELIMIT for n > FIT_MAX_ROWS, FIT_ENOMEM. */
int gen_data(const gen_conf *c, fit_data **out, fit_err *e) {
    static const char *const linear_names[2] = {"x", "y"};
    static const char *const gaussian_names[1] = {"x"};
    fit_data *d = NULL;
    rng r;
    size_t n;
    int rc, linear;

    if (c == NULL || out == NULL) return fit_err_set(e, FIT_EINVAL, 0, "no generator config");
    if ((rc = gen_check(c, e)) != FIT_OK) goto done;

    n = (size_t)c->n;
    linear = c->kind == GEN_LINEAR;
    d = data_new(linear ? 2u : 1u, n, linear ? linear_names : gaussian_names);
    if (d == NULL) {
        rc = fit_err_set(e, FIT_ENOMEM, 0, "out of memory for %zu generated rows", n);
        goto done;
    }
    rng_seed(&r, c->seed);
    rc = linear ? gen_linear(c, &r, d->cols[0], d->cols[1], n, e)
                : gen_gaussian(c, &r, d->cols[0], n, e);
    if (rc != FIT_OK) goto done;

    *out = d;
    d = NULL;
done:
    data_free(d);
    return rc;
}
