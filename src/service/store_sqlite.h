/* store_sqlite.h - private to the "sqlite" store (store_sqlite*.c).
 *
 * Connections: one writer and a small pool of readers on the same file,
 * each used by one thread at a time. The writer belongs to one thread
 * (store_sqlite_writer.c) that runs the queued writes in batches, one
 * BEGIN IMMEDIATE ... COMMIT each: SQLite allows one writer at a time
 * anyway, and the fsync that makes a commit durable is what a write
 * costs, so sharing it among the writes that arrived meanwhile is what
 * lets many clients submit at once. The syncer (store_sqlite_sync.c) does
 * that fsync while the writer commits the next batch. Readers are checked out of the pool; in WAL mode
 * they read the last commit while a write is in progress, so a GET never
 * waits behind a large dataset upload or a commit's fsync. A read of more
 * than one statement runs in one read transaction (one snapshot).
 * Every statement is prepared once per connection, at open. */
#ifndef FITD_STORE_SQLITE_H
#define FITD_STORE_SQLITE_H

#include <pthread.h>
#include <sqlite3.h>

#include "service/store_impl.h"

#define SQ_READERS 4
/* A column is stored in chunks of this many rows (8 MB blobs). */
#define SQ_CHUNK_ROWS 1000000

typedef enum {
    SQ_BEGIN_READ,
    SQ_BEGIN_WRITE,
    SQ_COMMIT,
    SQ_ROLLBACK,
    SQ_SAVEPOINT,
    SQ_RELEASE,
    SQ_ROLLBACK_TO,
    SQ_DS_INSERT,
    SQ_DS_COL_INSERT,
    SQ_DS_META,
    SQ_DS_SEQ,
    SQ_DS_LIST,
    SQ_DS_COLS,
    SQ_DS_DEL_COLS,
    SQ_DS_DEL,
    SQ_DS_SWEEP_ONE_COLS,
    SQ_DS_SWEEP_ONE,
    SQ_DS_SWEEP_ALL_COLS,
    SQ_DS_SWEEP_ALL,
    SQ_JOB_INSERT,
    SQ_JOB_UPDATE,
    SQ_JOB_GET,
    SQ_JOB_BY_IDEM,
    SQ_JOB_SEQ,
    SQ_JOB_LIST,
    SQ_JOB_LIST_STATUS,
    SQ_JOB_LIST_DESC,
    SQ_JOB_LIST_STATUS_DESC,
    SQ_JOB_DEL,
    SQ_JOB_ACTIVE,
    SQ_JOB_REQUEUE,
    SQ_JOB_COUNTS,
    SQ_NSTMT
} sq_stmt_id;

typedef struct sq_conn {
    sqlite3 *db;
    sqlite3_stmt *st[SQ_NSTMT];
} sq_conn;

/* A write: fn(c, arg) runs on the writer thread inside a batch's
 * transaction, in a savepoint of its own (unless single), and returns a STORE_* status
 * (anything but STORE_OK undoes its statements). */
typedef int (*sq_write_fn)(sq_conn *c, void *arg);

/* A queued write. Synchronous ones live on their caller's stack; an
 * asynchronous one is the caller's until done(ctx, rc) is called, on the
 * writer thread after the batch's commit (or at once when the store is
 * closing): done owns it from then on. */
typedef struct sq_wreq {
    sq_write_fn fn;
    void *arg;
    void (*done)(void *ctx, int rc); /* NULL: synchronous */
    void *ctx;
    int single; /* fn runs one write statement: SQLite undoes a failed
                   statement by itself, so it needs no savepoint (two
                   statements fewer for every job write) */
    struct sq_wreq *folded;    /* sq_job_fold: this write's change rides on
                                  that earlier write, which sets its rc */
    struct sq_wreq *fold_last; /* sq_job_fold: the last write folded into this one */
    int rc;
    int finished;
    struct sq_wreq *next;
} sq_wreq;

typedef struct sq_store {
    store base;
    int lock_fd;         /* <dir>/fitd.lock, write-locked while open; -1 = none */
    pthread_mutex_t wmu; /* the write queue */
    pthread_cond_t wcv;  /* work for the writer */
    pthread_cond_t wdone; /* synchronous writes finished */
    sq_wreq *whead, *wtail;
    int wstop, wstarted;
    pthread_t wthread;
    sq_conn writer;      /* the writer thread's alone */
    /* The syncer (store_sqlite_sync.c): committed writes waiting for the
       fdatasync of the WAL that makes them durable, then told. */
    int wal_fd;          /* <db>-wal read-only, for fdatasync; -1: the writer
                            commits with synchronous=FULL and nothing waits */
    pthread_mutex_t smu; /* the list below, sstop */
    pthread_cond_t scv;
    sq_wreq *shead, *stail;
    int sstop, sstarted;
    pthread_t sthread;
    _Atomic unsigned long syncs; /* fdatasyncs begun (tests) */
    pthread_mutex_t rmu; /* the pool: free[0..nfree) */
    pthread_cond_t rcv;
    sq_conn readers[SQ_READERS];
    sq_conn *free[SQ_READERS];
    int nfree;
} sq_store;

/* The statement id of c, reset and with its bindings cleared. */
sqlite3_stmt *sq_stmt(sq_conn *c, sq_stmt_id id);
/* Steps st until it is done; returns SQLITE_DONE or the (extended) error. */
int sq_run(sqlite3_stmt *st);
/* The store status for a failed step: STORE_CONFLICT for a primary key or
 * unique constraint, else STORE_ERROR. */
int sq_fail(int xrc);

/* store_sqlite_job.c: within one batch (a list), marks a job's later
 * asynchronous status changes as folded into its first write there (its
 * insert, or an update) when each goes on from the status the one before
 * set. Stops at any other kind of write. */
void sq_job_fold(sq_wreq *batch);
/* Runs carrier (a write with fold_last set) and what was folded into it
 * as one statement: the carrier's insert or conditional update, with the
 * last write's status, times, result and history. That commits the same
 * state as running them one by one; if it is refused, they run one by one
 * (so each gets the status it would have had). Sets the folded writes' rc
 * and returns the carrier's. A job whose insert, "running" and result
 * share a commit costs one statement instead of three. */
int sq_job_run_chain(sq_conn *c, sq_wreq *carrier);

/* store_sqlite_writer.c: runs fn(c, arg) on the writer and waits for its
 * batch's commit. Returns fn's status, or STORE_ERROR when the batch could
 * not be committed (or the store is closing). */
int sq_write(sq_store *s, sq_write_fn fn, void *arg);
/* Queues r (fn, arg, done, ctx set) and returns at once. */
void sq_write_async(sq_store *s, sq_wreq *r);
/* Starts the writer thread: 0, or -1. */
int sq_writer_start(sq_store *s);
/* Runs what is queued, then stops the writer thread (and the syncer). */
void sq_writer_stop(sq_store *s);

/* store_sqlite_sync.c: hands a committed (or refused) batch, a list, to
 * the syncer, which makes it durable and then tells each write: done(ctx,
 * rc) for an asynchronous one, finished for a synchronous one. Batches are
 * told in the order they were handed over. Without a WAL descriptor the
 * batch is told at once on the caller's thread (its commit synced). */
void sq_sync_handoff(sq_store *s, sq_wreq *batch);
/* Starts the syncer thread: 0, or -1. */
int sq_sync_start(sq_store *s);
/* Tells what was handed over, then stops the syncer thread. */
void sq_sync_stop(sq_store *s);
/* Tells the writes of batch (a list): the async ones' callbacks, then the
 * sync ones' waiters (under wmu). */
void sq_tell(sq_store *s, sq_wreq *batch);
/* Takes a reader from the pool (waiting for one) / gives it back. */
sq_conn *sq_read_acquire(sq_store *s);
void sq_read_release(sq_store *s, sq_conn *c);
/* A read transaction on a reader: 0 when begun; end always succeeds. */
int sq_read_begin(sq_conn *c);
void sq_read_end(sq_conn *c);

/* The text of column i of the current row, copied (NULL for SQL NULL);
 * sets *fail when it cannot be copied. */
char *sq_text_dup(sqlite3_stmt *st, int i, int *fail);
/* Copies column i's text into dst[cap]: 0, or -1 when NULL or too long. */
int sq_text_copy(sqlite3_stmt *st, int i, char *dst, size_t cap);
/* The seq of the row keyed by key, by statement id (SQ_DS_SEQ or
 * SQ_JOB_SEQ): STORE_OK, STORE_NOTFOUND or STORE_ERROR. */
int sq_seq_of(sq_conn *c, sq_stmt_id id, const char *key, sqlite3_int64 *seq);
/* A page's `limit + 1` as a LIMIT value (capped). */
sqlite3_int64 sq_page_limit(size_t limit);

/* The store_ops functions, by file. store_sqlite_ds.c: */
int sq_dataset_put(store *s, const ds_meta *m, ds_data *d);
int sq_dataset_meta(store *s, const char *id, ds_meta **out);
int sq_dataset_data(store *s, const char *id, ds_data **out);
int sq_dataset_delete(store *s, const char *id);
int sq_dataset_sweep_inline(store *s, const char *id, int64_t before_ms, size_t *n);
int sq_dataset_list(store *s, const char *after, size_t limit, int include_inline, ds_meta ***out,
                    size_t *n, int *more);
/* store_sqlite_job.c: */
int sq_job_put(store *s, const job_rec *j);
int sq_job_put_async(store *s, const job_rec *j, void (*done)(void *ctx, int rc), void *ctx);
int sq_job_update(store *s, const job_rec *j, int from);
int sq_job_update_async(store *s, const job_rec *j, int from, void (*done)(void *ctx, int rc),
                        void *ctx);
int sq_job_get(store *s, const char *id, job_rec **out);
int sq_job_by_idem(store *s, const char *key, job_rec **out);
int sq_job_delete(store *s, const char *id);
int sq_job_list(store *s, const char *after, size_t limit, int status, int newest_first,
                job_rec ***out, size_t *n, int *more);
int sq_job_requeue(store *s, char ***ids, size_t *n);
int sq_job_counts(store *s, size_t counts[JOB_STATUS_COUNT]);

/* The name of the "fitd" VFS (store_sqlite_vfs.c: the default VFS with
 * each WAL frame written in one call instead of two), registered on the
 * first call; NULL (the default VFS) if it could not be. */
#define SQ_VFS_NAME "fitd"
const char *sq_vfs(void);

#endif
