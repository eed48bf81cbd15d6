/* test_plot.c - the SVG writer (src/service/svg.c), the chart model
 * (src/service/plot.c) and fitd's plots (src/service/plots.c): nice ticks
 * and their labels, escaping, each plot's structure (title, legend
 * entries, vertices within the downsampling limits), non-finite values,
 * a million points, determinism; and every document is checked to be
 * well-formed XML by xmllint when /usr/bin/xmllint exists. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "service/plot.h"
#include "service/plots.h"
#include "service/svg.h"

#define XMLLINT "/usr/bin/xmllint"
#define BIG 1000000
#define SIZE_LIMIT (300 * 1024)

static int have_xmllint;

/* ---- helpers ------------------------------------------------------------- */

static size_t count_of(const char *hay, const char *needle) {
    size_t n = 0, k = strlen(needle);
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += k) n++;
    return n;
}

static int has(const char *hay, const char *needle) {
    return hay != NULL && strstr(hay, needle) != NULL;
}

/* Vertices of each <polyline> of doc: their count in counts[0..cap) and
 * the smallest and largest y of all of them. Returns how many polylines. */
static size_t polylines(const char *doc, size_t *counts, size_t cap, double *ymin, double *ymax) {
    size_t n = 0;
    *ymin = INFINITY;
    *ymax = -INFINITY;
    for (const char *p = doc; (p = strstr(p, "<polyline points=\"")) != NULL;) {
        p += strlen("<polyline points=\"");
        size_t v = 0;
        while (*p != '"') {
            char *end;
            (void)strtod(p, &end); /* x */
            double y = strtod(end + 1, &end);
            if (y < *ymin) *ymin = y;
            if (y > *ymax) *ymax = y;
            v++;
            p = *end == ' ' ? end + 1 : end;
        }
        if (n < cap) counts[n] = v;
        n++;
    }
    return n;
}

/* Elements in the first group whose start tag contains marker. */
static size_t in_group(const char *doc, const char *marker, const char *elem) {
    const char *g = strstr(doc, marker), *end = g ? strstr(g, "</g>") : NULL;
    size_t n = 0, k = strlen(elem);
    for (const char *p = g; p != NULL && (p = strstr(p, elem)) != NULL && p < end; p += k) n++;
    return n;
}

/* Whether xmllint finds doc well-formed (1 when xmllint is missing). */
static int well_formed(const char *doc, size_t len) {
    if (!have_xmllint) return 1;
    char path[] = "/tmp/test_plot_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return 0;
    int ok = write(fd, doc, len) == (ssize_t)len;
    close(fd);
    char cmd[128];
    snprintf(cmd, sizeof cmd, XMLLINT " --noout %s", path);
    ok = ok && system(cmd) == 0;
    unlink(path);
    return ok;
}

/* Checks shared by every document: an SVG 1.1 root with its size, one
 * closing tag at the end, the length right, well-formed XML. */
static void check_doc(const char *doc, size_t len, const char *what) {
    if (!check_record(doc != NULL, what, __FILE__, __LINE__)) return;
    CHECK_INT(strlen(doc), len);
    CHECK(has(doc, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\""));
    CHECK(has(doc, " width=\"") && has(doc, " height=\"") && has(doc, " viewBox=\"0 0 "));
    CHECK(len > 7 && strcmp(doc + len - 7, "</svg>\n") == 0);
    CHECK(!has(doc, "nan") && !has(doc, "inf"));
    if (!check_record(well_formed(doc, len), what, __FILE__, __LINE__))
        fprintf(stderr, "  xmllint rejected the %s document\n", what);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static double uniform01(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return ((double)(rng_state >> 11) + 0.5) / 9007199254740992.0;
}
static double normal01(void) {
    return sqrt(-2 * log(uniform01())) * cos(6.283185307179586 * uniform01());
}

/* ---- ticks and numbers --------------------------------------------------- */

static void check_ticks(double lo, double hi, plot_scale sc, size_t max, const double *want,
                        size_t nwant, const char *what) {
    double got[32];
    size_t n = plot_nice_ticks(lo, hi, sc, max, got, 32);
    int ok = n == nwant;
    for (size_t i = 0; ok && i < n; i++)
        ok = got[i] == want[i] && !(got[i] == 0 && signbit(got[i]));
    if (!check_record(ok, what, __FILE__, __LINE__)) {
        fprintf(stderr, "  got %zu:", n);
        for (size_t i = 0; i < n; i++) fprintf(stderr, " %.17g", got[i]);
        fprintf(stderr, "\n");
    }
}

static void test_ticks(void) {
    const double unit[] = {0, 0.2, 0.4, 0.6, 0.8, 1};
    check_ticks(0, 1, PLOT_LINEAR, 8, unit, 6, "0..1");
    const double small[] = {0.003, 0.004, 0.005, 0.006, 0.007};
    check_ticks(0.003, 0.0071, PLOT_LINEAR, 8, small, 5, "0.003..0.0071");
    const double neg[] = {-7, -6, -5, -4, -3, -2};
    check_ticks(-7.3, -1.2, PLOT_LINEAR, 8, neg, 6, "-7.3..-1.2");
    const double cross[] = {-1, -0.5, 0, 0.5, 1};
    check_ticks(-1, 1, PLOT_LINEAR, 6, cross, 5, "-1..1");
    const double tenths[] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7};
    check_ticks(0.1, 0.7, PLOT_LINEAR, 8, tenths, 7, "0.1..0.7");
    const double big[] = {0, 2e6, 4e6, 6e6, 8e6, 1e7};
    check_ticks(0, 1e7, PLOT_LINEAR, 8, big, 6, "0..1e7");
    const double swapped[] = {0, 0.2, 0.4, 0.6, 0.8, 1};
    check_ticks(1, 0, PLOT_LINEAR, 8, swapped, 6, "1..0 is 0..1");
    const double single[] = {4.8, 4.9, 5, 5.1, 5.2};
    check_ticks(5, 5, PLOT_LINEAR, 8, single, 5, "a single value, widened 5%");
    const double zero[] = {-1, -0.5, 0, 0.5, 1};
    check_ticks(0, 0, PLOT_LINEAR, 8, zero, 5, "zero alone: -1..1");
    const double decades[] = {1e-3, 1e-2, 1e-1, 1, 10, 100};
    check_ticks(1e-3, 1e2, PLOT_LOG, 8, decades, 6, "log 1e-3..1e2");
    const double every3[] = {1e-6, 1e-3, 1, 1e3, 1e6};
    check_ticks(1e-8, 1e8, PLOT_LOG, 8, every3, 5, "log 1e-8..1e8, every third decade");
    const double within[] = {2, 5, 10, 20};
    check_ticks(1.5, 30, PLOT_LOG, 8, within, 4, "log 1.5..30: 1-2-5");

    double out[32];
    CHECK_INT(plot_nice_ticks(NAN, 1, PLOT_LINEAR, 8, out, 32), 0);
    CHECK_INT(plot_nice_ticks(0, INFINITY, PLOT_LINEAR, 8, out, 32), 0);
    CHECK_INT(plot_nice_ticks(0, 10, PLOT_LOG, 8, out, 32), 0);
    CHECK_INT(plot_nice_ticks(0, 1, PLOT_LINEAR, 8, out, 3), 3); /* cap respected */
    for (int e = -12; e <= 12; e += 3) { /* any scale: 2..max ticks, ascending, inside */
        double lo = 1.234 * pow(10, e), hi = 9.87 * pow(10, e + 1);
        size_t n = plot_nice_ticks(lo, hi, PLOT_LINEAR, 7, out, 32);
        int ok = n >= 2 && n <= 7;
        for (size_t i = 0; ok && i < n; i++)
            ok = out[i] >= lo * (1 - 1e-12) && out[i] <= hi * (1 + 1e-12) &&
                 (i == 0 || out[i] > out[i - 1]);
        CHECK(ok);
    }
}

static void check_format(double v, int digits, const char *want) {
    char buf[48];
    size_t n = plot_format_number(v, digits, buf, sizeof buf);
    CHECK_STR(buf, want);
    CHECK_INT(n, strlen(want));
}

static void test_format(void) {
    check_format(0.3, 0, "0.3");
    check_format(0.1 * 3, 0, "0.30000000000000004"); /* exact: not a tick value */
    check_format(0.1 * 3, 4, "0.3");
    check_format(10, 0, "10");
    check_format(250, 0, "250");
    check_format(123456, 0, "123456");
    check_format(2e6, 0, "2e6");
    check_format(1.5e-5, 0, "1.5e-5");
    check_format(0.0001, 0, "0.0001");
    check_format(-0.0, 0, "0");
    check_format(-2.5, 0, "-2.5");
    check_format(5.0312, 4, "5.031");
    check_format(123456.7, 4, "123457");
    check_format(1e300, 0, "1e300");
    check_format(NAN, 0, "nan");
    check_format(-INFINITY, 0, "-inf");
    char tiny[4];
    CHECK_INT(plot_format_number(123456, 0, tiny, sizeof tiny), 3); /* cut, terminated */
    CHECK_STR(tiny, "123");
}

/* ---- the SVG writer ------------------------------------------------------ */

static void test_svg(void) {
    svg s;
    size_t len;
    svg_begin(&s, 100, 50.5);
    svg_title(&s, "a <b> & \"c\" 'd'");
    svg_group(&s, "fill=\"red\"");
    svg_line(&s, 0.004, -0.25, 12.5, 1e9, NULL);
    svg_circle(&s, NAN, 2, -1, NULL);
    const double xs[] = {1, 2.25, 3}, ys[] = {4, 5.5, -6};
    svg_polyline(&s, xs, ys, 3, "stroke=\"blue\"");
    svg_text(&s, 1, 2, NULL,
             "bad \xff\xfe byte, \x01 control, \xed\xa0\x80 surrogate, ok \xc3\xa9");
    char *doc = svg_end(&s, &len); /* closes the group */
    check_doc(doc, len, "writer");
    CHECK(has(doc, "width=\"100\" height=\"50.5\" viewBox=\"0 0 100 50.5\""));
    CHECK(has(doc, "<title>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;</title>"));
    CHECK(has(doc, "<line x1=\"0\" y1=\"-0.25\" x2=\"12.5\" y2=\"1000000\"/>"));
    CHECK(has(doc, "<circle cx=\"0\" cy=\"2\" r=\"0\"/>"));
    CHECK(has(doc, "points=\"1,4 2.25,5.5 3,-6\" stroke=\"blue\""));
    CHECK(has(doc, "bad \xef\xbf\xbd\xef\xbf\xbd byte, \xef\xbf\xbd control"));
    CHECK(has(doc, "ok \xc3\xa9</text>"));
    CHECK_INT(count_of(doc, "<g"), count_of(doc, "</g>"));
    free(doc);

    char longtext[600];
    memset(longtext, 'a', sizeof longtext - 1);
    longtext[sizeof longtext - 1] = '\0';
    CHECK_INT(svg_text_chars(longtext), SVG_TEXT_MAX);
    CHECK_INT(svg_text_chars("\xc3\xa9t\xc3\xa9"), 3);
    svg_begin(&s, 10, 10);
    svg_text(&s, 0, 0, NULL, longtext);
    doc = svg_end(&s, &len);
    char want[SVG_TEXT_MAX + 16];
    want[0] = '>';
    memset(want + 1, 'a', SVG_TEXT_MAX - 1);
    strcpy(want + SVG_TEXT_MAX, "\xe2\x80\xa6</text>"); /* 199 a's and an ellipsis */
    CHECK(has(doc, want) && !has(doc, "aaa\xe2\x80\xa6"
                                      "a"));
    free(doc);

    svg_begin(&s, 10, 10); /* a failure is sticky and reported at the end */
    s.out.oom = 1;
    svg_rect(&s, 0, 0, 1, 1, NULL);
    len = 99;
    CHECK(svg_end(&s, &len) == NULL);
    CHECK_INT(len, 0);
}

/* ---- the chart model ----------------------------------------------------- */

static void test_plot_model(void) {
    plot p;
    const double x[] = {0, 1, 2}, y[] = {0, 0.1, 0.3};
    plot_init(&p, "model");
    plot_series s = {PLOT_LINE, x, y, 3, 0, 0, "line", NULL};
    for (int i = 0; i < PLOT_MAX_SERIES; i++) CHECK_INT(plot_add(&p, &s), 0);
    CHECK_INT(plot_add(&p, &s), -1); /* full */
    plot_init(&p, "model");
    s.panel = 1;
    CHECK_INT(plot_add(&p, &s), -1); /* no second panel */
    s.panel = 0;
    s.y = NULL;
    CHECK_INT(plot_add(&p, &s), -1); /* a line needs y */
    s.kind = PLOT_VLINE;
    CHECK_INT(plot_add(&p, &s), 0); /* a marker does not */

    size_t len;
    plot_init(&p, "ticks 0..0.3");
    plot_series line = {PLOT_LINE, x, y, 3, 0, 0, "line", NULL};
    plot_add(&p, &line);
    char *doc = plot_render(&p, &len);
    check_doc(doc, len, "model");
    CHECK(has(doc, ">0.3<") && has(doc, ">0.1<") && !has(doc, "00000"));
    free(doc);
    p.npanels = 3;
    CHECK(plot_render(&p, &len) == NULL);
    CHECK_INT(len, 0);
}

/* ---- fitd's plots -------------------------------------------------------- */

static void test_loss(void) {
    double epoch[300], loss[300], val[300];
    for (int i = 0; i < 300; i++) {
        epoch[i] = i + 1;
        loss[i] = 25 * exp(-i / 10.0) + 0.01;
        val[i] = loss[i] * 1.2;
    }
    size_t len, pc[4];
    double ymin, ymax;
    char *doc = plots_loss(epoch, loss, val, 300, "Training <loss> & more", &len);
    check_doc(doc, len, "loss");
    CHECK(has(doc, "<title>Training &lt;loss&gt; &amp; more</title>"));
    CHECK(has(doc, ">loss</text>") && has(doc, ">val_loss</text>") && has(doc, ">epoch</text>"));
    CHECK(has(doc, ">0.01</text>") && has(doc, ">1</text>") && has(doc, ">10</text>")); /* log */
    CHECK_INT(polylines(doc, pc, 4, &ymin, &ymax), 2);
    CHECK_INT(pc[0], 300);
    CHECK_INT(pc[1], 300);
    char *again = plots_loss(epoch, loss, val, 300, "Training <loss> & more", NULL);
    CHECK(again != NULL && strcmp(doc, again) == 0); /* deterministic */
    free(again);
    free(doc);

    for (int i = 0; i < 300; i++) loss[i] = 2 + exp(-i / 30.0); /* narrow: linear axis */
    loss[7] = NAN;
    loss[8] = INFINITY;
    doc = plots_loss(epoch, loss, NULL, 300, NULL, &len);
    check_doc(doc, len, "loss, linear, non-finite");
    CHECK(has(doc, "<title>Training loss</title>") && !has(doc, ">val_loss<"));
    CHECK(has(doc, ">2.4</text>"));
    CHECK_INT(polylines(doc, pc, 4, &ymin, &ymax), 1);
    CHECK_INT(pc[0], 298);
    free(doc);

    double five[5] = {1, 2, 3, 4, 5}; /* epochs: whole-number ticks only */
    doc = plots_loss(five, loss, NULL, 5, "five", &len);
    check_doc(doc, len, "loss, five epochs");
    CHECK(has(doc, ">1</text>") && has(doc, ">5</text>") && !has(doc, ">1.5</text>"));
    free(doc);

    double one = 1, l1 = 0.5; /* one epoch: a dot */
    doc = plots_loss(&one, &l1, NULL, 1, "one", &len);
    check_doc(doc, len, "loss, one epoch");
    CHECK_INT(count_of(doc, "<polyline"), 0);
    CHECK(count_of(doc, "<circle") == 1);
    free(doc);

    CHECK(plots_loss(NULL, loss, NULL, 3, "bad", &len) == NULL);
    CHECK_INT(len, 0);
}

/* A million epochs, all 1 but a spike of 1000 at one: at most
 * PLOT_MAX_VERTICES vertices, the spike among them. */
static void test_loss_big(double *epoch, double *loss) {
    for (size_t i = 0; i < BIG; i++) {
        epoch[i] = (double)i + 1;
        loss[i] = 1 + 0.01 * uniform01();
    }
    loss[BIG / 2 + 123] = 1000;
    size_t len, pc[4];
    double ymin, ymax;
    char *doc = plots_loss(epoch, loss, loss, BIG, "big", &len);
    check_doc(doc, len, "loss, 1e6 epochs");
    printf("loss, 2 x 1e6 epochs: %zu bytes\n", len);
    CHECK(len < SIZE_LIMIT);
    CHECK_INT(polylines(doc, pc, 4, &ymin, &ymax), 2);
    CHECK(pc[0] <= PLOT_MAX_VERTICES && pc[0] >= PLOT_MAX_VERTICES - 2);
    CHECK(ymin < 70 && ymax > 380); /* the spike near the top, the floor near the bottom */
    free(doc);
}

static void test_regression(double *x, double *y) {
    size_t len, pc[4];
    double ymin, ymax, cx[200], cy[200], ry[200];
    for (size_t i = 0; i < BIG; i++) {
        x[i] = 10 * uniform01();
        y[i] = 2 * x[i] + 1 + normal01();
    }
    for (size_t j = 0; j < 200; j++) {
        cx[j] = 10.0 * (double)j / 199;
        cy[j] = 2 * cx[j] + 1;
        ry[j] = 2.01 * cx[j] + 0.99;
    }
    char *doc = plots_fit_regression(x, y, 100, cx, cy, ry, 200, "x", "y", "Fit & <m, b>", &len);
    check_doc(doc, len, "regression");
    CHECK(has(doc, "Fit &amp; &lt;m, b&gt;"));
    CHECK(has(doc, ">data (n = 100)</text>") && has(doc, ">fitted model</text>"));
    CHECK(has(doc, ">reference solution</text>") && has(doc, "stroke-dasharray=\"6,4\""));
    CHECK_INT(in_group(doc, "fill-opacity=\"0.8\" stroke=\"none\"", "<circle"), 100);
    CHECK_INT(polylines(doc, pc, 4, &ymin, &ymax), 2);
    CHECK(pc[0] == 200 && pc[1] == 200);
    free(doc);

    x[3] = NAN; /* skipped, and counted out of n */
    y[5] = -INFINITY;
    doc = plots_fit_regression(x, y, 100, cx, cy, NULL, 200, NULL, NULL, NULL, &len);
    check_doc(doc, len, "regression, non-finite");
    CHECK(has(doc, ">data (n = 98)</text>") && !has(doc, ">reference solution<"));
    CHECK_INT(in_group(doc, "fill-opacity=\"0.8\" stroke=\"none\"", "<circle"), 98);
    free(doc);

    doc = plots_fit_regression(x, y, BIG, cx, cy, ry, 200, "x", "y", "big", &len);
    check_doc(doc, len, "regression, 1e6 points");
    printf("regression, 1e6 points: %zu bytes\n", len);
    CHECK(len < SIZE_LIMIT);
    CHECK(has(doc, ">data (n = 999998, 2000 shown)</text>"));
    CHECK_INT(in_group(doc, "fill-opacity=\"0.45\" stroke=\"none\"", "<circle"), PLOT_MAX_POINTS);
    free(doc);
}

static void test_density(double *x) {
    size_t len, pc[4];
    double ymin, ymax, cx[300], pdf[300], ref[300];
    for (size_t i = 0; i < 1000; i++) x[i] = (double)i / 999; /* uniform: FD gives 10 bins */
    for (size_t j = 0; j < 300; j++) {
        cx[j] = (double)j / 299;
        pdf[j] = 1;
        ref[j] = 0.9;
    }
    char *doc = plots_fit_density(x, 1000, cx, pdf, ref, 300, "x", "density fit", &len);
    check_doc(doc, len, "density");
    CHECK(has(doc, ">data (n = 1000)</text>") && has(doc, ">fitted pdf</text>"));
    CHECK(has(doc, ">reference pdf</text>") && has(doc, ">density</text>"));
    CHECK_INT(in_group(doc, "fill-opacity=\"0.45\" stroke=", "<rect"), 10);
    CHECK_INT(polylines(doc, pc, 4, &ymin, &ymax), 2);
    free(doc);

    for (size_t i = 0; i < BIG; i++) x[i] = 5 + 2 * normal01();
    x[10] = NAN;
    doc = plots_fit_density(x, BIG, cx, pdf, NULL, 300, "x", "big", &len);
    check_doc(doc, len, "density, 1e6 values");
    printf("density, 1e6 values: %zu bytes\n", len);
    CHECK(len < SIZE_LIMIT);
    CHECK(has(doc, ">data (n = 999999)</text>"));
    size_t bars = in_group(doc, "fill-opacity=\"0.45\" stroke=", "<rect");
    CHECK(bars >= 10 && bars <= 60);
    free(doc);

    double same[50];
    for (int i = 0; i < 50; i++) same[i] = 3; /* one value: still a histogram */
    doc = plots_fit_density(same, 50, NULL, NULL, NULL, 0, NULL, NULL, &len);
    check_doc(doc, len, "density, one value");
    CHECK_INT(in_group(doc, "fill-opacity=\"0.45\" stroke=", "<rect"), 1); /* 9 bins empty */
    free(doc);
    CHECK(plots_fit_density(x, 10, NULL, pdf, NULL, 5, "x", "bad", &len) == NULL);
}

static void test_grid(double *v, double *loss, double *ll) {
    size_t len, pc[4];
    double ymin, ymax;
    for (size_t i = 0; i < 101; i++) {
        v[i] = 3 + 4.0 * (double)i / 100;
        loss[i] = 1.6 + 0.125 * (v[i] - 5.03) * (v[i] - 5.03);
        ll[i] = -1000 * loss[i];
    }
    char *doc = plots_grid(v, loss, ll, 101, "mu", 5.03, 5.0300001, "grid <mu>", &len);
    check_doc(doc, len, "grid");
    CHECK(has(doc, "<title>grid &lt;mu&gt;</title>") && has(doc, ">mu</text>"));
    CHECK(has(doc, ">loss</text>") && has(doc, ">log-likelihood</text>"));
    CHECK(has(doc, ">min loss</text>") && has(doc, ">max log-likelihood</text>"));
    CHECK(has(doc, ">min loss at mu = 5.03</text>"));
    CHECK(has(doc, ">max log-likelihood at mu = 5.03</text>"));
    CHECK(has(doc, ">-1600</text>"));
    CHECK_INT(count_of(doc, "stroke-dasharray=\"4,4\" stroke-dashoffset"), 4); /* 2 x 2 panels */
    CHECK_INT(polylines(doc, pc, 4, &ymin, &ymax), 2);
    CHECK(pc[0] == 101 && pc[1] == 101);
    free(doc);

    doc = plots_grid(v, loss, ll, 101, "a&b", NAN, INFINITY, NULL, &len);
    check_doc(doc, len, "grid, no optima");
    CHECK(has(doc, ">a&amp;b</text>") && !has(doc, "min loss at") && !has(doc, ">min loss<"));
    free(doc);

    for (size_t i = 0; i < BIG; i++) {
        v[i] = (double)i;
        loss[i] = (double)(i % 1000);
        ll[i] = -loss[i];
    }
    doc = plots_grid(v, loss, ll, BIG, "w", 0, 0, "big", &len);
    check_doc(doc, len, "grid, 1e6 values");
    printf("grid, 1e6 values: %zu bytes\n", len);
    CHECK(len < SIZE_LIMIT);
    CHECK_INT(polylines(doc, pc, 4, &ymin, &ymax), 2);
    CHECK(pc[0] <= PLOT_MAX_VERTICES && pc[1] <= PLOT_MAX_VERTICES);
    free(doc);
    CHECK(plots_grid(v, NULL, ll, 3, "w", 0, 0, "bad", &len) == NULL);
}

static void test_empty(void) {
    size_t len;
    char *docs[5];
    double nan3[3] = {NAN, NAN, NAN};
    docs[0] = plots_loss(NULL, NULL, NULL, 0, "empty", &len);
    docs[1] = plots_fit_regression(NULL, NULL, 0, NULL, NULL, NULL, 0, "x", "y", "empty", NULL);
    docs[2] = plots_fit_density(NULL, 0, NULL, NULL, NULL, 0, "x", "empty", NULL);
    docs[3] = plots_grid(NULL, NULL, NULL, 0, "mu", 1, 2, "empty", NULL);
    docs[4] = plots_loss(nan3, nan3, nan3, 3, "all NaN", NULL);
    for (int i = 0; i < 5; i++) {
        check_doc(docs[i], docs[i] ? strlen(docs[i]) : 0, "empty");
        CHECK_INT(count_of(docs[i], ">no data</text>"), i == 3 ? 2 : 1); /* one per panel */
        CHECK(!has(docs[i], "<polyline") && !has(docs[i], "<circle"));
        free(docs[i]);
    }
}

int main(void) {
    have_xmllint = access(XMLLINT, X_OK) == 0;
    if (!have_xmllint) printf("note: " XMLLINT " missing, well-formedness not checked\n");
    test_ticks();
    test_format();
    test_svg();
    test_plot_model();
    test_loss();
    test_empty();
    double *a = malloc(BIG * sizeof *a), *b = malloc(BIG * sizeof *b), *c = malloc(BIG * sizeof *c);
    if (CHECK(a != NULL && b != NULL && c != NULL)) {
        test_loss_big(a, b);
        test_regression(a, b);
        test_density(a);
        test_grid(a, b, c);
    }
    free(a);
    free(b);
    free(c);
    return check_done("test_plot");
}
