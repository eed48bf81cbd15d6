/* plot_legend.c - legend placement for plot.c (plot_legend.h): a legend's
 * size and candidate places, what the drawn data covers of each (lines by
 * their clipped length, boxes by their shared area) and the place that
 * hides the least. */
#include "plot_legend.h"

#include <math.h>

void plot_legend_setup(plot_legend *L, const size_t *entry, size_t n, double label_w,
                       plot_box panel) {
    L->n = n;
    for (size_t j = 0; j < n; j++) L->entry[j] = entry[j];
    L->w = 8 + 24 + 7 + label_w + 8;
    L->h = 5 + (double)L->n * PLOT_LEGEND_ROW_H + 5;
    plot_box b = panel;
    double xl = b.x0 + 8, xr = b.x1 - 8 - L->w, xc = (b.x0 + b.x1 - L->w) / 2;
    double yt = b.y0 + 8, yb = b.y1 - 8 - L->h, yc = (b.y0 + b.y1 - L->h) / 2;
    const double at[PLOT_LEGEND_NCAND][2] = {{xr, yt}, {xl, yt}, {xl, yb}, {xr, yb},
                                             {xr, yc}, {xl, yc}, {xc, yb}, {xc, yt}};
    for (size_t k = 0; k < PLOT_LEGEND_NCAND; k++) {
        L->cand[k] = (plot_box){at[k][0], at[k][1], at[k][0] + L->w, at[k][1] + L->h};
        L->bad[k] = 0;
    }
}

/* How much of the segment (x0, y0)-(x1, y1) lies inside box r, in pixels
 * (Liang-Barsky clipping); a point inside counts as 1. */
static double seg_inside(plot_box r, double x0, double y0, double x1, double y1) {
    double t0 = 0, t1 = 1, dx = x1 - x0, dy = y1 - y0;
    const double pk[4] = {-dx, dx, -dy, dy};
    const double qk[4] = {x0 - r.x0, r.x1 - x0, y0 - r.y0, r.y1 - y0};
    for (int k = 0; k < 4; k++) {
        if (pk[k] == 0) {
            if (qk[k] < 0) return 0;
            continue;
        }
        double t = qk[k] / pk[k];
        if (pk[k] < 0 && t > t0) t0 = t;
        if (pk[k] > 0 && t < t1) t1 = t;
        if (t0 > t1) return 0;
    }
    double len = (t1 - t0) * sqrt(dx * dx + dy * dy);
    return len > 1 ? len : 1;
}

void plot_legend_seg(plot_legend *L, double x0, double y0, double x1, double y1, double weight) {
    for (size_t k = 0; k < PLOT_LEGEND_NCAND; k++)
        L->bad[k] += weight * seg_inside(L->cand[k], x0, y0, x1, y1);
}

void plot_legend_box(plot_legend *L, plot_box b, double weight) {
    for (size_t k = 0; k < PLOT_LEGEND_NCAND; k++) {
        plot_box r = L->cand[k];
        double dx = fmin(b.x1, r.x1) - fmax(b.x0, r.x0), dy = fmin(b.y1, r.y1) - fmax(b.y0, r.y0);
        if (dx >= 0 && dy >= 0) L->bad[k] += (dx * dy + 1) / weight;
    }
}

plot_box plot_legend_place(const plot_legend *L) {
    size_t best = 0;
    for (size_t k = 1; k < PLOT_LEGEND_NCAND; k++)
        if (L->bad[k] < L->bad[best]) best = k;
    return L->cand[best];
}

void plot_legend_row(plot_box at, size_t j, double *handle_x, double *text_x, double *cy) {
    *handle_x = at.x0 + 8;
    *text_x = at.x0 + 8 + 24 + 7;
    *cy = at.y0 + 5 + PLOT_LEGEND_ROW_H * ((double)j + 0.5);
}
