/* http.c - libmicrohttpd glue: routing, bodies, auth, suspend/resume for
 * long-polls, one log line and one metrics count per request. */
#include "jout.h"
#include "http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "app.h"
#include "log.h"
#include "metrics.h"
#include "thread_name.h"

/* Buckets of job ids for the notices a park checks (a collision only
 * costs a spurious wake-up). */
#define HTTP_NOTICE_BUCKETS 1024

struct http_server {
    struct app *app;
    struct MHD_Daemon *d;
    int port;
    pthread_mutex_t mu; /* guards the wait table and gen */
    pthread_cond_t cond;
    pthread_t timer;
    int timer_started;
    int stopping;
    http_req **waiters; /* suspended requests */
    double timer_next;  /* when the timer thread wakes next (monotonic s) */
    size_t nwait, capwait;
    atomic_ulong gen;   /* bumped by every http_notify (under mu; read without it) */
    /* last_notice[b]: gen after the last notice of a job hashing to b
       (under mu): a park looks at its own job's bucket, so the notices of
       other jobs (thousands a second under load) do not wake it */
    unsigned long last_notice[HTTP_NOTICE_BUCKETS];
    unsigned long last_end[HTTP_NOTICE_BUCKETS]; /* the same, of notices with ended set */
    int quiesced;       /* the listening socket after http_quiesce (-1 = none) */
};

/* The notice bucket of a job id (FNV-1a). */
static size_t notice_bucket(const char *id) {
    uint32_t x = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++) x = (x ^ *p) * 16777619u;
    return x % HTTP_NOTICE_BUCKETS;
}

/* Per-request bookkeeping the handler never sees. */
typedef struct req_extra {
    http_req r;
    size_t bucket; /* notice_bucket(r.wait_job) while it waits */
    unsigned long gen_seen;
    int replied;
} req_extra;

static double mono_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Matches url against a pattern; fills caps. Returns 1 on a match. */
static int match_pattern(const char *pattern, const char *url, char caps[][128]) {
    const char *p = pattern, *u = url;
    int ncap = 0;
    while (*p && *u) {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            size_t len = strcspn(u, "/");
            if (pe == NULL || len == 0 || len >= 128 || ncap >= HTTP_MAX_CAPS) return 0;
            memcpy(caps[ncap], u, len);
            caps[ncap][len] = '\0';
            ncap++;
            p = pe + 1;
            u += len;
        } else if (*p++ != *u++) {
            return 0;
        }
    }
    return *p == '\0' && *u == '\0';
}

/* The route for method and url, or -1; *path_known tells whether another
 * method would have matched (405), and allow lists those methods. */
static int find_route(const char *method, const char *url, char caps[][128], int *path_known,
                      char *allow, size_t cap) {
    int found = -1;
    char tmp[HTTP_MAX_CAPS][128];
    *path_known = 0;
    allow[0] = '\0';
    for (size_t i = 0; i < http_nroutes; i++) {
        if (!match_pattern(http_routes[i].pattern, url, tmp)) continue;
        *path_known = 1;
        size_t len = strlen(allow);
        snprintf(allow + len, cap - len, "%s%s", len ? ", " : "", http_routes[i].method);
        if (found < 0 && strcmp(http_routes[i].method, method) == 0) {
            found = (int)i;
            memcpy(caps, tmp, sizeof tmp);
        }
    }
    return found;
}

/* Constant-time comparison of a presented bearer token with the secret. */
static int token_ok(const char *header, const char *secret) {
    if (header == NULL || strncasecmp(header, "Bearer ", 7) != 0) return 0;
    const char *tok = header + 7;
    size_t lt = strlen(tok), ls = strlen(secret);
    unsigned char diff = (unsigned char)(lt != ls);
    for (size_t i = 0; i < ls; i++) diff |= (unsigned char)(secret[i] ^ (i < lt ? tok[i] : 0));
    return diff == 0;
}

static void media_type(const char *header, char *out, size_t cap) {
    size_t i = 0;
    out[0] = '\0';
    if (header == NULL) return;
    while (*header == ' ') header++;
    for (; header[i] && header[i] != ';' && header[i] != ' ' && i + 1 < cap; i++)
        out[i] = (char)tolower((unsigned char)header[i]);
    out[i] = '\0';
}

/* A streamed response's reader: the route's stream_read with its request. */
typedef struct stream_glue {
    long (*read)(void *ctx, http_req *r, char *buf, size_t max);
    void (*free)(void *ctx);
    void *ctx;
    http_req *r;
} stream_glue;

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max) {
    stream_glue *g = cls;
    (void)pos;
    long n = g->read(g->ctx, g->r, buf, max);
    return n < 0 ? MHD_CONTENT_READER_END_OF_STREAM : (ssize_t)n;
}

static void stream_free(void *cls) {
    stream_glue *g = cls;
    if (g->free) g->free(g->ctx);
    free(g);
}

static enum MHD_Result send_reply(http_req *r, http_reply *out) {
    const char *ct = out->content_type ? out->content_type : "application/json";
    struct MHD_Response *resp;
    if (out->stream_read) {
        stream_glue *g = malloc(sizeof *g);
        if (g == NULL) {
            if (out->stream_free) out->stream_free(out->stream_ctx);
            return MHD_NO;
        }
        *g = (stream_glue){out->stream_read, out->stream_free, out->stream_ctx, r};
        resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, stream_reader, g,
                                                 stream_free);
        if (resp == NULL) {
            stream_free(g);
            return MHD_NO;
        }
        MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    } else {
        resp = MHD_create_response_from_buffer(out->len, out->body ? out->body : (char *)"",
                                               out->body ? MHD_RESPMEM_MUST_FREE
                                                         : MHD_RESPMEM_PERSISTENT);
    }
    if (resp == NULL) {
        free(out->body);
        return MHD_NO;
    }
    out->body = NULL;
    if (out->status != 204) MHD_add_response_header(resp, "Content-Type", ct);
    if (out->location[0]) MHD_add_response_header(resp, "Location", out->location);
    if (out->allow) MHD_add_response_header(resp, "Allow", out->allow);
    if (out->www_authenticate)
        MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"fitd\"");
    if (out->retry_after > 0) {
        char ra[32];
        snprintf(ra, sizeof ra, "%d", out->retry_after);
        MHD_add_response_header(resp, "Retry-After", ra);
    }
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    r->status = out->status;
    enum MHD_Result rc = MHD_queue_response(r->conn, (unsigned)out->status, resp);
    MHD_destroy_response(resp);
    return rc;
}

/* Registers r in the wait table and suspends its connection, for a
 * long-poll or a stream alike. If a notice of its job came since the
 * caller looked (the count was seen then), or the server stops, it
 * resumes at once. */
static void park(http_server *h, http_req *r, unsigned long seen) {
    pthread_mutex_lock(&h->mu);
    if (h->nwait == h->capwait) {
        size_t cap = h->capwait ? h->capwait * 2 : 64;
        http_req **w = realloc(h->waiters, cap * sizeof *w);
        if (w == NULL) {
            pthread_mutex_unlock(&h->mu);
            r->wait_deadline = 0; /* treat as expired: answer now */
            MHD_suspend_connection(r->conn);
            MHD_resume_connection(r->conn);
            return;
        }
        h->waiters = w;
        h->capwait = cap;
    }
    MHD_suspend_connection(r->conn);
    size_t b = ((req_extra *)r)->bucket = notice_bucket(r->wait_job);
    unsigned long last = r->wait_end ? h->last_end[b] : h->last_notice[b];
    if (last > seen || h->stopping) {
        MHD_resume_connection(r->conn);
    } else {
        h->waiters[h->nwait++] = r;
        /* the timer sleeps until its next deadline: woken only for an
           earlier one (a futex wake and a context switch per park) */
        if (r->wait_deadline < h->timer_next) pthread_cond_signal(&h->cond);
    }
    pthread_mutex_unlock(&h->mu);
}

/* Percent-decodes s in place, except %00: a NUL would end the path early
 * ("/v1/jobs/ID%00/history" would route as "/v1/jobs/ID"), so it stays as
 * the three characters and the path matches nothing. Returns the length. */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s) {
    (void)cls;
    (void)c;
    size_t r = 0, w = 0;
    while (s[r]) {
        if (s[r] == '%' && isxdigit((unsigned char)s[r + 1]) && isxdigit((unsigned char)s[r + 2])) {
            char hex[3] = {s[r + 1], s[r + 2], 0};
            long v = strtol(hex, NULL, 16);
            if (v != 0) {
                s[w++] = (char)v;
                r += 3;
                continue;
            }
        }
        s[w++] = s[r++];
    }
    s[w] = '\0';
    return w;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls) {
    http_server *h = cls;
    app *a = h->app;
    req_extra *x = *con_cls;
    (void)version;
    if (x == NULL) {
        if ((x = calloc(1, sizeof *x)) == NULL) return MHD_NO;
        *con_cls = x;
        http_req *r = &x->r;
        char allow[128];
        int known;
        r->app = a;
        r->server = h;
        r->conn = c;
        r->method = method;
        r->url = url;
        r->t_start = mono_now();
        r->route_index = find_route(method, url, r->caps, &known, allow, sizeof allow);
        http_reply out = {0};
        if (r->route_index < 0) {
            if (known) {
                reply_problem(&out, 405, "method-not-allowed", "Method not allowed",
                              "this path does not take that method", NULL);
                out.allow = allow; /* MHD copies headers at once */
            } else {
                reply_problem(&out, 404, "not-found", "Not found", "no such path", NULL);
            }
            x->replied = 1;
            return send_reply(r, &out);
        }
        r->route = &http_routes[r->route_index];
        if (a->cfg.api_token && a->cfg.api_token[0] && !(r->route->flags & ROUTE_PUBLIC) &&
            !token_ok(http_header(r, "Authorization"), a->cfg.api_token)) {
            reply_problem(&out, 401, "unauthorized", "Unauthorized",
                          "a valid bearer token is required (Authorization: Bearer ...)", NULL);
            out.www_authenticate = 1;
            x->replied = 1;
            return send_reply(r, &out);
        }
        const char *cl = http_header(r, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > a->cfg.max_body) {
            reply_problem(&out, 413, "body-too-large", "Body too large",
                          "the request body is larger than the server's limit (--max-body)", NULL);
            x->replied = 1;
            return send_reply(r, &out);
        }
        media_type(http_header(r, "Content-Type"), r->content_type, sizeof r->content_type);
        int has_body = (cl && strcmp(cl, "0") != 0) || http_header(r, "Transfer-Encoding") ||
                       strcmp(r->content_type, "text/csv") == 0; /* an empty CSV is still CSV */
        if (has_body) {
            int json_ok = (r->route->flags & ROUTE_BODY_JSON) &&
                          strcmp(r->content_type, "application/json") == 0;
            int csv_ok = (r->route->flags & ROUTE_BODY_CSV) && strcmp(r->content_type, "text/csv") == 0;
            if (!json_ok && !csv_ok) {
                const char *want = (r->route->flags & ROUTE_BODY_CSV)
                                       ? "application/json or text/csv"
                                       : (r->route->flags & ROUTE_BODY_JSON) ? "application/json"
                                                                             : "no body";
                char detail[320];
                snprintf(detail, sizeof detail, "Content-Type '%s' is not accepted here; send %s",
                         r->content_type[0] ? r->content_type : "(none)", want);
                reply_problem(&out, 415, "unsupported-media-type", "Unsupported media type",
                              detail, NULL);
                x->replied = 1;
                return send_reply(r, &out);
            }
            if (csv_ok && r->route->open_sink && r->route->open_sink(r, &out) != 0) {
                x->replied = 1;
                return send_reply(r, &out);
            }
        }
        return MHD_YES;
    }
    http_req *r = &x->r;
    if (x->replied) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (r->too_large || r->sink_failed) return MHD_YES;
        if (r->body_len + n > a->cfg.max_body) {
            r->too_large = 1;
            return MHD_YES;
        }
        if (r->sink.feed) {
            r->body_len += n;
            if (r->sink.feed(r->sink.ctx, upload, n) != 0) r->sink_failed = 1;
            return MHD_YES;
        }
        if (r->body_len + n + 1 > r->body_cap) {
            size_t cap = r->body_cap ? r->body_cap : 4096;
            while (cap < r->body_len + n + 1) cap *= 2;
            if (cap > a->cfg.max_body + 1) cap = a->cfg.max_body + 1;
            char *b = realloc(r->body, cap);
            if (b == NULL) return MHD_NO;
            r->body = b;
            r->body_cap = cap;
        }
        memcpy(r->body + r->body_len, upload, n);
        r->body_len += n;
        r->body[r->body_len] = '\0';
        return MHD_YES;
    }
    http_reply out = {0};
    if (r->too_large) {
        reply_problem(&out, 413, "body-too-large", "Body too large",
                      "the request body is larger than the server's limit (--max-body)", NULL);
        x->replied = 1;
        return send_reply(r, &out);
    }
    if (r->waiting) { /* resumed after a wait */
        r->waiting = 0;
        r->resumed = 1;
    }
    x->gen_seen = atomic_load(&h->gen);
    r->route->handler(r, &out);
    if (r->waiting) {
        free(out.body);
        park(h, r, x->gen_seen);
        return MHD_YES;
    }
    x->replied = 1;
    return send_reply(r, &out);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    http_server *h = cls;
    req_extra *x = *con_cls;
    (void)c;
    if (x == NULL) return;
    http_req *r = &x->r;
    double ms = (mono_now() - r->t_start) * 1e3;
    metrics_request(&h->app->metrics, r->route_index, r->status, ms);
    log_request(r->method, r->url, r->route ? r->route->pattern : NULL, r->status, ms,
                toe != MHD_REQUEST_TERMINATED_COMPLETED_OK);
    if (r->route && r->route->cleanup) r->route->cleanup(r);
    /* a large JSON body leaves many small blocks (its parsed tree) in this
       thread's arena: give them back */
    int big = r->body_cap > (1u << 20);
    free(r->body);
    free(x);
    *con_cls = NULL;
    if (big) alloc_release();
}

/* Resumes waiters whose deadline passed; sleeps until the next deadline. */
static void *timer_main(void *arg) {
    thread_name("fitd-timer");
    http_server *h = arg;
    pthread_mutex_lock(&h->mu);
    while (!h->stopping) {
        double now = mono_now(), next = now + 1.0;
        for (size_t i = 0; i < h->nwait;) {
            http_req *r = h->waiters[i];
            if (r->wait_deadline <= now) {
                h->waiters[i] = h->waiters[--h->nwait];
                MHD_resume_connection(r->conn);
                continue;
            }
            if (r->wait_deadline < next) next = r->wait_deadline;
            i++;
        }
        h->timer_next = next;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        double wait = next - now;
        ts.tv_sec += (time_t)wait;
        ts.tv_nsec += (long)((wait - (double)(time_t)wait) * 1e9);
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&h->cond, &h->mu, &ts);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

void http_wait_on(http_req *r, const char *job_id, double seconds) {
    r->waiting = 1;
    r->wait_end = 1;
    r->wait_deadline = mono_now() + seconds;
    snprintf(r->wait_job, sizeof r->wait_job, "%s", job_id);
}

double http_now(void) {
    return mono_now();
}

double http_wait_remaining(const http_req *r) {
    return r->wait_deadline > 0 ? r->wait_deadline - mono_now() : 0;
}

void http_stream_park(http_req *r, const char *job_id, double seconds) {
    r->wait_end = 0;
    r->wait_deadline = mono_now() + seconds;
    snprintf(r->wait_job, sizeof r->wait_job, "%s", job_id);
    park(r->server, r, r->stream_gen);
}

void http_stream_mark(http_req *r) {
    r->stream_gen = atomic_load(&r->server->gen);
}

int http_stopping(const http_req *r) {
    http_server *h = r->server;
    pthread_mutex_lock(&h->mu);
    int s = h->stopping;
    pthread_mutex_unlock(&h->mu);
    return s;
}

void http_notify(http_server *h, const char *job_id, int ended) {
    if (h == NULL) return;
    pthread_mutex_lock(&h->mu);
    size_t b = notice_bucket(job_id);
    h->last_notice[b] = atomic_fetch_add(&h->gen, 1) + 1;
    if (ended) h->last_end[b] = h->last_notice[b];
    for (size_t i = 0; i < h->nwait;) {
        http_req *r = h->waiters[i];
        if (((req_extra *)r)->bucket == b && (ended || !r->wait_end) &&
            strcmp(r->wait_job, job_id) == 0) {
            h->waiters[i] = h->waiters[--h->nwait];
            MHD_resume_connection(r->conn);
            continue;
        }
        i++;
    }
    pthread_mutex_unlock(&h->mu);
}

size_t http_waiting(http_server *h) {
    pthread_mutex_lock(&h->mu);
    size_t n = h->nwait;
    pthread_mutex_unlock(&h->mu);
    return n;
}

http_server *http_start(struct app *a, const char *bind, int port, int threads, char *err,
                        size_t cap) {
    http_server *h = calloc(1, sizeof *h);
    if (h != NULL) h->quiesced = -1;
    struct sockaddr_in sa = {0};
    if (h == NULL) {
        snprintf(err, cap, "out of memory");
        return NULL;
    }
    h->app = a;
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, bind, &sa.sin_addr) != 1) {
        snprintf(err, cap, "--bind '%s' is not an IPv4 address", bind);
        free(h);
        return NULL;
    }
    pthread_mutex_init(&h->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&h->cond, &ca);
    pthread_condattr_destroy(&ca);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG;
    h->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(threads > 1 ? threads : 1),
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
                            MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000,
                            MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
                            MHD_OPTION_END);
    if (h->d == NULL) {
        snprintf(err, cap, "cannot listen on %s:%d", bind, port);
        pthread_mutex_destroy(&h->mu);
        pthread_cond_destroy(&h->cond);
        free(h);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? (int)info->port : port;
    if (pthread_create(&h->timer, NULL, timer_main, h) == 0) h->timer_started = 1;
    return h;
}

int http_port(const http_server *h) {
    return h->port;
}

void http_quiesce(http_server *h) {
    if (h == NULL || h->d == NULL) return;
    /* the listening socket is ours now, but closed only after the daemon
       stops: its polling threads may still be looking at it */
    MHD_socket s = MHD_quiesce_daemon(h->d);
    if (s != MHD_INVALID_SOCKET) h->quiesced = s;
}

void http_stop(http_server *h) {
    if (h == NULL) return;
    pthread_mutex_lock(&h->mu);
    h->stopping = 1;
    for (size_t i = 0; i < h->nwait; i++) MHD_resume_connection(h->waiters[i]->conn);
    h->nwait = 0;
    pthread_cond_signal(&h->cond);
    pthread_mutex_unlock(&h->mu);
    if (h->timer_started) pthread_join(h->timer, NULL);
    h->timer_started = 0;
    if (h->d != NULL) MHD_stop_daemon(h->d);
    h->d = NULL;
    if (h->quiesced >= 0) close(h->quiesced);
    h->quiesced = -1;
}

void http_free(http_server *h) {
    if (h == NULL) return;
    http_stop(h);
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cond);
    free(h->waiters);
    free(h);
}

const char *http_query(http_req *r, const char *key) {
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *http_header(http_req *r, const char *name) {
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void reply_json(http_reply *out, int status, json_t *j) {
    out->status = status;
    out->content_type = "application/json";
    out->body = j ? jout_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) : NULL;
    out->len = out->body ? strlen(out->body) : 0;
    json_decref(j);
    if (j && out->body == NULL) out->status = 500;
}

/* Copies text into out (cap bytes) keeping it valid UTF-8 for JSON: bytes
 * outside printable ASCII (an id from the URL may hold anything) become '?'. */
static const char *ascii_only(const char *text, char *out, size_t cap) {
    size_t n = 0;
    for (; text[n] && n + 1 < cap; n++) {
        unsigned char c = (unsigned char)text[n];
        out[n] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    out[n] = '\0';
    return out;
}

void reply_problem(http_reply *out, int status, const char *slug, const char *title,
                   const char *detail, json_t *errors) {
    char type[160], clean[512];
    snprintf(type, sizeof type, "https://fitd.dev/problems/%s", slug);
    json_t *j = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", title, "status", status,
                          "detail", ascii_only(detail ? detail : title, clean, sizeof clean));
    if (j && errors) json_object_set_new(j, "errors", errors);
    else json_decref(errors);
    reply_json(out, status, j);
    out->status = status;
    out->content_type = "application/problem+json";
}

void reply_text(http_reply *out, int status, const char *content_type, char *text, size_t len) {
    out->status = status;
    out->content_type = content_type;
    out->body = text;
    out->len = len;
}
