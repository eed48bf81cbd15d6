/* store_pg_ds.c - datasets in the postgres store. The metadata is one row
 * of `datasets`; each column is one or more rows of `dataset_columns`, its
 * doubles as little-endian float64 bytes in chunks of PG_CHUNK_ROWS rows
 * (store_pg_codec.c). A put is one transaction; a read of the columns runs
 * in one snapshot with the metadata and streams the chunks a row at a
 * time, so memory holds one chunk beyond the columns themselves. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service/store_pg.h"

#define DS_COLS "id, name, created_ms, inline, nrows, ncols, names_json, stats_json"

static const char SQL_INSERT[] =
    "INSERT INTO datasets(" DS_COLS ") VALUES($1, $2, $3, $4, $5, $6, $7, $8)";
static const char SQL_COL_INSERT[] =
    "INSERT INTO dataset_columns(dataset_id, col, chunk, data) VALUES($1, $2, $3, $4::bytea)";
static const char SQL_META[] = "SELECT " DS_COLS " FROM datasets WHERE id = $1";
static const char SQL_SEQ[] = "SELECT seq FROM datasets WHERE id = $1";
static const char SQL_LIST[] = "SELECT " DS_COLS " FROM datasets"
                               " WHERE seq > $1 AND ($2::boolean OR NOT inline)"
                               " ORDER BY seq LIMIT $3";
static const char SQL_COLS[] = "SELECT col, chunk, data FROM dataset_columns"
                               " WHERE dataset_id = $1 ORDER BY col, chunk";
static const char SQL_DELETE[] = "DELETE FROM datasets WHERE id = $1"; /* columns cascade */
/* inline datasets created before $2 that no job names: dataset $1, or all */
static const char SQL_SWEEP[] =
    "DELETE FROM datasets d WHERE inline AND created_ms < $2 AND ($1::text IS NULL OR id = $1)"
    " AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.dataset = d.id)";

/* The metadata in row of a result selecting DS_COLS (text). */
static int row_meta(const PGresult *r, int row, ds_meta **out) {
    ds_meta *m = calloc(1, sizeof *m);
    int fail = 0;
    if (m == NULL) return STORE_ERROR;
    int64_t rows = pg_int(r, row, 4), ncols = pg_int(r, row, 5);
    m->name = pg_text_dup(r, row, 1, &fail);
    m->created_ms = pg_int(r, row, 2);
    m->inline_data = PQgetvalue(r, row, 3)[0] == 't';
    m->rows = (size_t)rows;
    if (fail || pg_text_copy(r, row, 0, m->id, sizeof m->id, 0) != 0 || rows < 0 ||
        rows > FIT_MAX_ROWS || ncols < 0 || ncols > FIT_MAX_COLS || PQgetisnull(r, row, 6) ||
        store_parse_names(PQgetvalue(r, row, 6), (size_t)ncols, m) != 0 ||
        store_parse_stats(PQgetisnull(r, row, 7) ? NULL : PQgetvalue(r, row, 7), m) != 0) {
        ds_meta_free(m);
        return STORE_ERROR;
    }
    *out = m;
    return STORE_OK;
}

/* ---- writes ---- */

/* Inserts column col of dataset id, x[0..rows), chunk by chunk. buf holds
 * a chunk's bytes when the host is not little-endian (else unused). */
static int put_column(PGconn *c, const char *id, size_t col, const double *x, size_t rows,
                      unsigned char *buf) {
    for (size_t k = 0, r0 = 0; r0 < rows; k++, r0 += PG_CHUNK_ROWS) {
        size_t nr = rows - r0 < PG_CHUNK_ROWS ? rows - r0 : PG_CHUNK_ROWS;
        const void *bytes = x + r0;
        if (buf != NULL) {
            store_to_le(buf, x + r0, nr);
            bytes = buf;
        }
        pg_params p;
        pgp_init(&p);
        pgp_text(&p, id);
        pgp_int(&p, (int64_t)col);
        pgp_int(&p, (int64_t)k);
        pgp_bytes(&p, bytes, nr * sizeof(double));
        int rc = pg_run(c, SQL_COL_INSERT, &p);
        if (rc != STORE_OK) return rc;
    }
    return STORE_OK;
}

int pg_dataset_put(store *base, const ds_meta *m, ds_data *d) {
    pg_store *s = (pg_store *)base;
    char *names = NULL, *stats = NULL;
    unsigned char *buf = NULL;
    int rc = STORE_ERROR;
    PGconn *c = NULL;
    if (store_meta_json(m, &names, &stats) != 0) goto done;
    if (!store_host_le() && m->rows > 0 &&
        (buf = malloc((m->rows < PG_CHUNK_ROWS ? m->rows : PG_CHUNK_ROWS) * 8)) == NULL)
        goto done;
    if ((c = pg_acquire(s)) == NULL || pg_begin(c, "BEGIN") != 0) goto done;
    pg_params p;
    pgp_init(&p);
    pgp_text(&p, m->id);
    pgp_text(&p, m->name);
    pgp_int(&p, m->created_ms);
    pgp_text(&p, m->inline_data ? "true" : "false");
    pgp_int(&p, (int64_t)m->rows);
    pgp_int(&p, (int64_t)m->ncols);
    pgp_text(&p, names);
    pgp_text(&p, stats);
    rc = pg_run(c, SQL_INSERT, &p);
    for (size_t col = 0; col < m->ncols && rc == STORE_OK; col++)
        rc = put_column(c, m->id, col, d->d->cols[col], m->rows, buf);
    rc = pg_end(c, rc);
done:
    pg_release(s, c);
    free(names);
    free(stats);
    free(buf);
    return rc;
}

int pg_dataset_delete(store *base, const char *id) {
    pg_params p;
    pgp_init(&p);
    pgp_text(&p, id);
    long long changed = 0;
    int rc = pg_write((pg_store *)base, SQL_DELETE, &p, &changed);
    return rc == STORE_OK && changed == 0 ? STORE_NOTFOUND : rc;
}

int pg_dataset_sweep_inline(store *base, const char *id, int64_t before_ms, size_t *n) {
    pg_params p;
    pgp_init(&p);
    pgp_text(&p, id);
    pgp_int(&p, before_ms);
    long long changed = 0;
    int rc = pg_write((pg_store *)base, SQL_SWEEP, &p, &changed);
    if (rc == STORE_OK) *n = (size_t)changed;
    return rc;
}

/* ---- reads ---- */

/* The metadata of dataset id, read on c. */
static int read_meta(PGconn *c, const char *id, ds_meta **out) {
    pg_params p;
    pgp_init(&p);
    pgp_text(&p, id);
    PGresult *r = pg_exec(c, SQL_META, &p, 0);
    int rc = pg_status(r);
    if (rc == STORE_OK) rc = PQntuples(r) == 0 ? STORE_NOTFOUND : row_meta(r, 0, out);
    PQclear(r);
    return rc;
}

int pg_dataset_meta(store *base, const char *id, ds_meta **out) {
    pg_store *s = (pg_store *)base;
    PGconn *c = pg_acquire(s);
    if (c == NULL) return STORE_ERROR;
    int rc = read_meta(c, id, out);
    pg_release(s, c);
    return rc;
}

/* A binary int4 (network byte order) at v, len bytes; -1 when not one. */
static int64_t be_int4(const char *v, int len) {
    if (len != 4) return -1;
    const unsigned char *u = (const unsigned char *)v;
    uint32_t x = (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
    return (int64_t)(int32_t)x;
}

/* Where the chunks stand: column col's chunk k is expected next. */
typedef struct chunk_pos {
    size_t nchunks, col, k;
} chunk_pos;

/* Copies the chunk in row i of r (binary: col, chunk, data) into d,
 * checking that it is the one expected, with the right length. */
static int take_chunk(const PGresult *r, int i, fit_data *d, chunk_pos *at) {
    if (at->nchunks == 0 || at->col >= d->ncols ||
        be_int4(PQgetvalue(r, i, 0), PQgetlength(r, i, 0)) != (int64_t)at->col ||
        be_int4(PQgetvalue(r, i, 1), PQgetlength(r, i, 1)) != (int64_t)at->k)
        return -1;
    size_t r0 = at->k * PG_CHUNK_ROWS;
    size_t nr = d->rows - r0 < PG_CHUNK_ROWS ? d->rows - r0 : PG_CHUNK_ROWS;
    if (PQgetisnull(r, i, 2) || (size_t)PQgetlength(r, i, 2) != nr * sizeof(double)) return -1;
    store_from_le(d->cols[at->col] + r0, (const unsigned char *)PQgetvalue(r, i, 2), nr);
    if (++at->k == at->nchunks) {
        at->k = 0;
        at->col++;
    }
    return 0;
}

/* Fills d's columns from dataset id's chunks, each there once. The rows
 * come one result each (single-row mode); every result is read, also
 * after a bad one, so the connection is left idle. */
static int read_columns(PGconn *c, const char *id, fit_data *d) {
    chunk_pos at = {(d->rows + PG_CHUNK_ROWS - 1) / PG_CHUNK_ROWS, 0, 0};
    const char *vals[1] = {id};
    int bad = 0, complete = 0;
    if (!PQsendQueryParams(c, SQL_COLS, 1, NULL, vals, NULL, NULL, 1)) return STORE_ERROR;
    (void)PQsetSingleRowMode(c); /* if refused, the rows come in one result */
    PGresult *r;
    while ((r = PQgetResult(c)) != NULL) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE || st == PGRES_TUPLES_OK) {
            for (int i = 0; i < PQntuples(r) && !bad; i++) bad = take_chunk(r, i, d, &at) != 0;
            complete |= st == PGRES_TUPLES_OK;
        } else {
            bad = 1;
        }
        PQclear(r);
    }
    if (bad || !complete || (at.nchunks > 0 && at.col != d->ncols)) return STORE_ERROR;
    return STORE_OK;
}

int pg_dataset_data(store *base, const char *id, ds_data **out) {
    pg_store *s = (pg_store *)base;
    PGconn *c = pg_acquire(s);
    ds_meta *m = NULL;
    fit_data *d = NULL;
    int rc = STORE_ERROR;
    if (c == NULL || pg_begin(c, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY") != 0)
        goto done;
    if ((rc = read_meta(c, id, &m)) != STORE_OK) goto done;
    rc = STORE_ERROR;
    if ((d = data_new(m->ncols, m->rows, (const char *const *)m->names)) == NULL) goto done;
    if (read_columns(c, id, d) != STORE_OK) goto done;
    rc = STORE_OK;
done:
    if (c != NULL) rc = pg_end(c, rc);
    pg_release(s, c);
    if (rc == STORE_OK) {
        if ((*out = ds_data_wrap(d)) == NULL) rc = STORE_ERROR;
        d = NULL; /* ds_data_wrap took it */
    }
    data_free(d);
    ds_meta_free(m);
    return rc;
}

static int meta_row(const PGresult *r, int row, void **rec) {
    ds_meta *m = NULL;
    int rc = row_meta(r, row, &m);
    *rec = m;
    return rc;
}

static void meta_free(void *m) {
    ds_meta_free(m);
}

int pg_dataset_list(store *base, const char *after, size_t limit, int include_inline,
                    ds_meta ***out, size_t *n, int *more) {
    void *page = NULL;
    /* seqs start at 1: a first page is everything after 0 */
    int rc = pg_page((pg_store *)base, SQL_SEQ, after, 0, SQL_LIST,
                     include_inline ? "true" : "false", limit, meta_row, meta_free, &page, n,
                     more);
    if (rc == STORE_OK) *out = page;
    return rc;
}
