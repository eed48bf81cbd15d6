/* jobs_queue.c - the queue of a single-process store's jobs, kept in
 * memory: what a submit and start-up recovery push, what a cancel takes
 * out, and the submit's way from its store write to the queue. (A shared
 * store's queue is the store's own: jobs_lease.c.) */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "jobs_impl.h"
#include "log.h"
#include "spec_json.h"

int jobs_queue_push(jobs *j, const char *id, job_rec *rec, spec_run *spec) {
    if (j->qlen == j->qcap) {
        size_t cap = j->qcap ? j->qcap * 2 : 64;
        queued *q = malloc(cap * sizeof *q);
        if (q == NULL) return -1;
        for (size_t i = 0; i < j->qlen; i++) q[i] = j->queue[(j->qhead + i) % j->qcap];
        free(j->queue);
        j->queue = q;
        j->qcap = cap;
        j->qhead = 0;
    }
    queued *e = &j->queue[(j->qhead + j->qlen) % j->qcap];
    snprintf(e->id, sizeof e->id, "%s", id);
    e->rec = rec;
    e->spec = spec;
    j->qlen++;
    pthread_cond_signal(&j->cond);
    return 0;
}

int jobs_queue_remove(jobs *j, const char *id) {
    for (size_t i = 0; i < j->qlen; i++) {
        queued *e = &j->queue[(j->qhead + i) % j->qcap];
        if (strcmp(e->id, id) != 0) continue;
        jobs_queued_free(e);
        for (size_t k = i; k + 1 < j->qlen; k++)
            j->queue[(j->qhead + k) % j->qcap] = j->queue[(j->qhead + k + 1) % j->qcap];
        j->qlen--;
        return 1;
    }
    return 0;
}

void jobs_queued_free(queued *e) {
    job_rec_free(e->rec);
    spec_run_free(e->spec);
    e->rec = NULL;
    e->spec = NULL;
}

int jobs_recover(jobs *j) {
    char **ids = NULL;
    size_t n = 0;
    if (store_job_requeue(j->a->st, &ids, &n) != STORE_OK) return JOBS_ERROR;
    pthread_mutex_lock(&j->mu);
    for (size_t i = 0; i < n; i++) {
        if (!j->shared) jobs_queue_push(j, ids[i], NULL, NULL); /* a shared store's workers claim them */
        free(ids[i]);
    }
    j->wakes++;
    pthread_cond_broadcast(&j->cond);
    pthread_mutex_unlock(&j->mu);
    free(ids);
    if (n) log_event("info", "recovered", json_pack("{s:i}", "requeued", (int)n));
    return JOBS_OK;
}

/* A submit between its store write and the commit, shared by the
 * submitter and the commit's callback (the last of the two frees it).
 * On a single-process store the job joins the queue as soon as its insert
 * is on its way to the store, not when it is committed: the worker's
 * writes queue up behind the insert (the store applies writes in order),
 * so one group commit can hold a job's insert, "running" and result. The
 * client hears nothing before the insert is durable. If the commit fails,
 * the job leaves the queue, or its worker is told to stop and its writes
 * find no row. */
typedef struct submit {
    jobs *j;
    char id[STORE_ID_MAX];
    job_rec *rec;   /* for the worker until queued (owned; NULL when it could not be copied) */
    spec_run *spec; /* the same, its resolved spec (owned; may be NULL) */
    int attempts;
    int refs;      /* under j->mu, as are the flags below */
    int queued;    /* pushed to the queue before its commit */
    int committed; /* the commit's callback has run */
    void (*done)(void *ctx, int rc);
    void *ctx;
} submit;

/* Drops one of sb's two references under j->mu; returns 1 when it was
 * the last (the caller frees sb after unlocking). */
static int submit_unref(submit *sb) {
    return --sb->refs == 0;
}

static void submit_free(submit *sb) {
    job_rec_free(sb->rec);
    spec_run_free(sb->spec);
    free(sb);
}

/* On the store's writer thread, once the job is committed (or refused):
 * a job not yet queued takes its reserved slot (or gives it back); one
 * queued early leaves the queue if the store refused it. */
static void submit_committed(void *arg, int src) {
    submit *sb = arg;
    jobs *j = sb->j;
    int rc = src == STORE_OK ? JOBS_OK : src == STORE_CONFLICT ? JOBS_CONFLICT : JOBS_ERROR;
    if (rc == JOBS_ERROR) atomic_fetch_add(&j->a->metrics.store_errors, 1);
    pthread_mutex_lock(&j->mu);
    sb->committed = 1;
    if (sb->queued) {
        if (rc != JOBS_OK && !jobs_queue_remove(j, sb->id)) {
            live *lv = jobs_find_live(j, sb->id);
            if (lv) atomic_store(&lv->cancel, 1);
        }
    } else {
        j->reserved--;
        /* a shared store's own queue has it now (and woke some worker) */
        if (rc == JOBS_OK && !j->shared) {
            if (jobs_queue_push(j, sb->id, sb->rec, sb->spec) == 0) {
                sb->rec = NULL;
                sb->spec = NULL;
            } else {
                rc = JOBS_ERROR;
            }
        }
    }
    pthread_mutex_unlock(&j->mu);
    if (rc == JOBS_OK) jobs_log_status(sb->id, JOB_QUEUED, sb->attempts, NULL);
    sb->done(sb->ctx, rc);
    /* the reference goes last: the submitter may free sb as soon as it is
       gone (it did, under load, while this still read sb->done) */
    pthread_mutex_lock(&j->mu);
    int last = submit_unref(sb);
    pthread_mutex_unlock(&j->mu);
    if (last) submit_free(sb);
}

int jobs_submit(jobs *j, const job_rec *rec, spec_run *spec, void (*done)(void *ctx, int rc),
                void *ctx) {
    submit *sb = calloc(1, sizeof *sb);
    if (sb == NULL) {
        spec_run_free(spec);
        return JOBS_ERROR;
    }
    sb->j = j;
    snprintf(sb->id, sizeof sb->id, "%s", rec->id);
    sb->rec = j->shared ? NULL : job_rec_copy(rec, 0);
    sb->spec = sb->rec != NULL ? spec : NULL; /* a shared store's worker reads the spec */
    if (sb->spec == NULL) spec_run_free(spec);
    sb->attempts = rec->attempts;
    sb->refs = 2;
    sb->done = done;
    sb->ctx = ctx;
    pthread_mutex_lock(&j->mu);
    int rc = JOBS_OK;
    if (j->stopping || atomic_load(&j->a->state) == APP_DRAINING)
        rc = JOBS_DRAINING;
    else if ((j->shared ? atomic_load(&j->queued_estimate) : j->qlen) + j->reserved >= j->capacity)
        rc = JOBS_FULL;
    else
        j->reserved++; /* so a burst of submits cannot overfill the queue while committing */
    pthread_mutex_unlock(&j->mu);
    if (rc == JOBS_OK && store_job_put_async(j->a->st, rec, submit_committed, sb) != STORE_OK) {
        pthread_mutex_lock(&j->mu);
        j->reserved--;
        pthread_mutex_unlock(&j->mu);
        rc = JOBS_ERROR;
    }
    if (rc != JOBS_OK) {
        submit_free(sb);
        return rc;
    }
    pthread_mutex_lock(&j->mu);
    if (!sb->committed && sb->rec != NULL && jobs_queue_push(j, sb->id, sb->rec, sb->spec) == 0) {
        j->reserved--;
        sb->rec = NULL;
        sb->spec = NULL;
        sb->queued = 1;
    }
    int last = submit_unref(sb);
    pthread_mutex_unlock(&j->mu);
    if (last) submit_free(sb);
    return JOBS_OK;
}
