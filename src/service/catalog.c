/* catalog.c - the tables of every spec field. Bounds follow Keras where it
 * validates (learning rate, betas, rho, momentum) and fitd's own limits
 * elsewhere. */
#include "catalog.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "seed.h"

#define NUM FIELD_NUMBER
#define INT FIELD_INTEGER
#define BOOL FIELD_BOOLEAN
#define SEED FIELD_SEED
#define OPEN_LO FIELD_MIN_OPEN
#define OPEN_HI FIELD_MAX_OPEN
#define NULLABLE FIELD_NULLABLE
#define INF INFINITY
#define SEED_MAX ((double)SEED_MAX_VALUE) /* 2^53: exact in any JSON reader */

#define OC(member) offsetof(optim_conf, member)
const catalog_optim_field catalog_optim_fields[] = {
    {OPTIM_SGD, {"learning_rate", NUM, 0.01, 0, 1e6, OPEN_LO, OC(learning_rate), "step size"}},
    {OPTIM_SGD, {"momentum", NUM, 0.0, 0, 1, OPEN_HI, OC(momentum), "velocity decay"}},
    {OPTIM_SGD, {"nesterov", BOOL, 0, 0, 1, 0, OC(nesterov), "Nesterov momentum"}},

    {OPTIM_ADAM, {"learning_rate", NUM, 0.001, 0, 1e6, OPEN_LO, OC(learning_rate), "step size"}},
    {OPTIM_ADAM, {"beta_1", NUM, 0.9, 0, 1, OPEN_HI, OC(beta_1), "first-moment decay"}},
    {OPTIM_ADAM, {"beta_2", NUM, 0.999, 0, 1, OPEN_HI, OC(beta_2), "second-moment decay"}},
    {OPTIM_ADAM, {"epsilon", NUM, 1e-7, 0, INF, OPEN_LO, OC(epsilon), "added to the denominator"}},
    {OPTIM_ADAM, {"amsgrad", BOOL, 0, 0, 1, 0, OC(amsgrad), "keep the maximum second moment"}},

    {OPTIM_RMSPROP, {"learning_rate", NUM, 0.001, 0, 1e6, OPEN_LO, OC(learning_rate), "step size"}},
    {OPTIM_RMSPROP, {"rho", NUM, 0.9, 0, 1, OPEN_HI, OC(rho), "squared-gradient decay"}},
    {OPTIM_RMSPROP, {"momentum", NUM, 0.0, 0, 1, OPEN_HI, OC(momentum), "velocity decay"}},
    {OPTIM_RMSPROP, {"epsilon", NUM, 1e-7, 0, INF, OPEN_LO, OC(epsilon), "inside the sqrt"}},
    {OPTIM_RMSPROP, {"centered", BOOL, 0, 0, 1, 0, OC(centered), "divide by the variance"}},

    {OPTIM_ADAGRAD, {"learning_rate", NUM, 0.001, 0, 1e6, OPEN_LO, OC(learning_rate), "step size"}},
    {OPTIM_ADAGRAD,
     {"initial_accumulator_value", NUM, 0.1, 0, INF, 0, OC(initial_accumulator_value),
      "starting sum of squared gradients"}},
    {OPTIM_ADAGRAD, {"epsilon", NUM, 1e-7, 0, INF, OPEN_LO, OC(epsilon), "inside the sqrt"}},

    {CATALOG_ANY_KIND,
     {"clipnorm", NUM, 0, 0, INF, OPEN_LO | NULLABLE, OC(clipnorm), "cap on each |gradient|"}},
    {CATALOG_ANY_KIND,
     {"clipvalue", NUM, 0, 0, INF, OPEN_LO | NULLABLE, OC(clipvalue),
      "clip each gradient to [-clipvalue, clipvalue]"}},
    {CATALOG_ANY_KIND,
     {"global_clipnorm", NUM, 0, 0, INF, OPEN_LO | NULLABLE, OC(global_clipnorm),
      "cap on the whole gradient's L2 norm"}},
};
const size_t catalog_optim_nfields = sizeof catalog_optim_fields / sizeof catalog_optim_fields[0];

const catalog_model catalog_models[] = {
    {MODEL_LINEAR, "linear", "predict", "kind, x (a column or a list of columns), y",
     "m*x + b, or m_x1*x1 + ... + b; params m (normal(0, 0.05)), b (zeros)"},
    {MODEL_GAUSSIAN, "gaussian", "logpdf", "kind, x",
     "normal density of column x; params mu (0), sigma (1, positive)"},
    {MODEL_EXPRESSION, "expression", "predict or logpdf",
     "kind, predict or logpdf, y (with predict), params",
     "the user's expression over columns and params"},
};
const size_t catalog_nmodels = sizeof catalog_models / sizeof catalog_models[0];

const catalog_loss catalog_losses[] = {
    {LOSS_MSE, "mse", OUT_PREDICT, "mean((yhat - y)^2)"},
    {LOSS_MAE, "mae", OUT_PREDICT, "mean(|yhat - y|)"},
    {LOSS_HUBER, "huber", OUT_PREDICT, "mean Huber loss with threshold delta"},
    {LOSS_NLL, "nll", OUT_LOGPDF, "mean negative log-density"},
    {LOSS_GAUSSIAN_NLL, "gaussian_nll", OUT_PREDICT,
     "mean Gaussian negative log-likelihood of y around yhat; adds a positive param sigma (1)"},
};
const size_t catalog_nlosses = sizeof catalog_losses / sizeof catalog_losses[0];

const catalog_loss_field catalog_loss_fields[] = {
    {LOSS_HUBER,
     {"delta", NUM, 1.0, 0, INF, OPEN_LO, offsetof(fit_loss, delta),
      "where the loss turns from quadratic to linear"}},
};
const size_t catalog_loss_nfields = sizeof catalog_loss_fields / sizeof catalog_loss_fields[0];

const catalog_gen catalog_gens[] = {
    {GEN_LINEAR, "linear", "columns x (evenly spaced on [x_min, x_max]), y = m*x + b + noise"},
    {GEN_GAUSSIAN, "gaussian", "column x ~ N(mu, sigma)"},
};
const size_t catalog_ngens = sizeof catalog_gens / sizeof catalog_gens[0];

#define GC(member) offsetof(gen_conf, member)
#define ROWS_MAX ((double)FIT_MAX_ROWS)
const catalog_gen_field catalog_gen_fields[] = {
    {GEN_LINEAR, {"n", INT, 100, 1, ROWS_MAX, 0, GC(n), "rows"}},
    {GEN_LINEAR, {"m", NUM, 1.0, -INF, INF, 0, GC(m), "slope"}},
    {GEN_LINEAR, {"b", NUM, 2.0, -INF, INF, 0, GC(b), "intercept"}},
    {GEN_LINEAR, {"noise_sd", NUM, 0.5, 0, INF, 0, GC(noise_sd), "sd of the Gaussian noise"}},
    {GEN_LINEAR, {"x_min", NUM, 0.0, -INF, INF, 0, GC(x_min), "first x"}},
    {GEN_LINEAR, {"x_max", NUM, 5.0, -INF, INF, 0, GC(x_max), "last x (>= x_min)"}},
    {GEN_LINEAR, {"seed", SEED, 0, 0, SEED_MAX, 0, GC(seed), "seed of the draws"}},
    {GEN_GAUSSIAN, {"n", INT, 1000, 1, ROWS_MAX, 0, GC(n), "rows"}},
    {GEN_GAUSSIAN, {"mu", NUM, 0.0, -INF, INF, 0, GC(mu), "mean"}},
    {GEN_GAUSSIAN, {"sigma", NUM, 1.0, 0, INF, OPEN_LO, GC(sigma), "standard deviation"}},
    {GEN_GAUSSIAN, {"seed", SEED, 0, 0, SEED_MAX, 0, GC(seed), "seed of the draws"}},
};
const size_t catalog_gen_nfields = sizeof catalog_gen_fields / sizeof catalog_gen_fields[0];

#define SC(member) offsetof(fit_spec, member)
const field_def catalog_train_fields[] = {
    {"epochs", INT, 100, 1, (double)FIT_MAX_EPOCHS, 0, SC(epochs), "passes over the data"},
    {"batch_size", INT, 0, 1, ROWS_MAX, NULLABLE, SC(batch_size),
     "rows per step; null: the whole training set"},
    {"shuffle", BOOL, 0, 0, 1, 0, SC(shuffle),
     "permute the rows every epoch; default true when batch_size is set"},
    {"seed", SEED, 0, 0, SEED_MAX, 0, SC(seed), "the job's seed; absent: drawn and reported"},
    {"validation_split", NUM, 0, 0, 1, OPEN_HI, SC(validation_split),
     "last fraction of the rows held out"},
    {"max_seconds", NUM, 0, 0, 1e9, OPEN_LO | NULLABLE, SC(max_seconds),
     "wall-clock limit; null: none"},
};
const size_t catalog_train_nfields = sizeof catalog_train_fields / sizeof catalog_train_fields[0];

#define EC(member) offsetof(fit_early_stop, member)
const field_def catalog_early_fields[] = {
    {"min_delta", NUM, 0, 0, INF, 0, EC(min_delta), "smallest change that counts as better"},
    {"patience", INT, 0, 0, (double)FIT_MAX_EPOCHS, 0, EC(patience),
     "epochs without improvement before stopping"},
    {"restore_best", BOOL, 0, 0, 1, 0, EC(restore_best), "end with the best epoch's params"},
};
const size_t catalog_early_nfields = sizeof catalog_early_fields / sizeof catalog_early_fields[0];

/* Keras's RandomNormal and RandomUniform defaults. */
const field_def catalog_normal_fields[] = {
    {"mean", NUM, 0.0, -INF, INF, 0, offsetof(fit_init, a), "mean of the draw"},
    {"sd", NUM, 0.05, 0, INF, OPEN_LO, offsetof(fit_init, b), "standard deviation of the draw"},
};
const size_t catalog_normal_nfields =
    sizeof catalog_normal_fields / sizeof catalog_normal_fields[0];
const field_def catalog_uniform_fields[] = {
    {"min", NUM, -0.05, -INF, INF, 0, offsetof(fit_init, a), "lower end"},
    {"max", NUM, 0.05, -INF, INF, 0, offsetof(fit_init, b), "upper end (> min)"},
};
const size_t catalog_uniform_nfields =
    sizeof catalog_uniform_fields / sizeof catalog_uniform_fields[0];

const catalog_model *catalog_model_find(model_kind kind) {
    for (size_t i = 0; i < catalog_nmodels; i++)
        if (catalog_models[i].kind == kind) return &catalog_models[i];
    return NULL;
}

const catalog_loss *catalog_loss_find(loss_kind kind) {
    for (size_t i = 0; i < catalog_nlosses; i++)
        if (catalog_losses[i].kind == kind) return &catalog_losses[i];
    return NULL;
}

const catalog_gen *catalog_gen_by_name(const char *name) {
    for (size_t i = 0; i < catalog_ngens; i++)
        if (strcmp(catalog_gens[i].name, name) == 0) return &catalog_gens[i];
    return NULL;
}

const catalog_gen *catalog_gen_find(gen_kind kind) {
    for (size_t i = 0; i < catalog_ngens; i++)
        if (catalog_gens[i].kind == kind) return &catalog_gens[i];
    return NULL;
}
