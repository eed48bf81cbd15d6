/* store_pg.c - the "postgres" store: opening it (the first connection,
 * the schema and its migrations), closing it, its health, and its table of
 * functions. The pool is in store_pg_pool.c, the records in
 * store_pg_ds.c, store_pg_job.c and store_pg_queue.c. */
#include "service/store_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* pg_advisory_xact_lock key held while migrating ("fitd" in ASCII), so
 * that replicas starting at once migrate one after the other. */
#define MIGRATE_LOCK "1718187108"
#define HEALTH_EVERY_MS 1000

/* ---- schema ---- */

/* migrations[v] takes a database from version v (fitd_schema.version; 0 =
 * no table yet) to v + 1. Never edit one that has shipped; append. */
static const char *const migrations[] = {
    "CREATE TABLE datasets("
    "  id text PRIMARY KEY,"
    "  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE," /* creation order */
    "  name text,"
    "  created_ms bigint NOT NULL,"
    "  inline boolean NOT NULL,"
    "  nrows bigint NOT NULL,"
    "  ncols integer NOT NULL,"
    "  names_json text NOT NULL," /* ["x", "y"] */
    "  stats_json text);"         /* [{"count", "mean", "sd", "min", "max"}] */
    /* column col's rows [chunk * PG_CHUNK_ROWS, ...) as little-endian
       float64; stored uncompressed (doubles do not compress) */
    "CREATE TABLE dataset_columns("
    "  dataset_id text NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,"
    "  col integer NOT NULL,"
    "  chunk integer NOT NULL,"
    "  data bytea NOT NULL,"
    "  PRIMARY KEY(dataset_id, col, chunk));"
    "ALTER TABLE dataset_columns ALTER COLUMN data SET STORAGE EXTERNAL;"
    "CREATE TABLE jobs("
    "  id text PRIMARY KEY,"
    "  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,"
    "  dataset text NOT NULL,"
    "  status text NOT NULL"
    "    CHECK(status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),"
    "  seed bigint NOT NULL," /* the uint64's bits */
    "  created_ms bigint NOT NULL,"
    "  started_ms bigint NOT NULL,"
    "  finished_ms bigint NOT NULL,"
    "  spec_json text,"
    "  result_json text,"
    "  history_json text,"
    "  idem_key text UNIQUE,"
    "  body_hash text NOT NULL,"
    "  attempts integer NOT NULL,"
    /* the shared queue: who trains it, until when (the database's clock),
       and whether a cancel was asked for */
    "  lease_owner text,"
    "  lease_expires timestamptz,"
    "  cancel_requested boolean NOT NULL DEFAULT false);"
    "CREATE INDEX jobs_status_seq ON jobs(status, seq);",
    /* v2: progress of running jobs, for event streams on other replicas */
    "CREATE TABLE job_progress("
    "  job_id text NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
    "  epoch bigint NOT NULL,"
    "  data text NOT NULL,"
    "  PRIMARY KEY(job_id, epoch));",
    /* v3: histories as bytes (history_pack.h); the texts older versions
       stored keep their bytes, which read as before */
    "ALTER TABLE jobs ADD COLUMN history bytea;"
    "UPDATE jobs SET history = convert_to(history_json, 'UTF8') WHERE history_json IS NOT NULL;"
    "ALTER TABLE jobs DROP COLUMN history_json;",
    /* v4: which jobs name a dataset, for sweeping inline datasets */
    "CREATE INDEX jobs_dataset ON jobs(dataset);",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

/* err = "postgres store: <what>: <libpq's message on one line>" */
static void set_pq_err(char *err, size_t cap, const char *what, const char *msg) {
    store_seterr(err, cap, "postgres store: %s: ", what);
    size_t o = err != NULL && cap > 0 ? strlen(err) : cap, start = o;
    int space = 0; /* a run of white space (libpq's lines end "\n\t") becomes one */
    for (const char *p = msg ? msg : ""; *p && o + 1 < cap; p++) {
        if (*p == '\n' || *p == '\t' || *p == ' ') {
            space = 1;
            continue;
        }
        if (space && o > start && o + 2 < cap) err[o++] = ' ';
        space = 0;
        err[o++] = *p;
    }
    if (o < cap) err[o] = '\0';
}

/* Runs sql (several statements allowed, no parameters): 0, or -1 with err. */
static int exec_simple(PGconn *c, const char *sql, char *err, size_t cap) {
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok) set_pq_err(err, cap, "migrating the schema", PQerrorMessage(c));
    PQclear(r);
    return ok ? 0 : -1;
}

/* The schema version in fitd_schema (0 when no row), or -1 with err. */
static int schema_version(PGconn *c, int *has_row, char *err, size_t cap) {
    PGresult *r = PQexec(c, "SELECT version FROM fitd_schema");
    int v = -1;
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        set_pq_err(err, cap, "reading the schema version", PQerrorMessage(c));
    else if (PQntuples(r) > 1)
        store_seterr(err, cap, "postgres store: fitd_schema has %d rows", PQntuples(r));
    else
        v = PQntuples(r) == 0 ? 0 : (int)pg_int(r, 0, 0);
    *has_row = v >= 0 && PQntuples(r) == 1;
    PQclear(r);
    return v;
}

/* Brings the schema to SCHEMA_VERSION in one transaction, holding the
 * migration lock. */
static int migrate(PGconn *c, char *err, size_t cap) {
    int has_row = 0, version;
    char set[96];
    if (exec_simple(c, "BEGIN", err, cap) != 0) return -1;
    if (exec_simple(c,
                    "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ");"
                    "CREATE TABLE IF NOT EXISTS fitd_schema(version integer NOT NULL)",
                    err, cap) != 0 ||
        (version = schema_version(c, &has_row, err, cap)) < 0)
        goto fail;
    if (version > SCHEMA_VERSION) {
        store_seterr(err, cap,
                     "postgres store: database schema version %d is newer than this fitd's (%d)",
                     version, SCHEMA_VERSION);
        goto fail;
    }
    for (int v = version; v < SCHEMA_VERSION; v++)
        if (exec_simple(c, migrations[v], err, cap) != 0) goto fail;
    snprintf(set, sizeof set,
             has_row ? "UPDATE fitd_schema SET version = %d"
                     : "INSERT INTO fitd_schema(version) VALUES(%d)",
             SCHEMA_VERSION);
    if (exec_simple(c, set, err, cap) != 0 || exec_simple(c, "COMMIT", err, cap) != 0) goto fail;
    return 0;
fail:
    PQclear(PQexec(c, "ROLLBACK"));
    return -1;
}

/* ---- health ---- */

/* A `SELECT 1` on a pooled connection at most once a second; the answer
 * is kept in between. When every connection is busy the last answer
 * stands (they are busy because the database answers). */
static int pg_healthy(store *base) {
    pg_store *s = (pg_store *)base;
    int64_t now = pg_now_ms();
    pthread_mutex_lock(&s->mu);
    int ok = s->health_ok;
    int check = !s->health_busy && (s->health_at == 0 || now - s->health_at >= HEALTH_EVERY_MS);
    if (check) s->health_busy = 1;
    pthread_mutex_unlock(&s->mu);
    if (!check) return ok;
    int busy = 0;
    PGconn *c = pg_try_acquire(s, &busy);
    if (!busy) ok = c != NULL && pg_run(c, "SELECT 1", NULL) == STORE_OK;
    pg_release(s, c);
    pthread_mutex_lock(&s->mu);
    s->health_ok = ok;
    if (!busy) s->health_at = now;
    s->health_busy = 0;
    pthread_mutex_unlock(&s->mu);
    return ok;
}

/* ---- open, close ---- */

static void pg_close(store *base) {
    pg_store *s = (pg_store *)base;
    pg_listen_stop(s->listener);
    for (int i = 0; i < s->nfree; i++) PQfinish(s->free[i]); /* NULL-safe */
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->lmu);
    pthread_cond_destroy(&s->cv);
    free(s->free);
    free(s->conninfo);
    free(s);
}

static const store_ops pg_ops = {
    .kind = "postgres",
    .close = pg_close,
    .dataset_put = pg_dataset_put,
    .dataset_meta = pg_dataset_meta,
    .dataset_data = pg_dataset_data,
    .dataset_delete = pg_dataset_delete,
    .dataset_sweep_inline = pg_dataset_sweep_inline,
    .dataset_list = pg_dataset_list,
    .job_put = pg_job_put,
    .job_update = pg_job_update,
    .job_get = pg_job_get,
    .job_by_idem = pg_job_by_idem,
    .job_delete = pg_job_delete,
    .job_list = pg_job_list,
    .job_requeue = pg_job_requeue,
    .job_counts = pg_job_counts,
    .job_claim = pg_job_claim,
    .job_renew = pg_job_renew,
    .job_request_cancel = pg_job_request_cancel,
    .job_reap = pg_job_reap,
    .listen = pg_listen,
    .publish = pg_publish,
    .healthy = pg_healthy,
    .job_progress_put = pg_job_progress_put,
    .job_progress_get = pg_job_progress_get,
};

/* The store with its locks made, conns empty slots and no connection;
 * NULL when out of memory. */
static pg_store *pg_new(const char *conninfo, int conns) {
    pg_store *s = calloc(1, sizeof *s);
    if (s == NULL) return NULL;
    int fail = 0;
    s->conninfo = store_strdup(conninfo, &fail);
    s->free = calloc((size_t)conns, sizeof *s->free);
    if (fail || s->free == NULL) goto fail_m;
    if (pthread_mutex_init(&s->mu, NULL) != 0) goto fail_m;
    if (pthread_mutex_init(&s->lmu, NULL) != 0) goto fail_l;
    if (pthread_cond_init(&s->cv, NULL) != 0) goto fail_c;
    s->base.ops = &pg_ops;
    s->nconns = s->nfree = conns; /* every slot idle, none connected */
    s->health_ok = 1;
    return s;
fail_c:
    pthread_mutex_destroy(&s->lmu);
fail_l:
    pthread_mutex_destroy(&s->mu);
fail_m:
    free(s->free);
    free(s->conninfo);
    free(s);
    return NULL;
}

store *store_pg_open(const char *conninfo, int conns, char *err, size_t cap) {
    if (conninfo == NULL || conninfo[0] == '\0') {
        store_seterr(err, cap,
                     "the postgres store needs a connection string"
                     " (a postgresql:// URL or key=value pairs)");
        return NULL;
    }
    if (!PQisthreadsafe()) {
        store_seterr(err, cap, "this libpq was built without thread support");
        return NULL;
    }
    if (conns <= 0) conns = PG_DEFAULT_CONNS;
    if (conns > PG_MAX_CONNS) conns = PG_MAX_CONNS;
    pg_store *s = pg_new(conninfo, conns);
    if (s == NULL) {
        store_seterr(err, cap, "postgres store: out of memory");
        return NULL;
    }
    PGconn *c = pg_connect(conninfo, 0);
    if (c == NULL || PQstatus(c) != CONNECTION_OK) {
        set_pq_err(err, cap, "cannot connect", c ? PQerrorMessage(c) : "out of memory");
        goto fail;
    }
    if (migrate(c, err, cap) != 0) goto fail;
    s->free[0] = c; /* the first slot keeps it */
    return &s->base;
fail:
    PQfinish(c);
    pg_close(&s->base);
    return NULL;
}
