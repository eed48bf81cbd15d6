/* store_sqlite_ds.c - datasets in the sqlite store. The metadata is one
 * row of `datasets` (names and stats as JSON text); each column is one or
 * more rows of `dataset_columns`, the doubles as raw little-endian
 * float64 bytes in chunks of SQ_CHUNK_ROWS rows, so a value comes back
 * bit for bit (-0.0, subnormals, NaN payloads included). */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service/store_sqlite.h"

/* ---- bytes ---- */

/* Whether doubles are stored little-endian here (then the bytes are
 * copied as they are). */
static int host_le(void) {
    const double one = 1.0; /* 0x3ff0000000000000 */
    unsigned char b[sizeof one];
    memcpy(b, &one, sizeof one);
    return b[7] == 0x3f;
}

/* dst[0 .. 8n): x[0..n) as little-endian float64. */
static void to_le(unsigned char *dst, const double *x, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint64_t u;
        memcpy(&u, &x[i], sizeof u);
        for (int k = 0; k < 8; k++) dst[8 * i + (size_t)k] = (unsigned char)(u >> (8 * k));
    }
}

/* x[0..n) from the little-endian float64 bytes src[0 .. 8n). */
static void from_le(double *x, const unsigned char *src, size_t n) {
    if (host_le()) {
        memcpy(x, src, n * sizeof *x);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t u = 0;
        for (int k = 0; k < 8; k++) u |= (uint64_t)src[8 * i + (size_t)k] << (8 * k);
        memcpy(&x[i], &u, sizeof u);
    }
}

/* ---- the metadata's JSON ---- */

/* A stat as JSON: a number, or "NaN", "Infinity", "-Infinity". */
static json_t *num_json(double x) {
    if (isnan(x)) return json_string("NaN");
    if (isinf(x)) return json_string(x > 0 ? "Infinity" : "-Infinity");
    return json_real(x);
}

static int json_num(const json_t *v, double *x) {
    const char *s = json_string_value(v);
    if (json_is_number(v))
        *x = json_number_value(v);
    else if (s != NULL && strcmp(s, "NaN") == 0)
        *x = NAN;
    else if (s != NULL && strcmp(s, "Infinity") == 0)
        *x = INFINITY;
    else if (s != NULL && strcmp(s, "-Infinity") == 0)
        *x = -INFINITY;
    else
        return -1;
    return 0;
}

static const char *const stat_keys[5] = {"count", "mean", "sd", "min", "max"};

/* f[k]: the field of cs named stat_keys[k] */
static void stat_fields(col_stats *cs, double *f[5]) {
    f[0] = &cs->count;
    f[1] = &cs->mean;
    f[2] = &cs->sd;
    f[3] = &cs->min;
    f[4] = &cs->max;
}

/* names_json and stats_json of m (stats: NULL when m has none); owned
 * texts. Returns 0, or -1 when out of memory. */
static int meta_json(const ds_meta *m, char **names, char **stats) {
    json_t *jn = json_array(), *js = m->stats ? json_array() : NULL;
    int bad = jn == NULL || (m->stats != NULL && js == NULL);
    for (size_t c = 0; c < m->ncols && !bad; c++) {
        bad |= json_array_append_new(jn, json_string(m->names[c]));
        if (js == NULL) continue;
        json_t *o = json_object();
        double *f[5];
        stat_fields(&m->stats[c], f);
        for (int k = 0; k < 5; k++) bad |= json_object_set_new(o, stat_keys[k], num_json(*f[k]));
        bad |= json_array_append_new(js, o); /* steals o, NULL included */
    }
    size_t flags = JSON_COMPACT | JSON_REAL_PRECISION(17);
    *names = bad ? NULL : json_dumps(jn, flags);
    *stats = bad || js == NULL ? NULL : json_dumps(js, flags);
    bad |= *names == NULL || (js != NULL && *stats == NULL);
    json_decref(jn);
    json_decref(js);
    return bad ? -1 : 0;
}

/* Fills m->names (and m->ncols) from text, which must be an array of
 * ncols strings. */
static int parse_names(const char *text, size_t ncols, ds_meta *m) {
    json_t *a = text ? json_loads(text, 0, NULL) : NULL;
    int rc = -1, fail = 0;
    if (!json_is_array(a) || json_array_size(a) != ncols) goto done;
    if ((m->names = calloc(ncols ? ncols : 1, sizeof *m->names)) == NULL) goto done;
    m->ncols = ncols;
    for (size_t c = 0; c < ncols; c++) {
        const char *s = json_string_value(json_array_get(a, c));
        if (s == NULL) goto done;
        m->names[c] = store_strdup(s, &fail);
    }
    rc = fail ? -1 : 0;
done:
    json_decref(a);
    return rc;
}

/* Fills m->stats from text (NULL: none), an array of m->ncols objects. */
static int parse_stats(const char *text, ds_meta *m) {
    if (text == NULL) return 0;
    json_t *a = json_loads(text, 0, NULL);
    int rc = -1;
    if (!json_is_array(a) || json_array_size(a) != m->ncols) goto done;
    if ((m->stats = calloc(m->ncols ? m->ncols : 1, sizeof *m->stats)) == NULL) goto done;
    for (size_t c = 0; c < m->ncols; c++) {
        const json_t *o = json_array_get(a, c);
        double *f[5];
        stat_fields(&m->stats[c], f);
        for (int k = 0; k < 5; k++)
            if (json_num(json_object_get(o, stat_keys[k]), f[k]) != 0) goto done;
    }
    rc = 0;
done:
    json_decref(a);
    return rc;
}

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
        parse_names((const char *)sqlite3_column_text(st, 6), (size_t)ncols, m) != 0 ||
        parse_stats((const char *)sqlite3_column_text(st, 7), m) != 0) {
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
            to_le(buf, x + r0, nr);
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
    if (meta_json(m, &names, &stats) != 0) goto done;
    if (!host_le() && m->rows > 0 &&
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
        from_le(d->cols[col] + r0, b, nr);
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
