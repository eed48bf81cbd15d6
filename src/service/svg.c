/* svg.c - the SVG text writer (see svg.h). Everything funnels through
 * put(), into the shared text buffer (jout_buf), which grows by doubling
 * and turns the first failed allocation into its sticky `oom` flag. Numbers are formatted by hand
 * (fixed point, two decimals) so the output depends neither on the locale
 * nor on printf's choice between %f and %e. */
#include "svg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char REPLACEMENT[] = "\xEF\xBF\xBD"; /* U+FFFD in UTF-8 */
static const char ELLIPSIS[] = "\xE2\x80\xA6";    /* U+2026 */

/* Appends bytes[0..n) to the document (the shared text buffer, jout.c). */
static void put(svg *s, const char *bytes, size_t n) {
    jout_raw(&s->out, bytes, n);
}

static void puts_(svg *s, const char *text) {
    put(s, text, strlen(text));
}

/* Writes v rounded to two decimals, trailing zeros dropped: "12", "12.5",
 * "-0.25". |v| is clamped to 1e6 and NaN written as 0. */
static void put_num(svg *s, double v) {
    if (!(v == v)) v = 0.0;
    if (v > 1e6) v = 1e6;
    if (v < -1e6) v = -1e6;
    long long q = llround(v * 100.0); /* |q| <= 1e8 */
    char tmp[32], *p = tmp + sizeof tmp;
    int neg = q < 0;
    unsigned long long u = (unsigned long long)(neg ? -q : q);
    unsigned frac = (unsigned)(u % 100);
    unsigned long long whole = u / 100;
    if (frac != 0) {
        if (frac % 10 == 0) {
            *--p = (char)('0' + frac / 10);
        } else {
            *--p = (char)('0' + frac % 10);
            *--p = (char)('0' + frac / 10);
        }
        *--p = '.';
    }
    do {
        *--p = (char)('0' + whole % 10);
        whole /= 10;
    } while (whole != 0);
    if (neg) *--p = '-';
    put(s, p, (size_t)(tmp + sizeof tmp - p));
}

/* name="v" with a leading space. */
static void put_attr_num(svg *s, const char *name, double v) {
    put(s, " ", 1);
    puts_(s, name);
    put(s, "=\"", 2);
    put_num(s, v);
    put(s, "\"", 1);
}

static void put_attrs(svg *s, const char *attrs) {
    if (attrs == NULL || attrs[0] == '\0') return;
    put(s, " ", 1);
    puts_(s, attrs);
}

/* Length of the well-formed UTF-8 sequence at p that encodes a character
 * XML allows (not a surrogate, U+FFFE or U+FFFF), or 0. */
static size_t utf8_seq(const unsigned char *p) {
    unsigned c = p[0];
#define CONT(b) ((b) >= 0x80 && (b) <= 0xBF)
    if (c >= 0xC2 && c <= 0xDF) return CONT(p[1]) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        if (p[1] < lo || p[1] > hi || !CONT(p[2])) return 0;
        if (c == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        if (p[1] < lo || p[1] > hi || !CONT(p[2]) || !CONT(p[3])) return 0;
        return 4;
    }
    return 0;
#undef CONT
}

/* Walks text one character at a time: returns the bytes of the character
 * at *p (0 at the end) and sets *bad when it is not one XML allows. */
static size_t next_char(const unsigned char *p, int *bad) {
    *bad = 0;
    if (p[0] == 0) return 0;
    if (p[0] < 0x80) {
        *bad = p[0] < 0x20 && p[0] != '\t' && p[0] != '\n' && p[0] != '\r';
        return 1;
    }
    size_t k = utf8_seq(p);
    if (k == 0) {
        *bad = 1;
        return 1;
    }
    return k;
}

/* The entity for the five characters XML escapes, else NULL. */
static const char *entity(unsigned char ch) {
    switch (ch) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&apos;";
    default:
        return NULL;
    }
}

/* Characters in text, each bad byte counted as one. */
static size_t count_chars(const char *text) {
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    size_t count = 0;
    int bad;
    for (size_t k; (k = next_char(p, &bad)) != 0; p += k) count++;
    return count;
}

size_t svg_text_chars(const char *text) {
    size_t count = count_chars(text);
    return count > SVG_TEXT_MAX ? SVG_TEXT_MAX : count;
}

/* Writes text escaped and cleaned; past SVG_TEXT_MAX characters, the first
 * SVG_TEXT_MAX - 1 and an ellipsis. */
static void put_escaped(svg *s, const char *text) {
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    int cut = count_chars(text) > SVG_TEXT_MAX;
    size_t count = 0;
    int bad;
    for (size_t k; (k = next_char(p, &bad)) != 0; p += k) {
        if (cut && count == SVG_TEXT_MAX - 1) {
            puts_(s, ELLIPSIS);
            return;
        }
        count++;
        if (bad) {
            puts_(s, REPLACEMENT);
            continue;
        }
        const char *ent = entity(p[0]);
        if (ent != NULL)
            puts_(s, ent);
        else
            put(s, (const char *)p, k);
    }
}

void svg_begin(svg *s, double width, double height) {
    jout_init(&s->out);
    s->depth = 0;
    puts_(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\"");
    put_attr_num(s, "width", width);
    put_attr_num(s, "height", height);
    puts_(s, " viewBox=\"0 0 ");
    put_num(s, width);
    put(s, " ", 1);
    put_num(s, height);
    puts_(s, "\">\n");
}

char *svg_end(svg *s, size_t *len) {
    while (s->depth > 0) svg_group_end(s);
    puts_(s, "</svg>\n");
    size_t n = s->out.oom ? 0 : s->out.n;
    char *out = jout_finish(&s->out);
    if (len != NULL) *len = out ? n : 0;
    return out;
}

void svg_title(svg *s, const char *text) {
    puts_(s, "<title>");
    put_escaped(s, text);
    puts_(s, "</title>\n");
}

void svg_group(svg *s, const char *attrs) {
    puts_(s, "<g");
    put_attrs(s, attrs);
    puts_(s, ">\n");
    if (!s->out.oom) s->depth++;
}

void svg_group_end(svg *s) {
    if (s->depth == 0) return;
    puts_(s, "</g>\n");
    if (!s->out.oom) s->depth--;
}

void svg_line(svg *s, double x1, double y1, double x2, double y2, const char *attrs) {
    puts_(s, "<line");
    put_attr_num(s, "x1", x1);
    put_attr_num(s, "y1", y1);
    put_attr_num(s, "x2", x2);
    put_attr_num(s, "y2", y2);
    put_attrs(s, attrs);
    puts_(s, "/>\n");
}

void svg_rect(svg *s, double x, double y, double w, double h, const char *attrs) {
    puts_(s, "<rect");
    put_attr_num(s, "x", x);
    put_attr_num(s, "y", y);
    put_attr_num(s, "width", w > 0 ? w : 0);
    put_attr_num(s, "height", h > 0 ? h : 0);
    put_attrs(s, attrs);
    puts_(s, "/>\n");
}

void svg_circle(svg *s, double cx, double cy, double r, const char *attrs) {
    puts_(s, "<circle");
    put_attr_num(s, "cx", cx);
    put_attr_num(s, "cy", cy);
    put_attr_num(s, "r", r > 0 ? r : 0);
    put_attrs(s, attrs);
    puts_(s, "/>\n");
}

void svg_polyline(svg *s, const double *x, const double *y, size_t n, const char *attrs) {
    if (n == 0) return;
    puts_(s, "<polyline points=\"");
    for (size_t i = 0; i < n; i++) {
        if (i > 0) put(s, " ", 1);
        put_num(s, x[i]);
        put(s, ",", 1);
        put_num(s, y[i]);
    }
    put(s, "\"", 1);
    put_attrs(s, attrs);
    puts_(s, "/>\n");
}

/* <text x y [transform] attrs>text</text>, turned a quarter left around
 * (x, y) when up is set. */
static void text_elem(svg *s, double x, double y, int up, const char *attrs, const char *text) {
    puts_(s, "<text");
    put_attr_num(s, "x", x);
    put_attr_num(s, "y", y);
    if (up) {
        puts_(s, " transform=\"rotate(-90 ");
        put_num(s, x);
        put(s, " ", 1);
        put_num(s, y);
        put(s, ")\"", 2);
    }
    put_attrs(s, attrs);
    put(s, ">", 1);
    put_escaped(s, text);
    puts_(s, "</text>\n");
}

void svg_text(svg *s, double x, double y, const char *attrs, const char *text) {
    text_elem(s, x, y, 0, attrs, text);
}

void svg_text_up(svg *s, double x, double y, const char *attrs, const char *text) {
    text_elem(s, x, y, 1, attrs, text);
}
