/* spec.h - a validated job specification as the core sees it: plain C, no
 * JSON. The service's spec reader fills it; spec_expand turns the built-in
 * model and loss kinds into expressions and parameters; train_run runs it. */
#ifndef FIT_SPEC_H
#define FIT_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "data.h"
#include "err.h"
#include "optim.h"

#define FIT_MAX_PARAMS 64 /* scalar parameters in one model */
#define FIT_MAX_INPUTS 64 /* input columns of a linear model */
#define FIT_MAX_EPOCHS 1000000L

typedef enum { INIT_CONST = 0, INIT_NORMAL, INIT_UNIFORM } init_kind;

/* const: value a; normal: mean a, sd b; uniform: min a, max b. */
typedef struct fit_init {
    init_kind kind;
    double a, b;
} fit_init;

typedef struct fit_param {
    char name[FIT_NAME_MAX];
    fit_init init;
    int positive; /* the value never becomes <= 0 */
} fit_param;

typedef enum { MODEL_LINEAR = 0, MODEL_GAUSSIAN, MODEL_EXPRESSION, MODEL_KIND_COUNT } model_kind;
typedef enum { OUT_PREDICT = 0, OUT_LOGPDF } model_output;

typedef struct fit_model {
    model_kind kind;
    model_output output; /* predict (regression) or logpdf (density) */
    char *expr;          /* owned; set by the reader for expression models,
                            by spec_expand for built-ins */
    char inputs[FIT_MAX_INPUTS][FIT_NAME_MAX]; /* linear: x columns; gaussian: x */
    size_t ninputs;
    char target[FIT_NAME_MAX]; /* y column of a regression model; "" for density */
} fit_model;

typedef enum {
    LOSS_MSE = 0,
    LOSS_MAE,
    LOSS_HUBER,
    LOSS_NLL,
    LOSS_GAUSSIAN_NLL,
    LOSS_EXPR,
    LOSS_KIND_COUNT
} loss_kind;

typedef struct fit_loss {
    loss_kind kind;
    double delta; /* huber */
    char *expr;   /* owned; the user's text, or made by spec_expand */
} fit_loss;

typedef struct fit_early_stop {
    int enabled;
    int monitor_val; /* 1: val_loss, 0: loss */
    double min_delta;
    long patience;
    int restore_best;
} fit_early_stop;

typedef struct fit_spec {
    fit_model model;
    fit_loss loss;
    fit_param params[FIT_MAX_PARAMS]; /* in the order the model names them */
    size_t nparams;
    optim_conf optim;
    long epochs;
    long batch_size; /* 0: the whole training set in one batch */
    int shuffle;
    uint64_t seed;
    double validation_split; /* in [0, 1): the last fraction of rows */
    fit_early_stop early;
    double max_seconds; /* 0: no limit */
} fit_spec;

/* Defaults: linear model on x -> y, mse, sgd (Keras defaults), 100 epochs,
 * full batch, no shuffle, seed 0. Owns nothing yet. */
void spec_init(fit_spec *s);
/* Frees the expression texts; s can be spec_init'ed again. */
void spec_clear(fit_spec *s);

/* Turns built-in kinds into expressions: for linear and gaussian models it
 * writes model.expr and the parameter list with the DESIGN.md default
 * initializers (for expression models the reader has set both); for
 * built-in losses it writes loss.expr; gaussian_nll appends a positive
 * parameter `sigma` initialised to 1. Checks that the loss suits the model
 * (nll needs a density model; mse, mae, huber, gaussian_nll a regression
 * model). Returns FIT_OK, or FIT_EINVAL with e->source naming the field. */
int spec_expand(fit_spec *s, fit_err *e);

/* Index of the parameter called name, or -1. */
int spec_param_index(const fit_spec *s, const char *name);

const char *model_kind_name(model_kind k);
int model_kind_by_name(const char *name); /* -1 when unknown */
const char *loss_kind_name(loss_kind k);
int loss_kind_by_name(const char *name); /* -1 when unknown; "expr" is not a name */

#endif
