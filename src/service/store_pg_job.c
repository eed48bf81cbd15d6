/* store_pg_job.c - job records in the postgres store: one row of `jobs`
 * each, the status as its name, the seed's 64 bits as a bigint, the spec
 * and result as the JSON texts they were given as, the history as its
 * bytes; seq (an identity) is the creation order lists page by. The lease
 * columns belong to the shared queue (store_pg_queue.c); an update honours
 * them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service/store_pg.h"

/* A queued job wakes the replicas' workers, in the same commit. */
static const char SQL_PUT[] =
    "WITH i AS (INSERT INTO jobs(" PG_JOB_COLS ")"
    " VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULLIF($14, ''))"
    " RETURNING id, status)"
    " SELECT " PG_NOTIFY_QUEUED " FROM i WHERE status = 'queued'";
/* Only from status $8 (NULL: any) and, with an owner $9, only while that
 * owner holds the lease. Leaving running drops the lease; a finished job
 * forgets a cancel request. Every change is an event; back to queued, a
 * worker's too. */
static const char SQL_UPDATE[] =
    "WITH u AS (UPDATE jobs SET status = $2::text, started_ms = $3, finished_ms = $4,"
    " attempts = $5, result_json = $6, history = $7,"
    " lease_owner = CASE WHEN $2::text = 'running' THEN lease_owner END,"
    " lease_expires = CASE WHEN $2::text = 'running' THEN lease_expires END,"
    " cancel_requested = cancel_requested AND $2::text IN ('queued', 'running')"
    " WHERE id = $1 AND ($8::text IS NULL OR status = $8::text)"
    " AND ($9::text IS NULL OR lease_owner = $9::text)"
    " RETURNING id, status),"
    /* a run's published progress goes with the run */
    " d AS (DELETE FROM job_progress p USING u WHERE p.job_id = u.id AND u.status <> 'running')"
    " SELECT " PG_NOTIFY_CHANGED ","
    " CASE WHEN status = 'queued' THEN " PG_NOTIFY_QUEUED " END FROM u";
static const char SQL_GET[] = "SELECT " PG_JOB_COLS " FROM jobs WHERE id = $1";
static const char SQL_BY_IDEM[] = "SELECT " PG_JOB_COLS " FROM jobs WHERE idem_key = $1";
static const char SQL_EXISTS[] = "SELECT 1 FROM jobs WHERE id = $1";
static const char SQL_SEQ[] = "SELECT seq FROM jobs WHERE id = $1";
static const char SQL_DELETE[] = "DELETE FROM jobs WHERE id = $1";
/* $1: the seq to continue from (0, or the largest bigint newest first);
 * $2: a status or NULL; $3: the limit. Lists leave the history out. */
#define LIST_HEAD                                                                                  \
    "SELECT " PG_JOB_COLS_HEAD ", NULL, " PG_JOB_COLS_TAIL " FROM jobs"                            \
    " WHERE ($2::text IS NULL OR status = $2::text) AND seq "
static const char SQL_LIST[] = LIST_HEAD "> $1 ORDER BY seq LIMIT $3";
static const char SQL_LIST_DESC[] = LIST_HEAD "< $1 ORDER BY seq DESC LIMIT $3";
static const char SQL_COUNTS[] = "SELECT status, count(*) FROM jobs GROUP BY status";

static int64_t seed_to_db(uint64_t seed) {
    int64_t v;
    memcpy(&v, &seed, sizeof v); /* the bits, also for seeds >= 2^63 */
    return v;
}

static uint64_t seed_from_db(int64_t v) {
    uint64_t seed;
    memcpy(&seed, &v, sizeof seed);
    return seed;
}

int pg_row_job(const PGresult *r, int row, job_rec **out) {
    job_rec *j = calloc(1, sizeof *j);
    int fail = 0;
    if (j == NULL) return STORE_ERROR;
    int status = job_status_by_name(PQgetvalue(r, row, 2));
    j->status = status < 0 ? JOB_QUEUED : (job_status)status;
    j->seed = seed_from_db(pg_int(r, row, 3));
    j->created_ms = pg_int(r, row, 4);
    j->started_ms = pg_int(r, row, 5);
    j->finished_ms = pg_int(r, row, 6);
    j->spec_json = pg_text_dup(r, row, 7, &fail);
    j->result_json = pg_text_dup(r, row, 8, &fail);
    j->history = pg_bytes_dup(r, row, 9, &j->history_len, &fail);
    j->idem_key = pg_text_dup(r, row, 10, &fail);
    j->attempts = (int)pg_int(r, row, 12);
    if (fail || status < 0 || pg_text_copy(r, row, 0, j->id, sizeof j->id, 0) != 0 ||
        pg_text_copy(r, row, 1, j->dataset, sizeof j->dataset, 0) != 0 ||
        pg_text_copy(r, row, 11, j->body_hash, sizeof j->body_hash, 0) != 0 ||
        pg_text_copy(r, row, 13, j->owner, sizeof j->owner, 1) != 0) {
        job_rec_free(j);
        return STORE_ERROR;
    }
    *out = j;
    return STORE_OK;
}

int pg_job_exists(PGconn *c, const char *id) {
    pg_params p;
    pgp_init(&p);
    pgp_text(&p, id);
    PGresult *r = pg_exec(c, SQL_EXISTS, &p, 0);
    int rc = pg_status(r);
    if (rc == STORE_OK) rc = PQntuples(r) > 0 ? STORE_CONFLICT : STORE_NOTFOUND;
    PQclear(r);
    return rc;
}

int pg_job_stmt(pg_store *s, const char *sql, const pg_params *p, const char *id,
                PGresult **out) {
    PGconn *c = pg_acquire(s);
    if (c == NULL) return STORE_ERROR;
    PGresult *r = pg_exec(c, sql, p, 0);
    int rc = pg_status(r);
    if (rc == STORE_OK && PQntuples(r) == 0) rc = pg_job_exists(c, id);
    if (rc == STORE_OK && out != NULL) {
        *out = r;
        r = NULL;
    }
    PQclear(r);
    pg_release(s, c);
    return rc;
}

/* ---- writes ---- */

int pg_job_put(store *base, const job_rec *j) {
    pg_store *s = (pg_store *)base;
    if (memchr(j->owner, '\0', sizeof j->owner) == NULL) return STORE_ERROR;
    PGconn *c = pg_acquire(s);
    if (c == NULL) return STORE_ERROR;
    pg_params p;
    pgp_init(&p);
    pgp_text(&p, j->id);
    pgp_text(&p, j->dataset);
    pgp_text(&p, job_status_name(j->status));
    pgp_int(&p, seed_to_db(j->seed));
    pgp_int(&p, j->created_ms);
    pgp_int(&p, j->started_ms);
    pgp_int(&p, j->finished_ms);
    pgp_text(&p, j->spec_json);
    pgp_text(&p, j->result_json);
    pgp_bytes(&p, j->history, j->history_len);
    pgp_text(&p, j->idem_key);
    pgp_text(&p, j->body_hash);
    pgp_int(&p, j->attempts);
    pgp_text(&p, j->owner);
    int rc = pg_run(c, SQL_PUT, &p);
    pg_release(s, c);
    return rc;
}

int pg_job_update(store *base, const job_rec *j, int from) {
    pg_store *s = (pg_store *)base;
    if (memchr(j->owner, '\0', sizeof j->owner) == NULL) return STORE_ERROR;
    pg_params p;
    pgp_init(&p);
    pgp_text(&p, j->id);
    pgp_text(&p, job_status_name(j->status));
    pgp_int(&p, j->started_ms);
    pgp_int(&p, j->finished_ms);
    pgp_int(&p, j->attempts);
    pgp_text(&p, j->result_json);
    pgp_bytes(&p, j->history, j->history_len);
    pgp_text(&p, from < 0 ? NULL : job_status_name((job_status)from));
    pgp_text(&p, j->owner[0] ? j->owner : NULL);
    /* nothing changed: the job is gone, or not in status from, or not
       owner's */
    return pg_job_stmt(s, SQL_UPDATE, &p, j->id, NULL);
}

int pg_job_delete(store *base, const char *id) {
    pg_params p;
    pgp_init(&p);
    pgp_text(&p, id);
    long long changed = 0;
    int rc = pg_write((pg_store *)base, SQL_DELETE, &p, &changed);
    return rc == STORE_OK && changed == 0 ? STORE_NOTFOUND : rc;
}

/* ---- reads ---- */

/* The job sql finds by key (with its history). */
static int read_one(pg_store *s, const char *sql, const char *key, job_rec **out) {
    PGconn *c = pg_acquire(s);
    if (c == NULL) return STORE_ERROR;
    pg_params p;
    pgp_init(&p);
    pgp_text(&p, key);
    PGresult *r = pg_exec(c, sql, &p, 0);
    int rc = pg_status(r);
    if (rc == STORE_OK) rc = PQntuples(r) == 0 ? STORE_NOTFOUND : pg_row_job(r, 0, out);
    PQclear(r);
    pg_release(s, c);
    return rc;
}

int pg_job_get(store *base, const char *id, job_rec **out) {
    return read_one((pg_store *)base, SQL_GET, id, out);
}

int pg_job_by_idem(store *base, const char *key, job_rec **out) {
    return read_one((pg_store *)base, SQL_BY_IDEM, key, out);
}

static int job_row(const PGresult *r, int row, void **rec) {
    job_rec *j = NULL;
    int rc = pg_row_job(r, row, &j);
    *rec = j;
    return rc;
}

static void job_free(void *j) {
    job_rec_free(j);
}

int pg_job_list(store *base, const char *after, size_t limit, int status, int newest_first,
                job_rec ***out, size_t *n, int *more) {
    void *page = NULL;
    /* seqs start at 1: a first page is everything after 0 (oldest first)
       or before the largest bigint (newest first) */
    int rc = pg_page((pg_store *)base, SQL_SEQ, after, newest_first ? INT64_MAX : 0,
                     newest_first ? SQL_LIST_DESC : SQL_LIST,
                     status < 0 ? NULL : job_status_name((job_status)status), limit, job_row,
                     job_free, &page, n, more);
    if (rc == STORE_OK) *out = page;
    return rc;
}

int pg_job_counts(store *base, size_t counts[JOB_STATUS_COUNT]) {
    pg_store *s = (pg_store *)base;
    PGconn *c = pg_acquire(s);
    if (c == NULL) return STORE_ERROR;
    PGresult *r = pg_exec(c, SQL_COUNTS, NULL, 0);
    int rc = pg_status(r);
    for (int i = 0; rc == STORE_OK && i < PQntuples(r); i++) {
        int status = job_status_by_name(PQgetvalue(r, i, 0));
        if (status < 0)
            rc = STORE_ERROR;
        else
            counts[status] = (size_t)pg_int(r, i, 1);
    }
    PQclear(r);
    pg_release(s, c);
    return rc;
}
