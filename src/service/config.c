/* config.c - flags and FITD_* variables for fitd serve. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/data.h"

/* One option: its flag, environment variable and help line. */
typedef struct opt {
    const char *flag, *env, *help;
} opt;

static const opt opts[] = {
    {"--port", "FITD_PORT", "TCP port to listen on (default 8080; 0 picks a free one)"},
    {"--bind", "FITD_BIND", "IPv4 address to bind (default 127.0.0.1; 0.0.0.0 for all)"},
    {"--workers", "FITD_WORKERS", "training worker threads (default: the number of cores)"},
    {"--queue", "FITD_QUEUE", "queued jobs allowed before 429 (default 1024)"},
    {"--store", "FITD_STORE", "sqlite (durable, default), memory (throwaway) or postgres (shared)"},
    {"--data-dir", "FITD_DATA_DIR", "directory of the sqlite store (default ./data)"},
    {"--max-body", "FITD_MAX_BODY", "largest request body, bytes; k/m/g suffixes (default 64m)"},
    {"--api-token", "FITD_API_TOKEN", "bearer token required on /v1/* (default: none)"},
    {"--grace", "FITD_GRACE", "seconds running jobs may finish after SIGTERM (default 10)"},
    {"--http-threads", "FITD_HTTP_THREADS", "HTTP polling threads (default 2)"},
    {"--max-rows", "FITD_MAX_ROWS", "most rows in one dataset (default 10000000)"},
    {"--max-work", "FITD_MAX_WORK", "most rows x epochs in one job (default 1e11)"},
    {"--heartbeat", "FITD_HEARTBEAT", "seconds between keep-alive comments on event streams (default 5)"},
    {"--max-job-seconds", "FITD_MAX_JOB_SECONDS", "longest a job may train; its default max_seconds (default 3600)"},
    {"--database-url", "FITD_DATABASE_URL", "the postgres store's database (postgresql://... URL or libpq key=value)"},
    {"--lease-seconds", "FITD_LEASE_SECONDS", "postgres: how long a replica's claim on a job lasts unrenewed (default 15)"},
};
#define NOPTS (sizeof opts / sizeof *opts)

void config_usage(FILE *out) {
    fprintf(out, "usage: fitd [serve] [options]\n\n"
                 "Runs the fitd HTTP service. Every option can also be set by the\n"
                 "environment variable shown; a flag wins over the variable.\n\n");
    for (size_t i = 0; i < NOPTS; i++)
        fprintf(out, "  %-16s %-18s %s\n", opts[i].flag, opts[i].env, opts[i].help);
    fprintf(out, "  %-16s %-18s %s\n", "--quiet", "", "no per-request log lines");
    fprintf(out, "  %-16s %-18s %s\n", "--help", "", "this text");
}

static int parse_long(const char *v, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi) return -1;
    *out = x;
    return 0;
}

static int parse_size(const char *v, size_t *out) {
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    double mult = 1;
    if (*end == 'k' || *end == 'K') mult = 1024, end++;
    else if (*end == 'm' || *end == 'M') mult = 1024.0 * 1024, end++;
    else if (*end == 'g' || *end == 'G') mult = 1024.0 * 1024 * 1024, end++;
    if (errno || end == v || *end || !(x * mult >= 1) || x * mult > 1e12) return -1;
    *out = (size_t)(x * mult);
    return 0;
}

/* Applies one option value; returns 0 or -1 with err filled. */
static int apply(fitd_config *c, size_t i, const char *v, char *err, size_t cap) {
    long n;
    double d;
    char *end;
    switch (i) {
    case 0:
        if (parse_long(v, 0, 65535, &n)) goto bad;
        c->port = (int)n;
        return 0;
    case 1:
        if (strlen(v) >= sizeof c->bind) goto bad;
        strcpy(c->bind, v);
        return 0;
    case 2:
        if (parse_long(v, 1, 1024, &n)) goto bad;
        c->workers = (int)n;
        return 0;
    case 3:
        if (parse_long(v, 1, 10000000, &n)) goto bad;
        c->queue = (size_t)n;
        return 0;
    case 4:
        if (strcmp(v, "sqlite") != 0 && strcmp(v, "memory") != 0 && strcmp(v, "postgres") != 0)
            goto bad;
        strcpy(c->store, v);
        return 0;
    case 5:
        if (strlen(v) == 0 || strlen(v) >= sizeof c->data_dir) goto bad;
        strcpy(c->data_dir, v);
        return 0;
    case 6:
        return parse_size(v, &c->max_body) ? (snprintf(err, cap, "%s: '%s' is not a size", opts[i].flag, v), -1) : 0;
    case 7:
        free(c->api_token);
        c->api_token = v[0] ? strdup(v) : NULL;
        return 0;
    case 8:
        d = strtod(v, &end);
        if (end == v || *end || !(d >= 0 && d <= 86400)) goto bad;
        c->grace = d;
        return 0;
    case 9:
        if (parse_long(v, 1, 64, &n)) goto bad;
        c->http_threads = (int)n;
        return 0;
    case 10:
        if (parse_long(v, 1, FIT_MAX_ROWS, &n)) goto bad;
        c->max_rows = (size_t)n;
        return 0;
    case 11:
        d = strtod(v, &end);
        if (end == v || *end || !(d >= 1 && d <= 1e18)) goto bad;
        c->max_work = d;
        return 0;
    case 12:
        d = strtod(v, &end);
        if (end == v || *end || !(d >= 0.05 && d <= 3600)) goto bad;
        c->heartbeat = d;
        return 0;
    case 13:
        d = strtod(v, &end);
        if (end == v || *end || !(d >= 0.001 && d <= 1e9)) goto bad;
        c->max_job_seconds = d;
        return 0;
    case 14:
        if (v[0] == '\0') goto bad;
        free(c->database_url);
        if ((c->database_url = strdup(v)) == NULL) {
            snprintf(err, cap, "out of memory");
            return -1;
        }
        return 0;
    case 15:
        d = strtod(v, &end);
        if (end == v || *end || !(d >= 0.3 && d <= 3600)) goto bad;
        c->lease_seconds = d;
        return 0;
    default:
        break;
    }
bad:
    snprintf(err, cap, "%s (%s): invalid value '%s'", opts[i].flag, opts[i].env, v);
    return -1;
}

int config_load(fitd_config *c, int argc, char **argv, FILE *out, char *err, size_t cap) {
    memset(c, 0, sizeof *c);
    c->port = 8080;
    strcpy(c->bind, "127.0.0.1");
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    c->workers = cores > 0 ? (int)cores : 1;
    c->queue = 1024;
    strcpy(c->store, "sqlite");
    strcpy(c->data_dir, "./data");
    c->max_body = 64u * 1024 * 1024;
    c->grace = 10;
    c->http_threads = 2;
    c->max_rows = 10000000;
    c->max_work = 1e11;
    c->heartbeat = 5;
    c->max_job_seconds = 3600;
    c->lease_seconds = 15;
    for (size_t i = 0; i < NOPTS; i++) {
        const char *v = getenv(opts[i].env);
        if (v && apply(c, i, v, err, cap)) return -1;
    }
    for (int a = 0; a < argc; a++) {
        const char *arg = argv[a], *eq = strchr(arg, '=');
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            config_usage(out);
            return 1;
        }
        if (strcmp(arg, "--quiet") == 0) {
            c->quiet = 1;
            continue;
        }
        size_t flen = eq ? (size_t)(eq - arg) : strlen(arg), i;
        for (i = 0; i < NOPTS; i++)
            if (strlen(opts[i].flag) == flen && strncmp(opts[i].flag, arg, flen) == 0) break;
        if (i == NOPTS) {
            snprintf(err, cap, "unknown option '%s' (see fitd serve --help)", arg);
            return -1;
        }
        const char *v = eq ? eq + 1 : (a + 1 < argc ? argv[++a] : NULL);
        if (v == NULL) {
            snprintf(err, cap, "%s needs a value", opts[i].flag);
            return -1;
        }
        if (apply(c, i, v, err, cap)) return -1;
    }
    if (strcmp(c->store, "postgres") == 0 && c->database_url == NULL) {
        snprintf(err, cap, "--store postgres needs --database-url (FITD_DATABASE_URL), e.g."
                           " postgresql://user@host:5432/fitd");
        return -1;
    }
    return 0;
}

void config_free(fitd_config *c) {
    free(c->api_token);
    c->api_token = NULL;
    free(c->database_url);
    c->database_url = NULL;
}
