/* test_prog.c - the compiled program: gradients of every op against
 * central finite differences, losses against direct loops, batching by
 * index, determinism, and compile errors with their columns. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/expr.h"
#include "core/prog.h"
#include "core/rng.h"
#include "core/spec.h"

#define N 1300 /* more than two chunks, the last one partial */

static fit_data *make_data(void) {
    const char *names[] = {"x", "y", "z"};
    fit_data *d = data_new(3, N, names);
    rng r;
    rng_seed(&r, 99);
    for (size_t i = 0; i < N; i++) {
        d->cols[0][i] = 0.2 + 1.5 * rng_uniform(&r); /* positive, for x^a and log */
        d->cols[1][i] = 2 * d->cols[0][i] + 0.5 + 0.3 * rng_normal(&r);
        d->cols[2][i] = rng_normal(&r);
    }
    return d;
}

/* An expression model with params a, b (and c) and the given loss text. */
static int make_spec(fit_spec *s, const char *predict, const char *loss, fit_err *e) {
    spec_init(s);
    s->model.kind = MODEL_EXPRESSION;
    s->model.output = OUT_PREDICT;
    s->model.expr = strdup(predict);
    s->loss.kind = LOSS_EXPR;
    s->loss.expr = strdup(loss);
    const char *pn[] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++) {
        strcpy(s->params[i].name, pn[i]);
        s->params[i].init.kind = INIT_CONST;
    }
    s->nparams = 3;
    return spec_expand(s, e);
}

/* Checks the gradient at params against central differences. */
static void check_grad(const char *predict, const char *loss, const double *params) {
    fit_spec s;
    fit_err e = {0};
    fit_data *d = make_data();
    prog *p = NULL;
    double grad[3], pp[3];
    int ok = make_spec(&s, predict, loss, &e) == FIT_OK &&
             prog_compile(&s, d, PROG_LOSS, &p, &e) == FIT_OK;
    if (!CHECK(ok)) {
        fprintf(stderr, "  compile '%s' / '%s': %s\n", predict, loss, e.msg);
        goto done;
    }
    double f0 = prog_loss_grad(p, d, params, NULL, 0, N, grad);
    CHECK(isfinite(f0));
    for (int k = 0; k < 3; k++) {
        memcpy(pp, params, sizeof pp);
        double h = 1e-6 * fmax(1.0, fabs(params[k]));
        pp[k] = params[k] + h;
        double fp = prog_loss_grad(p, d, pp, NULL, 0, N, NULL);
        pp[k] = params[k] - h;
        double fm = prog_loss_grad(p, d, pp, NULL, 0, N, NULL);
        double fd = (fp - fm) / (2 * h);
        double tol = 1e-6 * fmax(1.0, fabs(fd)) + 1e-7 * fmax(1.0, fabs(f0));
        if (!check_near_at(grad[k], fd, tol, "gradient ~ finite difference", __FILE__, __LINE__))
            fprintf(stderr, "  param %d of '%s' / '%s'\n", k, predict, loss);
    }
done:
    prog_free(p);
    spec_clear(&s);
    data_free(d);
}

static void test_gradients(void) {
    const double p0[3] = {0.7, -0.4, 1.3};
    const char *models[] = {
        "a*x + b",          "a + x*b",          "x - a",            "a - x*b",
        "b*x/a",            "a/x",              "x/(a+3)",          "(x*a)^2",
        "x^a",              "(a*a)^x",          "pow(x, b)",        "pow(a*a + 1, x)",
        "exp(a*x)",         "log(a*a + x*x)",   "sqrt(a*a + x*x)",  "abs(a*x - 0.3)",
        "sin(a*x)",         "cos(b*x)",         "tan(0.3*a*x)",     "tanh(a*x + b)",
        "sigmoid(a*x - b)", "softplus(a*x)",    "min(a*x, b)",      "max(a*x, b*z)",
        "-a*x",             "-a^2 + x",         "exp(-b)*x + a",    "a*b*x + c*z",
        "sigmoid(50*a*x)",  "softplus(-40*a*x)", "a*x*x + b*x + c", "x*a - z*b + c",
        "log(sigmoid(a)) * x", "a",             "(a - b)/(c + x)",  "min(a, b) * x + max(c, a)",
    };
    const char *losses[] = {
        "mean((yhat - y)^2)",
        "sum(abs(yhat - y))",
        "(yhat - y)^2",
        "log(mean((yhat - y)^2)) + 0.1*a^2",
        "mean(yhat) * mean(y*yhat)",
        "mean((yhat - y)^2) / sum(x^2 + a^2)",
        "mean(0.5*min(abs(yhat - y), 0.5)^2 + 0.5*(abs(yhat - y) - min(abs(yhat - y), 0.5)))",
    };
    for (size_t m = 0; m < sizeof models / sizeof *models; m++)
        check_grad(models[m], losses[0], p0);
    for (size_t l = 0; l < sizeof losses / sizeof *losses; l++)
        check_grad("a*x + b*z + c", losses[l], p0);
    /* the built-ins through spec_expand */
    fit_data *d = make_data();
    for (int k = 0; k < LOSS_EXPR; k++) {
        fit_spec s;
        fit_err e = {0};
        prog *p = NULL;
        spec_init(&s);
        if (k == LOSS_NLL) {
            s.model.kind = MODEL_GAUSSIAN;
            s.loss.kind = LOSS_NLL;
        } else {
            strcpy(s.model.inputs[1], "z");
            s.model.ninputs = 2;
            s.loss.kind = (loss_kind)k;
            s.loss.delta = 0.4;
        }
        int ok = spec_expand(&s, &e) == FIT_OK && prog_compile(&s, d, PROG_LOSS, &p, &e) == FIT_OK;
        if (CHECK(ok)) {
            double pr[4] = {0.3, 1.1, 0.2, 0.8}, g[4], q[4];
            prog_loss_grad(p, d, pr, NULL, 0, N, g);
            for (size_t i = 0; i < s.nparams; i++) {
                memcpy(q, pr, sizeof q);
                q[i] += 1e-6;
                double fp = prog_loss_grad(p, d, q, NULL, 0, N, NULL);
                q[i] -= 2e-6;
                double fm = prog_loss_grad(p, d, q, NULL, 0, N, NULL);
                CHECK_NEAR(g[i], (fp - fm) / 2e-6, 1e-6 * fmax(1, fabs(g[i])));
            }
        } else {
            fprintf(stderr, "  builtin loss %d: %s\n", k, e.msg);
        }
        prog_free(p);
        spec_clear(&s);
    }
    data_free(d);
}

/* The linear MSE loss and gradient against a direct loop. */
static void test_against_loop(void) {
    fit_data *d = make_data();
    fit_spec s;
    fit_err e = {0};
    prog *p = NULL;
    spec_init(&s);
    spec_expand(&s, &e);
    CHECK_STR(s.model.expr, "m*x + b");
    CHECK_INT(prog_compile(&s, d, PROG_LOSS, &p, &e), FIT_OK);
    double params[2] = {1.7, -0.2}, g[2];
    double loss = prog_loss_grad(p, d, params, NULL, 0, N, g);
    double sl = 0, gm = 0, gb = 0;
    for (size_t i = 0; i < N; i++) {
        double r = params[0] * d->cols[0][i] + params[1] - d->cols[1][i];
        sl += r * r;
        gm += 2 * r * d->cols[0][i];
        gb += 2 * r;
    }
    CHECK_REL(loss, sl / N, 1e-13);
    CHECK_REL(g[0], gm / N, 1e-12);
    CHECK_REL(g[1], gb / N, 1e-12);
    /* m*x + b - y in one op, the sum of squares, the division by n: 3, not 6 */
    CHECK_INT(prog_op_count(p), 3);

    /* a batch given by index equals the same rows given contiguously */
    size_t idx[300];
    for (size_t i = 0; i < 300; i++) idx[i] = 1000 - 3 * i;
    double gi[2], gc[2];
    double li = prog_loss_grad(p, d, params, idx, 0, 300, gi);
    const char *names[] = {"x", "y", "z"};
    fit_data *c = data_new(3, 300, names);
    for (size_t i = 0; i < 300; i++)
        for (int k = 0; k < 3; k++) c->cols[k][i] = d->cols[k][idx[i]];
    double lc = prog_loss_grad(p, c, params, NULL, 0, 300, gc);
    CHECK(li == lc && gi[0] == gc[0] && gi[1] == gc[1]);
    /* a sub-range */
    double lr = prog_loss_grad(p, d, params, NULL, 100, 50, NULL), sr = 0;
    for (size_t i = 100; i < 150; i++) {
        double r = params[0] * d->cols[0][i] + params[1] - d->cols[1][i];
        sr += r * r;
    }
    CHECK_REL(lr, sr / 50, 1e-13);
    /* determinism: same bits twice */
    double g2[2];
    double loss2 = prog_loss_grad(p, d, params, NULL, 0, N, g2);
    CHECK(memcmp(&loss, &loss2, sizeof loss) == 0 && memcmp(g, g2, sizeof g) == 0);
    data_free(c);
    prog_free(p);
    spec_clear(&s);

    /* model mode: predictions row by row */
    spec_init(&s);
    spec_expand(&s, &e);
    CHECK_INT(prog_compile(&s, d, PROG_MODEL, &p, &e), FIT_OK);
    double *out = malloc(N * sizeof *out);
    prog_eval_rows(p, d, params, out);
    CHECK(out[0] == 1.7 * d->cols[0][0] + -0.2 && out[N - 1] == 1.7 * d->cols[0][N - 1] + -0.2);
    free(out);
    prog_free(p);
    spec_clear(&s);
    data_free(d);
}

/* Compiles and expects an error with this column and message fragment. */
static void expect_error(const char *predict, const char *loss, int source, int column,
                         const char *fragment) {
    fit_spec s;
    fit_err e = {0};
    fit_data *d = make_data();
    prog *p = NULL;
    int rc = make_spec(&s, predict, loss, &e);
    if (rc == FIT_OK) rc = prog_compile(&s, d, PROG_LOSS, &p, &e);
    CHECK(rc != FIT_OK);
    CHECK_INT(e.source, source);
    CHECK_INT(e.column, column);
    if (!CHECK(strstr(e.msg, fragment) != NULL))
        fprintf(stderr, "  '%s' / '%s': message '%s' lacks '%s'\n", predict, loss, e.msg, fragment);
    prog_free(p);
    spec_clear(&s);
    data_free(d);
}

static void test_errors(void) {
    expect_error("a*exp(-bb*x)", "mean((yhat-y)^2)", FIT_SRC_MODEL, 8, "unknown name 'bb' at column 8");
    expect_error("a*x + ", "mean((yhat-y)^2)", FIT_SRC_MODEL, 7, "expected a number");
    expect_error("a*x + b)", "mean((yhat-y)^2)", FIT_SRC_MODEL, 8, "expected an operator or the end");
    expect_error("(a*x + b", "mean((yhat-y)^2)", FIT_SRC_MODEL, 9, "expected ')'");
    expect_error("a*x $ b", "mean((yhat-y)^2)", FIT_SRC_MODEL, 5, "unexpected character '$'");
    expect_error("foo(x)", "mean((yhat-y)^2)", FIT_SRC_MODEL, 1, "unknown function 'foo'");
    expect_error("pow(x)", "mean((yhat-y)^2)", FIT_SRC_MODEL, 1, "pow() takes 2 arguments, got 1");
    expect_error("mean(x)*a", "mean((yhat-y)^2)", FIT_SRC_MODEL, 1, "reductions belong in a loss");
    expect_error("a*x", "mean((yhat - mean(y))^2)", FIT_SRC_LOSS, 14, "only appear at the top");
    expect_error("a*x", "(yhat - y)/mean(y)", FIT_SRC_LOSS, 12, "only appear at the top");
    expect_error("a*x", "sum(mean(y - yhat))", FIT_SRC_LOSS, 1, "cannot be nested");
    expect_error("a*x", "mean((yhat - yy)^2)", FIT_SRC_LOSS, 14, "unknown name 'yy'");
    expect_error("a*x + log(-1)", "mean((yhat-y)^2)", FIT_SRC_MODEL, 7, "not a finite number");
    expect_error("1.2.3*x", "mean((yhat-y)^2)", FIT_SRC_MODEL, 1, "malformed number");
    expect_error("", "mean((yhat-y)^2)", FIT_SRC_MODEL, 1, "empty expression");
    expect_error("a*x", "mean((yhat-y)^2", FIT_SRC_LOSS, 16, "expected ',' or ')'");

    /* hostile sizes: deep nesting and long input are refused, not crashed on */
    size_t deep = 100000;
    char *src = malloc(2 * deep + 2);
    memset(src, '(', deep);
    src[deep] = 'x';
    memset(src + deep + 1, ')', deep);
    src[2 * deep + 1] = '\0';
    expr_tree t = {0};
    fit_err e = {0};
    CHECK_INT(expr_parse(src, &t, &e), FIT_ELIMIT); /* 200,001 bytes: too long */
    CHECK(strstr(e.msg, "longer than") != NULL);
    expr_tree_free(&t);
    size_t d2 = 30000; /* 60,001 bytes: within the length, far past the depth */
    memmove(src + d2 + 1, src + deep + 1, d2);
    src[d2] = 'x';
    src[2 * d2 + 1] = '\0';
    CHECK_INT(expr_parse(src, &t, &e), FIT_ELIMIT);
    if (!CHECK(strstr(e.msg, "nested deeper") != NULL)) fprintf(stderr, "  %s\n", e.msg);
    expr_tree_free(&t);
    memset(src, '-', 2 * deep);
    src[2 * deep] = 'x';
    CHECK_INT(expr_parse(src, &t, &e), FIT_ELIMIT);
    expr_tree_free(&t);
    /* a long flat sum is fine up to the node limit, then refused */
    char *flat = malloc(EXPR_MAX_LEN + 16);
    size_t len = 0;
    while (len + 2 < EXPR_MAX_LEN) {
        flat[len++] = 'x';
        flat[len++] = '+';
    }
    flat[len++] = 'x';
    flat[len] = '\0';
    CHECK_INT(expr_parse(flat, &t, &e), FIT_ELIMIT);
    expr_tree_free(&t);
    free(flat);
    free(src);
    /* precedence: -a^2 is -(a^2); ^ is right-associative */
    fit_data *d = make_data();
    fit_spec s;
    prog *p = NULL;
    const double pr[3] = {3, 2, 0};
    const char *cases[][2] = {{"-a^2", "-9"}, {"a^b^2", "81"}, {"2^-b", "0.25"},
                              {"a - b - 1", "0"}, {"a/b/2", "0.75"}, {"pi", "3.141592653589793"}};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        make_spec(&s, cases[k][0], "mean(yhat)", &e);
        CHECK_INT(prog_compile(&s, d, PROG_LOSS, &p, &e), FIT_OK);
        CHECK_NEAR(prog_loss_grad(p, d, pr, NULL, 0, N, NULL), atof(cases[k][1]), 1e-15);
        prog_free(p);
        p = NULL;
        spec_clear(&s);
    }
    data_free(d);
}

int main(void) {
    test_gradients();
    test_against_loop();
    test_errors();
    return check_done("test_prog");
}
