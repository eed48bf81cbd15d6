/* metrics.h - counters for /metrics (Prometheus text format 0.0.4). */
#ifndef FITD_METRICS_H
#define FITD_METRICS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#define METRICS_ROUTES 40   /* route slots (index + 1; 0 = no route matched) */
#define METRICS_CODES 16    /* the status codes fitd answers with */
#define METRICS_BUCKETS 12  /* job duration histogram */

typedef struct metrics {
    atomic_ulong requests[METRICS_ROUTES][METRICS_CODES];
    pthread_mutex_t mu; /* guards the histogram */
    unsigned long dur_buckets[METRICS_BUCKETS];
    unsigned long dur_count;
    double dur_sum;
    atomic_ulong epochs;        /* epochs trained by this process */
    atomic_ulong jobs_started;  /* runs begun by this process */
    /* shared stores (postgres) */
    atomic_ulong lease_claims;   /* jobs claimed from the store's queue */
    atomic_ulong lease_renewals; /* leases extended */
    atomic_ulong store_errors;   /* store calls that failed (the database unreachable, ...) */
} metrics;

void metrics_init(metrics *m);
void metrics_destroy(metrics *m);
void metrics_request(metrics *m, int route_index, int status, double ms);
void metrics_job_done(metrics *m, double seconds);

/* Appends the request counters and job histogram as Prometheus text to a
 * malloc'ed buffer *buf of length *len (grown as needed). Returns 0. */
int metrics_render(metrics *m, char **buf, size_t *len, size_t *cap);
/* Appends one formatted line (for gauges computed by the caller). */
int metrics_printf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#endif
