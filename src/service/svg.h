/* svg.h - an SVG 1.1 document written element by element into a growable
 * text buffer.
 *
 * Coordinates are written with at most two decimals ("12.5", "-3", never
 * "1e+02" or a locale's comma), clamped to +-1e6 and with NaN written as 0,
 * so every number is valid SVG. Text content is escaped (& < > " ') and
 * cleaned to well-formed XML: invalid UTF-8 and the control characters XML
 * forbids become U+FFFD, and text past SVG_TEXT_MAX characters is cut with
 * an ellipsis.
 *
 * The `attrs` argument of each element is written verbatim inside its tag
 * (e.g. `stroke="#1f77b4" stroke-width="1.5"`): it must be well-formed
 * attribute text built by the program, never text from a user (that goes
 * through svg_text or svg_title). NULL means none.
 *
 * An allocation failure is sticky: every later call does nothing, and
 * svg_end reports it by returning NULL. Output is deterministic: the same
 * calls give the same bytes. */
#ifndef FITD_SVG_H
#define FITD_SVG_H

#include <stddef.h>

#include "jout.h"

#define SVG_TEXT_MAX 200 /* characters of one text element kept, ellipsis included */

/* A document being written. Owns its text until svg_end. */
typedef struct svg {
    jout_buf out;   /* the text so far; out.oom after an allocation failed
                       (nothing more is written) */
    unsigned depth; /* groups open */
} svg;

/* Starts a document width x height pixels (the XML declaration and the
 * root <svg> with xmlns, version, width, height and viewBox) in *s, which
 * is overwritten. Always to be finished by svg_end, even after a failure. */
void svg_begin(svg *s, double width, double height);

/* Closes any open groups and the root element and hands the text over.
 * Returns the NUL-terminated document (the caller frees it) and its length
 * in *len (len may be NULL), or NULL if any allocation failed along the
 * way. *s holds nothing afterwards either way. */
char *svg_end(svg *s, size_t *len);

/* <title>text</title>: the document's accessible name (text borrowed,
 * escaped). */
void svg_title(svg *s, const char *text);

/* <g attrs> ... </g>: attributes shared by the elements written until the
 * matching svg_group_end. */
void svg_group(svg *s, const char *attrs);
void svg_group_end(svg *s);

void svg_line(svg *s, double x1, double y1, double x2, double y2, const char *attrs);
void svg_rect(svg *s, double x, double y, double w, double h, const char *attrs);
void svg_circle(svg *s, double cx, double cy, double r, const char *attrs);

/* <polyline points="x0,y0 x1,y1 ..."/> through the n vertices (x[i], y[i])
 * (arrays borrowed); nothing when n == 0. */
void svg_polyline(svg *s, const double *x, const double *y, size_t n, const char *attrs);

/* <text x y attrs>text</text>, the text borrowed and escaped. */
void svg_text(svg *s, double x, double y, const char *attrs, const char *text);

/* The same text turned a quarter to the left around (x, y), reading upwards
 * (a y axis label). */
void svg_text_up(svg *s, double x, double y, const char *attrs, const char *text);

/* How many characters (code points, each bad byte one) svg_text writes for
 * text, SVG_TEXT_MAX at most: what a caller needs to estimate its width. */
size_t svg_text_chars(const char *text);

#endif
