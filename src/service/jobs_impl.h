/* jobs_impl.h - private to the job registry (jobs.c, jobs_lease.c): the
 * worker slots and the registry itself.
 *
 * Two ways to find work. With a store of one process's own (memory,
 * sqlite) the registry keeps the queue in memory: a submit pushes the id
 * once it is committed, and start-up pushes what the store had queued.
 * With a shared store (postgres) the queue is the store's: workers claim
 * jobs there under a lease (jobs_lease.c), a keeper thread renews the
 * leases of the jobs trained here and reaps expired ones, and the store's
 * events wake idle workers and the requests waiting on a job. */
#ifndef FITD_JOBS_IMPL_H
#define FITD_JOBS_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "app.h"
#include "core/spec.h"
#include "jobs.h"
#include "store.h"

/* What a worker shows while it trains. */
typedef struct live {
    char id[STORE_ID_MAX]; /* "" when idle */
    atomic_int cancel;
    int interrupted;       /* cancelled by drain: requeue, don't finish */
    pthread_mutex_t mu;    /* guards the progress below */
    long epoch, epochs;
    double loss, val_loss;
    int has_val;
    size_t np;
    char names[FIT_MAX_PARAMS][FIT_NAME_MAX];
    double params[FIT_MAX_PARAMS];
    /* every finished epoch of this run, for event streams:
       feed[k * (2 + np) ...] = loss, val_loss, params */
    double *feed;
    size_t feed_n, feed_cap;
    double last_notify;    /* monotonic seconds of the last stream wake-up */
    struct jobs *owner;
} live;

/* A job waiting for a worker: its id, the record its submit stored and
 * the spec it resolved (both owned; NULL for jobs requeued at start-up,
 * which the worker reads from the store; spec NULL: read rec's). */
typedef struct queued {
    char id[STORE_ID_MAX];
    job_rec *rec;
    struct spec_run *spec;
} queued;

struct jobs {
    app *a;
    pthread_mutex_t mu; /* guards queue, live ids, transitions */
    pthread_cond_t cond;
    queued *queue;    /* ring buffer */
    size_t qcap, qhead, qlen, reserved;
    size_t capacity;  /* --queue */
    int stopping;
    int nworkers;
    pthread_t *threads;
    live *lives;      /* [nworkers] */
    atomic_size_t running;

    /* shared stores (jobs_lease.c) */
    int shared;
    char owner[64];           /* this process, as lease holder */
    int64_t lease_ms;
    unsigned long wakes;      /* bumped by every "queued" event, under mu */
    pthread_t keeper;
    int keeper_started;
    pthread_cond_t keeper_cv; /* wakes the keeper to stop */
    atomic_size_t queued_estimate; /* the store's queued jobs, as the keeper last counted */
};


/* jobs_lease.c: starts the shared-store machinery (owner id, listener,
 * keeper thread): 0, or -1. */
int lease_start(jobs *j);
/* Stops the keeper (after the workers stopped). */
void lease_stop(jobs *j);
/* For a worker: claims the next job (returned owned, running, leased to
 * this process), waiting for one; NULL once the registry is stopping. */
job_rec *lease_claim_wait(jobs *j);

/* jobs_queue.c, under j->mu: pushes id (taking rec and spec, which may
 * be NULL, only on success) and wakes a worker, growing the ring when
 * recovery overfills it: 0, or -1 when out of memory. jobs_queue_remove
 * takes id out (a cancelled queued job), keeping the order of the rest:
 * 1 if it was there. jobs_queued_free frees what an entry owns. */
int jobs_queue_push(jobs *j, const char *id, job_rec *rec, struct spec_run *spec);
int jobs_queue_remove(jobs *j, const char *id);
void jobs_queued_free(queued *e);

/* jobs.c: the worker slot training id, or NULL (under j->mu); one log
 * line for a job's new status (reason: why, or NULL). */
live *jobs_find_live(jobs *j, const char *id);
void jobs_log_status(const char *id, job_status status, int attempts, const char *reason);

#endif
