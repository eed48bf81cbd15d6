/* ols.h - ordinary least squares by Householder QR, the exact reference a
 * linear model fitted with MSE is compared against. */
#ifndef FIT_OLS_H
#define FIT_OLS_H

#include <stddef.h>

/* Solves min ||X beta - y||_2 for beta[0..k), with X given column-wise:
 * xcols[j][0..n) for j < k; xcols[j] NULL stands for a column of ones
 * (an intercept, without its n doubles of memory). Borrows every input. When one column is constant (an intercept),
 * the other columns and y are centred first; every column is scaled to
 * unit norm before the QR, so badly scaled data (NIST Longley) keeps its
 * digits. Rows are fed to the QR in blocks: memory is O(k^2 + block*k).
 * Returns 0 on success, 1 when X is rank deficient (beta untouched),
 * 2 on allocation failure, 3 when n < k. */
int ols_solve(const double *const *xcols, size_t k, const double *y, size_t n, double *beta);

#endif
