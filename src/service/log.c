/* log.c - JSON log lines on stderr. */
#include "log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The line's time, as ISO 8601 UTC with milliseconds, into when (at
 * least 32 bytes). The date and time of day are formatted once a second
 * per thread (gmtime and strftime cost more than the rest of a line). */
static void timestamp(char *when) {
    static _Thread_local time_t sec = -1;
    static _Thread_local char prefix[32];
    static _Thread_local size_t plen;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != sec) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        plen = strftime(prefix, sizeof prefix, "%Y-%m-%dT%H:%M:%S", &tm);
        sec = ts.tv_sec;
    }
    memcpy(when, prefix, plen);
    long ms = ts.tv_nsec / 1000000;
    when[plen] = '.';
    when[plen + 1] = (char)('0' + ms / 100);
    when[plen + 2] = (char)('0' + ms / 10 % 10);
    when[plen + 3] = (char)('0' + ms % 10);
    when[plen + 4] = 'Z';
    when[plen + 5] = '\0';
}

/* Writes ,"key": to b (escaped like any string: log_event's keys are the caller's). */
static void member_key(jout_buf *b, const char *key) {
    jout_raw(b, ",", 1);
    jout_string(b, key);
    jout_raw(b, ":", 1);
}

/* Opens a line, {"ts":...,"level":...,"event":..., in the open batch or
 * else in own (initialized here); returns the buffer it is in. */
static jout_buf *line_begin(jout_buf *own, const char *level, const char *event) {
    jout_buf *b = batching ? &batch : own;
    if (!batching) jout_init(own);
    char when[40];
    timestamp(when);
    jout_raw(b, "{\"ts\":", 6);
    jout_string(b, when);
    member_key(b, "level");
    jout_string(b, level);
    member_key(b, "event");
    jout_string(b, event);
    return b;
}

/* Closes the line in b and writes it, or leaves it in the batch. b is
 * the batch itself while one is open (the line then stays in it). */
static void line_end(jout_buf *b) {
    jout_raw(b, "}\n", 2);
    if (b == &batch) return;
    size_t len = b->n;
    char *text = jout_finish(b);
    if (text != NULL) emit(text, len);
    free(text);
}

void log_event(const char *level, const char *event, json_t *fields) {
    /* written as text, not through a tree: a job logs three lines */
    jout_buf own, *b = line_begin(&own, level, event);
    const char *key;
    json_t *v;
    json_object_foreach(fields, key, v) {
        member_key(b, key);
        jout_value(b, v, JSON_COMPACT);
    }
    json_decref(fields);
    line_end(b);
}

void log_job(const char *id, const char *status, int attempts, const char *reason) {
    jout_buf own, *b = line_begin(&own, "info", "job");
    member_key(b, "job");
    jout_string(b, id);
    member_key(b, "status");
    jout_string(b, status);
    member_key(b, "attempts");
    jout_int(b, attempts);
    if (reason != NULL) {
        member_key(b, "reason");
        jout_string(b, reason);
    }
    line_end(b);
}

void log_request(const char *method, const char *url, const char *route, int status, double ms,
                 int aborted) {
    if (atomic_load(&quiet_requests)) return;
    json_t *f = json_pack("{s:s, s:s, s:s?, s:i, s:f}", "method", method, "path", url, "route",
                          route, "status", status, "ms", ms);
    if (f && aborted) json_object_set_new(f, "aborted", json_true());
    log_event("info", "request", f);
}
