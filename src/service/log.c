/* log.c - JSON log lines on stderr. */
#include "log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "jout.h"

static atomic_int quiet_requests;

/* This thread's gathered lines while a batch is open (log_batch_begin). */
static _Thread_local jout_buf batch;
static _Thread_local int batching;

/* Writes text[0..len) in one write: stderr is unbuffered, and lines from
 * threads must not mix. */
static void emit(const char *text, size_t len) {
    fwrite(text, 1, len, stderr);
}

void log_batch_begin(void) {
    jout_init(&batch);
    batching = 1;
}

void log_batch_end(void) {
    batching = 0;
    size_t len = batch.n;
    char *text = jout_finish(&batch);
    if (text != NULL && len > 0) emit(text, len);
    free(text);
}

void log_set_quiet(int quiet) {
    atomic_store(&quiet_requests, quiet);
}

void log_event(const char *level, const char *event, json_t *fields) {
    struct timespec ts;
    char when[64];
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(when + n, sizeof when - n, ".%03ldZ", ts.tv_nsec / 1000000);
    /* written as text, not through a tree: a job logs three lines */
    jout_buf b;
    jout_init(&b);
    jout_raw(&b, "{\"ts\":", 6);
    jout_string(&b, when);
    jout_raw(&b, ",\"level\":", 9);
    jout_string(&b, level);
    jout_raw(&b, ",\"event\":", 9);
    jout_string(&b, event);
    const char *key;
    json_t *v;
    json_object_foreach(fields, key, v) {
        jout_raw(&b, ",", 1);
        jout_string(&b, key);
        jout_raw(&b, ":", 1);
        jout_value(&b, v, JSON_COMPACT);
    }
    jout_raw(&b, "}\n", 2);
    json_decref(fields);
    size_t len = b.n;
    char *text = jout_finish(&b);
    if (text == NULL) return;
    if (batching) jout_raw(&batch, text, len);
    else emit(text, len);
    free(text);
}

void log_request(const char *method, const char *url, const char *route, int status, double ms,
                 int aborted) {
    if (atomic_load(&quiet_requests)) return;
    json_t *f = json_pack("{s:s, s:s, s:s?, s:i, s:f}", "method", method, "path", url, "route",
                          route, "status", status, "ms", ms);
    if (f && aborted) json_object_set_new(f, "aborted", json_true());
    log_event("info", "request", f);
}
