/* h_ops.c - operations endpoints: /livez, /readyz, /metrics, and the
 * small helpers every handler shares. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "handlers.h"
#include "jobs.h"

void reply_problem_doc(http_reply *out, const problem *p) {
    json_t *doc = problem_to_json(p);
    reply_json(out, p->status ? p->status : 500, doc);
    out->status = p->status ? p->status : 500;
    out->content_type = "application/problem+json";
}

void reply_bad_page_token(http_reply *out) {
    reply_problem(out, 400, "bad-query", "Bad query parameter",
                  "page_token does not name a page (it is the next_page_token of a list)",
                  json_pack("[{s:s, s:s}]", "parameter", "page_token", "detail", "unknown"));
}

void reply_internal(http_reply *out, const char *what) {
    reply_problem(out, 500, "internal", "Internal error", what, NULL);
}

int query_long(http_req *r, const char *key, long lo, long hi, long def, long *val,
               http_reply *out) {
    const char *v = http_query(r, key);
    *val = def;
    if (v == NULL) return 0;
    char *end;
    long x = strtol(v, &end, 10);
    if (end == v || *end || x < lo || x > hi) {
        char detail[160];
        snprintf(detail, sizeof detail, "query parameter '%s' must be an integer from %ld to %ld",
                 key, lo, hi);
        reply_problem(out, 400, "bad-query", "Bad query parameter", detail,
                      json_pack("[{s:s, s:s}]", "parameter", key, "detail", detail));
        return -1;
    }
    *val = x;
    return 0;
}

json_t *iso_time(long long ms) {
    if (ms <= 0) return json_null();
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char buf[40];
    gmtime_r(&t, &tm);
    size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, sizeof buf - n, ".%03lldZ", ms % 1000);
    return json_string(buf);
}

void h_livez(http_req *r, http_reply *out) {
    (void)r;
    reply_json(out, 200, json_pack("{s:s}", "status", "ok"));
}

void h_readyz(http_req *r, http_reply *out) {
    app *a = r->app;
    int state = atomic_load(&a->state);
    const char *why = NULL;
    if (state == APP_STARTING) why = "starting";
    else if (state == APP_DRAINING) why = "draining";
    else if (!store_healthy(a->st)) why = "store unreachable";
    else if (jobs_queued(a->jobs) >= jobs_capacity(a->jobs)) why = "queue full";
    if (why) {
        reply_json(out, 503, json_pack("{s:s, s:s}", "status", "unavailable", "reason", why));
        out->retry_after = 1;
        return;
    }
    reply_json(out, 200, json_pack("{s:s}", "status", "ready"));
}

void h_metrics(http_req *r, http_reply *out) {
    app *a = r->app;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    size_t counts[JOB_STATUS_COUNT] = {0};
    metrics_render(&a->metrics, &buf, &len, &cap);
    metrics_printf(&buf, &len, &cap,
                   "# HELP fitd_jobs Jobs in the store, by status.\n# TYPE fitd_jobs gauge\n");
    if (store_job_counts(a->st, counts) == STORE_OK)
        for (int s = 0; s < JOB_STATUS_COUNT; s++)
            metrics_printf(&buf, &len, &cap, "fitd_jobs{status=\"%s\"} %zu\n",
                           job_status_name((job_status)s), counts[s]);
    metrics_printf(&buf, &len, &cap,
                   "# HELP fitd_queue_depth Jobs waiting for a worker.\n# TYPE fitd_queue_depth gauge\n"
                   "fitd_queue_depth %zu\n"
                   "# HELP fitd_queue_capacity Jobs the queue holds before 429.\n# TYPE fitd_queue_capacity gauge\n"
                   "fitd_queue_capacity %zu\n"
                   "# HELP fitd_jobs_running Jobs training now.\n# TYPE fitd_jobs_running gauge\n"
                   "fitd_jobs_running %zu\n"
                   "# HELP fitd_http_waiting Requests suspended in a long-poll.\n# TYPE fitd_http_waiting gauge\n"
                   "fitd_http_waiting %zu\n",
                   jobs_queued(a->jobs), jobs_capacity(a->jobs), jobs_running(a->jobs),
                   http_waiting(a->http));
    reply_text(out, 200, "text/plain; version=0.0.4; charset=utf-8", buf, len);
}
