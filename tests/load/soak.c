/* soak.c - bounded load and soak on loopback: N client threads (default
 * 32, FITD_SOAK_THREADS) for D seconds (default 120, FITD_SOAK_SECONDS)
 * against one fitd with the sqlite store, doing a seeded mix (FITD_SOAK_SEED):
 * submit small jobs (100 rows, 50-200 epochs) and wait, poll, stream their
 * events or cancel them; submit with an Idempotency-Key twice; read lists,
 * histories, predictions, evaluations, datasets, /metrics.
 *
 * Checks: every acknowledged job (200/202 with an id) ends terminal; a
 * result a client saw never changes; no job is cancelled unless asked; no
 * 5xx, no unanswered request, no unexpected 4xx; the store holds exactly
 * the acknowledged jobs; every job that was not cancelled has the same
 * params, loss, epochs_run and termination, bit for bit, as the same spec
 * run alone on a fresh server afterwards (all of them, or a deterministic
 * sample of FITD_SOAK_REPLAY, default 1000, at least 200); and the server's
 * VmRSS, sampled with the queue drained after each half, grows by at most
 * 10% + 8 MB from the first sample to the second (see RSS_* below). */
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apitest.h"
#include "check.h"
#include "loadlib.h"

/* The memory margin. The first sample is taken after half the run, so
 * the allocator's arenas (glibc: up to 8 per core), the HTTP threads'
 * buffers and the sqlite page caches have met a full load already. What
 * may still grow legitimately is bounded: the page caches of the writer
 * and the 4 reader connections are capped at sqlite's default 2,000 KiB
 * each (about 10 MB in all, filling as the database outgrows them), plus
 * arena fragmentation. Measured here (2 cores, 32 clients): VmRSS 8 MB
 * idle, 16.5-19 MB after 30 s, 24 MB after 150 s and 25 MB after 300 s,
 * i.e. it levels off; the largest growth from a first-half sample to the
 * second was +2.5 MB (60 s run). 8 MB covers the unfilled part of the
 * caches; 10% scales it for a larger baseline. A leak shows once it
 * exceeds that over the second half: with 3,000-20,000 jobs a half, a
 * leak of 0.4-3 KB per job (or a few hundred bytes per request). */
#define RSS_REL 0.10
#define RSS_ABS_KB (8 * 1024)

enum {
    A_WAIT, A_POLL, A_EVENTS, A_CANCEL, A_IDEM, A_LIST, A_HISTORY, A_PREDICT, A_EVALUATE,
    A_DATASET, A_OPS, A_XCANCEL, A_N
};
static const char *const action_names[A_N] = {"submit+wait", "submit+poll", "submit+events",
                                              "submit+cancel", "idempotent", "list", "history+plot",
                                              "predict", "evaluate", "dataset", "ops",
                                              "cancel-other"};
static const int action_weight[A_N] = {30, 18, 10, 8, 3, 6, 6, 6, 4, 3, 4, 3};

typedef struct job_ent {
    char id[48];
    uint64_t k, key, ds_key;
    int how;          /* the A_* that submitted it */
    int mode;         /* SPEC_SMALL, or SPEC_SMALL_B1 for the jobs to cancel */
    int cancel_asked;
    int seen;         /* a client saw it terminal */
    jres seen_res;
    int final_ok;     /* terminal at the final check */
    jres final;
} job_ent;

#define RECENT 32
typedef struct client {
    int t;
    lrng g;
    pthread_t th;
    char recent[RECENT][48];
    jres recent_res[RECENT];
    size_t nrecent;
} client;

static fitd_proc srv;
static req_stats stats;
static uint64_t master_seed;
static int nthreads;
static atomic_ulong next_k, next_ds, actions[A_N];
static atomic_int stop_flag, pause_flag;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int paused;                                   /* under mu */
static job_ent *jobs;                                /* under mu */
static size_t njobs, capjobs;
static uint64_t *ds_keys;                            /* under mu */
static char (*ds_ids)[48];
static size_t nds, capds;
static atomic_ulong n_errors, n_sse_events, n_sse_streams, n_predict_checked, n_hist_checked;
static atomic_ulong n_idem_same, n_cancel_before_start, n_cancel_running, n_cancel_late, n_xcancel;
/* ids of jobs some client cancelled without owning them (under mu) */
static char (*xcancelled)[48];
static size_t nxc, capxc;

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static void fail(const char *fmt, ...) {
    unsigned long n = atomic_fetch_add(&n_errors, 1);
    if (n >= 40) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "soak: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

static void record(const job_ent *e) {
    pthread_mutex_lock(&mu);
    if (njobs == capjobs) {
        capjobs = capjobs ? capjobs * 2 : 1024;
        job_ent *p = realloc(jobs, capjobs * sizeof *p);
        if (p == NULL) abort();
        jobs = p;
    }
    jobs[njobs++] = *e;
    pthread_mutex_unlock(&mu);
}

static void add_dataset(uint64_t key, const char *id) {
    pthread_mutex_lock(&mu);
    if (nds == capds) {
        capds = capds ? capds * 2 : 64;
        uint64_t *k = realloc(ds_keys, capds * sizeof *k);
        char(*i)[48] = realloc(ds_ids, capds * sizeof *i);
        if (k == NULL || i == NULL) abort();
        ds_keys = k;
        ds_ids = i;
    }
    ds_keys[nds] = key;
    snprintf(ds_ids[nds], sizeof ds_ids[nds], "%s", id);
    nds++;
    pthread_mutex_unlock(&mu);
}

/* POST /v1/datasets for a new dataset key; 0 when created. */
static int create_dataset(void) {
    uint64_t key = spec_key(master_seed ^ 0xda7a5e7ULL, atomic_fetch_add(&next_ds, 1));
    const char *ctype;
    char *body = ds_build(key, &ctype);
    http_res r;
    lreq(&stats, K_DATASET, &srv, "POST", "/v1/datasets", body, strlen(body), ctype, NULL, &r);
    free(body);
    int rc = -1;
    if (r.status == 201 && jstr(r.json, "id")[0] && jnum(r.json, "rows") == 100) {
        char id[48], path[128];
        snprintf(id, sizeof id, "%s", jstr(r.json, "id"));
        http_res g;
        snprintf(path, sizeof path, "/v1/datasets/%s", id);
        lreq(&stats, K_DSGET, &srv, "GET", path, NULL, 0, NULL, NULL, &g);
        if (g.status != 200 || jnum(g.json, "stats.y.mean") != jnum(r.json, "stats.y.mean"))
            fail("GET %s answered %ld or other stats", path, g.status);
        http_res_free(&g);
        add_dataset(key, id);
        rc = 0;
    } else {
        fail("POST /v1/datasets answered %ld: %.200s", r.status, r.body);
    }
    http_res_free(&r);
    return rc;
}

/* Submits a new spec with query and header; fills e and res. 0 when
 * acknowledged (200 or 202 with an id). */
static int submit(client *c, job_ent *e, int how, const char *query, const char *hdr, http_res *r) {
    memset(e, 0, sizeof *e);
    e->how = how;
    e->mode = how == A_CANCEL ? SPEC_SMALL_B1 : SPEC_SMALL;
    e->k = atomic_fetch_add(&next_k, 1);
    e->key = spec_key(master_seed, e->k);
    char ds[48] = "";
    if (spec_wants_dataset(e->key)) {
        pthread_mutex_lock(&mu);
        size_t i = (size_t)lrng_below(&c->g, nds);
        e->ds_key = ds_keys[i];
        snprintf(ds, sizeof ds, "%s", ds_ids[i]);
        pthread_mutex_unlock(&mu);
    }
    char *spec = spec_build(e->key, e->mode, ds[0] ? ds : NULL);
    char path[64];
    snprintf(path, sizeof path, "/v1/jobs%s", query);
    lreq(&stats, K_SUBMIT, &srv, "POST", path, spec, strlen(spec), NULL, hdr, r);
    if ((r->status == 200 || r->status == 202) && jstr(r->json, "id")[0]) {
        snprintf(e->id, sizeof e->id, "%s", jstr(r->json, "id"));
        char loc[128], want[96];
        snprintf(want, sizeof want, "/v1/jobs/%s", e->id);
        if (strcmp(http_res_header(r, "Location", loc, sizeof loc), want) != 0)
            fail("submit: Location '%s', want '%s'", loc, want);
        if (jnum(r->json, "seed") != (double)spec_seed(e->key)) fail("submit %s: seed differs", e->id);
        free(spec);
        return 0;
    }
    fail("submit answered %ld: %.300s (spec %.200s)", r->status, r->body, spec);
    free(spec);
    return -1;
}

static void remember(client *c, const job_ent *e) {
    if (!e->seen) return;
    size_t i = c->nrecent++ % RECENT;
    snprintf(c->recent[i], sizeof c->recent[i], "%s", e->id);
    c->recent_res[i] = e->seen_res;
}

/* Waits for e to end; sets e->seen. */
static void finish(client *c, job_ent *e) {
    (void)c;
    int rc = wait_terminal(&stats, &srv, e->id, 120, &e->seen_res);
    if (rc == 0) e->seen = 1;
    else fail("job %s did not end within 120 s (%d)", e->id, rc);
}

static void act_wait(client *c) {
    job_ent e;
    http_res r;
    if (submit(c, &e, A_WAIT, "?wait=30", NULL, &r) == 0) {
        if (r.status == 200) {
            if (jres_from(r.json, &e.seen_res) == 0 && status_terminal(e.seen_res.status)) e.seen = 1;
            else fail("submit ?wait answered 200 with status '%s'", jstr(r.json, "status"));
        } else {
            finish(c, &e); /* 202: it did not finish within the wait */
        }
        record(&e);
        remember(c, &e);
    }
    http_res_free(&r);
}

static void act_poll(client *c) {
    job_ent e;
    http_res r;
    if (submit(c, &e, A_POLL, "", NULL, &r) == 0) {
        if (r.status != 202) fail("submit without wait answered %ld", r.status);
        finish(c, &e);
        record(&e);
        remember(c, &e);
    }
    http_res_free(&r);
}

/* Streams e's events until done; checks ids ascend, the last progress is
 * the final epoch, and the done event agrees with the job document. */
static void act_events(client *c) {
    job_ent e;
    http_res r;
    int ok = submit(c, &e, A_EVENTS, "", NULL, &r) == 0;
    http_res_free(&r);
    if (!ok) return;
    char path[128];
    snprintf(path, sizeof path, "/v1/jobs/%s/events", e.id);
    __atomic_fetch_add(&stats.by_kind[K_EVENTS], 1UL, __ATOMIC_RELAXED);
    char *s = sse_read_until_done(&srv, path, 120);
    atomic_fetch_add(&n_sse_streams, 1);
    long last = 0, events = 0;
    int ascending = 1;
    json_t *done = NULL;
    for (char *p = s; p && *p;) {
        char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (strncmp(p, "id: ", 4) == 0) {
            long id = strtol(p + 4, NULL, 10);
            ascending &= id > last;
            last = id;
        } else if (strncmp(p, "event: progress", 15) == 0) {
            events++;
        } else if (strncmp(p, "event: done", 11) == 0 && nl && strncmp(nl + 1, "data: ", 6) == 0) {
            char *d = nl + 7, *end = strchr(d, '\n');
            if (end) done = json_loadb(d, (size_t)(end - d), 0, NULL);
        }
        p = nl ? nl + 1 : p + len;
    }
    atomic_fetch_add(&n_sse_events, (unsigned long)events);
    if (!ascending) fail("events of %s: ids do not ascend", e.id);
    jres dres;
    if (done == NULL || jres_from(done, &dres) != 0 || !status_terminal(dres.status)) {
        fail("events of %s: no done event with a terminal status (%.200s)", e.id, s ? s : "(nothing)");
        finish(c, &e);
    } else {
        finish(c, &e);
        char why[160];
        if (e.seen && !jres_same(&dres, &e.seen_res, why, sizeof why))
            fail("events of %s: done event differs from the job: %s", e.id, why);
        if (e.seen && e.seen_res.epochs_run > 0 && last != e.seen_res.epochs_run)
            fail("events of %s: last progress id %ld, epochs_run %ld", e.id, last, e.seen_res.epochs_run);
    }
    json_decref(done);
    free(s);
    record(&e);
    remember(c, &e);
}

static void act_cancel(client *c) {
    job_ent e;
    http_res r;
    int ok = submit(c, &e, A_CANCEL, "", NULL, &r) == 0;
    http_res_free(&r);
    if (!ok) return;
    char path[128];
    snprintf(path, sizeof path, "/v1/jobs/%s/cancel", e.id);
    e.cancel_asked = 1; /* before the request: it may take effect either way */
    lreq(&stats, K_CANCEL, &srv, "POST", path, NULL, 0, NULL, NULL, &r);
    if (r.status != 200) fail("cancel %s answered %ld", e.id, r.status);
    http_res_free(&r);
    finish(c, &e);
    if (e.seen) {
        if (strcmp(e.seen_res.status, "cancelled") != 0) atomic_fetch_add(&n_cancel_late, 1);
        else if (e.seen_res.epochs_run > 0) atomic_fetch_add(&n_cancel_running, 1);
        else atomic_fetch_add(&n_cancel_before_start, 1);
    }
    record(&e);
    remember(c, &e);
}

static void act_idem(client *c) {
    job_ent e;
    http_res r;
    char hdr[96];
    snprintf(hdr, sizeof hdr, "Idempotency-Key: soak-%d-%llu-%llu", c->t, (unsigned long long)master_seed,
             (unsigned long long)lrng_next(&c->g));
    if (submit(c, &e, A_IDEM, "", hdr, &r) != 0) {
        http_res_free(&r);
        return;
    }
    http_res_free(&r);
    /* the same body and key again: the same job */
    char ds[48] = "";
    if (spec_wants_dataset(e.key)) {
        pthread_mutex_lock(&mu);
        for (size_t i = 0; i < nds; i++)
            if (ds_keys[i] == e.ds_key) snprintf(ds, sizeof ds, "%s", ds_ids[i]);
        pthread_mutex_unlock(&mu);
    }
    char *spec = spec_build(e.key, e.mode, ds[0] ? ds : NULL);
    lreq(&stats, K_SUBMIT, &srv, "POST", "/v1/jobs?wait=30", spec, strlen(spec), NULL, hdr, &r);
    free(spec);
    if ((r.status == 200 || r.status == 202) && strcmp(jstr(r.json, "id"), e.id) == 0) atomic_fetch_add(&n_idem_same, 1);
    else fail("idempotent resubmit of %s answered %ld id '%s'", e.id, r.status, jstr(r.json, "id"));
    http_res_free(&r);
    finish(c, &e);
    record(&e);
    remember(c, &e);
}

static void act_list(client *c) {
    http_res r;
    const char *paths[] = {"/v1/jobs?page_size=20&order=newest", "/v1/jobs?status=running&page_size=10",
                           "/v1/jobs?status=succeeded&page_size=5", "/v1/datasets?page_size=10"};
    const char *path = paths[lrng_below(&c->g, 4)];
    lreq(&stats, K_LIST, &srv, "GET", path, NULL, 0, NULL, NULL, &r);
    json_t *items = json_object_get(r.json, "items");
    if (r.status != 200 || !json_is_array(items)) {
        fail("GET %s answered %ld", path, r.status);
    } else {
        const char *want = strstr(path, "status=running") ? "running" : strstr(path, "status=succeeded") ? "succeeded" : NULL;
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it) {
            if (want && strcmp(jstr(it, "status"), want) != 0)
                fail("GET %s listed a job with status '%s'", path, jstr(it, "status"));
        }
        const char *tok = jstr(r.json, "next_page_token");
        if (tok[0]) {
            char next[256];
            snprintf(next, sizeof next, "%s&page_token=%s", path, tok);
            http_res n;
            lreq(&stats, K_LIST, &srv, "GET", next, NULL, 0, NULL, NULL, &n);
            if (n.status != 200 || !json_is_array(json_object_get(n.json, "items")))
                fail("GET %s answered %ld", next, n.status);
            http_res_free(&n);
        }
    }
    http_res_free(&r);
}

/* Cancels a job another client submitted, found running (or queued) in
 * a list; its id is noted first, so its owner's record counts the cancel. */
static void act_xcancel(client *c) {
    const char *path = lrng_below(&c->g, 4) ? "/v1/jobs?status=running&page_size=10"
                                             : "/v1/jobs?status=queued&page_size=10";
    http_res r;
    lreq(&stats, K_LIST, &srv, "GET", path, NULL, 0, NULL, NULL, &r);
    json_t *items = json_object_get(r.json, "items");
    if (r.status != 200 || !json_is_array(items)) fail("GET %s answered %ld", path, r.status);
    size_t n = json_array_size(items);
    char id[48] = "";
    if (n) snprintf(id, sizeof id, "%s", jstr(json_array_get(items, (size_t)lrng_below(&c->g, n)), "id"));
    http_res_free(&r);
    if (id[0] == '\0') return;
    pthread_mutex_lock(&mu);
    if (nxc == capxc) {
        capxc = capxc ? capxc * 2 : 256;
        char(*p)[48] = realloc(xcancelled, capxc * sizeof *p);
        if (p == NULL) abort();
        xcancelled = p;
    }
    snprintf(xcancelled[nxc++], sizeof xcancelled[0], "%s", id);
    pthread_mutex_unlock(&mu);
    char cpath[128];
    snprintf(cpath, sizeof cpath, "/v1/jobs/%s/cancel", id);
    lreq(&stats, K_CANCEL, &srv, "POST", cpath, NULL, 0, NULL, NULL, &r);
    if (r.status != 200) fail("POST %s answered %ld", cpath, r.status);
    else atomic_fetch_add(&n_xcancel, 1);
    http_res_free(&r);
}

/* A job this client saw succeed, or -1. */
static int pick_recent(client *c) {
    size_t n = c->nrecent < RECENT ? c->nrecent : RECENT;
    for (size_t tries = 0; tries < n; tries++) {
        size_t i = (size_t)lrng_below(&c->g, n);
        if (strcmp(c->recent_res[i].status, "succeeded") == 0 && c->recent_res[i].epochs_run > 0) return (int)i;
    }
    return -1;
}

static void act_history(client *c) {
    int i = pick_recent(c);
    if (i < 0) return;
    char path[160];
    snprintf(path, sizeof path, "/v1/jobs/%s/history?max_points=10", c->recent[i]);
    http_res r;
    lreq(&stats, K_HISTORY, &srv, "GET", path, NULL, 0, NULL, NULL, &r);
    json_t *ep = json_object_get(r.json, "epoch");
    size_t n = json_array_size(ep);
    if (r.status != 200 || n == 0 || n > 10 ||
        json_integer_value(json_array_get(ep, n - 1)) != c->recent_res[i].epochs_run ||
        json_array_size(json_object_get(r.json, "loss")) != n)
        fail("GET %s answered %ld: %.200s (epochs_run %ld)", path, r.status, r.body, c->recent_res[i].epochs_run);
    else
        atomic_fetch_add(&n_hist_checked, 1);
    http_res_free(&r);
    /* and its plots */
    snprintf(path, sizeof path, "/v1/jobs/%s/plots/%s", c->recent[i], lrng_below(&c->g, 2) ? "loss.svg" : "fit.svg");
    lreq(&stats, K_HISTORY, &srv, "GET", path, NULL, 0, NULL, NULL, &r);
    if (r.status != 200 || strstr(r.body, "<svg") == NULL) fail("GET %s answered %ld", path, r.status);
    http_res_free(&r);
}

/* Predictions of a linear or w*x + k model must be m*x + b, bit for bit;
 * a gaussian's log-densities finite. */
#define PREDICT_BODY "{\"columns\": {\"x\": [0, 1, 2.5]}}"
static void act_predict(client *c) {
    int i = pick_recent(c);
    if (i < 0) return;
    const jres *j = &c->recent_res[i];
    const double x[3] = {0, 1, 2.5};
    char path[160];
    snprintf(path, sizeof path, "/v1/jobs/%s/predict", c->recent[i]);
    http_res r;
    lreq(&stats, K_PREDICT, &srv, "POST", path, PREDICT_BODY, strlen(PREDICT_BODY), NULL, NULL, &r);
    if (r.status != 200) {
        fail("POST %s answered %ld: %.200s", path, r.status, r.body);
        http_res_free(&r);
        return;
    }
    double slope = NAN, icpt = NAN;
    if (j->np == 2 && strcmp(j->names[0], "b") == 0 && strcmp(j->names[1], "m") == 0)
        icpt = j->params[0], slope = j->params[1];
    if (j->np == 2 && strcmp(j->names[0], "k") == 0 && strcmp(j->names[1], "w") == 0)
        icpt = j->params[0], slope = j->params[1];
    json_t *yhat = json_object_get(r.json, "yhat"), *lp = json_object_get(r.json, "logpdf");
    if (!isnan(slope)) {
        for (size_t k = 0; k < 3; k++) {
            volatile double prod = slope * x[k];
            double want = prod + icpt, got = json_number_value(json_array_get(yhat, k));
            if (memcmp(&want, &got, sizeof got) != 0) {
                fail("predict %s: yhat(%g) = %.17g, m*x + b = %.17g", c->recent[i], x[k], got, want);
                break;
            }
        }
    } else if (json_array_size(lp) != 3 || !isfinite(json_number_value(json_array_get(lp, 2)))) {
        fail("predict %s: %.200s", c->recent[i], r.body);
    }
    atomic_fetch_add(&n_predict_checked, 1);
    http_res_free(&r);
}

static void act_evaluate(client *c) {
    char body[400];
    double m = (double)lrng_below(&c->g, 300) / 100.0;
    snprintf(body, sizeof body,
             "{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 100, \"seed\": %llu}}, \"model\": \"linear\", "
             "\"loss\": \"mse\", \"params\": {\"m\": %g, \"b\": 2}}",
             (unsigned long long)lrng_below(&c->g, 1000), m);
    http_res r;
    lreq(&stats, K_EVALUATE, &srv, "POST", "/v1/evaluate", body, strlen(body), NULL, NULL, &r);
    if (r.status != 200 || jnum(r.json, "n") != 100 || !isfinite(jnum(r.json, "loss")))
        fail("POST /v1/evaluate answered %ld: %.200s", r.status, r.body);
    http_res_free(&r);
}

static void act_ops(client *c) {
    const char *paths[] = {"/livez", "/readyz", "/metrics", "/v1/catalog"};
    const char *path = paths[lrng_below(&c->g, 4)];
    http_res r;
    lreq(&stats, K_OPS, &srv, "GET", path, NULL, 0, NULL, NULL, &r);
    if (r.status != 200) fail("GET %s answered %ld", path, r.status);
    http_res_free(&r);
}

static void *client_main(void *arg) {
    client *c = arg;
    int total = 0;
    for (int a = 0; a < A_N; a++) total += action_weight[a];
    while (!atomic_load(&stop_flag)) {
        if (atomic_load(&pause_flag)) {
            pthread_mutex_lock(&mu);
            paused++;
            pthread_cond_broadcast(&cv);
            while (atomic_load(&pause_flag) && !atomic_load(&stop_flag)) pthread_cond_wait(&cv, &mu);
            paused--;
            pthread_mutex_unlock(&mu);
            continue;
        }
        int x = (int)lrng_below(&c->g, (uint64_t)total), a = 0;
        while (x >= action_weight[a]) x -= action_weight[a++];
        atomic_fetch_add(&actions[a], 1);
        switch (a) {
        case A_WAIT: act_wait(c); break;
        case A_POLL: act_poll(c); break;
        case A_EVENTS: act_events(c); break;
        case A_CANCEL: act_cancel(c); break;
        case A_IDEM: act_idem(c); break;
        case A_LIST: act_list(c); break;
        case A_HISTORY: act_history(c); break;
        case A_PREDICT: act_predict(c); break;
        case A_EVALUATE: act_evaluate(c); break;
        case A_DATASET: create_dataset(); break;
        case A_XCANCEL: act_xcancel(c); break;
        default: act_ops(c); break;
        }
    }
    return NULL;
}

/* Every client finishes its action and waits. */
static void quiesce(void) {
    pthread_mutex_lock(&mu);
    atomic_store(&pause_flag, 1);
    while (paused < nthreads) pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
}

static void resume(void) {
    pthread_mutex_lock(&mu);
    atomic_store(&pause_flag, 0);
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

/* The queue drained and a second of calm: the server's VmRSS in kB. */
static long quiet_rss(void) {
    if (wait_idle(&srv, 120) != 0) fail("the server did not become idle within 120 s");
    sleep_s(1.0);
    return proc_kb(srv.pid, "VmRSS");
}

/* ---- the final check, in parallel ---- */

static atomic_size_t verify_next;
static void *verify_main(void *arg) {
    (void)arg;
    for (;;) {
        size_t i = atomic_fetch_add(&verify_next, 1);
        if (i >= njobs) return NULL;
        jobs[i].final_ok = wait_terminal(NULL, &srv, jobs[i].id, 120, &jobs[i].final) == 0;
    }
}

static int by_id(const void *a, const void *b) {
    return strcmp((const char *)a, (const char *)b);
}

static double mb(long kb) {
    return (double)kb / 1024.0;
}

static uint64_t mix(uint64_t k) {
    uint64_t s = k ^ 0x7265706c6179ULL;
    return splitmix64(&s);
}

static int by_sample_order(const void *a, const void *b) {
    uint64_t x = mix((*(job_ent *const *)a)->key), y = mix((*(job_ent *const *)b)->key);
    return x < y ? -1 : x > y;
}

static int by_k(const void *a, const void *b) {
    uint64_t x = (*(job_ent *const *)a)->k, y = (*(job_ent *const *)b)->k;
    return x < y ? -1 : x > y;
}

int main(void) {
    double t_start = mono_now();
    nthreads = (int)env_long("FITD_SOAK_THREADS", 32, 1, 512);
    long seconds = env_long("FITD_SOAK_SECONDS", 120, 2, 86400);
    master_seed = (uint64_t)env_long("FITD_SOAK_SEED", 1, 0, 1L << 40);
    size_t replay_max = (size_t)env_long("FITD_SOAK_REPLAY", 1000, 200, 100000000);
    const char *extra[] = {"--grace", "5", NULL};
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!CHECK(fitd_start(&srv, NULL, extra) == 0)) return check_done("soak");
    printf("soak: %d clients, %ld s, seed %llu, fitd pid %d (sqlite store, default workers), data %s\n", nthreads,
           seconds, (unsigned long long)master_seed, (int)srv.pid, srv.dir);
    for (int i = 0; i < 8; i++) create_dataset();
    if (!CHECK(nds > 0)) {
        fitd_stop(&srv, SIGKILL);
        fitd_cleanup(&srv);
        return check_done("soak");
    }
    long rss0 = quiet_rss();

    client *cs = calloc((size_t)nthreads, sizeof *cs);
    for (int t = 0; t < nthreads; t++) {
        cs[t].t = t;
        lrng_seed(&cs[t].g, master_seed * 1000003ULL + (uint64_t)(unsigned)t);
        pthread_create(&cs[t].th, NULL, client_main, &cs[t]);
    }
    double half = (double)seconds / 2.0, t0 = mono_now();
    sleep_s(half);
    quiesce();
    double load1 = mono_now() - t0;
    unsigned long req1 = stats_total(&stats);
    size_t jobs1 = njobs;
    long rss1 = quiet_rss(), hwm1 = proc_kb(srv.pid, "VmHWM");
    printf("soak: half 1: %.1f s of load, %lu requests, %zu jobs; VmRSS %ld kB (at start %ld kB)\n", load1, req1,
           jobs1, rss1, rss0);
    resume();
    double t1 = mono_now();
    sleep_s(half);
    atomic_store(&stop_flag, 1);
    pthread_mutex_lock(&mu);
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    for (int t = 0; t < nthreads; t++) pthread_join(cs[t].th, NULL);
    double load2 = mono_now() - t1;
    unsigned long req2 = stats_total(&stats) - req1;
    long rss2 = quiet_rss(), hwm2 = proc_kb(srv.pid, "VmHWM");
    printf("soak: half 2: %.1f s of load, %lu requests, %zu jobs; VmRSS %ld kB\n", load2, req2, njobs - jobs1,
           rss2);
    req_stats load_stats = stats;

    /* every acknowledged job ends; what a client saw does not change */
    atomic_store(&verify_next, 0);
    pthread_t vt[8];
    for (int t = 0; t < 8; t++) pthread_create(&vt[t], NULL, verify_main, NULL);
    for (int t = 0; t < 8; t++) pthread_join(vt[t], NULL);
    qsort(xcancelled, nxc, sizeof *xcancelled, by_id);
    for (size_t i = 0; i < njobs; i++)
        if (nxc && bsearch(jobs[i].id, xcancelled, nxc, sizeof *xcancelled, by_id)) jobs[i].cancel_asked = 1;
    size_t stuck = 0, changed = 0, unasked = 0, asked = 0;
    size_t n_succ = 0, n_fail = 0, n_canc = 0;
    for (size_t i = 0; i < njobs; i++) {
        job_ent *e = &jobs[i];
        char why[160];
        asked += e->cancel_asked ? 1 : 0;
        if (!e->final_ok) {
            if (stuck++ < 10) fprintf(stderr, "soak: job %s did not end\n", e->id);
            continue;
        }
        if (strcmp(e->final.status, "succeeded") == 0) n_succ++;
        else if (strcmp(e->final.status, "failed") == 0) n_fail++;
        else n_canc++;
        if (e->seen && !jres_same(&e->seen_res, &e->final, why, sizeof why) && changed++ < 10)
            fprintf(stderr, "soak: job %s changed after it ended: %s\n", e->id, why);
        if (strcmp(e->final.status, "cancelled") == 0 && !e->cancel_asked && unasked++ < 10)
            fprintf(stderr, "soak: job %s was cancelled without a cancel\n", e->id);
    }
    /* the store holds exactly the acknowledged jobs */
    double in_store = 0;
    {
        http_res r;
        http_get(&srv, "/metrics", &r);
        for (const char *p = r.body; p && (p = strstr(p, "\nfitd_jobs{status=")) != NULL; p++) {
            const char *sp = strchr(p, ' ');
            if (sp) in_store += strtod(sp + 1, NULL);
        }
        http_res_free(&r);
    }
    int stop_rc = fitd_stop(&srv, SIGTERM);

    /* the sequential replay on a fresh server */
    size_t neligible = 0;
    job_ent **el = malloc((njobs + 1) * sizeof *el);
    for (size_t i = 0; i < njobs; i++)
        if (jobs[i].final_ok && strcmp(jobs[i].final.status, "cancelled") != 0) el[neligible++] = &jobs[i];
    size_t nreplay = neligible;
    if (neligible > replay_max) {
        qsort(el, neligible, sizeof *el, by_sample_order); /* a sample fixed by the keys */
        nreplay = replay_max;
    }
    qsort(el, nreplay, sizeof *el, by_k);
    replay rp;
    size_t same = 0, differ = 0, replay_err = 0;
    double tr = mono_now();
    if (CHECK(replay_start(&rp) == 0)) {
        for (size_t i = 0; i < nreplay; i++) {
            jres want;
            char why[160];
            if (replay_one(&rp, el[i]->key, el[i]->mode, el[i]->ds_key, &want) != 0) {
                replay_err++;
            } else if (jres_same(&el[i]->final, &want, why, sizeof why)) {
                same++;
            } else if (differ++ < 10) {
                fprintf(stderr, "soak: job %s (spec #%llu) differs from its replay: %s\n", el[i]->id,
                        (unsigned long long)el[i]->k, why);
            }
        }
        CHECK_INT(replay_stop(&rp), 0);
    }
    double replay_s = mono_now() - tr;

    /* the summary */
    stats_print("soak", &load_stats);
    printf("soak: actions:");
    for (int a = 0; a < A_N; a++) printf(" %s %lu%s", action_names[a], atomic_load(&actions[a]), a + 1 < A_N ? "," : "\n");
    printf("soak: jobs acknowledged %zu: succeeded %zu, failed %zu, cancelled %zu, not ended %zu; "
           "datasets %zu\n",
           njobs, n_succ, n_fail, n_canc, stuck, nds);
    printf("soak: cancel right after submit %lu: before start %lu, while running %lu, after it ended %lu; "
           "cancels of other clients' running/queued jobs %lu; jobs with a cancel %zu\n",
           atomic_load(&actions[A_CANCEL]), atomic_load(&n_cancel_before_start), atomic_load(&n_cancel_running),
           atomic_load(&n_cancel_late), atomic_load(&n_xcancel), asked);
    printf("soak: idempotent resubmits answered with the same job %lu\n", atomic_load(&n_idem_same));
    printf("soak: streams %lu (%lu progress events), histories checked %lu, predictions checked %lu\n",
           atomic_load(&n_sse_streams), atomic_load(&n_sse_events), atomic_load(&n_hist_checked),
           atomic_load(&n_predict_checked));
    long limit = (long)((double)rss1 * (1.0 + RSS_REL)) + RSS_ABS_KB;
    printf("soak: VmRSS start %.1f MB, after half 1 %.1f MB, after half 2 %.1f MB (limit %.1f MB = +10%% + 8 MB; "
           "growth %+.1f MB); VmHWM %.1f MB / %.1f MB\n",
           mb(rss0), mb(rss1), mb(rss2), mb(limit), mb(rss2 - rss1), mb(hwm1), mb(hwm2));
    printf("soak: replay: %zu of %zu non-cancelled jobs run again one at a time on a fresh server in %.1f s: "
           "%zu identical, %zu different, %zu not run\n",
           nreplay, neligible, replay_s, same, differ, replay_err);
    printf("soak: duration %.1f s\n", mono_now() - t_start);

    CHECK(njobs > 0);
    CHECK_INT(stuck, 0);
    CHECK_INT(changed, 0);
    CHECK_INT(unasked, 0);
    CHECK_INT(atomic_load(&n_errors), 0);
    CHECK_INT(load_stats.transport_err, 0);
    CHECK_INT(load_stats.s5xx, 0);
    CHECK_INT(load_stats.s429, 0);
    CHECK_INT((long long)in_store, (long long)njobs);
    CHECK(rss1 > 0 && rss2 > 0);
    if (!CHECK(rss2 <= limit))
        fprintf(stderr, "soak: VmRSS grew from %ld kB to %ld kB (limit %ld kB)\n", rss1, rss2, limit);
    CHECK_INT(stop_rc, 0);
    CHECK(nreplay >= (neligible < 200 ? neligible : 200));
    CHECK(nreplay > 0);
    CHECK_INT(differ, 0);
    CHECK_INT(replay_err, 0);
    CHECK_INT(same, nreplay);
    free(el);
    free(cs);
    fitd_cleanup(&srv);
    free(jobs);
    free(ds_keys);
    free(ds_ids);
    free(xcancelled);
    return check_done("soak");
}
