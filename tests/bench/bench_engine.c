/* bench_engine.c - one full-batch epoch of a linear/MSE fit (loss, gradient,
 * SGD step), timed two ways over the same float64 arrays:
 *
 *   engine  the generic path: spec_expand -> prog_compile(PROG_LOSS) ->
 *           prog_loss_grad + optim_step, exactly what a job runs per epoch;
 *   fused   a hand-written loop for this one model: one pass computing the
 *           loss and both gradient sums in 8 fixed lanes (vectorisable
 *           without -ffast-math), then the same optim_step.
 *
 * Usage: bench_engine [SECONDS [engine|fused|both [N]]]
 *   SECONDS  each timed repetition runs at least this long (default 0.5)
 *   engine|fused  time one path only (for perf record / callgrind)
 *   N        one row count instead of 1000 and 1000000
 *
 * Output, one line per measurement (best of 5 repetitions; median beside it):
 *   engine N=1000000 ns_per_row=0.412 us_per_epoch=412.000 median_us_per_epoch=415.000 ...
 * Lines starting with '#' are information; "WARNING:" lines mean the two
 * paths disagree. Exits 0 unless something could not be set up. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/data.h"
#include "core/err.h"
#include "core/optim.h"
#include "core/prog.h"
#include "core/spec.h"

#define REPS 5
#define LANES 8
#define M0 0.5 /* starting slope; the truth is 1 */
#define B0 0.5 /* starting intercept; the truth is 2 */

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* x[i] = i/(n-1) evenly spaced in [0,1]; y[i] = (x[i] + 2) + noise, where the
 * noise 0.01*((i*7919 mod 1000)/1000 - 0.5) lies in [-0.005, 0.005). Every
 * operation is one correctly rounded IEEE op, so bench_numpy.py and
 * bench_torch.py build bit-identical arrays. Returns NULL on allocation
 * failure; the caller owns the result (data_free). */
static fit_data *make_data(size_t n) {
    static const char *const names[2] = {"x", "y"};
    fit_data *d = data_new(2, n, names);
    if (d == NULL) return NULL;
    double *x = d->cols[0], *y = d->cols[1];
    double den = n > 1 ? (double)(n - 1) : 1.0;
    for (size_t i = 0; i < n; i++) {
        double u = (double)((i * 7919u) % 1000u) / 1000.0;
        x[i] = (double)i / den;
        y[i] = (x[i] + 2.0) + 0.01 * (u - 0.5);
    }
    return d;
}

/* How the fused kernel is compiled (GCC on x86-64; elsewhere plain C):
 * - target_clones: an AVX2 copy beside the baseline x86-64 (SSE2) one, picked
 *   at load time, as DESIGN.md says hot kernels may do. -ffp-contract=off
 *   keeps FMAs out, so both copies give the same bits.
 * - no-tree-loop-vectorize: GCC 12's loop vectoriser takes the block loop
 *   below as the one to vectorise, interleaving two blocks per vector with
 *   strided loads and shuffles (0.8-0.9 ns/row here); without it the SLP
 *   vectoriser packs the lanes of one block into vectors, as meant
 *   (0.3 ns/row). The order of every sum is the same either way. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define FUSED_ATTR                                                                                 \
    __attribute__((target_clones("avx2", "default"), optimize("no-tree-loop-vectorize")))
#else
#define FUSED_ATTR
#endif

/* The hand-fused kernel. Over rows [0, n) of x[n], y[n], with r = m*x + b - y:
 * out[0] = mean(r^2), out[1] = d/dm = 2*mean(r*x), out[2] = d/db = 2*mean(r).
 * Lane k sums rows i with i % LANES == k; the lanes are then added in a fixed
 * order, so the result does not depend on how the compiler vectorises. */
FUSED_ATTR static void fused_loss_grad(const double *x, const double *y, size_t n, double m,
                                       double b, double out[3]) {
    double sl[LANES] = {0}, sm[LANES] = {0}, sb[LANES] = {0};
    size_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        for (size_t k = 0; k < LANES; k++) {
            double r = m * x[i + k] + b - y[i + k];
            sl[k] += r * r;
            sm[k] += r * x[i + k];
            sb[k] += r;
        }
    }
    for (size_t k = 0; i < n; i++, k++) {
        double r = m * x[i] + b - y[i];
        sl[k] += r * r;
        sm[k] += r * x[i];
        sb[k] += r;
    }
    double tl = 0, tm = 0, tb = 0;
    for (size_t k = 0; k < LANES; k++) {
        tl += sl[k];
        tm += sm[k];
        tb += sb[k];
    }
    double inv = n ? 1.0 / (double)n : 0.0;
    out[0] = tl * inv;
    out[1] = 2.0 * tm * inv;
    out[2] = 2.0 * tb * inv;
}

/* What one timed case needs: the data, the compiled program (engine only),
 * the optimizer, and params[2] = {m, b} with grad[2]. All borrowed. */
typedef struct bench_case {
    const char *name;
    const fit_data *d;
    prog *p; /* NULL: the fused kernel */
    optim *o;
    double params[2];
    double grad[2];
    double last_loss;
} bench_case;

/* Runs `epochs` epochs (loss + gradient + SGD step) of c. */
static void run_epochs(bench_case *c, long epochs) {
    const double *x = c->d->cols[0], *y = c->d->cols[1];
    size_t n = c->d->rows;
    double loss = 0;
    for (long e = 0; e < epochs; e++) {
        if (c->p != NULL) {
            loss = prog_loss_grad(c->p, c->d, c->params, NULL, 0, n, c->grad);
        } else {
            double out[3];
            fused_loss_grad(x, y, n, c->params[0], c->params[1], out);
            loss = out[0];
            c->grad[0] = out[1];
            c->grad[1] = out[2];
        }
        optim_step(c->o, c->params, c->grad);
    }
    c->last_loss = loss;
}

/* Back to the starting point, so that every repetition does the same work. */
static void reset_case(bench_case *c) {
    c->params[0] = M0;
    c->params[1] = B0;
    optim_reset(c->o);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Warms c up, sizes a repetition to >= min_s seconds, times REPS of them,
 * and prints the line for c. */
static void time_case(bench_case *c, double min_s) {
    size_t n = c->d->rows;
    /* Warm-up (page faults, caches, branch predictors) and a first estimate. */
    reset_case(c);
    long warm = 1;
    double t0 = now_s(), dt = 0;
    for (;;) {
        run_epochs(c, warm);
        dt = now_s() - t0;
        if (dt >= 0.1 * min_s || warm >= (1L << 40)) break;
        warm *= 2;
    }
    /* The loop above ran 2*warm - 1 epochs in dt seconds. */
    double per_epoch = dt / (double)(2 * warm - 1);
    long epochs = (long)ceil(1.1 * min_s / (per_epoch > 0 ? per_epoch : 1e-9));
    if (epochs < 3) epochs = 3;

    double t[REPS];
    for (int r = 0; r < REPS; r++) {
        reset_case(c);
        double a = now_s();
        run_epochs(c, epochs);
        double s = now_s() - a;
        t[r] = s / (double)epochs;
    }
    qsort(t, REPS, sizeof t[0], cmp_double);
    double best = t[0], median = t[REPS / 2];
    printf("%-6s N=%zu ns_per_row=%.4f us_per_epoch=%.3f median_us_per_epoch=%.3f "
           "epochs_per_rep=%ld reps=%d\n",
           c->name, n, best * 1e9 / (double)n, best * 1e6, median * 1e6, epochs, REPS);
    fflush(stdout);
}

/* max |a-b| / max(|a|,|b|), 0 when both are 0. */
static double rel_diff(double a, double b) {
    double s = fmax(fabs(a), fabs(b));
    return s > 0 ? fabs(a - b) / s : 0.0;
}

/* Compares engine and fused at the starting point, and after 100 epochs
 * from it. Prints '#' lines, and WARNING lines when they disagree. */
static void check_case(bench_case *eng, bench_case *fus) {
    size_t n = eng->d->rows;
    double ge[2], gf[3];
    double le = prog_loss_grad(eng->p, eng->d, (const double[2]){M0, B0}, NULL, 0, n, ge);
    fused_loss_grad(eng->d->cols[0], eng->d->cols[1], n, M0, B0, gf);
    double rl = rel_diff(le, gf[0]);
    double rg = fmax(rel_diff(ge[0], gf[1]), rel_diff(ge[1], gf[2]));
    printf("# check N=%zu loss0=%.17g engine_loss0=%.17g rel_loss=%.2e rel_grad=%.2e "
           "grad0=[%.17g, %.17g]\n",
           n, gf[0], le, rl, rg, gf[1], gf[2]);
    if (!(rl <= 1e-12))
        printf("WARNING: N=%zu engine loss %.17g and fused loss %.17g differ (rel %.2e > 1e-12)\n",
               n, le, gf[0], rl);
    if (!(rg <= 1e-12))
        printf("WARNING: N=%zu engine and fused gradients differ (rel %.2e > 1e-12)\n", n, rg);

    reset_case(eng);
    reset_case(fus);
    run_epochs(eng, 100);
    run_epochs(fus, 100);
    double rp =
        fmax(rel_diff(eng->params[0], fus->params[0]), rel_diff(eng->params[1], fus->params[1]));
    printf("# check N=%zu after 100 epochs: engine m=%.17g b=%.17g fused m=%.17g b=%.17g "
           "rel=%.2e\n",
           n, eng->params[0], eng->params[1], fus->params[0], fus->params[1], rp);
    if (!(rp <= 1e-12))
        printf("WARNING: N=%zu engine and fused parameters differ after 100 epochs "
               "(rel %.2e)\n",
               n, rp);
    fflush(stdout);
}

/* Builds both cases at n rows, checks they agree, and times the ones which
 * selects (1 engine, 2 fused, 3 both). Returns 0, or -1 (after printing why)
 * when the engine cannot be set up. */
static int bench_n(size_t n, double min_s, int which) {
    int rc = -1;
    fit_spec s;
    fit_err e;
    memset(&e, 0, sizeof e);
    fit_data *d = NULL;
    prog *p = NULL;
    optim *oe = NULL, *of = NULL;
    optim_conf oc;

    spec_init(&s);
    s.model.kind = MODEL_LINEAR;
    s.model.output = OUT_PREDICT;
    s.model.ninputs = 1;
    snprintf(s.model.inputs[0], sizeof s.model.inputs[0], "%s", "x");
    snprintf(s.model.target, sizeof s.model.target, "%s", "y");
    s.loss.kind = LOSS_MSE;
    optim_defaults(&oc, OPTIM_SGD); /* lr 0.01, no momentum */
    s.optim = oc;

    if ((d = make_data(n)) == NULL) {
        fprintf(stderr, "bench_engine: out of memory for N=%zu\n", n);
        goto done;
    }
    if (spec_expand(&s, &e) != FIT_OK) {
        fprintf(stderr, "bench_engine: spec_expand: %s\n", e.msg);
        goto done;
    }
    if (s.nparams != 2 || spec_param_index(&s, "m") != 0 || spec_param_index(&s, "b") != 1) {
        fprintf(stderr, "bench_engine: expected params [m, b], got %zu params\n", s.nparams);
        goto done;
    }
    if (prog_compile(&s, d, PROG_LOSS, &p, &e) != FIT_OK) {
        fprintf(stderr, "bench_engine: prog_compile: %s\n", e.msg);
        goto done;
    }
    if ((oe = optim_new(&oc, 2)) == NULL || (of = optim_new(&oc, 2)) == NULL) {
        fprintf(stderr, "bench_engine: out of memory\n");
        goto done;
    }
    printf("# N=%zu model=\"%s\" loss=\"%s\" ops=%zu optimizer=%s lr=%g\n", n,
           s.model.expr ? s.model.expr : "", s.loss.expr ? s.loss.expr : "", prog_op_count(p),
           optim_name(oc.kind), oc.learning_rate);

    bench_case eng = {.name = "engine", .d = d, .p = p, .o = oe};
    bench_case fus = {.name = "fused", .d = d, .p = NULL, .o = of};
    check_case(&eng, &fus);
    if (which & 1) time_case(&eng, min_s);
    if (which & 2) time_case(&fus, min_s);
    rc = 0;
done:
    optim_free(oe);
    optim_free(of);
    prog_free(p);
    data_free(d);
    spec_clear(&s);
    return rc;
}

static int usage(const char *argv0) {
    fprintf(stderr, "usage: %s [SECONDS [engine|fused|both [N]]]\n", argv0);
    return 2;
}

int main(int argc, char **argv) {
    double min_s = 0.5;
    int which = 3;
    size_t sizes[2] = {1000, 1000000}, nsizes = 2;
    if (argc > 4) return usage(argv[0]);
    if (argc > 1) {
        char *end = NULL;
        min_s = strtod(argv[1], &end);
        if (end == argv[1] || *end != '\0' || !(min_s > 0 && min_s < 100)) return usage(argv[0]);
    }
    if (argc > 2) {
        if (strcmp(argv[2], "engine") == 0)
            which = 1;
        else if (strcmp(argv[2], "fused") == 0)
            which = 2;
        else if (strcmp(argv[2], "both") != 0)
            return usage(argv[0]);
    }
    if (argc > 3) {
        char *end = NULL;
        unsigned long long v = strtoull(argv[3], &end, 10);
        if (end == argv[3] || *end != '\0' || v < 1 || v > (unsigned long long)FIT_MAX_ROWS)
            return usage(argv[0]);
        sizes[0] = (size_t)v;
        nsizes = 1;
    }
    int rc = 0;
    for (size_t k = 0; k < nsizes; k++)
        if (bench_n(sizes[k], min_s, which) != 0) rc = 1;
    return rc;
}
