/* optim.h - the optimizers, with Keras's defaults and Keras 3's exact update
 * rules (keras/src/optimizers/{sgd,adam,rmsprop,adagrad}.py), applied to a
 * flat vector of scalar parameters. */
#ifndef FIT_OPTIM_H
#define FIT_OPTIM_H

#include <stddef.h>

typedef enum { OPTIM_SGD = 0, OPTIM_ADAM, OPTIM_RMSPROP, OPTIM_ADAGRAD, OPTIM_KIND_COUNT } optim_kind;

/* Every hyperparameter of every optimizer; each kind reads its own.
 * clipnorm, clipvalue, global_clipnorm: 0 means off. */
typedef struct optim_conf {
    optim_kind kind;
    double learning_rate;
    double momentum; /* sgd, rmsprop */
    int nesterov;    /* sgd */
    double beta_1, beta_2;
    double epsilon; /* adam, rmsprop, adagrad */
    int amsgrad;    /* adam */
    double rho;     /* rmsprop */
    int centered;   /* rmsprop */
    double initial_accumulator_value; /* adagrad */
    double clipnorm;        /* per weight, as Keras: each scalar's |g| capped */
    double clipvalue;       /* each g clipped to [-clipvalue, clipvalue] */
    double global_clipnorm; /* the whole gradient vector's L2 norm capped */
} optim_conf;

/* Fills c with Keras's defaults for kind. */
void optim_defaults(optim_conf *c, optim_kind kind);
/* "sgd", "adam", ... ; NULL for an out-of-range kind. */
const char *optim_name(optim_kind kind);
/* The kind named name, or -1. */
int optim_by_name(const char *name);

typedef struct optim optim;

/* A new optimizer state for n parameters; copies conf. Returns NULL on
 * allocation failure. The caller owns the result (optim_free). */
optim *optim_new(const optim_conf *conf, size_t n);
/* One update: clips grad in place, then updates params[0..n). Keras allows
 * only one of clipnorm, global_clipnorm, clipvalue; if several are set, the
 * first of them in that order that is > 0 applies, as Keras's
 * _clip_gradients chooses. */
void optim_step(optim *o, double *params, double *grad);
/* Forgets all slot state (moments, accumulators, iteration count). */
void optim_reset(optim *o);
void optim_free(optim *o); /* NULL-safe */

#endif
