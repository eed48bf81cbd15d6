/* plot.c - renders a plot (plot.h) to SVG through svg.h.
 *
 * The order of work: data ranges per axis (padded 5% like matplotlib's
 * margins), then the layout (title band, stacked panels, margins wide
 * enough for the tick labels), then per panel grid, series, frame and
 * ticks; last the marker notes and the legends. While the series are
 * drawn, what falls under each candidate legend place is measured (line
 * length, dots, bar area), and each legend goes where it hides the least.
 * The tick values and number labels are plot_ticks.c's, the legend
 * placement plot_legend.c's. */
#include "plot.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_legend.h"
#include "plot_ticks.h"
#include "svg.h"

static const char *const PALETTE[PLOT_PALETTE_SIZE] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                                       "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                                       "#bcbd22", "#17becf"};

#define FONT "font-family=\"DejaVu Sans, Bitstream Vera Sans, Helvetica, Arial, sans-serif\""
#define TICK_FS 11.0  /* tick labels, legend, notes (px) */
#define LABEL_FS 12.5 /* axis labels */
#define TITLE_FS 14.0 /* the title */
#define CHAR_W 0.62   /* estimated glyph width in em (DejaVu Sans digits: 0.636) */
#define TICK_LEN 4.0  /* major tick length */
#define TICKS_CAP 32  /* most ticks one axis holds */

/* One axis: the data range shown and where it lands in pixels. */
typedef struct axis_map {
    plot_scale scale;
    double lo, hi;   /* data range shown */
    double tlo, thi; /* lo, hi transformed (log10 on a log axis) */
    double p0, p1;   /* pixels of lo and hi */
    double ticks[TICKS_CAP];
    size_t nticks;
    int whole; /* ticks at whole numbers only */
    int sci;   /* tick labels in exponent form */
} axis_map;

typedef struct ctx {
    const plot *p;
    svg s;
    int empty;                        /* nothing drawable */
    size_t drawable[PLOT_MAX_SERIES]; /* usable elements per series */
    axis_map x, y[PLOT_MAX_PANELS];
    plot_box panel[PLOT_MAX_PANELS];
    plot_legend leg[PLOT_MAX_PANELS];
    double vx[PLOT_MAX_VERTICES], vy[PLOT_MAX_VERTICES]; /* scratch: pixel vertices */
} ctx;

/* ---- axes ---------------------------------------------------------------- */

static int usable(plot_scale scale, double v) {
    return isfinite(v) && fabs(v) <= PLOT_VALUE_MAX && (scale != PLOT_LOG || v > 0);
}

static double tr(plot_scale scale, double v) {
    return scale == PLOT_LOG ? log10(v) : v;
}

static double map(const axis_map *a, double v) {
    return a->p0 + (tr(a->scale, v) - a->tlo) / (a->thi - a->tlo) * (a->p1 - a->p0);
}

typedef struct range {
    double lo, hi;
    size_t n;
} range;

static void range_add(range *r, double v) {
    if (r->n++ == 0) r->lo = r->hi = v;
    if (v < r->lo) r->lo = v;
    if (v > r->hi) r->hi = v;
}

/* Sets the range a shows for data r: padded by 5% of its span on each side
 * (in log10 on a log axis), from 0 without padding below on a from_zero
 * axis; 0..1 (1..10 on a log axis) without data. */
static void axis_set_range(axis_map *a, range r, const plot_axis *def) {
    a->scale = def->scale;
    a->whole = def->integer;
    if (a->scale == PLOT_LOG) {
        double t0 = r.n ? log10(r.lo) : 0.0, t1 = r.n ? log10(r.hi) : 1.0;
        if (t1 - t0 < 1e-10) { /* one value: a decade around it */
            t0 -= 0.5;
            t1 += 0.5;
        }
        double pad = 0.05 * (t1 - t0);
        a->tlo = fmax(t0 - pad, -307.0); /* 10^tlo and 10^thi stay normal doubles */
        a->thi = fmin(t1 + pad, 307.0);
        a->lo = pow(10.0, a->tlo);
        a->hi = pow(10.0, a->thi);
        return;
    }
    double lo = r.n ? r.lo : 0.0, hi = r.n ? r.hi : 1.0;
    int zero = def->from_zero && r.n;
    if (zero && lo > 0) lo = 0;
    if (zero && hi < 0) hi = 0;
    plot_widen(&lo, &hi);
    double pad = 0.05 * (hi - lo);
    a->lo = zero && lo == 0 ? 0 : lo - pad;
    a->hi = zero && hi == 0 ? 0 : hi + pad;
    if (zero && r.lo >= 0 && a->lo < 0) a->lo = 0;
    a->tlo = a->lo;
    a->thi = a->hi;
}

/* Counts each series' usable elements and sets every axis range. */
static void compute_ranges(ctx *c) {
    const plot *p = c->p;
    range rx = {0, 0, 0}, ry[PLOT_MAX_PANELS] = {{0, 0, 0}};
    size_t total = 0;
    for (size_t k = 0; k < p->nseries; k++) {
        const plot_series *s = &p->series[k];
        plot_scale xs = p->x.scale, ys = p->y[s->panel].scale;
        size_t cnt = 0;
        for (size_t i = 0; i < s->n; i++) {
            if (!usable(xs, s->x[i])) continue;
            if (s->kind == PLOT_VLINE) {
                range_add(&rx, s->x[i]);
            } else if (s->kind == PLOT_BARS) {
                if (!usable(xs, s->x[i + 1]) || !usable(ys, s->y[i])) continue;
                range_add(&rx, s->x[i]);
                range_add(&rx, s->x[i + 1]);
                range_add(&ry[s->panel], s->y[i]);
            } else {
                if (!usable(ys, s->y[i])) continue;
                range_add(&rx, s->x[i]);
                range_add(&ry[s->panel], s->y[i]);
            }
            cnt++;
        }
        c->drawable[k] = cnt;
        total += cnt;
    }
    c->empty = total == 0;
    axis_set_range(&c->x, rx, &p->x);
    for (size_t i = 0; i < p->npanels; i++) axis_set_range(&c->y[i], ry[i], &p->y[i]);
}

/* ---- layout -------------------------------------------------------------- */

static double text_w(const char *t, double fs) {
    return (double)svg_text_chars(t) * fs * CHAR_W;
}

static int has_text(const char *t) {
    return t != NULL && t[0] != '\0';
}

/* Sets a's ticks; their labels are all in exponent form when one of them
 * reaches 1e6 or one not 0 is below 1e-4, so that an axis reads one way. */
static void set_ticks(axis_map *a, size_t max_ticks, int empty) {
    if (empty)
        a->nticks = 0;
    else if (a->scale == PLOT_LINEAR)
        a->nticks = plot_linear_ticks(a->lo, a->hi, max_ticks, a->whole, a->ticks, TICKS_CAP);
    else
        a->nticks = plot_nice_ticks(a->lo, a->hi, a->scale, max_ticks, a->ticks, TICKS_CAP);
    a->sci = 0;
    for (size_t i = 0; i < a->nticks; i++)
        if (fabs(a->ticks[i]) >= 1e6 || (a->ticks[i] != 0 && fabs(a->ticks[i]) < 1e-4)) a->sci = 1;
}

static void tick_label(const axis_map *a, size_t k, char *buf, size_t cap) {
    plot_format_tick(a->ticks[k], 0, a->sci, buf, cap);
}

/* Widest label among a's ticks (px). */
static double ticks_w(const axis_map *a) {
    double w = 0;
    char buf[48];
    for (size_t i = 0; i < a->nticks; i++) {
        tick_label(a, i, buf, sizeof buf);
        if (text_w(buf, TICK_FS) > w) w = text_w(buf, TICK_FS);
    }
    return w;
}

static size_t clampz(double v, size_t lo, size_t hi) {
    return v < (double)lo ? lo : v > (double)hi ? hi : (size_t)v;
}

/* x ticks: as many as fit with their labels 12 px apart. */
static void x_ticks(ctx *c) {
    axis_map *a = &c->x;
    double len = a->p1 - a->p0;
    for (size_t m = clampz(len / 60, 3, 10); m >= 2; m--) {
        set_ticks(a, m, c->empty);
        double gap = len;
        for (size_t i = 1; i < a->nticks; i++) {
            double d = map(a, a->ticks[i]) - map(a, a->ticks[i - 1]);
            if (d < gap) gap = d;
        }
        if (a->nticks < 2 || gap >= ticks_w(a) + 12) return;
    }
}

/* Panel boxes, ticks and margins: the title band on top, the x tick labels
 * and label below, the y tick labels and labels on the left. */
static void layout(ctx *c) {
    const plot *p = c->p;
    double top = has_text(p->title) ? 18 + TITLE_FS + 12 : 16;
    double bottom = TICK_LEN + 6 + TICK_FS + (has_text(p->x.label) ? 10 + LABEL_FS : 0) + 12;
    double gap = 16, np = (double)p->npanels;
    double ph = (p->height - top - bottom - gap * (np - 1)) / np;
    if (ph < 40) ph = 40;
    double ylab = 0, yw = 0;
    for (size_t i = 0; i < p->npanels; i++) {
        axis_map *a = &c->y[i];
        c->panel[i].y0 = top + (double)i * (ph + gap);
        c->panel[i].y1 = c->panel[i].y0 + ph;
        a->p0 = c->panel[i].y1;
        a->p1 = c->panel[i].y0;
        set_ticks(a, clampz(ph / 34, 3, 9), c->empty);
        if (ticks_w(a) > yw) yw = ticks_w(a);
        if (has_text(p->y[i].label)) ylab = LABEL_FS + 10;
    }
    double left = 12 + ylab + yw + TICK_LEN + 5, right = p->width - 20;
    c->x.p0 = left;
    c->x.p1 = right;
    x_ticks(c);
    if (c->x.nticks > 0) { /* room for half the last x label past the frame */
        char buf[48];
        tick_label(&c->x, c->x.nticks - 1, buf, sizeof buf);
        double over = map(&c->x, c->x.ticks[c->x.nticks - 1]) + text_w(buf, TICK_FS) / 2 + 6;
        if (over > p->width) c->x.p1 = right - (over - p->width);
    }
    for (size_t i = 0; i < p->npanels; i++) {
        c->panel[i].x0 = c->x.p0;
        c->panel[i].x1 = c->x.p1;
    }
}

/* ---- series -------------------------------------------------------------- */

/* The k-th of m indices spread evenly over 0..n (k <= m), without overflow. */
static size_t spread(size_t k, size_t n, size_t m) {
    return k * (n / m) + k * (n % m) / m;
}

static int point_ok(const ctx *c, const plot_series *s, size_t i) {
    return usable(c->x.scale, s->x[i]) && usable(c->y[s->panel].scale, s->y[i]);
}

/* Appends vertex i of s to the scratch vertices unless it is already the
 * last one there (*last: index of that vertex, SIZE_MAX for none). */
static void push_vertex(ctx *c, const plot_series *s, size_t i, size_t *nv, size_t *last) {
    if (*last != SIZE_MAX && i <= *last) return;
    c->vx[*nv] = map(&c->x, s->x[i]);
    c->vy[*nv] = map(&c->y[s->panel], s->y[i]);
    (*nv)++;
    *last = i;
}

/* A line's vertices in pixels: every usable one, or past PLOT_MAX_VERTICES
 * the first, the last, and per bucket of consecutive indices the lowest and
 * the highest, in index order. Returns how many. */
static size_t line_vertices(ctx *c, const plot_series *s) {
    size_t nv = 0, last = SIZE_MAX, n = s->n;
    if (n <= PLOT_MAX_VERTICES) {
        for (size_t i = 0; i < n; i++)
            if (point_ok(c, s, i)) push_vertex(c, s, i, &nv, &last);
        return nv;
    }
    const size_t nb = (PLOT_MAX_VERTICES - 2) / 2;
    size_t first = 0, final = n - 1;
    while (first < n && !point_ok(c, s, first)) first++;
    if (first == n) return 0;
    while (!point_ok(c, s, final)) final--;
    push_vertex(c, s, first, &nv, &last);
    for (size_t b = 0; b < nb; b++) {
        size_t lo = SIZE_MAX, hi = SIZE_MAX, end = spread(b + 1, n, nb);
        for (size_t i = spread(b, n, nb); i < end; i++) {
            if (!point_ok(c, s, i)) continue;
            if (lo == SIZE_MAX || s->y[i] < s->y[lo]) lo = i;
            if (hi == SIZE_MAX || s->y[i] > s->y[hi]) hi = i;
        }
        if (lo == SIZE_MAX) continue;
        push_vertex(c, s, lo < hi ? lo : hi, &nv, &last);
        push_vertex(c, s, lo < hi ? hi : lo, &nv, &last);
    }
    push_vertex(c, s, final, &nv, &last);
    return nv;
}

static void draw_line(ctx *c, const plot_series *s) {
    char attrs[200];
    size_t nv = line_vertices(c, s);
    const char *col = PALETTE[s->color % PLOT_PALETTE_SIZE];
    for (size_t i = 0; i < nv; i++)
        plot_legend_seg(&c->leg[s->panel], c->vx[i ? i - 1 : 0], c->vy[i ? i - 1 : 0], c->vx[i],
                        c->vy[i], 1);
    if (nv == 1) {
        snprintf(attrs, sizeof attrs, "fill=\"%s\"", col);
        svg_circle(&c->s, c->vx[0], c->vy[0], 2.5, attrs);
        return;
    }
    snprintf(attrs, sizeof attrs,
             "fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" stroke-linejoin=\"round\" "
             "stroke-linecap=\"round\"%s",
             col, s->kind == PLOT_DASHED ? " stroke-dasharray=\"6,4\"" : "");
    svg_polyline(&c->s, c->vx, c->vy, nv, attrs);
}

/* Dots at every usable point, or past PLOT_MAX_POINTS at PLOT_MAX_POINTS
 * evenly spaced ones among the usable (of which there are `usable_n`);
 * smaller and fainter the more there are. */
static void draw_points(ctx *c, const plot_series *s, size_t usable_n) {
    char attrs[120];
    size_t shown = usable_n < PLOT_MAX_POINTS ? usable_n : PLOT_MAX_POINTS;
    size_t k = 0, next = 0; /* next: rank among the usable of the k-th dot */
    double r = shown <= 200 ? 3.0 : shown <= 1000 ? 2.2 : 1.6;
    const char *alpha = shown <= 200 ? "0.8" : shown <= 1000 ? "0.6" : "0.45";
    snprintf(attrs, sizeof attrs, "fill=\"%s\" fill-opacity=\"%s\" stroke=\"none\"",
             PALETTE[s->color % PLOT_PALETTE_SIZE], alpha);
    svg_group(&c->s, attrs);
    for (size_t i = 0, rank = 0; i < s->n && k < shown; i++) {
        if (!point_ok(c, s, i)) continue;
        if (rank++ != next) continue;
        double px = map(&c->x, s->x[i]), py = map(&c->y[s->panel], s->y[i]);
        svg_circle(&c->s, px, py, r, NULL);
        plot_legend_seg(&c->leg[s->panel], px, py, px, py, 8);
        next = ++k < shown ? spread(k, usable_n, shown) : SIZE_MAX;
    }
    svg_group_end(&c->s);
}

static void draw_bars(ctx *c, const plot_series *s) {
    char attrs[160];
    const axis_map *ay = &c->y[s->panel];
    double base = ay->scale == PLOT_LOG ? ay->p0
                                        : map(ay, ay->lo > 0   ? ay->lo
                                                  : ay->hi < 0 ? ay->hi
                                                               : 0);
    snprintf(attrs, sizeof attrs,
             "fill=\"%s\" fill-opacity=\"0.45\" stroke=\"%s\" stroke-opacity=\"0.9\" "
             "stroke-width=\"0.7\"",
             PALETTE[s->color % PLOT_PALETTE_SIZE], PALETTE[s->color % PLOT_PALETTE_SIZE]);
    svg_group(&c->s, attrs);
    for (size_t i = 0; i < s->n; i++) {
        if (!usable(c->x.scale, s->x[i]) || !usable(c->x.scale, s->x[i + 1]) ||
            !usable(ay->scale, s->y[i]))
            continue;
        double a = map(&c->x, s->x[i]), b = map(&c->x, s->x[i + 1]), top = map(ay, s->y[i]);
        plot_box r = {fmin(a, b), fmin(top, base), fmax(a, b), fmax(top, base)};
        if (r.y1 - r.y0 < 0.005) continue; /* empty bin: nothing to see */
        svg_rect(&c->s, r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0, NULL);
        plot_legend_box(&c->leg[s->panel], r, 20);
    }
    svg_group_end(&c->s);
}

/* Vertical markers through every panel, dashed 4 on 4 off; the dashes of
 * every other marker series fill the gaps of the one before, so two that
 * fall on the same x show both colours. */
static void draw_vlines(ctx *c, const plot_series *s, size_t ordinal) {
    char attrs[160];
    snprintf(attrs, sizeof attrs,
             "stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"4,4\" "
             "stroke-dashoffset=\"%d\"",
             PALETTE[s->color % PLOT_PALETTE_SIZE], ordinal % 2 ? 4 : 0);
    for (size_t i = 0; i < s->n; i++) {
        if (!usable(c->x.scale, s->x[i])) continue;
        double px = map(&c->x, s->x[i]);
        for (size_t k = 0; k < c->p->npanels; k++) {
            svg_line(&c->s, px, c->panel[k].y0, px, c->panel[k].y1, attrs);
            plot_legend_seg(&c->leg[k], px, c->panel[k].y0, px, c->panel[k].y1, 1);
        }
    }
}

/* The note of each marker series beside its first marker, at the top of
 * the top panel, one row per series, on a white ground. */
static void draw_notes(ctx *c) {
    char attrs[120];
    size_t row = 0;
    plot_box b = c->panel[0];
    for (size_t k = 0; k < c->p->nseries; k++) {
        const plot_series *s = &c->p->series[k];
        if (s->kind != PLOT_VLINE || !has_text(s->note)) continue;
        size_t i = 0;
        while (i < s->n && !usable(c->x.scale, s->x[i])) i++;
        if (i == s->n) continue;
        double px = map(&c->x, s->x[i]), w = text_w(s->note, TICK_FS);
        double ty = b.y0 + 6 + TICK_FS + (double)row++ * (TICK_FS + 6);
        int left = px + 5 + w > b.x1 - 4;
        double x0 = left ? px - 5 - w : px + 5;
        plot_box r = {x0 - 2, ty - TICK_FS, x0 + w + 2, ty + 4};
        svg_rect(&c->s, r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0,
                 "fill=\"#fff\" fill-opacity=\"0.85\"");
        snprintf(attrs, sizeof attrs, "fill=\"%s\" font-size=\"11\"%s",
                 PALETTE[s->color % PLOT_PALETTE_SIZE], left ? " text-anchor=\"end\"" : "");
        svg_text(&c->s, left ? px - 5 : px + 5, ty, attrs, s->note);
        plot_legend_box(&c->leg[0], r, 0.01); /* never over a note */
    }
}

/* ---- legends ------------------------------------------------------------ */

/* Sets up panel i's legend: its series that have a label and something
 * drawable, in order. */
static void legend_setup(ctx *c, size_t i) {
    size_t entry[PLOT_MAX_SERIES], n = 0;
    double tw = 0;
    for (size_t k = 0; k < c->p->nseries; k++) {
        const plot_series *s = &c->p->series[k];
        if (s->panel != i || !has_text(s->label) || c->drawable[k] == 0) continue;
        entry[n++] = k;
        if (text_w(s->label, TICK_FS) > tw) tw = text_w(s->label, TICK_FS);
    }
    plot_legend_setup(&c->leg[i], entry, n, tw, c->panel[i]);
}

/* The handle of series s in a legend row centred at height cy. */
static void legend_handle(ctx *c, const plot_series *s, double x0, double cy) {
    char attrs[160];
    const char *col = PALETTE[s->color % PLOT_PALETTE_SIZE];
    switch (s->kind) {
    case PLOT_POINTS:
        snprintf(attrs, sizeof attrs, "fill=\"%s\" fill-opacity=\"0.8\"", col);
        svg_circle(&c->s, x0 + 12, cy, 3.5, attrs);
        break;
    case PLOT_BARS:
        snprintf(attrs, sizeof attrs,
                 "fill=\"%s\" fill-opacity=\"0.45\" stroke=\"%s\" stroke-width=\"0.7\"", col, col);
        svg_rect(&c->s, x0 + 2, cy - 5, 20, 10, attrs);
        break;
    default:
        snprintf(attrs, sizeof attrs, "stroke=\"%s\" stroke-width=\"%s\"%s", col,
                 s->kind == PLOT_VLINE ? "1.5" : "1.8",
                 s->kind == PLOT_DASHED  ? " stroke-dasharray=\"6,4\""
                 : s->kind == PLOT_VLINE ? " stroke-dasharray=\"4,4\""
                                         : "");
        svg_line(&c->s, x0, cy, x0 + 24, cy, attrs);
    }
}

/* Panel i's legend in its least covered candidate place. */
static void draw_legend(ctx *c, size_t i) {
    const plot_legend *L = &c->leg[i];
    if (L->n == 0) return;
    plot_box b = plot_legend_place(L);
    svg_rect(&c->s, b.x0, b.y0, L->w, L->h,
             "rx=\"3\" fill=\"#fff\" fill-opacity=\"0.8\" stroke=\"#ccc\" stroke-width=\"0.8\"");
    for (size_t j = 0; j < L->n; j++) {
        const plot_series *s = &c->p->series[L->entry[j]];
        double hx, tx, cy;
        plot_legend_row(b, j, &hx, &tx, &cy);
        legend_handle(c, s, hx, cy);
        svg_text(&c->s, tx, cy + TICK_FS * 0.35, "font-size=\"11\"", s->label);
    }
}

/* ---- frame, ticks, labels -------------------------------------------- */

/* Unlabelled ticks at 2..9 x 10^k on a log axis whose labels are
 * consecutive decades. Returns how many went to out[0..cap). */
static size_t minor_ticks(const axis_map *a, double *out, size_t cap) {
    if (a->scale != PLOT_LOG || a->nticks < 2) return 0;
    if (fabs(log10(a->ticks[1] / a->ticks[0]) - 1) > 1e-6) return 0;
    size_t n = 0;
    for (int d = (int)floor(a->tlo); d <= (int)ceil(a->thi); d++)
        for (int m = 2; m <= 9 && n < cap; m++) {
            double v = plot_decimal(1.0, m, d);
            if (v >= a->lo && v <= a->hi) out[n++] = v;
        }
    return n;
}

static void draw_grid(ctx *c, size_t i) {
    plot_box b = c->panel[i];
    svg_group(&c->s, "stroke=\"#e8e8e8\" stroke-width=\"0.8\"");
    for (size_t k = 0; k < c->x.nticks; k++) {
        double px = map(&c->x, c->x.ticks[k]);
        svg_line(&c->s, px, b.y0, px, b.y1, NULL);
    }
    for (size_t k = 0; k < c->y[i].nticks; k++) {
        double py = map(&c->y[i], c->y[i].ticks[k]);
        svg_line(&c->s, b.x0, py, b.x1, py, NULL);
    }
    svg_group_end(&c->s);
}

/* Tick marks of panel i outside its frame: major ones of length TICK_LEN,
 * minor ones (log axes) shorter. */
static void draw_tick_marks(ctx *c, size_t i) {
    double minor[128];
    plot_box b = c->panel[i];
    svg_group(&c->s, "stroke=\"#000\" stroke-width=\"0.8\"");
    for (size_t k = 0; k < c->x.nticks; k++) {
        double px = map(&c->x, c->x.ticks[k]);
        svg_line(&c->s, px, b.y1, px, b.y1 + TICK_LEN, NULL);
    }
    size_t nm = minor_ticks(&c->x, minor, 128);
    for (size_t k = 0; k < nm; k++) {
        double px = map(&c->x, minor[k]);
        svg_line(&c->s, px, b.y1, px, b.y1 + TICK_LEN / 2, NULL);
    }
    for (size_t k = 0; k < c->y[i].nticks; k++) {
        double py = map(&c->y[i], c->y[i].ticks[k]);
        svg_line(&c->s, b.x0 - TICK_LEN, py, b.x0, py, NULL);
    }
    nm = minor_ticks(&c->y[i], minor, 128);
    for (size_t k = 0; k < nm; k++) {
        double py = map(&c->y[i], minor[k]);
        svg_line(&c->s, b.x0 - TICK_LEN / 2, py, b.x0, py, NULL);
    }
    svg_group_end(&c->s);
}

/* Panel i's frame, tick marks and tick labels (x labels on the bottom
 * panel only), and its y axis label. */
static void draw_axes(ctx *c, size_t i) {
    char buf[48];
    plot_box b = c->panel[i];
    draw_tick_marks(c, i);
    svg_rect(&c->s, b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0,
             "fill=\"none\" stroke=\"#000\" stroke-width=\"0.8\"");
    svg_group(&c->s, "font-size=\"11\" text-anchor=\"end\"");
    for (size_t k = 0; k < c->y[i].nticks; k++) {
        tick_label(&c->y[i], k, buf, sizeof buf);
        double py = map(&c->y[i], c->y[i].ticks[k]);
        svg_text(&c->s, b.x0 - TICK_LEN - 3, py + TICK_FS * 0.35, NULL, buf);
    }
    svg_group_end(&c->s);
    if (i + 1 == c->p->npanels) {
        svg_group(&c->s, "font-size=\"11\" text-anchor=\"middle\"");
        for (size_t k = 0; k < c->x.nticks; k++) {
            tick_label(&c->x, k, buf, sizeof buf);
            double px = map(&c->x, c->x.ticks[k]);
            svg_text(&c->s, px, b.y1 + TICK_LEN + 3 + TICK_FS * 0.8, NULL, buf);
        }
        svg_group_end(&c->s);
    }
    if (has_text(c->p->y[i].label))
        svg_text_up(&c->s, 12 + LABEL_FS * 0.8, (b.y0 + b.y1) / 2,
                    "font-size=\"12.5\" text-anchor=\"middle\"", c->p->y[i].label);
}

/* Text centred at (x, y), its font shrunk (down to 8 px) to fit width. */
static void fitted_text(ctx *c, double x, double y, double fs, double width, const char *t) {
    char attrs[80];
    double w = text_w(t, fs);
    if (w > width) fs = fs * width / w < 8 ? 8 : fs * width / w;
    int tenths = (int)lround(fs * 10); /* not %f: a locale could write a comma */
    snprintf(attrs, sizeof attrs, "font-size=\"%d.%d\" text-anchor=\"middle\"", tenths / 10,
             tenths % 10);
    svg_text(&c->s, x, y, attrs, t);
}

static void draw_labels(ctx *c) {
    const plot *p = c->p;
    plot_box bot = c->panel[p->npanels - 1];
    double mid = (c->x.p0 + c->x.p1) / 2;
    if (has_text(p->x.label))
        fitted_text(c, mid, bot.y1 + TICK_LEN + 6 + TICK_FS + 10 + LABEL_FS * 0.8, LABEL_FS,
                    c->x.p1 - c->x.p0, p->x.label);
    if (has_text(p->title))
        fitted_text(c, mid, 18 + TITLE_FS * 0.8, TITLE_FS, p->width - 20, p->title);
    for (size_t i = 0; c->empty && i < p->npanels; i++)
        svg_text(&c->s, mid, (c->panel[i].y0 + c->panel[i].y1) / 2 + 5,
                 "font-size=\"14\" fill=\"#777\" text-anchor=\"middle\"",
                 has_text(p->empty_note) ? p->empty_note : "no data");
}

/* ---- the plot ------------------------------------------------------------ */

void plot_init(plot *p, const char *title) {
    memset(p, 0, sizeof *p);
    p->title = title;
    p->width = 640;
    p->height = 480;
    p->npanels = 1;
}

static int series_ok(const plot *p, const plot_series *s) {
    if (s->panel >= p->npanels || (unsigned)s->kind > PLOT_VLINE) return 0;
    if (s->n > 0 && s->x == NULL) return 0;
    return s->n == 0 || s->kind == PLOT_VLINE || s->y != NULL;
}

int plot_add(plot *p, const plot_series *s) {
    if (p->nseries >= PLOT_MAX_SERIES || !series_ok(p, s)) return -1;
    p->series[p->nseries++] = *s;
    return 0;
}

static int plot_ok(const plot *p) {
    if (p->npanels < 1 || p->npanels > PLOT_MAX_PANELS || p->nseries > PLOT_MAX_SERIES) return 0;
    if (!(p->width >= 200 && p->width <= 8000 && p->height >= 150 && p->height <= 8000)) return 0;
    for (size_t k = 0; k < p->nseries; k++)
        if (!series_ok(p, &p->series[k])) return 0;
    return 1;
}

static void draw_series(ctx *c) {
    size_t markers = 0;
    for (size_t k = 0; k < c->p->nseries; k++) {
        const plot_series *s = &c->p->series[k];
        switch (s->kind) {
        case PLOT_LINE:
        case PLOT_DASHED:
            draw_line(c, s);
            break;
        case PLOT_POINTS:
            draw_points(c, s, c->drawable[k]);
            break;
        case PLOT_BARS:
            draw_bars(c, s);
            break;
        case PLOT_VLINE:
            draw_vlines(c, s, markers++);
            break;
        }
    }
}

char *plot_render(const plot *p, size_t *len) {
    if (len != NULL) *len = 0;
    if (p == NULL || !plot_ok(p)) return NULL;
    ctx *c = calloc(1, sizeof *c);
    if (c == NULL) return NULL;
    c->p = p;
    compute_ranges(c);
    layout(c);
    svg_begin(&c->s, p->width, p->height);
    svg_title(&c->s, has_text(p->title) ? p->title : "plot");
    svg_group(&c->s, FONT);
    svg_rect(&c->s, 0, 0, p->width, p->height, "fill=\"#fff\"");
    for (size_t i = 0; i < p->npanels; i++) {
        legend_setup(c, i);
        draw_grid(c, i);
    }
    if (!c->empty) draw_series(c);
    for (size_t i = 0; i < p->npanels; i++) draw_axes(c, i);
    draw_labels(c);
    if (!c->empty) {
        draw_notes(c);
        for (size_t i = 0; i < p->npanels; i++) draw_legend(c, i);
    }
    char *out = svg_end(&c->s, len);
    free(c);
    return out;
}
