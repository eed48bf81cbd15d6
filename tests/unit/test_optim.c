/* test_optim.c - tests src/core/optim.c.
 *
 * Each optimizer variant takes 3 steps from P0 with the gradients G[0..3)
 * and its trajectory is compared, bit for bit, with the Keras 3 update
 * equations (keras/src/optimizers/{sgd,adam,rmsprop,adagrad}.py and the
 * clipping in base_optimizer.py) written out here by hand, in Keras's order
 * of operations, with the hyperparameters as literals. Then a few
 * trajectories are compared, to a few ulps, with numbers PyTorch computed
 * where its formulas agree with Keras's. */
#include "check.h"
#include "core/optim.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define NP 10   /* parameters */
#define STEPS 3 /* steps per trajectory */

/* Most params start at or near 0, where a step is as large as the param,
 * so that a rounding of the update shows in the trajectory. (Mutating the
 * order of any one operation in optim.c makes some check below fail.) */
static const double P0[NP] = {0.5,     -1.25,      2.0,      0.0,        0.0012345,
                              -0.0027, -0.0005241, 8.85e-05, -0.0002601, 0.0002078};
/* G[k][i]: the gradient of param i at step k+1 */
static const double G[STEPS][NP] = {
    {0.3, -0.7, 1.9, 0.123456789, -0.033, 0.777, 0.100576, -0.347577, -0.389466, 0.269975},
    {-0.2, 0.4, 2.5, -0.987654321, 0.042, 0.31, -0.192517, -0.212535, 0.396516, -0.023789},
    {0.05, -1.1, -0.6, 0.5555555, -0.019, -0.602, 0.269169, -0.018917, 0.111255, -0.279507}};

/* Runs conf for STEPS steps from P0. traj[k][i]: param i after step k+1;
 * clipped[k][i]: G[k][i] as optim_step left it (clipped in place).
 * Returns 0 if optim_new failed. */
static int run(const optim_conf *c, double traj[STEPS][NP], double clipped[STEPS][NP]) {
    optim *o = optim_new(c, NP);
    if (!CHECK(o != NULL)) return 0;
    double p[NP];
    memcpy(p, P0, sizeof p);
    for (int k = 0; k < STEPS; k++) {
        double g[NP];
        memcpy(g, G[k], sizeof g);
        optim_step(o, p, g);
        memcpy(traj[k], p, sizeof p);
        memcpy(clipped[k], g, sizeof g);
    }
    optim_free(o);
    return 1;
}

/* Compares got with want entry by entry, |got - want| <= rel * |want|
 * (rel 0: the same double). */
static void expect_near(const char *label, double got[STEPS][NP], double want[STEPS][NP],
                        double rel) {
    for (int k = 0; k < STEPS; k++)
        for (int i = 0; i < NP; i++) {
            char what[128];
            snprintf(what, sizeof what, "%s: step %d param %d", label, k + 1, i);
            check_rel_at(got[k][i], want[k][i], rel, what, __FILE__, __LINE__);
        }
}

/* Runs c and expects exactly the trajectory want; with want_g, also the
 * clipped gradients. */
static void expect_run(const char *label, const optim_conf *c, double want[STEPS][NP],
                       double want_g[STEPS][NP]) {
    double traj[STEPS][NP], clipped[STEPS][NP];
    if (!run(c, traj, clipped)) return;
    expect_near(label, traj, want, 0.0);
    if (want_g != NULL) {
        char what[128];
        snprintf(what, sizeof what, "%s (clipped gradient)", label);
        expect_near(what, clipped, want_g, 0.0);
    }
}

/* ---- the names and the defaults ---- */

static void test_names(void) {
    CHECK_STR(optim_name(OPTIM_SGD), "sgd");
    CHECK_STR(optim_name(OPTIM_ADAM), "adam");
    CHECK_STR(optim_name(OPTIM_RMSPROP), "rmsprop");
    CHECK_STR(optim_name(OPTIM_ADAGRAD), "adagrad");
    CHECK(optim_name(OPTIM_KIND_COUNT) == NULL);
    for (int k = 0; k < (int)OPTIM_KIND_COUNT; k++)
        CHECK_INT(optim_by_name(optim_name((optim_kind)k)), k);
    CHECK_INT(optim_by_name("adamw"), -1);
    CHECK_INT(optim_by_name("Adam"), -1); /* names are exact */
    CHECK_INT(optim_by_name(""), -1);
    CHECK_INT(optim_by_name(NULL), -1);
}

static void test_defaults(void) {
    optim_conf c;
    optim_defaults(&c, OPTIM_SGD); /* sgd.py: lr 0.01, momentum 0.0, nesterov False */
    CHECK_INT(c.kind, OPTIM_SGD);
    CHECK(c.learning_rate == 0.01 && c.momentum == 0.0 && c.nesterov == 0);
    CHECK(c.clipnorm == 0.0 && c.clipvalue == 0.0 && c.global_clipnorm == 0.0);
    /* adam.py: lr 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7, amsgrad False */
    optim_defaults(&c, OPTIM_ADAM);
    CHECK_INT(c.kind, OPTIM_ADAM);
    CHECK(c.learning_rate == 0.001 && c.beta_1 == 0.9 && c.beta_2 == 0.999);
    CHECK(c.epsilon == 1e-7 && c.amsgrad == 0);
    CHECK(c.clipnorm == 0.0 && c.clipvalue == 0.0 && c.global_clipnorm == 0.0);
    /* rmsprop.py: lr 0.001, rho 0.9, momentum 0.0, epsilon 1e-7, centered False */
    optim_defaults(&c, OPTIM_RMSPROP);
    CHECK_INT(c.kind, OPTIM_RMSPROP);
    CHECK(c.learning_rate == 0.001 && c.rho == 0.9 && c.momentum == 0.0);
    CHECK(c.epsilon == 1e-7 && c.centered == 0);
    /* adagrad.py: lr 0.001, initial_accumulator_value 0.1, epsilon 1e-7 */
    optim_defaults(&c, OPTIM_ADAGRAD);
    CHECK_INT(c.kind, OPTIM_ADAGRAD);
    CHECK(c.learning_rate == 0.001 && c.initial_accumulator_value == 0.1);
    CHECK(c.epsilon == 1e-7);
}

/* ---- sgd.py ---- */

/* Defaults (lr 0.01, momentum 0): p -= g * lr */
static void test_sgd(void) {
    optim_conf c;
    optim_defaults(&c, OPTIM_SGD);
    double want[STEPS][NP], p[NP];
    memcpy(p, P0, sizeof p);
    for (int k = 0; k < STEPS; k++)
        for (int i = 0; i < NP; i++) {
            p[i] -= G[k][i] * 0.01;
            want[k][i] = p[i];
        }
    expect_run("sgd", &c, want, NULL);
}

/* momentum 0.9, lr 0.1: m = m * momentum - g * lr; p += m */
static void test_sgd_momentum(void) {
    optim_conf c;
    optim_defaults(&c, OPTIM_SGD);
    c.learning_rate = 0.1;
    c.momentum = 0.9;
    double want[STEPS][NP], p[NP], m[NP] = {0};
    memcpy(p, P0, sizeof p);
    for (int k = 0; k < STEPS; k++)
        for (int i = 0; i < NP; i++) {
            m[i] = m[i] * 0.9 - G[k][i] * 0.1;
            p[i] += m[i];
            want[k][i] = p[i];
        }
    expect_run("sgd momentum", &c, want, NULL);
}

/* nesterov, momentum 0.3, lr 0.1: m = m * momentum - g * lr; p += m * momentum - g * lr */
static void test_sgd_nesterov(void) {
    optim_conf c;
    optim_defaults(&c, OPTIM_SGD);
    c.learning_rate = 0.1;
    c.momentum = 0.3;
    c.nesterov = 1;
    double want[STEPS][NP], p[NP], m[NP] = {0};
    memcpy(p, P0, sizeof p);
    for (int k = 0; k < STEPS; k++)
        for (int i = 0; i < NP; i++) {
            m[i] = m[i] * 0.3 - G[k][i] * 0.1;
            p[i] += m[i] * 0.3 - G[k][i] * 0.1;
            want[k][i] = p[i];
        }
    expect_run("sgd nesterov", &c, want, NULL);

    /* Keras keeps no momentum slot when momentum is 0: nesterov is plain sgd. */
    c.momentum = 0.0;
    memcpy(p, P0, sizeof p);
    for (int k = 0; k < STEPS; k++)
        for (int i = 0; i < NP; i++) {
            p[i] -= G[k][i] * 0.1;
            want[k][i] = p[i];
        }
    expect_run("sgd nesterov, momentum 0", &c, want, NULL);
}

/* ---- adam.py ----
 * t = iterations + 1
 * alpha = lr * sqrt(1 - pow(beta_2, t)) / (1 - pow(beta_1, t))
 * m += (g - m) * (1 - beta_1); v += (g * g - v) * (1 - beta_2)
 * amsgrad: vhat = max(vhat, v), used for v
 * p -= (m * alpha) / (sqrt(v) + epsilon) */

/* Defaults: lr 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7 */
static void test_adam(void) {
    optim_conf c;
    optim_defaults(&c, OPTIM_ADAM);
    double want[STEPS][NP], p[NP], m[NP] = {0}, v[NP] = {0};
    memcpy(p, P0, sizeof p);
    for (int k = 0; k < STEPS; k++) {
        double t = k + 1.0;
        double alpha = 0.001 * sqrt(1 - pow(0.999, t)) / (1 - pow(0.9, t));
        for (int i = 0; i < NP; i++) {
            m[i] += (G[k][i] - m[i]) * (1 - 0.9);
            v[i] += (G[k][i] * G[k][i] - v[i]) * (1 - 0.999);
            p[i] -= (m[i] * alpha) / (sqrt(v[i]) + 1e-7);
            want[k][i] = p[i];
        }
    }
    expect_run("adam", &c, want, NULL);
}

/* amsgrad, lr 0.1, beta_1 0.7, beta_2 0.6 (a small beta_2, so that v falls
 * often in these 3 steps, and vhat keeps the max). */
static void test_adam_amsgrad(void) {
    optim_conf c;
    optim_defaults(&c, OPTIM_ADAM);
    c.learning_rate = 0.1;
    c.beta_1 = 0.7;
    c.beta_2 = 0.6;
    c.amsgrad = 1;
    double want[STEPS][NP], p[NP], m[NP] = {0}, v[NP] = {0}, vhat[NP] = {0};
    int held = 0; /* steps where vhat > v */
    memcpy(p, P0, sizeof p);
    for (int k = 0; k < STEPS; k++) {
        double t = k + 1.0;
        double alpha = 0.1 * sqrt(1 - pow(0.6, t)) / (1 - pow(0.7, t));
        for (int i = 0; i < NP; i++) {
            m[i] += (G[k][i] - m[i]) * (1 - 0.7);
            v[i] += (G[k][i] * G[k][i] - v[i]) * (1 - 0.6);
            vhat[i] = vhat[i] > v[i] ? vhat[i] : v[i];
            held += vhat[i] != v[i];
            p[i] -= (m[i] * alpha) / (sqrt(vhat[i]) + 1e-7);
            want[k][i] = p[i];
        }
    }
    CHECK_INT(held, 10); /* vhat > v in 10 of the 30 updates */
    expect_run("adam amsgrad", &c, want, NULL);

    /* Without amsgrad the same conf goes elsewhere from step 2 on. */
    double without[STEPS][NP], g[STEPS][NP];
    c.amsgrad = 0;
    if (run(&c, without, g)) {
        CHECK(without[1][1] != want[1][1]);
        CHECK(without[2][2] != want[2][2]);
    }
}

/* ---- rmsprop.py ----
 * vel = rho * vel + (1 - rho) * (g * g)
 * centered: avg = rho * avg + (1 - rho) * g; den = vel - avg * avg + epsilon
 * else: den = vel + epsilon
 * inc = (lr * g) / sqrt(den)
 * momentum > 0: mom = momentum * mom + inc; p -= mom; else p -= inc */

/* Defaults: lr 0.001, rho 0.9, epsilon 1e-7 */
static void test_rmsprop(void) {
    optim_conf c;
    optim_defaults(&c, OPTIM_RMSPROP);
    double want[STEPS][NP], p[NP], vel[NP] = {0};
    memcpy(p, P0, sizeof p);
    for (int k = 0; k < STEPS; k++)
        for (int i = 0; i < NP; i++) {
            vel[i] = 0.9 * vel[i] + (1 - 0.9) * (G[k][i] * G[k][i]);
            double inc = (0.001 * G[k][i]) / sqrt(vel[i] + 1e-7);
            p[i] -= inc;
            want[k][i] = p[i];
        }
    expect_run("rmsprop", &c, want, NULL);
}

/* lr 0.1, rho 0.8, momentum 0.5, epsilon 1e-6 */
static void test_rmsprop_momentum(void) {
    optim_conf c;
    optim_defaults(&c, OPTIM_RMSPROP);
    c.learning_rate = 0.1;
    c.rho = 0.8;
    c.momentum = 0.5;
    c.epsilon = 1e-6;
    double want[STEPS][NP], p[NP], vel[NP] = {0}, mom[NP] = {0};
    memcpy(p, P0, sizeof p);
    for (int k = 0; k < STEPS; k++)
        for (int i = 0; i < NP; i++) {
            vel[i] = 0.8 * vel[i] + (1 - 0.8) * (G[k][i] * G[k][i]);
            double inc = (0.1 * G[k][i]) / sqrt(vel[i] + 1e-6);
            mom[i] = 0.5 * mom[i] + inc;
            p[i] -= mom[i];
            want[k][i] = p[i];
        }
    expect_run("rmsprop momentum", &c, want, NULL);
}

/* centered, lr 0.1, rho 0.9; then centered with rho 0.7, momentum 0.3 */
static void test_rmsprop_centered(void) {
    optim_conf c;
    optim_defaults(&c, OPTIM_RMSPROP);
    c.learning_rate = 0.1;
    c.centered = 1;
    double want[STEPS][NP], p[NP], vel[NP] = {0}, avg[NP] = {0};
    memcpy(p, P0, sizeof p);
    for (int k = 0; k < STEPS; k++)
        for (int i = 0; i < NP; i++) {
            vel[i] = 0.9 * vel[i] + (1 - 0.9) * (G[k][i] * G[k][i]);
            avg[i] = 0.9 * avg[i] + (1 - 0.9) * G[k][i];
            double den = vel[i] - avg[i] * avg[i] + 1e-7;
            p[i] -= (0.1 * G[k][i]) / sqrt(den);
            want[k][i] = p[i];
        }
    expect_run("rmsprop centered", &c, want, NULL);

    c.rho = 0.7;
    c.momentum = 0.3;
    double mom[NP] = {0};
    memcpy(p, P0, sizeof p);
    for (int i = 0; i < NP; i++) vel[i] = avg[i] = 0;
    for (int k = 0; k < STEPS; k++)
        for (int i = 0; i < NP; i++) {
            vel[i] = 0.7 * vel[i] + (1 - 0.7) * (G[k][i] * G[k][i]);
            avg[i] = 0.7 * avg[i] + (1 - 0.7) * G[k][i];
            double den = vel[i] - avg[i] * avg[i] + 1e-7;
            mom[i] = 0.3 * mom[i] + (0.1 * G[k][i]) / sqrt(den);
            p[i] -= mom[i];
            want[k][i] = p[i];
        }
    expect_run("rmsprop centered momentum", &c, want, NULL);
}

/* ---- adagrad.py ----
 * acc starts at initial_accumulator_value; acc += g * g
 * p -= (lr * g) / sqrt(acc + epsilon) */

static void test_adagrad(void) {
    optim_conf c;
    optim_defaults(&c, OPTIM_ADAGRAD); /* lr 0.001, acc 0.1, epsilon 1e-7 */
    double want[STEPS][NP], p[NP], acc[NP];
    memcpy(p, P0, sizeof p);
    for (int i = 0; i < NP; i++) acc[i] = 0.1;
    for (int k = 0; k < STEPS; k++)
        for (int i = 0; i < NP; i++) {
            acc[i] += G[k][i] * G[k][i];
            p[i] -= (0.001 * G[k][i]) / sqrt(acc[i] + 1e-7);
            want[k][i] = p[i];
        }
    expect_run("adagrad", &c, want, NULL);

    c.learning_rate = 0.5;
    c.initial_accumulator_value = 0.25;
    c.epsilon = 1e-3;
    memcpy(p, P0, sizeof p);
    for (int i = 0; i < NP; i++) acc[i] = 0.25;
    for (int k = 0; k < STEPS; k++)
        for (int i = 0; i < NP; i++) {
            acc[i] += G[k][i] * G[k][i];
            p[i] -= (0.5 * G[k][i]) / sqrt(acc[i] + 1e-3);
            want[k][i] = p[i];
        }
    expect_run("adagrad lr 0.5, acc 0.25, epsilon 1e-3", &c, want, NULL);
}

/* ---- clipping (base_optimizer.py) ---- */

/* clipnorm 0.7, per variable (each scalar):
 *   l2norm = sqrt(g * g) (0 when g * g is 0); g = (g * 0.7) / max(l2norm, 0.7)
 * with sgd momentum 0.9, lr 0.1. At 0.7 the unclipped -0.2, 0.4 and 0.05
 * come back from (g * 0.7) / 0.7 one ulp off, as in Keras. */
static void test_clipnorm(void) {
    optim_conf c;
    optim_defaults(&c, OPTIM_SGD);
    c.learning_rate = 0.1;
    c.momentum = 0.9;
    c.clipnorm = 0.7;
    double want[STEPS][NP], want_g[STEPS][NP], p[NP], m[NP] = {0};
    memcpy(p, P0, sizeof p);
    for (int k = 0; k < STEPS; k++)
        for (int i = 0; i < NP; i++) {
            double g = G[k][i], l2sum = g * g;
            double l2norm = l2sum > 0 ? sqrt(l2sum) : l2sum;
            g = (g * 0.7) / (l2norm > 0.7 ? l2norm : 0.7);
            m[i] = m[i] * 0.9 - g * 0.1;
            p[i] += m[i];
            want[k][i] = p[i];
            want_g[k][i] = g;
        }
    CHECK(want_g[1][0] != G[1][0]); /* (g * c) / c is not g here */
    CHECK(fabs(want_g[0][2]) == 0.7 && fabs(want_g[2][1]) == 0.7);
    expect_run("clipnorm 0.7", &c, want, want_g);
}

/* clipvalue 0.5: g = min(max(g, -0.5), 0.5), with adam defaults */
static void test_clipvalue(void) {
    optim_conf c;
    optim_defaults(&c, OPTIM_ADAM);
    c.clipvalue = 0.5;
    double want[STEPS][NP], want_g[STEPS][NP], p[NP], m[NP] = {0}, v[NP] = {0};
    memcpy(p, P0, sizeof p);
    for (int k = 0; k < STEPS; k++) {
        double t = k + 1.0;
        double alpha = 0.001 * sqrt(1 - pow(0.999, t)) / (1 - pow(0.9, t));
        for (int i = 0; i < NP; i++) {
            double g = G[k][i];
            g = g < -0.5 ? -0.5 : g > 0.5 ? 0.5 : g;
            m[i] += (g - m[i]) * (1 - 0.9);
            v[i] += (g * g - v[i]) * (1 - 0.999);
            p[i] -= (m[i] * alpha) / (sqrt(v[i]) + 1e-7);
            want[k][i] = p[i];
            want_g[k][i] = g;
        }
    }
    expect_run("clipvalue 0.5", &c, want, want_g);
}

/* global_clipnorm: norm = sqrt(sum of g * g over all params);
 * scale = clip * min(1 / norm, 1 / clip) + (norm - norm); g *= scale.
 * With sgd, lr 0.1. At 2.5 step 2 (norm 2.79) is clipped and steps 1 (2.27)
 * and 3 (1.55) are not; at 49 nothing is clipped but 49 * (1 / 49) is not 1, so Keras
 * still moves every gradient by an ulp. */
static void test_global_clipnorm(void) {
    const double clips[2] = {2.5, 49.0};
    for (int ci = 0; ci < 2; ci++) {
        double clip = clips[ci];
        optim_conf c;
        optim_defaults(&c, OPTIM_SGD);
        c.learning_rate = 0.1;
        c.global_clipnorm = clip;
        double want[STEPS][NP], want_g[STEPS][NP], p[NP];
        memcpy(p, P0, sizeof p);
        for (int k = 0; k < STEPS; k++) {
            double sq = 0.0;
            for (int i = 0; i < NP; i++) sq += G[k][i] * G[k][i];
            double norm = sqrt(sq);
            double inv_norm = 1.0 / norm, inv_clip = 1.0 / clip;
            double scale = clip * (inv_norm < inv_clip ? inv_norm : inv_clip) + (norm - norm);
            for (int i = 0; i < NP; i++) {
                double g = G[k][i] * scale;
                p[i] -= g * 0.1;
                want[k][i] = p[i];
                want_g[k][i] = g;
            }
        }
        if (ci == 0) {
            double sq2 = 0.0;
            for (int i = 0; i < NP; i++) sq2 += want_g[1][i] * want_g[1][i];
            CHECK_NEAR(sqrt(sq2), 2.5, 1e-15);
            CHECK(want_g[0][0] == G[0][0]); /* 2.5 * (1 / 2.5) is 1 */
        } else {
            CHECK(want_g[0][0] != G[0][0]);
        }
        char label[64];
        snprintf(label, sizeof label, "global_clipnorm %g", clip);
        expect_run(label, &c, want, want_g);
    }
}

/* The global norm sums the squares left to right over params[0..n). Nine
 * squares of 1e-8 each vanish one at a time against 1 (each is under half
 * an ulp of 1), so the norm is exactly 1 and the gradients scale by exactly
 * 0.5; summed the other way round they would add up to 4 ulps first. */
static void test_global_clipnorm_order(void) {
    optim_conf c;
    optim_defaults(&c, OPTIM_SGD);
    c.global_clipnorm = 0.5;
    double p[10] = {0}, g[10] = {1.0};
    for (int i = 1; i < 10; i++) g[i] = 1e-8;
    double rev = 0.0;
    for (int i = 9; i >= 0; i--) rev += g[i] * g[i];
    CHECK(rev != 1.0); /* the order would matter */
    optim *o = optim_new(&c, 10);
    if (!CHECK(o != NULL)) return;
    optim_step(o, p, g);
    CHECK(g[0] == 0.5);
    for (int i = 1; i < 10; i++) CHECK(g[i] == 1e-8 * 0.5);
    optim_free(o);
}

/* Keras allows one clip setting; with several set, its _clip_gradients
 * chain picks clipnorm, else global_clipnorm, else clipvalue. */
static void test_clip_precedence(void) {
    optim_conf only, all;
    double a[STEPS][NP], b[STEPS][NP], ga[STEPS][NP], gb[STEPS][NP];

    optim_defaults(&only, OPTIM_SGD);
    only.learning_rate = 0.1;
    all = only;
    only.clipnorm = 0.7;
    all.clipnorm = 0.7;
    all.global_clipnorm = 2.2;
    all.clipvalue = 0.5;
    if (run(&only, a, ga) && run(&all, b, gb)) {
        expect_near("clipnorm wins", b, a, 0.0);
        expect_near("clipnorm wins (gradient)", gb, ga, 0.0);
    }

    only.clipnorm = 0.0;
    only.global_clipnorm = 2.2;
    all.clipnorm = 0.0;
    if (run(&only, a, ga) && run(&all, b, gb)) {
        expect_near("global_clipnorm beats clipvalue", b, a, 0.0);
        expect_near("global_clipnorm beats clipvalue (gradient)", gb, ga, 0.0);
    }

    /* Negative settings are off, as Keras's "clipnorm > 0" tests. */
    optim_defaults(&only, OPTIM_SGD);
    all = only;
    all.clipnorm = -1.0;
    all.clipvalue = -1.0;
    all.global_clipnorm = -1.0;
    if (run(&only, a, ga) && run(&all, b, gb)) expect_near("negative clips are off", b, a, 0.0);
}

/* ---- state ---- */

/* optim_reset forgets moments, accumulators and the step count: a second
 * run after a reset repeats the first exactly. */
static void test_reset(void) {
    const optim_kind kinds[2] = {OPTIM_ADAM, OPTIM_ADAGRAD};
    for (int ki = 0; ki < 2; ki++) {
        optim_conf c;
        optim_defaults(&c, kinds[ki]);
        c.learning_rate = 0.1;
        optim *o = optim_new(&c, NP);
        if (!CHECK(o != NULL)) continue;
        double first[STEPS][NP], second[STEPS][NP];
        for (int r = 0; r < 2; r++) {
            double p[NP];
            memcpy(p, P0, sizeof p);
            for (int k = 0; k < STEPS; k++) {
                double g[NP];
                memcpy(g, G[k], sizeof g);
                optim_step(o, p, g);
                memcpy(r == 0 ? first[k] : second[k], p, sizeof p);
            }
            optim_reset(o);
        }
        expect_near(optim_name(kinds[ki]), second, first, 0.0);
        optim_free(o);
    }
}

static void test_edges(void) {
    optim_conf c;
    optim_defaults(&c, OPTIM_ADAM);
    optim *o = optim_new(&c, 0); /* no parameters: a step does nothing */
    if (CHECK(o != NULL)) {
        double p[1] = {1.0}, g[1] = {1.0};
        optim_step(o, p, g);
        CHECK(p[0] == 1.0 && g[0] == 1.0);
        optim_free(o);
    }
    CHECK(optim_new(&c, SIZE_MAX) == NULL); /* slots would overflow size_t */
    optim_free(NULL);

    /* A NaN gradient reaches the parameter: nothing (not amsgrad's max) hides it. */
    c.amsgrad = 1;
    o = optim_new(&c, 1);
    if (CHECK(o != NULL)) {
        double p[1] = {1.0}, g[1] = {NAN};
        optim_step(o, p, g);
        CHECK(isnan(p[0]));
        optim_free(o);
    }
}

/* ---- cross-check against PyTorch ----
 * Generated offline with torch 1.13 (CPU, float64) from P0 and G: each row
 * is the params after steps 1, 2, 3. Only where torch's formulas agree with
 * Keras's in exact arithmetic:
 *   - sgd momentum: torch keeps buf = momentum * buf + g and steps
 *     p -= lr * buf (nesterov: p -= lr * (g + momentum * buf)); Keras keeps
 *     m = momentum * m - lr * g and adds it. With a fixed lr, m = -lr * buf,
 *     so the trajectories agree but round differently.
 *   - adam, rmsprop, adagrad: torch puts epsilon elsewhere (adam:
 *     sqrt(v) / sqrt(1 - beta_2^t) + eps; rmsprop and adagrad: outside the
 *     sqrt), so these runs use epsilon 0, where the formulas coincide.
 *   - clipvalue is torch's clip_grad_value_. Keras's clipnorm and
 *     global_clipnorm have no torch twin (clip_grad_norm_ divides by
 *     norm + 1e-6), so they are checked only by hand above.
 * Most entries agree to the bit; the rest within a few ulps (TORCH_REL).
 * To regenerate: p = torch.nn.Parameter(torch.tensor(P0)); opt =
 * torch.optim.X([p], ...); for each k, p.grad = torch.tensor(G[k]);
 * opt.step(); print p's values with %.17g. */
static const double T_SGD[STEPS][NP] = {
    {0.46999999999999997, -1.1799999999999999, 1.8100000000000001, -0.0123456789,
     0.0045345000000000003, -0.080400000000000013, -0.010581700000000001, 0.034846200000000008,
     0.038686499999999999, -0.026789700000000003},
    {0.48999999999999999, -1.22, 1.5600000000000001, 0.086419753200000005, 0.00033449999999999984,
     -0.11140000000000001, 0.0086699999999999989, 0.056099700000000009, -0.0009651000000000015,
     -0.024410800000000003},
    {0.48499999999999999, -1.1099999999999999, 1.6200000000000001, 0.030864203200000002,
     0.0022344999999999999, -0.051200000000000009, -0.018246900000000003, 0.057991400000000012,
     -0.012090600000000003, 0.0035398999999999986}};
static const double T_SGD_MOM[STEPS][NP] = {
    {0.46999999999999997, -1.1799999999999999, 1.8100000000000001, -0.0123456789,
     0.0045345000000000003, -0.080400000000000013, -0.010581700000000001, 0.034846200000000008,
     0.038686499999999999, -0.026789700000000003},
    {0.46299999999999997, -1.157, 1.389, 0.075308642189999997, 0.0033045000000000001,
     -0.18133000000000002, -0.00038184000000000113, 0.087381630000000016, 0.03408684,
     -0.048708550000000003},
    {0.45169999999999999, -1.0263, 1.0701000000000001, 0.098641981171000009, 0.0040974999999999996,
     -0.21196700000000004, -0.018118866000000001, 0.13655521700000003, 0.018821645999999997,
     -0.040484815000000007}};
static const double T_SGD_NEST[STEPS][NP] = {
    {0.443, -1.117, 1.639, -0.023456789910000001, 0.0075045000000000008, -0.15033000000000002,
     -0.019633540000000001, 0.066128130000000007, 0.073738440000000002, -0.051087450000000006},
    {0.45669999999999999, -1.1363000000000001, 1.0101, 0.15419753117099999, 0.0021974999999999998,
     -0.27216700000000005, 0.008798033999999998, 0.13466351700000001, 0.029947146000000001,
     -0.068435515000000002},
    {0.44152999999999998, -0.90866999999999998, 0.78308999999999995, 0.1196419862539,
     0.0048111999999999999, -0.23954030000000007, -0.034082189400000004, 0.18081144530000001,
     0.005082971399999997, -0.033083453500000005}};
static const double T_ADAM[STEPS][NP] = {
    {0.40000000000000002, -1.1499999999999999, 1.8999999999999999, -0.099999999999999992,
     0.10123450000000001, -0.1027, -0.10052410000000001, 0.10008850000000001, 0.099739900000000006,
     -0.099792200000000011},
    {0.38554794702835293, -1.1287632667919314, 1.8002125436679537, -0.034467338295265826,
     0.084095324596782345, -0.19251823392780454, -0.0655761020014336, 0.19608030154699879,
     0.093580050428066067, -0.16000420595714182},
    {0.36570046781944787, -1.0675245132673947, 1.7364464904506174, -0.021385853058097655,
     0.09303642201951659, -0.21151925830740856, -0.098343231992651159, 0.27316778747313541,
     0.076363674191332803, -0.14650411021101797}};
static const double T_AMSGRAD[STEPS][NP] = {
    {0.40000000000000002, -1.1499999999999999, 1.8999999999999999, -0.10000000000000001,
     0.10123450000000002, -0.1027, -0.10052410000000001, 0.10008850000000001, 0.099739900000000006,
     -0.099792200000000025},
    {0.39757312647939108, -1.1404334457339442, 1.8017670965673935, -0.032420080286266209,
     0.072632354259540247, -0.1844705774553041, -0.056774363463725976, 0.19767088386827045,
     0.081238059117908976, -0.14532039942195304},
    {0.38568824514841743, -1.0793700527176671, 1.755910360730941, -0.02756833692266418,
     0.080134499626666453, -0.18412867393503971, -0.094221805967413558, 0.25983718470817629,
     0.055836003286960562, -0.11294551518777721}};
static const double T_RMSPROP[STEPS][NP] = {
    {0.18377223398316206, -0.933772233983162, 1.683772233983162, -0.316227766016838,
     0.31746226601683802, -0.31892776601683798, -0.31675186601683802, 0.31631626601683793,
     0.31596766601683796, -0.31601996601683802},
    {0.36559041580134394, -1.0969356372727628, 1.4272641451808539, -0.0022002971856112663,
     0.063920609484336421, -0.44151812774680321, -0.033414193688990956, 0.48763752697425783,
     0.084612644882978066, -0.28677399304814749},
    {0.31821779532752431, -0.8340529329398918, 1.4908315283522009, -0.1626487414750791,
     0.17685011997103545, -0.2449492000467412, -0.28551179660084919, 0.50369035362810488,
     0.017735079398041184, -0.048558182538748995}};
static const double T_RMSPROP_MOM[STEPS][NP] = {
    {0.18377223398316203, -0.933772233983162, 1.683772233983162, -0.316227766016838,
     0.31746226601683797, -0.31892776601683798, -0.31675186601683802, 0.31631626601683799,
     0.31596766601683796, -0.31601996601683796},
    {0.20747653279292491, -0.93882175426434389, 1.2691502621724349, -0.16031418019403021,
     0.22203449249275536, -0.59963201075522221, -0.19152807669740998, 0.64575140998267688,
     0.24272652789139704, -0.44488787605656643},
    {0.17195606172398673, -0.6784638100720638, 1.1254066594384184, -0.24280583157209415,
     0.28725011621741309, -0.54341520542435229, -0.38101378494955418, 0.82652180861944335,
     0.13922839334373971, -0.27110602056703215}};
static const double T_RMSPROP_CENTERED[STEPS][NP] = {
    {0.16666666666666663, -0.91666666666666663, 1.6666666666666665, -0.33333333333333337,
     0.33456783333333345, -0.33603333333333335, -0.3338574333333334, 0.33342183333333336,
     0.33307323333333333, -0.33312553333333345},
    {0.34885411464806559, -1.0805529272791785, 1.3822558726267933, -0.0063502697999658353,
     0.080324349978489973, -0.46973509594067109, -0.047272252620440325, 0.52253790142412215,
     0.10163484955149543, -0.3027561755106678},
    {0.30120763810048967, -0.80382447089583897, 1.4497948052739122, -0.16716427324253463,
     0.19337950854429567, -0.2721751336187887, -0.30292201173740846, 0.54020212193946393,
     0.034473929476365753, -0.063953094381159509}};
static const double T_ADAGRAD[STEPS][NP] = {
    {0.43117527983883147, -1.1588677623134234, 1.9013569149862786, -0.036367242924073083,
     0.011613654809227384, -0.095322882970070133, -0.030832992622969464, 0.074056161192878139,
     0.077372109888625432, -0.064721841936382085},
    {0.4728781626502464, -1.2050557838485934, 1.8221413836707188, 0.058202408146738598,
     -0.001482409787326975, -0.12998564140160901, 0.019348913583567724, 0.11526640995097072,
     0.015364136252808885, -0.059009870748112099},
    {0.46250864570294214, -1.1264843552771648, 1.8408185678616595, 0.011238403635142252,
     0.0044316307405815845, -0.074145065324127291, -0.038086391961529416, 0.11893192566137933,
     -0.0017766535604995699, -0.0032839074927433418}};
static const double T_SGD_MOM_CLIPVALUE[STEPS][NP] = {
    {0.46999999999999997, -1.2, 1.95, -0.0123456789, 0.0045345000000000003, -0.052700000000000004,
     -0.010581700000000001, 0.034846200000000008, 0.038686499999999999, -0.026789700000000003},
    {0.46299999999999997, -1.1950000000000001, 1.855, 0.026543210090000005, 0.0033045000000000001,
     -0.12870000000000001, -0.00038184000000000113, 0.087381630000000016, 0.03408684,
     -0.048708550000000003},
    {0.45169999999999999, -1.1405000000000001, 1.8194999999999999, 0.01154321018100001,
     0.0040974999999999996, -0.14710000000000001, -0.018118866000000001, 0.13655521700000003,
     0.018821645999999997, -0.040484815000000007}};

/* |got - want| <= TORCH_REL * max(|want|, 0.1): relative for the params
 * near 1; for those near 0, where p - lr * g cancels (torch may fuse it
 * into one multiply-add), relative to the size of the terms, ~0.1. The
 * largest difference seen is 5.6e-16 on that scale; a wrong formula (an
 * epsilon moved, a momentum convention confused) is off by 1e-3 or more. */
#define TORCH_REL 2e-15

static void expect_torch(const char *label, const optim_conf *c, const double want[STEPS][NP]) {
    double traj[STEPS][NP], g[STEPS][NP];
    if (!run(c, traj, g)) return;
    for (int k = 0; k < STEPS; k++)
        for (int i = 0; i < NP; i++) {
            char what[128];
            snprintf(what, sizeof what, "%s: step %d param %d", label, k + 1, i);
            double tol = TORCH_REL * fmax(fabs(want[k][i]), 0.1);
            check_near_at(traj[k][i], want[k][i], tol, what, __FILE__, __LINE__);
        }
}

static void test_torch(void) {
    optim_conf c;
    /* torch.optim.SGD(lr=0.1[, momentum=0.9[, nesterov=True]]) */
    optim_defaults(&c, OPTIM_SGD);
    c.learning_rate = 0.1;
    expect_torch("torch sgd", &c, T_SGD);
    c.momentum = 0.9;
    expect_torch("torch sgd momentum", &c, T_SGD_MOM);
    c.nesterov = 1;
    expect_torch("torch sgd nesterov", &c, T_SGD_NEST);
    /* clip_grad_value_(0.5), then SGD(lr=0.1, momentum=0.9) */
    c.nesterov = 0;
    c.clipvalue = 0.5;
    expect_torch("torch sgd momentum clipvalue", &c, T_SGD_MOM_CLIPVALUE);

    /* Adam(lr=0.1, betas=(0.9, 0.999), eps=0[, amsgrad with betas (0.7, 0.6)]) */
    optim_defaults(&c, OPTIM_ADAM);
    c.learning_rate = 0.1;
    c.epsilon = 0.0;
    expect_torch("torch adam", &c, T_ADAM);
    c.beta_1 = 0.7;
    c.beta_2 = 0.6;
    c.amsgrad = 1;
    expect_torch("torch adam amsgrad", &c, T_AMSGRAD);

    /* RMSprop(lr=0.1, alpha=0.9, eps=0[, momentum=0.5 | centered=True]) */
    optim_defaults(&c, OPTIM_RMSPROP);
    c.learning_rate = 0.1;
    c.epsilon = 0.0;
    expect_torch("torch rmsprop", &c, T_RMSPROP);
    c.momentum = 0.5;
    expect_torch("torch rmsprop momentum", &c, T_RMSPROP_MOM);
    c.momentum = 0.0;
    c.centered = 1;
    expect_torch("torch rmsprop centered", &c, T_RMSPROP_CENTERED);

    /* Adagrad(lr=0.1, initial_accumulator_value=0.1, eps=0) */
    optim_defaults(&c, OPTIM_ADAGRAD);
    c.learning_rate = 0.1;
    c.epsilon = 0.0;
    expect_torch("torch adagrad", &c, T_ADAGRAD);
}

int main(void) {
    test_names();
    test_defaults();
    test_sgd();
    test_sgd_momentum();
    test_sgd_nesterov();
    test_adam();
    test_adam_amsgrad();
    test_rmsprop();
    test_rmsprop_momentum();
    test_rmsprop_centered();
    test_adagrad();
    test_clipnorm();
    test_clipvalue();
    test_global_clipnorm();
    test_global_clipnorm_order();
    test_clip_precedence();
    test_reset();
    test_edges();
    test_torch();
    return check_done("test_optim");
}
