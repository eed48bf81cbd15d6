/* reference.c - closed-form reference solutions. */
#include "reference.h"

#include <math.h>
#include <stdlib.h>

#include "ols.h"

/* OLS of the linear model's target on its inputs and an intercept. On
 * success writes m_*, b (and sigma = sqrt(RSS/n) for gaussian_nll). */
static const char *linear_ols(const fit_spec *s, const fit_data *d, size_t rows, double *params) {
    size_t k = s->model.ninputs + 1;
    const double **xcols = calloc(k, sizeof *xcols);
    double *beta = malloc(k * sizeof *beta);
    const char *method = NULL;
    int yc = data_find(d, s->model.target);
    if (xcols == NULL || beta == NULL || yc < 0) goto done;
    for (size_t j = 0; j + 1 < k; j++) {
        int c = data_find(d, s->model.inputs[j]);
        if (c < 0) goto done;
        xcols[j] = d->cols[c];
    }
    xcols[k - 1] = NULL; /* the intercept: ols_solve's implicit ones */
    if (ols_solve(xcols, k, d->cols[yc], rows, beta) != 0) goto done;
    /* parameters are m (or m_<col>) in input order, then b: the same order */
    for (size_t j = 0; j < k; j++) params[j] = beta[j];
    if (s->loss.kind == LOSS_GAUSSIAN_NLL) {
        double rss = 0;
        const double *y = d->cols[yc];
        for (size_t i = 0; i < rows; i++) {
            double r = y[i] - beta[k - 1];
            for (size_t j = 0; j + 1 < k; j++) r -= beta[j] * xcols[j][i];
            rss += r * r;
        }
        int si = spec_param_index(s, "sigma");
        if (si < 0 || !(rss > 0)) goto done;
        params[si] = sqrt(rss / (double)rows);
    }
    method = "ols";
done:
    free(xcols);
    free(beta);
    return method;
}

/* Sample mean and 1/N standard deviation (two passes, for accuracy). */
static const char *gaussian_mle(const fit_spec *s, const fit_data *d, size_t rows, double *params) {
    int c = data_find(d, s->model.inputs[0]);
    int mi = spec_param_index(s, "mu"), si = spec_param_index(s, "sigma");
    if (c < 0 || mi < 0 || si < 0 || rows == 0) return NULL;
    const double *x = d->cols[c];
    double sum = 0, ss = 0;
    for (size_t i = 0; i < rows; i++) sum += x[i];
    double mean = sum / (double)rows;
    for (size_t i = 0; i < rows; i++) ss += (x[i] - mean) * (x[i] - mean);
    if (!(ss > 0)) return NULL; /* sigma = 0: the likelihood has no maximum */
    params[mi] = mean;
    params[si] = sqrt(ss / (double)rows);
    return "mle";
}

const char *reference_solve(const fit_spec *s, const fit_data *d, size_t rows, double *params) {
    if (s->model.kind == MODEL_LINEAR &&
        (s->loss.kind == LOSS_MSE || s->loss.kind == LOSS_GAUSSIAN_NLL) &&
        s->nparams == s->model.ninputs + 1 + (s->loss.kind == LOSS_GAUSSIAN_NLL))
        return linear_ols(s, d, rows, params);
    if (s->model.kind == MODEL_GAUSSIAN && s->loss.kind == LOSS_NLL && s->nparams == 2)
        return gaussian_mle(s, d, rows, params);
    return NULL;
}
