/* log.h - one JSON line per event on stderr (requests, job transitions,
 * start-up and shutdown), written whole so lines never interleave. */
#ifndef FITD_LOG_H
#define FITD_LOG_H

#include <jansson.h>

/* Turns request lines off (--quiet); other events are always logged. */
void log_set_quiet(int quiet);
/* Writes {"ts": ..., "level": level, "event": event, ...fields} and
 * consumes fields (may be NULL). */
void log_event(const char *level, const char *event, json_t *fields);
/* The line of a job's new status: {"ts":..., "level":"info", "event":"job",
 * "job": id, "status": status, "attempts": attempts[, "reason": reason]},
 * written without a tree (every job logs three). reason may be NULL. */
void log_job(const char *id, const char *status, int attempts, const char *reason);
void log_request(const char *method, const char *url, const char *route, int status, double ms,
                 int aborted);
/* Between these two, this thread's lines are gathered and written at the
 * end in one write (the store's writer tells a whole commit's jobs this
 * way: three lines a job would be three system calls). Not nested. */
void log_batch_begin(void);
void log_batch_end(void);

#endif
