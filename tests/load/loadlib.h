/* loadlib.h - what the load tests (soak.c, crash.c) share: seeded job and
 * dataset specs that can be rebuilt from a 64-bit key, a counted request
 * wrapper over tests/api/apitest.c, job results compared bit for bit, the
 * server's resident memory, and the sequential replay of a spec on a
 * fresh server. */
#ifndef FITD_LOADLIB_H
#define FITD_LOADLIB_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "apitest.h"

/* ---- time and randomness ---- */

double mono_now(void);
void sleep_s(double s);
uint64_t splitmix64(uint64_t *state);
/* A small per-thread generator (xorshift64*), never 0. */
typedef struct lrng {
    uint64_t s;
} lrng;
void lrng_seed(lrng *r, uint64_t seed);
uint64_t lrng_next(lrng *r);
/* Uniform in [0, n). */
uint64_t lrng_below(lrng *r, uint64_t n);
double lrng_unit(lrng *r);
/* The key of spec number k of a run seeded with seed (k >= 0). */
uint64_t spec_key(uint64_t seed, uint64_t k);
long env_long(const char *name, long def, long lo, long hi);

/* ---- specs ---- */

#define SPEC_SMALL 0 /* 100 rows, 50-200 epochs */
#define SPEC_HEAVY 1 /* 100 rows, batch_size 1, 1000-2500 epochs (tens to hundreds of ms) */
#define SPEC_SMALL_B1 2 /* as SPEC_SMALL with batch_size 1 (slow enough to cancel while running) */

/* Whether spec key wants a stored dataset (the caller picks one and
 * passes its id to spec_build). */
int spec_wants_dataset(uint64_t key);
/* The seed member of spec key. */
uint64_t spec_seed(uint64_t key);
/* The POST /v1/jobs body of spec key: the same key, mode and dataset
 * contents give the same body (ds_id replaces a stored dataset's id;
 * NULL when !spec_wants_dataset). Returns a malloc'd string. */
char *spec_build(uint64_t key, int mode, const char *ds_id);
/* A POST /v1/datasets body for dataset key: generate, JSON columns or CSV
 * (*ctype says which), always 100 rows of columns x and y. malloc'd. */
char *ds_build(uint64_t key, const char **ctype);

/* ---- counted requests ---- */

enum {
    K_SUBMIT, K_POLL, K_EVENTS, K_CANCEL, K_LIST, K_HISTORY, K_PREDICT, K_EVALUATE,
    K_DATASET, K_DSGET, K_OPS, K_VERIFY, K_NKINDS
};
extern const char *const kind_names[K_NKINDS];

typedef struct req_stats {
    unsigned long by_kind[K_NKINDS];
    unsigned long transport_err; /* no response */
    unsigned long s5xx, s429, s4xx_unexpected;
} req_stats;

/* http_do, counted under kind (atomically) in st (may be NULL). */
int lreq(req_stats *st, int kind, const fitd_proc *f, const char *method, const char *path,
         const char *body, size_t len, const char *ctype, const char *hdr, http_res *res);
void stats_add_status(req_stats *st, long status, int expected_4xx);
void stats_print(const char *prefix, const req_stats *st);
unsigned long stats_total(const req_stats *st);

/* Reads a server-sent event stream until `event: done` (or timeout);
 * returns the text (malloc'd) or NULL when nothing arrived. */
char *sse_read_until_done(const fitd_proc *f, const char *path, long timeout_s);

/* ---- results ---- */

#define JR_MAXP 8
typedef struct jres {
    char status[16];
    char termination[24];
    size_t np;
    char names[JR_MAXP][32];
    double params[JR_MAXP];
    double loss;     /* NAN when null */
    long epochs_run; /* -1 when null */
    long attempts;   /* not compared */
} jres;

int status_terminal(const char *s);
/* Reads the members of a job document (or an SSE done event) into out;
 * returns 0 when it had a status. */
int jres_from(const json_t *doc, jres *out);
/* 1 when a and b agree bit for bit (status, termination, params, loss,
 * epochs_run); else 0 with the first difference in why. */
int jres_same(const jres *a, const jres *b, char *why, size_t cap);

/* GET /v1/jobs/{id}?wait=... until terminal or timeout_s; 0 with the
 * result, 1 not terminal in time, -1 no such job or no answer. */
int wait_terminal(req_stats *st, const fitd_proc *f, const char *id, double timeout_s, jres *out);

/* ---- the server ---- */

/* A field of /proc/PID/status in kB (VmRSS, VmHWM), or -1. */
long proc_kb(pid_t pid, const char *field);
/* A value of /metrics (the first line starting "name "), or NAN. */
double metric(const fitd_proc *f, const char *name);
/* Waits until the queue is empty and no job runs (timeout_s at most);
 * returns 0 when it got there. */
int wait_idle(const fitd_proc *f, double timeout_s);

/* ---- sequential replay on a fresh server ---- */

typedef struct replay {
    fitd_proc srv;
    int up;
    size_t nds;
    uint64_t *ds_keys;
    char (*ds_ids)[64];
} replay;

int replay_start(replay *rp);
/* Runs spec (key, mode, dataset ds_key if used) alone, waits for it;
 * 0 with its result. */
int replay_one(replay *rp, uint64_t key, int mode, uint64_t ds_key, jres *out);
/* Stops the server (SIGTERM) and removes its directory; returns its exit status. */
int replay_stop(replay *rp);

#endif
