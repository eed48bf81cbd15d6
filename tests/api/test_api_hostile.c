/* test_api_hostile.c - bad requests against a real fitd: a table of nearly
 * three hundred hostile requests (malformed, truncated and deep JSON,
 * duplicate keys, NaN, huge numbers, wrong types for every field of a job
 * specification, out-of-range values, expression errors, bodies over
 * --max-body with and without Content-Length, wrong media types, path
 * traversal, overlong ids, bad tokens, bad query parameters, wrong methods,
 * bad CSV, NUL bytes and non-UTF-8), each checked for its status, an
 * application/problem+json body and the pointer of its first error; then
 * raw-socket abuse (a slow-loris client, lies in Content-Length, broken
 * chunking), zero-variance data, and the limits a hostile but well-formed
 * request can reach. Afterwards the server still answers, still trains the
 * worked example to the right answer, and holds exactly the datasets and
 * jobs it held before: no rejected request created anything.
 * HOSTILE_VERBOSE=1 prints every row's status, first pointer and detail. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "apitest.h"
#include "check.h"

#define JSON "application/json"
#define CSV "text/csv"
#define MIB (1024u * 1024u)

/* A generated spec's data: 20 rows of x and y. */
#define GEN "\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 20, \"seed\": 1}}"
#define GAUSS "\"data\": {\"generate\": {\"kind\": \"gaussian\", \"n\": 20, \"seed\": 1}}"
#define EXPR_MODEL(text) "\"model\": {\"kind\": \"expression\", \"predict\": \"" text "\", \"params\": [\"a\"]}"

/* ---------------------------------------------------------------------------
 * Requests: libcurl with what apitest's http_do does not offer (no
 * Content-Type at all, paths sent as they are, streamed bodies, timeouts).
 * ------------------------------------------------------------------------ */

/* A body that is made, or streamed by a read callback, instead of written
 * out in the table. */
typedef struct body_gen {
    char *(*make)(size_t *len); /* a malloc'd body of *len bytes, or NULL */
    size_t stream;              /* or: this many bytes from the read callback */
    int chunked;                /* streamed without Content-Length */
    const char *prefix, *unit;  /* the streamed bytes: prefix, then unit repeated */
} body_gen;

typedef struct req {
    const char *method, *path;
    const char *ctype;        /* NULL: no Content-Type header at all */
    const char *body;         /* NULL: none (unless gen) */
    size_t len;
    const body_gen *gen;      /* streamed bodies only (made ones come in body) */
    const char *header;       /* one extra header line, or NULL */
    long timeout_ms;          /* 0: 120 s */
} req;

typedef struct stream_src {
    const body_gen *g;
    size_t sent;
} stream_src;

typedef struct sink {
    char *p;
    size_t n;
} sink;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud) {
    sink *b = ud;
    size_t add = size * nmemb;
    char *p = realloc(b->p, b->n + add + 1);
    if (p == NULL) return 0;
    memcpy(p + b->n, ptr, add);
    b->p = p;
    b->n += add;
    b->p[b->n] = '\0';
    return add;
}

/* Fills buf with the next bytes of the streamed body; never holds it all. */
static size_t on_read(char *buf, size_t size, size_t nitems, void *ud) {
    stream_src *s = ud;
    size_t cap = size * nitems, k = 0;
    size_t plen = strlen(s->g->prefix), ulen = strlen(s->g->unit);
    while (k < cap && s->sent < s->g->stream) {
        buf[k++] = s->sent < plen ? s->g->prefix[s->sent] : s->g->unit[(s->sent - plen) % ulen];
        s->sent++;
    }
    return k;
}

/* Sends q to f. Returns 0 when a response arrived (also when the server
 * answered before it had read the whole body and the upload then broke).
 * The caller frees res with http_res_free. */
static int hreq(const fitd_proc *f, const req *q, http_res *res) {
    CURL *c = curl_easy_init();
    sink b = {0}, h = {0};
    struct curl_slist *hdr = NULL;
    char line[512];
    stream_src src = {q->gen, 0};
    memset(res, 0, sizeof *res);
    if (c == NULL) return -1;
    size_t ulen = strlen(f->base) + strlen(q->path) + 1;
    char *url = malloc(ulen);
    if (url == NULL) {
        curl_easy_cleanup(c);
        return -1;
    }
    snprintf(url, ulen, "%s%s", f->base, q->path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L); /* send "/../" as it is */
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, q->timeout_ms > 0 ? q->timeout_ms : 120000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (q->gen && q->gen->stream > 0) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &src);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         q->gen->chunked ? (curl_off_t)-1 : (curl_off_t)q->gen->stream);
        if (q->gen->chunked) hdr = curl_slist_append(hdr, "Transfer-Encoding: chunked");
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
    } else if (q->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->len);
    }
    if ((q->body || (q->gen && q->gen->stream)) && q->ctype) {
        snprintf(line, sizeof line, "Content-Type: %s", q->ctype);
        hdr = curl_slist_append(hdr, line);
    } else {
        hdr = curl_slist_append(hdr, "Content-Type:"); /* curl adds none then */
    }
    hdr = curl_slist_append(hdr, "Expect:");
    if (f->token[0]) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", f->token);
        hdr = curl_slist_append(hdr, line);
    }
    if (q->header) hdr = curl_slist_append(hdr, q->header);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(c);
    free(url);
    res->body = b.p ? b.p : strdup("");
    res->len = b.n;
    res->headers = h.p ? h.p : strdup("");
    res->json = json_loads(res->body, 0, NULL);
    return rc == CURLE_OK || res->status > 0 ? 0 : -1;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* A failed check with a message made like printf. */
static int checkf(int ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int checkf(int ok, const char *file, int line, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return check_record(ok, msg, file, line);
}
#define CHECKF(ok, ...) checkf((ok) ? 1 : 0, __FILE__, __LINE__, __VA_ARGS__)

static int get_json(const fitd_proc *f, const char *path, long timeout_ms, http_res *r) {
    req q = {"GET", path, NULL, NULL, 0, NULL, NULL, timeout_ms};
    return hreq(f, &q, r);
}

static int post_json(const fitd_proc *f, const char *path, const char *body, http_res *r) {
    req q = {"POST", path, JSON, body, strlen(body), NULL, NULL, 0};
    return hreq(f, &q, r);
}

/* /livez answers 200 within timeout_ms. */
static int alive(const fitd_proc *f, long timeout_ms) {
    http_res r;
    int ok = get_json(f, "/livez", timeout_ms, &r) == 0 && r.status == 200;
    http_res_free(&r);
    return ok;
}

/* ---------------------------------------------------------------------------
 * Made bodies.
 * ------------------------------------------------------------------------ */

static char *dup_bytes(const char *s, size_t n, size_t *len) {
    char *b = malloc(n + 1);
    if (b == NULL) return NULL;
    memcpy(b, s, n);
    b[n] = '\0';
    *len = n;
    return b;
}

/* An expression 100,000 parentheses deep: a ~200 KB body. */
static char *make_deep_expr(size_t *len) {
    const size_t depth = 100000;
    const char *head = "{" GEN ", \"model\": {\"kind\": \"expression\", \"params\": [\"a\"], \"predict\": \"";
    const char *tail = "\"}}";
    size_t hl = strlen(head), tl = strlen(tail), n = hl + depth + 3 + depth + tl;
    char *b = malloc(n + 1);
    if (b == NULL) return NULL;
    memcpy(b, head, hl);
    memset(b + hl, '(', depth);
    memcpy(b + hl + depth, "a*x", 3);
    memset(b + hl + depth + 3, ')', depth);
    memcpy(b + hl + 2 * depth + 3, tail, tl + 1);
    *len = n;
    return b;
}

/* JSON arrays 100,000 deep (jansson stops at its depth limit). */
static char *make_deep_json(size_t *len) {
    const size_t depth = 100000;
    char *b = malloc(2 * depth + 1);
    if (b == NULL) return NULL;
    memset(b, '[', depth);
    memset(b + depth, ']', depth);
    b[2 * depth] = '\0';
    *len = 2 * depth;
    return b;
}

/* A raw NUL byte inside a JSON string. */
static char *make_nul_in_string(size_t *len) {
    static const char s[] = "{\"data\": {\"generate\": {\"kind\": \"lin\0ear\"}}}";
    return dup_bytes(s, sizeof s - 1, len);
}

/* A raw NUL byte between two members (outside any string). */
static char *make_nul_between(size_t *len) {
    static const char s[] = "{\"epochs\": 5,\0 \"seed\": 1}";
    return dup_bytes(s, sizeof s - 1, len);
}

/* A NUL byte in a CSV cell. */
static char *make_csv_nul(size_t *len) {
    static const char s[] = "x,y\n1,2\n2,\0003\n";
    return dup_bytes(s, sizeof s - 1, len);
}

/* 1025 inline columns: one more than allowed. */
static char *make_wide_columns(size_t *len) {
    size_t cap = 64 + 1025 * 24, n = 0;
    char *b = malloc(cap);
    if (b == NULL) return NULL;
    n += (size_t)snprintf(b + n, cap - n, "{\"data\": {\"columns\": {");
    for (int i = 0; i < 1025; i++)
        n += (size_t)snprintf(b + n, cap - n, "%s\"c%d\": [1]", i ? ", " : "", i);
    n += (size_t)snprintf(b + n, cap - n, "}}}");
    *len = n;
    return b;
}

/* A CSV header of 1025 columns and one row. */
static char *make_wide_csv(size_t *len) {
    size_t cap = 1025 * 12 + 16, n = 0;
    char *b = malloc(cap);
    if (b == NULL) return NULL;
    for (int i = 0; i < 1025; i++) n += (size_t)snprintf(b + n, cap - n, "%sc%d", i ? "," : "", i);
    b[n++] = '\n';
    for (int i = 0; i < 1025; i++) n += (size_t)snprintf(b + n, cap - n, "%s1", i ? "," : "");
    b[n++] = '\n';
    b[n] = '\0';
    *len = n;
    return b;
}

/* 100 bad cells: at most 50 errors are listed, the rest counted. */
static char *make_many_errors(size_t *len) {
    size_t cap = 64 + 100 * 6, n = 0;
    char *b = malloc(cap);
    if (b == NULL) return NULL;
    n += (size_t)snprintf(b + n, cap - n, "{\"data\": {\"columns\": {\"x\": [");
    for (int i = 0; i < 100; i++) n += (size_t)snprintf(b + n, cap - n, "%s\"a\"", i ? "," : "");
    n += (size_t)snprintf(b + n, cap - n, "]}}}");
    *len = n;
    return b;
}

/* A dataset name of 201 characters. */
static char *make_long_name(size_t *len) {
    size_t cap = 300, n = 0;
    char *b = malloc(cap);
    if (b == NULL) return NULL;
    n += (size_t)snprintf(b + n, cap - n, "{\"name\": \"");
    memset(b + n, 'n', 201);
    n += 201;
    n += (size_t)snprintf(b + n, cap - n, "\", \"columns\": {\"x\": [1]}}");
    *len = n;
    return b;
}

/* A column name of 64 characters (63 is the most). */
static char *make_long_column(size_t *len) {
    size_t cap = 200, n = 0;
    char *b = malloc(cap);
    if (b == NULL) return NULL;
    n += (size_t)snprintf(b + n, cap - n, "{\"data\": {\"columns\": {\"");
    memset(b + n, 'c', 64);
    n += 64;
    n += (size_t)snprintf(b + n, cap - n, "\": [1], \"y\": [1]}}}");
    *len = n;
    return b;
}

static const body_gen G_DEEP_EXPR = {make_deep_expr, 0, 0, NULL, NULL};
static const body_gen G_DEEP_JSON = {make_deep_json, 0, 0, NULL, NULL};
static const body_gen G_NUL_STRING = {make_nul_in_string, 0, 0, NULL, NULL};
static const body_gen G_NUL_BETWEEN = {make_nul_between, 0, 0, NULL, NULL};
static const body_gen G_CSV_NUL = {make_csv_nul, 0, 0, NULL, NULL};
static const body_gen G_WIDE = {make_wide_columns, 0, 0, NULL, NULL};
static const body_gen G_WIDE_CSV = {make_wide_csv, 0, 0, NULL, NULL};
static const body_gen G_MANY_ERRORS = {make_many_errors, 0, 0, NULL, NULL};
static const body_gen G_LONG_NAME = {make_long_name, 0, 0, NULL, NULL};
static const body_gen G_LONG_COLUMN = {make_long_column, 0, 0, NULL, NULL};
/* Streamed: 2 MiB with Content-Length, 3 and 8 MiB chunked (the server
 * runs with --max-body 1m). */
static const body_gen G_2M = {NULL, 2 * MIB, 0, "{\"data\": {\"columns\": {\"x\": [", "0,"};
static const body_gen G_3M_CHUNKED = {NULL, 3 * MIB, 1, "{\"data\": {\"columns\": {\"x\": [", "0,"};
static const body_gen G_8M_CHUNKED = {NULL, 8 * MIB, 1, "[", "1,"};
static const body_gen G_CSV_3M_CHUNKED = {NULL, 3 * MIB, 1, "x,y\n", "1,2\n"};
static const body_gen G_CSV_2M = {NULL, 2 * MIB, 0, "x,y\n", "1,2\n"};

/* ---------------------------------------------------------------------------
 * The table.
 *
 * pointer: ""  the problem has no errors member;
 *          "#" its first error's pointer is "" (the whole body);
 *          "?p" its first error is about query parameter p;
 *          else the first error's pointer.
 * want:    a response header "Name: value" that must be there, or NULL.
 * Paths may hold {job} and {ds} (a finished job and a dataset made before
 * the table runs) and {long} (10,000 characters).
 * ------------------------------------------------------------------------ */
typedef struct hrow {
    const char *name, *method, *path, *ctype, *body;
    const body_gen *gen;
    const char *header;
    long status;
    const char *pointer, *detail, *want;
} hrow;

static const hrow rows[] = {
    /* malformed and truncated JSON: 400 with line and column */
    {"empty body", "POST", "/v1/jobs", JSON, "", NULL, NULL, 400, "", "line 1, column 0", NULL},
    {"truncated object", "POST", "/v1/jobs", JSON, "{\"data\":", NULL, NULL, 400, "", "invalid JSON at line 1", NULL},
    {"truncated array", "POST", "/v1/evaluate", JSON, "{\"params\": [1, 2", NULL, NULL, 400, "", "invalid JSON", NULL},
    {"truncated string", "POST", "/v1/datasets", JSON, "{\"name\": \"abc", NULL, NULL, 400, "", "invalid JSON", NULL},
    {"missing value on line 2", "POST", "/v1/jobs", JSON, "{\"epochs\": 5,\n \"model\": }", NULL, NULL, 400, "", "line 2, column 11", NULL},
    {"trailing comma", "POST", "/v1/jobs", JSON, "{\"epochs\": 5,}", NULL, NULL, 400, "", "invalid JSON", NULL},
    {"single quotes", "POST", "/v1/jobs", JSON, "{'epochs': 5}", NULL, NULL, 400, "", "invalid JSON", NULL},
    {"comment", "POST", "/v1/jobs", JSON, "{\"epochs\": 5 /* five */}", NULL, NULL, 400, "", "invalid JSON", NULL},
    {"trailing garbage", "POST", "/v1/jobs", JSON, "{} x", NULL, NULL, 400, "", "end of file expected", NULL},
    {"two documents", "POST", "/v1/jobs", JSON, "{}{}", NULL, NULL, 400, "", "invalid JSON", NULL},
    {"bare string document", "POST", "/v1/jobs", JSON, "\"str\"", NULL, NULL, 400, "", "invalid JSON", NULL},
    {"bare number document", "POST", "/v1/evaluate", JSON, "42", NULL, NULL, 400, "", "invalid JSON", NULL},
    {"JSON nested 100,000 deep", "POST", "/v1/jobs", JSON, NULL, &G_DEEP_JSON, NULL, 400, "", "depth", NULL},
    {"bad escape", "POST", "/v1/jobs", JSON, "{\"a\": \"\\q\"}", NULL, NULL, 400, "", "invalid JSON", NULL},
    {"lone surrogate escape", "POST", "/v1/jobs", JSON, "{\"a\": \"\\ud800\"}", NULL, NULL, 400, "", "invalid JSON", NULL},
    {"raw NUL inside a string", "POST", "/v1/jobs", JSON, NULL, &G_NUL_STRING, NULL, 400, "", "invalid JSON", NULL},
    {"raw NUL between members", "POST", "/v1/jobs", JSON, NULL, &G_NUL_BETWEEN, NULL, 400, "", "invalid JSON", NULL},
    {"\\u0000 escape", "POST", "/v1/datasets", JSON, "{\"name\": \"a\\u0000b\", \"columns\": {\"x\": [1]}}", NULL, NULL, 400, "", "invalid JSON", NULL},
    {"non-UTF-8 in a string", "POST", "/v1/datasets", JSON, "{\"name\": \"\xff\xfe\", \"columns\": {\"x\": [1]}}", NULL, NULL, 400, "", "invalid JSON", NULL},
    {"non-UTF-8 key", "POST", "/v1/jobs", JSON, "{\"\xc3\x28\": 1}", NULL, NULL, 400, "", "invalid JSON", NULL},
    {"overlong UTF-8", "POST", "/v1/jobs", JSON, "{\"a\": \"\xc0\xaf\"}", NULL, NULL, 400, "", "invalid JSON", NULL},
    {"duplicate top-level key", "POST", "/v1/jobs", JSON, "{\"epochs\": 5, \"epochs\": 6}", NULL, NULL, 400, "", "duplicate", NULL},
    {"duplicate nested key", "POST", "/v1/jobs", JSON, "{" GEN ", \"optimizer\": {\"kind\": \"sgd\", \"kind\": \"adam\"}}", NULL, NULL, 400, "", "duplicate", NULL},
    {"duplicate column", "POST", "/v1/datasets", JSON, "{\"columns\": {\"x\": [1], \"x\": [2]}}", NULL, NULL, 400, "", "duplicate", NULL},
    {"NaN literal", "POST", "/v1/jobs", JSON, "{" GEN ", \"epochs\": NaN}", NULL, NULL, 400, "", "invalid JSON", NULL},
    {"Infinity literal", "POST", "/v1/evaluate", JSON, "{\"data\": {\"columns\": {\"x\": [Infinity]}}, \"model\": \"gaussian\", \"params\": {\"mu\": 0, \"sigma\": 1}}", NULL, NULL, 400, "", "invalid JSON", NULL},
    {"-Infinity literal", "POST", "/v1/datasets", JSON, "{\"columns\": {\"x\": [-Infinity]}}", NULL, NULL, 400, "", "invalid JSON", NULL},
    {"nan in a column", "POST", "/v1/datasets", JSON, "{\"columns\": {\"x\": [nan]}}", NULL, NULL, 400, "", "invalid JSON", NULL},
    {"1e999 overflows", "POST", "/v1/jobs", JSON, "{" GEN ", \"epochs\": 1e999}", NULL, NULL, 400, "", "overflow", NULL},
    {"-1e999 in a column", "POST", "/v1/datasets", JSON, "{\"columns\": {\"x\": [-1e999]}}", NULL, NULL, 400, "", "overflow", NULL},
    {"integer beyond 64 bits", "POST", "/v1/jobs", JSON, "{" GEN ", \"seed\": 99999999999999999999999}", NULL, NULL, 400, "", "too big", NULL},

    /* the document and its top-level members of the wrong type */
    {"array document", "POST", "/v1/jobs", JSON, "[]", NULL, NULL, 422, "#", "must be an object", NULL},
    {"empty spec", "POST", "/v1/jobs", JSON, "{}", NULL, NULL, 422, "/data", "is required", NULL},
    {"data a number", "POST", "/v1/jobs", JSON, "{\"data\": 5}", NULL, NULL, 422, "/data", "must be an object", NULL},
    {"data empty", "POST", "/v1/jobs", JSON, "{\"data\": {}}", NULL, NULL, 422, "/data", "needs columns or generate", NULL},
    {"data and dataset", "POST", "/v1/jobs", JSON, "{" GEN ", \"dataset\": \"ds_x\"}", NULL, NULL, 422, "/dataset", "not both", NULL},
    {"dataset a number", "POST", "/v1/jobs", JSON, "{\"dataset\": 5}", NULL, NULL, 422, "/dataset", "must be a dataset id", NULL},
    {"dataset traversal", "POST", "/v1/jobs", JSON, "{\"dataset\": \"../../etc/passwd\"}", NULL, NULL, 422, "/dataset", "must be a dataset id", NULL},
    {"dataset unknown", "POST", "/v1/jobs", JSON, "{\"dataset\": \"ds_000000000000000000000000\"}", NULL, NULL, 422, "/dataset", "no dataset", NULL},
    {"model a number", "POST", "/v1/jobs", JSON, "{" GEN ", \"model\": 5}", NULL, NULL, 422, "/model", "must be an object", NULL},
    {"model unknown", "POST", "/v1/jobs", JSON, "{" GEN ", \"model\": \"quadratic\"}", NULL, NULL, 422, "/model", "unknown model kind", NULL},
    {"init an array", "POST", "/v1/jobs", JSON, "{" GEN ", \"init\": []}", NULL, NULL, 422, "/init", "must be an object", NULL},
    {"loss a number", "POST", "/v1/jobs", JSON, "{" GEN ", \"loss\": 5}", NULL, NULL, 422, "/loss", "must be a loss name", NULL},
    {"loss unknown", "POST", "/v1/jobs", JSON, "{" GEN ", \"loss\": \"hinge\"}", NULL, NULL, 422, "/loss", "unknown loss", NULL},
    {"optimizer a number", "POST", "/v1/jobs", JSON, "{" GEN ", \"optimizer\": 5}", NULL, NULL, 422, "/optimizer", "must be an optimizer", NULL},
    {"optimizer unknown", "POST", "/v1/jobs", JSON, "{" GEN ", \"optimizer\": \"lbfgs\"}", NULL, NULL, 422, "/optimizer", "unknown optimizer", NULL},
    {"epochs a string", "POST", "/v1/jobs", JSON, "{" GEN ", \"epochs\": \"100\"}", NULL, NULL, 422, "/epochs", "must be an integer", NULL},
    {"batch_size a boolean", "POST", "/v1/jobs", JSON, "{" GEN ", \"batch_size\": true}", NULL, NULL, 422, "/batch_size", "must be an integer", NULL},
    {"shuffle a string", "POST", "/v1/jobs", JSON, "{" GEN ", \"shuffle\": \"yes\"}", NULL, NULL, 422, "/shuffle", "true or false", NULL},
    {"seed a string", "POST", "/v1/jobs", JSON, "{" GEN ", \"seed\": \"7\"}", NULL, NULL, 422, "/seed", "must be an integer", NULL},
    {"validation_split a string", "POST", "/v1/jobs", JSON, "{" GEN ", \"validation_split\": \"0.2\"}", NULL, NULL, 422, "/validation_split", "must be a number", NULL},
    {"max_seconds a string", "POST", "/v1/jobs", JSON, "{" GEN ", \"max_seconds\": \"10\"}", NULL, NULL, 422, "/max_seconds", "must be a number", NULL},
    {"early_stopping an array", "POST", "/v1/jobs", JSON, "{" GEN ", \"early_stopping\": []}", NULL, NULL, 422, "/early_stopping", "must be an object", NULL},
    {"unknown top-level field", "POST", "/v1/jobs", JSON, "{" GEN ", \"colour\": 1}", NULL, NULL, 422, "/colour", "unknown field", NULL},
    {"near-miss field", "POST", "/v1/jobs", JSON, "{" GEN ", \"epoch\": 3}", NULL, NULL, 422, "/epoch", "did you mean 'epochs'", NULL},

    /* numbers out of range */
    {"epochs 0", "POST", "/v1/jobs", JSON, "{" GEN ", \"epochs\": 0}", NULL, NULL, 422, "/epochs", "between 1 and 1000000", NULL},
    {"epochs -1", "POST", "/v1/jobs", JSON, "{" GEN ", \"epochs\": -1}", NULL, NULL, 422, "/epochs", "between 1 and 1000000", NULL},
    {"epochs 1.5", "POST", "/v1/jobs", JSON, "{" GEN ", \"epochs\": 1.5}", NULL, NULL, 422, "/epochs", "integer", NULL},
    {"epochs 10^7", "POST", "/v1/jobs", JSON, "{" GEN ", \"epochs\": 10000000}", NULL, NULL, 422, "/epochs", "between 1 and 1000000", NULL},
    {"epochs 1e308", "POST", "/v1/jobs", JSON, "{" GEN ", \"epochs\": 1e308}", NULL, NULL, 422, "/epochs", "between 1 and 1000000", NULL},
    {"epochs x rows over --max-work", "POST", "/v1/jobs", JSON, "{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 1000000}}, \"epochs\": 1000000}", NULL, NULL, 422, "/epochs", "work budget", NULL},
    {"batch_size 0", "POST", "/v1/jobs", JSON, "{" GEN ", \"batch_size\": 0}", NULL, NULL, 422, "/batch_size", NULL, NULL},
    {"batch_size -1", "POST", "/v1/jobs", JSON, "{" GEN ", \"batch_size\": -1}", NULL, NULL, 422, "/batch_size", NULL, NULL},
    {"batch_size 1.5", "POST", "/v1/jobs", JSON, "{" GEN ", \"batch_size\": 1.5}", NULL, NULL, 422, "/batch_size", "integer", NULL},
    {"batch_size 10^7", "POST", "/v1/jobs", JSON, "{" GEN ", \"batch_size\": 10000000}", NULL, NULL, 422, "/batch_size", "<= 20", NULL},
    {"batch_size > rows", "POST", "/v1/jobs", JSON, "{" GEN ", \"batch_size\": 21}", NULL, NULL, 422, "/batch_size", "<= 20, the number of training rows", NULL},
    {"batch_size > training rows", "POST", "/v1/jobs", JSON, "{" GEN ", \"validation_split\": 0.5, \"batch_size\": 11}", NULL, NULL, 422, "/batch_size", "<= 10", NULL},
    {"validation_split 1", "POST", "/v1/jobs", JSON, "{" GEN ", \"validation_split\": 1}", NULL, NULL, 422, "/validation_split", ">= 0 and < 1", NULL},
    {"validation_split -0.1", "POST", "/v1/jobs", JSON, "{" GEN ", \"validation_split\": -0.1}", NULL, NULL, 422, "/validation_split", ">= 0 and < 1", NULL},
    {"validation_split leaves no training row", "POST", "/v1/jobs", JSON, "{" GEN ", \"validation_split\": 0.99}", NULL, NULL, 422, "/validation_split", "each needs at least 1", NULL},
    {"seed -1", "POST", "/v1/jobs", JSON, "{" GEN ", \"seed\": -1}", NULL, NULL, 422, "/seed", "between 0 and 9007199254740992", NULL},
    {"seed 2^53 + 1", "POST", "/v1/jobs", JSON, "{" GEN ", \"seed\": 9007199254740993}", NULL, NULL, 422, "/seed", "between 0 and 9007199254740992", NULL},
    {"max_seconds 0", "POST", "/v1/jobs", JSON, "{" GEN ", \"max_seconds\": 0}", NULL, NULL, 422, "/max_seconds", "> 0", NULL},

    /* optimizer members */
    {"learning_rate 0", "POST", "/v1/jobs", JSON, "{" GEN ", \"optimizer\": {\"kind\": \"sgd\", \"learning_rate\": 0}}", NULL, NULL, 422, "/optimizer/learning_rate", "> 0", NULL},
    {"learning_rate -1", "POST", "/v1/jobs", JSON, "{" GEN ", \"optimizer\": {\"kind\": \"adam\", \"learning_rate\": -1}}", NULL, NULL, 422, "/optimizer/learning_rate", "> 0", NULL},
    {"learning_rate 1e308", "POST", "/v1/jobs", JSON, "{" GEN ", \"optimizer\": {\"learning_rate\": 1e308}}", NULL, NULL, 422, "/optimizer/learning_rate", "<= 1000000", NULL},
    {"learning_rate a string", "POST", "/v1/jobs", JSON, "{" GEN ", \"optimizer\": {\"kind\": \"rmsprop\", \"learning_rate\": \"0.1\"}}", NULL, NULL, 422, "/optimizer/learning_rate", "must be a number", NULL},
    {"optimizer kind a number", "POST", "/v1/jobs", JSON, "{" GEN ", \"optimizer\": {\"kind\": 7}}", NULL, NULL, 422, "/optimizer/kind", "must be a string", NULL},
    {"momentum 1", "POST", "/v1/jobs", JSON, "{" GEN ", \"optimizer\": {\"kind\": \"sgd\", \"momentum\": 1}}", NULL, NULL, 422, "/optimizer/momentum", "< 1", NULL},
    {"nesterov a number", "POST", "/v1/jobs", JSON, "{" GEN ", \"optimizer\": {\"kind\": \"sgd\", \"nesterov\": 1}}", NULL, NULL, 422, "/optimizer/nesterov", "true or false", NULL},
    {"beta_1 1", "POST", "/v1/jobs", JSON, "{" GEN ", \"optimizer\": {\"kind\": \"adam\", \"beta_1\": 1}}", NULL, NULL, 422, "/optimizer/beta_1", "< 1", NULL},
    {"epsilon 0", "POST", "/v1/jobs", JSON, "{" GEN ", \"optimizer\": {\"kind\": \"adam\", \"epsilon\": 0}}", NULL, NULL, 422, "/optimizer/epsilon", "> 0", NULL},
    {"adam given sgd's momentum", "POST", "/v1/jobs", JSON, "{" GEN ", \"optimizer\": {\"kind\": \"adam\", \"momentum\": 0.9}}", NULL, NULL, 422, "/optimizer/momentum", "unknown field for optimizer 'adam'", NULL},
    {"clipnorm -1", "POST", "/v1/jobs", JSON, "{" GEN ", \"optimizer\": {\"kind\": \"adagrad\", \"clipnorm\": -1}}", NULL, NULL, 422, "/optimizer/clipnorm", "> 0", NULL},
    {"initial_accumulator_value a string", "POST", "/v1/jobs", JSON, "{" GEN ", \"optimizer\": {\"kind\": \"adagrad\", \"initial_accumulator_value\": \"x\"}}", NULL, NULL, 422, "/optimizer/initial_accumulator_value", "must be a number", NULL},

    /* early_stopping members */
    {"monitor a number", "POST", "/v1/jobs", JSON, "{" GEN ", \"early_stopping\": {\"monitor\": 5}}", NULL, NULL, 422, "/early_stopping/monitor", "must be a string", NULL},
    {"monitor unknown", "POST", "/v1/jobs", JSON, "{" GEN ", \"early_stopping\": {\"monitor\": \"accuracy\"}}", NULL, NULL, 422, "/early_stopping/monitor", "loss or val_loss", NULL},
    {"monitor val_loss without a split", "POST", "/v1/jobs", JSON, "{" GEN ", \"early_stopping\": {\"monitor\": \"val_loss\"}}", NULL, NULL, 422, "/early_stopping/monitor", "validation_split", NULL},
    {"patience 1.5", "POST", "/v1/jobs", JSON, "{" GEN ", \"early_stopping\": {\"patience\": 1.5}}", NULL, NULL, 422, "/early_stopping/patience", "integer", NULL},
    {"patience -1", "POST", "/v1/jobs", JSON, "{" GEN ", \"early_stopping\": {\"patience\": -1}}", NULL, NULL, 422, "/early_stopping/patience", "integer", NULL},
    {"min_delta -1", "POST", "/v1/jobs", JSON, "{" GEN ", \"early_stopping\": {\"min_delta\": -1}}", NULL, NULL, 422, "/early_stopping/min_delta", ">= 0", NULL},
    {"restore_best a string", "POST", "/v1/jobs", JSON, "{" GEN ", \"early_stopping\": {\"restore_best\": \"true\"}}", NULL, NULL, 422, "/early_stopping/restore_best", "true or false", NULL},
    {"early_stopping near miss", "POST", "/v1/jobs", JSON, "{" GEN ", \"early_stopping\": {\"patiense\": 3}}", NULL, NULL, 422, "/early_stopping/patiense", "did you mean 'patience'", NULL},

    /* init forms */
    {"init unknown name", "POST", "/v1/jobs", JSON, "{" GEN ", \"init\": {\"m\": \"ones\"}}", NULL, NULL, 422, "/init/m", "unknown initializer", NULL},
    {"init an array value", "POST", "/v1/jobs", JSON, "{" GEN ", \"init\": {\"m\": []}}", NULL, NULL, 422, "/init/m", "must be a number", NULL},
    {"init normal sd 0", "POST", "/v1/jobs", JSON, "{" GEN ", \"init\": {\"m\": {\"normal\": {\"sd\": 0}}}}", NULL, NULL, 422, "/init/m/normal/sd", "> 0", NULL},
    {"init normal sd a string", "POST", "/v1/jobs", JSON, "{" GEN ", \"init\": {\"m\": {\"normal\": {\"sd\": \"1\"}}}}", NULL, NULL, 422, "/init/m/normal/sd", "must be a number", NULL},
    {"init uniform max < min", "POST", "/v1/jobs", JSON, "{" GEN ", \"init\": {\"m\": {\"uniform\": {\"min\": 1, \"max\": 0}}}}", NULL, NULL, 422, "/init/m/uniform/max", "> min", NULL},
    {"init normal and uniform", "POST", "/v1/jobs", JSON, "{" GEN ", \"init\": {\"m\": {\"normal\": {}, \"uniform\": {}}}}", NULL, NULL, 422, "/init/m", "not both", NULL},
    {"init unknown member", "POST", "/v1/jobs", JSON, "{" GEN ", \"init\": {\"m\": {\"normal\": {\"mu\": 1}}}}", NULL, NULL, 422, "/init/m/normal/mu", "unknown field", NULL},
    {"init unknown parameter", "POST", "/v1/jobs", JSON, "{" GEN ", \"init\": {\"zz\": 1}}", NULL, NULL, 422, "/init/zz", "unknown parameter", NULL},
    {"init invalid name", "POST", "/v1/jobs", JSON, "{" GEN ", \"init\": {\"1m\": 1}}", NULL, NULL, 422, "/init/1m", "not a valid parameter name", NULL},
    {"init sigma 0 (positive)", "POST", "/v1/jobs", JSON, "{" GAUSS ", \"model\": \"gaussian\", \"init\": {\"sigma\": 0}}", NULL, NULL, 422, "/init/sigma", "positive", NULL},
    {"init sigma zeros (positive)", "POST", "/v1/jobs", JSON, "{" GAUSS ", \"model\": \"gaussian\", \"init\": {\"sigma\": \"zeros\"}}", NULL, NULL, 422, "/init/sigma", "positive", NULL},

    /* model members */
    {"model kind a number", "POST", "/v1/jobs", JSON, "{" GEN ", \"model\": {\"kind\": 5}}", NULL, NULL, 422, "/model/kind", "must be a string", NULL},
    {"model kind unknown", "POST", "/v1/jobs", JSON, "{" GEN ", \"model\": {\"kind\": \"spline\"}}", NULL, NULL, 422, "/model/kind", "unknown model kind", NULL},
    {"model x a number", "POST", "/v1/jobs", JSON, "{" GEN ", \"model\": {\"kind\": \"linear\", \"x\": 5}}", NULL, NULL, 422, "/model/x", "must be a string", NULL},
    {"model x empty list", "POST", "/v1/jobs", JSON, "{" GEN ", \"model\": {\"x\": []}}", NULL, NULL, 422, "/model/x", "between 1 and 64", NULL},
    {"model x listed twice", "POST", "/v1/jobs", JSON, "{" GEN ", \"model\": {\"x\": [\"x\", \"x\"]}}", NULL, NULL, 422, "/model/x/1", "listed twice", NULL},
    {"model x invalid name", "POST", "/v1/jobs", JSON, "{" GEN ", \"model\": {\"x\": \"1x\"}}", NULL, NULL, 422, "/model/x", "not a valid name", NULL},
    {"model y unknown column", "POST", "/v1/jobs", JSON, "{" GEN ", \"model\": {\"y\": \"nope\"}}", NULL, NULL, 422, "/model/y", "unknown column 'nope'", NULL},
    {"gaussian given y", "POST", "/v1/jobs", JSON, "{" GEN ", \"model\": {\"kind\": \"gaussian\", \"y\": \"y\"}}", NULL, NULL, 422, "/model/y", "unknown field for model 'gaussian'", NULL},
    {"expression as a string", "POST", "/v1/jobs", JSON, "{" GEN ", \"model\": \"expression\"}", NULL, NULL, 422, "/model", "needs an object", NULL},
    {"expression predict a number", "POST", "/v1/jobs", JSON, "{" GEN ", \"model\": {\"kind\": \"expression\", \"predict\": 7, \"params\": [\"a\"]}}", NULL, NULL, 422, "/model/predict", "must be a string", NULL},
    {"expression predict and logpdf", "POST", "/v1/jobs", JSON, "{" GEN ", \"model\": {\"kind\": \"expression\", \"predict\": \"a\", \"logpdf\": \"a\", \"params\": [\"a\"]}}", NULL, NULL, 422, "/model/logpdf", "not both", NULL},
    {"expression without params", "POST", "/v1/jobs", JSON, "{" GEN ", \"model\": {\"kind\": \"expression\", \"predict\": \"a*x\"}}", NULL, NULL, 422, "/model/params", "is required", NULL},
    {"expression params empty", "POST", "/v1/jobs", JSON, "{" GEN ", \"model\": {\"kind\": \"expression\", \"predict\": \"a\", \"params\": []}}", NULL, NULL, 422, "/model/params", "1 to 64", NULL},
    {"expression param twice", "POST", "/v1/jobs", JSON, "{" GEN ", \"model\": {\"kind\": \"expression\", \"predict\": \"a\", \"params\": [\"a\", \"a\"]}}", NULL, NULL, 422, "/model/params/1", "listed twice", NULL},
    {"expression param reserved", "POST", "/v1/jobs", JSON, "{" GEN ", \"model\": {\"kind\": \"expression\", \"predict\": \"pi\", \"params\": [\"pi\"]}}", NULL, NULL, 422, "/model/params/0", "reserved", NULL},
    {"expression param is a column", "POST", "/v1/jobs", JSON, "{" GEN ", \"model\": {\"kind\": \"expression\", \"predict\": \"x\", \"params\": [\"x\"]}}", NULL, NULL, 422, "/model/params/0", "also a column", NULL},
    {"expression positive a number", "POST", "/v1/jobs", JSON, "{" GEN ", \"model\": {\"kind\": \"expression\", \"predict\": \"a\", \"params\": [{\"name\": \"a\", \"positive\": 1}]}}", NULL, NULL, 422, "/model/params/0/positive", "true or false", NULL},
    {"expression positive init -1", "POST", "/v1/jobs", JSON, "{" GEN ", \"model\": {\"kind\": \"expression\", \"predict\": \"a\", \"params\": [{\"name\": \"a\", \"init\": -1, \"positive\": true}]}}", NULL, NULL, 422, "/model/params/0/init", "> 0", NULL},
    {"expression param unknown member", "POST", "/v1/jobs", JSON, "{" GEN ", \"model\": {\"kind\": \"expression\", \"predict\": \"a\", \"params\": [{\"name\": \"a\", \"min\": 0}]}}", NULL, NULL, 422, "/model/params/0/min", "unknown field", NULL},

    /* expressions: syntax errors with their column, unknown names, limits */
    {"expression empty", "POST", "/v1/jobs", JSON, "{" GEN ", " EXPR_MODEL("  ") "}", NULL, NULL, 422, "/model/predict", "must not be empty", NULL},
    {"expression ends early", "POST", "/v1/jobs", JSON, "{" GEN ", " EXPR_MODEL("a*x +") "}", NULL, NULL, 422, "/model/predict", "at column 6", NULL},
    {"expression unclosed (", "POST", "/v1/jobs", JSON, "{" GEN ", " EXPR_MODEL("a*(x") "}", NULL, NULL, 422, "/model/predict", "expected ')' at column 5", NULL},
    {"expression stray )", "POST", "/v1/jobs", JSON, "{" GEN ", " EXPR_MODEL("a*x)") "}", NULL, NULL, 422, "/model/predict", "at column 4", NULL},
    {"expression bad character", "POST", "/v1/jobs", JSON, "{" GEN ", " EXPR_MODEL("a*x $ 2") "}", NULL, NULL, 422, "/model/predict", "'$' at column 5", NULL},
    {"expression malformed number", "POST", "/v1/jobs", JSON, "{" GEN ", " EXPR_MODEL("a*1e") "}", NULL, NULL, 422, "/model/predict", "column 3", NULL},
    {"expression unknown function", "POST", "/v1/jobs", JSON, "{" GEN ", " EXPR_MODEL("a*foo(x)") "}", NULL, NULL, 422, "/model/predict", "unknown function 'foo' at column 3", NULL},
    {"expression unknown name", "POST", "/v1/jobs", JSON, "{" GEN ", " EXPR_MODEL("a*exp(-bb*x)") "}", NULL, NULL, 422, "/model/predict", "unknown name 'bb' at column 8", NULL},
    {"expression wrong arity", "POST", "/v1/jobs", JSON, "{" GEN ", " EXPR_MODEL("pow(a)") "}", NULL, NULL, 422, "/model/predict", "pow() takes 2 arguments", NULL},
    {"expression nested 100,000 deep", "POST", "/v1/jobs", JSON, NULL, &G_DEEP_EXPR, NULL, 422, "/model/predict", "longer than", NULL},
    {"expression unary minus 300 deep", "POST", "/v1/jobs", JSON, "{" GEN ", " EXPR_MODEL(
        "------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------a*x") "}",
        NULL, NULL, 422, "/model/predict", "nested deeper than 200", NULL},
    {"loss expression truncated", "POST", "/v1/jobs", JSON, "{" GEN ", \"loss\": {\"expr\": \"mean((yhat - y)^\"}}", NULL, NULL, 422, "/loss/expr", "at column 17", NULL},
    {"loss expression nested mean", "POST", "/v1/jobs", JSON, "{" GEN ", \"loss\": {\"expr\": \"mean(mean(yhat))\"}}", NULL, NULL, 422, "/loss/expr", "cannot be nested", NULL},
    {"loss kind and expr", "POST", "/v1/jobs", JSON, "{" GEN ", \"loss\": {\"kind\": \"mse\", \"expr\": \"yhat\"}}", NULL, NULL, 422, "/loss", "not both", NULL},
    {"loss empty object", "POST", "/v1/jobs", JSON, "{" GEN ", \"loss\": {}}", NULL, NULL, 422, "/loss", "needs kind", NULL},
    {"huber delta 0", "POST", "/v1/jobs", JSON, "{" GEN ", \"loss\": {\"kind\": \"huber\", \"delta\": 0}}", NULL, NULL, 422, "/loss/delta", "> 0", NULL},
    {"mse given a delta", "POST", "/v1/jobs", JSON, "{" GEN ", \"loss\": {\"kind\": \"mse\", \"delta\": 1}}", NULL, NULL, 422, "/loss/delta", "unknown field for loss 'mse'", NULL},
    {"nll on a regression model", "POST", "/v1/jobs", JSON, "{" GEN ", \"loss\": \"nll\"}", NULL, NULL, 422, "/loss", "needs a density model", NULL},
    {"mse on a density model", "POST", "/v1/jobs", JSON, "{" GAUSS ", \"model\": \"gaussian\", \"loss\": {\"kind\": \"mse\"}}", NULL, NULL, 422, "/loss/kind", "needs a regression model", NULL},

    /* generate members */
    {"generate without kind", "POST", "/v1/jobs", JSON, "{\"data\": {\"generate\": {\"n\": 10}}}", NULL, NULL, 422, "/data/generate/kind", "is required", NULL},
    {"generate unknown kind", "POST", "/v1/jobs", JSON, "{\"data\": {\"generate\": {\"kind\": \"poisson\"}}}", NULL, NULL, 422, "/data/generate/kind", "unknown generator", NULL},
    {"generate n 0", "POST", "/v1/jobs", JSON, "{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 0}}}", NULL, NULL, 422, "/data/generate/n", "between 1 and", NULL},
    {"generate n a string", "POST", "/v1/jobs", JSON, "{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": \"10\"}}}", NULL, NULL, 422, "/data/generate/n", "integer", NULL},
    {"generate n 10^9", "POST", "/v1/datasets", JSON, "{\"generate\": {\"kind\": \"gaussian\", \"n\": 1000000000}}", NULL, NULL, 422, "/generate/n", "between 1 and", NULL},
    {"generate noise_sd -1", "POST", "/v1/jobs", JSON, "{\"data\": {\"generate\": {\"kind\": \"linear\", \"noise_sd\": -1}}}", NULL, NULL, 422, "/data/generate/noise_sd", ">= 0", NULL},
    {"generate sigma 0", "POST", "/v1/jobs", JSON, "{\"data\": {\"generate\": {\"kind\": \"gaussian\", \"sigma\": 0}}, \"model\": \"gaussian\"}", NULL, NULL, 422, "/data/generate/sigma", "> 0", NULL},
    {"generate x_max < x_min", "POST", "/v1/jobs", JSON, "{\"data\": {\"generate\": {\"kind\": \"linear\", \"x_min\": 5, \"x_max\": 1}}}", NULL, NULL, 422, "/data/generate/x_max", ">= x_min", NULL},
    {"generate x range overflows", "POST", "/v1/jobs", JSON, "{\"data\": {\"generate\": {\"kind\": \"linear\", \"x_min\": -1e308, \"x_max\": 1e308}}}", NULL, NULL, 422, "/data/generate/x_max", "finite", NULL},
    {"generate seed -5", "POST", "/v1/jobs", JSON, "{\"data\": {\"generate\": {\"kind\": \"linear\", \"seed\": -5}}}", NULL, NULL, 422, "/data/generate/seed", "between 0 and", NULL},
    {"generate a gaussian's mu on linear", "POST", "/v1/jobs", JSON, "{\"data\": {\"generate\": {\"kind\": \"linear\", \"mu\": 1}}}", NULL, NULL, 422, "/data/generate/mu", "unknown field for generator 'linear'", NULL},
    {"dataset generate overflows", "POST", "/v1/datasets", JSON, "{\"generate\": {\"kind\": \"linear\", \"m\": 1e308, \"x_max\": 1e308}}", NULL, NULL, 422, "/generate", "overflows", NULL},

    /* columns: empty, ragged, wrong cells, wrong names, too many */
    {"columns not an object", "POST", "/v1/jobs", JSON, "{\"data\": {\"columns\": [1, 2]}}", NULL, NULL, 422, "/data/columns", "must be an object", NULL},
    {"columns empty", "POST", "/v1/jobs", JSON, "{\"data\": {\"columns\": {}}}", NULL, NULL, 422, "/data/columns", "at least one column", NULL},
    {"column empty", "POST", "/v1/jobs", JSON, "{\"data\": {\"columns\": {\"x\": [], \"y\": []}}}", NULL, NULL, 422, "/data/columns/x", "at least 1 row", NULL},
    {"columns ragged", "POST", "/v1/jobs", JSON, "{\"data\": {\"columns\": {\"x\": [1, 2, 3], \"y\": [1, 2]}}}", NULL, NULL, 422, "/data/columns/y", "has 2 rows; column 'x' has 3", NULL},
    {"column a number", "POST", "/v1/jobs", JSON, "{\"data\": {\"columns\": {\"x\": 5, \"y\": [1]}}}", NULL, NULL, 422, "/data/columns/x", "array of numbers", NULL},
    {"cell a string", "POST", "/v1/jobs", JSON, "{\"data\": {\"columns\": {\"x\": [1, \"2\"], \"y\": [1, 2]}}}", NULL, NULL, 422, "/data/columns/x/1", "must be a number", NULL},
    {"cell null", "POST", "/v1/jobs", JSON, "{\"data\": {\"columns\": {\"x\": [1, 2], \"y\": [null, 2]}}}", NULL, NULL, 422, "/data/columns/y/0", "must be a number", NULL},
    {"cell an array", "POST", "/v1/evaluate", JSON, "{\"data\": {\"columns\": {\"x\": [[1]]}}, \"model\": \"gaussian\", \"params\": {\"mu\": 0, \"sigma\": 1}}", NULL, NULL, 422, "/data/columns/x/0", "must be a number", NULL},
    {"100 bad cells: 50 listed", "POST", "/v1/jobs", JSON, NULL, &G_MANY_ERRORS, NULL, 422, "/data/columns/x/0", "100 errors", NULL},
    {"column name invalid", "POST", "/v1/jobs", JSON, "{\"data\": {\"columns\": {\"x\": [1], \"1y\": [1]}}}", NULL, NULL, 422, "/data/columns/1y", "not a valid column name", NULL},
    {"column name 64 characters", "POST", "/v1/jobs", JSON, NULL, &G_LONG_COLUMN, NULL, 422, NULL, "not a valid column name", NULL},
    {"column name with a slash", "POST", "/v1/jobs", JSON, "{\"data\": {\"columns\": {\"a/b~c\": [1], \"y\": [1]}}}", NULL, NULL, 422, "/data/columns/a~1b~0c", "not a valid column name", NULL},
    {"1025 columns", "POST", "/v1/jobs", JSON, NULL, &G_WIDE, NULL, 422, "/data/columns", "at most 1024", NULL},
    {"columns and generate", "POST", "/v1/jobs", JSON, "{\"data\": {\"columns\": {\"x\": [1]}, \"generate\": {\"kind\": \"linear\"}}}", NULL, NULL, 422, "/data", "not both", NULL},
    {"dataset columns ragged", "POST", "/v1/datasets", JSON, "{\"columns\": {\"x\": [1, 2], \"y\": [1]}}", NULL, NULL, 422, "/columns/y", "has 1 rows", NULL},
    {"dataset name a number", "POST", "/v1/datasets", JSON, "{\"name\": 5, \"columns\": {\"x\": [1]}}", NULL, NULL, 422, "/name", "must be a string", NULL},
    {"dataset name 201 characters", "POST", "/v1/datasets", JSON, NULL, &G_LONG_NAME, NULL, 422, "/name", "at most 200", NULL},
    {"dataset empty object", "POST", "/v1/datasets", JSON, "{}", NULL, NULL, 422, "#", "needs columns or generate", NULL},
    {"dataset an array", "POST", "/v1/datasets", JSON, "[]", NULL, NULL, 422, "#", "must be an object", NULL},
    {"dataset unknown field", "POST", "/v1/datasets", JSON, "{\"columns\": {\"x\": [1]}, \"rows\": 1}", NULL, NULL, 422, "/rows", "unknown field", NULL},

    /* evaluate and predict */
    {"evaluate unknown field", "POST", "/v1/evaluate", JSON, "{\"data\": {\"columns\": {\"x\": [1, 2]}}, \"model\": \"gaussian\", \"params\": {\"mu\": 1, \"sigma\": 1}, \"epochs\": 5}", NULL, NULL, 422, "/epochs", "unknown field", NULL},
    {"evaluate without params", "POST", "/v1/evaluate", JSON, "{\"data\": {\"columns\": {\"x\": [1, 2]}}, \"model\": \"gaussian\"}", NULL, NULL, 422, "/params", "must be an object", NULL},
    {"evaluate missing param", "POST", "/v1/evaluate", JSON, "{\"data\": {\"columns\": {\"x\": [1]}}, \"model\": \"gaussian\", \"params\": {\"mu\": 1}}", NULL, NULL, 422, "/params/sigma", "finite number", NULL},
    {"evaluate extra param", "POST", "/v1/evaluate", JSON, "{\"data\": {\"columns\": {\"x\": [1]}}, \"model\": \"gaussian\", \"params\": {\"mu\": 1, \"sigma\": 1, \"tau\": 1}}", NULL, NULL, 422, "/params/tau", "no parameter 'tau'", NULL},
    {"evaluate param a string", "POST", "/v1/evaluate", JSON, "{\"data\": {\"columns\": {\"x\": [1]}}, \"model\": \"gaussian\", \"params\": {\"mu\": \"1\", \"sigma\": 1}}", NULL, NULL, 422, "/params/mu", "finite number", NULL},
    {"evaluate sigma -1", "POST", "/v1/evaluate", JSON, "{\"data\": {\"columns\": {\"x\": [1]}}, \"model\": \"gaussian\", \"params\": {\"mu\": 1, \"sigma\": 1}, \"sigma\": -1}", NULL, NULL, 422, "/sigma", "> 0", NULL},
    {"evaluate grid steps 1e9", "POST", "/v1/evaluate", JSON, "{\"data\": {\"columns\": {\"x\": [1]}}, \"model\": \"gaussian\", \"params\": {\"mu\": 1, \"sigma\": 1}, \"grid\": {\"param\": \"mu\", \"from\": 0, \"to\": 1, \"steps\": 1e9}}", NULL, NULL, 422, "/grid/steps", "2 to 10001", NULL},
    {"evaluate grid steps 10002", "POST", "/v1/evaluate", JSON, "{\"data\": {\"columns\": {\"x\": [1]}}, \"model\": \"gaussian\", \"params\": {\"mu\": 1, \"sigma\": 1}, \"grid\": {\"param\": \"mu\", \"from\": 0, \"to\": 1, \"steps\": 10002}}", NULL, NULL, 422, "/grid/steps", "2 to 10001", NULL},
    {"evaluate grid backwards", "POST", "/v1/evaluate", JSON, "{\"data\": {\"columns\": {\"x\": [1]}}, \"model\": \"gaussian\", \"params\": {\"mu\": 1, \"sigma\": 1}, \"grid\": {\"param\": \"mu\", \"from\": 1, \"to\": 0, \"steps\": 3}}", NULL, NULL, 422, "/grid/to", "> from", NULL},
    {"evaluate grid unknown param", "POST", "/v1/evaluate", JSON, "{\"data\": {\"columns\": {\"x\": [1]}}, \"model\": \"gaussian\", \"params\": {\"mu\": 1, \"sigma\": 1}, \"grid\": {\"param\": \"tau\", \"from\": 0, \"to\": 1, \"steps\": 3}}", NULL, NULL, 422, "/grid/param", "parameter of the model", NULL},
    {"evaluate grid a number", "POST", "/v1/evaluate", JSON, "{\"data\": {\"columns\": {\"x\": [1]}}, \"model\": \"gaussian\", \"params\": {\"mu\": 1, \"sigma\": 1}, \"grid\": 5}", NULL, NULL, 422, "/grid", "must be an object", NULL},
    {"evaluate on a stored dataset, unknown column", "POST", "/v1/evaluate", JSON, "{\"dataset\": \"{ds}\", \"model\": {\"x\": \"nope\"}, \"params\": {\"m\": 1, \"b\": 0}}", NULL, NULL, 422, "/model/x", "unknown column 'nope'", NULL},
    {"predict without columns", "POST", "/v1/jobs/{job}/predict", JSON, "{}", NULL, NULL, 422, "/columns", "the body must be", NULL},
    {"predict columns a number", "POST", "/v1/jobs/{job}/predict", JSON, "{\"columns\": 5}", NULL, NULL, 422, "/columns", "must be an object", NULL},
    {"predict cell a string", "POST", "/v1/jobs/{job}/predict", JSON, "{\"columns\": {\"x\": [\"a\"]}}", NULL, NULL, 422, "/columns/x/0", "must be a number", NULL},
    {"predict empty column", "POST", "/v1/jobs/{job}/predict", JSON, "{\"columns\": {\"x\": []}}", NULL, NULL, 422, "/columns/x", "at least 1 row", NULL},
    {"predict NaN", "POST", "/v1/jobs/{job}/predict", JSON, "{\"columns\": {\"x\": [NaN]}}", NULL, NULL, 400, "", "invalid JSON", NULL},
    {"predict unknown job", "POST", "/v1/jobs/job_000000000000000000000000/predict", JSON, "{\"columns\": {\"x\": [1]}}", NULL, NULL, 404, "", NULL, NULL},

    /* bodies over --max-body (1 MiB here) */
    {"2 MiB with Content-Length", "POST", "/v1/jobs", JSON, NULL, &G_2M, NULL, 413, "", "--max-body", NULL},
    {"3 MiB chunked", "POST", "/v1/jobs", JSON, NULL, &G_3M_CHUNKED, NULL, 413, "", "--max-body", NULL},
    {"8 MiB chunked to evaluate", "POST", "/v1/evaluate", JSON, NULL, &G_8M_CHUNKED, NULL, 413, "", "--max-body", NULL},
    {"2 MiB CSV with Content-Length", "POST", "/v1/datasets", CSV, NULL, &G_CSV_2M, NULL, 413, "", "--max-body", NULL},
    {"3 MiB CSV chunked", "POST", "/v1/datasets", CSV, NULL, &G_CSV_3M_CHUNKED, NULL, 413, "", "--max-body", NULL},

    /* media types */
    {"text/plain", "POST", "/v1/jobs", "text/plain", "{}", NULL, NULL, 415, "", "text/plain", NULL},
    {"no Content-Type with a body", "POST", "/v1/jobs", NULL, "{}", NULL, NULL, 415, "", "(none)", NULL},
    {"form encoded", "POST", "/v1/evaluate", "application/x-www-form-urlencoded", "a=1", NULL, NULL, 415, "", NULL, NULL},
    {"application/jsonx", "POST", "/v1/jobs", "application/jsonx", "{}", NULL, NULL, 415, "", NULL, NULL},
    {"problem+json as a request", "POST", "/v1/jobs", "application/problem+json", "{}", NULL, NULL, 415, "", NULL, NULL},
    {"CSV to jobs", "POST", "/v1/jobs", CSV, "x,y\n1,2\n", NULL, NULL, 415, "", NULL, NULL},
    {"CSV to predict", "POST", "/v1/jobs/{job}/predict", CSV, "x\n1\n", NULL, NULL, 415, "", NULL, NULL},
    {"body on a GET", "GET", "/v1/jobs", JSON, "{}", NULL, NULL, 415, "", "no body", NULL},
    {"body on cancel", "POST", "/v1/jobs/{job}/cancel", JSON, "{}", NULL, NULL, 415, "", "no body", NULL},
    {"no Content-Type to datasets", "POST", "/v1/datasets", NULL, "{\"columns\": {\"x\": [1]}}", NULL, NULL, 415, "", NULL, NULL},

    /* CSV uploads */
    {"CSV bad cell", "POST", "/v1/datasets", CSV, "x,y\n1,2\n2,abc\n", NULL, NULL, 422, "#", "row 3, column 2", NULL},
    {"CSV short row", "POST", "/v1/datasets", CSV, "x,y\n1,2\n2\n", NULL, NULL, 422, "#", "row 3: 1 cell, expected 2", NULL},
    {"CSV long row", "POST", "/v1/datasets", CSV, "x,y\n1,2\n2,3,4\n", NULL, NULL, 422, "#", "row 3: 3 cells", NULL},
    {"CSV duplicate header", "POST", "/v1/datasets", CSV, "x,x\n1,2\n", NULL, NULL, 422, "#", "duplicate column name", NULL},
    {"CSV invalid header", "POST", "/v1/datasets", CSV, "1x,y\n1,2\n", NULL, NULL, 422, "#", "not a valid column name", NULL},
    {"CSV empty", "POST", "/v1/datasets", CSV, "", NULL, NULL, 422, "#", "empty body", NULL},
    {"CSV header only", "POST", "/v1/datasets", CSV, "x,y\n", NULL, NULL, 422, "#", "no data rows", NULL},
    {"CSV nan", "POST", "/v1/datasets", CSV, "x,y\n1,nan\n", NULL, NULL, 422, "#", "not a finite number", NULL},
    {"CSV inf", "POST", "/v1/datasets", CSV, "x,y\n1,-inf\n", NULL, NULL, 422, "#", "not a finite number", NULL},
    {"CSV 1e999", "POST", "/v1/datasets", CSV, "x,y\n1,1e999\n", NULL, NULL, 422, "#", "not a finite number", NULL},
    {"CSV empty cell", "POST", "/v1/datasets", CSV, "x,y\n1,\n", NULL, NULL, 422, "#", "empty cell", NULL},
    {"CSV NUL in a cell", "POST", "/v1/datasets", CSV, NULL, &G_CSV_NUL, NULL, 422, "#", "row 3, column 2", NULL},
    {"CSV non-UTF-8 header", "POST", "/v1/datasets", CSV, "\xff\xfe,y\n1,2\n", NULL, NULL, 422, "#", "row 1, column 1", NULL},
    {"CSV JSON sent as CSV", "POST", "/v1/datasets", CSV, "{\"columns\": {\"x\": [1]}}", NULL, NULL, 422, "#", "row 1", NULL},
    {"CSV 1025 columns", "POST", "/v1/datasets", CSV, NULL, &G_WIDE_CSV, NULL, 413, "#", "1024 columns", NULL},
    {"CSV name 300 characters", "POST",
     "/v1/datasets?name=nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn",
     CSV, "x,y\n1,2\n", NULL, NULL, 400, "?name", "at most 200", NULL},

    /* paths: traversal, overlong and odd ids */
    {"dot-dot segment", "GET", "/v1/datasets/../jobs", NULL, NULL, NULL, NULL, 404, "", NULL, NULL},
    {"dot-dot segments to /etc", "GET", "/v1/datasets/../../../etc/passwd", NULL, NULL, NULL, NULL, 404, "", NULL, NULL},
    {"encoded ../etc", "GET", "/v1/jobs/%2e%2e%2fetc", NULL, NULL, NULL, NULL, 404, "", NULL, NULL},
    {"encoded ../../etc/passwd", "GET", "/v1/datasets/..%2F..%2Fetc%2Fpasswd", NULL, NULL, NULL, NULL, 404, "", NULL, NULL},
    {"encoded traversal, data", "GET", "/v1/datasets/..%2F..%2Fetc%2Fpasswd/data", NULL, NULL, NULL, NULL, 404, "", NULL, NULL},
    {"encoded traversal, delete", "DELETE", "/v1/datasets/..%2F..%2F", NULL, NULL, NULL, NULL, 404, "", NULL, NULL},
    {"traversal in a plot name", "GET", "/v1/jobs/{job}/plots/..%2F..%2Fetc%2Fpasswd", NULL, NULL, NULL, NULL, 404, "", NULL, NULL},
    {"unknown plot", "GET", "/v1/jobs/{job}/plots/evil.svg", NULL, NULL, NULL, NULL, 404, "", "loss.svg and fit.svg", NULL},
    {"10,000-character job id", "GET", "/v1/jobs/{long}", NULL, NULL, NULL, NULL, 404, "", NULL, NULL},
    {"10,000-character dataset id", "DELETE", "/v1/datasets/{long}", NULL, NULL, NULL, NULL, 404, "", NULL, NULL},
    {"10,000-character id, cancel", "POST", "/v1/jobs/{long}/cancel", NULL, NULL, NULL, NULL, 404, "", NULL, NULL},
    {"10,000-character id, history", "GET", "/v1/jobs/{long}/history", NULL, NULL, NULL, NULL, 404, "", NULL, NULL},
    {"127-character job id", "GET", "/v1/jobs/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL, NULL, NULL, NULL, 404, "", NULL, NULL},
    {"encoded NUL in an id", "GET", "/v1/jobs/job_%00x/history", NULL, NULL, NULL, NULL, 404, "", NULL, NULL},
    {"encoded NUL cuts the path", "GET", "/v1/jobs/{job}%00/history", NULL, NULL, NULL, NULL, 404, "", NULL, NULL},
    {"non-UTF-8 id", "GET", "/v1/datasets/%ff%fe", NULL, NULL, NULL, NULL, 404, "", NULL, NULL},
    {"percent id", "DELETE", "/v1/jobs/%25", NULL, NULL, NULL, NULL, 404, "", NULL, NULL},
    {"quote in an id", "GET", "/v1/jobs/job_'%22%3Cx%3E", NULL, NULL, NULL, NULL, 404, "", NULL, NULL},
    {"trailing slash", "GET", "/v1/jobs/", NULL, NULL, NULL, NULL, 404, "", NULL, NULL},
    {"double slash", "GET", "/v1//jobs", NULL, NULL, NULL, NULL, 404, "", NULL, NULL},
    {"unknown version", "GET", "/v2/jobs", NULL, NULL, NULL, NULL, 404, "", NULL, NULL},
    {"extra segment", "GET", "/v1/datasets/{ds}/data/more", NULL, NULL, NULL, NULL, 404, "", NULL, NULL},

    /* query parameters */
    {"page_size abc", "GET", "/v1/jobs?page_size=abc", NULL, NULL, NULL, NULL, 400, "?page_size", "from 1 to 1000", NULL},
    {"page_size 0", "GET", "/v1/datasets?page_size=0", NULL, NULL, NULL, NULL, 400, "?page_size", "from 1 to 1000", NULL},
    {"page_size 1001", "GET", "/v1/jobs?page_size=1001", NULL, NULL, NULL, NULL, 400, "?page_size", NULL, NULL},
    {"page_size 1e2", "GET", "/v1/jobs?page_size=1e2", NULL, NULL, NULL, NULL, 400, "?page_size", NULL, NULL},
    {"page_size beyond long", "GET", "/v1/jobs?page_size=99999999999999999999999", NULL, NULL, NULL, NULL, 400, "?page_size", NULL, NULL},
    {"page_size empty", "GET", "/v1/datasets?page_size=", NULL, NULL, NULL, NULL, 400, "?page_size", NULL, NULL},
    {"wait -1 on a job", "GET", "/v1/jobs/{job}?wait=-1", NULL, NULL, NULL, NULL, 400, "?wait", "from 0 to 600", NULL},
    {"wait abc on a job", "GET", "/v1/jobs/{job}?wait=abc", NULL, NULL, NULL, NULL, 400, "?wait", NULL, NULL},
    {"wait 601 on a submit", "POST", "/v1/jobs?wait=601", JSON, "{" GEN ", \"epochs\": 1}", NULL, NULL, 400, "?wait", "from 0 to 600", NULL},
    {"wait 1.5 on a submit", "POST", "/v1/jobs?wait=1.5", JSON, "{" GEN ", \"epochs\": 1}", NULL, NULL, 400, "?wait", NULL, NULL},
    {"max_points x", "GET", "/v1/jobs/{job}/history?max_points=x", NULL, NULL, NULL, NULL, 400, "?max_points", NULL, NULL},
    {"max_points -1", "GET", "/v1/jobs/{job}/history?max_points=-1", NULL, NULL, NULL, NULL, 400, "?max_points", NULL, NULL},
    {"max_points 10^20", "GET", "/v1/jobs/{job}/history?max_points=100000000000000000000", NULL, NULL, NULL, NULL, 400, "?max_points", NULL, NULL},
    {"status bogus", "GET", "/v1/jobs?status=bogus", NULL, NULL, NULL, NULL, 400, "?status", NULL, NULL},
    {"status empty", "GET", "/v1/jobs?status=", NULL, NULL, NULL, NULL, 400, "?status", NULL, NULL},
    {"order sideways", "GET", "/v1/jobs?order=sideways", NULL, NULL, NULL, NULL, 400, "?order", NULL, NULL},
    {"unknown job page_token", "GET", "/v1/jobs?page_token=job_000000000000000000000000", NULL, NULL, NULL, NULL, 400, "?page_token", NULL, NULL},
    {"garbage job page_token", "GET", "/v1/jobs?page_token=%27%20OR%201%3D1%20--", NULL, NULL, NULL, NULL, 400, "?page_token", NULL, NULL},
    {"unknown dataset page_token", "GET", "/v1/datasets?page_token=ds_000000000000000000000000", NULL, NULL, NULL, NULL, 400, "?page_token", NULL, NULL},

    /* methods */
    {"PUT on jobs", "PUT", "/v1/jobs", NULL, NULL, NULL, NULL, 405, "", NULL, "Allow: POST, GET"},
    {"DELETE on jobs", "DELETE", "/v1/jobs", NULL, NULL, NULL, NULL, 405, "", NULL, "Allow: POST, GET"},
    {"PATCH on a job", "PATCH", "/v1/jobs/{job}", JSON, "{}", NULL, NULL, 405, "", NULL, "Allow: GET, DELETE"},
    {"POST on a dataset", "POST", "/v1/datasets/{ds}", JSON, "{}", NULL, NULL, 405, "", NULL, "Allow: GET, DELETE"},
    {"DELETE on a dataset's data", "DELETE", "/v1/datasets/{ds}/data", NULL, NULL, NULL, NULL, 405, "", NULL, "Allow: GET"},
    {"GET on cancel", "GET", "/v1/jobs/{job}/cancel", NULL, NULL, NULL, NULL, 405, "", NULL, "Allow: POST"},
    {"GET on predict", "GET", "/v1/jobs/{job}/predict", NULL, NULL, NULL, NULL, 405, "", NULL, "Allow: POST"},
    {"GET on evaluate", "GET", "/v1/evaluate", NULL, NULL, NULL, NULL, 405, "", NULL, "Allow: POST"},
    {"DELETE on the catalog", "DELETE", "/v1/catalog", NULL, NULL, NULL, NULL, 405, "", NULL, "Allow: GET"},
    {"POST on livez", "POST", "/livez", NULL, NULL, NULL, NULL, 405, "", NULL, "Allow: GET"},
    {"an invented method", "BREW", "/v1/jobs", NULL, NULL, NULL, NULL, 405, "", NULL, "Allow: POST, GET"},

    /* Idempotency-Key */
    {"Idempotency-Key of 300 characters", "POST", "/v1/jobs", JSON, "{" GEN ", \"epochs\": 1, \"seed\": 1}", NULL,
     "Idempotency-Key: kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
     400, "", "1 to 200 printable ASCII characters", NULL},
    {"empty Idempotency-Key", "POST", "/v1/jobs", JSON, "{" GEN ", \"epochs\": 1, \"seed\": 1}", NULL, "Idempotency-Key;", 400, "", "1 to 200 printable ASCII characters", NULL},
    {"Idempotency-Key with a non-ASCII byte", "POST", "/v1/jobs", JSON, "{" GEN ", \"epochs\": 1, \"seed\": 1}", NULL, "Idempotency-Key: cl\xc3\xa9", 400, "", "1 to 200 printable ASCII characters", NULL},
};

/* Requests to a server with --api-token s3cret (and no token of the
 * client's own): each is 401 with WWW-Authenticate, except that an unknown
 * path (404) and a known path with another method (405) come first. */
static const hrow auth_rows[] = {
    {"no Authorization", "GET", "/v1/catalog", NULL, NULL, NULL, NULL, 401, "", "bearer token", "WWW-Authenticate: Bearer realm=\"fitd\""},
    {"Basic scheme", "GET", "/v1/catalog", NULL, NULL, NULL, "Authorization: Basic czNjcmV0", 401, "", NULL, "WWW-Authenticate: Bearer realm=\"fitd\""},
    {"scheme only", "GET", "/v1/catalog", NULL, NULL, NULL, "Authorization: Bearer", 401, "", NULL, "WWW-Authenticate: Bearer realm=\"fitd\""},
    {"empty bearer", "GET", "/v1/jobs", NULL, NULL, NULL, "Authorization: Bearer ", 401, "", NULL, "WWW-Authenticate: Bearer realm=\"fitd\""},
    {"wrong token", "GET", "/v1/datasets", NULL, NULL, NULL, "Authorization: Bearer wrong", 401, "", NULL, "WWW-Authenticate: Bearer realm=\"fitd\""},
    {"token with a trailing space", "GET", "/v1/catalog", NULL, NULL, NULL, "Authorization: Bearer s3cret ", 401, "", NULL, "WWW-Authenticate: Bearer realm=\"fitd\""},
    {"token with two spaces before", "GET", "/v1/catalog", NULL, NULL, NULL, "Authorization: Bearer  s3cret", 401, "", NULL, "WWW-Authenticate: Bearer realm=\"fitd\""},
    {"token's prefix", "GET", "/v1/catalog", NULL, NULL, NULL, "Authorization: Bearer s3cre", 401, "", NULL, "WWW-Authenticate: Bearer realm=\"fitd\""},
    {"token plus a byte", "GET", "/v1/catalog", NULL, NULL, NULL, "Authorization: Bearer s3cretx", 401, "", NULL, "WWW-Authenticate: Bearer realm=\"fitd\""},
    {"token without a scheme", "GET", "/v1/catalog", NULL, NULL, NULL, "Authorization: s3cret", 401, "", NULL, "WWW-Authenticate: Bearer realm=\"fitd\""},
    {"submit without a token", "POST", "/v1/jobs", JSON, "{" GEN ", \"epochs\": 1}", NULL, NULL, 401, "", NULL, "WWW-Authenticate: Bearer realm=\"fitd\""},
    {"dataset without a token", "POST", "/v1/datasets", CSV, "x,y\n1,2\n", NULL, "Authorization: Bearer wrong", 401, "", NULL, "WWW-Authenticate: Bearer realm=\"fitd\""},
    {"2 MiB without a token", "POST", "/v1/jobs", JSON, NULL, &G_2M, NULL, 401, "", NULL, "WWW-Authenticate: Bearer realm=\"fitd\""},
    {"unknown job without a token", "GET", "/v1/jobs/job_000000000000000000000000", NULL, NULL, NULL, NULL, 401, "", NULL, "WWW-Authenticate: Bearer realm=\"fitd\""},
    {"traversal without a token", "GET", "/v1/datasets/..%2F..%2Fetc%2Fpasswd", NULL, NULL, NULL, NULL, 404, "", NULL, NULL},
    {"wrong method without a token", "PUT", "/v1/jobs", NULL, NULL, NULL, NULL, 405, "", NULL, "Allow: POST, GET"},
};

/* ---------------------------------------------------------------------------
 * Running a row.
 * ------------------------------------------------------------------------ */

typedef struct ctx {
    char job[128], ds[128];
    char long_id[10001];
} ctx;

/* path with {job}, {ds} and {long} replaced; malloc'd. */
static char *expand(const char *path, const ctx *c) {
    size_t cap = strlen(path) + 3 * sizeof c->long_id + 1, n = 0;
    char *out = malloc(cap);
    if (out == NULL) return NULL;
    for (const char *p = path; *p;) {
        const char *with = NULL;
        size_t skip = 0;
        if (strncmp(p, "{job}", 5) == 0) with = c->job, skip = 5;
        else if (strncmp(p, "{ds}", 4) == 0) with = c->ds, skip = 4;
        else if (strncmp(p, "{long}", 6) == 0) with = c->long_id, skip = 6;
        if (with) {
            size_t wl = strlen(with);
            memcpy(out + n, with, wl);
            n += wl;
            p += skip;
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
    return out;
}

/* The checks every hostile request must pass. */
static void run_row(const fitd_proc *f, const hrow *w, const ctx *c) {
    char *path = expand(w->path, c), *made = NULL;
    size_t made_len = 0;
    http_res r;
    if (!CHECKF(path != NULL, "[%s] out of memory", w->name)) return;
    if (w->gen && w->gen->make) made = w->gen->make(&made_len);
    else if (w->body && strchr(w->body, '{') && strstr(w->body, "{ds}") && (made = expand(w->body, c)))
        made_len = strlen(made);
    req q = {w->method, path, w->ctype, made ? made : w->body,
             made ? made_len : (w->body ? strlen(w->body) : 0), w->gen, w->header, 0};
    int rc = hreq(f, &q, &r);
    /* A server that refuses a body by its Content-Length answers before
       reading it and closes; the unread bytes make the kernel reset the
       connection, which can destroy the answer in flight (libmicrohttpd
       does no lingering close). Such a request is tried again. */
    for (int k = 0; rc != 0 && w->gen && w->gen->stream && !w->gen->chunked && k < 5; k++) {
        fprintf(stderr, "note: [%s] the connection was reset before an answer; again\n", w->name);
        http_res_free(&r);
        rc = hreq(f, &q, &r);
    }
    free(made);
    free(path);
    if (!CHECKF(rc == 0, "[%s] a response arrived", w->name)) {
        http_res_free(&r);
        return;
    }
    if (getenv("HOSTILE_VERBOSE"))
        fprintf(stderr, "%-45s %ld %-28s %.110s\n", w->name, r.status,
                jstr(json_array_get(json_object_get(r.json, "errors"), 0), "pointer"), jstr(r.json, "detail"));
    if (!CHECKF(r.status == w->status, "[%s] status %ld (got %ld): %.300s", w->name, w->status,
                r.status, r.body)) {
        http_res_free(&r);
        return;
    }
    char ct[128];
    http_res_header(&r, "Content-Type", ct, sizeof ct);
    CHECKF(strncmp(ct, "application/problem+json", 24) == 0, "[%s] Content-Type problem+json (got '%s')",
           w->name, ct);
    const json_t *j = r.json;
    CHECKF(json_is_object(j) && strncmp(jstr(j, "type"), "https://fitd.dev/problems/", 26) == 0 &&
               jstr(j, "title")[0] && json_is_string(json_object_get(j, "detail")) &&
               jnum(j, "status") == (double)r.status,
           "[%s] a problem document with type, title, status %ld and detail: %.300s", w->name,
           r.status, r.body);
    const json_t *errs = json_object_get(j, "errors");
    const json_t *e0 = json_array_get(errs, 0);
    if (w->pointer == NULL) {
        /* a pointer too long to write out: any, but one */
        CHECKF(json_is_string(json_object_get(e0, "pointer")), "[%s] the first error has a pointer",
               w->name);
    } else if (w->pointer[0] == '\0') {
        CHECKF(errs == NULL, "[%s] no errors member: %.300s", w->name, r.body);
    } else if (w->pointer[0] == '?') {
        CHECKF(strcmp(jstr(e0, "parameter"), w->pointer + 1) == 0,
               "[%s] first error about query parameter '%s' (got '%s')", w->name, w->pointer + 1,
               jstr(e0, "parameter"));
    } else {
        const char *want = strcmp(w->pointer, "#") == 0 ? "" : w->pointer;
        const json_t *ptr = json_object_get(e0, "pointer");
        CHECKF(json_is_string(ptr) && strcmp(json_string_value(ptr), want) == 0,
               "[%s] first error at '%s' (got '%s'): %.300s", w->name, want, jstr(e0, "pointer"),
               r.body);
    }
    if (w->detail)
        CHECKF(strstr(jstr(j, "detail"), w->detail) != NULL, "[%s] detail has '%s' (got '%s')",
               w->name, w->detail, jstr(j, "detail"));
    if (strstr(jstr(j, "type"), "/malformed-json"))
        CHECKF(json_is_integer(json_object_get(j, "line")) && json_is_integer(json_object_get(j, "column")),
               "[%s] malformed JSON comes with line and column", w->name);
    if (json_array_size(errs) > 0) /* at most 50 listed, the rest counted */
        CHECKF(json_array_size(errs) <= 50, "[%s] at most 50 errors", w->name);
    if (w->want) {
        char name[64], got[256];
        const char *colon = strchr(w->want, ':');
        size_t nl = colon ? (size_t)(colon - w->want) : 0;
        snprintf(name, sizeof name, "%.*s", (int)nl, w->want);
        http_res_header(&r, name, got, sizeof got);
        CHECKF(colon && strcmp(got, colon + 2) == 0, "[%s] header %s (got '%s')", w->name, w->want,
               got);
    }
    http_res_free(&r);
}

/* ---------------------------------------------------------------------------
 * What the server holds: dataset ids (inline ones too) and job ids with
 * their status, in creation order.
 * ------------------------------------------------------------------------ */
static char *holdings(const fitd_proc *f) {
    http_res a, b;
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap);
    if (out == NULL) return NULL;
    out[0] = '\0';
    get_json(f, "/v1/datasets?include_inline=true&page_size=1000", 0, &a);
    get_json(f, "/v1/jobs?page_size=1000", 0, &b);
    json_t *items = json_object_get(a.json, "items");
    for (size_t i = 0; i < json_array_size(items) && n + 200 < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "ds %s\n", jstr(json_array_get(items, i), "id"));
    items = json_object_get(b.json, "items");
    for (size_t i = 0; i < json_array_size(items) && n + 200 < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "job %s %s\n", jstr(json_array_get(items, i), "id"),
                              jstr(json_array_get(items, i), "status"));
    if (a.status != 200 || b.status != 200) n += (size_t)snprintf(out + n, cap - n, "(list failed)\n");
    http_res_free(&a);
    http_res_free(&b);
    return out;
}

/* ---------------------------------------------------------------------------
 * Raw sockets: what libcurl would never send.
 * ------------------------------------------------------------------------ */
static int tcp_open(int port, long timeout_ms) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0) return -1;
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(s, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(s);
        return -1;
    }
    return s;
}

/* Sends len bytes of msg on a new connection and reads the answer until
 * the server closes or timeout_ms passes without data. Returns the HTTP
 * status (0 when none came) and copies the first bytes into out. */
static int raw_exchange(int port, const char *msg, size_t len, long timeout_ms, char *out, size_t cap) {
    int s = tcp_open(port, timeout_ms);
    size_t got = 0;
    if (out && cap) out[0] = '\0';
    if (s < 0) return -1;
    for (size_t off = 0; off < len;) {
        ssize_t w = send(s, msg + off, len - off, MSG_NOSIGNAL);
        if (w <= 0) break;
        off += (size_t)w;
    }
    char buf[4096];
    for (;;) {
        ssize_t n = recv(s, buf, sizeof buf, 0);
        if (n <= 0) break;
        if (out && got + 1 < cap) {
            size_t k = (size_t)n < cap - 1 - got ? (size_t)n : cap - 1 - got;
            memcpy(out + got, buf, k);
            got += k;
            out[got] = '\0';
        }
        if (out && strstr(out, "\r\n\r\n")) {
            /* headers are in; with a Content-Length the body follows */
            const char *cl = strstr(out, "Content-Length: ");
            const char *end = strstr(out, "\r\n\r\n") + 4;
            if (cl && got >= (size_t)(end - out) + strtoul(cl + 16, NULL, 10)) break;
        }
    }
    close(s);
    int status = 0;
    if (out && strncmp(out, "HTTP/1.", 7) == 0) status = atoi(out + 9);
    return status;
}

/* Protocol-level abuse. libmicrohttpd answers some of these itself (400,
 * 413, 414, 431, 505) with its own HTML bodies before fitd sees them; only
 * the status and the server's survival are checked for those. */
static void test_raw(const fitd_proc *f) {
    char out[4096];
    struct {
        const char *name, *msg;
        int status; /* 0: any answer or none */
        int problem; /* fitd's own answer: problem+json */
    } cases[] = {
        {"Content-Length of 1 GiB, no body", "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n", 413, 1},
        {"Content-Length of 1 GiB on CSV", "POST /v1/datasets HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: 1073741824\r\n\r\nx,y\n", 413, 1},
        {"Content-Length beyond 64 bits", "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999999\r\n\r\n{}", 413, 0},
        {"Content-Length -1", "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{}", 400, 0},
        {"Content-Length abc", "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}", 400, 0},
        {"chunk size not hex", "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400, 0},
        {"chunk size beyond 64 bits", "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n{}\r\n0\r\n\r\n", 413, 0},
        {"a chunk over --max-body", "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n40000000\r\n{}", 0, 0},
        {"HTTP/9.9", "GET /livez HTTP/9.9\r\nHost: x\r\n\r\n", 505, 0},
        {"garbage request line", "GARBAGE\r\n\r\n", 0, 0},
        {"a TLS hello", "\x16\x03\x01\x02\x10\x01\x02\x0c\xfc\x03\x03\r\n\r\n", 0, 0},
        {"control bytes in the path", "GET /v1/jobs/\x01\x7f HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404, 1},
        {"absolute URI", "GET http://127.0.0.1/v1/catalog HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404, 1},
        {"asterisk", "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404, 1},
        {"two Content-Lengths", "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{} ", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double t0 = now_s();
        int st = raw_exchange(f->port, cases[i].msg, strlen(cases[i].msg), 3000, out, sizeof out);
        double dt = now_s() - t0;
        if (cases[i].status)
            CHECKF(st == cases[i].status, "[raw: %s] status %d (got %d) in %.1f s: %.200s",
                   cases[i].name, cases[i].status, st, dt, out);
        if (cases[i].problem)
            CHECKF(strstr(out, "Content-Type: application/problem+json") != NULL,
                   "[raw: %s] problem+json", cases[i].name);
        CHECKF(alive(f, 5000), "[raw: %s] /livez answers afterwards", cases[i].name);
    }
    /* headers and URLs too big for the connection's memory pool */
    size_t big = 40000;
    char *msg = malloc(big + 200);
    if (!CHECK(msg != NULL)) return;
    int n = snprintf(msg, 200, "GET /");
    memset(msg + n, 'a', big);
    snprintf(msg + (size_t)n + big, 200, " HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECKF(raw_exchange(f->port, msg, strlen(msg), 5000, out, sizeof out) == 414, "[raw: 40 KB URL] 414: %.100s", out);
    n = snprintf(msg, 200, "GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(msg + n, 'a', big);
    snprintf(msg + (size_t)n + big, 200, "\r\n\r\n");
    CHECKF(raw_exchange(f->port, msg, strlen(msg), 5000, out, sizeof out) == 431, "[raw: 40 KB header] 431: %.100s", out);
    /* 1,000 query parameters: libmicrohttpd 0.9.75 runs out of its pool
     * and never answers (the connection waits for its 60 s timeout). Only
     * survival is checked; see the report. */
    n = snprintf(msg, 200, "GET /v1/jobs?");
    for (int k = 0; k < 1000; k++) memcpy(msg + n + 4 * k, "a=1&", 4);
    snprintf(msg + n + 4000, 200, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    int st = raw_exchange(f->port, msg, strlen(msg), 1000, out, sizeof out);
    if (st == 0) fprintf(stderr, "note: 1,000 query parameters got no answer within 1 s (libmicrohttpd)\n");
    CHECKF(alive(f, 5000), "[raw: 1,000 query parameters] /livez answers afterwards");
    free(msg);
}

/* A slow-loris client sends a request one byte every 100 ms for 4 s while
 * 30 more connections sit on half a request line; /livez keeps answering
 * promptly throughout, and after they all go away. */
static void test_slowloris(const fitd_proc *f) {
    const char *partial =
        "POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    int idle[30], slow = tcp_open(f->port, 2000);
    CHECK(slow >= 0);
    for (int i = 0; i < 30; i++) {
        idle[i] = tcp_open(f->port, 2000);
        if (idle[i] >= 0) send(idle[i], "GET /v1/jo", 10, MSG_NOSIGNAL);
    }
    size_t plen = strlen(partial), sent = 0;
    int answered = 0, asked = 0;
    double worst = 0;
    for (int tick = 0; tick < 40; tick++) {
        if (slow >= 0 && sent < plen && send(slow, partial + sent, 1, MSG_NOSIGNAL) == 1) sent++;
        if (tick % 5 == 4) {
            double t0 = now_s();
            asked++;
            answered += alive(f, 30000);
            double dt = now_s() - t0;
            if (dt > worst) worst = dt;
        }
        sleep_ms(100);
    }
    CHECKF(answered == asked, "[slow-loris] /livez answered %d of %d times meanwhile", answered, asked);
    /* how soon is a figure, not a pass/fail test (tests don't depend on timing) */
    fprintf(stderr, "note: [slow-loris] /livez answered within %.2f s at worst\n", worst);
    CHECKF(sent == 40, "[slow-loris] the server kept reading the slow client (%zu bytes sent)", sent);
    if (slow >= 0) close(slow);
    for (int i = 0; i < 30; i++)
        if (idle[i] >= 0) close(idle[i]);
    CHECKF(alive(f, 2000), "[slow-loris] /livez answers after the clients went away");
    /* a slow body: complete headers, then the body a byte at a time */
    int s = tcp_open(f->port, 3000);
    const char *head = "POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Content-Length: 20\r\nConnection: close\r\n\r\n";
    if (CHECK(s >= 0)) {
        send(s, head, strlen(head), MSG_NOSIGNAL);
        for (int k = 0; k < 10; k++) {
            send(s, "[", 1, MSG_NOSIGNAL);
            sleep_ms(100);
            if (k == 5) CHECKF(alive(f, 2000), "[slow body] /livez answers meanwhile");
        }
        close(s); /* gone before the body was complete */
    }
    CHECKF(alive(f, 2000), "[slow body] /livez answers after the client went away");
}

/* ---------------------------------------------------------------------------
 * Hostile but well-formed requests, on a server of their own (some of them
 * have crashed fitd: the main server's holdings must not depend on them).
 * ------------------------------------------------------------------------ */
static const char *const side_args[] = {"--store", "memory", "--max-rows", "100000", NULL};

/* Restarts the side server when a request killed it. */
static void side_revive(fitd_proc *s, const char *what) {
    if (alive(s, 3000)) return;
    int st = fitd_stop(s, SIGKILL);
    fprintf(stderr, "FAIL: %s killed fitd (exit status %d)\n", what, st);
    CHECKF(0, "[%s] fitd survives", what);
    fitd_cleanup(s);
    if (fitd_start(s, NULL, side_args) != 0) s->pid = 0;
}

/* A job on inline columns, waited for: the server answers, the job ends,
 * and a finished job's numbers are finite or null. */
static void side_job(fitd_proc *s, const char *what, const char *body) {
    http_res r;
    if (s->pid <= 0) return;
    req q = {"POST", "/v1/jobs?wait=60", JSON, body, strlen(body), NULL, NULL, 90000};
    int rc = hreq(s, &q, &r);
    CHECKF(rc == 0 && (r.status == 200 || r.status == 422), "[%s] answered 200 or 422 (got %ld)",
           what, r.status);
    if (r.status == 200) {
        const char *st = jstr(r.json, "status");
        CHECKF(strcmp(st, "succeeded") == 0 || strcmp(st, "failed") == 0, "[%s] finished (status '%s')",
               what, st);
    }
    http_res_free(&r);
    side_revive(s, what);
}

typedef struct eval_arg {
    const fitd_proc *f;
    const char *body;
    long status;
} eval_arg;

static void *eval_thread(void *p) {
    eval_arg *a = p;
    http_res r;
    if (post_json(a->f, "/v1/evaluate", a->body, &r) == 0) a->status = r.status;
    http_res_free(&r);
    return NULL;
}

static void test_side(void) {
    fitd_proc s;
    http_res r;
    if (!CHECK(fitd_start(&s, NULL, side_args) == 0)) return;

    /* zero variance: a gaussian evaluated on constant data is an error or
       finite, at a sigma of 1 and at the data's own (zero) sd */
    post_json(&s, "/v1/evaluate",
              "{\"data\": {\"columns\": {\"x\": [2, 2, 2]}}, \"model\": \"gaussian\", "
              "\"params\": {\"mu\": 2, \"sigma\": 1}}", &r);
    CHECKF(r.status == 200 && isfinite(jnum(r.json, "loss")) && isfinite(jnum(r.json, "log_likelihood")),
           "[gaussian on constant data, sigma 1] finite (got %ld %.200s)", r.status, r.body);
    http_res_free(&r);
    post_json(&s, "/v1/evaluate",
              "{\"data\": {\"columns\": {\"x\": [2, 2, 2]}}, \"model\": \"gaussian\", "
              "\"params\": {\"mu\": 2, \"sigma\": 0}}", &r);
    CHECKF(r.status == 422 || (r.status == 200 && isfinite(jnum(r.json, "loss"))),
           "[gaussian on constant data at its sd, sigma 0] an error or a finite loss (got %ld %.200s)",
           r.status, r.body);
    http_res_free(&r);
    post_json(&s, "/v1/evaluate",
              "{\"data\": {\"columns\": {\"x\": [2, 2, 2, 2], \"y\": [1, 2, 3, 4]}}, \"model\": \"linear\", "
              "\"params\": {\"m\": 1, \"b\": 0}, \"grid\": {\"param\": \"m\", \"from\": 0, \"to\": 2, \"steps\": 5}}", &r);
    CHECKF(r.status == 200 && isfinite(jnum(r.json, "loss.0")), "[linear on constant x] finite (got %ld %.200s)",
           r.status, r.body);
    http_res_free(&r);
    side_revive(&s, "evaluate on constant data");

    /* zero variance in training: the closed-form reference has no unique
       answer, the job must still end and the server live */
    side_job(&s, "linear job on a constant x",
             "{\"data\": {\"columns\": {\"x\": [2, 2, 2, 2], \"y\": [1, 2, 3, 4]}}, \"epochs\": 20, \"seed\": 1}");
    side_job(&s, "linear job on two inputs, one constant, gaussian_nll",
             "{\"data\": {\"columns\": {\"x\": [1, 2, 3, 4], \"c\": [5, 5, 5, 5], \"y\": [1, 2, 3, 4]}}, "
             "\"model\": {\"x\": [\"x\", \"c\"]}, \"loss\": \"gaussian_nll\", \"epochs\": 20, \"seed\": 1}");
    side_job(&s, "linear job on a zero x",
             "{\"data\": {\"columns\": {\"x\": [0, 0, 0], \"y\": [1, 2, 3]}}, \"epochs\": 20, \"seed\": 1}");
    side_job(&s, "linear job on a constant y",
             "{\"data\": {\"columns\": {\"x\": [1, 2, 3], \"y\": [5, 5, 5]}}, \"epochs\": 20, \"seed\": 1}");
    side_job(&s, "gaussian job on constant data",
             "{\"data\": {\"columns\": {\"x\": [2, 2, 2]}}, \"model\": \"gaussian\", "
             "\"optimizer\": {\"kind\": \"adam\", \"learning_rate\": 0.5}, \"epochs\": 300, \"seed\": 1}");
    if (s.pid <= 0) return;

    /* everything is checked before a job is queued: generated data that
       overflows is refused like the same generate posted as a dataset */
    post_json(&s, "/v1/jobs",
              "{\"data\": {\"generate\": {\"kind\": \"linear\", \"m\": 1e308, \"x_max\": 1e308}}, \"epochs\": 1, \"seed\": 1}", &r);
    CHECKF(r.status == 422 && strncmp(problem_pointer(r.json), "/data/generate", 14) == 0,
           "[job on overflowing generated data] 422 at /data/generate before queuing (got %ld %.200s)",
           r.status, r.body);
    http_res_free(&r);

    /* --max-rows is enforced before the rows are made: 20 million rows
       would take 320 MB and seconds */
    double t0 = now_s();
    post_json(&s, "/v1/datasets", "{\"generate\": {\"kind\": \"linear\", \"n\": 20000000}}", &r);
    double dt = now_s() - t0;
    CHECKF(r.status == 413 || r.status == 422, "[dataset over --max-rows] refused (got %ld)", r.status);
    fprintf(stderr, "note: [dataset over --max-rows] refused in %.2f s\n", dt);
    http_res_free(&r);
    t0 = now_s();
    post_json(&s, "/v1/evaluate",
              "{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 20000000}}, \"params\": {\"m\": 1, \"b\": 2}}", &r);
    dt = now_s() - t0;
    CHECKF(r.status == 422, "[evaluate over --max-rows] refused (got %ld)", r.status);
    fprintf(stderr, "note: [evaluate over --max-rows] refused in %.2f s\n", dt);
    http_res_free(&r);
    side_revive(&s, "rows over --max-rows");

    /* an evaluation runs on an HTTP thread, so its rows x steps are
       bounded: 100,000 rows x 10,001 steps is refused before any work */
    post_json(&s, "/v1/evaluate",
              "{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 100000}}, \"params\": {\"m\": 1, \"b\": 2}, "
              "\"grid\": {\"param\": \"b\", \"from\": 0, \"to\": 4, \"steps\": 10001}}", &r);
    CHECKF(r.status == 422 && strcmp(problem_pointer(r.json), "/grid/steps") == 0,
           "[evaluation over the work bound] 422 at /grid/steps (got %ld %.200s)", r.status, r.body);
    http_res_free(&r);
    /* four evaluations at the bound (400 rows x 10,001 steps) at once, on
       its two HTTP threads: /livez must still answer promptly meanwhile */
    const char *heavy =
        "{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 400}}, \"params\": {\"m\": 1, \"b\": 2}, "
        "\"grid\": {\"param\": \"b\", \"from\": 0, \"to\": 4, \"steps\": 10001}}";
    eval_arg ea[4];
    pthread_t th[4];
    int started = 0;
    for (int i = 0; i < 4; i++) {
        ea[i] = (eval_arg){&s, heavy, 0};
        if (pthread_create(&th[started], NULL, eval_thread, &ea[i]) == 0) started++;
    }
    sleep_ms(300);
    t0 = now_s();
    int ok = alive(&s, 60000);
    dt = now_s() - t0;
    CHECKF(ok, "[four heavy evaluations] /livez answers meanwhile (no answer after %.2f s)", dt);
    fprintf(stderr, "note: [four heavy evaluations] /livez answered in %.2f s\n", dt);
    for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < started; i++)
        CHECKF(ea[i].status == 200, "[four heavy evaluations] evaluation %d answered 200 (got %ld)", i,
               ea[i].status);
    side_revive(&s, "heavy evaluations");
    if (s.pid > 0) CHECK_INT(fitd_stop(&s, SIGTERM), 0);
    fitd_cleanup(&s);
}

/* ---------------------------------------------------------------------------
 * main
 * ------------------------------------------------------------------------ */

static char *read_text(const char *path) {
    FILE *in = fopen(path, "rb");
    if (in == NULL) return NULL;
    fseek(in, 0, SEEK_END);
    long n = ftell(in);
    fseek(in, 0, SEEK_SET);
    char *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (b && fread(b, 1, (size_t)n, in) != (size_t)n) n = 0;
    if (b) b[n] = '\0';
    fclose(in);
    return b;
}

/* The worked example still trains to the OLS answer. */
static void check_trains(const fitd_proc *f) {
    char *spec = read_text("api/examples/linear.json");
    http_res r;
    if (!CHECK(spec != NULL)) return;
    post_json(f, "/v1/jobs?wait=120", spec, &r);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "status"), "succeeded");
    CHECK_NEAR(jnum(r.json, "params.m"), jnum(r.json, "reference.params.m"), 1e-3);
    CHECK_NEAR(jnum(r.json, "params.b"), jnum(r.json, "reference.params.b"), 1e-3);
    CHECK_NEAR(jnum(r.json, "params.m"), 0.9464, 1e-3);
    http_res_free(&r);
    free(spec);
}

int main(void) {
    fitd_proc f, fa;
    ctx c;
    http_res r;
    curl_global_init(CURL_GLOBAL_ALL);
    signal(SIGPIPE, SIG_IGN);
    memset(&c, 0, sizeof c);
    memset(c.long_id, 'a', sizeof c.long_id - 1);

    /* the main server: the sqlite store, bodies up to 1 MiB */
    const char *extra[] = {"--max-body", "1m", NULL};
    if (!CHECK(fitd_start(&f, NULL, extra) == 0)) return check_done("test_api_hostile");
    post_json(&f, "/v1/datasets",
              "{\"name\": \"base\", \"columns\": {\"x\": [0, 1, 2, 3, 4], \"y\": [2, 3.1, 3.9, 5.2, 6]}}", &r);
    CHECK_INT(r.status, 201);
    snprintf(c.ds, sizeof c.ds, "%s", jstr(r.json, "id"));
    http_res_free(&r);
    char body[256];
    snprintf(body, sizeof body, "{\"dataset\": \"%s\", \"epochs\": 50, \"seed\": 1}", c.ds);
    post_json(&f, "/v1/jobs?wait=60", body, &r);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "status"), "succeeded");
    snprintf(c.job, sizeof c.job, "%s", jstr(r.json, "id"));
    http_res_free(&r);
    char *before = holdings(&f);

    size_t nrows = sizeof rows / sizeof rows[0];
    for (size_t i = 0; i < nrows; i++) run_row(&f, &rows[i], &c);
    /* one of each kind against the OpenAPI contract's Problem schema */
    const char *samples[][3] = {{"POST", "/v1/jobs", "{\"epochs\": 5,"},
                                {"POST", "/v1/jobs", "{\"epochs\": 0}"},
                                {"GET", "/v1/jobs?page_size=x", NULL}};
    for (size_t i = 0; i < 3; i++) {
        req q = {samples[i][0], samples[i][1], JSON, samples[i][2],
                 samples[i][2] ? strlen(samples[i][2]) : 0, NULL, NULL, 0};
        hreq(&f, &q, &r);
        CHECKF(openapi_valid("Problem", r.body), "[%s %s] a valid Problem", samples[i][0], samples[i][1]);
        http_res_free(&r);
    }

    test_raw(&f);
    test_slowloris(&f);

    /* the token server */
    const char *auth[] = {"--store", "memory", "--api-token", "s3cret", NULL};
    if (CHECK(fitd_start(&fa, NULL, auth) == 0)) {
        for (size_t i = 0; i < sizeof auth_rows / sizeof auth_rows[0]; i++) run_row(&fa, &auth_rows[i], &c);
        snprintf(fa.token, sizeof fa.token, "s3cret");
        get_json(&fa, "/v1/jobs", 0, &r);
        CHECK_INT(r.status, 200);
        CHECKF(json_array_size(json_object_get(r.json, "items")) == 0,
               "[auth] no job was made by a request without the token");
        http_res_free(&r);
        get_json(&fa, "/v1/datasets?include_inline=true", 0, &r);
        CHECKF(r.status == 200 && json_array_size(json_object_get(r.json, "items")) == 0,
               "[auth] no dataset was made by a request without the token");
        http_res_free(&r);
        req q = {"GET", "/v1/catalog", NULL, NULL, 0, NULL, "Authorization: bearer s3cret", 0};
        fa.token[0] = '\0';
        hreq(&fa, &q, &r);
        CHECKF(r.status == 200, "[auth] the scheme is case-insensitive (got %ld)", r.status);
        http_res_free(&r);
        CHECK(alive(&fa, 2000));
        CHECK_INT(fitd_stop(&fa, SIGTERM), 0);
        fitd_cleanup(&fa);
    }

    test_side();

    /* afterwards: alive, still training right, holding what it held */
    CHECK(alive(&f, 5000));
    char *after = holdings(&f);
    if (!CHECKF(before && after && strcmp(before, after) == 0,
                "[holdings] no dataset or job was made, changed or lost by a rejected request"))
        fprintf(stderr, "  before:\n%s  after:\n%s", before ? before : "", after ? after : "");
    free(before);
    free(after);
    check_trains(&f);
    CHECK_INT(fitd_stop(&f, SIGTERM), 0);
    fitd_cleanup(&f);
    curl_global_cleanup();
    printf("(%zu hostile rows, %zu token rows)\n", nrows,
           sizeof auth_rows / sizeof auth_rows[0]);
    return check_done("test_api_hostile");
}
