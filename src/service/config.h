/* config.h - fitd serve's configuration: defaults, then FITD_* environment
 * variables, then command-line flags (flags win). */
#ifndef FITD_CONFIG_H
#define FITD_CONFIG_H

#include <stddef.h>
#include <stdio.h>

typedef struct fitd_config {
    int port;            /* --port, FITD_PORT (8080; 0 = any free port) */
    char bind[64];       /* --bind, FITD_BIND (127.0.0.1) */
    int workers;         /* --workers, FITD_WORKERS (number of cores) */
    size_t queue;        /* --queue, FITD_QUEUE (1024 pending jobs) */
    char store[16];      /* --store, FITD_STORE (sqlite | memory | postgres) */
    char data_dir[512];  /* --data-dir, FITD_DATA_DIR (./data) */
    char *database_url;  /* --database-url, FITD_DATABASE_URL (owned; the postgres
                            store's libpq connection string, required there) */
    size_t max_body;     /* --max-body, FITD_MAX_BODY (64 MiB; suffixes k, m, g) */
    char *api_token;     /* --api-token, FITD_API_TOKEN (owned; NULL = no auth) */
    double grace;        /* --grace, FITD_GRACE (seconds running jobs get on SIGTERM: 10) */
    int http_threads;    /* --http-threads, FITD_HTTP_THREADS (2) */
    size_t max_rows;     /* --max-rows, FITD_MAX_ROWS (10,000,000 rows per dataset) */
    double max_work;     /* --max-work, FITD_MAX_WORK (rows x epochs per job: 1e11) */
    double max_job_seconds; /* --max-job-seconds, FITD_MAX_JOB_SECONDS (3600): a job's time cap */
    double heartbeat;    /* --heartbeat, FITD_HEARTBEAT (seconds between event-stream comments: 5) */
    double lease_seconds; /* --lease-seconds, FITD_LEASE_SECONDS (15): a claim on a job
                             lasts this long unrenewed (renewed every third of it) */
    int quiet;           /* --quiet: no request log lines */
} fitd_config;

/* Fills c from the environment and argv (after "serve"). Returns 0, 1 when
 * --help was printed to out, or -1 with a message in err. */
int config_load(fitd_config *c, int argc, char **argv, FILE *out, char *err, size_t cap);
void config_free(fitd_config *c);
void config_usage(FILE *out);

#endif
