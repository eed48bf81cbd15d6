/* gen.h - synthetic datasets drawn from a seed. */
#ifndef FIT_GEN_H
#define FIT_GEN_H

#include <stdint.h>

#include "data.h"
#include "err.h"

typedef enum { GEN_LINEAR = 0, GEN_GAUSSIAN } gen_kind;

/* linear: columns x (n points evenly spaced on [x_min, x_max]) and
 * y = m*x + b + noise_sd * N(0,1); gaussian: column x ~ N(mu, sigma). */
typedef struct gen_conf {
    gen_kind kind;
    long n;
    double m, b, noise_sd, x_min, x_max; /* linear */
    double mu, sigma;                    /* gaussian */
    uint64_t seed;
} gen_conf;

/* Checks c without generating anything: n in range, every field finite,
 * and no value the generator could draw overflows a double. FIT_OK, or an
 * error naming the field (FIT_ELIMIT for n). gen_data calls it first. */
int gen_check(const gen_conf *c, fit_err *e);

/* Builds the dataset. Returns FIT_OK and *out (caller owns, data_free), or
 * an error for n < 1 or n > FIT_MAX_ROWS (FIT_ELIMIT) or a negative spread. */
int gen_data(const gen_conf *c, fit_data **out, fit_err *e);

#endif
