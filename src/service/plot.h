/* plot.h - a small 2-D chart model rendered to SVG 1.1, in the look of a
 * default matplotlib figure: a title, one panel or two stacked panels that
 * share the x axis, linear or log10 axes with "nice" ticks (1-2-5 steps,
 * decades on log axes), tick labels in shortest %g form ("0.3", never
 * "0.30000000000000004"), axis labels, series in a fixed palette and a
 * legend placed where it hides the least data.
 *
 * Pure data in, text out: a plot only borrows its strings and arrays, and
 * plot_render reads them. Values that are not finite (or not > 0 on a log
 * axis, or beyond +-PLOT_VALUE_MAX) are skipped. Large series are drawn
 * downsampled so that a picture stays small whatever n: points by taking
 * PLOT_MAX_POINTS evenly spaced among the usable ones; lines (joined
 * across skipped values) by keeping the first and the last vertex and
 * each bucket of consecutive indices' lowest and highest, PLOT_MAX_VERTICES
 * in all at most, so that spikes remain. The same plot always renders to
 * the same bytes. */
#ifndef FITD_PLOT_H
#define FITD_PLOT_H

#include <stddef.h>

#define PLOT_MAX_SERIES 8
#define PLOT_MAX_PANELS 2
#define PLOT_MAX_POINTS 2000   /* points drawn per PLOT_POINTS series */
#define PLOT_MAX_VERTICES 1000 /* vertices drawn per PLOT_LINE / PLOT_DASHED series */
#define PLOT_VALUE_MAX 1e300   /* larger magnitudes are skipped like non-finite values */
#define PLOT_PALETTE_SIZE 10   /* matplotlib's tab10: blue, orange, green, red, purple, ... */

typedef enum plot_scale { PLOT_LINEAR, PLOT_LOG } plot_scale;

typedef enum plot_kind {
    PLOT_LINE,   /* x[i], y[i] joined in index order (x ascending) */
    PLOT_DASHED, /* the same, dashed */
    PLOT_POINTS, /* a dot per (x[i], y[i]) */
    PLOT_BARS,   /* a histogram: bar i spans x[i]..x[i+1] (n + 1 edges), height y[i] */
    PLOT_VLINE   /* a vertical marker at each x[i] across every panel; y unused */
} plot_kind;

/* One data series. Arrays and strings are borrowed until plot_render. */
typedef struct plot_series {
    plot_kind kind;
    const double *x;   /* x[0..n), x[0..n] for PLOT_BARS (edges) */
    const double *y;   /* y[0..n); unused (may be NULL) for PLOT_VLINE */
    size_t n;          /* points, bars or markers */
    unsigned color;    /* palette index (mod PLOT_PALETTE_SIZE) */
    unsigned panel;    /* 0: the top panel (a marker: the panel whose legend lists it) */
    const char *label; /* legend entry; NULL or "": none */
    const char *note;  /* PLOT_VLINE: text beside the marker in the top panel; NULL: none */
} plot_series;

typedef struct plot_axis {
    const char *label; /* NULL: none */
    plot_scale scale;
    int from_zero; /* linear only: the range starts at 0 (histograms, bars) */
    int integer;   /* linear only: ticks at whole numbers only (epochs, counts) */
} plot_axis;

typedef struct plot {
    const char *title;
    double width, height; /* pixels */
    size_t npanels;       /* 1 or 2, stacked, sharing x */
    plot_axis x;          /* shared by the panels */
    plot_axis y[PLOT_MAX_PANELS];
    plot_series series[PLOT_MAX_SERIES];
    size_t nseries;
    const char *empty_note; /* written in each panel when nothing is drawable; NULL: "no data" */
} plot;

/* Sets *p to an empty single-panel 640x480 plot with that title
 * (borrowed). */
void plot_init(plot *p, const char *title);

/* Adds a copy of *s (its arrays and strings still borrowed). Returns 0, or
 * -1 when the plot already holds PLOT_MAX_SERIES series, s->panel is not
 * one of the plot's panels (set npanels first), or an array s needs is
 * NULL while n > 0. */
int plot_add(plot *p, const plot_series *s);

/* Renders p as an SVG 1.1 document. Returns it NUL-terminated (the caller
 * frees it) with its length in *len (len may be NULL), or NULL (*len 0)
 * on allocation failure or a malformed plot (npanels not 1..2, width not
 * 200..8000 or height not 150..8000 pixels, a series plot_add would
 * refuse). A plot with nothing drawable renders its frame, title, axis
 * labels and empty_note. */
char *plot_render(const plot *p, size_t *len);

/* Nice tick values for an axis over lo..hi: on a linear axis the multiples
 * of the smallest step in 1, 2, 5 x 10^k that gives at most max_ticks ticks
 * (a degenerate range is widened by 5% around its value first); on a log
 * axis the powers of ten inside the range (every k-th decade when there
 * are more than max_ticks), with 2 and 5 times them added when fewer than
 * two decades fall inside. Each value is the double nearest its decimal.
 * Writes up to cap values in ascending order to out and returns how many;
 * 0 for a range not finite (or not > 0 on a log axis). */
size_t plot_nice_ticks(double lo, double hi, plot_scale scale, size_t max_ticks, double *out,
                       size_t cap);

/* Writes v in %g form with a short exponent ("0.3", "250", "1e-5", "2e6"),
 * NUL-terminated in buf[0..cap) (cap >= 32 holds any value, a shorter
 * buffer gets the start): with digits == 0 the fewest significant digits
 * that read back as v (0.3 gives "0.3"; 0.1 * 3, another double, gives
 * "0.30000000000000004"), else the fewest up to that many that do, and
 * `digits` when none does. Returns the length written. */
size_t plot_format_number(double v, int digits, char *buf, size_t cap);

#endif
