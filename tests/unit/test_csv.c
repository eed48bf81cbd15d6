/* test_csv.c - the streaming CSV reader (src/service/csv.c) and column
 * statistics (src/service/colstats.c). Every document is read whole and
 * split at every byte (and, when short, at every pair of bytes, and byte by
 * byte): each way must give the same dataset or the same error. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "check.h"
#include "core/err.h"
#include "service/colstats.h"
#include "service/csv.h"

/* Sanitizers and valgrind keep shadow memory beside the heap, so the peak
 * memory of the 1e6-row read is checked only in plain builds. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) ||                         \
    __has_feature(memory_sanitizer)
#define UNDER_SANITIZER 1
#endif
#endif
#ifndef UNDER_SANITIZER
#define UNDER_SANITIZER 0
#endif

static int rss_meaningful(void) {
    const char *preload = getenv("LD_PRELOAD"); /* valgrind preloads its vgpreload_*.so */
    if (UNDER_SANITIZER || getenv("FITD_NO_RSS_CHECK") != NULL) return 0;
    return preload == NULL || strstr(preload, "vgpreload") == NULL;
}

/* One read of a document: its status, error and dataset (owned). */
typedef struct run {
    int rc;
    csv_error err;
    fit_data *d;
} run;

/* Reads text[0..len) fed in pieces cut at cuts[0..ncuts) (ascending). */
static run run_cuts(const char *text, size_t len, const size_t *cuts, size_t ncuts, size_t max_rows,
                    size_t max_cols) {
    run out = {0};
    csv_reader *r = csv_new(max_rows, max_cols);
    if (r == NULL) {
        out.rc = FIT_ENOMEM;
        return out;
    }
    size_t at = 0;
    for (size_t k = 0; k <= ncuts; k++) {
        size_t to = k < ncuts ? cuts[k] : len;
        (void)csv_feed(r, text + at, to - at);
        at = to;
    }
    out.rc = csv_finish(r, &out.d);
    out.err = *csv_error_of(r);
    csv_free(r);
    return out;
}

static run run_text(const char *text, size_t max_rows, size_t max_cols) {
    return run_cuts(text, strlen(text), NULL, 0, max_rows, max_cols);
}

static int data_same(const fit_data *a, const fit_data *b) {
    if (a == NULL || b == NULL) return a == b;
    if (a->rows != b->rows || a->ncols != b->ncols) return 0;
    for (size_t c = 0; c < a->ncols; c++) {
        if (strcmp(a->names[c], b->names[c]) != 0) return 0;
        if (memcmp(a->cols[c], b->cols[c], a->rows * sizeof(double)) != 0) return 0;
    }
    return 1;
}

static int run_same(const run *a, const run *b) {
    return a->rc == b->rc && a->err.code == b->err.code && a->err.row == b->err.row &&
           a->err.column == b->err.column && strcmp(a->err.name, b->err.name) == 0 &&
           strcmp(a->err.msg, b->err.msg) == 0 && data_same(a->d, b->d);
}

/* Whether every way of cutting text[0..len) reads like the whole. */
static int splits_agree(const char *text, size_t len, size_t max_rows, size_t max_cols) {
    run whole = run_cuts(text, len, NULL, 0, max_rows, max_cols);
    size_t bad = 0, cuts[2], bytes[256];
    for (size_t i = 0; i <= len; i++) {
        cuts[0] = i;
        run one = run_cuts(text, len, cuts, 1, max_rows, max_cols);
        if (!run_same(&whole, &one) && bad++ == 0)
            fprintf(stderr, "  cut at %zu: \"%s\" vs \"%s\"\n", i, one.err.msg, whole.err.msg);
        data_free(one.d);
        for (size_t j = i; len <= 120 && j <= len; j++) {
            cuts[1] = j;
            run two = run_cuts(text, len, cuts, 2, max_rows, max_cols);
            if (!run_same(&whole, &two) && bad++ == 0)
                fprintf(stderr, "  cuts at %zu, %zu: \"%s\"\n", i, j, two.err.msg);
            data_free(two.d);
        }
    }
    if (len <= 256) {
        for (size_t i = 0; i < len; i++) bytes[i] = i + 1;
        run each = run_cuts(text, len, bytes, len, max_rows, max_cols);
        if (!run_same(&whole, &each) && bad++ == 0) fprintf(stderr, "  byte by byte differs\n");
        data_free(each.d);
    }
    data_free(whole.d);
    return bad == 0;
}

/* Checks that text reads as ncols columns of rows rows, all ways; returns
 * the whole read's dataset (owned) for further checks. */
static fit_data *expect_ok_n(const char *text, size_t len, size_t rows, size_t ncols) {
    run w = run_cuts(text, len, NULL, 0, 0, 0);
    if (!CHECK(w.rc == FIT_OK)) fprintf(stderr, "  text \"%s\": %s\n", text, w.err.msg);
    CHECK(w.err.code == FIT_OK);
    CHECK(splits_agree(text, len, 0, 0));
    if (w.d != NULL) {
        CHECK_INT(w.d->rows, rows);
        CHECK_INT(w.d->ncols, ncols);
    }
    return w.d;
}

static fit_data *expect_ok(const char *text, size_t rows, size_t ncols) {
    return expect_ok_n(text, strlen(text), rows, ncols);
}

/* Checks the error text gives, all ways, under the limits. */
static void expect_err_lim(const char *text, size_t len, size_t max_rows, size_t max_cols, int code,
                           size_t row, size_t col, const char *name, const char *msg) {
    run w = run_cuts(text, len, NULL, 0, max_rows, max_cols);
    CHECK_INT(w.rc, code);
    CHECK_INT(w.err.code, code);
    CHECK(w.d == NULL);
    CHECK_INT(w.err.row, row);
    CHECK_INT(w.err.column, col);
    CHECK_STR(w.err.name, name);
    CHECK_STR(w.err.msg, msg);
    CHECK(splits_agree(text, len, max_rows, max_cols));
    data_free(w.d);
}

static void expect_err(const char *text, int code, size_t row, size_t col, const char *name,
                       const char *msg) {
    expect_err_lim(text, strlen(text), 0, 0, code, row, col, name, msg);
}

static void test_basic(void) {
    fit_data *d = expect_ok("x,y\n1,2\n3,4.5\n", 2, 2);
    if (d != NULL && d->rows == 2) {
        CHECK_STR(d->names[0], "x");
        CHECK_STR(d->names[1], "y");
        CHECK(d->cols[0][0] == 1.0 && d->cols[0][1] == 3.0);
        CHECK(d->cols[1][0] == 2.0 && d->cols[1][1] == 4.5);
    }
    data_free(d);
    /* CRLF, no final newline, one column, trailing blank lines */
    fit_data *a = expect_ok("x,y\r\n1,2\r\n3,4.5\r\n", 2, 2);
    fit_data *b = expect_ok("x,y\n1,2\n3,4.5", 2, 2);
    fit_data *c = expect_ok("x,y\r\n1,2\r\n3,4.5\r\n\r\n\n  \t\n\r\n", 2, 2);
    fit_data *e = expect_ok("x,y\n1,2\r\n3,4.5\r", 2, 2);
    CHECK(data_same(a, b) && data_same(b, c) && data_same(c, e));
    data_free(a);
    data_free(b);
    data_free(c);
    data_free(e);
    d = expect_ok("only\n-1\n", 1, 1);
    if (d != NULL) CHECK(d->cols[0][0] == -1.0);
    data_free(d);
}

static void test_header(void) {
    /* quoted, spaces around, BOM */
    fit_data *a = expect_ok("\"x\", \"y_2\" \n1,2\n", 1, 2);
    if (a != NULL) {
        CHECK_STR(a->names[0], "x");
        CHECK_STR(a->names[1], "y_2");
    }
    fit_data *b = expect_ok("  x ,\ty_2\t\n1,2\n", 1, 2);
    fit_data *c = expect_ok("\xEF\xBB\xBFx,y_2\r\n1,2\r\n", 1, 2);
    fit_data *e = expect_ok("\xEF\xBB\xBF\"x\",y_2\n1,2", 1, 2);
    CHECK(data_same(a, b) && data_same(b, c) && data_same(c, e));
    data_free(a);
    data_free(b);
    data_free(c);
    data_free(e);

    const char *rule = "(letters, digits and '_', not starting with a digit)";
    char want[256];
    snprintf(want, sizeof want, "row 1, column 1: \"1x\" is not a valid column name %s", rule);
    expect_err("1x,y\n1,2\n", FIT_EINVAL, 1, 1, "", want);
    snprintf(want, sizeof want, "row 1, column 2: \"\\\"a,b\\\"\" is not a valid column name %s",
             rule);
    expect_err("x,\"a,b\"\n1,2\n", FIT_EINVAL, 1, 2, "", want);
    snprintf(want, sizeof want, "row 1, column 2: \"a b\" is not a valid column name %s", rule);
    expect_err("x, a b \n1,2\n", FIT_EINVAL, 1, 2, "", want);
    snprintf(want, sizeof want, "row 1, column 1: \"\\xC3\\xA9\" is not a valid column name %s",
             rule);
    expect_err("\xC3\xA9\n1\n", FIT_EINVAL, 1, 1, "", want);
    snprintf(want, sizeof want,
             "row 1, column 1: \"\\\"a\\\"\\\"b\\\"\" is not a valid column "
             "name %s",
             rule);
    expect_err("\"a\"\"b\"\n1\n", FIT_EINVAL, 1, 1, "", want);
    expect_err("x,,y\n1,2,3\n", FIT_EINVAL, 1, 2, "", "row 1, column 2: empty column name");
    expect_err("x,y,\n1,2,3\n", FIT_EINVAL, 1, 3, "", "row 1, column 3: empty column name");
    expect_err("x,\"\"\n1,2\n", FIT_EINVAL, 1, 2, "", "row 1, column 2: empty column name");
    expect_err("x,\"y\n1,2\n", FIT_EINVAL, 1, 2, "", "row 1, column 2: unterminated quote");
    expect_err("x,\"y\"z\n1,2\n", FIT_EINVAL, 1, 2, "",
               "row 1, column 2: text after the closing quote");
    expect_err("x,y,x\n1,2,3\n", FIT_EINVAL, 1, 3, "x",
               "row 1, column 3 ('x'): duplicate column name, also column 1");
    expect_err("a,b, \"b\"\n1,2,3\n", FIT_EINVAL, 1, 3, "b",
               "row 1, column 3 ('b'): duplicate column name, also column 2");
    expect_err("\nx,y\n1,2\n", FIT_EINVAL, 1, 0, "", "row 1: blank header line");

    /* names: 63 characters are allowed, 64 are not */
    char text[256], name[80];
    memset(name, 'n', 63);
    name[63] = '\0';
    snprintf(text, sizeof text, "%s\n1\n", name);
    fit_data *d = expect_ok(text, 1, 1);
    if (d != NULL) CHECK_STR(d->names[0], name);
    data_free(d);
    snprintf(text, sizeof text, "%sn\n1\n", name);
    expect_err(text, FIT_EINVAL, 1, 1, "",
               "row 1, column 1: column name \"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\"... is longer "
               "than 63 characters");
    snprintf(text, sizeof text, "\"%sn\"\n1\n", name);
    expect_err(text, FIT_EINVAL, 1, 1, "",
               "row 1, column 1: column name \"\\\"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\"... is longer "
               "than 63 characters");
    /* a NUL inside a name */
    snprintf(want, sizeof want, "row 1, column 1: \"a\\x00b\" is not a valid column name %s", rule);
    expect_err_lim("a\0b\n1\n", 6, 0, 0, FIT_EINVAL, 1, 1, "", want);
}

static void test_numbers(void) {
    fit_data *d = expect_ok("a,b,c,d,e,f,g,h,i,j\n"
                            "1,-2.5,+.5,5.,1e3,1E-3, -0 ,\t7\t,1e-400,4.9e-324\n"
                            "0.1,1.7976931348623157e308,-2.2250738585072014E-308,000012,"
                            "12345678901234567890,0.30000000000000004,1e+2,-1.e-2,  .0 ,9\n",
                            2, 10);
    if (d != NULL && d->rows == 2) {
        const double want0[10] = {1, -2.5, 0.5, 5, 1e3, 1e-3, -0.0, 7, 0, 4.9e-324};
        const double want1[10] = {
            0.1, DBL_MAX, -DBL_MIN, 12, 12345678901234567890.0, 0.30000000000000004,
            100, -0.01,   0,        9};
        int same = 1;
        for (size_t c = 0; c < 10; c++) {
            same &= memcmp(&d->cols[c][0], &want0[c], sizeof(double)) == 0;
            same &= memcmp(&d->cols[c][1], &want1[c], sizeof(double)) == 0;
        }
        CHECK(same);
        CHECK(signbit(d->cols[6][0]));
    }
    data_free(d);

    /* the example from the brief: row 17 is the 16th data row */
    char text[512];
    size_t n = (size_t)snprintf(text, sizeof text, "x,y\n");
    for (int i = 0; i < 15; i++) n += (size_t)snprintf(text + n, sizeof text - n, "%d,%d\n", i, i);
    snprintf(text + n, sizeof text - n, "1,abc\n2,3\n");
    expect_err(text, FIT_EINVAL, 17, 2, "y",
               "row 17, column 2 ('y'): \"abc\" is not a finite number");

    const char *bad[] = {"nan",   "NaN",   "inf",   "-inf",  "Infinity", "0x10",   "1e",  "e5",
                         ".",     "-",     "+",     "1.2.3", "1e999",    "-1e999", "1e+", "1 2",
                         "\"1\"", "1_000", "1e2.5", "--1",   "1d",       "0b1",    ".e1", "1..2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[256];
        snprintf(text, sizeof text, "x,y\n1,2\n3,%s\n", bad[i]);
        size_t k = 0;
        char shown[64];
        for (const char *p = bad[i]; *p; p++) {
            if (*p == '"') shown[k++] = '\\';
            shown[k++] = *p;
        }
        shown[k] = '\0';
        snprintf(want, sizeof want, "row 3, column 2 ('y'): \"%s\" is not a finite number", shown);
        expect_err(text, FIT_EINVAL, 3, 2, "y", want);
    }
    expect_err("x,y\n1,\n", FIT_EINVAL, 2, 2, "y",
               "row 2, column 2 ('y'): empty cell, expected a number");
    expect_err("x,y\n ,1\n", FIT_EINVAL, 2, 1, "x",
               "row 2, column 1 ('x'): empty cell, expected a number");
    /* bytes outside printable ASCII are shown as \xHH; a bare CR is text */
    expect_err("x\n\x01\xff\n", FIT_EINVAL, 2, 1, "x",
               "row 2, column 1 ('x'): \"\\x01\\xFF\" is not a finite number");
    expect_err("x,y\r\n1\r,2\r\n", FIT_EINVAL, 2, 1, "x",
               "row 2, column 1 ('x'): \"1\\x0D\" is not a finite number");
    expect_err_lim("x\n1\0\n", 5, 0, 0, FIT_EINVAL, 2, 1, "x",
                   "row 2, column 1 ('x'): \"1\\x00\" is not a finite number");
    /* a long cell is shown by its first 32 bytes */
    expect_err("x\n1\nabcdefghijklmnopqrstuvwxyz0123456789\n", FIT_EINVAL, 3, 1, "x",
               "row 3, column 1 ('x'): \"abcdefghijklmnopqrstuvwxyz012345\"... is not a finite "
               "number");
    /* a number longer than the reader's stack buffer */
    char longnum[400];
    memset(longnum, '0', sizeof longnum);
    memcpy(longnum, "x\n2.5", 5);
    memcpy(longnum + 397, "1\n", 3); /* 2.5000...0001 */
    d = expect_ok(longnum, 1, 1);
    if (d != NULL) CHECK(d->cols[0][0] == 2.5);
    data_free(d);
}

static void test_rows(void) {
    expect_err("x,y\n1,2\n1,2\n1,2\n1,2,3\n", FIT_EINVAL, 5, 0, "", "row 5: 3 cells, expected 2");
    expect_err("x,y\n1,2\n1\n", FIT_EINVAL, 3, 0, "", "row 3: 1 cell, expected 2");
    expect_err("x,y\n1,2\n1,2,\n", FIT_EINVAL, 3, 0, "", "row 3: 3 cells, expected 2");
    expect_err("x\n1\n1,2\n", FIT_EINVAL, 3, 0, "", "row 3: 2 cells, expected 1");
    /* ragged is reported before a bad cell in the same row */
    expect_err("x,y\nabc,2,3\n", FIT_EINVAL, 2, 0, "", "row 2: 3 cells, expected 2");
    /* a blank line followed by a row */
    expect_err("x,y\n1,2\n\n3,4\n", FIT_EINVAL, 3, 0, "", "row 3: blank line, expected 2 cells");
    expect_err("x,y\n1,2\n\r\n \n3,4\n", FIT_EINVAL, 3, 0, "",
               "row 3: blank line, expected 2 cells");
    expect_err("x\n1\n\n2", FIT_EINVAL, 3, 0, "", "row 3: blank line, expected 1 cell");
    expect_err("x,y\n\n1,2\n", FIT_EINVAL, 2, 0, "", "row 2: blank line, expected 2 cells");
    /* bodies without data */
    expect_err("", FIT_EINVAL, 0, 0, "", "empty body");
    expect_err("\n\n\r\n", FIT_EINVAL, 0, 0, "", "empty body");
    expect_err("\xEF\xBB\xBF", FIT_EINVAL, 0, 0, "", "empty body");
    expect_err("x,y\n", FIT_EINVAL, 0, 0, "", "no data rows");
    expect_err("x,y", FIT_EINVAL, 0, 0, "", "no data rows");
    expect_err("x,y\r\n\r\n\n", FIT_EINVAL, 0, 0, "", "no data rows");
    /* a BOM only at the very start */
    expect_err("x\n\xEF\xBB\xBF"
               "1\n",
               FIT_EINVAL, 2, 1, "x",
               "row 2, column 1 ('x'): \"\\xEF\\xBB\\xBF1\" is not a finite number");
}

static void test_limits(void) {
    const char *three = "x,y\n1,2\n3,4\n5,6\n";
    expect_err_lim(three, strlen(three), 2, 0, FIT_ELIMIT, 0, 0, "", "more than 2 rows");
    run ok = run_text(three, 3, 0);
    CHECK(ok.rc == FIT_OK && ok.d != NULL && ok.d->rows == 3);
    data_free(ok.d);
    const char *cols = "a,b,c\n1,2,3\n";
    expect_err_lim(cols, strlen(cols), 0, 2, FIT_ELIMIT, 0, 0, "", "more than 2 columns");
    ok = run_text(cols, 0, 3);
    CHECK(ok.rc == FIT_OK && ok.d != NULL && ok.d->ncols == 3);
    data_free(ok.d);

    /* FIT_MAX_COLS columns are allowed, one more is not */
    size_t cap = (FIT_MAX_COLS + 1) * 8 + (FIT_MAX_COLS + 1) * 2 + 16, n = 0;
    char *text = malloc(cap);
    if (text == NULL) return;
    for (int c = 0; c < FIT_MAX_COLS; c++)
        n += (size_t)snprintf(text + n, cap - n, "%sc%d", c ? "," : "", c);
    size_t header = n;
    n += (size_t)snprintf(text + n, cap - n, "\n");
    for (int c = 0; c < FIT_MAX_COLS; c++)
        n += (size_t)snprintf(text + n, cap - n, "%s1", c ? "," : "");
    run wide = run_text(text, 0, 0);
    CHECK(wide.rc == FIT_OK && wide.d != NULL && wide.d->ncols == FIT_MAX_COLS);
    data_free(wide.d);
    snprintf(text + header, cap - header, ",c%d\n", FIT_MAX_COLS);
    run wider = run_text(text, 0, 0);
    CHECK_INT(wider.rc, FIT_ELIMIT);
    CHECK_STR(wider.err.msg, "more than 1024 columns");
    data_free(wider.d);
    free(text);

    /* a line of CSV_LINE_MAX bytes is read, one byte more is not, whether
     * it arrives in one piece or many */
    size_t big = CSV_LINE_MAX + 8;
    text = malloc(big);
    if (text == NULL) return;
    memcpy(text, "x\n", 2);
    memset(text + 2, '0', CSV_LINE_MAX);
    text[2 + CSV_LINE_MAX - 1] = '7';
    text[2 + CSV_LINE_MAX] = '\n';
    size_t len = 2 + CSV_LINE_MAX + 1;
    size_t cuts[3] = {1, 100, 2 + CSV_LINE_MAX - 5};
    for (size_t k = 0; k <= 3; k++) {
        run r = run_cuts(text, len, cuts, k, 0, 0);
        CHECK(r.rc == FIT_OK && r.d != NULL && r.d->rows == 1 && r.d->cols[0][0] == 7.0);
        data_free(r.d);
    }
    memmove(text + 3, text + 2, CSV_LINE_MAX + 1); /* one '0' more */
    len++;
    for (size_t k = 0; k <= 3; k++) {
        run r = run_cuts(text, len, cuts, k, 0, 0);
        CHECK_INT(r.rc, FIT_ELIMIT);
        CHECK_INT(r.err.row, 2);
        CHECK_STR(r.err.msg, "row 2: line longer than 1048576 bytes");
        data_free(r.d);
    }
    run r = run_cuts(text, len - 1, cuts, 3, 0, 0); /* without the final newline */
    CHECK_STR(r.err.msg, "row 2: line longer than 1048576 bytes");
    data_free(r.d);
    free(text);
}

static void test_lifecycle(void) {
    csv_reader *r = csv_new(0, 0);
    fit_data *d = NULL;
    if (!CHECK(r != NULL)) return;
    CHECK(csv_error_of(r)->code == FIT_OK);
    CHECK_INT(csv_feed(r, "x\n1\n", 4), FIT_OK);
    CHECK_INT(csv_feed(r, NULL, 0), FIT_OK);
    CHECK_INT(csv_finish(r, &d), FIT_OK);
    CHECK(d != NULL);
    fit_data *again = d;
    CHECK_INT(csv_finish(r, &again), FIT_EINVAL);
    CHECK(again == NULL);
    CHECK_STR(csv_error_of(r)->msg, "finished twice");
    CHECK_INT(csv_feed(r, "2\n", 2), FIT_EINVAL);
    csv_free(r);
    data_free(d);

    /* an error sticks: later chunks change nothing */
    r = csv_new(0, 0);
    if (!CHECK(r != NULL)) return;
    CHECK_INT(csv_feed(r, "x\nzz\n", 5), FIT_EINVAL);
    csv_error first = *csv_error_of(r);
    CHECK_INT(csv_feed(r, "1,2,3\n", 6), FIT_EINVAL);
    CHECK_INT(csv_finish(r, &d), FIT_EINVAL);
    CHECK(d == NULL);
    CHECK_STR(csv_error_of(r)->msg, first.msg);
    CHECK_INT(csv_error_of(r)->row, 2);
    csv_free(r);

    /* after feed finds the error, or when freed half-way, nothing leaks */
    r = csv_new(0, 0);
    if (r != NULL) (void)csv_feed(r, "x,y\n1,2\n3,", 10);
    csv_free(r);
    csv_free(NULL);
}

/* splitmix64: the 1e6-row document's values, made again to check them */
static uint64_t mix_next(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Row i's two values: any finite double (every exponent and sign), and
 * 1e6 plus a uniform [0, 1) (a column whose naive variance would cancel). */
static void big_row(uint64_t *s, double v[2]) {
    do {
        uint64_t bits = mix_next(s);
        memcpy(&v[0], &bits, sizeof v[0]);
    } while (!isfinite(v[0]));
    v[1] = 1e6 + (double)(mix_next(s) >> 11) * 0x1p-53;
}

static long max_rss_kb(void) {
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

/* The direct computation: the textbook two passes with plain sums (good
 * to about n * 1e-16; valgrind runs long double as double, so no more). */
static void stats_ref(const double *x, size_t n, double *mean, double *sd) {
    double s = 0.0, q = 0.0;
    for (size_t i = 0; i < n; i++) s += x[i];
    *mean = s / (double)n;
    for (size_t i = 0; i < n; i++) q += (x[i] - *mean) * (x[i] - *mean);
    *sd = sqrt(q / (double)n);
}

/* 1e6 rows of %.17g text fed in 64 KiB chunks: every value comes back
 * bit-exact, and the peak memory stays near the 16 MB of doubles. Under
 * valgrind (tests/valgrind.sh sets FITD_UNDER_VALGRIND) 1e5 rows, the same
 * checks: the million take it a minute or more. */
static void test_million(void) {
    enum { CHUNK = 65536 };
    const size_t rows = getenv("FITD_UNDER_VALGRIND") ? 100000 : 1000000;
    long before = max_rss_kb();
    char *chunk = malloc(CHUNK);
    csv_reader *r = csv_new(0, 0);
    fit_data *d = NULL;
    if (!CHECK(chunk != NULL && r != NULL)) goto done;
    uint64_t seed = 42;
    size_t fill = 0, total = 0;
    int rc = FIT_OK;
    for (long i = -1; i < (long)rows && rc == FIT_OK; i++) {
        char line[96];
        double v[2];
        int n;
        if (i < 0) {
            n = snprintf(line, sizeof line, "wild,near\r\n");
        } else {
            big_row(&seed, v);
            n = snprintf(line, sizeof line, "%.17g,%.17g%s", v[0], v[1], i % 3 ? "\n" : "\r\n");
        }
        for (size_t at = 0; at < (size_t)n && rc == FIT_OK;) {
            size_t take = (size_t)n - at < CHUNK - fill ? (size_t)n - at : CHUNK - fill;
            memcpy(chunk + fill, line + at, take);
            fill += take;
            at += take;
            if (fill == CHUNK) {
                rc = csv_feed(r, chunk, fill);
                total += fill;
                fill = 0;
            }
        }
    }
    if (rc == FIT_OK) rc = csv_feed(r, chunk, fill);
    total += fill;
    if (rc == FIT_OK) rc = csv_finish(r, &d);
    csv_free(r);
    r = NULL;
    free(chunk);
    chunk = NULL;
    long after = max_rss_kb();
    CHECK_INT(rc, FIT_OK);
    if (rc != FIT_OK || d == NULL) goto done;
    CHECK_INT(d->rows, rows);
    CHECK_INT(d->ncols, 2);
    CHECK_STR(d->names[0], "wild");
    CHECK_STR(d->names[1], "near");

    seed = 42;
    size_t wrong = 0;
    for (size_t i = 0; i < rows; i++) {
        double v[2];
        big_row(&seed, v);
        wrong += memcmp(&d->cols[0][i], &v[0], sizeof v[0]) != 0;
        wrong += memcmp(&d->cols[1][i], &v[1], sizeof v[1]) != 0;
    }
    CHECK_INT(wrong, 0);

    long grown = after - before; /* kB */
    printf("csv %zu x 2: %.1f MB of text, %.1f MB of doubles, max RSS %ld kB -> %ld kB "
           "(+%.1f MB)\n",
           rows, (double)total / 1e6, (double)rows * 16 / 1e6, before, after, (double)grown / 1e3);
    /* the doubles are 16 MB; growing and shrinking the columns may not
     * cost more than as much again */
    if (rss_meaningful()) CHECK(grown < 2 * 16000);

    for (size_t c = 0; c < 2; c++) {
        col_stats st;
        double mean, sd;
        if (c == 0) { /* wild: the plain sums would overflow; scale exactly */
            double *scaled = malloc(rows * sizeof *scaled);
            if (scaled == NULL) break;
            for (size_t i = 0; i < rows; i++) scaled[i] = d->cols[0][i] * 0x1p-1024;
            stats_ref(scaled, rows, &mean, &sd);
            mean *= 0x1p1000, sd *= 0x1p1000;
            mean *= 0x1p24, sd *= 0x1p24;
            free(scaled);
        } else {
            stats_ref(d->cols[c], d->rows, &mean, &sd);
        }
        colstats_compute(d->cols[c], d->rows, &st);
        CHECK(st.count == rows);
        CHECK_REL(st.mean, mean, 1e-10);
        CHECK_REL(st.sd, sd, 1e-10);
        double lo = d->cols[c][0], hi = lo;
        for (size_t i = 1; i < d->rows; i++) {
            lo = fmin(lo, d->cols[c][i]);
            hi = fmax(hi, d->cols[c][i]);
        }
        CHECK(st.min == lo && st.max == hi);
    }
done:
    free(chunk);
    csv_free(r);
    data_free(d);
}

static void test_colstats(void) {
    col_stats st;
    const double hand[8] = {2, 4, 4, 4, 5, 5, 7, 9}; /* mean 5, deviations^2 sum 32 */
    colstats_compute(hand, 8, &st);
    CHECK(st.count == 8 && st.mean == 5 && st.sd == 2 && st.min == 2 && st.max == 9);

    colstats_compute(hand, 0, &st);
    CHECK(st.count == 0 && st.mean == 0 && st.sd == 0 && st.min == 0 && st.max == 0);
    const double one = -3.25;
    colstats_compute(&one, 1, &st);
    CHECK(st.count == 1 && st.mean == -3.25 && st.sd == 0 && st.min == -3.25 && st.max == -3.25);
    const double zeros[3] = {0, -0.0, 0};
    colstats_compute(zeros, 3, &st);
    CHECK(st.mean == 0 && st.sd == 0);

    /* a large offset: the one-pass formula loses every digit here */
    const double off[4] = {1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4};
    colstats_compute(off, 4, &st);
    CHECK(st.mean == 1e9 + 2.5);
    CHECK_REL(st.sd, sqrt(1.25), 1e-15);

    /* extremes: sums and squares would overflow or underflow unscaled */
    const double huge[4] = {DBL_MAX, -DBL_MAX, DBL_MAX, -DBL_MAX};
    colstats_compute(huge, 4, &st);
    CHECK(st.mean == 0 && st.sd == DBL_MAX && isfinite(st.sd));
    const double same[3] = {DBL_MAX, DBL_MAX, DBL_MAX};
    colstats_compute(same, 3, &st);
    CHECK(st.mean == DBL_MAX && st.sd == 0);
    const double big2[2] = {1e200, 3e200};
    colstats_compute(big2, 2, &st);
    CHECK_REL(st.mean, 2e200, 1e-15);
    CHECK_REL(st.sd, 1e200, 1e-15);
    const double tiny[2] = {1e-200, 3e-200};
    colstats_compute(tiny, 2, &st);
    CHECK_REL(st.mean, 2e-200, 1e-15);
    CHECK_REL(st.sd, 1e-200, 1e-15);
    const double sub[2] = {0x1p-1074, 0x3p-1074};
    colstats_compute(sub, 2, &st);
    CHECK(st.mean == 0x2p-1074 && st.sd == 0x1p-1074);

    /* against the long-double reference, on mixed data; and deterministic */
    enum { N = 10007 };
    double *x = malloc(N * sizeof *x);
    if (x == NULL) return;
    uint64_t s = 7;
    for (size_t i = 0; i < N; i++)
        x[i] = ((double)(mix_next(&s) >> 11) * 0x1p-53 - 0.3) * (i % 10 == 0 ? 1e3 : 1.0) + 42.0;
    double mean, sd;
    stats_ref(x, N, &mean, &sd);
    col_stats a, b;
    colstats_compute(x, N, &a);
    colstats_compute(x, N, &b);
    CHECK_REL(a.mean, mean, 1e-12);
    CHECK_REL(a.sd, sd, 1e-12);
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    free(x);

    /* known exactly: 1e6 + k / 1024 for k = 0 .. M-1 (in a scrambled
     * order) has mean 1e6 + (M - 1) / 2048 and variance (M^2 - 1) / 12 /
     * 1024^2; colstats gets both to the last bit or two where plain sums
     * would lose about 1e-10 */
    enum { M = 1000000 };
    x = malloc(M * sizeof *x);
    if (x == NULL) return;
    for (size_t i = 0; i < M; i++) x[i] = 1e6 + (double)(i * 7919 % M) / 1024.0;
    colstats_compute(x, M, &a);
    CHECK(a.mean == 1e6 + (M - 1) / 2048.0);
    CHECK_REL(a.sd, sqrt(((double)M * M - 1) / 12.0) / 1024.0, 4e-16);
    CHECK(a.min == 1e6 && a.max == 1e6 + (M - 1) / 1024.0);
    free(x);

    /* not finite: no pretend numbers */
    const double withnan[3] = {1, NAN, 2}, withinf[2] = {1, INFINITY};
    colstats_compute(withnan, 3, &st);
    CHECK(isnan(st.mean) && isnan(st.sd));
    colstats_compute(withinf, 2, &st);
    CHECK(isnan(st.mean) && isnan(st.sd));
}

int main(void) {
    test_million(); /* first: it measures the process's peak memory */
    test_basic();
    test_header();
    test_numbers();
    test_rows();
    test_limits();
    test_lifecycle();
    test_colstats();
    return check_done("test_csv");
}
