/* jobs.c - workers and live state of training jobs (their queue: jobs_queue.c). */
#include "jout.h"
#include "jobs.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "core/train.h"
#include "history_pack.h"
#include "jobdoc.h"
#include "jobs_impl.h"
#include "jobres.h"
#include "log.h"
#include "problem.h"
#include "rescache.h"
#include "seed.h"
#include "spec_json.h"
#include "thread_name.h"

long long jobs_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void jobs_new_id(const char *prefix, char *out, size_t cap) {
    /* 6 bytes of the clock (ms, big-endian), then 6 random ones: ids sort
       by creation, and a burst of new ids lands on one page of the store's
       id index instead of one random page each (a 4 KiB WAL frame per job
       with 12 random bytes) */
    unsigned char b[12];
    unsigned long long ms = (unsigned long long)jobs_now_ms();
    for (int i = 0; i < 6; i++) b[i] = (unsigned char)(ms >> (8 * (5 - i)));
    if (seed_bytes(b + 6, 6) != 0) {
        /* no random source: a counter still gives unique ids */
        static atomic_ulong counter;
        unsigned long x = atomic_fetch_add(&counter, 1);
        for (int i = 0; i < 6; i++) b[6 + i] = (unsigned char)(x >> (8 * (5 - i)));
    }
    static const char hex[] = "0123456789abcdef";
    size_t n = (size_t)snprintf(out, cap, "%s", prefix);
    for (size_t i = 0; i < sizeof b && n + 2 < cap; i++) {
        out[n++] = hex[b[i] >> 4];
        out[n++] = hex[b[i] & 15];
    }
    if (n < cap) out[n] = '\0';
}

void jobs_log_status(const char *id, job_status status, int attempts, const char *reason) {
    log_job(id, job_status_name(status), attempts, reason);
}

/* The 50 ms throttle below reads the coarse clock (a few ms of resolution,
 * a few ns a read) after every epoch. */
static double coarse_now(void) {
    struct timespec ts;
#ifdef CLOCK_MONOTONIC_COARSE
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
#else
    clock_gettime(CLOCK_MONOTONIC, &ts);
#endif
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* After each epoch: the live progress, the stream feed, and a wake-up for
 * parked event streams at most every 50 ms (so a job of a million
 * one-microsecond epochs does not flood the HTTP threads). */
static void on_epoch(void *ctx, const train_progress *p) {
    live *lv = ctx;
    size_t w = 2 + p->nparams;
    pthread_mutex_lock(&lv->mu);
    lv->epoch = p->epoch;
    lv->epochs = p->epochs;
    lv->loss = p->loss;
    lv->has_val = p->has_val;
    lv->val_loss = p->val_loss;
    lv->np = p->nparams;
    memcpy(lv->params, p->params, p->nparams * sizeof(double));
    if (lv->feed_n == lv->feed_cap) {
        size_t cap = lv->feed_cap ? lv->feed_cap * 2 : 256;
        double *f = realloc(lv->feed, cap * w * sizeof *f);
        if (f) {
            lv->feed = f;
            lv->feed_cap = cap;
        }
    }
    if (lv->feed_n < lv->feed_cap) {
        double *row = lv->feed + lv->feed_n * w;
        row[0] = p->loss;
        row[1] = p->has_val ? p->val_loss : NAN;
        memcpy(row + 2, p->params, p->nparams * sizeof(double));
        lv->feed_n++;
    }
    pthread_mutex_unlock(&lv->mu);
    double now = coarse_now();
    if (now - lv->last_notify >= 0.05) {
        lv->last_notify = now;
        http_notify(lv->owner->a->http, lv->id, 0);
    }
}

int jobs_feed(jobs *j, const char *id, long after, size_t max, jobs_feed_copy *out) {
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&j->mu);
    live *lv = NULL;
    for (int w = 0; w < j->nworkers; w++)
        if (strcmp(j->lives[w].id, id) == 0) lv = &j->lives[w];
    if (lv == NULL) {
        pthread_mutex_unlock(&j->mu);
        return 0;
    }
    pthread_mutex_lock(&lv->mu);
    size_t np = lv->np, w = 2 + np;
    size_t first = after < 0 ? 0 : (size_t)after; /* feed[k] is epoch k + 1 */
    size_t avail = lv->feed_n > first ? lv->feed_n - first : 0;
    size_t n = avail < max ? avail : max;
    out->epochs = lv->epochs;
    out->has_val = lv->has_val;
    out->np = np;
    memcpy(out->names, lv->names, sizeof out->names);
    if (n > 0) {
        out->epoch = malloc(n * sizeof *out->epoch);
        out->rows = malloc(n * w * sizeof *out->rows);
        if (out->epoch && out->rows) {
            for (size_t k = 0; k < n; k++) {
                /* evenly spaced over the backlog, ending on the latest */
                size_t idx = first + (n == avail ? k : (k + 1) * avail / n - 1);
                out->epoch[k] = (long)idx + 1;
                memcpy(out->rows + k * w, lv->feed + idx * w, w * sizeof(double));
            }
            out->n = n;
        }
    }
    pthread_mutex_unlock(&lv->mu);
    pthread_mutex_unlock(&j->mu);
    return 1;
}

void jobs_feed_free(jobs_feed_copy *f) {
    free(f->epoch);
    free(f->rows);
    memset(f, 0, sizeof *f);
}

/* A job that failed before or outside training: its result as stored,
 * {"status": "failed", "error": {...}}, merged into the usual members by
 * the renderer of GET /v1/jobs/{id}. NULL when out of memory. */
static char *failure_text(const char *reason, const char *detail) {
    json_t *doc = json_pack("{s:s, s:{s:s, s:s}}", "status", "failed", "error", "reason", reason,
                            "detail", detail);
    char *text = doc ? jout_dumps(doc, JOBDOC_DUMP_FLAGS | JSON_COMPACT) : NULL;
    json_decref(doc);
    return text;
}

/* Trains rec (running) in worker slot lv, from handed when its submit
 * handed its resolved spec over (taken) or else from rec's stored spec.
 * Returns its result as the text the store keeps (owned; NULL when out of
 * memory), sets *status to how it ended and sets rec's history. */
static char *train_job(jobs *j, job_rec *rec, spec_run *handed, live *lv, job_status *status) {
    char *doc = NULL;
    job_spec js;
    problem p;
    fit_err e;
    train_result r;
    ds_data *dd = NULL;
    const fit_data *data = NULL;
    memset(&e, 0, sizeof e);
    memset(&r, 0, sizeof r);
    /* js (16 KB) is read only when nothing was handed over */
    if (handed == NULL) job_spec_init(&js);
    problem_init(&p);
    /* what it trains from: the handed-over parts, or js's once read */
    fit_spec *fit = handed ? &handed->fit : &js.fit;
    spec_source *src = handed ? &handed->src : &js.src;
    if (handed == NULL && spec_parse(rec->spec_json, strlen(rec->spec_json), &js, &p) != 0) {
        doc = failure_text("invalid", "the stored spec no longer reads");
        goto done;
    }
    if (src->kind == SOURCE_DATASET) {
        if (store_dataset_data(j->a->st, src->dataset, &dd) != STORE_OK) {
            doc = failure_text("dataset_missing", "the job's dataset was deleted");
            goto done;
        }
        data = dd->d;
    }
    if (handed == NULL && spec_resolve(&js, data, &p) != 0) {
        doc = failure_text("invalid", p.errors ? p.errors[0].detail : p.detail);
        goto done;
    }
    fit->seed = rec->seed;
    if (src->kind != SOURCE_DATASET) {
        if (source_load(src, &e) != FIT_OK) {
            doc = failure_text("invalid", e.msg);
            goto done;
        }
        data = src->data;
    }
    pthread_mutex_lock(&lv->mu);
    lv->np = fit->nparams;
    for (size_t i = 0; i < fit->nparams; i++) memcpy(lv->names[i], fit->params[i].name, FIT_NAME_MAX);
    pthread_mutex_unlock(&lv->mu);
    train_hooks hooks = {on_epoch, lv, &lv->cancel};
    if (train_run(fit, data, &hooks, &r, &e) != FIT_OK) {
        doc = failure_text(e.code == FIT_ENOMEM ? "out_of_memory" : "invalid", e.msg);
        goto done;
    }
    atomic_fetch_add(&j->a->metrics.epochs, (unsigned long)r.epochs_run);
    doc = jobdoc_result_text(fit, &r);
    int st = job_status_by_name(jobdoc_status(&r));
    *status = st < 0 ? JOB_FAILED : (job_status)st;
    rec->history = history_pack(fit, &r.hist, &rec->history_len);
done:
    train_result_free(&r);
    ds_data_release(dd);
    if (handed == NULL) job_spec_clear(&js);
    spec_run_free(handed);
    problem_clear(&p);
    return doc;
}

/* A worker's status change on its way to the store: what to tell once
 * it is committed. */
typedef struct transition {
    jobs *j;
    char id[STORE_ID_MAX];
    job_status status;
    int attempts;
    int interrupted;
    double seconds;      /* the run's length (finished runs) */
    char *answer;        /* the finished job's resource, for the cache (owned; NULL = none) */
    size_t answer_len;
    unsigned long epoch; /* the cache's epoch when it was rendered */
} transition;

/* On the store's writer thread: the change is durable, so now it is told
 * (log, metrics, and the requests waiting on the job). A conflict means a
 * cancel or delete got there first: that one was told already. */
static void transition_committed(void *ctx, int src) {
    transition *t = ctx;
    app *a = t->j->a;
    if (src == STORE_OK) {
        /* cached before anyone is woken: a ?wait answer needs no store read */
        if (t->answer) rescache_put(a->cache, t->id, t->answer, t->answer_len, t->epoch);
        jobs_log_status(t->id, t->status, t->attempts, t->interrupted ? "interrupted" : NULL);
        if (t->status != JOB_QUEUED && t->status != JOB_RUNNING)
            metrics_job_done(&a->metrics, t->seconds);
        http_notify(a->http, t->id, t->status != JOB_QUEUED && t->status != JOB_RUNNING);
    } else if (src == STORE_ERROR) {
        atomic_fetch_add(&a->metrics.store_errors, 1);
        log_event("error", "store", json_pack("{s:s, s:s, s:s}", "job", t->id, "detail",
                                              "cannot store the status", "status",
                                              job_status_name(t->status)));
    }
    free(t->answer);
    free(t);
}

/* Queues rec's change (from the status from) in the store, to be told
 * when committed. The worker does not wait: a store applies its writes in
 * order, and nobody hears of the change before it is durable. */
static void store_transition(jobs *j, const job_rec *rec, job_status from, int interrupted,
                             int finished) {
    transition *t = calloc(1, sizeof *t);
    if (t != NULL) {
        if (finished) { /* the resource GET /v1/jobs/{id} will answer */
            t->epoch = rescache_epoch(j->a->cache);
            t->answer = jobres_text_result(j->a, rec, rec->result_json);
            t->answer_len = t->answer ? strlen(t->answer) : 0;
        }
        t->j = j;
        snprintf(t->id, sizeof t->id, "%s", rec->id);
        t->status = rec->status;
        t->attempts = rec->attempts;
        t->interrupted = interrupted;
        if (rec->finished_ms > 0) t->seconds = (double)(rec->finished_ms - rec->started_ms) / 1000.0;
        if (store_job_update_async(j->a->st, rec, (int)from, transition_committed, t) == STORE_OK)
            return;
        free(t->answer);
    }
    free(t);
    log_event("error", "store", json_pack("{s:s, s:s}", "job", rec->id, "detail",
                                          "cannot queue the status change"));
}

/* Drops rec's result and history: a run starts from neither. */
static void forget_outcome(job_rec *rec) {
    free(rec->result_json);
    free(rec->history);
    rec->result_json = NULL;
    rec->history = NULL;
    rec->history_len = 0;
}

/* How a queued job reaches a worker. The slot shows the id before the
 * store hears "running", so a cancel always finds the flag to set. The
 * store settles a race with a cancel of the queued job: both changes are
 * conditional (from queued), and whichever is stored first wins; when the
 * cancel does, the run's own changes conflict and are dropped, and the
 * cancel, once stored, takes the job out of the queue or flags its slot
 * (jobs_cancel), so it stops early. No lock is held across a store call,
 * and the worker never waits for a commit: its changes join the store's
 * next group commit while it trains the next job. */
static void run_job(jobs *j, job_rec *rec, spec_run *spec, live *lv, int announce, int begun);

/* Slot lv starts on job id: under j->mu, so that taking a job from the
 * queue and showing it in a slot are one step for jobs_cancel. */
static void live_begin(live *lv, const char *id) {
    pthread_mutex_lock(&lv->mu);
    lv->feed_n = 0;
    lv->epoch = 0;
    pthread_mutex_unlock(&lv->mu);
    snprintf(lv->id, sizeof lv->id, "%s", id);
    atomic_store(&lv->cancel, 0);
    lv->interrupted = 0;
}

/* A job requeued at start-up: read from the store, run if still queued. */
static void run_one(jobs *j, const char *id, live *lv) {
    job_rec *rec = NULL;
    if (store_job_get(j->a->st, id, &rec) != STORE_OK || rec->status != JOB_QUEUED) {
        job_rec_free(rec);
        return;
    }
    run_job(j, rec, NULL, lv, 1, 0);
}

/* Trains rec (owned) in slot lv, from spec (owned; NULL: rec's stored
 * spec), and stores how it ended. announce: the
 * store has yet to hear "running" (a claim from a shared store said it);
 * begun: live_begin was called for it already. */
static void run_job(jobs *j, job_rec *rec, spec_run *spec, live *lv, int announce, int begun) {
    app *a = j->a;
    if (!begun) {
        pthread_mutex_lock(&j->mu);
        live_begin(lv, rec->id);
        pthread_mutex_unlock(&j->mu);
    }
    atomic_fetch_add(&j->running, 1);
    atomic_fetch_add(&a->metrics.jobs_started, 1);
    forget_outcome(rec);
    if (announce) {
        rec->status = JOB_RUNNING;
        rec->started_ms = jobs_now_ms();
        rec->attempts++;
        store_transition(j, rec, JOB_QUEUED, 0, 0);
    } else {
        jobs_log_status(rec->id, JOB_RUNNING, rec->attempts, NULL);
        http_notify(a->http, rec->id, 0);
    }

    job_status ended = JOB_FAILED;
    char *result = train_job(j, rec, spec, lv, &ended);
    if (result == NULL) {
        ended = JOB_FAILED;
        result = failure_text("out_of_memory", "rendering the result");
    }

    pthread_mutex_lock(&j->mu);
    int interrupted = lv->interrupted;
    lv->id[0] = '\0';
    pthread_mutex_unlock(&j->mu);
    if (interrupted) {
        rec->status = JOB_QUEUED; /* runs again from the start on the next start-up */
        rec->started_ms = 0;
        forget_outcome(rec);
    } else {
        rec->status = ended;
        rec->finished_ms = jobs_now_ms();
        rec->result_json = result;
        result = NULL;
    }
    store_transition(j, rec, JOB_RUNNING, interrupted, !interrupted);
    atomic_fetch_sub(&j->running, 1);
    free(result);
    job_rec_free(rec);
}

typedef struct worker_arg {
    jobs *j;
    int slot;
} worker_arg;

static void *worker_main(void *arg) {
    thread_name("fitd-worker");
    jobs *j = ((worker_arg *)arg)->j;
    live *lv = &j->lives[((worker_arg *)arg)->slot];
    free(arg);
    for (;;) {
        if (j->shared) {
            job_rec *rec = lease_claim_wait(j);
            if (rec == NULL) return NULL; /* stopping */
            run_job(j, rec, NULL, lv, 0, 0);
            continue;
        }
        pthread_mutex_lock(&j->mu);
        while (j->qlen == 0 && !j->stopping) pthread_cond_wait(&j->cond, &j->mu);
        if (j->stopping) {
            pthread_mutex_unlock(&j->mu);
            return NULL;
        }
        queued e = j->queue[j->qhead];
        j->qhead = (j->qhead + 1) % j->qcap;
        j->qlen--;
        /* a submit's own record needs no store read (nor its fcntl locks) */
        if (e.rec != NULL) live_begin(lv, e.id);
        pthread_mutex_unlock(&j->mu);
        if (e.rec != NULL) run_job(j, e.rec, e.spec, lv, 1, 1);
        else run_one(j, e.id, lv);
    }
}

jobs *jobs_start(app *a) {
    jobs *j = calloc(1, sizeof *j);
    if (j == NULL) return NULL;
    j->a = a;
    j->capacity = a->cfg.queue;
    j->nworkers = a->cfg.workers;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cond, NULL);
    pthread_cond_init(&j->keeper_cv, NULL);
    j->shared = store_shared(a->st);
    j->threads = calloc((size_t)j->nworkers, sizeof *j->threads);
    j->lives = calloc((size_t)j->nworkers, sizeof *j->lives);
    if (j->threads == NULL || j->lives == NULL) goto fail;
    for (int w = 0; w < j->nworkers; w++) {
        pthread_mutex_init(&j->lives[w].mu, NULL);
        j->lives[w].owner = j;
    }
    if (j->shared && lease_start(j) != 0) goto fail;
    for (int w = 0; w < j->nworkers; w++) {
        worker_arg *wa = malloc(sizeof *wa);
        if (wa == NULL) goto fail;
        wa->j = j;
        wa->slot = w;
        if (pthread_create(&j->threads[w], NULL, worker_main, wa) != 0) {
            free(wa);
            j->nworkers = w;
            goto fail;
        }
    }
    return j;
fail:
    jobs_drain(j, 0);
    jobs_free(j);
    return NULL;
}

live *jobs_find_live(jobs *j, const char *id) {
    for (int w = 0; w < j->nworkers; w++)
        if (strcmp(j->lives[w].id, id) == 0) return &j->lives[w];
    return NULL;
}

/* A queued job is cancelled by a conditional update (from queued); when a
 * worker moved it to running first, the update conflicts and the next
 * round finds it running and sets its worker's flag. */
int jobs_cancel(jobs *j, const char *id) {
    for (int round = 0; round < 8; round++) {
        job_rec *rec = NULL;
        int src = store_job_get(j->a->st, id, &rec);
        if (src != STORE_OK) return src == STORE_NOTFOUND ? JOBS_NOTFOUND : JOBS_ERROR;
        if (rec->status == JOB_RUNNING || rec->status == JOB_QUEUED) {
            /* a queued job may be starting on a worker already: its
               "running" is on its way to the store */
            pthread_mutex_lock(&j->mu);
            live *lv = jobs_find_live(j, id);
            if (lv) atomic_store(&lv->cancel, 1);
            pthread_mutex_unlock(&j->mu);
            /* one running in another process hears it at its next renewal */
            if (lv == NULL && j->shared && rec->status == JOB_RUNNING)
                src = store_job_request_cancel(j->a->st, id);
            if (src == STORE_ERROR) {
                job_rec_free(rec);
                return JOBS_ERROR;
            }
            if (src == STORE_CONFLICT) { /* it has just finished, or gone back to the queue */
                job_rec_free(rec);
                continue;
            }
        }
        if (rec->status != JOB_QUEUED) { /* running (flagged) or finished */
            job_rec_free(rec);
            return JOBS_OK;
        }
        rec->status = JOB_CANCELLED;
        rec->finished_ms = jobs_now_ms();
        free(rec->result_json);
        rec->result_json = strdup("{\"status\":\"cancelled\",\"termination\":\"cancelled\"}");
        src = rec->result_json ? store_job_update(j->a->st, rec, JOB_QUEUED) : STORE_ERROR;
        if (src == STORE_OK) {
            /* stored: out of the queue, or stopped if a worker took it meanwhile */
            pthread_mutex_lock(&j->mu);
            if (!jobs_queue_remove(j, id)) {
                live *lv = jobs_find_live(j, id);
                if (lv) atomic_store(&lv->cancel, 1);
            }
            pthread_mutex_unlock(&j->mu);
            jobs_log_status(id, JOB_CANCELLED, rec->attempts, NULL);
            http_notify(j->a->http, id, 1);
        }
        job_rec_free(rec);
        if (src != STORE_CONFLICT)
            return src == STORE_OK ? JOBS_OK : src == STORE_NOTFOUND ? JOBS_NOTFOUND : JOBS_ERROR;
    }
    return JOBS_ERROR; /* moved under us eight times: not a state a job passes through */
}

int jobs_delete(jobs *j, const char *id) {
    int rc = jobs_cancel(j, id);
    if (rc != JOBS_OK) return rc;
    job_rec *rec = NULL;
    char dataset[STORE_ID_MAX] = "";
    if (store_job_get(j->a->st, id, &rec) == STORE_OK)
        snprintf(dataset, sizeof dataset, "%s", rec->dataset);
    job_rec_free(rec);
    int src = store_job_delete(j->a->st, id);
    rescache_drop(j->a->cache, id);
    http_notify(j->a->http, id, 1);
    /* its inline data goes with it, unless another job names it too; a
       failure here leaves it to the sweep at the next start-up */
    if (src == STORE_OK && dataset[0])
        store_dataset_sweep_inline(j->a->st, dataset, INT64_MAX, NULL);
    return src == STORE_OK ? JOBS_OK : src == STORE_NOTFOUND ? JOBS_NOTFOUND : JOBS_ERROR;
}

json_t *jobs_progress(jobs *j, const char *id) {
    json_t *out = NULL;
    pthread_mutex_lock(&j->mu);
    live *lv = jobs_find_live(j, id);
    if (lv) {
        pthread_mutex_lock(&lv->mu);
        json_t *params = json_object();
        for (size_t i = 0; i < lv->np && lv->epoch > 0; i++)
            json_object_set_new(params, lv->names[i], jobdoc_number(lv->params[i]));
        out = json_pack("{s:I, s:I, s:o, s:o}", "epoch", (json_int_t)lv->epoch, "epochs",
                        (json_int_t)lv->epochs, "loss",
                        lv->epoch ? jobdoc_number(lv->loss) : json_null(), "params", params);
        if (out && lv->has_val && lv->epoch) json_object_set_new(out, "val_loss", jobdoc_number(lv->val_loss));
        pthread_mutex_unlock(&lv->mu);
    }
    pthread_mutex_unlock(&j->mu);
    return out;
}

size_t jobs_queued(jobs *j) {
    if (j->shared) return atomic_load(&j->queued_estimate);
    pthread_mutex_lock(&j->mu);
    size_t n = j->qlen;
    pthread_mutex_unlock(&j->mu);
    return n;
}

size_t jobs_running(jobs *j) {
    return atomic_load(&j->running);
}

size_t jobs_capacity(jobs *j) {
    return j->capacity;
}

void jobs_drain(jobs *j, double grace) {
    if (j == NULL) return;
    pthread_mutex_lock(&j->mu);
    j->stopping = 1; /* workers finish their job, then exit */
    pthread_cond_broadcast(&j->cond);
    pthread_mutex_unlock(&j->mu);
    double waited = 0;
    while (atomic_load(&j->running) > 0 && waited < grace) {
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
        waited += 0.02;
    }
    pthread_mutex_lock(&j->mu);
    for (int w = 0; w < j->nworkers; w++)
        if (j->lives[w].id[0]) {
            j->lives[w].interrupted = 1;
            atomic_store(&j->lives[w].cancel, 1);
        }
    pthread_mutex_unlock(&j->mu);
    for (int w = 0; w < j->nworkers; w++) pthread_join(j->threads[w], NULL);
    j->nworkers = 0;
    lease_stop(j);
}

void jobs_free(jobs *j) {
    if (j == NULL) return;
    if (j->lives)
        for (size_t w = 0; w < (size_t)j->a->cfg.workers; w++) {
            pthread_mutex_destroy(&j->lives[w].mu);
            free(j->lives[w].feed);
        }
    free(j->lives);
    free(j->threads);
    for (size_t i = 0; i < j->qlen; i++) jobs_queued_free(&j->queue[(j->qhead + i) % j->qcap]);
    free(j->queue);
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cond);
    pthread_cond_destroy(&j->keeper_cv);
    free(j);
}
