/* test_ols.c - src/core/ols.c against the NIST StRD linear regression
 * datasets Norris (lower difficulty) and Longley (higher difficulty), plus
 * exact small systems and the failure codes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/ols.h"

#define MAX_ROWS 64
#define MAX_COLS 8

/* A NIST problem: y[0..n) and the predictors x[c][0..n) for c < p - 1;
 * cert[0..p) the certified B0 (intercept), B1, ... */
typedef struct nist {
    size_t n, p;
    double y[MAX_ROWS];
    double x[MAX_COLS][MAX_ROWS];
    double cert[MAX_COLS];
} nist;

/* dir/nist/name into buf. */
static void data_path(char *buf, size_t size, const char *name) {
    const char *dir = getenv("FITD_TEST_DATA");
    if (dir == NULL || dir[0] == '\0') dir = "tests/data";
    snprintf(buf, size, "%s/nist/%s", dir, name);
}

/* Reads a CSV with a header line and numeric rows "y,x1,...,xq".
 * Fills t->y, t->x and t->n; returns the number of columns, 0 on error. */
static size_t read_csv(const char *name, nist *t) {
    char path[1024], line[1024];
    size_t ncols = 0;
    data_path(path, sizeof path, name);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s (set FITD_TEST_DATA)\n", path);
        return 0;
    }
    t->n = 0;
    if (fgets(line, sizeof line, f) == NULL) goto done; /* header */
    while (fgets(line, sizeof line, f) != NULL && t->n < MAX_ROWS) {
        char *p = line, *end;
        size_t c = 0;
        if (line[0] == '\n' || line[0] == '\r' || line[0] == '\0') continue;
        for (;;) {
            double v = strtod(p, &end);
            if (end == p || c >= MAX_COLS) {
                ncols = 0;
                goto done;
            }
            if (c == 0)
                t->y[t->n] = v;
            else
                t->x[c - 1][t->n] = v;
            c++;
            p = end;
            if (*p != ',') break;
            p++;
        }
        if (ncols != 0 && c != ncols) {
            ncols = 0;
            goto done;
        }
        ncols = c;
        t->n++;
    }
done:
    fclose(f);
    return ncols;
}

/* Reads the certified estimates "B<j> value ..." into t->cert; returns how
 * many it found (B0..B<count-1> in order), 0 on error. */
static size_t read_certified(const char *name, nist *t) {
    char path[1024], line[1024];
    size_t count = 0;
    data_path(path, sizeof path, name);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s (set FITD_TEST_DATA)\n", path);
        return 0;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        int j;
        double v;
        if (line[0] != 'B' || sscanf(line, "B%d %lf", &j, &v) != 2) continue;
        if (j < 0 || (size_t)j != count || count >= MAX_COLS) {
            count = 0;
            break;
        }
        t->cert[count++] = v;
    }
    fclose(f);
    return count;
}

/* log relative error: the number of correct significant digits of x
 * against certified c, capped at 15 (c != 0 for every certified value). */
static double lre(double x, double c) {
    double rel = fabs(x - c) / fabs(c);
    if (rel == 0.0) return 15.0;
    double v = -log10(rel);
    return v > 15.0 ? 15.0 : v;
}

/* Fits y on [1, x1, ...] and returns the smallest LRE over the parameters,
 * or -1 if the data did not load or the solve failed. */
static double nist_min_lre(const char *stem, size_t want_n, size_t want_p) {
    static nist t;
    char csv[64], cert[64];
    snprintf(csv, sizeof csv, "%s.csv", stem);
    snprintf(cert, sizeof cert, "%s.certified.txt", stem);
    memset(&t, 0, sizeof t);
    size_t ncols = read_csv(csv, &t);
    size_t ncert = read_certified(cert, &t);
    CHECK_INT(t.n, want_n);
    CHECK_INT(ncols, want_p);
    CHECK_INT(ncert, want_p);
    if (t.n != want_n || ncols != want_p || ncert != want_p) return -1.0;
    t.p = want_p;

    double ones[MAX_ROWS];
    const double *cols[MAX_COLS];
    double beta[MAX_COLS];
    for (size_t i = 0; i < t.n; i++) ones[i] = 1.0;
    cols[0] = ones;
    for (size_t c = 1; c < t.p; c++) cols[c] = t.x[c - 1];
    int rc = ols_solve(cols, t.p, t.y, t.n, beta);
    CHECK_INT(rc, 0);
    if (rc != 0) return -1.0;

    double worst = 15.0;
    printf("%s: LRE", stem);
    for (size_t j = 0; j < t.p; j++) {
        double l = lre(beta[j], t.cert[j]);
        printf(" B%zu=%.1f", j, l);
        if (l < worst) worst = l;
    }
    printf("  (min %.1f)\n", worst);
    return worst;
}

static void test_nist(void) {
    double norris = nist_min_lre("Norris", 36, 2);
    double longley = nist_min_lre("Longley", 16, 7);
    CHECK(norris >= 9.0);
    CHECK(longley >= 9.0);
    /* the goal: 12 or more digits on both */
    CHECK(norris >= 12.0);
    CHECK(longley >= 12.0);
}

static void test_exact(void) {
    /* y = 2 + 3x exactly on x = 1..4 */
    const double ones[4] = {1, 1, 1, 1}, x[4] = {1, 2, 3, 4}, y[4] = {5, 8, 11, 14};
    const double y2[4] = {8, 11, 14, 17};
    const double *cols[2] = {ones, x};
    double beta[2] = {0, 0};
    CHECK_INT(ols_solve(cols, 2, y, 4, beta), 0);
    CHECK_NEAR(beta[0], 2.0, 1e-14);
    CHECK_NEAR(beta[1], 3.0, 1e-14);

    /* square and nonsingular: [2 1 0; 1 3 1; 0 1 4] b = (3, 7, 13) has the
     * exact solution b = (1, 1, 3) */
    const double c0[3] = {2, 1, 0}, c1[3] = {1, 3, 1}, c2[3] = {0, 1, 4};
    const double rhs[3] = {3, 7, 13};
    const double *sq[3] = {c0, c1, c2};
    double b3[3];
    CHECK_INT(ols_solve(sq, 3, rhs, 3, b3), 0);
    CHECK_NEAR(b3[0], 1.0, 1e-14);
    CHECK_NEAR(b3[1], 1.0, 1e-14);
    CHECK_NEAR(b3[2], 3.0, 1e-14);

    /* the constant column last and not 1: X = [x, 2], y = 5 + 3x */
    const double twos[4] = {2, 2, 2, 2};
    const double *rev[2] = {x, twos};
    CHECK_INT(ols_solve(rev, 2, y2, 4, beta), 0);
    CHECK_NEAR(beta[0], 3.0, 1e-14);
    CHECK_NEAR(beta[1], 2.5, 1e-14);

    /* no intercept: y = 2 x - z exactly */
    const double zc[4] = {0.5, -1, 4, 2}, ynoi[4] = {1.5, 5, 2, 6};
    const double *noi[2] = {x, zc};
    CHECK_INT(ols_solve(noi, 2, ynoi, 4, beta), 0);
    CHECK_NEAR(beta[0], 2.0, 1e-14);
    CHECK_NEAR(beta[1], -1.0, 1e-14);

    /* a true least-squares fit: y = (1, 2, 2) on x = (1, 2, 3):
     * slope 1/2, intercept 2/3 */
    const double yl[3] = {1, 2, 2};
    double bl[2];
    CHECK_INT(ols_solve(cols, 2, yl, 3, bl), 0);
    CHECK_NEAR(bl[0], 2.0 / 3.0, 1e-15);
    CHECK_NEAR(bl[1], 0.5, 1e-15);
}

/* More rows than one block (and not a multiple of it), badly scaled:
 * y = 1e6 + 1e-3 * x + small deterministic wiggle, x in [1e6, 1e6 + 1000).
 * Compared with the two-pass closed form of simple regression. */
static void test_many_rows(void) {
    enum { N = 1001 };
    static double ones[N], x[N], y[N];
    double mx = 0.0, my = 0.0, sxy = 0.0, sxx = 0.0;
    for (size_t i = 0; i < N; i++) {
        ones[i] = 1.0;
        x[i] = 1e6 + (double)i;
        y[i] = 1e6 + 1e-3 * x[i] + ((i * 7919u) % 13u == 0 ? 0.25 : -0.0625);
    }
    for (size_t i = 0; i < N; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= N;
    my /= N;
    for (size_t i = 0; i < N; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
    }
    double slope = sxy / sxx, icpt = my - slope * mx;

    const double *cols[2] = {ones, x};
    double beta[2], again[2];
    CHECK_INT(ols_solve(cols, 2, y, N, beta), 0);
    CHECK_REL(beta[1], slope, 1e-8);
    CHECK_REL(beta[0], icpt, 1e-12);
    /* deterministic: the same bits on a second call */
    CHECK_INT(ols_solve(cols, 2, y, N, again), 0);
    CHECK(memcmp(beta, again, sizeof beta) == 0);
}

static void test_failures(void) {
    const double ones[4] = {1, 1, 1, 1}, x[4] = {1, 2, 3, 4}, y[4] = {5, 8, 11, 14};
    const double twice[4] = {2, 4, 6, 8}, zero[4] = {0, 0, 0, 0};
    double beta[3] = {-7, -7, -7};

    /* x and 2x: rank 2 of 3; beta untouched */
    const double *dup[3] = {ones, x, twice};
    CHECK_INT(ols_solve(dup, 3, y, 4, beta), 1);
    CHECK(beta[0] == -7 && beta[1] == -7 && beta[2] == -7);

    /* a column of zeros */
    const double *z[2] = {ones, zero};
    CHECK_INT(ols_solve(z, 2, y, 4, beta), 1);
    CHECK(beta[0] == -7 && beta[1] == -7);

    /* the intercept twice */
    const double *same[2] = {ones, ones};
    CHECK_INT(ols_solve(same, 2, y, 4, beta), 1);

    /* a non-finite predictor */
    const double bad[4] = {1, NAN, 3, 4};
    const double *nan_cols[2] = {ones, bad};
    CHECK_INT(ols_solve(nan_cols, 2, y, 4, beta), 1);
    CHECK(beta[0] == -7 && beta[1] == -7);

    /* fewer rows than columns */
    const double *three[3] = {ones, x, twice};
    CHECK_INT(ols_solve(three, 3, y, 2, beta), 3);
    CHECK(beta[0] == -7);

    /* k = 0: nothing to solve */
    CHECK_INT(ols_solve(NULL, 0, y, 4, beta), 0);
}

/* A NULL column is an intercept of ones: the same bits as the ones given. */
static void test_implicit_ones(void) {
    enum { N = 1000 };
    static double x[N], y[N], ones[N];
    for (size_t i = 0; i < N; i++) {
        x[i] = 0.37 * (double)i - 12.0;
        y[i] = 3.0 * x[i] + 1.25 + 0.01 * (double)((i * 7919) % 13);
        ones[i] = 1.0;
    }
    const double *given[2] = {x, ones}, *implicit[2] = {x, NULL};
    double b1[2], b2[2];
    CHECK_INT(ols_solve(given, 2, y, N, b1), 0);
    CHECK_INT(ols_solve(implicit, 2, y, N, b2), 0);
    CHECK(memcmp(b1, b2, sizeof b1) == 0);
    CHECK_NEAR(b2[0], 3.0, 1e-3);
    /* a constant data column beside the implicit ones: rank deficient, no crash */
    static double twos[N];
    for (size_t i = 0; i < N; i++) twos[i] = 2.0;
    const double *dup[2] = {twos, NULL};
    double b3[2] = {7, 7};
    CHECK_INT(ols_solve(dup, 2, y, N, b3), 1);
    CHECK(b3[0] == 7 && b3[1] == 7);
    const double *dup2[3] = {x, NULL, twos};
    double b4[3];
    CHECK_INT(ols_solve(dup2, 3, y, N, b4), 1);
}

int main(void) {
    test_implicit_ones();
    test_nist();
    test_exact();
    test_many_rows();
    test_failures();
    return check_done("test_ols");
}
