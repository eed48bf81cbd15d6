/* store_pg_queue.c - the shared queue of the postgres store: workers of
 * every replica claim the oldest queued job (FOR UPDATE SKIP LOCKED, so
 * two never get the same one), hold a lease on it (lease_owner,
 * lease_expires, on the database's clock) and renew it; a lease that ran
 * out is reaped back to queued. A cancel of a running job is a flag the
 * owner sees at its next renewal. Events: publish, and the listener. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "service/store_pg.h"

/* Running jobs whose lease ran out, or that never had one (put or moved
 * to running outside the queue: nobody can renew them), go back to queued
 * and wake the workers - or, when a cancel was asked of the owner that
 * died, end cancelled at $1 (as a cancel of a queued job does). */
static const char SQL_REAP[] =
    "WITH r AS (UPDATE jobs SET"
    " status = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'queued' END,"
    " finished_ms = CASE WHEN cancel_requested THEN $1::bigint ELSE finished_ms END,"
    " result_json = CASE WHEN cancel_requested"
    "   THEN '{\"status\":\"cancelled\",\"termination\":\"cancelled\"}' ELSE result_json END,"
    " lease_owner = NULL, lease_expires = NULL"
    " WHERE status = 'running' AND (lease_expires IS NULL OR lease_expires < now())"
    " RETURNING id),"
    " d AS (DELETE FROM job_progress p USING r WHERE p.job_id = r.id)"
    " SELECT " PG_NOTIFY_QUEUED ", " PG_NOTIFY_CHANGED " FROM r";
static const char SQL_QUEUED[] = "SELECT id FROM jobs WHERE status = 'queued' ORDER BY seq";
/* $1 owner, $2 lease in ms, $3 started_ms (the claimer's clock: a job's
 * times all come from fitd's clocks, the lease's from the database's) */
static const char SQL_CLAIM[] =
    "WITH c AS (UPDATE jobs SET status = 'running', attempts = attempts + 1,"
    " started_ms = $3,"
    " lease_owner = $1, lease_expires = now() + $2::float8 * interval '1 millisecond'"
    " WHERE id = (SELECT id FROM jobs WHERE status = 'queued' ORDER BY seq"
    "             FOR UPDATE SKIP LOCKED LIMIT 1)"
    " RETURNING " PG_JOB_COLS ")"
    " SELECT " PG_JOB_COLS ", " PG_NOTIFY_CHANGED " FROM c";
/* $1 id, $2 owner, $3 lease in ms */
static const char SQL_RENEW[] =
    "UPDATE jobs SET lease_expires = now() + $3::float8 * interval '1 millisecond'"
    " WHERE id = $1 AND status = 'running' AND lease_owner = $2 RETURNING cancel_requested";
static const char SQL_CANCEL[] =
    "WITH u AS (UPDATE jobs SET cancel_requested = true WHERE id = $1 AND status = 'running'"
    " RETURNING id)"
    " SELECT " PG_NOTIFY_CHANGED " FROM u";
static const char SQL_PUBLISH[] = "SELECT pg_notify('" PG_CHANNEL "', $1)";

/* This process's wall clock in ms: a job's times are fitd's, as the ones
 * the workers pass to claim and reap. */
static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* At start-up, in a store other replicas share: only what reap would
 * requeue comes back (the others' running jobs are theirs); the ids are
 * every queued job's, in creation order. */
int pg_job_requeue(store *base, char ***ids, size_t *n) {
    pg_store *s = (pg_store *)base;
    PGconn *c = pg_acquire(s);
    store_vec v = {NULL, 0, 0};
    PGresult *r = NULL;
    int rc = STORE_ERROR, fail = 0;
    if (c == NULL || pg_begin(c, "BEGIN") != 0) goto done;
    pg_params p;
    pgp_init(&p);
    pgp_int(&p, wall_ms());
    if (pg_run(c, SQL_REAP, &p) != STORE_OK) goto done;
    r = pg_exec(c, SQL_QUEUED, NULL, 0);
    if (pg_status(r) != STORE_OK) goto done;
    for (int i = 0; i < PQntuples(r); i++) {
        char *id = pg_text_dup(r, i, 0, &fail);
        if (fail || id == NULL || store_vec_push(&v, &id, sizeof id) != 0) {
            free(id);
            goto done;
        }
    }
    rc = STORE_OK;
done:
    PQclear(r);
    if (c != NULL) rc = pg_end(c, rc);
    pg_release(s, c);
    if (rc == STORE_OK) {
        *ids = v.buf;
        *n = v.n;
        return STORE_OK;
    }
    char **left = v.buf;
    for (size_t i = 0; i < v.n; i++) free(left[i]);
    free(v.buf);
    return rc;
}

int pg_job_claim(store *base, const char *owner, int64_t lease_ms, int64_t started_ms,
                 job_rec **out) {
    pg_store *s = (pg_store *)base;
    if (strlen(owner) >= sizeof((job_rec *)NULL)->owner) return STORE_ERROR;
    PGconn *c = pg_acquire(s);
    if (c == NULL) return STORE_ERROR;
    pg_params p;
    pgp_init(&p);
    pgp_text(&p, owner);
    pgp_int(&p, lease_ms);
    pgp_int(&p, started_ms);
    PGresult *r = pg_exec(c, SQL_CLAIM, &p, 0);
    int rc = pg_status(r);
    if (rc == STORE_OK) rc = PQntuples(r) == 0 ? STORE_NOTFOUND : pg_row_job(r, 0, out);
    PQclear(r);
    pg_release(s, c);
    return rc;
}

int pg_job_renew(store *base, const char *id, const char *owner, int64_t lease_ms, int *cancel) {
    pg_params p;
    pgp_init(&p);
    pgp_text(&p, id);
    pgp_text(&p, owner);
    pgp_int(&p, lease_ms);
    PGresult *r = NULL;
    /* no row: gone, or no longer owner's */
    int rc = pg_job_stmt((pg_store *)base, SQL_RENEW, &p, id, &r);
    if (rc == STORE_OK) *cancel = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    return rc;
}

int pg_job_request_cancel(store *base, const char *id) {
    pg_params p;
    pgp_init(&p);
    pgp_text(&p, id);
    return pg_job_stmt((pg_store *)base, SQL_CANCEL, &p, id, NULL); /* no row: not running */
}

int pg_job_reap(store *base, int64_t now_ms, size_t *n) {
    pg_store *s = (pg_store *)base;
    PGconn *c = pg_acquire(s);
    if (c == NULL) return STORE_ERROR;
    pg_params p;
    pgp_init(&p);
    pgp_int(&p, now_ms);
    PGresult *r = pg_exec(c, SQL_REAP, &p, 0);
    int rc = pg_status(r);
    if (rc == STORE_OK) *n = (size_t)PQntuples(r);
    PQclear(r);
    pg_release(s, c);
    return rc;
}

/* ---- events ---- */

int pg_listen(store *base, store_event_fn fn, void *ctx) {
    return pg_listen_start((pg_store *)base, fn, ctx);
}

int pg_publish(store *base, int kind, const char *job_id) {
    pg_store *s = (pg_store *)base;
    if (kind != STORE_EV_QUEUED && kind != STORE_EV_CHANGED) return STORE_ERROR;
    size_t len = strlen(job_id) + sizeof "changed:";
    char *payload = malloc(len);
    if (payload == NULL) return STORE_ERROR;
    snprintf(payload, len, "%s:%s", kind == STORE_EV_QUEUED ? "queued" : "changed", job_id);
    int rc = STORE_ERROR;
    PGconn *c = pg_acquire(s);
    if (c != NULL) {
        pg_params p;
        pgp_init(&p);
        pgp_text(&p, payload);
        rc = pg_run(c, SQL_PUBLISH, &p);
        pg_release(s, c);
    }
    free(payload);
    return rc;
}
