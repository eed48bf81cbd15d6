/* jobs_lease.c - the job registry on a shared store (postgres): workers
 * claim jobs from the store's queue under a lease; one keeper thread per
 * process renews the leases of the jobs trained here (and so hears of
 * cancels asked on other replicas), reaps the leases of dead replicas,
 * and counts the queue for backpressure; the store's events wake idle
 * workers at once and the requests waiting on a job, wherever it runs.
 *
 * Why leases: a replica that dies holding a job must not hold it for
 * ever, and one that is merely slow must not have its job run twice at
 * once. A job is trained only by the holder of an unexpired lease, and
 * whatever it stores is conditional on still holding it (store.h); a
 * reaped job runs again from the start with its seed, so its result is
 * the same. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jobs_impl.h"
#include "jout.h"
#include "log.h"
#include "thread_name.h"

/* How long an idle worker sleeps when no event comes (events can be lost
 * while the database connection is down). */
#define IDLE_POLL_MS 1000
/* After a store error: back off this long before the next claim. */
#define ERROR_BACKOFF_MS 500
/* How often the progress of the jobs trained here is published for event
 * streams on other replicas (a row and a notice per job each time). */
#define PUBLISH_MS 250

/* cond timed wait of ms milliseconds on j->mu (CLOCK_REALTIME, as the
 * conds here are made). */
static void wait_ms(pthread_cond_t *cv, pthread_mutex_t *mu, long ms) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(cv, mu, &ts);
}

/* The store's events, on its listening thread. */
static void on_event(void *ctx, int kind, const char *job_id) {
    jobs *j = ctx;
    if (kind == STORE_EV_QUEUED) {
        pthread_mutex_lock(&j->mu);
        j->wakes++;
        pthread_cond_broadcast(&j->cond);
        pthread_mutex_unlock(&j->mu);
    } else if (kind == STORE_EV_CHANGED) {
        http_notify(j->a->http, job_id, 1); /* NULL-safe before the server starts */
    }
}

job_rec *lease_claim_wait(jobs *j) {
    metrics *m = &j->a->metrics;
    pthread_mutex_lock(&j->mu);
    while (!j->stopping) {
        unsigned long seen = j->wakes;
        pthread_mutex_unlock(&j->mu);
        job_rec *rec = NULL;
        int rc = store_job_claim(j->a->st, j->owner, j->lease_ms, jobs_now_ms(), &rec);
        if (rc == STORE_OK) {
            atomic_fetch_add(&m->lease_claims, 1);
            snprintf(rec->owner, sizeof rec->owner, "%s", j->owner);
            return rec;
        }
        if (rc == STORE_ERROR) atomic_fetch_add(&m->store_errors, 1);
        pthread_mutex_lock(&j->mu);
        /* a "queued" event since the claim looked: look again at once */
        if (j->wakes == seen && !j->stopping)
            wait_ms(&j->cond, &j->mu, rc == STORE_ERROR ? ERROR_BACKOFF_MS : IDLE_POLL_MS);
    }
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What the keeper knows of each slot's lease: the job, and when its lease
 * was last known good (claimed or renewed), monotonic ms. */
typedef struct held {
    char id[STORE_ID_MAX];
    int64_t good_at;
} held;

/* Renews the lease of every job trained here; a cancel asked elsewhere,
 * or a lease lost (reaped while this process stalled), stops the run: its
 * result would not be stored anyway. So does a lease that could not be
 * renewed for two thirds of its length (the database out of reach): it is
 * stopped before it can expire, so that when another replica takes the job
 * this one has let go of it - at most one replica trains a job at once. */
static void renew_all(jobs *j, held *h) {
    metrics *m = &j->a->metrics;
    for (int w = 0; w < j->nworkers; w++) {
        char id[STORE_ID_MAX];
        pthread_mutex_lock(&j->mu);
        memcpy(id, j->lives[w].id, sizeof id);
        pthread_mutex_unlock(&j->mu);
        if (id[0] == '\0') continue;
        int64_t start = mono_ms();
        if (strcmp(h[w].id, id) != 0) { /* claimed since the last round */
            memcpy(h[w].id, id, sizeof id);
            h[w].good_at = start - j->lease_ms / 3; /* the claim was at most a round ago */
        }
        int cancel = 0;
        int rc = store_job_renew(j->a->st, id, j->owner, j->lease_ms, &cancel);
        if (rc == STORE_OK) {
            atomic_fetch_add(&m->lease_renewals, 1);
            h[w].good_at = start;
        }
        if (rc == STORE_ERROR) {
            atomic_fetch_add(&m->store_errors, 1);
            if (mono_ms() - h[w].good_at < 2 * j->lease_ms / 3)
                continue; /* the lease still runs; the next round tries again */
        }
        if (rc == STORE_OK && !cancel) continue;
        pthread_mutex_lock(&j->mu);
        if (strcmp(j->lives[w].id, id) == 0) {
            /* a lease let go is an interruption, not a cancel: the job goes
               back to the queue (if this replica can still say so) */
            if (rc != STORE_OK) j->lives[w].interrupted = 1;
            atomic_store(&j->lives[w].cancel, 1);
        }
        pthread_mutex_unlock(&j->mu);
        if (rc != STORE_OK)
            log_event("warn", "lease", json_pack("{s:s, s:s}", "job", id, "detail",
                                                 rc == STORE_ERROR
                                                     ? "lease not renewed in time: run stopped"
                                                     : "lease lost: another replica may run it"));
    }
}

/* Publishes the progress of every job trained here that moved on since
 * the last time (pub_id/pub_epoch: what was published, per slot). */
static void publish_all(jobs *j, char (*pub_id)[STORE_ID_MAX], long *pub_epoch) {
    for (int w = 0; w < j->nworkers; w++) {
        char id[STORE_ID_MAX];
        long epoch;
        pthread_mutex_lock(&j->mu);
        memcpy(id, j->lives[w].id, sizeof id);
        pthread_mutex_lock(&j->lives[w].mu);
        epoch = j->lives[w].epoch;
        pthread_mutex_unlock(&j->lives[w].mu);
        pthread_mutex_unlock(&j->mu);
        if (id[0] == '\0' || epoch <= 0) continue;
        if (strcmp(id, pub_id[w]) == 0 && epoch <= pub_epoch[w]) continue;
        json_t *prog = jobs_progress(j, id);
        char *data = prog ? jout_dumps(prog, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) : NULL;
        long at = prog ? (long)json_integer_value(json_object_get(prog, "epoch")) : 0;
        json_decref(prog);
        if (data != NULL && at > 0 &&
            store_job_progress_put(j->a->st, id, j->owner, at, data) != STORE_ERROR) {
            memcpy(pub_id[w], id, sizeof id);
            pub_epoch[w] = at;
        }
        free(data);
    }
}

static void *keeper_main(void *arg) {
    thread_name("fitd-keeper");
    jobs *j = arg;
    metrics *m = &j->a->metrics;
    long period = (long)(j->lease_ms / 3 > 0 ? j->lease_ms / 3 : 1);
    long tick = period < PUBLISH_MS ? period : PUBLISH_MS, since = period;
    char(*pub_id)[STORE_ID_MAX] = calloc((size_t)j->nworkers + 1, sizeof *pub_id);
    long *pub_epoch = calloc((size_t)j->nworkers + 1, sizeof *pub_epoch);
    held *h = calloc((size_t)j->nworkers + 1, sizeof *h);
    pthread_mutex_lock(&j->mu);
    while (!j->stopping) {
        pthread_mutex_unlock(&j->mu);
        if (pub_id && pub_epoch) publish_all(j, pub_id, pub_epoch);
        if ((since += tick) < period) {
            pthread_mutex_lock(&j->mu);
            if (!j->stopping) wait_ms(&j->keeper_cv, &j->mu, tick);
            continue;
        }
        since = 0;
        if (h) renew_all(j, h);
        size_t reaped = 0;
        if (store_job_reap(j->a->st, jobs_now_ms(), &reaped) != STORE_OK)
            atomic_fetch_add(&m->store_errors, 1);
        else if (reaped > 0)
            log_event("info", "lease", json_pack("{s:i}", "requeued_expired", (int)reaped));
        size_t counts[JOB_STATUS_COUNT] = {0};
        if (store_job_counts(j->a->st, counts) == STORE_OK)
            atomic_store(&j->queued_estimate, counts[JOB_QUEUED]);
        else
            atomic_fetch_add(&m->store_errors, 1);
        pthread_mutex_lock(&j->mu);
        if (!j->stopping) wait_ms(&j->keeper_cv, &j->mu, tick);
    }
    pthread_mutex_unlock(&j->mu);
    free(pub_id);
    free(pub_epoch);
    free(h);
    /* the drain's interrupted jobs were stored as queued; nothing is held */
    return NULL;
}

int lease_start(jobs *j) {
    char host[64] = "fitd";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    char rnd[STORE_ID_MAX];
    jobs_new_id("", rnd, sizeof rnd);
    /* unique per process: a restarted replica is a new owner, so it cannot
       mistake its predecessor's leases for its own */
    snprintf(j->owner, sizeof j->owner, "%.30s:%ld:%.12s", host, (long)getpid(), rnd);
    j->lease_ms = (int64_t)(j->a->cfg.lease_seconds * 1000.0);
    if (j->lease_ms < 100) j->lease_ms = 100;
    if (store_listen(j->a->st, on_event, j) != STORE_OK) {
        log_event("error", "store", json_pack("{s:s}", "detail", "cannot listen for job events"));
        return -1;
    }
    if (pthread_create(&j->keeper, NULL, keeper_main, j) != 0) return -1;
    j->keeper_started = 1;
    log_event("info", "replica", json_pack("{s:s, s:f}", "owner", j->owner, "lease_seconds",
                                           (double)j->lease_ms / 1000.0));
    return 0;
}

void lease_stop(jobs *j) {
    if (!j->keeper_started) return;
    pthread_mutex_lock(&j->mu);
    j->stopping = 1;
    pthread_cond_broadcast(&j->keeper_cv);
    pthread_mutex_unlock(&j->mu);
    pthread_join(j->keeper, NULL);
    j->keeper_started = 0;
}
