/* test_train.c - the training loop: the two worked examples converge to
 * their closed forms, Keras's history and early-stopping semantics,
 * cancel, timeout, divergence, constraints, determinism. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/gen.h"
#include "core/prog.h"
#include "core/train.h"

static fit_data *linear_data(long n) {
    gen_conf g = {.kind = GEN_LINEAR, .n = n, .m = 1, .b = 2, .noise_sd = 0.5, .x_min = 0,
                  .x_max = 5, .seed = 7};
    fit_data *d = NULL;
    fit_err e;
    gen_data(&g, &d, &e);
    return d;
}

static fit_data *gaussian_data(long n) {
    gen_conf g = {.kind = GEN_GAUSSIAN, .n = n, .mu = 2, .sigma = 0.5, .seed = 11};
    fit_data *d = NULL;
    fit_err e;
    gen_data(&g, &d, &e);
    return d;
}

static void linear_spec(fit_spec *s) {
    fit_err e;
    spec_init(s);
    spec_expand(s, &e);
    optim_defaults(&s->optim, OPTIM_SGD);
    s->optim.learning_rate = 0.08;
    s->epochs = 400;
    s->seed = 7;
}

static void test_linear_example(void) {
    fit_data *d = linear_data(100);
    fit_spec s;
    train_result r;
    fit_err e = {0};
    linear_spec(&s);
    CHECK_INT(train_run(&s, d, NULL, &r, &e), FIT_OK);
    CHECK_INT(r.termination, TERM_COMPLETED);
    CHECK_INT(r.epochs_run, 400);
    CHECK(r.has_reference && strcmp(r.ref_method, "ols") == 0);
    CHECK_NEAR(r.params[0], r.ref_params[0], 1e-4);
    CHECK_NEAR(r.params[1], r.ref_params[1], 1e-4);
    CHECK_NEAR(r.ref_params[0], 1.0, 0.1); /* near the truth, minus the noise */
    CHECK_NEAR(r.ref_params[1], 2.0, 0.3);
    CHECK(r.ref_loss <= r.loss);
    CHECK_NEAR(r.loss, r.ref_loss, 1e-8);
    /* the initial m is a normal(0, 0.05) draw and b starts at zero */
    CHECK(fabs(r.init_params[0]) < 0.25 && r.init_params[1] == 0.0);
    /* full batch: the first epoch's loss is the loss at the initial params */
    CHECK(r.hist.loss[0] == r.initial_loss);
    /* and the loss falls */
    CHECK(r.hist.loss[399] < r.hist.loss[10] && r.hist.loss[10] < r.hist.loss[0]);
    CHECK(r.best_loss == r.hist.loss[r.best_epoch - 1]);

    /* the first step is plain gradient descent: p1 = p0 - lr * grad(p0) */
    prog *p = NULL;
    double g[2];
    prog_compile(&s, d, PROG_LOSS, &p, &e);
    prog_loss_grad(p, d, r.init_params, NULL, 0, d->rows, g);
    CHECK(r.hist.params[0] == r.init_params[0] - 0.08 * g[0]);
    CHECK(r.hist.params[1] == r.init_params[1] - 0.08 * g[1]);
    prog_free(p);

    /* determinism: the same spec and seed give the same bits */
    train_result r2;
    train_run(&s, d, NULL, &r2, &e);
    CHECK(memcmp(r.hist.loss, r2.hist.loss, 400 * sizeof(double)) == 0);
    CHECK(memcmp(r.hist.params, r2.hist.params, 800 * sizeof(double)) == 0);
    train_result_free(&r2);
    train_result_free(&r);
    spec_clear(&s);
    data_free(d);
}

static void test_gaussian_example(void) {
    fit_data *d = gaussian_data(1000);
    fit_spec s;
    train_result r;
    fit_err e = {0};
    spec_init(&s);
    s.model.kind = MODEL_GAUSSIAN;
    s.loss.kind = LOSS_NLL;
    CHECK_INT(spec_expand(&s, &e), FIT_OK);
    s.params[0].init = (fit_init){INIT_CONST, 5, 0}; /* purposely off */
    s.params[1].init = (fit_init){INIT_CONST, 3, 0};
    optim_defaults(&s.optim, OPTIM_ADAM);
    s.optim.learning_rate = 0.05;
    s.epochs = 600;
    CHECK_INT(train_run(&s, d, NULL, &r, &e), FIT_OK);
    /* the closed form: sample mean and 1/N standard deviation */
    double mean = 0, ss = 0;
    for (size_t i = 0; i < d->rows; i++) mean += d->cols[0][i];
    mean /= (double)d->rows;
    for (size_t i = 0; i < d->rows; i++) ss += (d->cols[0][i] - mean) * (d->cols[0][i] - mean);
    double sd = sqrt(ss / (double)d->rows);
    CHECK(r.has_reference && strcmp(r.ref_method, "mle") == 0);
    CHECK_REL(r.ref_params[0], mean, 1e-14);
    CHECK_REL(r.ref_params[1], sd, 1e-14);
    CHECK_NEAR(r.params[0], mean, 1e-3);
    CHECK_NEAR(r.params[1], sd, 1e-3);
    /* the NLL at the MLE: 0.5*log(2*pi*sd^2) + 0.5 */
    CHECK_REL(r.ref_loss, 0.5 * log(2 * 3.14159265358979323846 * sd * sd) + 0.5, 1e-12);
    for (size_t k = 0; k < r.hist.n; k++) CHECK(r.hist.params[2 * k + 1] > 0);
    train_result_free(&r);

    /* a sigma pushed hard toward zero stays positive, no NaN */
    optim_defaults(&s.optim, OPTIM_SGD);
    s.optim.learning_rate = 5;
    s.params[1].init = (fit_init){INIT_CONST, 0.05, 0};
    s.epochs = 50;
    CHECK_INT(train_run(&s, d, NULL, &r, &e), FIT_OK);
    int positive = 1;
    for (size_t k = 0; k < r.hist.n; k++) positive &= r.hist.params[2 * k + 1] > 0;
    CHECK(positive);
    CHECK(r.params[1] > 0 && isfinite(r.params[0]));
    train_result_free(&r);
    spec_clear(&s);
    data_free(d);
}

/* Keras EarlyStopping: with min_delta huge nothing after epoch 1 improves,
 * so training stops after patience + 1 more epochs. */
static void test_early_stopping(void) {
    fit_data *d = linear_data(100);
    fit_spec s;
    train_result r;
    fit_err e = {0};
    linear_spec(&s);
    s.early = (fit_early_stop){.enabled = 1, .monitor_val = 0, .min_delta = 1e9, .patience = 0};
    train_run(&s, d, NULL, &r, &e);
    CHECK_INT(r.termination, TERM_EARLY_STOPPED);
    CHECK_INT(r.epochs_run, 2);
    train_result_free(&r);
    s.early.patience = 3;
    s.early.restore_best = 1;
    train_run(&s, d, NULL, &r, &e);
    CHECK_INT(r.epochs_run, 4); /* epoch 1 improves, then 3 epochs without */
    CHECK(memcmp(r.params, r.hist.params, 2 * sizeof(double)) == 0); /* epoch 1's */
    train_result_free(&r);
    /* with min_delta 0 and a falling loss, it never stops early */
    s.early.min_delta = 0;
    train_run(&s, d, NULL, &r, &e);
    CHECK_INT(r.termination, TERM_COMPLETED);
    train_result_free(&r);
    spec_clear(&s);
    data_free(d);
}

static void cancel_at_3(void *ctx, const train_progress *p) {
    if (p->epoch == 3) atomic_store((atomic_int *)ctx, 1);
}

static void test_stops(void) {
    fit_data *d = linear_data(100);
    fit_spec s;
    train_result r;
    fit_err e = {0};
    linear_spec(&s);
    atomic_int cancel = 0;
    train_hooks h = {.on_epoch = cancel_at_3, .ctx = &cancel, .cancel = &cancel};
    train_run(&s, d, &h, &r, &e);
    CHECK_INT(r.termination, TERM_CANCELLED);
    CHECK_INT(r.epochs_run, 3);
    CHECK(memcmp(r.params, r.hist.params + 4, 2 * sizeof(double)) == 0);
    train_result_free(&r);

    s.max_seconds = 1e-12;
    train_run(&s, d, NULL, &r, &e);
    CHECK_INT(r.termination, TERM_TIMEOUT);
    train_result_free(&r);
    s.max_seconds = 0;

    s.optim.learning_rate = 10; /* far past stability: the loss overflows */
    s.epochs = 2000;
    CHECK_INT(train_run(&s, d, NULL, &r, &e), FIT_OK);
    CHECK_INT(r.termination, TERM_DIVERGED);
    CHECK(isfinite(r.params[0]) && isfinite(r.params[1]));
    CHECK(r.epochs_run < 2000);
    CHECK(strstr(r.reason, "non-finite") != NULL);
    train_result_free(&r);
    spec_clear(&s);
    data_free(d);
}

static void test_batches_and_validation(void) {
    fit_data *d = linear_data(1000);
    fit_spec s;
    train_result r, r2;
    fit_err e = {0};
    linear_spec(&s);
    s.batch_size = 64; /* 1000 * 0.8 = 800 rows: 12 full batches and one of 32 */
    s.shuffle = 1;
    s.validation_split = 0.2;
    s.optim.learning_rate = 0.02;
    s.epochs = 30;
    CHECK_INT(train_run(&s, d, NULL, &r, &e), FIT_OK);
    CHECK(r.has_val && r.hist.val_loss != NULL);
    /* validation loss at the final params over the last 200 rows */
    prog *p = NULL;
    prog_compile(&s, d, PROG_LOSS, &p, &e);
    CHECK(r.val_loss == prog_loss_grad(p, d, r.params, NULL, 800, 200, NULL));
    CHECK(r.hist.val_loss[29] == r.val_loss);
    CHECK(r.loss == prog_loss_grad(p, d, r.params, NULL, 0, 800, NULL));
    prog_free(p);
    /* the reference is fitted on the training rows only */
    CHECK(r.has_reference);
    CHECK_NEAR(r.params[0], r.ref_params[0], 0.05);
    train_run(&s, d, NULL, &r2, &e);
    CHECK(memcmp(r.hist.params, r2.hist.params, 60 * sizeof(double)) == 0);
    train_result_free(&r2);
    s.seed = 8;
    train_run(&s, d, NULL, &r2, &e);
    CHECK(memcmp(r.hist.params, r2.hist.params, 60 * sizeof(double)) != 0);
    train_result_free(&r2);
    train_result_free(&r);
    /* gaussian_nll on a linear model: OLS plus the MLE noise sigma */
    spec_clear(&s);
    spec_init(&s);
    s.loss.kind = LOSS_GAUSSIAN_NLL;
    CHECK_INT(spec_expand(&s, &e), FIT_OK);
    CHECK_INT(s.nparams, 3);
    optim_defaults(&s.optim, OPTIM_ADAM);
    s.optim.learning_rate = 0.05;
    s.epochs = 3000;
    CHECK_INT(train_run(&s, d, NULL, &r, &e), FIT_OK);
    CHECK(r.has_reference);
    CHECK_NEAR(r.params[0], r.ref_params[0], 2e-3);
    CHECK_NEAR(r.params[1], r.ref_params[1], 5e-3);
    CHECK_NEAR(r.params[2], r.ref_params[2], 2e-3);
    CHECK_NEAR(r.ref_params[2], 0.5, 0.05);
    train_result_free(&r);
    spec_clear(&s);
    data_free(d);
}

/* A constant input column: no closed form (X is rank deficient), and
 * training still runs. */
static void test_constant_input(void) {
    const char *names[] = {"x", "y"};
    fit_data *d = data_new(2, 4, names);
    for (size_t i = 0; i < 4; i++) {
        d->cols[0][i] = 2;
        d->cols[1][i] = (double)i + 1;
    }
    fit_spec s;
    train_result r;
    fit_err e = {0};
    linear_spec(&s);
    s.epochs = 20;
    CHECK_INT(train_run(&s, d, NULL, &r, &e), FIT_OK);
    CHECK(!r.has_reference);
    CHECK_INT(r.epochs_run, 20);
    train_result_free(&r);
    spec_clear(&s);
    data_free(d);
}

int main(void) {
    test_constant_input();
    test_linear_example();
    test_gaussian_example();
    test_early_stopping();
    test_stops();
    test_batches_and_validation();
    return check_done("test_train");
}
