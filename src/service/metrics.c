/* metrics.c - request counters and the job duration histogram. */
#include "metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static const int codes[METRICS_CODES] = {200, 201, 202, 204, 400, 401, 404, 405,
                                         409, 413, 415, 422, 429, 500, 503, 0};
static const double bounds[METRICS_BUCKETS] = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5,
                                               1,     5,     10,   60,   300, 3600};

void metrics_init(metrics *m) {
    memset(m, 0, sizeof *m);
    pthread_mutex_init(&m->mu, NULL);
}

void metrics_destroy(metrics *m) {
    pthread_mutex_destroy(&m->mu);
}

void metrics_request(metrics *m, int route_index, int status, double ms) {
    (void)ms;
    int slot = route_index + 1, c = METRICS_CODES - 1; /* last slot: any other code */
    if (slot < 0 || slot >= METRICS_ROUTES) slot = 0;
    for (int i = 0; i < METRICS_CODES - 1; i++)
        if (codes[i] == status) c = i;
    atomic_fetch_add(&m->requests[slot][c], 1);
}

void metrics_job_done(metrics *m, double seconds) {
    pthread_mutex_lock(&m->mu);
    for (int b = 0; b < METRICS_BUCKETS; b++)
        if (seconds <= bounds[b]) m->dur_buckets[b]++;
    m->dur_count++;
    m->dur_sum += seconds;
    pthread_mutex_unlock(&m->mu);
}

int metrics_printf(char **buf, size_t *len, size_t *cap, const char *fmt, ...) {
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(*buf ? *buf + *len : NULL, *buf ? *cap - *len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) return -1;
        if (*buf && *len + (size_t)n < *cap) {
            *len += (size_t)n;
            return 0;
        }
        size_t ncap = (*cap ? *cap : 4096);
        while (ncap <= *len + (size_t)n) ncap *= 2;
        char *b = realloc(*buf, ncap);
        if (b == NULL) return -1;
        *buf = b;
        *cap = ncap;
    }
}

int metrics_render(metrics *m, char **buf, size_t *len, size_t *cap) {
    metrics_printf(buf, len, cap,
                   "# HELP fitd_http_requests_total HTTP requests answered, by route and status.\n"
                   "# TYPE fitd_http_requests_total counter\n");
    for (int s = 0; s < METRICS_ROUTES; s++) {
        const char *method = "", *pattern = "unmatched";
        if (s > 0) {
            if ((size_t)(s - 1) >= http_nroutes) break;
            method = http_routes[s - 1].method;
            pattern = http_routes[s - 1].pattern;
        }
        for (int c = 0; c < METRICS_CODES; c++) {
            unsigned long v = atomic_load(&m->requests[s][c]);
            if (v == 0) continue;
            char code[8];
            if (codes[c]) snprintf(code, sizeof code, "%d", codes[c]);
            else snprintf(code, sizeof code, "other");
            metrics_printf(buf, len, cap,
                           "fitd_http_requests_total{method=\"%s\",route=\"%s\",code=\"%s\"} %lu\n",
                           method, pattern, code, v);
        }
    }
    pthread_mutex_lock(&m->mu);
    metrics_printf(buf, len, cap,
                   "# HELP fitd_job_duration_seconds Wall time of finished training runs.\n"
                   "# TYPE fitd_job_duration_seconds histogram\n");
    for (int b = 0; b < METRICS_BUCKETS; b++)
        metrics_printf(buf, len, cap, "fitd_job_duration_seconds_bucket{le=\"%g\"} %lu\n",
                       bounds[b], m->dur_buckets[b]);
    metrics_printf(buf, len, cap,
                   "fitd_job_duration_seconds_bucket{le=\"+Inf\"} %lu\n"
                   "fitd_job_duration_seconds_sum %.6f\nfitd_job_duration_seconds_count %lu\n",
                   m->dur_count, m->dur_sum, m->dur_count);
    pthread_mutex_unlock(&m->mu);
    metrics_printf(buf, len, cap,
                   "# HELP fitd_epochs_trained_total Epochs trained by this process.\n"
                   "# TYPE fitd_epochs_trained_total counter\nfitd_epochs_trained_total %lu\n",
                   atomic_load(&m->epochs));
    metrics_printf(buf, len, cap,
                   "# HELP fitd_lease_claims_total Jobs claimed from a shared store's queue.\n"
                   "# TYPE fitd_lease_claims_total counter\nfitd_lease_claims_total %lu\n"
                   "# HELP fitd_lease_renewals_total Job leases renewed.\n"
                   "# TYPE fitd_lease_renewals_total counter\nfitd_lease_renewals_total %lu\n"
                   "# HELP fitd_store_errors_total Store calls of the job registry that failed.\n"
                   "# TYPE fitd_store_errors_total counter\nfitd_store_errors_total %lu\n",
                   atomic_load(&m->lease_claims), atomic_load(&m->lease_renewals),
                   atomic_load(&m->store_errors));
    return 0;
}
