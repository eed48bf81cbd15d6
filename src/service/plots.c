/* plots.c - the three fitd plots (plots.h) as plot.h charts. The only
 * arithmetic here is the histogram of a density fit: bins by the
 * Freedman-Diaconis rule (width 2 IQR / n^(1/3)) over the range of the
 * finite values, heights count / (n * width) so that the bars have area 1
 * like the pdf drawn over them. */
#include "plots.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "plot.h"

enum { BLUE, ORANGE, GREEN, RED };

#define HIST_MIN_BINS 10
#define HIST_MAX_BINS 60

static int finite_value(double v) {
    return isfinite(v) && fabs(v) <= PLOT_VALUE_MAX;
}

static char *fail(size_t *len) {
    if (len != NULL) *len = 0;
    return NULL;
}

/* Adds a series; a plot built here never holds more than it can. */
static void add(plot *p, plot_kind kind, const double *x, const double *y, size_t n, unsigned color,
                unsigned panel, const char *label) {
    plot_series s = {kind, x, y, n, color, panel, label, NULL};
    (void)plot_add(p, &s);
}

/* Whether the finite values of a[0..n) and b[0..n) (b may be NULL) are
 * all > 0 and span more than a factor of 100. */
static int wide_positive(const double *a, const double *b, size_t n) {
    double lo = INFINITY, hi = 0;
    for (size_t k = 0; k < 2; k++) {
        const double *v = k == 0 ? a : b;
        for (size_t i = 0; v != NULL && i < n; i++) {
            if (!finite_value(v[i])) continue;
            if (v[i] <= 0) return 0;
            if (v[i] < lo) lo = v[i];
            if (v[i] > hi) hi = v[i];
        }
    }
    return hi > 0 && hi / lo > 100;
}

char *plots_loss(const double *epoch, const double *loss, const double *val_loss, size_t n,
                 const char *title, size_t *len) {
    if (n > 0 && (epoch == NULL || loss == NULL)) return fail(len);
    plot p;
    plot_init(&p, title != NULL ? title : "Training loss");
    p.x.label = "epoch";
    p.x.integer = 1;
    p.y[0].label = "loss";
    p.y[0].scale = wide_positive(loss, val_loss, n) ? PLOT_LOG : PLOT_LINEAR;
    add(&p, PLOT_LINE, epoch, loss, n, BLUE, 0, "loss");
    if (val_loss != NULL) add(&p, PLOT_LINE, epoch, val_loss, n, ORANGE, 0, "val_loss");
    return plot_render(&p, len);
}

/* "data (n = N)", and how many are drawn when not all. */
static void data_label(char *buf, size_t cap, size_t finite) {
    if (finite > PLOT_MAX_POINTS)
        snprintf(buf, cap, "data (n = %zu, %d shown)", finite, PLOT_MAX_POINTS);
    else
        snprintf(buf, cap, "data (n = %zu)", finite);
}

char *plots_fit_regression(const double *x, const double *y, size_t n, const double *curve_x,
                           const double *curve_y, const double *ref_y, size_t m, const char *xname,
                           const char *yname, const char *title, size_t *len) {
    if ((n > 0 && (x == NULL || y == NULL)) || (m > 0 && (curve_x == NULL || curve_y == NULL)))
        return fail(len);
    char label[64];
    size_t finite = 0;
    for (size_t i = 0; i < n; i++) finite += finite_value(x[i]) && finite_value(y[i]);
    data_label(label, sizeof label, finite);
    plot p;
    plot_init(&p, title != NULL ? title : "Fit");
    p.x.label = xname != NULL ? xname : "x";
    p.y[0].label = yname != NULL ? yname : "y";
    if (n > 0) {
        add(&p, PLOT_POINTS, x, y, n, BLUE, 0, label);
        add(&p, PLOT_LINE, curve_x, curve_y, m, ORANGE, 0, "fitted model");
        if (ref_y != NULL) add(&p, PLOT_DASHED, curve_x, ref_y, m, GREEN, 0, "reference solution");
    }
    return plot_render(&p, len);
}

static int cmp_double(const void *a, const void *b) {
    double u = *(const double *)a, v = *(const double *)b;
    return (u > v) - (u < v);
}

static void swap(double *v, size_t i, size_t j) {
    double t = v[i];
    v[i] = v[j];
    v[j] = t;
}

static double median3(double a, double b, double c) {
    if (a > b) {
        double t = a;
        a = b;
        b = t;
    }
    return c < a ? a : c > b ? b : c;
}

/* Reorders v[0..n) (finite values) so that v[k] is the k-th smallest, with
 * nothing larger before it and nothing smaller after it: quickselect with
 * the pivot the median of three values at pseudo-random places (a fixed
 * generator, so the result never varies; sorted or organ-pipe data is no
 * worse than any other) and a three-way partition (runs of equal values
 * cost one round); what is left after 2 log2(n) + 8 rounds goes to qsort,
 * so that no input costs more than O(n log n). */
static void select_kth(double *v, size_t n, size_t k) {
    size_t lo = 0, hi = n; /* k is in [lo, hi) */
    uint64_t state = 0x853C49E6748FEA9Bu;
    int budget = 8;
    for (size_t m = n; m > 1; m >>= 1) budget += 2;
    while (hi - lo > 16 && budget-- > 0) {
        size_t at[3];
        for (int j = 0; j < 3; j++) { /* an LCG's high bits: pseudo-random places */
            state = state * 6364136223846793005u + 1442695040888963407u;
            at[j] = lo + (size_t)((state >> 16) % (hi - lo));
        }
        double pivot = median3(v[at[0]], v[at[1]], v[at[2]]);
        size_t lt = lo, i = lo, gt = hi; /* [lo,lt) < pivot, [lt,i) == pivot, [gt,hi) > */
        while (i < gt) {
            if (v[i] < pivot)
                swap(v, lt++, i++);
            else if (v[i] > pivot)
                swap(v, i, --gt);
            else
                i++;
        }
        if (k < lt)
            hi = lt;
        else if (k >= gt)
            lo = gt;
        else
            return;
    }
    qsort(v + lo, hi - lo, sizeof *v, cmp_double);
}

/* The q-quantile of v[0..n) (reordered), interpolated between order
 * statistics (R's type 7, NumPy's default). */
static double quantile(double *v, size_t n, double q) {
    double h = q * (double)(n - 1);
    size_t i = (size_t)h;
    select_kth(v, n, i);
    if (i + 1 >= n) return v[i];
    double next = v[i + 1]; /* the smallest after v[i] */
    for (size_t j = i + 2; j < n; j++)
        if (v[j] < next) next = v[j];
    return v[i] + (h - (double)i) * (next - v[i]);
}

/* Bins for v[0..n) (reordered), n > 0, whose least and greatest values
 * are *lo and *hi: their count, clamped to HIST_MIN_BINS..HIST_MAX_BINS;
 * a range of one value is widened around it. */
static size_t hist_bins(double *v, size_t n, double *lo, double *hi) {
    if (!(*hi > *lo)) { /* one value: HIST_MIN_BINS bins around it */
        double half = *lo != 0 ? 0.05 * fabs(*lo) : 0.5;
        *lo -= half;
        *hi += half;
        return HIST_MIN_BINS;
    }
    double iqr = quantile(v, n, 0.75) - quantile(v, n, 0.25);
    double width = 2 * iqr / cbrt((double)n);
    double bins = width > 0 ? ceil((*hi - *lo) / width) : HIST_MIN_BINS;
    if (!(bins >= HIST_MIN_BINS)) bins = HIST_MIN_BINS;
    if (bins > HIST_MAX_BINS) bins = HIST_MAX_BINS;
    return (size_t)bins;
}

/* The density histogram of the finite values of x[0..n) (their count in
 * *finite): edges[0..bins] and height[0..bins), both HIST_MAX_BINS (+ 1)
 * long. Returns bins, 0 when no value is finite, (size_t)-1 on allocation
 * failure. */
static size_t histogram(const double *x, size_t n, double *edges, double *height, size_t *finite) {
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (v == NULL) return (size_t)-1;
    size_t nf = 0;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!finite_value(x[i])) continue;
        v[nf++] = x[i];
        if (x[i] < lo) lo = x[i];
        if (x[i] > hi) hi = x[i];
    }
    *finite = nf;
    if (nf == 0) {
        free(v);
        return 0;
    }
    size_t bins = hist_bins(v, nf, &lo, &hi);
    double span = hi - lo, width = span / (double)bins;
    for (size_t b = 0; b <= bins; b++)
        edges[b] = b == bins ? hi : lo + span * (double)b / (double)bins;
    for (size_t b = 0; b < bins; b++) height[b] = 0;
    for (size_t i = 0; i < nf; i++) {
        double t = (v[i] - lo) / span * (double)bins;
        size_t b = t <= 0 ? 0 : t >= (double)bins ? bins - 1 : (size_t)t;
        height[b] += 1;
    }
    for (size_t b = 0; b < bins; b++) height[b] /= (double)nf * width;
    free(v);
    return bins;
}

char *plots_fit_density(const double *x, size_t n, const double *curve_x, const double *pdf,
                        const double *ref_pdf, size_t m, const char *xname, const char *title,
                        size_t *len) {
    if ((n > 0 && x == NULL) || (m > 0 && (curve_x == NULL || pdf == NULL))) return fail(len);
    double edges[HIST_MAX_BINS + 1], height[HIST_MAX_BINS];
    size_t finite = 0, bins = histogram(x, n, edges, height, &finite);
    if (bins == (size_t)-1) return fail(len);
    char label[64];
    snprintf(label, sizeof label, "data (n = %zu)", finite);
    plot p;
    plot_init(&p, title != NULL ? title : "Fit");
    p.x.label = xname != NULL ? xname : "x";
    p.y[0].label = "density";
    p.y[0].from_zero = 1;
    if (n > 0) {
        add(&p, PLOT_BARS, edges, height, bins, BLUE, 0, label);
        add(&p, PLOT_LINE, curve_x, pdf, m, ORANGE, 0, "fitted pdf");
        if (ref_pdf != NULL) add(&p, PLOT_DASHED, curve_x, ref_pdf, m, GREEN, 0, "reference pdf");
    }
    return plot_render(&p, len);
}

char *plots_grid(const double *values, const double *loss, const double *ll, size_t n,
                 const char *param, double min_loss_at, double max_ll_at, const char *title,
                 size_t *len) {
    if (n > 0 && (values == NULL || loss == NULL || ll == NULL)) return fail(len);
    char num[2][48], note[2][600];
    const char *name = param != NULL ? param : "value";
    plot_format_number(min_loss_at, 4, num[0], sizeof num[0]);
    plot_format_number(max_ll_at, 4, num[1], sizeof num[1]);
    snprintf(note[0], sizeof note[0], "min loss at %.200s = %s", name, num[0]);
    snprintf(note[1], sizeof note[1], "max log-likelihood at %.200s = %s", name, num[1]);
    plot p;
    plot_init(&p, title != NULL ? title : "Loss and log-likelihood");
    p.height = 560;
    p.npanels = 2;
    p.x.label = name;
    p.y[0].label = "loss";
    p.y[1].label = "log-likelihood";
    if (n > 0) {
        add(&p, PLOT_LINE, values, loss, n, BLUE, 0, "loss");
        add(&p, PLOT_LINE, values, ll, n, ORANGE, 1, "log-likelihood");
        plot_series lo = {PLOT_VLINE, &min_loss_at, NULL, 1, RED, 0, "min loss", note[0]};
        plot_series hi = {PLOT_VLINE, &max_ll_at, NULL, 1, GREEN, 1, "max log-likelihood", note[1]};
        (void)plot_add(&p, &lo);
        (void)plot_add(&p, &hi);
    }
    return plot_render(&p, len);
}
