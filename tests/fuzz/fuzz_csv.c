/* fuzz_csv.c - libFuzzer harness for the streaming CSV reader. Byte 0
 * chooses the chunk sizes and the limits, the rest is the body. The body is
 * read twice, in chunks and whole, and both reads must agree exactly (the
 * same dataset to the bit, or the same error); a dataset must keep the
 * reader's promises (limits, valid distinct names, finite values) and its
 * column statistics must be finite and ordered; an error's message must be
 * printable ASCII. Anything else aborts; nothing may crash, leak or trip a
 * sanitizer, whatever the bytes. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "service/colstats.h"
#include "service/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fuzz_run {
    int rc;
    csv_error err;
    fit_data *d;
} fuzz_run;

/* Reads body[0..len) in chunks of 1 .. span bytes drawn from seed (span 0:
 * in one piece). */
static fuzz_run fuzz_read(const char *body, size_t len, unsigned seed, size_t span, size_t max_rows,
                          size_t max_cols) {
    fuzz_run out = {0};
    csv_reader *r = csv_new(max_rows, max_cols);
    if (r == NULL) abort();
    uint32_t state = 2654435761u * (seed + 1);
    for (size_t at = 0; at < len;) {
        size_t n = len - at;
        if (span > 0) {
            state = state * 1664525u + 1013904223u;
            size_t want = 1 + (size_t)(state >> 16) % span;
            if (want < n) n = want;
        }
        int rc = csv_feed(r, body + at, n);
        if (rc != FIT_OK && rc != csv_error_of(r)->code) abort();
        at += n;
    }
    out.rc = csv_finish(r, &out.d);
    out.err = *csv_error_of(r);
    csv_free(r);
    return out;
}

static int fuzz_same(const fuzz_run *a, const fuzz_run *b) {
    if (a->rc != b->rc || a->err.code != b->err.code || a->err.row != b->err.row ||
        a->err.column != b->err.column || strcmp(a->err.name, b->err.name) != 0 ||
        strcmp(a->err.msg, b->err.msg) != 0)
        return 0;
    if (a->d == NULL || b->d == NULL) return a->d == b->d;
    if (a->d->rows != b->d->rows || a->d->ncols != b->d->ncols) return 0;
    for (size_t c = 0; c < a->d->ncols; c++)
        if (strcmp(a->d->names[c], b->d->names[c]) != 0 ||
            memcmp(a->d->cols[c], b->d->cols[c], a->d->rows * sizeof(double)) != 0)
            return 0;
    return 1;
}

/* The promises a read keeps, whichever way it went. */
static void fuzz_check(const fuzz_run *f, size_t max_rows, size_t max_cols) {
    if ((f->rc == FIT_OK) != (f->d != NULL) || f->rc != f->err.code) abort();
    if (f->d == NULL) {
        if (f->err.msg[0] == '\0') abort();
        for (const char *p = f->err.msg; *p; p++)
            if (*p < ' ' || *p > '~') abort();
        return;
    }
    const fit_data *d = f->d;
    if (d->rows == 0 || d->rows > max_rows || d->ncols == 0 || d->ncols > max_cols) abort();
    for (size_t c = 0; c < d->ncols; c++) {
        if (!data_valid_name(d->names[c]) || data_find(d, d->names[c]) != (int)c) abort();
        for (size_t i = 0; i < d->rows; i++)
            if (!isfinite(d->cols[c][i])) abort();
        col_stats st;
        colstats_compute(d->cols[c], d->rows, &st);
        if (st.count != (double)d->rows || !isfinite(st.mean) || !isfinite(st.sd)) abort();
        if (!(st.min <= st.mean && st.mean <= st.max) || !(st.sd >= 0.0)) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    unsigned ctl = data[0];
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    size_t span = 1 + (ctl & 0x1f) * 3;                /* chunks of 1 .. 94 bytes */
    size_t max_rows = (ctl & 0x40) ? 3 : FIT_MAX_ROWS; /* small limits sometimes */
    size_t max_cols = (ctl & 0x80) ? 2 : FIT_MAX_COLS;

    fuzz_run whole = fuzz_read(body, len, ctl, 0, max_rows, max_cols);
    fuzz_run parts = fuzz_read(body, len, ctl, span, max_rows, max_cols);
    fuzz_check(&whole, max_rows, max_cols);
    if (!fuzz_same(&whole, &parts)) abort();
    data_free(whole.d);
    data_free(parts.d);
    return 0;
}
