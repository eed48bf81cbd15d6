/* store_pg.h - private to the "postgres" store (store_pg*.c).
 *
 * Several fitd processes ("replicas") share one database. Each keeps a
 * pool of connections, each used by one thread at a time: a call checks one
 * out, runs its statements (a transaction when there is more than one) and
 * gives it back. Connections are made when first needed; one that broke
 * (the server restarted, the backend was terminated) is reset when next
 * checked out, so the store recovers by itself once the database is back.
 * Every statement is a constant text with $n parameters (PQexecParams),
 * never user data spliced into SQL.
 *
 * Events go through LISTEN/NOTIFY on the channel PG_CHANNEL, payload
 * "<kind>:<job id>" (kind "queued" or "changed"); writes that queue or move
 * a job notify in their own statement, so the event leaves with the commit.
 * One dedicated connection and thread listens (store_pg_listen.c).
 *
 * Files: store_pg.c (open, close, schema, health), store_pg_pool.c (the pool
 * and statement helpers),
 * store_pg_ds.c (datasets), store_pg_job.c (job records), store_pg_queue.c
 * (the shared queue and publish), store_pg_listen.c (the listener),
 * store_pg_progress.c (running jobs' progress for other replicas). */
#ifndef FITD_STORE_PG_H
#define FITD_STORE_PG_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>

#include "service/store_impl.h"

#define PG_DEFAULT_CONNS 4
#define PG_MAX_CONNS 1024
/* A column is stored in chunks of this many rows (8 MB bytea values). */
#define PG_CHUNK_ROWS 1000000
#define PG_CHANNEL "fitd"
/* SQL notifying an event about the job whose id is the column `id` of the
 * row at hand. */
#define PG_NOTIFY_QUEUED "pg_notify('" PG_CHANNEL "', 'queued:' || id)"
#define PG_NOTIFY_CHANGED "pg_notify('" PG_CHANNEL "', 'changed:' || id)"

typedef struct pg_listener pg_listener;

typedef struct pg_store {
    store base;
    char *conninfo;     /* owned: the connection string store_open got */
    pthread_mutex_t mu; /* the pool and the health cache */
    pthread_cond_t cv;  /* a connection came back */
    PGconn **free;      /* [nconns]: the idle ones in free[0..nfree); NULL =
                           a slot not connected yet */
    int nconns, nfree;
    int health_ok;       /* the last health check's answer */
    int64_t health_at;   /* when it ran, monotonic ms (0 = never) */
    int health_busy;     /* a thread is checking now */
    pthread_mutex_t lmu; /* listener: set once by store_listen */
    pg_listener *listener;
} pg_store;

/* ---- store_pg_pool.c ---- */

/* A new connection to conninfo, with fitd's defaults (connect_timeout,
 * keepalives, client_encoding UTF8, application name) and notices
 * silenced; async: started with PQconnectStartParams (the caller polls),
 * else connected. NULL only when out of memory; check PQstatus. */
PGconn *pg_connect(const char *conninfo, int async);
/* Checks a connection out of the pool (waiting while all are in use),
 * connecting or resetting it as needed. NULL when the database cannot be
 * reached (the slot goes back to the pool). */
PGconn *pg_acquire(pg_store *s);
/* Like pg_acquire but without waiting: NULL at once when none is idle
 * (*busy set) or when it cannot be reached. */
PGconn *pg_try_acquire(pg_store *s, int *busy);
/* Gives c back (NULL-safe), ending whatever it left open. */
void pg_release(pg_store *s, PGconn *c);

/* A statement's parameters, all text but the bytea ones. */
#define PG_MAXPARAMS 16
typedef struct pg_params {
    int n, over; /* over: more than PG_MAXPARAMS were added */
    const char *val[PG_MAXPARAMS];
    int len[PG_MAXPARAMS], fmt[PG_MAXPARAMS];
    char num[PG_MAXPARAMS][24]; /* the text of integer parameters */
} pg_params;

void pgp_init(pg_params *p);
/* Adds a text parameter (borrowed until the statement ran); NULL is SQL NULL. */
void pgp_text(pg_params *p, const char *s);
void pgp_int(pg_params *p, int64_t x);
/* Adds len bytes as a binary (bytea) parameter, borrowed; NULL b is SQL
 * NULL. */
void pgp_bytes(pg_params *p, const void *b, size_t len);

/* Runs sql with p (NULL: none); results in text, or binary when binary.
 * Returns the result (the caller PQclears it), or NULL. */
PGresult *pg_exec(PGconn *c, const char *sql, const pg_params *p, int binary);
/* The store status of a result: STORE_OK when the statement succeeded,
 * STORE_CONFLICT for a unique violation, else STORE_ERROR (NULL too). */
int pg_status(const PGresult *r);
/* Runs sql and returns only its status (pg_status); the result is freed. */
int pg_run(PGconn *c, const char *sql, const pg_params *p);
/* Runs a write (sql, parameters p) on a pooled connection: its status
 * (pg_status) and, when STORE_OK, the rows it touched in *changed. */
int pg_write(pg_store *s, const char *sql, const pg_params *p, long long *changed);
/* Begins a transaction with the BEGIN text given: 0, or -1. */
int pg_begin(PGconn *c, const char *begin);
/* Commits when rc is STORE_OK, else rolls back. Returns rc, or
 * STORE_ERROR when the commit failed. */
int pg_end(PGconn *c, int rc);
/* The rows an INSERT, UPDATE or DELETE touched. */
long long pg_changed(PGresult *r);

/* Column col of row as an int64 (0 when NULL). */
int64_t pg_int(const PGresult *r, int row, int col);
/* Column col of row copied (NULL for SQL NULL); sets *fail when it
 * cannot be copied. */
char *pg_text_dup(const PGresult *r, int row, int col, int *fail);
/* Column col of row, a bytea in a text result, decoded into a malloc'd
 * copy (NULL for SQL NULL) with its length in *len; sets *fail when it
 * cannot be. */
unsigned char *pg_bytes_dup(const PGresult *r, int row, int col, size_t *len, int *fail);
/* Copies column col of row into dst[cap] ("" for NULL when null_ok):
 * 0, or -1 when NULL (and not null_ok) or too long. */
int pg_text_copy(const PGresult *r, int row, int col, char *dst, size_t cap, int null_ok);
/* A page's `limit + 1` as a LIMIT value (capped). */
int64_t pg_page_limit(size_t limit);
/* One page of a list, as store.h's lists promise: the seq of the record
 * `after` (seq_sql, $1 = after; STORE_NOTFOUND when there is none), or
 * first when after is NULL; then list_sql with $1 = that seq, $2 = arg
 * (text, may be NULL) and $3 = limit + 1. row makes each row a record;
 * *out is an owned array of the *n record pointers; *more is set when
 * there was one more row. free_rec frees a record left over on failure. */
typedef int (*pg_row_fn)(const PGresult *r, int row, void **rec);
int pg_page(pg_store *s, const char *seq_sql, const char *after, int64_t first,
            const char *list_sql, const char *arg, size_t limit, pg_row_fn row,
            void (*free_rec)(void *), void **out, size_t *n, int *more);
/* Monotonic milliseconds. */
int64_t pg_now_ms(void);

/* ---- store_pg_listen.c ---- */

/* Starts the listener thread calling fn(ctx, kind, job_id) for each event.
 * STORE_ERROR when one already runs or it cannot start. */
int pg_listen_start(pg_store *s, store_event_fn fn, void *ctx);
/* Stops and joins the listener and frees it. NULL-safe. */
void pg_listen_stop(pg_listener *l);

/* ---- the store_ops functions, by file ---- */
/* store_pg_ds.c */
int pg_dataset_put(store *s, const ds_meta *m, ds_data *d);
int pg_dataset_meta(store *s, const char *id, ds_meta **out);
int pg_dataset_data(store *s, const char *id, ds_data **out);
int pg_dataset_delete(store *s, const char *id);
int pg_dataset_sweep_inline(store *s, const char *id, int64_t before_ms, size_t *n);
int pg_dataset_list(store *s, const char *after, size_t limit, int include_inline, ds_meta ***out,
                    size_t *n, int *more);
/* store_pg_job.c */
int pg_job_put(store *s, const job_rec *j);
int pg_job_update(store *s, const job_rec *j, int from);
int pg_job_get(store *s, const char *id, job_rec **out);
int pg_job_by_idem(store *s, const char *key, job_rec **out);
int pg_job_delete(store *s, const char *id);
int pg_job_list(store *s, const char *after, size_t limit, int status, int newest_first,
                job_rec ***out, size_t *n, int *more);
int pg_job_counts(store *s, size_t counts[JOB_STATUS_COUNT]);
/* The job in row of r, whose columns are PG_JOB_COLS (history may be
 * NULL). */
int pg_row_job(const PGresult *r, int row, job_rec **out);
/* Whether job id exists, for telling NOTFOUND from CONFLICT after a
 * conditional write touched nothing: STORE_CONFLICT (it does),
 * STORE_NOTFOUND, or STORE_ERROR. */
int pg_job_exists(PGconn *c, const char *id);
/* Runs sql (parameters p), a conditional statement about job id that
 * returns a row when it applied, on a pooled connection: STORE_OK (with
 * the result in *out when out is not NULL; the caller clears it), or when
 * no row came back what pg_job_exists says (STORE_CONFLICT: the job is
 * there but the condition did not hold; STORE_NOTFOUND), or STORE_ERROR. */
int pg_job_stmt(pg_store *s, const char *sql, const pg_params *p, const char *id,
                PGresult **out);
/* store_pg_queue.c */
int pg_job_requeue(store *s, char ***ids, size_t *n);
int pg_job_claim(store *s, const char *owner, int64_t lease_ms, int64_t started_ms,
                 job_rec **out);
int pg_job_renew(store *s, const char *id, const char *owner, int64_t lease_ms, int *cancel);
int pg_job_request_cancel(store *s, const char *id);
int pg_job_reap(store *s, int64_t now_ms, size_t *n);
int pg_listen(store *s, store_event_fn fn, void *ctx);
int pg_publish(store *s, int kind, const char *job_id);
/* ---- store_pg_progress.c ---- */
int pg_job_progress_put(store *s, const char *id, const char *owner, long epoch,
                        const char *data);
int pg_job_progress_get(store *s, const char *id, long after, size_t max,
                        store_progress **out, size_t *n);

/* The columns pg_row_job reads, in order; history (bytea) is column 9. */
#define PG_JOB_COLS_HEAD                                                                           \
    "id, dataset, status, seed, created_ms, started_ms, finished_ms, spec_json, result_json"
#define PG_JOB_COLS_TAIL "idem_key, body_hash, attempts, lease_owner"
#define PG_JOB_COLS PG_JOB_COLS_HEAD ", history, " PG_JOB_COLS_TAIL

#endif
