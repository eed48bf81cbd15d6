/* crash.c - kill -9 at random moments under load, R rounds (default 5,
 * FITD_CRASH_ROUNDS) on one sqlite data directory. In each round C client
 * threads (default 8, FITD_CRASH_THREADS) create datasets (generated,
 * JSON columns, CSV) and submit jobs (small ones and some of a few tens of
 * ms, on inline or stored data), cancel and poll some, list; a dataset or
 * job counts as acknowledged only once its 201/202 (or 200) arrived. At a
 * seeded random moment (FITD_CRASH_SEED) the server gets SIGKILL and is
 * started again on the same directory, while its requeued jobs run.
 *
 * Checks after every restart: every acknowledged dataset is there with
 * the same rows and statistics (bit for bit); every acknowledged job is
 * there with its seed and dataset; a result a client saw before a crash
 * is unchanged. After the last round: every job ends (none left queued
 * or running), no job is cancelled unless a cancel was sent, and every
 * job not cancelled has the same params, loss, epochs_run and termination,
 * bit for bit, as its spec run alone on a fresh server (all of them, or a
 * deterministic sample of FITD_CRASH_REPLAY, default 1000). */
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

typedef struct ds_ent {
    char id[48];
    uint64_t key;
    double rows, ymean;
    int round;
} ds_ent;

typedef struct job_ent {
    char id[48];
    uint64_t k, key, ds_key;
    int mode, round;
    int cancel_asked;
    int seen; /* a client saw it terminal */
    jres seen_res;
    int final_ok;
    jres final;
} job_ent;

typedef struct client {
    int t;
    lrng g;
    pthread_t th;
} client;

static fitd_proc srv;
static req_stats stats;
static uint64_t master_seed;
static int round_no;
static atomic_ulong next_k, next_ds;
static atomic_int stop_flag, killing;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static ds_ent *dss;   /* under mu */
static size_t nds, capds;
static job_ent *jobs; /* under mu */
static size_t njobs, capjobs;
static atomic_ulong n_errors, n_unanswered_at_kill, n_seen, n_cancel_sent;

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static void fail(const char *fmt, ...) {
    unsigned long n = atomic_fetch_add(&n_errors, 1);
    if (n >= 40) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "crash: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

/* A request that got no answer: expected once the kill is under way (the
 * client then stops, so n_unanswered_at_kill counts requests in flight). */
static _Thread_local int client_done;
static int unanswered(const http_res *r) {
    if (r->status != 0) return 0;
    if (atomic_load(&killing)) atomic_fetch_add(&n_unanswered_at_kill, 1);
    else fail("a request got no answer before the kill");
    client_done = 1;
    return 1;
}

static void act_dataset(client *c) {
    (void)c;
    ds_ent d;
    memset(&d, 0, sizeof d);
    d.key = spec_key(master_seed ^ 0xda7a5e7ULL, atomic_fetch_add(&next_ds, 1));
    d.round = round_no;
    const char *ctype;
    char *body = ds_build(d.key, &ctype);
    http_res r;
    lreq(&stats, K_DATASET, &srv, "POST", "/v1/datasets", body, strlen(body), ctype, NULL, &r);
    free(body);
    if (unanswered(&r)) {
    } else if (r.status == 201 && jstr(r.json, "id")[0]) {
        snprintf(d.id, sizeof d.id, "%s", jstr(r.json, "id"));
        d.rows = jnum(r.json, "rows");
        d.ymean = jnum(r.json, "stats.y.mean");
        pthread_mutex_lock(&mu);
        if (nds == capds) {
            capds = capds ? capds * 2 : 256;
            ds_ent *p = realloc(dss, capds * sizeof *p);
            if (p == NULL) abort();
            dss = p;
        }
        dss[nds++] = d;
        pthread_mutex_unlock(&mu);
    } else {
        fail("POST /v1/datasets answered %ld: %.200s", r.status, r.body);
    }
    http_res_free(&r);
}

static void act_submit(client *c) {
    job_ent e;
    memset(&e, 0, sizeof e);
    e.k = atomic_fetch_add(&next_k, 1);
    e.key = spec_key(master_seed, e.k);
    e.mode = lrng_below(&c->g, 100) < 12 ? SPEC_HEAVY : SPEC_SMALL;
    e.round = round_no;
    char ds[48] = "";
    if (spec_wants_dataset(e.key)) {
        pthread_mutex_lock(&mu);
        if (nds) {
            size_t i = (size_t)lrng_below(&c->g, nds);
            e.ds_key = dss[i].key;
            snprintf(ds, sizeof ds, "%s", dss[i].id);
        }
        pthread_mutex_unlock(&mu);
        if (ds[0] == '\0') return; /* no dataset yet: another key */
    }
    char *spec = spec_build(e.key, e.mode, ds[0] ? ds : NULL);
    const char *path = lrng_below(&c->g, 100) < 15 ? "/v1/jobs?wait=2" : "/v1/jobs";
    http_res r;
    lreq(&stats, K_SUBMIT, &srv, "POST", path, spec, strlen(spec), NULL, NULL, &r);
    free(spec);
    if (unanswered(&r)) {
    } else if ((r.status == 202 || r.status == 200) && jstr(r.json, "id")[0]) {
        snprintf(e.id, sizeof e.id, "%s", jstr(r.json, "id"));
        if (r.status == 200 && jres_from(r.json, &e.seen_res) == 0 && status_terminal(e.seen_res.status)) {
            e.seen = 1;
            atomic_fetch_add(&n_seen, 1);
        }
        pthread_mutex_lock(&mu);
        if (njobs == capjobs) {
            capjobs = capjobs ? capjobs * 2 : 1024;
            job_ent *p = realloc(jobs, capjobs * sizeof *p);
            if (p == NULL) abort();
            jobs = p;
        }
        jobs[njobs++] = e;
        pthread_mutex_unlock(&mu);
    } else {
        fail("POST %s answered %ld: %.300s", path, r.status, r.body);
    }
    http_res_free(&r);
}

/* Records a terminal document seen for job index i, or checks it against
 * the one seen before. */
static void saw(size_t i, const json_t *doc) {
    jres now;
    if (jres_from(doc, &now) != 0 || !status_terminal(now.status)) return;
    char why[160];
    pthread_mutex_lock(&mu);
    job_ent *e = &jobs[i];
    if (!e->seen) {
        e->seen = 1;
        e->seen_res = now;
        atomic_fetch_add(&n_seen, 1);
    } else if (!jres_same(&e->seen_res, &now, why, sizeof why)) {
        fail("job %s changed after it ended: %s", e->id, why);
    }
    pthread_mutex_unlock(&mu);
}

/* A random acknowledged job's index and id, or 0. */
static int pick_job(client *c, size_t *i, char *id, size_t cap, int mark_cancel) {
    pthread_mutex_lock(&mu);
    int got = njobs > 0;
    if (got) {
        *i = (size_t)lrng_below(&c->g, njobs);
        snprintf(id, cap, "%s", jobs[*i].id);
        if (mark_cancel) jobs[*i].cancel_asked = 1; /* before sending: it may take effect unanswered */
    }
    pthread_mutex_unlock(&mu);
    return got;
}

static void act_cancel(client *c) {
    size_t i;
    char id[48], path[128];
    if (!pick_job(c, &i, id, sizeof id, 1)) return;
    atomic_fetch_add(&n_cancel_sent, 1);
    snprintf(path, sizeof path, "/v1/jobs/%s/cancel", id);
    http_res r;
    lreq(&stats, K_CANCEL, &srv, "POST", path, NULL, 0, NULL, NULL, &r);
    if (unanswered(&r)) {
    } else if (r.status == 200) {
        saw(i, r.json);
    } else {
        fail("POST %s answered %ld", path, r.status);
    }
    http_res_free(&r);
}

static void act_poll(client *c) {
    size_t i;
    char id[48], path[128];
    if (!pick_job(c, &i, id, sizeof id, 0)) return;
    snprintf(path, sizeof path, "/v1/jobs/%s?wait=1", id);
    http_res r;
    lreq(&stats, K_POLL, &srv, "GET", path, NULL, 0, NULL, NULL, &r);
    if (unanswered(&r)) {
    } else if (r.status == 200) {
        saw(i, r.json);
    } else {
        fail("GET %s answered %ld", path, r.status);
    }
    http_res_free(&r);
}

static void act_list(client *c) {
    const char *paths[] = {"/v1/jobs?page_size=50&order=newest", "/v1/datasets?page_size=50",
                           "/v1/jobs?status=queued&page_size=20"};
    const char *path = paths[lrng_below(&c->g, 3)];
    http_res r;
    lreq(&stats, K_LIST, &srv, "GET", path, NULL, 0, NULL, NULL, &r);
    if (!unanswered(&r) && (r.status != 200 || !json_is_array(json_object_get(r.json, "items"))))
        fail("GET %s answered %ld", path, r.status);
    http_res_free(&r);
}

static void *client_main(void *arg) {
    client *c = arg;
    client_done = 0;
    while (!atomic_load(&stop_flag) && !client_done) {
        uint64_t x = lrng_below(&c->g, 100);
        if (x < 20) act_dataset(c);
        else if (x < 70) act_submit(c);
        else if (x < 78) act_cancel(c);
        else if (x < 92) act_poll(c);
        else act_list(c);
    }
    return NULL;
}

/* ---- checks after a restart, in parallel ---- */

static atomic_size_t next_i;
static atomic_ulong lost_ds, lost_jobs, bad_ds, bad_jobs, changed, pending_at_restart;
static size_t check_nds, check_njobs;

static void *check_main(void *arg) {
    (void)arg;
    for (;;) {
        size_t i = atomic_fetch_add(&next_i, 1);
        char path[128];
        http_res r;
        if (i < check_nds) {
            ds_ent *d = &dss[i];
            snprintf(path, sizeof path, "/v1/datasets/%s", d->id);
            lreq(&stats, K_VERIFY, &srv, "GET", path, NULL, 0, NULL, NULL, &r);
            double ym = jnum(r.json, "stats.y.mean");
            if (r.status == 404) {
                atomic_fetch_add(&lost_ds, 1);
                fail("dataset %s (round %d) is lost", d->id, d->round);
            } else if (r.status != 200 || jnum(r.json, "rows") != d->rows || memcmp(&ym, &d->ymean, sizeof ym) != 0) {
                atomic_fetch_add(&bad_ds, 1);
                fail("dataset %s: %ld %.200s", d->id, r.status, r.body);
            }
        } else if (i < check_nds + check_njobs) {
            job_ent *e = &jobs[i - check_nds];
            snprintf(path, sizeof path, "/v1/jobs/%s", e->id);
            lreq(&stats, K_VERIFY, &srv, "GET", path, NULL, 0, NULL, NULL, &r);
            jres now;
            if (r.status == 404) {
                atomic_fetch_add(&lost_jobs, 1);
                fail("job %s (round %d) is lost", e->id, e->round);
            } else if (r.status != 200 || jres_from(r.json, &now) != 0 ||
                       jnum(r.json, "seed") != (double)spec_seed(e->key)) {
                atomic_fetch_add(&bad_jobs, 1);
                fail("job %s: %ld %.200s", e->id, r.status, r.body);
            } else {
                char why[160];
                if (!status_terminal(now.status)) atomic_fetch_add(&pending_at_restart, 1);
                if (e->seen && !jres_same(&e->seen_res, &now, why, sizeof why)) {
                    atomic_fetch_add(&changed, 1);
                    fail("job %s: the result seen before the crash changed: %s", e->id, why);
                }
            }
        } else {
            return NULL;
        }
        http_res_free(&r);
    }
}

static void check_all(void) {
    atomic_store(&next_i, 0);
    check_nds = nds;
    check_njobs = njobs;
    pthread_t th[4];
    for (int t = 0; t < 4; t++) pthread_create(&th[t], NULL, check_main, NULL);
    for (int t = 0; t < 4; t++) pthread_join(th[t], NULL);
}

static void *final_main(void *arg) {
    (void)arg;
    for (;;) {
        size_t i = atomic_fetch_add(&next_i, 1);
        if (i >= njobs) return NULL;
        jobs[i].final_ok = wait_terminal(NULL, &srv, jobs[i].id, 240, &jobs[i].final) == 0;
    }
}

static size_t list_count(const char *path) {
    http_res r;
    http_get(&srv, path, &r);
    size_t n = r.status == 200 ? json_array_size(json_object_get(r.json, "items")) : (size_t)-1;
    http_res_free(&r);
    return n;
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
    int rounds = (int)env_long("FITD_CRASH_ROUNDS", 5, 1, 10000);
    int nthreads = (int)env_long("FITD_CRASH_THREADS", 8, 1, 256);
    master_seed = (uint64_t)env_long("FITD_CRASH_SEED", 1, 0, 1L << 40);
    size_t replay_max = (size_t)env_long("FITD_CRASH_REPLAY", 1000, 200, 100000000);
    const char *extra[] = {"--grace", "1", "--workers", "1", NULL};
    char dir[256];
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!CHECK(fitd_start(&srv, NULL, extra) == 0)) return check_done("crash");
    snprintf(dir, sizeof dir, "%s", srv.dir);
    printf("crash: %d rounds, %d clients, seed %llu, data %s\n", rounds, nthreads,
           (unsigned long long)master_seed, dir);
    lrng kr;
    lrng_seed(&kr, master_seed ^ 0x6b696c6cULL);
    int crashes = 0, starts_ok = 1;
    double queued_at_kill = 0, running_at_kill = 0;
    client *cs = calloc((size_t)nthreads, sizeof *cs);
    for (round_no = 0; round_no < rounds; round_no++) {
        if (round_no > 0) {
            if (fitd_start(&srv, dir, extra) != 0) {
                starts_ok = 0;
                break;
            }
            double tc = mono_now();
            unsigned long pend0 = atomic_load(&pending_at_restart);
            check_all();
            printf("crash: restart %d: %zu datasets and %zu jobs checked in %.2f s; %lu jobs were still "
                   "queued or running when checked\n",
                   round_no, check_nds, check_njobs, mono_now() - tc, atomic_load(&pending_at_restart) - pend0);
        }
        double t_kill = 0.2 + 2.8 * lrng_unit(&kr);
        size_t ds0 = nds, jobs0 = njobs;
        atomic_store(&stop_flag, 0);
        atomic_store(&killing, 0);
        for (int t = 0; t < nthreads; t++) {
            cs[t].t = t;
            lrng_seed(&cs[t].g, master_seed * 1000003ULL + (uint64_t)(unsigned)round_no * 7919ULL + (uint64_t)(unsigned)t);
            pthread_create(&cs[t].th, NULL, client_main, &cs[t]);
        }
        sleep_s(t_kill);
        double q = metric(&srv, "fitd_queue_depth"), run = metric(&srv, "fitd_jobs_running");
        if (q > 0) queued_at_kill += q;
        if (run > 0) running_at_kill += run;
        atomic_store(&killing, 1);
        int rc = fitd_stop(&srv, SIGKILL);
        atomic_store(&stop_flag, 1);
        for (int t = 0; t < nthreads; t++) pthread_join(cs[t].th, NULL);
        if (rc == 128 + SIGKILL) crashes++;
        else fail("round %d: the server's status was %d, not killed by SIGKILL", round_no, rc);
        printf("crash: round %d: SIGKILL after %.2f s of load, with %.0f jobs queued and %.0f running; "
               "acknowledged %zu datasets, %zu jobs this round\n",
               round_no, t_kill, q, run, nds - ds0, njobs - jobs0);
    }

    /* the last restart: everything is there, and everything ends */
    size_t stuck = 0, unasked = 0, n_succ = 0, n_fail = 0, n_canc = 0, rerun = 0, still_running = 0, still_queued = 0;
    double in_store = NAN;
    int stop_rc = -1;
    if (starts_ok && fitd_start(&srv, dir, extra) == 0) {
        unsigned long pend0 = atomic_load(&pending_at_restart);
        check_all();
        printf("crash: final restart: %zu datasets and %zu jobs checked; %lu jobs were still queued or running when checked\n",
               check_nds, check_njobs, atomic_load(&pending_at_restart) - pend0);
        atomic_store(&next_i, 0);
        pthread_t th[8];
        for (int t = 0; t < 8; t++) pthread_create(&th[t], NULL, final_main, NULL);
        for (int t = 0; t < 8; t++) pthread_join(th[t], NULL);
        /* jobs committed without an answer run too: wait for an idle server,
           then nothing may be left queued or running in the store */
        if (wait_idle(&srv, 240) != 0) fail("the server did not become idle after the last restart");
        still_running = list_count("/v1/jobs?status=running&page_size=1000");
        still_queued = list_count("/v1/jobs?status=queued&page_size=1000");
        for (size_t i = 0; i < njobs; i++) {
            job_ent *e = &jobs[i];
            if (!e->final_ok) {
                if (stuck++ < 10) fprintf(stderr, "crash: job %s did not end\n", e->id);
                continue;
            }
            if (strcmp(e->final.status, "succeeded") == 0) n_succ++;
            else if (strcmp(e->final.status, "failed") == 0) n_fail++;
            else n_canc++;
            if (e->final.attempts > 1) rerun++;
            if (strcmp(e->final.status, "cancelled") == 0 && !e->cancel_asked && unasked++ < 10)
                fprintf(stderr, "crash: job %s was cancelled without a cancel\n", e->id);
        }
        http_res r;
        http_get(&srv, "/metrics", &r);
        in_store = 0;
        for (const char *p = r.body; p && (p = strstr(p, "\nfitd_jobs{status=")) != NULL; p++) {
            const char *sp = strchr(p, ' ');
            if (sp) in_store += strtod(sp + 1, NULL);
        }
        http_res_free(&r);
        stop_rc = fitd_stop(&srv, SIGTERM);
    } else {
        starts_ok = 0;
    }
    fitd_cleanup(&srv);

    /* the sequential replay */
    size_t neligible = 0, nreplay, same = 0, differ = 0, replay_err = 0;
    job_ent **el = malloc((njobs + 1) * sizeof *el);
    for (size_t i = 0; i < njobs; i++)
        if (jobs[i].final_ok && strcmp(jobs[i].final.status, "cancelled") != 0) el[neligible++] = &jobs[i];
    nreplay = neligible;
    if (neligible > replay_max) {
        qsort(el, neligible, sizeof *el, by_sample_order);
        nreplay = replay_max;
    }
    qsort(el, nreplay, sizeof *el, by_k);
    double tr = mono_now();
    replay rp;
    if (CHECK(replay_start(&rp) == 0)) {
        for (size_t i = 0; i < nreplay; i++) {
            jres want;
            char why[160];
            if (replay_one(&rp, el[i]->key, el[i]->mode, el[i]->ds_key, &want) != 0) replay_err++;
            else if (jres_same(&el[i]->final, &want, why, sizeof why)) same++;
            else if (differ++ < 10)
                fprintf(stderr, "crash: job %s (spec #%llu, attempts %ld) differs from its replay: %s\n", el[i]->id,
                        (unsigned long long)el[i]->k, el[i]->final.attempts, why);
        }
        CHECK_INT(replay_stop(&rp), 0);
    }
    double replay_s = mono_now() - tr;

    unsigned long lost = atomic_load(&lost_ds) + atomic_load(&lost_jobs);
    size_t heavy = 0, asked = 0;
    for (size_t i = 0; i < njobs; i++) {
        heavy += jobs[i].mode == SPEC_HEAVY ? 1 : 0;
        asked += jobs[i].cancel_asked ? 1 : 0;
    }
    stats_print("crash", &stats);
    printf("crash: crashes survived %d of %d; acknowledged datasets %zu, jobs %zu (%zu heavy); lost %lu "
           "(datasets %lu, jobs %lu)\n",
           crashes, rounds, nds, njobs, heavy, lost, atomic_load(&lost_ds), atomic_load(&lost_jobs));
    printf("crash: at the kills: %.0f jobs queued, %.0f running (a moment before the SIGKILL)\n", queued_at_kill,
           running_at_kill);
    printf("crash: requests in flight at the kills (no answer): %lu; jobs still queued or running when checked after a restart: "
           "%lu; jobs run more than once: %zu; jobs in the store %.0f (%.0f committed but unacknowledged)\n",
           atomic_load(&n_unanswered_at_kill), atomic_load(&pending_at_restart), rerun, in_store,
           in_store - (double)njobs);
    printf("crash: final: succeeded %zu, failed %zu, cancelled %zu (cancels sent %lu to %zu jobs), not ended %zu; "
           "listed running %zu, queued %zu\n",
           n_succ, n_fail, n_canc, atomic_load(&n_cancel_sent), asked, stuck, still_running, still_queued);
    printf("crash: results seen before a crash: %lu, changed %lu\n", atomic_load(&n_seen), atomic_load(&changed));
    printf("crash: replay: %zu of %zu non-cancelled jobs run again one at a time on a fresh server in %.1f s: "
           "%zu identical, %zu different, %zu not run\n",
           nreplay, neligible, replay_s, same, differ, replay_err);
    printf("crash: duration %.1f s\n", mono_now() - t_start);

    CHECK(starts_ok);
    CHECK_INT(crashes, rounds);
    CHECK(njobs > 0 && nds > 0);
    CHECK_INT(lost, 0);
    CHECK_INT(atomic_load(&bad_ds) + atomic_load(&bad_jobs), 0);
    CHECK_INT(atomic_load(&changed), 0);
    CHECK_INT(atomic_load(&n_errors), 0);
    CHECK_INT(stats.s5xx, 0);
    CHECK_INT(stuck, 0);
    CHECK_INT(still_running, 0);
    CHECK_INT(still_queued, 0);
    CHECK_INT(unasked, 0);
    CHECK(in_store >= (double)njobs);
    CHECK_INT(stop_rc, 0);
    CHECK(nreplay > 0);
    CHECK_INT(differ, 0);
    CHECK_INT(replay_err, 0);
    CHECK_INT(same, nreplay);
    free(el);
    free(cs);
    free(jobs);
    free(dss);
    return check_done("crash");
}
