/* store_sqlite_ds.c - datasets in the sqlite store. The metadata is one
 * row of `datasets` (names and stats as JSON text); each column is one or
 * more rows of `dataset_columns`, the doubles as raw little-endian
 * float64 bytes in chunks of SQ_CHUNK_ROWS rows, so a value comes back
 * bit for bit (-0.0, subnormals, NaN payloads included; the formats are
 * store_codec.c's). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service/store_sqlite.h"

/* The metadata in the current row of a statement selecting DS_COLS. */
static int row_meta(sqlite3_stmt *st, ds_meta **out) {
    ds_meta *m = calloc(1, sizeof *m);
    int fail = 0;
    if (m == NULL) return STORE_ERROR;
    sqlite3_int64 rows = sqlite3_column_int64(st, 4), ncols = sqlite3_column_int64(st, 5);
    m->name = sq_text_dup(st, 1, &fail);
    m->created_ms = sqlite3_column_int64(st, 2);
    m->inline_data = sqlite3_column_int(st, 3) != 0;
    m->rows = (size_t)rows;
    if (fail || sq_text_copy(st, 0, m->id, sizeof m->id) != 0 || rows < 0 || rows > FIT_MAX_ROWS ||
        ncols < 0 || ncols > FIT_MAX_COLS ||
        store_parse_names((const char *)sqlite3_column_text(st, 6), (size_t)ncols, m) != 0 ||
        store_parse_stats((const char *)sqlite3_column_text(st, 7), m) != 0) {
        ds_meta_free(m);
        return STORE_ERROR;
    }
    *out = m;
    return STORE_OK;
}

/* ---- writes ---- */

/* Inserts column col of dataset id, x[0..rows), chunk by chunk. buf holds
 * a chunk's bytes when the host is not little-endian (else unused). */
static int put_column(sq_conn *c, const char *id, size_t col, const double *x, size_t rows,
                      unsigned char *buf) {
    sqlite3_stmt *st = sq_stmt(c, SQ_DS_COL_INSERT);
    for (size_t k = 0, r0 = 0; r0 < rows; k++, r0 += SQ_CHUNK_ROWS) {
        size_t nr = rows - r0 < SQ_CHUNK_ROWS ? rows - r0 : SQ_CHUNK_ROWS;
        const void *bytes = x + r0;
        if (buf != NULL) {
            store_to_le(buf, x + r0, nr);
            bytes = buf;
        }
        sqlite3_reset(st);
        if ((sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC) |
             sqlite3_bind_int64(st, 2, (sqlite3_int64)col) |
             sqlite3_bind_int64(st, 3, (sqlite3_int64)k) |
             sqlite3_bind_blob64(st, 4, bytes, nr * sizeof(double), SQLITE_STATIC)) != SQLITE_OK)
            return STORE_ERROR;
        int x_rc = sq_run(st);
        sqlite3_reset(st);
        if (x_rc != SQLITE_DONE) return sq_fail(x_rc);
    }
    return STORE_OK;
}

typedef struct put_arg {
    const ds_meta *m;
    ds_data *d;
    const char *names, *stats;
    unsigned char *buf;
} put_arg;

/* The writer's part of a put (store_sqlite_writer.c). */
static int put_body(sq_conn *c, void *arg) {
    const put_arg *p = arg;
    const ds_meta *m = p->m;
    int rc = STORE_ERROR;
    sqlite3_stmt *st = sq_stmt(c, SQ_DS_INSERT);
    if ((sqlite3_bind_text(st, 1, m->id, -1, SQLITE_STATIC) |
         sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC) |
         sqlite3_bind_int64(st, 3, m->created_ms) | sqlite3_bind_int(st, 4, m->inline_data != 0) |
         sqlite3_bind_int64(st, 5, (sqlite3_int64)m->rows) |
         sqlite3_bind_int64(st, 6, (sqlite3_int64)m->ncols) |
         sqlite3_bind_text(st, 7, p->names, -1, SQLITE_STATIC) |
         sqlite3_bind_text(st, 8, p->stats, -1, SQLITE_STATIC)) == SQLITE_OK) {
        int x = sq_run(st);
        rc = x == SQLITE_DONE ? STORE_OK : sq_fail(x);
    }
    sqlite3_reset(st);
    for (size_t col = 0; col < m->ncols && rc == STORE_OK; col++)
        rc = put_column(c, m->id, col, p->d->d->cols[col], m->rows, p->buf);
    return rc;
}

int sq_dataset_put(store *base, const ds_meta *m, ds_data *d) {
    char *names = NULL, *stats = NULL;
    unsigned char *buf = NULL;
    int rc = STORE_ERROR;
    if (store_meta_json(m, &names, &stats) != 0) goto done;
    if (!store_host_le() && m->rows > 0 &&
        (buf = malloc((m->rows < SQ_CHUNK_ROWS ? m->rows : SQ_CHUNK_ROWS) * 8)) == NULL)
        goto done;
    put_arg p = {m, d, names, stats, buf};
    rc = sq_write((sq_store *)base, put_body, &p);
done:
    free(names);
    free(stats);
    free(buf);
    return rc;
}

static int delete_body(sq_conn *c, void *arg) {
    const char *id = arg;
    int rc = STORE_ERROR;
    /* the columns first (the foreign key would cascade; this does not rely on it) */
    sqlite3_stmt *cols = sq_stmt(c, SQ_DS_DEL_COLS), *st = sq_stmt(c, SQ_DS_DEL);
    if (sqlite3_bind_text(cols, 1, id, -1, SQLITE_STATIC) == SQLITE_OK &&
        sq_run(cols) == SQLITE_DONE &&
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC) == SQLITE_OK && sq_run(st) == SQLITE_DONE)
        rc = sqlite3_changes(c->db) > 0 ? STORE_OK : STORE_NOTFOUND;
    sqlite3_reset(cols);
    sqlite3_reset(st);
    return rc;
}

int sq_dataset_delete(store *base, const char *id) {
    return sq_write((sq_store *)base, delete_body, (void *)(uintptr_t)id);
}

/* sweep's arguments and count */
typedef struct sweep_arg {
    const char *id; /* NULL: every inline dataset */
    int64_t before_ms;
    size_t n;
} sweep_arg;

static int sweep_body(sq_conn *c, void *arg) {
    sweep_arg *w = arg;
    int rc = STORE_ERROR;
    /* the columns first, as delete_body */
    sqlite3_stmt *cols = sq_stmt(c, w->id ? SQ_DS_SWEEP_ONE_COLS : SQ_DS_SWEEP_ALL_COLS);
    sqlite3_stmt *st = sq_stmt(c, w->id ? SQ_DS_SWEEP_ONE : SQ_DS_SWEEP_ALL);
    int bound = 1;
    for (int k = 0; k < 2; k++) {
        sqlite3_stmt *x = k ? st : cols;
        if (w->id) bound &= sqlite3_bind_text(x, 1, w->id, -1, SQLITE_STATIC) == SQLITE_OK;
        bound &= sqlite3_bind_int64(x, 2, w->before_ms) == SQLITE_OK;
    }
    if (bound && sq_run(cols) == SQLITE_DONE && sq_run(st) == SQLITE_DONE) {
        w->n = (size_t)sqlite3_changes(c->db);
        rc = STORE_OK;
    }
    sqlite3_reset(cols);
    sqlite3_reset(st);
    return rc;
}

int sq_dataset_sweep_inline(store *base, const char *id, int64_t before_ms, size_t *n) {
    sweep_arg w = {id, before_ms, 0};
    int rc = sq_write((sq_store *)base, sweep_body, &w);
    if (rc == STORE_OK) *n = w.n;
    return rc;
}

/* ---- reads ---- */

/* The metadata of dataset id, read on c. */
static int read_meta(sq_conn *c, const char *id, ds_meta **out) {
    sqlite3_stmt *st = sq_stmt(c, SQ_DS_META);
    int rc = STORE_ERROR;
    if (sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC) == SQLITE_OK) {
        int x = sqlite3_step(st);
        if (x == SQLITE_ROW)
            rc = row_meta(st, out);
        else if (x == SQLITE_DONE)
            rc = STORE_NOTFOUND;
    }
    sqlite3_reset(st);
    return rc;
}

int sq_dataset_meta(store *base, const char *id, ds_meta **out) {
    sq_store *s = (sq_store *)base;
    sq_conn *c = sq_read_acquire(s);
    int rc = read_meta(c, id, out);
    sq_read_release(s, c);
    return rc;
}

/* Fills d's columns from dataset id's chunks, checking that each chunk
 * is there, once, with the right length. */
static int read_columns(sq_conn *c, const char *id, fit_data *d) {
    sqlite3_stmt *st = sq_stmt(c, SQ_DS_COLS);
    size_t nchunks = (d->rows + SQ_CHUNK_ROWS - 1) / SQ_CHUNK_ROWS;
    size_t col = 0, k = 0; /* the chunk expected next */
    int rc = STORE_ERROR, x = SQLITE_ERROR;
    if (sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC) != SQLITE_OK) goto done;
    while ((x = sqlite3_step(st)) == SQLITE_ROW) {
        if (nchunks == 0 || col >= d->ncols || sqlite3_column_int64(st, 0) != (sqlite3_int64)col ||
            sqlite3_column_int64(st, 1) != (sqlite3_int64)k)
            goto done;
        size_t r0 = k * SQ_CHUNK_ROWS;
        size_t nr = d->rows - r0 < SQ_CHUNK_ROWS ? d->rows - r0 : SQ_CHUNK_ROWS;
        const unsigned char *b = sqlite3_column_blob(st, 2);
        if (b == NULL || (size_t)sqlite3_column_bytes(st, 2) != nr * sizeof(double)) goto done;
        store_from_le(d->cols[col] + r0, b, nr);
        if (++k == nchunks) {
            k = 0;
            col++;
        }
    }
    if (x == SQLITE_DONE && (nchunks == 0 || col == d->ncols)) rc = STORE_OK;
done:
    sqlite3_reset(st);
    return rc;
}

int sq_dataset_data(store *base, const char *id, ds_data **out) {
    sq_store *s = (sq_store *)base;
    sq_conn *c = sq_read_acquire(s);
    ds_meta *m = NULL;
    fit_data *d = NULL;
    int rc = STORE_ERROR;
    if (sq_read_begin(c) != 0) goto done;
    if ((rc = read_meta(c, id, &m)) != STORE_OK) goto done;
    rc = STORE_ERROR;
    if ((d = data_new(m->ncols, m->rows, (const char *const *)m->names)) == NULL) goto done;
    if (read_columns(c, id, d) != STORE_OK) goto done;
    if ((*out = ds_data_wrap(d)) != NULL) rc = STORE_OK;
    d = NULL; /* ds_data_wrap took it */
done:
    sq_read_end(c);
    sq_read_release(s, c);
    data_free(d);
    ds_meta_free(m);
    return rc;
}

int sq_dataset_list(store *base, const char *after, size_t limit, int include_inline,
                    ds_meta ***out, size_t *n, int *more) {
    sq_store *s = (sq_store *)base;
    sq_conn *c = sq_read_acquire(s);
    store_vec v = {NULL, 0, 0};
    sqlite3_stmt *st = NULL;
    sqlite3_int64 seq = 0; /* seqs start at 1 */
    int rc = STORE_ERROR, x;
    if (sq_read_begin(c) != 0) goto done;
    if (after != NULL && (rc = sq_seq_of(c, SQ_DS_SEQ, after, &seq)) != STORE_OK) goto done;
    rc = STORE_ERROR;
    st = sq_stmt(c, SQ_DS_LIST);
    if ((sqlite3_bind_int64(st, 1, seq) | sqlite3_bind_int(st, 2, include_inline) |
         sqlite3_bind_int64(st, 3, sq_page_limit(limit))) != SQLITE_OK)
        goto done;
    while ((x = sqlite3_step(st)) == SQLITE_ROW) {
        if (v.n == limit) {
            *more = 1;
            break;
        }
        ds_meta *m = NULL;
        if (row_meta(st, &m) != STORE_OK || store_vec_push(&v, &m, sizeof m) != 0) {
            ds_meta_free(m);
            goto done;
        }
    }
    if (x != SQLITE_ROW && x != SQLITE_DONE) goto done;
    *out = v.buf;
    *n = v.n;
    v.buf = NULL;
    v.n = 0;
    rc = STORE_OK;
done:
    sqlite3_reset(st);
    sq_read_end(c);
    sq_read_release(s, c);
    if (rc != STORE_OK) *more = 0;
    ds_meta **left = v.buf;
    for (size_t i = 0; i < v.n; i++) ds_meta_free(left[i]);
    free(v.buf);
    return rc;
}
