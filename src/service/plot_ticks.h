/* plot_ticks.h - private to plot*.c: the helpers behind plot_nice_ticks and
 * plot_format_number (plot_ticks.c) that the renderer (plot.c) also calls
 * on its own: ticks at whole numbers only, tick labels forced into
 * exponent form, decimals for minor ticks and the widening of a range
 * too narrow to divide. */
#ifndef FITD_PLOT_TICKS_H
#define FITD_PLOT_TICKS_H

#include <stddef.h>

/* k * m * 10^e as the double nearest that decimal (k and m integers): one
 * correctly rounded operation on exact operands, never -0. */
double plot_decimal(double k, int m, int e);

/* Widens *lo..*hi when it is too narrow to divide (a single value): to 5%
 * either side of its middle, or to -1..1 around 0. Leaves it otherwise. */
void plot_widen(double *lo, double *hi);

/* plot_nice_ticks on a linear axis, without its checks: lo <= hi, both
 * finite, 1 <= max_ticks <= 1000. With whole set, only steps of at least 1
 * (ticks at whole numbers). Writes up to cap values to out and returns
 * how many. */
size_t plot_linear_ticks(double lo, double hi, size_t max_ticks, int whole, double *out,
                         size_t cap);

/* plot_format_number, or with sci set always in exponent form ("1e6",
 * "2.5e-5"; 0 stays "0"). Same buffer contract and return. */
size_t plot_format_tick(double v, int digits, int sci, char *buf, size_t cap);

#endif
