/* train.h - the training loop: Keras semantics over a compiled program. */
#ifndef FIT_TRAIN_H
#define FIT_TRAIN_H

#include <stdatomic.h>
#include <stddef.h>

#include "data.h"
#include "err.h"
#include "spec.h"

typedef enum {
    TERM_COMPLETED = 0,
    TERM_EARLY_STOPPED,
    TERM_CANCELLED,
    TERM_TIMEOUT,
    TERM_DIVERGED
} train_term;

const char *train_term_name(train_term t);

/* One entry per epoch run. */
typedef struct train_history {
    size_t n;        /* epochs recorded */
    size_t nparams;
    double *loss;    /* loss[k]: mean per-sample loss of epoch k+1's batches,
                        each taken before that batch's update */
    double *val_loss;/* val_loss[k], or NULL without a validation split */
    double *params;  /* params[k*nparams + p]: value after epoch k+1 */
    size_t cap;
} train_history;

/* What a run produced. Owned arrays; train_result_free releases them. */
typedef struct train_result {
    train_term termination;
    long epochs_run;
    size_t nparams;
    double *init_params;  /* [nparams] the drawn starting values */
    double *params;       /* [nparams] returned values */
    double loss;          /* full training-set loss at params */
    double initial_loss;  /* full training-set loss at init_params */
    double best_loss;     /* best monitored epoch value (loss or val_loss) */
    long best_epoch;      /* 1-based epoch of best_loss; 0 if none ran */
    int has_val;
    double val_loss;      /* validation loss at params, when has_val */
    train_history hist;
    int has_reference;
    const char *ref_method; /* "ols" or "mle" (static string) */
    double *ref_params;     /* [nparams] */
    double ref_loss;        /* full training-set loss at ref_params */
    char reason[256];       /* why it ended, for diverged: which epoch */
} train_result;

/* What a running job sees after each epoch. params borrowed for the call. */
typedef struct train_progress {
    long epoch;
    long epochs;
    double loss;
    int has_val;
    double val_loss;
    const double *params;
    size_t nparams;
} train_progress;

typedef struct train_hooks {
    /* Called after each epoch; must be quick (the worker waits on it). */
    void (*on_epoch)(void *ctx, const train_progress *p);
    void *ctx;
    /* Read at least once per batch; nonzero stops the run as cancelled. */
    atomic_int *cancel;
} train_hooks;

/* Trains s on d. hooks may be NULL. Fills r (zeroed first; caller frees
 * with train_result_free even on failure). A diverged run is a success of
 * this function (FIT_OK) with termination TERM_DIVERGED. Returns
 * FIT_EINVAL for a spec that does not fit the data (a missing column, an
 * expression error: e->source and e->column say where), FIT_ENOMEM. */
int train_run(const fit_spec *s, const fit_data *d, const train_hooks *hooks,
              train_result *r, fit_err *e);
void train_result_free(train_result *r);

#endif
