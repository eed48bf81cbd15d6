/* colstats.h - summary statistics of one column, as a dataset's metadata
 * shows them (store.h's col_stats). */
#ifndef FITD_COLSTATS_H
#define FITD_COLSTATS_H

#include <stddef.h>

#include "store.h"

/* Fills *out from x[0..n) (borrowed): count n, mean, sd (population: the
 * root of the mean squared deviation, 1/N), min and max. Stable: two
 * passes, each a compensated sum over the values scaled by a power of two
 * so that neither the sums nor the squares can overflow or underflow,
 * whatever the magnitudes; mean and sd are as accurate as doubles allow
 * unless the values nearly cancel, and bit-identical on every machine for
 * the same x. For finite x all
 * five are finite, min <= mean <= max and 0 <= sd <= max |x|; if any x is
 * NaN or infinite, mean and sd are NaN. n == 0 gives all zeros (there is
 * no mean of nothing, and NaN has no JSON). */
void colstats_compute(const double *x, size_t n, col_stats *out);

#endif
