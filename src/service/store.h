/* store.h - where datasets and jobs live: one small interface, several
 * implementations ("memory", "sqlite", "postgres"). The store is the
 * source of truth for everything acknowledged: a 201/202 is sent only after
 * the call that stored it returned 0. Live state of a running job (its
 * progress, its waiters) is the job registry's, not the store's.
 *
 * Thread safety: every function may be called from any thread at once;
 * each implementation serialises internally as it needs.
 * Ownership: records passed in are borrowed (copied if kept); records
 * returned are owned by the caller and freed with the *_free functions. */
#ifndef FITD_STORE_H
#define FITD_STORE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/data.h"

#define STORE_ID_MAX 128 /* ids fitd makes are "ds_"/"job_" + 24 hex digits */

enum { STORE_OK = 0, STORE_NOTFOUND = 1, STORE_ERROR = 2, STORE_CONFLICT = 3 };

typedef struct col_stats {
    double count, mean, sd, min, max; /* sd: 1/N (population) */
} col_stats;

typedef struct ds_meta {
    char id[STORE_ID_MAX];
    char *name;        /* owned; NULL when none */
    int64_t created_ms; /* Unix epoch milliseconds */
    int inline_data;   /* made from a job's inline "data" (not listed by default) */
    size_t rows, ncols;
    char **names;      /* [ncols] owned */
    col_stats *stats;  /* [ncols] owned */
} ds_meta;

typedef enum {
    JOB_QUEUED = 0,
    JOB_RUNNING,
    JOB_SUCCEEDED,
    JOB_FAILED,
    JOB_CANCELLED,
    JOB_STATUS_COUNT
} job_status;

typedef struct job_rec {
    char id[STORE_ID_MAX];
    char dataset[STORE_ID_MAX]; /* the dataset it trains on (inline data is stored as one) */
    job_status status;
    uint64_t seed;
    int64_t created_ms, started_ms, finished_ms; /* 0 = not yet */
    char *spec_json;    /* owned: the normalized spec, JSON text */
    char *result_json;  /* owned: the finished job's result members as a JSON
                           object text (params, loss, ..., error); NULL before */
    unsigned char *history; /* owned: the history as history_pack.h stores it
                               (opaque bytes to a store); NULL before */
    size_t history_len;
    char *idem_key;     /* owned: Idempotency-Key, NULL when none */
    char body_hash[65]; /* hex digest of the submitted body ("" when none) */
    int attempts;       /* times it was started (a restart requeues) */
    char owner[64];     /* shared stores: the lease holder while running ("" =
                           none); an update with an owner applies only while
                           that owner still holds the lease */
} job_rec;

typedef struct store store;

/* A dataset's columns, shared read-only by whoever holds a reference:
 * the memory store keeps one and hands out references; the sqlite store
 * loads a fresh one per call. Release with ds_data_release. */
typedef struct ds_data {
    fit_data *d;
    atomic_int refs;
} ds_data;

/* Takes a new reference; returns dd. */
ds_data *ds_data_ref(ds_data *dd);
/* Drops a reference; the last one frees the columns. NULL-safe. */
void ds_data_release(ds_data *dd);
/* Wraps d (ownership taken) with one reference; NULL on allocation failure
 * (d is then freed). */
ds_data *ds_data_wrap(fit_data *d);

/* Opens a store: kind "memory" (dir ignored) or "sqlite" (dir is the data
 * directory, created if missing; database file dir/fitd.db, WAL mode,
 * synchronous=FULL so a committed write survives a crash).
 * Returns NULL and writes a message to err (cap bytes) on failure. */
store *store_open(const char *kind, const char *dir, char *err, size_t cap);
/* store_open with a size: kind "postgres" takes `where` as a libpq
 * connection string (a postgresql:// URL or key=value pairs), creates or
 * migrates the schema there, and keeps a pool of up to conns connections
 * (0 = 4), one per thread in a call at once; for the other kinds `where`
 * is store_open's dir and conns is ignored. store_open passes 0. */
store *store_open_sized(const char *kind, const char *where, int conns, char *err, size_t cap);
void store_close(store *s); /* NULL-safe */
/* "memory", "sqlite" or "postgres" */
const char *store_kind(const store *s);

/* Datasets. put stores meta and the columns of d (borrowed: the memory
 * store takes a reference, the sqlite store copies) atomically. */
int store_dataset_put(store *s, const ds_meta *m, ds_data *d);
int store_dataset_meta(store *s, const char *id, ds_meta **out);
/* A reference to the columns (see ds_data). */
int store_dataset_data(store *s, const char *id, ds_data **out);
int store_dataset_delete(store *s, const char *id);
/* Deletes the inline datasets (a job's own data, stored for it) created
 * before before_ms that no job names, or only dataset id among them when
 * id is not NULL; *n gets how many went. STORE_OK (also when none did).
 * A job's deletion leaves its data to this; start-up sweeps what a crash
 * or a failed commit left behind. */
int store_dataset_sweep_inline(store *s, const char *id, int64_t before_ms, size_t *n);
/* Lists datasets in creation order (ties by id) after the one with id
 * `after` (NULL or "" = from the start), at most limit of them; inline
 * datasets only when include_inline. *out is an owned array of *n metas
 * (each freed with ds_meta_free, the array with free). *more is set when
 * further datasets exist. */
int store_dataset_list(store *s, const char *after, size_t limit, int include_inline,
                       ds_meta ***out, size_t *n, int *more);

/* Jobs. put inserts a new job (and its idempotency key, atomically):
 * STORE_CONFLICT when the id or the idempotency key exists. */
int store_job_put(store *s, const job_rec *j);
/* The same, without waiting: done(ctx, rc) is called once, with what put
 * would have returned, when the job is committed (or was refused) - on
 * another thread, perhaps before this returns. Returns STORE_OK when done
 * will be called, STORE_ERROR (and done is not called) when the write
 * could not even be queued. Stores that cannot queue writes put at once
 * and call done before returning. */
int store_job_put_async(store *s, const job_rec *j, void (*done)(void *ctx, int rc), void *ctx);
/* update rewrites status, timestamps, attempts, result_json and history,
 * but only while the stored status is `from` (a job_status; -1 = whatever
 * it is): STORE_CONFLICT when it is not, so two parties racing to move a
 * job (a worker starting it, a client cancelling it) cannot both win. */
int store_job_update(store *s, const job_rec *j, int from);
/* update without waiting, as store_job_put_async: done(ctx, rc) gets what
 * update would have returned. A store's writes are applied in the order
 * they were made, so an update queued after another sees its result. */
int store_job_update_async(store *s, const job_rec *j, int from, void (*done)(void *ctx, int rc),
                           void *ctx);
int store_job_get(store *s, const char *id, job_rec **out);
/* The job stored under an idempotency key: STORE_NOTFOUND when none. */
int store_job_by_idem(store *s, const char *key, job_rec **out);
int store_job_delete(store *s, const char *id);
/* Lists jobs in creation order (newest_first: the reverse, newest job
 * first) after id `after` in that order, optionally only those with one
 * status (status < 0: all), as store_dataset_list: a page's last id, as
 * `after`, continues in the same order. The records carry spec and result
 * but not the history (NULL), to keep lists light. */
int store_job_list(store *s, const char *after, size_t limit, int status, int newest_first,
                   job_rec ***out, size_t *n, int *more);
/* At start-up: every job that was queued or running becomes queued again;
 * returns their ids in creation order (owned array of owned strings). */
int store_job_requeue(store *s, char ***ids, size_t *n);
/* Jobs per status, for /metrics. */
int store_job_counts(store *s, size_t counts[JOB_STATUS_COUNT]);

/* ---- the shared queue: stores several fitd processes share (postgres) ----
 * There workers claim jobs from the store rather than from the process's
 * own queue, hold a lease (owner, expiry) while they train and renew it; a
 * job whose lease ran out (its process died) is queued again by
 * store_job_reap and runs again from the start with the same seed. Stores
 * that are not shared answer store_shared 0 and STORE_ERROR to the rest. */
int store_shared(const store *s);
/* Claims the oldest queued job for owner: it becomes running (its
 * started_ms set to started_ms, the claimer's clock, as every time of a job
 * is fitd's; attempts + 1; owner set; lease until the database's now +
 * lease_ms), returned with its history. STORE_NOTFOUND when none is
 * queued. Two claimers never get the same job. */
int store_job_claim(store *s, const char *owner, int64_t lease_ms, int64_t started_ms,
                    job_rec **out);
/* Extends owner's lease of running job id to now + lease_ms; *cancel is set
 * when a cancel was requested since. STORE_CONFLICT when owner no longer
 * holds it (it expired and was reaped), STORE_NOTFOUND when it is gone. */
int store_job_renew(store *s, const char *id, const char *owner, int64_t lease_ms, int *cancel);
/* Asks whoever trains running job id to stop (they see it at their next
 * renewal). STORE_CONFLICT when it is not running. */
int store_job_request_cancel(store *s, const char *id);
/* Running jobs whose lease ran out go back to queued (owner cleared), or
 * end cancelled at now_ms (the reaper's clock) when a cancel was asked of
 * them; *n is how many. */
int store_job_reap(store *s, int64_t now_ms, size_t *n);

/* Events between processes sharing a store: publish reaches every
 * listener, in this process and the others, soon after the publisher's
 * commit. kind: STORE_EV_QUEUED (a job is waiting: wake a worker),
 * STORE_EV_CHANGED (a job's status or progress changed: wake its waiters).
 * listen starts the store's listening thread, which calls fn(ctx, kind,
 * job_id) for each event; events may be coalesced or, when the connection
 * is lost, missed (listeners also poll, seldom). */
enum { STORE_EV_QUEUED = 1, STORE_EV_CHANGED = 2 };
typedef void (*store_event_fn)(void *ctx, int kind, const char *job_id);
int store_listen(store *s, store_event_fn fn, void *ctx);
int store_publish(store *s, int kind, const char *job_id);
/* Progress of a job trained by another process: its owner publishes an
 * epoch's progress now and then (data: the JSON text of GET's "progress"
 * member); readers on other replicas fetch it. Published entries go when
 * the job leaves running. put: STORE_CONFLICT when owner no longer holds
 * the job. get: the entries after epoch `after` in epoch order, at most
 * max of them (after < 0: only the latest); *out is an owned array of *n,
 * freed with store_progress_free. */
typedef struct store_progress {
    long epoch;
    char *data;
} store_progress;
int store_job_progress_put(store *s, const char *id, const char *owner, long epoch,
                           const char *data);
int store_job_progress_get(store *s, const char *id, long after, size_t max,
                           store_progress **out, size_t *n);
void store_progress_free(store_progress *p, size_t n); /* NULL-safe */

/* Whether the store can be reached now (for /readyz): 1 or 0. Stores on
 * local files always can. */
int store_healthy(store *s);

void ds_meta_free(ds_meta *m);  /* NULL-safe */
void job_rec_free(job_rec *j);  /* NULL-safe */
/* A deep copy of j (history left NULL unless with_history); NULL on
 * allocation failure. The caller frees it with job_rec_free. */
job_rec *job_rec_copy(const job_rec *j, int with_history);
const char *job_status_name(job_status st);
int job_status_by_name(const char *name); /* -1 when unknown */

#endif
