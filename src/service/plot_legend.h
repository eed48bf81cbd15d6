/* plot_legend.h - private to plot*.c: where a panel's legend goes
 * (plot_legend.c). A legend is sized from its number of entries and its
 * widest label, and gets PLOT_LEGEND_NCAND candidate places inside its
 * panel; the renderer (plot.c) reports each line, dot and box it draws to
 * plot_legend_seg and plot_legend_box, and the legend then goes to the
 * place under which the least was drawn. Pure geometry in pixels: text
 * widths come from the caller, and nothing is allocated.
 *
 * Across, a legend holds 8 px, a 24 px handle, 7 px, the label and 8 px;
 * down, 5 px, a row of PLOT_LEGEND_ROW_H per entry and 5 px. */
#ifndef FITD_PLOT_LEGEND_H
#define FITD_PLOT_LEGEND_H

#include <stddef.h>

#include "plot.h"

#define PLOT_LEGEND_NCAND 8    /* candidate places */
#define PLOT_LEGEND_ROW_H 18.0 /* one row (px) */

/* A rectangle in pixels: a panel, a legend, a bar. */
typedef struct plot_box {
    double x0, y0, x1, y1; /* left, top, right, bottom (px) */
} plot_box;

/* A panel's legend: its entries and how much each candidate place hides. */
typedef struct plot_legend {
    size_t entry[PLOT_MAX_SERIES]; /* series indices */
    size_t n;
    double w, h; /* size (px) */
    plot_box cand[PLOT_LEGEND_NCAND];
    double bad[PLOT_LEGEND_NCAND]; /* data drawn under each candidate */
} plot_legend;

/* Sets *L to list the series indices entry[0..n) (copied; n <=
 * PLOT_MAX_SERIES), sized for a widest label of label_w px, with its
 * candidate places inside panel, inset 8 px: the four corners first, then
 * the middles of the sides (matplotlib's order). Nothing counted yet. */
void plot_legend_setup(plot_legend *L, const size_t *entry, size_t n, double label_w,
                       plot_box panel);

/* Counts the segment (x0, y0)-(x1, y1) against each place: its length
 * inside, at least 1 px when it touches the place at all (a dot), times
 * weight. */
void plot_legend_seg(plot_legend *L, double x0, double y0, double x1, double y1, double weight);

/* Counts box b against each place it touches: the area they share, plus
 * 1, over weight (a small weight keeps the legend off b). */
void plot_legend_box(plot_legend *L, plot_box b, double weight);

/* The least covered place; the first in candidate order on a tie. */
plot_box plot_legend_place(const plot_legend *L);

/* Row j of a legend drawn at place `at`: the left ends of its handle
 * (*handle_x) and of its label (*text_x), and its middle height (*cy). */
void plot_legend_row(plot_box at, size_t j, double *handle_x, double *text_x, double *cy);

#endif
