/* reference.h - closed-form solutions reported beside a trained result:
 * ordinary least squares for a linear model under MSE (and under
 * gaussian_nll, with the maximum-likelihood noise sigma), and the sample
 * mean and 1/N standard deviation for a Gaussian under NLL. */
#ifndef FIT_REFERENCE_H
#define FIT_REFERENCE_H

#include <stddef.h>

#include "data.h"
#include "spec.h"

/* Computes the reference for s on rows [0, rows) of d into params[0..nparams)
 * (in s->params order). Returns the method name ("ols" or "mle"), or NULL
 * when the spec has no closed form or the solve fails (rank deficiency). */
const char *reference_solve(const fit_spec *s, const fit_data *d, size_t rows, double *params);

#endif
