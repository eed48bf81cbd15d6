/* apitest.h - what the API tests share: a real fitd started on a free
 * port with its own temporary data directory (and stopped by the test),
 * libcurl requests, and JSON helpers. Assertions come from check.h. */
#ifndef FITD_APITEST_H
#define FITD_APITEST_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct fitd_proc {
    pid_t pid;
    int port;
    char dir[256];   /* the data directory (removed by fitd_cleanup) */
    char base[64];   /* "http://127.0.0.1:PORT" */
    char token[128]; /* bearer token sent with every request ("" = none) */
    char log[300];   /* the server's stderr */
    long log_from;   /* the log's size when this server started (the
                      * durability test restarts on the same directory) */
} fitd_proc;

/* Starts $FITD_BIN serve --port 0 --data-dir DIR --quiet (and on
 * postgres --store postgres --database-url URL) plus extra args
 * (NULL-terminated), waits for its "listening" line. dir NULL makes a new
 * temporary directory. Fills all of *f (no token). Returns 0, or -1 (the
 * message is printed). */
int fitd_start(fitd_proc *f, const char *dir, const char *const *extra);
/* Whether the servers run on postgres: FITD_TEST_STORE=postgres with
 * FITD_TEST_DATABASE_URL (a libpq URL of the test cluster's admin
 * database). Each data directory then stands for a database of its own,
 * created by fitd_start and dropped by fitd_cleanup; a restart on the same
 * directory finds the same database. */
int fitd_on_postgres(void);
/* On postgres: the libpq URL of f's database (to start more replicas on it
 * with "--database-url" URL among their extra args). */
void fitd_pg_url(const fitd_proc *f, char *out, size_t cap);
/* Sends sig (SIGTERM: graceful; SIGKILL: crash) and waits; returns the
 * exit status (or 128+signal), or FITD_SANITIZER_REPORT when the server
 * wrote an ASan, LSan, UBSan or TSan report to its log since it started
 * (the report is copied to stderr), so no test can expect that value. */
#define FITD_SANITIZER_REPORT (-2)
int fitd_stop(fitd_proc *f, int sig);
/* Removes the data directory. */
void fitd_cleanup(fitd_proc *f);
/* Runs SQL statements on f's store while f is stopped, to stage what a
 * crash could leave (the sqlite file of its directory, or its postgres
 * database through psql). 0 when they ran. */
int fitd_sql(const fitd_proc *f, const char *sql);

typedef struct http_res {
    long status;
    char *body;       /* NUL-terminated, owned */
    size_t len;
    char *headers;    /* raw response headers, owned */
    json_t *json;     /* parsed body when it is JSON, else NULL */
} http_res;

/* One request; body may be NULL; content_type defaults to
 * application/json when a body is given; extra_header may be NULL.
 * Returns 0 when a response arrived. */
int http_do(const fitd_proc *f, const char *method, const char *path, const char *body,
            size_t len, const char *content_type, const char *extra_header, http_res *res);
void http_res_free(http_res *res);
/* The value of response header name (case-insensitive) into buf, or "" */
const char *http_res_header(const http_res *res, const char *name, char *buf, size_t cap);

/* Reads a streamed answer (an event stream) of GET path until its text
 * contains until (NULL: until the server ends it) or timeout seconds
 * pass; returns the text read (owned, never NULL). */
char *http_stream_until(const fitd_proc *f, const char *path, const char *until, long timeout);

/* Convenience: GET and POST of JSON text. */
int http_get(const fitd_proc *f, const char *path, http_res *res);
int http_post(const fitd_proc *f, const char *path, const char *json, http_res *res);

/* A number at a path like "params.m" or "reference.params.b" (NAN if absent). */
double jnum(const json_t *j, const char *path);
/* A string at a path, or "" */
const char *jstr(const json_t *j, const char *path);
/* The first error's pointer of a problem document, or "" */
const char *problem_pointer(const json_t *j);

/* Validates text against a schema of api/openapi.yaml with
 * tests/api/check_openapi.py; returns 1 when valid. */
int openapi_valid(const char *schema, const char *text);

#endif
