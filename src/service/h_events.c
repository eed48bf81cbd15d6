/* h_events.c - GET /v1/jobs/{id}/events: Server-Sent Events. One
 * `progress` event per epoch (id: the epoch), a `done` event with the
 * terminal status, `: heartbeat` comments while nothing happens, resume
 * after Last-Event-ID. The stream parks its connection between events
 * (no thread held) and is woken by the worker (at most every 50 ms) or by
 * its heartbeat deadline; a finished job replays its stored history. On a
 * shared store, a job training on another replica is followed through
 * the progress that replica publishes (store.h). Fast
 * jobs are coalesced: at most FEED_MAX events per wake-up, evenly spaced,
 * the latest epoch always included. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "history_pack.h"
#include "handlers.h"
#include "jobdoc.h"
#include "jobres.h"
#include "jobs.h"
#include "jout.h"

#define FEED_MAX 200     /* events per wake-up of a running job */
#define REPLAY_MAX 2000  /* events replayed for a finished job */

typedef struct sse {
    char id[STORE_ID_MAX];
    long last;         /* last epoch sent */
    int ended;         /* the done event is queued: end after pending */
    char *pending;     /* text not yet handed to the socket */
    size_t plen, poff, pcap;
    double last_write; /* monotonic seconds */
    double heartbeat;
} sse;

static double mono_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int append(sse *s, const char *text, size_t len) {
    if (s->plen + len + 1 > s->pcap) {
        size_t cap = s->pcap ? s->pcap : 4096;
        while (cap < s->plen + len + 1) cap *= 2;
        char *p = realloc(s->pending, cap);
        if (p == NULL) return -1;
        s->pending = p;
        s->pcap = cap;
    }
    memcpy(s->pending + s->plen, text, len);
    s->plen += len;
    s->pending[s->plen] = '\0';
    return 0;
}

/* One event: "id: <id>\nevent: <name>\ndata: <json>\n\n" (data consumed). */
static void event(sse *s, long id, const char *name, json_t *data) {
    char *text = data ? jout_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(data);
    if (text == NULL) return;
    char head[96];
    int n = id > 0 ? snprintf(head, sizeof head, "id: %ld\nevent: %s\ndata: ", id, name)
                   : snprintf(head, sizeof head, "event: %s\ndata: ", name);
    append(s, head, (size_t)n);
    append(s, text, strlen(text));
    append(s, "\n\n", 2);
    free(text);
}

static json_t *progress_json(long epoch, double loss, int has_val, double val, const double *params,
                             char names[][FIT_NAME_MAX], size_t np) {
    json_t *p = json_object();
    for (size_t i = 0; i < np; i++) json_object_set_new(p, names[i], jobdoc_number(params[i]));
    json_t *d = json_pack("{s:I, s:o}", "epoch", (json_int_t)epoch, "loss", jobdoc_number(loss));
    if (d && has_val) json_object_set_new(d, "val_loss", jobdoc_number(val));
    if (d) json_object_set_new(d, "params", p);
    else json_decref(p);
    return d;
}

/* Queues the epochs a running job has finished since s->last. */
static void from_feed(sse *s, const jobs_feed_copy *f) {
    size_t w = 2 + f->np;
    for (size_t k = 0; k < f->n; k++) {
        const double *row = f->rows + k * w;
        event(s, f->epoch[k], "progress",
              progress_json(f->epoch[k], row[0], f->has_val, row[1], row + 2,
                            (char(*)[FIT_NAME_MAX])f->names, f->np));
        s->last = f->epoch[k];
    }
}

/* Queues what the replica training the job published after s->last (a
 * shared store's job trained elsewhere): coarser than a local feed, at
 * the owner's publishing rate. */
static void from_store(sse *s, store *st) {
    store_progress *p = NULL;
    size_t n = 0;
    if (store_job_progress_get(st, s->id, s->last, FEED_MAX, &p, &n) != STORE_OK) return;
    for (size_t k = 0; k < n; k++) {
        json_t *d = json_loads(p[k].data, 0, NULL);
        if (d == NULL || p[k].epoch <= s->last) {
            json_decref(d);
            continue;
        }
        json_object_del(d, "epochs"); /* an event is one epoch, as local ones are */
        event(s, p[k].epoch, "progress", d);
        s->last = p[k].epoch;
    }
    store_progress_free(p, n);
}

/* Queues the stored history after s->last (coalesced), then `done`. */
static void replay(sse *s, const job_rec *rec) {
    json_t *h = history_unpack(rec->history, rec->history_len);
    json_t *ep = json_object_get(h, "epoch"), *loss = json_object_get(h, "loss");
    json_t *val = json_object_get(h, "val_loss"), *params = json_object_get(h, "params");
    size_t n = json_array_size(ep), first = 0;
    while (first < n && json_integer_value(json_array_get(ep, first)) <= s->last) first++;
    size_t avail = n - first, m = avail < REPLAY_MAX ? avail : REPLAY_MAX;
    for (size_t k = 0; k < m; k++) {
        size_t i = first + (m == avail ? k : (k + 1) * avail / m - 1);
        long e = (long)json_integer_value(json_array_get(ep, i));
        json_t *d = json_pack("{s:I, s:O}", "epoch", (json_int_t)e, "loss", json_array_get(loss, i));
        if (d && val) json_object_set(d, "val_loss", json_array_get(val, i));
        json_t *p = json_object();
        const char *name;
        json_t *arr;
        json_object_foreach(params, name, arr) json_object_set(p, name, json_array_get(arr, i));
        json_object_set_new(d, "params", p);
        event(s, e, "progress", d);
        s->last = e;
    }
    json_decref(h);
    json_t *res = rec->result_json ? json_loads(rec->result_json, 0, NULL) : NULL;
    json_t *done = json_pack("{s:s}", "status", job_status_name(rec->status));
    const char *keys[] = {"termination", "epochs_run", "loss", "params", "error"};
    for (size_t i = 0; i < 5; i++) {
        json_t *v = res ? json_object_get(res, keys[i]) : NULL;
        json_object_set(done, keys[i], v ? v : json_null());
    }
    json_decref(res);
    event(s, 0, "done", done);
    s->ended = 1;
}

/* Hands pending text to the socket. */
static long flush(sse *s, char *buf, size_t max) {
    size_t n = s->plen - s->poff < max ? s->plen - s->poff : max;
    memcpy(buf, s->pending + s->poff, n);
    s->poff += n;
    if (s->poff == s->plen) s->poff = s->plen = 0;
    s->last_write = mono_now();
    return (long)n;
}

static long sse_read(void *ctx, http_req *r, char *buf, size_t max) {
    sse *s = ctx;
    app *a = r->app;
    if (s->plen > s->poff) return flush(s, buf, max);
    if (s->ended || http_stopping(r)) return -1;
    http_stream_mark(r);
    jobs_feed_copy f;
    if (jobs_feed(a->jobs, s->id, s->last, FEED_MAX, &f)) {
        from_feed(s, &f);
        jobs_feed_free(&f);
    } else {
        job_rec *rec = NULL;
        int rc = store_job_get(a->st, s->id, &rec);
        if (rc == STORE_NOTFOUND) {
            event(s, 0, "done", json_pack("{s:s}", "status", "deleted"));
            s->ended = 1;
        } else if (rc == STORE_OK && jobres_terminal(rec->status)) {
            replay(s, rec);
        } else if (rc == STORE_OK && rec->status == JOB_RUNNING && store_shared(a->st)) {
            /* trained by another replica (or about to be, here): its
               published progress; its notices wake this stream */
            from_store(s, a->st);
        } else if (rc == STORE_OK && rec->status == JOB_RUNNING) {
            /* it is between the store and the worker's slot: look again soon */
            job_rec_free(rec);
            http_stream_park(r, s->id, 0.01);
            return 0;
        }
        job_rec_free(rec);
    }
    if (s->plen > s->poff) return flush(s, buf, max);
    double idle = mono_now() - s->last_write;
    if (idle >= s->heartbeat) {
        append(s, ": heartbeat\n\n", 13);
        return flush(s, buf, max);
    }
    http_stream_park(r, s->id, s->heartbeat - idle);
    return 0;
}

static void sse_free(void *ctx) {
    sse *s = ctx;
    if (s) free(s->pending);
    free(s);
}

void h_job_events(http_req *r, http_reply *out) {
    job_rec *rec = NULL;
    int rc = store_job_get(r->app->st, r->caps[0], &rec);
    job_rec_free(rec);
    if (rc == STORE_NOTFOUND) {
        char detail[200];
        snprintf(detail, sizeof detail, "no job with id '%.120s'", r->caps[0]);
        reply_problem(out, 404, "not-found", "Not found", detail, NULL);
        return;
    }
    if (rc != STORE_OK) {
        reply_internal(out, "the store could not read the job");
        return;
    }
    sse *s = calloc(1, sizeof *s);
    if (s == NULL) {
        reply_internal(out, "out of memory");
        return;
    }
    snprintf(s->id, sizeof s->id, "%s", r->caps[0]);
    const char *last = http_header(r, "Last-Event-ID");
    s->last = last ? strtol(last, NULL, 10) : 0;
    if (s->last < 0) s->last = 0;
    s->heartbeat = r->app->cfg.heartbeat;
    s->last_write = mono_now();
    /* the retry hint and a first comment open the stream at once */
    const char *open_text = "retry: 2000\n: stream open\n\n";
    append(s, open_text, strlen(open_text));
    out->status = 200;
    out->content_type = "text/event-stream";
    out->stream_read = sse_read;
    out->stream_free = sse_free;
    out->stream_ctx = s;
}
