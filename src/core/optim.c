/* optim.c - sgd, adam, rmsprop and adagrad over a flat vector of scalar
 * parameters, with Keras 3's defaults and update rules.
 *
 * Every update is written in the order Keras 3 evaluates it
 * (keras/src/optimizers/{sgd,adam,rmsprop,adagrad}.py, update_step), so a
 * float64 trajectory matches Keras's to the last bit wherever the backend's
 * pow and sqrt are correctly rounded (sqrt always is; glibc's pow is). Each
 * formula is quoted above the loop that computes it.
 *
 * Each scalar parameter is one Keras variable: "per variable" below means
 * per scalar.
 *
 * Clipping, as keras/src/optimizers/base_optimizer.py does it:
 *   - BaseOptimizer.__init__ raises ValueError when more than one of
 *     clipnorm, clipvalue and global_clipnorm is set: Keras never combines
 *     them.
 *   - _clip_gradients is an elif chain: clipnorm if > 0, else
 *     global_clipnorm if > 0, else clipvalue if > 0.
 *   optim_new cannot refuse a conf (it fails only on allocation), so when a
 *   caller sets several we do what that chain does: only the first of
 *   clipnorm, global_clipnorm, clipvalue that is > 0 applies. The spec
 *   reader should refuse more than one, as Keras does.
 *   Clipping happens before the update, on the gradient, every step (Keras
 *   has no weight decay, EMA, loss scaling or accumulation here). */
#include "optim.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Slots per optimizer, each [n], zero at the start except adagrad's:
 *   sgd:     s0 = momentum ("velocity"; used only when momentum != 0)
 *   adam:    s0 = m (momentums), s1 = v (velocities), s2 = vhat (amsgrad)
 *   rmsprop: s0 = velocity, s1 = momentum, s2 = average_gradient (centered)
 *   adagrad: s0 = accumulator, initial_accumulator_value at the start */
#define OPTIM_SLOTS 3

struct optim {
    optim_conf conf;
    size_t n;
    unsigned long long iterations; /* steps taken: Keras's optimizer.iterations */
    double *s0, *s1, *s2;          /* point into slot */
    double slot[];                 /* [OPTIM_SLOTS * n] */
};

void optim_defaults(optim_conf *c, optim_kind kind) {
    memset(c, 0, sizeof *c);
    c->kind = kind;
    /* sgd's is 0.01; adam's, rmsprop's and adagrad's 0.001. */
    c->learning_rate = kind == OPTIM_SGD ? 0.01 : 0.001;
    c->momentum = 0.0; /* sgd and rmsprop */
    c->nesterov = 0;
    c->beta_1 = 0.9;
    c->beta_2 = 0.999;
    c->epsilon = 1e-7; /* adam, rmsprop and adagrad */
    c->amsgrad = 0;
    c->rho = 0.9;
    c->centered = 0;
    c->initial_accumulator_value = 0.1;
    c->clipnorm = 0.0;
    c->clipvalue = 0.0;
    c->global_clipnorm = 0.0;
}

const char *optim_name(optim_kind kind) {
    switch (kind) {
    case OPTIM_SGD:
        return "sgd";
    case OPTIM_ADAM:
        return "adam";
    case OPTIM_RMSPROP:
        return "rmsprop";
    case OPTIM_ADAGRAD:
        return "adagrad";
    default:
        return NULL;
    }
}

/* Exact, case-sensitive match on the lowercase names optim_name gives.
 * NULL gives -1. */
int optim_by_name(const char *name) {
    if (name == NULL) return -1;
    for (int k = 0; k < (int)OPTIM_KIND_COUNT; k++)
        if (strcmp(name, optim_name((optim_kind)k)) == 0) return k;
    return -1;
}

/* The largest n whose slots fit in a size_t together with the struct. */
static size_t optim_max_n(void) {
    return (SIZE_MAX - sizeof(optim)) / (OPTIM_SLOTS * sizeof(double));
}

optim *optim_new(const optim_conf *conf, size_t n) {
    if (n > optim_max_n()) return NULL;
    optim *o = malloc(sizeof *o + OPTIM_SLOTS * n * sizeof(double));
    if (o == NULL) return NULL;
    o->conf = *conf;
    o->n = n;
    o->s0 = o->slot;
    o->s1 = o->slot + n;
    o->s2 = o->slot + 2 * n;
    optim_reset(o);
    return o;
}

/* As Keras's build: every slot zero, adagrad's accumulators at
 * initial_accumulator_value, iterations 0. */
void optim_reset(optim *o) {
    size_t n = o->n;
    for (size_t i = 0; i < OPTIM_SLOTS * n; i++) o->slot[i] = 0.0;
    if (o->conf.kind == OPTIM_ADAGRAD)
        for (size_t i = 0; i < n; i++) o->s0[i] = o->conf.initial_accumulator_value;
    o->iterations = 0;
}

void optim_free(optim *o) {
    free(o);
}

/* ops.maximum / ops.minimum as the backends compute them: a NaN in either
 * argument gives NaN (fmax/fmin would drop it). */
static double keras_max(double a, double b) {
    if (a != a) return a;
    if (b != b) return b;
    return a > b ? a : b;
}

static double keras_min(double a, double b) {
    if (a != a) return a;
    if (b != b) return b;
    return a < b ? a : b;
}

/* BaseOptimizer._clip_by_norm on one scalar variable g (axes=None):
 *   l2sum = sum(square(g)); l2norm = l2sum > 0 ? sqrt(l2sum) : l2sum
 *   g = (g * clipnorm) / maximum(l2norm, clipnorm)
 * Note an unclipped g still becomes (g * c) / c, which can differ from g
 * in the last bit: Keras does the same. */
static void optim_clip_norm(double *grad, size_t n, double clipnorm) {
    for (size_t i = 0; i < n; i++) {
        double l2sum = grad[i] * grad[i];
        double l2norm = l2sum > 0 ? sqrt(l2sum) : l2sum;
        grad[i] = (grad[i] * clipnorm) / keras_max(l2norm, clipnorm);
    }
}

/* clip_by_global_norm in base_optimizer.py:
 *   use_norm = sqrt(sum of square(g) over every variable)
 *   scale = clip * minimum(1.0 / use_norm, 1.0 / clip) + (use_norm - use_norm)
 *   g = g * scale
 * The squares are summed left to right over params[0..n); a backend's
 * reduction may pair them differently (a last-bit difference in the norm).
 * An unclipped vector is still multiplied by clip * (1.0 / clip). */
static void optim_clip_global_norm(double *grad, size_t n, double clip) {
    double squared_norm = 0.0;
    for (size_t i = 0; i < n; i++) squared_norm += grad[i] * grad[i];
    double use_norm = sqrt(squared_norm);
    double scale_for_finite = clip * keras_min(1.0 / use_norm, 1.0 / clip);
    double scale = scale_for_finite + (use_norm - use_norm); /* NaN if use_norm is not finite */
    for (size_t i = 0; i < n; i++) grad[i] = grad[i] * scale;
}

/* ops.clip(g, -v, v); a NaN g stays NaN. */
static void optim_clip_value(double *grad, size_t n, double v) {
    for (size_t i = 0; i < n; i++) {
        if (grad[i] < -v)
            grad[i] = -v;
        else if (grad[i] > v)
            grad[i] = v;
    }
}

/* BaseOptimizer._clip_gradients: the elif chain (see the top of the file). */
static void optim_clip(const optim_conf *c, double *grad, size_t n) {
    if (c->clipnorm > 0)
        optim_clip_norm(grad, n, c->clipnorm);
    else if (c->global_clipnorm > 0)
        optim_clip_global_norm(grad, n, c->global_clipnorm);
    else if (c->clipvalue > 0)
        optim_clip_value(grad, n, c->clipvalue);
}

/* sgd.py:
 *   momentum == 0:  p -= g * lr
 *   else:           m = m * momentum - g * lr
 *                   nesterov: p += m * momentum - g * lr
 *                   else:     p += m */
static void optim_step_sgd(optim *o, double *p, const double *g) {
    const optim_conf *c = &o->conf;
    double lr = c->learning_rate, mom = c->momentum;
    double *m = o->s0; /* m[i]: velocity of param i */
    size_t n = o->n;
    if (mom != 0) {
        for (size_t i = 0; i < n; i++) {
            m[i] = m[i] * mom - g[i] * lr;
            if (c->nesterov)
                p[i] += m[i] * mom - g[i] * lr;
            else
                p[i] += m[i];
        }
    } else {
        for (size_t i = 0; i < n; i++) p[i] -= g[i] * lr;
    }
}

/* adam.py, with t = iterations + 1 as a float:
 *   alpha = lr * sqrt(1 - pow(beta_2, t)) / (1 - pow(beta_1, t))
 *   m += (g - m) * (1 - beta_1)
 *   v += (square(g) - v) * (1 - beta_2)
 *   amsgrad: vhat = maximum(vhat, v); v = vhat
 *   p -= (m * alpha) / (sqrt(v) + epsilon) */
static void optim_step_adam(optim *o, double *p, const double *g) {
    const optim_conf *c = &o->conf;
    double t = (double)(o->iterations + 1);
    double beta_1_power = pow(c->beta_1, t);
    double beta_2_power = pow(c->beta_2, t);
    double alpha = c->learning_rate * sqrt(1 - beta_2_power) / (1 - beta_1_power);
    double one_minus_b1 = 1 - c->beta_1, one_minus_b2 = 1 - c->beta_2;
    double *m = o->s0, *v = o->s1, *vhat = o->s2; /* each [n] */
    size_t n = o->n;
    for (size_t i = 0; i < n; i++) {
        m[i] += (g[i] - m[i]) * one_minus_b1;
        v[i] += (g[i] * g[i] - v[i]) * one_minus_b2;
        double vi = v[i];
        if (c->amsgrad) {
            vhat[i] = keras_max(vhat[i], v[i]);
            vi = vhat[i];
        }
        p[i] -= (m[i] * alpha) / (sqrt(vi) + c->epsilon);
    }
}

/* rmsprop.py:
 *   velocity = rho * velocity + (1 - rho) * square(g)
 *   centered: avg = rho * avg + (1 - rho) * g
 *             denominator = velocity - square(avg) + epsilon
 *   else:     denominator = velocity + epsilon
 *   increment = (lr * g) / sqrt(denominator)
 *   momentum > 0: mom = momentum * mom + increment; p -= mom
 *   else:         p -= increment */
static void optim_step_rmsprop(optim *o, double *p, const double *g) {
    const optim_conf *c = &o->conf;
    double lr = c->learning_rate, rho = c->rho, eps = c->epsilon;
    double one_minus_rho = 1 - rho;
    double *vel = o->s0, *mom = o->s1, *avg = o->s2; /* each [n] */
    size_t n = o->n;
    for (size_t i = 0; i < n; i++) {
        vel[i] = rho * vel[i] + one_minus_rho * (g[i] * g[i]);
        double denominator;
        if (c->centered) {
            avg[i] = rho * avg[i] + one_minus_rho * g[i];
            denominator = vel[i] - avg[i] * avg[i] + eps;
        } else {
            denominator = vel[i] + eps;
        }
        double increment = (lr * g[i]) / sqrt(denominator);
        if (c->momentum > 0) {
            mom[i] = c->momentum * mom[i] + increment;
            p[i] -= mom[i];
        } else {
            p[i] -= increment;
        }
    }
}

/* adagrad.py:
 *   acc += square(g)
 *   p -= (lr * g) / sqrt(acc + epsilon) */
static void optim_step_adagrad(optim *o, double *p, const double *g) {
    const optim_conf *c = &o->conf;
    double *acc = o->s0; /* [n] */
    size_t n = o->n;
    for (size_t i = 0; i < n; i++) {
        acc[i] += g[i] * g[i];
        p[i] -= (c->learning_rate * g[i]) / sqrt(acc[i] + c->epsilon);
    }
}

/* With n == 0 nothing happens, not even the iteration count (Keras's
 * apply returns early on no gradients). An out-of-range kind clips grad
 * and leaves params alone. */
void optim_step(optim *o, double *params, double *grad) {
    if (o->n == 0) return;
    optim_clip(&o->conf, grad, o->n);
    switch (o->conf.kind) {
    case OPTIM_SGD:
        optim_step_sgd(o, params, grad);
        break;
    case OPTIM_ADAM:
        optim_step_adam(o, params, grad);
        break;
    case OPTIM_RMSPROP:
        optim_step_rmsprop(o, params, grad);
        break;
    case OPTIM_ADAGRAD:
        optim_step_adagrad(o, params, grad);
        break;
    default:
        break;
    }
    o->iterations++;
}
