/* log.c - JSON log lines on stderr. */
#include "log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "jout.h"

static atomic_int quiet_requests;

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
    json_t *line = json_pack("{s:s, s:s, s:s}", "ts", when, "level", level, "event", event);
    if (line && fields) json_object_update(line, fields);
    json_decref(fields);
    char *text = line ? jout_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(line);
    if (text == NULL) return;
    flockfile(stderr);
    fputs(text, stderr);
    fputc('\n', stderr);
    funlockfile(stderr);
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
