/* h_jobs.c - /v1/jobs: submit (with ?wait and Idempotency-Key), list, get
 * (with ?wait), history, cancel, delete. */
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jout.h"
#include "app.h"
#include "core/gen.h"
#include "dsdoc.h"
#include "handlers.h"
#include "jobdoc.h"
#include "jobres.h"
#include "jobs.h"
#include "rescache.h"
#include "seed.h"
#include "spec_json.h"

#define WAIT_MAX 600 /* seconds a long-poll may last */

static void not_found(http_reply *out, const char *id) {
    char detail[200];
    snprintf(detail, sizeof detail, "no job with id '%.120s'", id);
    reply_problem(out, 404, "not-found", "Not found", detail, NULL);
}

/* Two independent 64-bit FNV-1a streams: a fingerprint of the body for
 * Idempotency-Key comparisons (not a security boundary). */
static void body_hash(const char *body, size_t len, char out[65]) {
    uint64_t h1 = 1469598103934665603ULL, h2 = 0x84222325cbf29ce4ULL;
    for (size_t i = 0; i < len; i++) {
        h1 = (h1 ^ (unsigned char)body[i]) * 1099511628211ULL;
        h2 = (h2 ^ (unsigned char)body[len - 1 - i]) * 0x100000001b3ULL;
    }
    snprintf(out, 65, "%016llx%016llx%016llx", (unsigned long long)h1, (unsigned long long)h2,
             (unsigned long long)(len * 0x9e3779b97f4a7c15ULL));
}

/* An Idempotency-Key fitd keeps: 1 to 200 printable ASCII characters
 * (a UUID, a hash, a name), text to every store. */
static int idem_key_ok(const char *key) {
    size_t len = strlen(key);
    if (len == 0 || len > 200) return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)key[i] < 0x20 || (unsigned char)key[i] > 0x7e) return 0;
    return 1;
}

/* Answers with job id's resource: 200 when finished (or when answer_200),
 * else 202; while wait_s remains and it is not finished, waits instead. */
static void answer_job(http_req *r, const char *id, double wait_s, int created,
                       http_reply *out) {
    job_rec *rec = NULL;
    /* a finished job never changes: its rendered text may be cached */
    int waited = wait_s > 0 || r->resumed;
    int status = created && !waited ? 202 : 200;
    size_t len;
    char *text = rescache_get(r->app->cache, id, &len);
    if (text) {
        reply_text(out, status, "application/json", text, len);
        if (created) snprintf(out->location, sizeof out->location, "/v1/jobs/%s", id);
        return;
    }
    unsigned long epoch = rescache_epoch(r->app->cache);
    int rc = store_job_get(r->app->st, id, &rec);
    if (rc == STORE_NOTFOUND) {
        not_found(out, id);
        return;
    }
    if (rc != STORE_OK) {
        reply_internal(out, "the store could not read the job");
        return;
    }
    int done = jobres_terminal(rec->status);
    /* a resumed request may have been woken early (another job's notice):
       it waits out the rest of its time */
    double left = r->resumed ? http_wait_remaining(r) : wait_s;
    if (!done && left > 0.001) {
        http_wait_on(r, id, left);
        job_rec_free(rec);
        return;
    }
    /* a submit answers 202 (accepted) unless it waited and the job finished */
    json_t *res = rec->result_json ? json_loads(rec->result_json, 0, NULL) : NULL;
    text = jobres_text(r->app, rec, res);
    json_decref(res);
    if (text == NULL) {
        reply_internal(out, "out of memory");
        job_rec_free(rec);
        return;
    }
    len = strlen(text);
    if (done) rescache_put(r->app->cache, id, text, len, epoch);
    reply_text(out, created && !(waited && done) ? 202 : 200, "application/json", text, len);
    if (created) snprintf(out->location, sizeof out->location, "/v1/jobs/%s", id);
    job_rec_free(rec);
}

/* A submit waiting for its commit. Shared by the request (until its
 * cleanup) and the store's writer (until it has told the result): the last
 * of the two frees it.
 *
 * quiet: a ?wait submit on a single-process store parks once, on its
 * job's end, not twice (commit, then end): the commit wakes it only if it
 * failed or the request asked to be woken (quiet cleared). Its job's end
 * is told after the commit (the store applies writes in order), so the
 * wait on the end cannot miss it. The request clears quiet and then reads
 * rc; the writer stores rc and then reads quiet (sequentially consistent
 * atomics): one of the two sees the other's store, so no wake is lost. */
#define COMMIT_PENDING (-1)
typedef struct submit_ticket {
    atomic_int refs;
    atomic_int rc;    /* COMMIT_PENDING, then what jobs_submit's done said */
    atomic_int quiet; /* 1: a successful commit need not wake the request */
    app *a;
    char id[STORE_ID_MAX];
} submit_ticket;

static void ticket_release(submit_ticket *t) {
    if (t != NULL && atomic_fetch_sub(&t->refs, 1) == 1) free(t);
}

/* jobs_submit's done, on the writer thread: wakes the parked request
 * (unless quiet and committed). */
static void ticket_done(void *ctx, int rc) {
    submit_ticket *t = ctx;
    atomic_store(&t->rc, rc);
    if (rc != JOBS_OK || !atomic_load(&t->quiet)) http_notify(t->a->http, t->id, 1);
    ticket_release(t);
}

/* The submit's state between the first call and the resumed ones. */
typedef struct submit_state {
    char id[STORE_ID_MAX];
    char inline_id[STORE_ID_MAX]; /* the inline data's dataset ("" = none) */
    submit_ticket *t;             /* while the commit is pending */
    long wait;
    int quiet;                    /* started quiet: the ?wait runs from the submit */
    double deadline;              /* then: its end (monotonic, as http_req's) */
} submit_state;

void h_job_submit_cleanup(http_req *r) {
    submit_state *st = r->state;
    if (st != NULL) ticket_release(st->t);
    free(st);
    r->state = NULL;
}

/* Answers a submit once its commit is known: the job (after ?wait), or
 * why it was not taken (and its inline dataset goes again). */
static void answer_commit(http_req *r, submit_state *st, int rc, http_reply *out) {
    if (rc == JOBS_OK && st->quiet) {
        /* the ?wait began at the submit: what is left of it */
        r->resumed = 1;
        r->wait_deadline = st->deadline;
        answer_job(r, st->id, 0, 1, out);
        return;
    }
    if (rc == JOBS_OK) {
        answer_job(r, st->id, (double)st->wait, 1, out);
        return;
    }
    if (st->inline_id[0]) store_dataset_delete(r->app->st, st->inline_id);
    if (rc == JOBS_CONFLICT)
        reply_problem(out, 409, "idempotency-key-reused", "Idempotency-Key reused",
                      "a concurrent request took this Idempotency-Key", NULL);
    else
        reply_internal(out, "the job could not be stored");
}

/* Called again after a wait: for the commit, or for ?wait. */
static void submit_resumed(http_req *r, submit_state *st, http_reply *out) {
    if (st->t == NULL) {
        answer_job(r, st->id, 0, 1, out);
        return;
    }
    int rc = atomic_load(&st->t->rc);
    if (rc == COMMIT_PENDING && atomic_load(&st->t->quiet)) {
        if (!r->resumed) { /* the first call: park until the job ends */
            http_wait_on(r, st->id, (double)st->wait);
            return;
        }
        /* woken before the commit (the ?wait ran out, or a notice for
           another job): from now on the commit must wake it */
        atomic_store(&st->t->quiet, 0);
        rc = atomic_load(&st->t->rc);
    }
    if (rc == COMMIT_PENDING) { /* woken by another job's notice */
        http_wait_on(r, st->id, WAIT_MAX);
        return;
    }
    ticket_release(st->t);
    st->t = NULL;
    r->resumed = 0; /* the ?wait starts now, unless it started quiet */
    answer_commit(r, st, rc, out);
}

void h_job_submit(http_req *r, http_reply *out) {
    app *a = r->app;
    if (r->resumed && r->state) {
        submit_resumed(r, r->state, out);
        return;
    }
    long wait;
    if (query_long(r, "wait", 0, WAIT_MAX, 0, &wait, out)) return;
    const char *idem = http_header(r, "Idempotency-Key");
    char hash[65] = "";
    body_hash(r->body ? r->body : "", r->body_len, hash);
    if (idem && !idem_key_ok(idem)) {
        reply_problem(out, 400, "bad-idempotency-key", "Bad Idempotency-Key",
                      "Idempotency-Key must be 1 to 200 printable ASCII characters", NULL);
        return;
    }
    if (idem) {
        job_rec *prev = NULL;
        if (store_job_by_idem(a->st, idem, &prev) == STORE_OK) {
            if (strcmp(prev->body_hash, hash) != 0) {
                reply_problem(out, 409, "idempotency-key-reused", "Idempotency-Key reused",
                              "this Idempotency-Key was used with a different body", NULL);
            } else {
                submit_state *st = calloc(1, sizeof *st);
                if (st) snprintf(st->id, sizeof st->id, "%s", prev->id);
                r->state = st;
                answer_job(r, prev->id, (double)wait, 1, out);
            }
            job_rec_free(prev);
            return;
        }
    }
    job_spec js;
    problem p;
    job_spec_init(&js);
    problem_init(&p);
    job_rec rec;
    memset(&rec, 0, sizeof rec);
    ds_meta *dm = NULL;
    char inline_id[STORE_ID_MAX] = "";
    if (spec_parse(r->body ? r->body : "", r->body_len, &js, &p) != 0) goto invalid;
    if (!js.has_seed) js.fit.seed = seed_draw();
    if (js.src.kind == SOURCE_DATASET) {
        int rc = store_dataset_meta(a->st, js.src.dataset, &dm);
        if (rc == STORE_NOTFOUND) {
            problem_add(&p, "/dataset", NULL, 0, "no dataset with id '%.120s'", js.src.dataset);
            goto invalid;
        }
        if (rc != STORE_OK) {
            reply_internal(out, "the store could not read the dataset");
            goto done;
        }
        fit_data view = {dm->rows, dm->ncols, dm->names, NULL};
        if (spec_resolve(&js, &view, &p) != 0) goto invalid;
    } else if (spec_resolve(&js, NULL, &p) != 0) {
        goto invalid;
    }
    if (js.src.kind == SOURCE_GENERATE) {
        fit_err ge = {0};
        if (gen_check(&js.src.gen, &ge) != FIT_OK) { /* before it is queued, not when it runs */
            problem_add(&p, "/data/generate", NULL, 0, "%s", ge.msg);
            goto invalid;
        }
    }
    double rows = js.src.kind == SOURCE_DATASET ? (double)dm->rows
                  : js.src.kind == SOURCE_GENERATE ? (double)js.src.gen.n
                                                   : (double)js.src.data->rows;
    if (rows > (double)a->cfg.max_rows) {
        problem_add(&p, js.src.kind == SOURCE_GENERATE ? "/data/generate/n" : "/data", NULL, 0,
                    "%.0f rows; this server takes at most %zu (--max-rows)", rows, a->cfg.max_rows);
        goto invalid;
    }
    /* no job holds a worker for ever: max_seconds defaults to, and may not
       exceed, the server's cap */
    if (js.fit.max_seconds > a->cfg.max_job_seconds) {
        problem_add(&p, "/max_seconds", NULL, 0,
                    "must be at most %g, this server's limit (--max-job-seconds)",
                    a->cfg.max_job_seconds);
        goto invalid;
    }
    if (js.fit.max_seconds <= 0) js.fit.max_seconds = a->cfg.max_job_seconds;
    if (rows * (double)js.fit.epochs > a->cfg.max_work) {
        problem_add(&p, "/epochs", NULL, 0,
                    "rows x epochs = %.3g exceeds this server's work budget of %.3g per job "
                    "(--max-work); use fewer epochs or rows",
                    rows * (double)js.fit.epochs, a->cfg.max_work);
        goto invalid;
    }
    if (js.src.kind == SOURCE_COLUMNS) {
        /* inline data becomes a stored (unlisted) dataset, so the job can
           run again after a restart */
        ds_meta m;
        memset(&m, 0, sizeof m);
        ds_data *dd = NULL;
        int ok = dsdoc_meta(&m, js.src.data, NULL, 1) == 0 && (dd = ds_data_wrap(js.src.data)) != NULL;
        if (dd == NULL) data_free(js.src.data);
        js.src.data = NULL;
        ok = ok && store_dataset_put(a->st, &m, dd) == STORE_OK;
        ds_data_release(dd);
        snprintf(inline_id, sizeof inline_id, "%s", m.id);
        free(m.name);
        for (size_t c = 0; c < m.ncols && m.names; c++) free(m.names[c]);
        free(m.names);
        free(m.stats);
        if (!ok) {
            reply_internal(out, "the inline data could not be stored");
            goto done;
        }
        js.src.kind = SOURCE_DATASET;
        snprintf(js.src.dataset, sizeof js.src.dataset, "%s", inline_id);
    }
    json_t *spec = spec_to_json(&js.fit, &js.src);
    jobs_new_id("job_", rec.id, sizeof rec.id);
    if (js.src.kind == SOURCE_DATASET) snprintf(rec.dataset, sizeof rec.dataset, "%s", js.src.dataset);
    rec.status = JOB_QUEUED;
    rec.seed = js.fit.seed;
    rec.created_ms = jobs_now_ms();
    rec.spec_json = spec ? jout_dumps(spec, JOBDOC_DUMP_FLAGS | JSON_COMPACT) : NULL;
    json_decref(spec);
    rec.idem_key = idem ? strdup(idem) : NULL;
    snprintf(rec.body_hash, sizeof rec.body_hash, "%s", hash);
    if (rec.spec_json == NULL) {
        reply_internal(out, "out of memory");
        goto done;
    }
    submit_state *st = calloc(1, sizeof *st);
    submit_ticket *t = calloc(1, sizeof *t);
    if (st == NULL || t == NULL) {
        free(st);
        free(t);
        reply_internal(out, "out of memory");
        goto done;
    }
    snprintf(st->id, sizeof st->id, "%s", rec.id);
    snprintf(st->inline_id, sizeof st->inline_id, "%s", inline_id);
    st->wait = wait;
    st->quiet = wait > 0 && !store_shared(a->st);
    st->deadline = http_now() + (double)wait;
    atomic_init(&t->refs, 2); /* this request's, and the writer's until ticket_done */
    atomic_init(&t->rc, COMMIT_PENDING);
    atomic_init(&t->quiet, st->quiet);
    t->a = a;
    snprintf(t->id, sizeof t->id, "%s", rec.id);
    st->t = t;
    r->state = st;
    /* the worker trains from this spec, as it would from the stored text */
    int jrc = jobs_submit(a->jobs, &rec, spec_run_take(&js), ticket_done, t);
    if (jrc != JOBS_OK) ticket_release(t); /* ticket_done will not run */
    switch (jrc) {
    case JOBS_OK:
        inline_id[0] = '\0'; /* the request's state owns it now */
        /* usually pending: park until ticket_done's notice (a notice
           between here and the park is not lost, see http.h) */
        submit_resumed(r, st, out);
        break;
    case JOBS_FULL:
        reply_problem(out, 429, "queue-full", "Too many jobs",
                      "the job queue is full; retry after a moment", NULL);
        out->retry_after = 1;
        break;
    case JOBS_DRAINING:
        reply_problem(out, 503, "draining", "Shutting down", "the server is shutting down", NULL);
        out->retry_after = 5;
        break;
    default:
        reply_internal(out, "the job could not be stored");
    }
    goto done;
invalid:
    reply_problem_doc(out, &p);
done:
    if (inline_id[0]) store_dataset_delete(a->st, inline_id);
    free(rec.spec_json);
    free(rec.idem_key);
    ds_meta_free(dm);
    job_spec_clear(&js);
    problem_clear(&p);
}

void h_job_get(http_req *r, http_reply *out) {
    long wait = 0;
    if (!r->resumed && query_long(r, "wait", 0, WAIT_MAX, 0, &wait, out)) return;
    answer_job(r, r->caps[0], (double)wait, 0, out);
}

void h_free_state(http_req *r) {
    free(r->state);
    r->state = NULL;
}

void h_job_list(http_req *r, http_reply *out) {
    long size;
    if (query_long(r, "page_size", 1, 1000, 100, &size, out)) return;
    const char *status = http_query(r, "status");
    int st = -1;
    if (status && (st = job_status_by_name(status)) < 0) {
        reply_problem(out, 400, "bad-query", "Bad query parameter",
                      "status must be one of queued, running, succeeded, failed, cancelled",
                      json_pack("[{s:s, s:s}]", "parameter", "status", "detail", "unknown status"));
        return;
    }
    const char *order = http_query(r, "order");
    int newest = order != NULL && strcmp(order, "newest") == 0;
    if (order && !newest && strcmp(order, "oldest") != 0) {
        reply_problem(out, 400, "bad-query", "Bad query parameter",
                      "order must be oldest (creation order, the default) or newest",
                      json_pack("[{s:s, s:s}]", "parameter", "order", "detail", "unknown order"));
        return;
    }
    job_rec **items = NULL;
    size_t n = 0;
    int more = 0;
    int rc = store_job_list(r->app->st, http_query(r, "page_token"), (size_t)size, st, newest,
                            &items, &n, &more);
    if (rc == STORE_NOTFOUND) {
        reply_bad_page_token(out);
        return;
    }
    if (rc != STORE_OK) {
        reply_internal(out, "the store could not list jobs");
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(arr, jobres_render(r->app, items[i]));
    json_t *doc = json_pack("{s:o}", "items", arr);
    if (more && n) json_object_set_new(doc, "next_page_token", json_string(items[n - 1]->id));
    for (size_t i = 0; i < n; i++) job_rec_free(items[i]);
    free(items);
    reply_json(out, 200, doc);
}

void h_job_history(http_req *r, http_reply *out) {
    long k;
    if (query_long(r, "max_points", 0, 10000000, 0, &k, out)) return;
    job_rec *rec = NULL;
    int rc = store_job_get(r->app->st, r->caps[0], &rec);
    if (rc == STORE_NOTFOUND) {
        not_found(out, r->caps[0]);
    } else if (rc != STORE_OK) {
        reply_internal(out, "the store could not read the job");
    } else if (rec->history == NULL) {
        reply_problem(out, 409, "no-history-yet", "No history yet",
                      jobres_terminal(rec->status)
                          ? "this job ended without training (cancelled or failed before its first epoch)"
                          : "the job has not finished; GET /v1/jobs/{id} shows its live progress",
                      NULL);
    } else {
        json_t *h = jobres_history(rec, k);
        if (h) reply_json(out, 200, h);
        else reply_internal(out, "the stored history does not read");
    }
    job_rec_free(rec);
}

void h_job_cancel(http_req *r, http_reply *out) {
    int rc = jobs_cancel(r->app->jobs, r->caps[0]);
    if (rc == JOBS_NOTFOUND) not_found(out, r->caps[0]);
    else if (rc != JOBS_OK) reply_internal(out, "the job could not be cancelled");
    else answer_job(r, r->caps[0], 0, 0, out);
}

void h_job_delete(http_req *r, http_reply *out) {
    int rc = jobs_delete(r->app->jobs, r->caps[0]);
    if (rc == JOBS_NOTFOUND) not_found(out, r->caps[0]);
    else if (rc != JOBS_OK) reply_internal(out, "the job could not be deleted");
    else out->status = 204;
}
