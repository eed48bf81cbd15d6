/* plots.h - fitd's pictures, as SVG 1.1 documents built on plot.h from
 * plain arrays (a handler pulls the arrays out of a job or an evaluation
 * and answers with the text, Content-Type image/svg+xml):
 *
 *   GET  /v1/jobs/{id}/plots/loss.svg   plots_loss
 *   GET  /v1/jobs/{id}/plots/fit.svg    plots_fit_regression or plots_fit_density
 *   POST /v1/evaluate with a grid       plots_grid
 *
 * Every function borrows its arrays and strings, returns a NUL-terminated
 * document that the caller frees, with its length in *len (len may be
 * NULL), and returns NULL on allocation failure or bad input (an array
 * NULL where n or m says it has values). n == 0 gives a valid document
 * whose plot says "no data". Non-finite values are skipped; a million
 * points still make a document of a few hundred kilobytes at most (see
 * plot.h on downsampling). The same input always gives the same bytes.
 * A NULL title or name gets a default. */
#ifndef FITD_PLOTS_H
#define FITD_PLOTS_H

#include <stddef.h>

/* loss[i] and val_loss[i] (val_loss may be NULL) against epoch[i], i < n,
 * on a log10 y axis when every finite value is > 0 and the largest is over
 * 100 times the smallest. */
char *plots_loss(const double *epoch, const double *loss, const double *val_loss, size_t n,
                 const char *title, size_t *len);

/* The data (x[i], y[i]), i < n, as dots; the fitted model's curve
 * (curve_x[j], curve_y[j]), j < m, and the reference solution's
 * (curve_x[j], ref_y[j]) dashed when ref_y is not NULL. curve_x is an
 * ascending grid over the data's x range, on which the caller evaluated
 * the models. */
char *plots_fit_regression(const double *x, const double *y, size_t n, const double *curve_x,
                           const double *curve_y, const double *ref_y, size_t m, const char *xname,
                           const char *yname, const char *title, size_t *len);

/* A histogram of x[0..n) as a density (Freedman-Diaconis bins, clamped to
 * 10..60, over the finite values' range) under the fitted pdf
 * (curve_x[j], pdf[j]), j < m, and the reference's (curve_x[j],
 * ref_pdf[j]) dashed when ref_pdf is not NULL. */
char *plots_fit_density(const double *x, size_t n, const double *curve_x, const double *pdf,
                        const double *ref_pdf, size_t m, const char *xname, const char *title,
                        size_t *len);

/* Two stacked panels sharing the x axis `param`: loss[i] above and the
 * log-likelihood ll[i] below, against values[i], i < n; dashed vertical
 * markers at min_loss_at and max_ll_at through both, each labelled with
 * its value (a marker is left out when its position is not finite). */
char *plots_grid(const double *values, const double *loss, const double *ll, size_t n,
                 const char *param, double min_loss_at, double max_ll_at, const char *title,
                 size_t *len);

#endif
