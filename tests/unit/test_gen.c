/* test_gen.c - src/core/gen.c: shapes, exact x spacing, determinism for a
 * seed, sample moments, and the validation errors. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "core/gen.h"
#include "core/rng.h"

static gen_conf linear_conf(long n) {
    gen_conf c;
    memset(&c, 0, sizeof c);
    c.kind = GEN_LINEAR;
    c.n = n;
    c.m = 2.5;
    c.b = -1.0;
    c.noise_sd = 0.5;
    c.x_min = 0.0;
    c.x_max = 10.0;
    c.seed = 42u;
    return c;
}

static gen_conf gaussian_conf(long n) {
    gen_conf c;
    memset(&c, 0, sizeof c);
    c.kind = GEN_GAUSSIAN;
    c.n = n;
    c.mu = 3.0;
    c.sigma = 2.0;
    c.seed = 7u;
    return c;
}

/* Whether two datasets hold the same names and the same bits. */
static int same_data(const fit_data *a, const fit_data *b) {
    if (a->rows != b->rows || a->ncols != b->ncols) return 0;
    for (size_t c = 0; c < a->ncols; c++) {
        if (strcmp(a->names[c], b->names[c]) != 0) return 0;
        if (memcmp(a->cols[c], b->cols[c], a->rows * sizeof(double)) != 0) return 0;
    }
    return 1;
}

static void test_linear(void) {
    fit_err e;
    fit_data *d = NULL, *d2 = NULL, *d3 = NULL;
    gen_conf c = linear_conf(11);

    CHECK_INT(gen_data(&c, &d, &e), FIT_OK);
    if (d == NULL) return;
    CHECK_INT(d->rows, 11);
    CHECK_INT(d->ncols, 2);
    CHECK_STR(d->names[0], "x");
    CHECK_STR(d->names[1], "y");
    CHECK_INT(data_find(d, "y"), 1);

    /* x = 0, 1, ..., 10 exactly; y follows the documented stream:
     * m*x + b + noise_sd * (i-th rng_normal of rng_seed(seed)) */
    int x_exact = 1, y_stream = 1;
    rng r;
    rng_seed(&r, c.seed);
    for (size_t i = 0; i < 11; i++) {
        if (d->cols[0][i] != (double)i) x_exact = 0;
        double want = c.m * (double)i + c.b + c.noise_sd * rng_normal(&r);
        if (d->cols[1][i] != want) y_stream = 0;
    }
    CHECK(x_exact);
    CHECK(y_stream);

    /* same seed: same bits; another seed: same x, different y */
    CHECK_INT(gen_data(&c, &d2, &e), FIT_OK);
    if (d2 != NULL) CHECK(same_data(d, d2));
    c.seed = 43u;
    CHECK_INT(gen_data(&c, &d3, &e), FIT_OK);
    if (d3 != NULL) {
        CHECK(memcmp(d->cols[0], d3->cols[0], 11 * sizeof(double)) == 0);
        CHECK(memcmp(d->cols[1], d3->cols[1], 11 * sizeof(double)) != 0);
    }
    data_free(d);
    data_free(d2);
    data_free(d3);
}

static void test_linear_spacing(void) {
    fit_err e;
    fit_data *d = NULL;

    /* uneven range: x[i] = x_min + i * step with step = (x_max-x_min)/(n-1),
     * both ends exact, increasing */
    gen_conf c = linear_conf(1000);
    c.x_min = -0.3;
    c.x_max = 0.7;
    c.noise_sd = 0.0;
    CHECK_INT(gen_data(&c, &d, &e), FIT_OK);
    if (d != NULL) {
        double step = (c.x_max - c.x_min) / 999.0;
        int spacing = 1, increasing = 1, noiseless = 1;
        for (size_t i = 0; i + 1 < d->rows; i++)
            if (d->cols[0][i] != c.x_min + (double)i * step) spacing = 0;
        for (size_t i = 1; i < d->rows; i++)
            if (!(d->cols[0][i] > d->cols[0][i - 1])) increasing = 0;
        for (size_t i = 0; i < d->rows; i++)
            if (d->cols[1][i] != c.m * d->cols[0][i] + c.b) noiseless = 0;
        CHECK(d->cols[0][0] == -0.3);
        CHECK(d->cols[0][999] == 0.7);
        CHECK(spacing);
        CHECK(increasing);
        CHECK(noiseless);
    }
    data_free(d);
    d = NULL;

    /* n == 1: x = x_min */
    c = linear_conf(1);
    c.x_min = 2.0;
    c.x_max = 5.0;
    CHECK_INT(gen_data(&c, &d, &e), FIT_OK);
    if (d != NULL) {
        CHECK_INT(d->rows, 1);
        CHECK(d->cols[0][0] == 2.0);
    }
    data_free(d);
    d = NULL;

    /* x_min == x_max: a constant column */
    c = linear_conf(5);
    c.x_min = c.x_max = 4.0;
    CHECK_INT(gen_data(&c, &d, &e), FIT_OK);
    if (d != NULL) {
        int constant = 1;
        for (size_t i = 0; i < 5; i++)
            if (d->cols[0][i] != 4.0) constant = 0;
        CHECK(constant);
    }
    data_free(d);
}

static void test_gaussian(void) {
    fit_err e;
    fit_data *d = NULL, *d2 = NULL;
    gen_conf c = gaussian_conf(1000000);

    CHECK_INT(gen_data(&c, &d, &e), FIT_OK);
    if (d == NULL) return;
    CHECK_INT(d->rows, 1000000);
    CHECK_INT(d->ncols, 1);
    CHECK_STR(d->names[0], "x");

    /* sample mean within 5 se (sigma/sqrt(n)); 1/N sd within 5 se
     * (~ sigma/sqrt(2n)) */
    double n = (double)d->rows, sum = 0.0, ss = 0.0;
    for (size_t i = 0; i < d->rows; i++) sum += d->cols[0][i];
    double mean = sum / n;
    for (size_t i = 0; i < d->rows; i++) ss += (d->cols[0][i] - mean) * (d->cols[0][i] - mean);
    double sd = sqrt(ss / n);
    CHECK_NEAR(mean, c.mu, 5.0 * c.sigma / sqrt(n));
    CHECK_NEAR(sd, c.sigma, 5.0 * c.sigma / sqrt(2.0 * n));

    /* the first value is mu + sigma * the first normal of the seed */
    rng r;
    rng_seed(&r, c.seed);
    CHECK(d->cols[0][0] == c.mu + c.sigma * rng_normal(&r));

    /* determinism, and another seed differs */
    c.n = 1000;
    CHECK_INT(gen_data(&c, &d2, &e), FIT_OK);
    if (d2 != NULL) CHECK(memcmp(d->cols[0], d2->cols[0], 1000 * sizeof(double)) == 0);
    data_free(d2);
    d2 = NULL;
    c.seed = 8u;
    CHECK_INT(gen_data(&c, &d2, &e), FIT_OK);
    if (d2 != NULL) CHECK(memcmp(d->cols[0], d2->cols[0], 1000 * sizeof(double)) != 0);
    data_free(d2);
    data_free(d);
}

/* gen_data fails with code and a message containing field, leaving out. */
static void expect_error(const gen_conf *c, int code, const char *field, int line) {
    static fit_data sentinel_data;
    fit_err e;
    fit_data *sentinel = &sentinel_data, *d = sentinel;
    memset(&e, 0, sizeof e);
    int rc = gen_data(c, &d, &e);
    check_record(rc == code, "gen_data error code", __FILE__, line);
    check_record(e.code == code, "fit_err code", __FILE__, line);
    check_record(strstr(e.msg, field) != NULL, "message names the field", __FILE__, line);
    check_record(d == sentinel, "out untouched on error", __FILE__, line);
    if (rc != code || strstr(e.msg, field) == NULL)
        fprintf(stderr, "  rc %d, msg \"%s\", want %d naming %s\n", rc, e.msg, code, field);
    if (d != sentinel) data_free(d);
}

static void test_errors(void) {
    gen_conf c = linear_conf(0);
    expect_error(&c, FIT_EINVAL, "n must be between 1 and 100000000", __LINE__);
    c.n = -5;
    expect_error(&c, FIT_EINVAL, "n must be", __LINE__);
    c.n = FIT_MAX_ROWS + 1;
    expect_error(&c, FIT_ELIMIT, "n must be between 1 and 100000000", __LINE__);

    c = linear_conf(10);
    c.noise_sd = -0.1;
    expect_error(&c, FIT_EINVAL, "noise_sd", __LINE__);
    c.noise_sd = NAN;
    expect_error(&c, FIT_EINVAL, "noise_sd", __LINE__);
    c = linear_conf(10);
    c.m = INFINITY;
    expect_error(&c, FIT_EINVAL, "m must", __LINE__);
    c = linear_conf(10);
    c.b = NAN;
    expect_error(&c, FIT_EINVAL, "b must", __LINE__);
    c = linear_conf(10);
    c.x_min = -INFINITY;
    expect_error(&c, FIT_EINVAL, "x_min", __LINE__);
    c = linear_conf(10);
    c.x_max = NAN;
    expect_error(&c, FIT_EINVAL, "x_max", __LINE__);
    c = linear_conf(10);
    c.x_min = 3.0;
    c.x_max = 2.0;
    expect_error(&c, FIT_EINVAL, "x_max must be >= x_min", __LINE__);
    c = linear_conf(10);
    c.x_min = -1e308;
    c.x_max = 1e308;
    expect_error(&c, FIT_EINVAL, "x_max - x_min", __LINE__);
    c = linear_conf(10);
    c.m = 1e308;
    c.x_max = 1e10;
    expect_error(&c, FIT_EINVAL, "overflows", __LINE__);

    c = gaussian_conf(10);
    c.sigma = 0.0;
    expect_error(&c, FIT_EINVAL, "sigma", __LINE__);
    c.sigma = -1.0;
    expect_error(&c, FIT_EINVAL, "sigma", __LINE__);
    c.sigma = INFINITY;
    expect_error(&c, FIT_EINVAL, "sigma", __LINE__);
    c = gaussian_conf(10);
    c.mu = NAN;
    expect_error(&c, FIT_EINVAL, "mu", __LINE__);
    c = gaussian_conf(0);
    expect_error(&c, FIT_EINVAL, "n must", __LINE__);
    c = gaussian_conf(10);
    c.kind = (gen_kind)7;
    expect_error(&c, FIT_EINVAL, "kind", __LINE__);

    /* the linear fields don't matter for a gaussian, nor the reverse */
    fit_err e;
    fit_data *d = NULL;
    c = gaussian_conf(10);
    c.noise_sd = -1.0;
    c.x_max = -1.0;
    CHECK_INT(gen_data(&c, &d, &e), FIT_OK);
    data_free(d);
    d = NULL;
    c = linear_conf(10);
    c.sigma = -1.0;
    CHECK_INT(gen_data(&c, &d, &e), FIT_OK);
    data_free(d);

    /* a NULL fit_err is allowed */
    c = linear_conf(0);
    d = NULL;
    CHECK_INT(gen_data(&c, &d, NULL), FIT_EINVAL);
    CHECK(d == NULL);
}

int main(void) {
    test_linear();
    test_linear_spacing();
    test_gaussian();
    test_errors();
    return check_done("test_gen");
}
