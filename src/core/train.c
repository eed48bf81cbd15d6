/* train.c - the training loop, with Keras's semantics: per-epoch shuffle,
 * batches with the last partial one kept, the epoch loss as the mean of
 * per-sample losses taken before each batch's update, validation on the
 * last rows, EarlyStopping as Keras 3 decides it, and the params after
 * every epoch in the history. */
#include "train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "optim.h"
#include "prog.h"
#include "reference.h"
#include "rng.h"

static const char *const term_names[] = {"completed", "early_stopped", "cancelled", "timeout",
                                         "diverged"};

const char *train_term_name(train_term t) {
    return (unsigned)t <= TERM_DIVERGED ? term_names[t] : "?";
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Draws the starting values in parameter order from r. A positive
 * parameter's random draw is reflected to |v| (and 1e-3 if exactly 0). */
static void draw_init(const fit_spec *s, rng *r, double *params) {
    for (size_t i = 0; i < s->nparams; i++) {
        const fit_init *in = &s->params[i].init;
        double v = in->a;
        if (in->kind == INIT_NORMAL) v = in->a + in->b * rng_normal(r);
        else if (in->kind == INIT_UNIFORM) v = in->a + (in->b - in->a) * rng_uniform(r);
        if (s->params[i].positive && !(v > 0)) v = fabs(v) > 0 ? fabs(v) : 1e-3;
        params[i] = v;
    }
}

/* Keeps positive parameters positive: an update that would take one to
 * <= 0 (or NaN) halves its previous value instead. */
static void project(const fit_spec *s, const double *before, double *params) {
    for (size_t i = 0; i < s->nparams; i++)
        if (s->params[i].positive && !(params[i] > 0)) params[i] = 0.5 * before[i];
}

static int all_finite(const double *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) return 0;
    return 1;
}

static int history_push(train_history *h, double loss, int has_val, double val_loss,
                        const double *params) {
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        double *l = realloc(h->loss, cap * sizeof *l);
        if (l == NULL) return FIT_ENOMEM;
        h->loss = l;
        if (has_val) {
            double *v = realloc(h->val_loss, cap * sizeof *v);
            if (v == NULL) return FIT_ENOMEM;
            h->val_loss = v;
        }
        double *p = realloc(h->params, cap * (h->nparams ? h->nparams : 1) * sizeof *p);
        if (p == NULL) return FIT_ENOMEM;
        h->params = p;
        h->cap = cap;
    }
    h->loss[h->n] = loss;
    if (has_val) h->val_loss[h->n] = val_loss;
    memcpy(h->params + h->n * h->nparams, params, h->nparams * sizeof *params);
    h->n++;
    return FIT_OK;
}

/* The state of one run, owned by train_run. */
typedef struct run {
    const fit_spec *s;
    const fit_data *d;
    const train_hooks *hooks;
    prog *p;
    optim *opt;
    rng r;
    size_t np, n_train, n_val, batch;
    size_t *perm;       /* [n_train] this epoch's row order, or NULL */
    double *params, *grad, *before, *best_params, *epoch_start;
    double t0;
    size_t unclocked; /* rows trained since the clock was last read */
} run;

/* Rows of work between two readings of the clock for max_seconds: a
 * reading per batch was 2% of a small job's time, and this many rows take
 * well under a millisecond for most models. */
#define CLOCK_EVERY_ROWS 65536

/* One epoch over the training rows. Returns the mean per-sample loss of
 * its batches, or sets *stop (cancel, timeout, divergence). */
static double run_epoch(run *u, train_term *stop, int *stopped) {
    const fit_spec *s = u->s;
    double weighted = 0;
    if (u->perm) rng_permutation(&u->r, u->perm, u->n_train);
    for (size_t first = 0; first < u->n_train; first += u->batch) {
        size_t m = u->n_train - first < u->batch ? u->n_train - first : u->batch;
        if (u->hooks && u->hooks->cancel && atomic_load(u->hooks->cancel)) {
            *stop = TERM_CANCELLED;
            *stopped = 1;
            return NAN;
        }
        if (s->max_seconds > 0 && u->unclocked >= CLOCK_EVERY_ROWS) {
            u->unclocked = 0;
            if (now_seconds() - u->t0 > s->max_seconds) {
                *stop = TERM_TIMEOUT;
                *stopped = 1;
                return NAN;
            }
        }
        u->unclocked += m;
        double loss = prog_loss_grad(u->p, u->d, u->params, u->perm, first, m, u->grad);
        if (!isfinite(loss) || !all_finite(u->grad, u->np)) {
            *stop = TERM_DIVERGED;
            *stopped = 1;
            return loss;
        }
        weighted += loss * (double)m;
        memcpy(u->before, u->params, u->np * sizeof *u->params);
        optim_step(u->opt, u->params, u->grad);
        project(s, u->before, u->params);
        if (!all_finite(u->params, u->np)) {
            memcpy(u->params, u->before, u->np * sizeof *u->params);
            *stop = TERM_DIVERGED;
            *stopped = 1;
            return NAN;
        }
    }
    return weighted / (double)u->n_train;
}

static void run_free(run *u) {
    prog_free(u->p);
    optim_free(u->opt);
    free(u->perm);
    free(u->params);
    free(u->grad);
    free(u->before);
    free(u->best_params);
    free(u->epoch_start);
}

/* Keras 3 EarlyStopping (mode min, baseline none, start_from_epoch 0):
 * Keras negates min_delta for mode min, so an improvement is
 * current + min_delta < best; stop once wait >= patience
 * after the first epoch. Returns 1 to stop. */
static int early_stop(const fit_early_stop *es, double current, long epoch0, double *best,
                      long *wait, int *improved) {
    (*wait)++;
    *improved = current + es->min_delta < *best;
    if (*improved) {
        *best = current;
        *wait = 0;
        return 0;
    }
    return *wait >= es->patience && epoch0 > 0;
}

int train_run(const fit_spec *s, const fit_data *d, const train_hooks *hooks, train_result *r,
              fit_err *e) {
    run u = {.s = s, .d = d, .hooks = hooks, .np = s->nparams};
    int rc = FIT_ENOMEM;
    memset(r, 0, sizeof *r);
    r->nparams = s->nparams;
    r->hist.nparams = s->nparams;
    u.t0 = now_seconds();
    u.unclocked = CLOCK_EVERY_ROWS; /* the first batch reads it */
    u.n_train = (size_t)floor((double)d->rows * (1.0 - s->validation_split));
    if (s->validation_split <= 0) u.n_train = d->rows;
    u.n_val = d->rows - u.n_train;
    if (u.n_train == 0) return fit_err_set(e, FIT_EINVAL, 0, "no training rows are left after the validation split");
    u.batch = s->batch_size > 0 && (size_t)s->batch_size < u.n_train ? (size_t)s->batch_size : u.n_train;
    if ((rc = prog_compile(s, d, PROG_LOSS, &u.p, e)) != FIT_OK) goto done;
    rc = FIT_ENOMEM;
    size_t np1 = u.np ? u.np : 1;
    u.params = calloc(np1, sizeof(double));
    u.grad = calloc(np1, sizeof(double));
    u.before = calloc(np1, sizeof(double));
    u.best_params = calloc(np1, sizeof(double));
    u.epoch_start = calloc(np1, sizeof(double));
    r->init_params = calloc(np1, sizeof(double));
    r->params = calloc(np1, sizeof(double));
    u.opt = optim_new(&s->optim, u.np);
    if (!u.params || !u.grad || !u.before || !u.best_params || !u.epoch_start ||
        !r->init_params || !r->params || !u.opt)
        goto done;
    if (s->shuffle && (u.perm = malloc(u.n_train * sizeof *u.perm)) == NULL) goto done;
    rng_seed(&u.r, s->seed);
    draw_init(s, &u.r, u.params);
    memcpy(r->init_params, u.params, u.np * sizeof(double));
    r->initial_loss = prog_loss_grad(u.p, d, u.params, NULL, 0, u.n_train, NULL);
    r->has_val = u.n_val > 0;

    int monitor_val = r->has_val && (s->early.enabled ? s->early.monitor_val : 0);
    double es_best = INFINITY, best = INFINITY;
    long wait = 0;
    train_term term = TERM_COMPLETED;
    memcpy(u.best_params, u.params, u.np * sizeof(double));
    for (long epoch = 0; epoch < s->epochs; epoch++) {
        int stopped = 0;
        memcpy(u.epoch_start, u.params, u.np * sizeof(double));
        double loss = run_epoch(&u, &term, &stopped);
        if (stopped) {
            /* a diverged epoch gives back the params it started from */
            if (term == TERM_DIVERGED) memcpy(u.params, u.epoch_start, u.np * sizeof(double));
            snprintf(r->reason, sizeof r->reason,
                     term == TERM_DIVERGED ? "the loss became non-finite in epoch %ld"
                     : term == TERM_TIMEOUT ? "max_seconds reached in epoch %ld"
                                            : "cancelled in epoch %ld",
                     epoch + 1);
            break;
        }
        double val = u.n_val ? prog_loss_grad(u.p, d, u.params, NULL, u.n_train, u.n_val, NULL) : NAN;
        if ((rc = history_push(&r->hist, loss, r->has_val, val, u.params)) != FIT_OK) goto done;
        rc = FIT_ENOMEM;
        r->epochs_run = epoch + 1;
        double monitored = monitor_val ? val : loss;
        if (monitored < best) {
            best = monitored;
            r->best_epoch = epoch + 1;
        }
        if (hooks && hooks->on_epoch) {
            train_progress pg = {epoch + 1, s->epochs, loss, r->has_val, val, u.params, u.np};
            hooks->on_epoch(hooks->ctx, &pg);
        }
        if (s->early.enabled) {
            int improved;
            int stop = early_stop(&s->early, monitored, epoch, &es_best, &wait, &improved);
            if (improved) memcpy(u.best_params, u.params, u.np * sizeof(double));
            if (stop) {
                term = TERM_EARLY_STOPPED;
                if (s->early.restore_best) memcpy(u.params, u.best_params, u.np * sizeof(double));
                snprintf(r->reason, sizeof r->reason,
                         "no improvement of %s by more than %g for %ld epochs",
                         monitor_val ? "val_loss" : "loss", s->early.min_delta, wait);
                break;
            }
        }
    }
    r->termination = term;
    r->best_loss = r->best_epoch ? best : NAN;
    memcpy(r->params, u.params, u.np * sizeof(double));
    r->loss = prog_loss_grad(u.p, d, u.params, NULL, 0, u.n_train, NULL);
    r->val_loss = u.n_val ? prog_loss_grad(u.p, d, u.params, NULL, u.n_train, u.n_val, NULL) : NAN;
    if ((r->ref_params = calloc(np1, sizeof(double))) == NULL) goto done;
    r->ref_method = reference_solve(s, d, u.n_train, r->ref_params);
    if (r->ref_method) {
        r->has_reference = 1;
        r->ref_loss = prog_loss_grad(u.p, d, r->ref_params, NULL, 0, u.n_train, NULL);
    }
    rc = FIT_OK;
done:
    if (rc == FIT_ENOMEM) fit_err_set(e, FIT_ENOMEM, 0, "out of memory");
    run_free(&u);
    return rc;
}

void train_result_free(train_result *r) {
    if (r == NULL) return;
    free(r->init_params);
    free(r->params);
    free(r->ref_params);
    free(r->hist.loss);
    free(r->hist.val_loss);
    free(r->hist.params);
    memset(r, 0, sizeof *r);
}
