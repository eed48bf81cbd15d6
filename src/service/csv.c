/* csv.c - the streaming CSV reader: lines are cut from the chunks as they
 * arrive (a line split across chunks is collected in r->line, the rest is
 * read in place), the header becomes names[], every data row is parsed
 * straight into cols[c][row]. */
#include "csv.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

#define CSV_FIRST_CAP 1024 /* rows allocated at the first data row */
#define CSV_SHOW_MAX 32    /* bytes of a bad cell quoted in a message */

struct csv_reader {
    size_t max_rows, max_cols;
    size_t lines;     /* lines read so far, blank ones included */
    size_t blank_run; /* blank lines since the last non-blank one */
    int have_header;
    int finished; /* csv_finish ran */
    size_t ncols;
    char (*names)[FIT_NAME_MAX]; /* names[c], c < ncols; names_cap allocated */
    size_t names_cap;
    double **cols; /* cols[c][0..rows): values; each holds cap doubles */
    size_t rows, cap;
    char *line; /* line[0..len): the current line so far, when it
                   began in an earlier chunk; line_cap allocated */
    size_t len, line_cap;
    csv_error err;
};

/* Records the error (the first one sticks) and returns its code. The
 * message is "row R, column C ('name'): " + fmt, leaving out what is 0 or
 * NULL. */
static int csv_fail(csv_reader *r, int code, size_t row, size_t col, const char *name,
                    const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

static int csv_fail(csv_reader *r, int code, size_t row, size_t col, const char *name,
                    const char *fmt, ...) {
    csv_error *e = &r->err;
    if (e->code != FIT_OK) return e->code;
    size_t n = 0;
    e->code = code;
    e->row = row;
    e->column = col;
    e->name[0] = '\0';
    if (name != NULL) snprintf(e->name, sizeof e->name, "%s", name);
    if (row > 0 && col > 0 && name != NULL)
        n = (size_t)snprintf(e->msg, sizeof e->msg, "row %zu, column %zu ('%s'): ", row, col, name);
    else if (row > 0 && col > 0)
        n = (size_t)snprintf(e->msg, sizeof e->msg, "row %zu, column %zu: ", row, col);
    else if (row > 0)
        n = (size_t)snprintf(e->msg, sizeof e->msg, "row %zu: ", row);
    if (n >= sizeof e->msg) n = sizeof e->msg - 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg + n, sizeof e->msg - n, fmt, ap);
    va_end(ap);
    return code;
}

/* Writes s[0..n) as a quoted, printable-ASCII string into dst (cap bytes):
 * at most CSV_SHOW_MAX bytes of it, then "..."; quote and backslash
 * escaped, other bytes outside ' '..'~' as \xHH. */
static void csv_show(char *dst, size_t cap, const char *s, size_t n) {
    size_t o = 0, shown = n < CSV_SHOW_MAX ? n : CSV_SHOW_MAX;
    /* worst case: 2 + 4 * CSV_SHOW_MAX + 3 + 1 */
    if (cap < 6 + 4 * CSV_SHOW_MAX) {
        if (cap > 0) dst[0] = '\0';
        return;
    }
    dst[o++] = '"';
    for (size_t i = 0; i < shown; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') {
            dst[o++] = '\\';
            dst[o++] = (char)ch;
        } else if (ch < ' ' || ch > '~') {
            o += (size_t)snprintf(dst + o, cap - o, "\\x%02X", ch);
        } else {
            dst[o++] = (char)ch;
        }
    }
    dst[o++] = '"';
    if (shown < n) {
        memcpy(dst + o, "...", 3);
        o += 3;
    }
    dst[o] = '\0';
}

static int csv_is_space(char ch) {
    return ch == ' ' || ch == '\t';
}

/* Narrows [*s, *s + *n) to leave out spaces and tabs around it. */
static void csv_trim(const char **s, size_t *n) {
    while (*n > 0 && csv_is_space((*s)[0])) (*s)++, (*n)--;
    while (*n > 0 && csv_is_space((*s)[*n - 1])) (*n)--;
}

static int csv_is_digit(char ch) {
    return ch >= '0' && ch <= '9';
}

/* Whether s[0..n) is exactly a decimal number:
 * [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)? */
static int csv_decimal_syntax(const char *s, size_t n) {
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    while (i < n && csv_is_digit(s[i])) i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && csv_is_digit(s[i])) i++, digits++;
    }
    if (digits == 0) return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t exp_digits = 0;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        while (i < n && csv_is_digit(s[i])) i++, exp_digits++;
        if (exp_digits == 0) return 0;
    }
    return i == n;
}

/* Parses one data cell s[0..n) of row `row`, column c (0-based) into *out.
 * Returns FIT_OK or records the error. */
static int csv_cell(csv_reader *r, size_t row, size_t c, const char *s, size_t n, double *out) {
    char small[64], shown[8 + 4 * CSV_SHOW_MAX];
    const char *name = r->names[c];
    csv_trim(&s, &n);
    if (n == 0) return csv_fail(r, FIT_EINVAL, row, c + 1, name, "empty cell, expected a number");
    if (csv_decimal_syntax(s, n)) {
        char *text = n < sizeof small ? small : malloc(n + 1);
        if (text == NULL) return csv_fail(r, FIT_ENOMEM, row, c + 1, name, "out of memory");
        memcpy(text, s, n);
        text[n] = '\0';
        char *end = NULL;
        double v = strtod(text, &end);
        int whole = end == text + n;
        if (text != small) free(text);
        if (whole && isfinite(v)) {
            *out = v;
            return FIT_OK;
        }
    }
    csv_show(shown, sizeof shown, s, n);
    return csv_fail(r, FIT_EINVAL, row, c + 1, name, "%s is not a finite number", shown);
}

/* Checks the header cell s[0..n) (column col, 1-based; quotes removed,
 * raw[0..rawn) as written) and appends it to names[]. */
static int csv_add_name(csv_reader *r, size_t col, const char *s, size_t n, const char *raw,
                        size_t rawn) {
    char shown[8 + 4 * CSV_SHOW_MAX], name[FIT_NAME_MAX];
    if (n == 0) return csv_fail(r, FIT_EINVAL, 1, col, NULL, "empty column name");
    csv_show(shown, sizeof shown, raw, rawn);
    if (n >= FIT_NAME_MAX)
        return csv_fail(r, FIT_EINVAL, 1, col, NULL, "column name %s is longer than %d characters",
                        shown, FIT_NAME_MAX - 1);
    memcpy(name, s, n);
    name[n] = '\0';
    if (memchr(s, '\0', n) != NULL || !data_valid_name(name))
        return csv_fail(r, FIT_EINVAL, 1, col, NULL,
                        "%s is not a valid column name (letters, digits and '_', not starting "
                        "with a digit)",
                        shown);
    for (size_t c = 0; c < r->ncols; c++)
        if (strcmp(r->names[c], name) == 0)
            return csv_fail(r, FIT_EINVAL, 1, col, name, "duplicate column name, also column %zu",
                            c + 1);
    if (r->ncols == r->names_cap) {
        size_t cap = r->names_cap ? 2 * r->names_cap : 8;
        char(*names)[FIT_NAME_MAX] = realloc(r->names, cap * sizeof *names);
        if (names == NULL) return csv_fail(r, FIT_ENOMEM, 1, col, NULL, "out of memory");
        r->names = names;
        r->names_cap = cap;
    }
    memcpy(r->names[r->ncols++], name, n + 1);
    return FIT_OK;
}

/* Reads one header cell starting at s[*i] (column col) up to the ',' after
 * it or the end of the line; *i is left on that ',' or at n. */
static int csv_header_cell(csv_reader *r, size_t col, const char *s, size_t n, size_t *i) {
    char name[FIT_NAME_MAX];
    size_t k = *i, start, len = 0;
    while (k < n && csv_is_space(s[k])) k++;
    start = k;
    if (k < n && s[k] == '"') {
        for (k++;; k++) {
            if (k >= n) return csv_fail(r, FIT_EINVAL, 1, col, NULL, "unterminated quote");
            if (s[k] == '"' && !(k + 1 < n && s[k + 1] == '"')) break;
            if (s[k] == '"') k++; /* "" is one quote */
            if (len < FIT_NAME_MAX) name[len] = s[k];
            len++;
        }
        k++; /* the closing quote */
        size_t raw_end = k;
        while (k < n && csv_is_space(s[k])) k++;
        if (k < n && s[k] != ',')
            return csv_fail(r, FIT_EINVAL, 1, col, NULL, "text after the closing quote");
        *i = k;
        return csv_add_name(r, col, name, len, s + start, raw_end - start);
    }
    const char *comma = memchr(s + k, ',', n - k);
    size_t end = comma ? (size_t)(comma - s) : n;
    *i = end;
    while (end > start && csv_is_space(s[end - 1])) end--;
    return csv_add_name(r, col, s + start, end - start, s + start, end - start);
}

/* The header line s[0..n): fills names[] and makes cols[]. */
static int csv_header(csv_reader *r, const char *s, size_t n) {
    size_t i = 0, col = 0;
    for (;;) {
        if (++col > r->max_cols)
            return csv_fail(r, FIT_ELIMIT, 0, 0, NULL, "more than %zu columns", r->max_cols);
        int rc = csv_header_cell(r, col, s, n, &i);
        if (rc != FIT_OK) return rc;
        if (i >= n) break;
        i++; /* the ',' */
    }
    r->cols = calloc(r->ncols, sizeof *r->cols);
    if (r->cols == NULL) return csv_fail(r, FIT_ENOMEM, 1, 0, NULL, "out of memory");
    r->have_header = 1;
    return FIT_OK;
}

/* Makes room for one more row: capacities grow geometrically, never past
 * max_rows. */
static int csv_grow(csv_reader *r, size_t row) {
    size_t cap = r->cap ? 2 * r->cap : CSV_FIRST_CAP;
    if (cap > r->max_rows) cap = r->max_rows;
    for (size_t c = 0; c < r->ncols; c++) {
        double *p = realloc(r->cols[c], cap * sizeof *p);
        if (p == NULL) return csv_fail(r, FIT_ENOMEM, row, 0, NULL, "out of memory");
        r->cols[c] = p;
    }
    r->cap = cap;
    return FIT_OK;
}

/* One data row s[0..n) (not blank), the file's row `row`. */
static int csv_row(csv_reader *r, size_t row, const char *s, size_t n) {
    if (r->rows == r->max_rows)
        return csv_fail(r, FIT_ELIMIT, 0, 0, NULL, "more than %zu rows", r->max_rows);
    size_t cells = 1;
    for (const char *p = s, *end = s + n; (p = memchr(p, ',', (size_t)(end - p))) != NULL; p++)
        cells++;
    if (cells != r->ncols)
        return csv_fail(r, FIT_EINVAL, row, 0, NULL, "%zu %s, expected %zu", cells,
                        cells == 1 ? "cell" : "cells", r->ncols);
    if (r->rows == r->cap && csv_grow(r, row) != FIT_OK) return r->err.code;
    size_t i = 0;
    for (size_t c = 0; c < r->ncols; c++) {
        const char *comma = memchr(s + i, ',', n - i);
        size_t end = comma ? (size_t)(comma - s) : n;
        if (csv_cell(r, row, c, s + i, end - i, &r->cols[c][r->rows]) != FIT_OK) return r->err.code;
        i = end + 1;
    }
    r->rows++;
    return FIT_OK;
}

/* One whole line s[0..n) without its LF. */
static int csv_line(csv_reader *r, const char *s, size_t n) {
    size_t row = ++r->lines;
    if (n > CSV_LINE_MAX)
        return csv_fail(r, FIT_ELIMIT, row, 0, NULL, "line longer than %u bytes", CSV_LINE_MAX);
    if (row == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3, n -= 3;
    if (n > 0 && s[n - 1] == '\r') n--;
    size_t k = 0;
    while (k < n && csv_is_space(s[k])) k++;
    if (k == n) { /* blank: an error only if a non-blank line follows */
        r->blank_run++;
        return FIT_OK;
    }
    if (r->blank_run > 0) {
        size_t blank = row - r->blank_run;
        if (!r->have_header) return csv_fail(r, FIT_EINVAL, 1, 0, NULL, "blank header line");
        return csv_fail(r, FIT_EINVAL, blank, 0, NULL, "blank line, expected %zu %s", r->ncols,
                        r->ncols == 1 ? "cell" : "cells");
    }
    if (!r->have_header) return csv_header(r, s, n);
    return csv_row(r, row, s, n);
}

/* Appends s[0..n) to the partial line. */
static int csv_keep(csv_reader *r, const char *s, size_t n) {
    if (n > CSV_LINE_MAX - r->len)
        return csv_fail(r, FIT_ELIMIT, r->lines + 1, 0, NULL, "line longer than %u bytes",
                        CSV_LINE_MAX);
    if (r->len + n > r->line_cap) {
        size_t cap = r->line_cap ? r->line_cap : 256;
        while (cap < r->len + n) cap *= 2;
        char *line = realloc(r->line, cap);
        if (line == NULL) return csv_fail(r, FIT_ENOMEM, r->lines + 1, 0, NULL, "out of memory");
        r->line = line;
        r->line_cap = cap;
    }
    memcpy(r->line + r->len, s, n);
    r->len += n;
    return FIT_OK;
}

csv_reader *csv_new(size_t max_rows, size_t max_cols) {
    csv_reader *r = calloc(1, sizeof *r);
    if (r == NULL) return NULL;
    r->max_rows =
        max_rows == 0 || max_rows > (size_t)FIT_MAX_ROWS ? (size_t)FIT_MAX_ROWS : max_rows;
    r->max_cols = max_cols == 0 || max_cols > FIT_MAX_COLS ? FIT_MAX_COLS : max_cols;
    return r;
}

int csv_feed(csv_reader *r, const char *buf, size_t len) {
    if (r->err.code != FIT_OK) return r->err.code;
    if (r->finished) return csv_fail(r, FIT_EINVAL, 0, 0, NULL, "data after the end");
    if (len == 0) return FIT_OK; /* buf may be NULL */
    const char *p = buf, *end = buf + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL) return csv_keep(r, p, (size_t)(end - p));
        int rc;
        if (r->len > 0) { /* the line began in an earlier chunk */
            rc = csv_keep(r, p, (size_t)(nl - p));
            if (rc == FIT_OK) rc = csv_line(r, r->line, r->len);
            r->len = 0;
        } else {
            rc = csv_line(r, p, (size_t)(nl - p));
        }
        if (rc != FIT_OK) return rc;
        p = nl + 1;
    }
    return FIT_OK;
}

/* Hands the columns to a new fit_data. */
static int csv_build(csv_reader *r, fit_data **out) {
    int rc = FIT_ENOMEM;
    const char **names = malloc(r->ncols * sizeof *names);
    fit_data *d = NULL;
    if (names == NULL) goto done;
    for (size_t c = 0; c < r->ncols; c++) names[c] = r->names[c];
    if ((d = data_new(r->ncols, 0, names)) == NULL) goto done;
    for (size_t c = 0; c < r->ncols; c++) {
        double *fit = realloc(r->cols[c], r->rows * sizeof *fit); /* shrink to fit */
        if (fit == NULL) fit = r->cols[c];
        free(d->cols[c]);
        d->cols[c] = fit;
        r->cols[c] = NULL;
    }
    d->rows = r->rows;
    *out = d;
    d = NULL;
    rc = FIT_OK;
done:
    free(names);
    data_free(d);
    if (rc != FIT_OK) csv_fail(r, rc, 0, 0, NULL, "out of memory");
    return rc;
}

int csv_finish(csv_reader *r, fit_data **out) {
    *out = NULL;
    if (r->err.code != FIT_OK) return r->err.code;
    if (r->finished) return csv_fail(r, FIT_EINVAL, 0, 0, NULL, "finished twice");
    r->finished = 1;
    if (r->len > 0) {
        int rc = csv_line(r, r->line, r->len);
        r->len = 0;
        if (rc != FIT_OK) return rc;
    }
    free(r->line);
    r->line = NULL;
    r->line_cap = 0;
    if (!r->have_header) return csv_fail(r, FIT_EINVAL, 0, 0, NULL, "empty body");
    if (r->rows == 0) return csv_fail(r, FIT_EINVAL, 0, 0, NULL, "no data rows");
    return csv_build(r, out);
}

const csv_error *csv_error_of(const csv_reader *r) {
    return &r->err;
}

void csv_free(csv_reader *r) {
    if (r == NULL) return;
    if (r->cols != NULL)
        for (size_t c = 0; c < r->ncols; c++) free(r->cols[c]);
    free(r->cols);
    free(r->names);
    free(r->line);
    free(r);
}
