/* jobs.h - the job registry: a bounded queue, a fixed pool of worker
 * threads running the engine, live progress, cancellation, and every
 * status transition written to the store before it is visible.
 *
 * Lifecycle: queued -> running -> succeeded | failed | cancelled. On drain
 * (SIGTERM) running jobs get a grace period, then are interrupted and go
 * back to queued in the store, to run again on the next start. */
#ifndef FITD_JOBS_H
#define FITD_JOBS_H

#include <jansson.h>
#include <stddef.h>

#include "core/spec.h"
#include "store.h"

struct app;
struct spec_run;
typedef struct jobs jobs;

enum { JOBS_OK = 0, JOBS_FULL, JOBS_NOTFOUND, JOBS_CONFLICT, JOBS_ERROR, JOBS_DRAINING };

/* A registry for app (borrowed) with its workers started. NULL on failure. */
jobs *jobs_start(struct app *a);
/* At start-up: queued and running jobs in the store are queued again
 * (beyond the queue's capacity too: nothing acknowledged is dropped). */
int jobs_recover(jobs *j);
/* Stores the new job rec (status queued; borrowed) and queues it, without
 * waiting for the store's commit: returns JOBS_OK when done(ctx, rc) will
 * be called once, on another thread (perhaps before this returns), after
 * the commit: rc JOBS_OK (stored and queued), JOBS_CONFLICT (its id or
 * idempotency key exists) or JOBS_ERROR (a store failure). Refuses at
 * once, without calling done: JOBS_FULL when the queue is at capacity
 * (nothing stored), JOBS_DRAINING while shutting down, JOBS_ERROR. A
 * client hears of the job only from done: acknowledged means committed.
 * spec: rec's spec as the submit parsed and resolved it (taken, whatever
 * the result), handed to the worker so it need not read rec->spec_json
 * again; NULL: the worker reads it. */
int jobs_submit(jobs *j, const job_rec *rec, struct spec_run *spec,
                void (*done)(void *ctx, int rc), void *ctx);
/* Cancels: a queued job becomes cancelled at once and never starts; a
 * running one stops within one batch (keeping its last params). A finished
 * job is left as it is. JOBS_NOTFOUND when unknown. */
int jobs_cancel(jobs *j, const char *id);

/* Cancels if needed, then deletes the job from the store. */
int jobs_delete(jobs *j, const char *id);
/* The live progress of a job running in this process, as
 * {"epoch", "epochs", "loss", "val_loss"?, "params": {...}}, or NULL. */
json_t *jobs_progress(jobs *j, const char *id);
/* A copy of the epochs a job running here has finished after epoch
 * `after`: at most max of them, evenly spaced, the latest always included
 * (event streams coalesce fast jobs this way). */
typedef struct jobs_feed_copy {
    long epochs;      /* the run's epoch budget */
    int has_val;
    size_t np, n;
    char names[FIT_MAX_PARAMS][FIT_NAME_MAX];
    long *epoch;      /* [n] owned */
    double *rows;     /* [n * (2 + np)]: loss, val_loss, params; owned */
} jobs_feed_copy;

/* Returns 1 with out filled (free with jobs_feed_free) when id is running
 * in this process, 0 when it is not. */
int jobs_feed(jobs *j, const char *id, long after, size_t max, jobs_feed_copy *out);
void jobs_feed_free(jobs_feed_copy *f);
size_t jobs_queued(jobs *j);
size_t jobs_running(jobs *j);
size_t jobs_capacity(jobs *j);
/* Stops taking work; waits up to grace seconds for running jobs, then
 * interrupts them (requeued in the store); joins the workers. */
void jobs_drain(jobs *j, double grace);
void jobs_free(jobs *j); /* after jobs_drain; NULL-safe */

/* A new id: prefix ("job_", "ds_") + 24 hex digits, the first 12 the
 * creation time in ms (so ids sort by it), the rest random. */
void jobs_new_id(const char *prefix, char *out, size_t cap);
/* Unix epoch milliseconds now. */
long long jobs_now_ms(void);

#endif
