/* loadlib.c - seeded specs, counted requests, bitwise results, the
 * server's memory, sequential replay. See loadlib.h. */
#include "loadlib.h"

#include <curl/curl.h>
#include <math.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- time and randomness ---- */

double mono_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void sleep_s(double s) {
    if (s <= 0) return;
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0) {
    }
}

uint64_t splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void lrng_seed(lrng *r, uint64_t seed) {
    uint64_t s = seed;
    r->s = splitmix64(&s);
    if (r->s == 0) r->s = 0x2545f4914f6cdd1dULL;
}

uint64_t lrng_next(lrng *r) {
    uint64_t x = r->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return x * 0x2545f4914f6cdd1dULL;
}

uint64_t lrng_below(lrng *r, uint64_t n) {
    return n ? lrng_next(r) % n : 0;
}

double lrng_unit(lrng *r) {
    return (double)(lrng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

uint64_t spec_key(uint64_t seed, uint64_t k) {
    uint64_t s = seed * 0x100000001b3ULL + k * 0x9e3779b97f4a7c15ULL + 0x5bd1e995ULL;
    return splitmix64(&s);
}

long env_long(const char *name, long def, long lo, long hi) {
    const char *v = getenv(name);
    if (v == NULL || *v == '\0') return def;
    char *end;
    long x = strtol(v, &end, 10);
    if (*end != '\0' || x < lo || x > hi) {
        fprintf(stderr, "%s=%s is not an integer from %ld to %ld; using %ld\n", name, v, lo, hi, def);
        return def;
    }
    return x;
}

/* ---- a growing string ---- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void sb_printf(sbuf *b, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->n;
        int w = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? room : 0, fmt, ap);
        va_end(ap);
        if (w < 0) return;
        if (b->p && (size_t)w < room) {
            b->n += (size_t)w;
            return;
        }
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + (size_t)w + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL) abort();
        b->p = p;
        b->cap = cap;
    }
}

/* ---- specs ---- */

static double pick_d(lrng *g, const double *v, size_t n) {
    return v[lrng_below(g, n)];
}

/* A normal draw (Box-Muller) from g. */
static double normal(lrng *g) {
    double u = lrng_unit(g), v = lrng_unit(g);
    if (u < 1e-300) u = 1e-300;
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* 100 rows of x on [0, 5] and y = a x + b + noise, as JSON columns. */
static void columns_json(sbuf *b, lrng *g) {
    double a = (double)((long)lrng_below(g, 4001) - 2000) / 1000.0;
    double c = (double)((long)lrng_below(g, 4001) - 2000) / 1000.0;
    double sd = 0.1 + (double)lrng_below(g, 10) / 10.0;
    double x[100], y[100];
    for (int i = 0; i < 100; i++) {
        x[i] = 5.0 * i / 99.0;
        y[i] = a * x[i] + c + sd * normal(g);
    }
    sb_printf(b, "{\"x\": [");
    for (int i = 0; i < 100; i++) sb_printf(b, "%s%.17g", i ? ", " : "", x[i]);
    sb_printf(b, "], \"y\": [");
    for (int i = 0; i < 100; i++) sb_printf(b, "%s%.17g", i ? ", " : "", y[i]);
    sb_printf(b, "]}");
}

int spec_wants_dataset(uint64_t key) {
    lrng g;
    lrng_seed(&g, key);
    return lrng_below(&g, 100) >= 75;
}

uint64_t spec_seed(uint64_t key) {
    uint64_t s = key ^ 0x51ed270b27ab3fd3ULL;
    return splitmix64(&s) % 1000000007ULL;
}

char *spec_build(uint64_t key, int mode, const char *ds_id) {
    static const double sgd_lr[] = {0.01, 0.02, 0.05}, sgd_mom[] = {0, 0.5, 0.9};
    static const double adam_lr[] = {0.01, 0.05, 0.1}, rms_lr[] = {0.005, 0.01, 0.02};
    static const double ada_lr[] = {0.1, 0.3}, batches[] = {8, 16, 32, 64};
    lrng g;
    lrng_seed(&g, key);
    sbuf b = {0};
    uint64_t src = lrng_below(&g, 100); /* the first draw: spec_wants_dataset */
    int gaussian = 0;
    sb_printf(&b, "{");
    if (src >= 75 && ds_id) {
        sb_printf(&b, "\"dataset\": \"%s\"", ds_id);
    } else if (src < 45 || src >= 75) {
        double m = (double)((long)lrng_below(&g, 4001) - 2000) / 1000.0;
        double c = (double)((long)lrng_below(&g, 4001) - 2000) / 1000.0;
        double sd = (double)(1 + lrng_below(&g, 10)) / 10.0;
        sb_printf(&b,
                  "\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 100, \"m\": %g, \"b\": %g, "
                  "\"noise_sd\": %g, \"x_min\": 0, \"x_max\": 5, \"seed\": %llu}}",
                  m, c, sd, (unsigned long long)lrng_below(&g, 1000000));
    } else if (src < 60) {
        gaussian = 1;
        double mu = (double)((long)lrng_below(&g, 601) - 300) / 100.0;
        double sigma = (double)(20 + lrng_below(&g, 281)) / 100.0;
        sb_printf(&b,
                  "\"data\": {\"generate\": {\"kind\": \"gaussian\", \"n\": 100, \"mu\": %g, "
                  "\"sigma\": %g, \"seed\": %llu}}",
                  mu, sigma, (unsigned long long)lrng_below(&g, 1000000));
    } else {
        sb_printf(&b, "\"data\": {\"columns\": ");
        columns_json(&b, &g);
        sb_printf(&b, "}");
    }
    /* model and loss */
    uint64_t mk = lrng_below(&g, 100), lk = lrng_below(&g, 100);
    if (gaussian) {
        sb_printf(&b, ", \"model\": %s", mk < 50 ? "\"gaussian\"" : "{\"kind\": \"gaussian\", \"x\": \"x\"}");
        if (lk < 30) sb_printf(&b, ", \"init\": {\"mu\": {\"normal\": {\"mean\": 0, \"sd\": 1}}, \"sigma\": 2}");
    } else {
        if (mk < 40) sb_printf(&b, ", \"model\": \"linear\"");
        else if (mk < 75) sb_printf(&b, ", \"model\": {\"kind\": \"linear\", \"x\": \"x\", \"y\": \"y\"}");
        else
            sb_printf(&b, ", \"model\": {\"kind\": \"expression\", \"predict\": \"w*x + k\", \"y\": \"y\", "
                          "\"params\": [\"w\", \"k\"]}");
        if (lk < 60) {
        } else if (lk < 72) {
            sb_printf(&b, ", \"loss\": \"mae\"");
        } else if (lk < 86) {
            sb_printf(&b, ", \"loss\": {\"kind\": \"huber\", \"delta\": 1}");
        } else if (lk < 93) {
            sb_printf(&b, ", \"loss\": {\"expr\": \"mean((yhat - y)^2)\"}");
        } else {
            sb_printf(&b, ", \"loss\": \"mse\"");
        }
    }
    /* optimizer */
    uint64_t ok = lrng_below(&g, 4), flag = lrng_below(&g, 4), clip = lrng_below(&g, 10);
    const char *clip_text = clip == 0 ? ", \"clipnorm\": 1" : clip == 1 ? ", \"clipvalue\": 0.5" : "";
    if (ok == 0) {
        double mom = pick_d(&g, sgd_mom, 3);
        sb_printf(&b,
                  ", \"optimizer\": {\"kind\": \"sgd\", \"learning_rate\": %g, \"momentum\": %g, "
                  "\"nesterov\": %s%s}",
                  mom == 0.9 ? 0.01 : pick_d(&g, sgd_lr, 3), mom, flag == 0 && mom > 0 ? "true" : "false",
                  clip_text);
    } else if (ok == 1) {
        sb_printf(&b, ", \"optimizer\": {\"kind\": \"adam\", \"learning_rate\": %g, \"amsgrad\": %s%s}",
                  pick_d(&g, adam_lr, 3), flag == 0 ? "true" : "false", clip_text);
    } else if (ok == 2) {
        sb_printf(&b, ", \"optimizer\": {\"kind\": \"rmsprop\", \"learning_rate\": %g, \"centered\": %s%s}",
                  pick_d(&g, rms_lr, 3), flag == 0 ? "true" : "false", clip_text);
    } else {
        sb_printf(&b, ", \"optimizer\": {\"kind\": \"adagrad\", \"learning_rate\": %g%s}",
                  pick_d(&g, ada_lr, 2), clip_text);
    }
    /* the loop */
    long epochs = mode == SPEC_HEAVY ? 1000 + (long)lrng_below(&g, 1501) : 50 + (long)lrng_below(&g, 151);
    sb_printf(&b, ", \"epochs\": %ld", epochs);
    uint64_t bk = lrng_below(&g, 100);
    if (mode == SPEC_HEAVY || mode == SPEC_SMALL_B1) sb_printf(&b, ", \"batch_size\": 1");
    else if (bk >= 50) sb_printf(&b, ", \"batch_size\": %g", pick_d(&g, batches, 4));
    int val = lrng_below(&g, 100) < 15;
    if (val) sb_printf(&b, ", \"validation_split\": 0.2");
    if (lrng_below(&g, 100) < 10)
        sb_printf(&b,
                  ", \"early_stopping\": {\"monitor\": \"%s\", \"patience\": 5, \"min_delta\": 0.0001, "
                  "\"restore_best\": %s}",
                  val ? "val_loss" : "loss", lrng_below(&g, 2) ? "true" : "false");
    sb_printf(&b, ", \"seed\": %llu}", (unsigned long long)spec_seed(key));
    return b.p;
}

char *ds_build(uint64_t key, const char **ctype) {
    lrng g;
    lrng_seed(&g, key ^ 0xd1b54a32d192ed03ULL);
    sbuf b = {0};
    uint64_t kind = lrng_below(&g, 3);
    *ctype = "application/json";
    if (kind == 0) {
        double m = (double)((long)lrng_below(&g, 4001) - 2000) / 1000.0;
        double c = (double)((long)lrng_below(&g, 4001) - 2000) / 1000.0;
        sb_printf(&b,
                  "{\"name\": \"gen-%016llx\", \"generate\": {\"kind\": \"linear\", \"n\": 100, \"m\": %g, "
                  "\"b\": %g, \"noise_sd\": 0.4, \"seed\": %llu}}",
                  (unsigned long long)key, m, c, (unsigned long long)lrng_below(&g, 1000000));
    } else if (kind == 1) {
        sb_printf(&b, "{\"name\": \"cols-%016llx\", \"columns\": ", (unsigned long long)key);
        columns_json(&b, &g);
        sb_printf(&b, "}");
    } else {
        *ctype = "text/csv";
        double a = (double)((long)lrng_below(&g, 4001) - 2000) / 1000.0;
        double c = (double)((long)lrng_below(&g, 4001) - 2000) / 1000.0;
        sb_printf(&b, "x,y\n");
        for (int i = 0; i < 100; i++) {
            double x = 5.0 * i / 99.0;
            sb_printf(&b, "%.17g,%.17g\n", x, a * x + c + 0.3 * normal(&g));
        }
    }
    return b.p;
}

/* ---- counted requests ---- */

const char *const kind_names[K_NKINDS] = {"submit",   "poll",    "events",  "cancel",
                                          "list",     "history+plot", "predict", "evaluate",
                                          "datasets", "dataset_get", "ops", "verify"};

/* req_stats is plain unsigned long; its cells are updated with atomics. */
static void bump(unsigned long *cell) {
    __atomic_fetch_add(cell, 1UL, __ATOMIC_RELAXED);
}

int lreq(req_stats *st, int kind, const fitd_proc *f, const char *method, const char *path,
         const char *body, size_t len, const char *ctype, const char *hdr, http_res *res) {
    int rc = http_do(f, method, path, body, len, ctype, hdr, res);
    if (st) {
        bump(&st->by_kind[kind]);
        if (rc != 0 || res->status == 0) bump(&st->transport_err);
        else if (res->status >= 500) bump(&st->s5xx);
        else if (res->status == 429) bump(&st->s429);
    }
    return rc;
}

void stats_add_status(req_stats *st, long status, int expected_4xx) {
    if (st && status >= 400 && status < 500 && status != 429 && !expected_4xx) bump(&st->s4xx_unexpected);
}

unsigned long stats_total(const req_stats *st) {
    unsigned long t = 0;
    for (int k = 0; k < K_NKINDS; k++) t += __atomic_load_n(&st->by_kind[k], __ATOMIC_RELAXED);
    return t;
}

void stats_print(const char *prefix, const req_stats *st) {
    printf("%s: requests %lu (", prefix, stats_total(st));
    int first = 1;
    for (int k = 0; k < K_NKINDS; k++) {
        unsigned long n = __atomic_load_n(&st->by_kind[k], __ATOMIC_RELAXED);
        if (n == 0) continue;
        printf("%s%s %lu", first ? "" : ", ", kind_names[k], n);
        first = 0;
    }
    printf("); no answer %lu, 5xx %lu, 429 %lu, unexpected 4xx %lu\n", st->transport_err, st->s5xx, st->s429,
           st->s4xx_unexpected);
}

typedef struct stream_buf {
    char *p;
    size_t n;
} stream_buf;

static size_t on_stream(char *ptr, size_t size, size_t nmemb, void *ud) {
    stream_buf *t = ud;
    size_t add = size * nmemb;
    char *p = realloc(t->p, t->n + add + 1);
    if (p == NULL) return 0;
    memcpy(p + t->n, ptr, add);
    t->p = p;
    t->n += add;
    t->p[t->n] = '\0';
    /* the done event is the last; hang up once it is complete */
    const char *d = strstr(t->p, "event: done\n");
    if (d && strstr(d, "\n\n")) return 0;
    return add;
}

char *sse_read_until_done(const fitd_proc *f, const char *path, long timeout_s) {
    CURL *c = curl_easy_init();
    stream_buf t = {0};
    char url[512];
    if (c == NULL) return NULL;
    snprintf(url, sizeof url, "%s%s", f->base, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_stream);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_perform(c);
    curl_easy_cleanup(c);
    return t.p;
}

/* ---- results ---- */

int status_terminal(const char *s) {
    return strcmp(s, "succeeded") == 0 || strcmp(s, "failed") == 0 || strcmp(s, "cancelled") == 0;
}

int jres_from(const json_t *doc, jres *out) {
    memset(out, 0, sizeof *out);
    out->loss = NAN;
    out->epochs_run = -1;
    const json_t *s = json_object_get(doc, "status");
    if (!json_is_string(s)) return -1;
    snprintf(out->status, sizeof out->status, "%s", json_string_value(s));
    const json_t *t = json_object_get(doc, "termination");
    if (json_is_string(t)) snprintf(out->termination, sizeof out->termination, "%s", json_string_value(t));
    const json_t *l = json_object_get(doc, "loss");
    if (json_is_number(l)) out->loss = json_number_value(l);
    const json_t *e = json_object_get(doc, "epochs_run");
    if (json_is_integer(e)) out->epochs_run = (long)json_integer_value(e);
    const json_t *at = json_object_get(doc, "attempts");
    out->attempts = json_is_integer(at) ? (long)json_integer_value(at) : -1;
    const json_t *p = json_object_get(doc, "params");
    const char *name;
    const json_t *v;
    json_object_foreach((json_t *)(uintptr_t)p, name, v) {
        if (out->np == JR_MAXP) break;
        /* insertion sort by name, so member order does not matter */
        size_t i = out->np++;
        while (i > 0 && strcmp(out->names[i - 1], name) > 0) {
            memcpy(out->names[i], out->names[i - 1], sizeof out->names[i]);
            out->params[i] = out->params[i - 1];
            i--;
        }
        snprintf(out->names[i], sizeof out->names[i], "%s", name);
        out->params[i] = json_is_number(v) ? json_number_value(v) : NAN;
    }
    return 0;
}

static int same_bits(double a, double b) {
    return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

int jres_same(const jres *a, const jres *b, char *why, size_t cap) {
    if (strcmp(a->status, b->status) != 0) {
        snprintf(why, cap, "status %s vs %s", a->status, b->status);
        return 0;
    }
    if (strcmp(a->termination, b->termination) != 0) {
        snprintf(why, cap, "termination %s vs %s", a->termination, b->termination);
        return 0;
    }
    if (a->epochs_run != b->epochs_run) {
        snprintf(why, cap, "epochs_run %ld vs %ld", a->epochs_run, b->epochs_run);
        return 0;
    }
    if (a->np != b->np) {
        snprintf(why, cap, "%zu params vs %zu", a->np, b->np);
        return 0;
    }
    for (size_t i = 0; i < a->np; i++) {
        if (strcmp(a->names[i], b->names[i]) != 0) {
            snprintf(why, cap, "param %s vs %s", a->names[i], b->names[i]);
            return 0;
        }
        if (!same_bits(a->params[i], b->params[i])) {
            snprintf(why, cap, "%s %.17g vs %.17g", a->names[i], a->params[i], b->params[i]);
            return 0;
        }
    }
    if (!same_bits(a->loss, b->loss)) {
        snprintf(why, cap, "loss %.17g vs %.17g", a->loss, b->loss);
        return 0;
    }
    return 1;
}

int wait_terminal(req_stats *st, const fitd_proc *f, const char *id, double timeout_s, jres *out) {
    double end = mono_now() + timeout_s;
    for (;;) {
        double left = end - mono_now();
        long w = left > 30 ? 30 : left < 1 ? 1 : (long)left;
        char path[200];
        http_res r;
        snprintf(path, sizeof path, "/v1/jobs/%s?wait=%ld", id, w);
        lreq(st, K_POLL, f, "GET", path, NULL, 0, NULL, NULL, &r);
        int rc = 1;
        if (r.status == 404 || r.status == 0) rc = -1;
        else if (r.status == 200 && jres_from(r.json, out) == 0 && status_terminal(out->status)) rc = 0;
        http_res_free(&r);
        if (rc <= 0) return rc;
        if (mono_now() >= end) return 1;
    }
}

/* ---- the server ---- */

long proc_kb(pid_t pid, const char *field) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *in = fopen(path, "r");
    if (in == NULL) return -1;
    long v = -1;
    size_t fl = strlen(field);
    while (fgets(line, sizeof line, in)) {
        if (strncmp(line, field, fl) == 0 && line[fl] == ':') {
            v = strtol(line + fl + 1, NULL, 10);
            break;
        }
    }
    fclose(in);
    return v;
}

double metric(const fitd_proc *f, const char *name) {
    http_res r;
    double v = NAN;
    if (http_get(f, "/metrics", &r) == 0 && r.status == 200) {
        size_t nl = strlen(name);
        for (const char *p = r.body; p && *p;) {
            if (strncmp(p, name, nl) == 0 && p[nl] == ' ') {
                v = strtod(p + nl + 1, NULL);
                break;
            }
            p = strchr(p, '\n');
            if (p) p++;
        }
    }
    http_res_free(&r);
    return v;
}

int wait_idle(const fitd_proc *f, double timeout_s) {
    double end = mono_now() + timeout_s;
    int calm = 0;
    while (mono_now() < end) {
        double q = metric(f, "fitd_queue_depth"), run = metric(f, "fitd_jobs_running");
        double w = metric(f, "fitd_http_waiting");
        calm = q == 0 && run == 0 && w == 0 ? calm + 1 : 0;
        if (calm >= 3) return 0;
        sleep_s(0.1);
    }
    return -1;
}

/* ---- sequential replay ---- */

int replay_start(replay *rp) {
    memset(rp, 0, sizeof *rp);
    const char *extra[] = {"--store", "memory", NULL};
    if (fitd_start(&rp->srv, NULL, extra) != 0) return -1;
    rp->up = 1;
    return 0;
}

static const char *replay_dataset(replay *rp, uint64_t ds_key) {
    for (size_t i = 0; i < rp->nds; i++)
        if (rp->ds_keys[i] == ds_key) return rp->ds_ids[i];
    const char *ctype;
    char *body = ds_build(ds_key, &ctype);
    http_res r;
    http_do(&rp->srv, "POST", "/v1/datasets", body, strlen(body), ctype, NULL, &r);
    free(body);
    const char *id = r.status == 201 ? jstr(r.json, "id") : "";
    if (id[0] == '\0') {
        fprintf(stderr, "replay: dataset %016llx was not created (%ld)\n", (unsigned long long)ds_key, r.status);
        http_res_free(&r);
        return NULL;
    }
    uint64_t *k = realloc(rp->ds_keys, (rp->nds + 1) * sizeof *k);
    char(*ids)[64] = realloc(rp->ds_ids, (rp->nds + 1) * sizeof *ids);
    if (k) rp->ds_keys = k;
    if (ids) rp->ds_ids = ids;
    if (k == NULL || ids == NULL) abort();
    rp->ds_keys[rp->nds] = ds_key;
    snprintf(rp->ds_ids[rp->nds], sizeof rp->ds_ids[rp->nds], "%s", id);
    http_res_free(&r);
    return rp->ds_ids[rp->nds++];
}

int replay_one(replay *rp, uint64_t key, int mode, uint64_t ds_key, jres *out) {
    const char *ds = NULL;
    if (spec_wants_dataset(key)) {
        ds = replay_dataset(rp, ds_key);
        if (ds == NULL) return -1;
    }
    char *spec = spec_build(key, mode, ds);
    http_res r;
    http_post(&rp->srv, "/v1/jobs?wait=120", spec, &r);
    free(spec);
    int rc = -1;
    if (r.status == 200 && jres_from(r.json, out) == 0 && status_terminal(out->status)) {
        rc = 0;
    } else if (r.status == 202 || r.status == 200) {
        char id[64];
        snprintf(id, sizeof id, "%s", jstr(r.json, "id"));
        rc = wait_terminal(NULL, &rp->srv, id, 300, out) == 0 ? 0 : -1;
    } else {
        fprintf(stderr, "replay: submit answered %ld: %.300s\n", r.status, r.body ? r.body : "");
    }
    http_res_free(&r);
    return rc;
}

int replay_stop(replay *rp) {
    int rc = rp->up ? fitd_stop(&rp->srv, SIGTERM) : -1;
    if (rp->up) fitd_cleanup(&rp->srv);
    rp->up = 0;
    free(rp->ds_keys);
    free(rp->ds_ids);
    rp->ds_keys = NULL;
    rp->ds_ids = NULL;
    rp->nds = 0;
    return rc;
}
