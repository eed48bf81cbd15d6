/* http.h - the HTTP layer over libmicrohttpd: one routing table, bodies
 * accumulated (or streamed) chunk by chunk under a cap, auth, request logs
 * and metrics, and long-polls that suspend the connection (never a thread)
 * until a job changes or the wait runs out.
 *
 * A handler runs on an HTTP thread and must be quick: parse, validate,
 * call a service function, render. It fills an http_reply; to wait, it
 * calls http_wait_on and returns; the layer calls it again (req->resumed
 * set) when the job is notified or the deadline passes. */
#ifndef FITD_HTTP_H
#define FITD_HTTP_H

#include <jansson.h>
#include <stddef.h>

struct app;
struct MHD_Connection;
struct http_req;
struct http_server;

#define HTTP_MAX_CAPS 2 /* path parameters per route */

typedef struct http_reply {
    int status;
    const char *content_type; /* static string; default application/json */
    char *body;               /* owned (malloc) */
    size_t len;
    char location[256];       /* Location header when not empty */
    int retry_after;          /* Retry-After seconds when > 0 */
    const char *allow;        /* Allow header (static) */
    int www_authenticate;     /* add WWW-Authenticate: Bearer */
    /* A streamed body (Server-Sent Events): read fills buf with up to max
       bytes and returns how many, 0 after http_stream_park (nothing yet),
       or -1 at the end. free releases ctx when the response is done. */
    long (*stream_read)(void *ctx, struct http_req *r, char *buf, size_t max);
    void (*stream_free)(void *ctx);
    void *stream_ctx;
} http_reply;

/* A streaming consumer of a request body (CSV uploads): feed is called per
 * chunk as it arrives; a nonzero return stops the upload (the handler then
 * reports the sink's error). The sink is created by the route's
 * open_sink and freed by its close_sink. */
typedef struct http_sink {
    void *ctx;
    int (*feed)(void *ctx, const char *buf, size_t len);
} http_sink;

typedef struct http_req {
    struct app *app;
    struct http_server *server;
    struct MHD_Connection *conn;
    const struct route *route;
    int route_index;
    const char *method;
    const char *url;
    char caps[HTTP_MAX_CAPS][128]; /* path parameters in order */
    char content_type[128];        /* lowercased media type, without parameters */
    char *body;                    /* accumulated JSON body, NUL-terminated */
    size_t body_len, body_cap;
    http_sink sink;                /* set when the body streams (CSV) */
    int sink_failed;
    int too_large;
    int resumed;                   /* called again after a wait */
    int waiting;                   /* registered in the wait table */
    int wait_end;                  /* waits for its job's end (http_wait_on), not a stream */
    double wait_deadline;          /* monotonic seconds */
    char wait_job[64];
    unsigned long stream_gen;      /* http_stream_mark's notice count */
    void *state;                   /* the handler's own, freed by route->cleanup */
    double t_start;
    int status;                    /* for the log */
} http_req;

enum {
    ROUTE_PUBLIC = 1,    /* no bearer token needed */
    ROUTE_BODY_JSON = 2, /* accepts application/json */
    ROUTE_BODY_CSV = 4   /* accepts text/csv, streamed through a sink */
};

typedef struct route {
    const char *method;
    const char *pattern; /* "/v1/jobs/{id}": each {..} is one path segment */
    void (*handler)(http_req *r, http_reply *out);
    int flags;
    /* ROUTE_BODY_CSV: makes the sink on the first body chunk (returns 0, or
       fills out with an error reply and returns -1) */
    int (*open_sink)(http_req *r, http_reply *out);
    void (*cleanup)(http_req *r); /* frees r->state and the sink */
} route;

/* The routing table (routes.c) and its size. */
extern const route http_routes[];
extern const size_t http_nroutes;

typedef struct http_server http_server;

/* Starts listening on bind:port (port 0 = any free port) with the routes;
 * threads = HTTP polling threads. Returns NULL with a message in err. */
http_server *http_start(struct app *a, const char *bind, int port, int threads, char *err,
                        size_t cap);
int http_port(const http_server *h);
/* Stops accepting new connections (listening socket closed). */
void http_quiesce(http_server *h);
/* Stops the daemon; resumes every waiter first. NULL-safe; may be called
 * again. http_notify stays callable (and does nothing) until http_free,
 * so a store write that commits during shutdown may still notify. */
void http_stop(http_server *h);
/* Stops if needed and frees h. NULL-safe. */
void http_free(http_server *h);

/* From a handler: suspend this request until its job may have ended
 * (http_notify with ended set) or until seconds pass, then call the
 * handler again with r->resumed set. */
void http_wait_on(http_req *r, const char *job_id, double seconds);
/* The clock of wait deadlines (req->wait_deadline): monotonic seconds. */
double http_now(void);
/* Seconds left of r's last wait (<= 0 when it has run out or none). */
double http_wait_remaining(const http_req *r);
/* From a stream's read, before it looks for news: remembers the notice
 * count so that a notice arriving before http_stream_park is not lost. */
void http_stream_mark(http_req *r);
/* From a stream's read: park the connection until http_notify(job) or
 * seconds pass (then read is called again); read must then return 0. */
void http_stream_park(http_req *r, const char *job_id, double seconds);
/* Whether the server is stopping (a stream should end). */
int http_stopping(const http_req *r);
/* From anywhere: news of job_id. ended: it may have reached its end (or
 * the caller cannot tell): wakes every request waiting on it; 0: progress
 * or a status on the way (running): wakes only its streams, not the
 * long-polls waiting for its end (a wake-up each, and a store read). */
void http_notify(http_server *h, const char *job_id, int ended);
/* Requests currently suspended (for /metrics). */
size_t http_waiting(http_server *h);

/* Reply helpers: take ownership of j (json_decref'ed). */
void reply_json(http_reply *out, int status, json_t *j);
/* RFC 9457 problem document with an optional errors array (stolen). */
void reply_problem(http_reply *out, int status, const char *slug, const char *title,
                   const char *detail, json_t *errors);
void reply_text(http_reply *out, int status, const char *content_type, char *text, size_t len);

/* Query parameter of the request, or NULL. */
const char *http_query(http_req *r, const char *key);
/* Request header, or NULL. */
const char *http_header(http_req *r, const char *name);

#endif
