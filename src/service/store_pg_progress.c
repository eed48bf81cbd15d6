/* store_pg_progress.c - progress of running jobs in the postgres store,
 * so that an event stream on one replica follows a job training on
 * another: the owner publishes an epoch now and then (one row of
 * job_progress and a "changed" notice), readers fetch the rows after the
 * epoch they last sent. The rows go when the job leaves running. */
#include <stdio.h>
#include <stdlib.h>

#include "service/store_pg.h"

/* $1 id, $2 owner, $3 epoch, $4 data: only while owner holds the job */
static const char SQL_PUT[] =
    "WITH ins AS (INSERT INTO job_progress(job_id, epoch, data)"
    " SELECT $1, $3, $4 WHERE EXISTS"
    " (SELECT 1 FROM jobs WHERE id = $1 AND status = 'running' AND lease_owner = $2)"
    " ON CONFLICT (job_id, epoch) DO UPDATE SET data = EXCLUDED.data"
    " RETURNING job_id AS id)"
    " SELECT " PG_NOTIFY_CHANGED " FROM ins";
/* $1 id, $2 after, $3 limit */
static const char SQL_AFTER[] =
    "SELECT epoch, data FROM job_progress WHERE job_id = $1 AND epoch > $2"
    " ORDER BY epoch LIMIT $3";
static const char SQL_LATEST[] =
    "SELECT epoch, data FROM job_progress WHERE job_id = $1 ORDER BY epoch DESC LIMIT 1";

int pg_job_progress_put(store *base, const char *id, const char *owner, long epoch,
                        const char *data) {
    pg_params p;
    pgp_init(&p);
    pgp_text(&p, id);
    pgp_text(&p, owner);
    pgp_int(&p, epoch);
    pgp_text(&p, data);
    return pg_job_stmt((pg_store *)base, SQL_PUT, &p, id, NULL); /* no row: not owner's, or gone */
}

int pg_job_progress_get(store *base, const char *id, long after, size_t max,
                        store_progress **out, size_t *n) {
    pg_store *s = (pg_store *)base;
    PGconn *c = pg_acquire(s);
    if (c == NULL) return STORE_ERROR;
    pg_params p;
    pgp_init(&p);
    pgp_text(&p, id);
    if (after >= 0) {
        pgp_int(&p, after);
        pgp_int(&p, pg_page_limit(max) - 1);
    }
    PGresult *r = pg_exec(c, after >= 0 ? SQL_AFTER : SQL_LATEST, &p, 0);
    int rc = pg_status(r), fail = 0;
    int rows = rc == STORE_OK ? PQntuples(r) : 0;
    store_progress *v = rows > 0 ? calloc((size_t)rows, sizeof *v) : NULL;
    if (rows > 0 && v == NULL) rc = STORE_ERROR;
    for (int i = 0; rc == STORE_OK && i < rows; i++) {
        v[i].epoch = (long)pg_int(r, i, 0);
        v[i].data = pg_text_dup(r, i, 1, &fail);
        if (fail || v[i].data == NULL) rc = STORE_ERROR;
    }
    PQclear(r);
    pg_release(s, c);
    if (rc != STORE_OK) {
        store_progress_free(v, (size_t)rows);
        return rc;
    }
    *out = v;
    *n = (size_t)rows;
    return STORE_OK;
}
