/* test_api_watch.c - watching jobs: the Server-Sent Events stream (event
 * count and order, resume with Last-Event-ID, heartbeats, disconnects,
 * a thousand open streams while /livez answers) and the SVG plots (parsed
 * by xmllint, the right elements for each kind). */
#include <curl/curl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apitest.h"
#include "check.h"

#define STREAMS 1000

static fitd_proc srv;

typedef struct text {
    char *p;
    size_t n;
    size_t stop_at; /* stop reading once this many bytes arrived (0 = never) */
} text;

static size_t on_text(char *ptr, size_t size, size_t nmemb, void *ud) {
    text *t = ud;
    size_t add = size * nmemb;
    char *p = realloc(t->p, t->n + add + 1);
    if (p == NULL) return 0;
    memcpy(p + t->n, ptr, add);
    t->p = p;
    t->n += add;
    t->p[t->n] = '\0';
    if (t->stop_at && t->n >= t->stop_at) return 0; /* hang up */
    return add;
}

/* Reads a stream until the server closes it (or timeout seconds pass). */
static char *read_stream(const char *path, const char *last_id, long timeout) {
    CURL *c = curl_easy_init();
    text t = {0};
    char url[512], hdr[64];
    struct curl_slist *h = NULL;
    snprintf(url, sizeof url, "%s%s", srv.base, path);
    if (last_id) {
        snprintf(hdr, sizeof hdr, "Last-Event-ID: %s", last_id);
        h = curl_slist_append(h, hdr);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_text);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
    curl_easy_perform(c);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return t.p ? t.p : strdup("");
}

static int count(const char *s, const char *needle) {
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle)) n++;
    return n;
}

static char *submit(const char *spec, int wait) {
    http_res r;
    http_post(&srv, wait ? "/v1/jobs?wait=120" : "/v1/jobs", spec, &r);
    char *id = strdup(jstr(r.json, "id"));
    http_res_free(&r);
    return id;
}

static void test_events(void) {
    char *id = submit("{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 50}}, \"epochs\": 30, \"seed\": 2}", 1);
    char path[256];
    snprintf(path, sizeof path, "/v1/jobs/%s/events", id);
    char *s = read_stream(path, NULL, 30);
    CHECK_INT(count(s, "event: progress"), 30);
    CHECK_INT(count(s, "event: done"), 1);
    CHECK(strstr(s, "id: 1\n") != NULL && strstr(s, "id: 30\n") != NULL);
    CHECK(strstr(s, "id: 1\n") < strstr(s, "id: 2\n") && strstr(s, "id: 29\n") < strstr(s, "id: 30\n"));
    CHECK(strstr(s, "id: 30\n") < strstr(s, "event: done"));
    CHECK(strstr(s, "\"status\":\"succeeded\"") != NULL);
    free(s);
    /* resume after epoch 25 */
    s = read_stream(path, "25", 30);
    CHECK_INT(count(s, "event: progress"), 5);
    CHECK(strstr(s, "id: 25\n") == NULL && strstr(s, "id: 26\n") != NULL);
    CHECK_INT(count(s, "event: done"), 1);
    free(s);
    http_res r;
    http_get(&srv, "/v1/jobs/job_missing/events", &r);
    CHECK_INT(r.status, 404);
    http_res_free(&r);
    free(id);

    /* a running job streams live, its last event carries the final epoch */
    id = submit("{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 2000}}, \"epochs\": 400, \"batch_size\": 4, \"seed\": 3}", 0);
    snprintf(path, sizeof path, "/v1/jobs/%s/events", id);
    s = read_stream(path, NULL, 60);
    char *last = NULL;
    for (char *p = s; (p = strstr(p, "id: ")) != NULL; p += 4) last = p;
    CHECK(last != NULL && strncmp(last, "id: 400\n", 8) == 0);
    CHECK_INT(count(s, "event: done"), 1);
    int ordered = 1;
    long prev = 0;
    for (char *p = s; (p = strstr(p, "\nid: ")) != NULL; p += 5) {
        long e = strtol(p + 5, NULL, 10);
        ordered &= e > prev;
        prev = e;
    }
    CHECK(ordered);
    free(s);
    free(id);
}

/* A thousand parked streams on a queued job; /livez answers; a client
 * that hangs up frees its stream; cancelling ends them all with `done`. */
static void test_many_streams(void) {
    /* one worker busy with a long job, so the second stays queued */
    char *busy = submit("{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 1000}}, \"epochs\": 1000000, \"batch_size\": 1, \"seed\": 4}", 0);
    char *queued = submit("{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 10}}, \"epochs\": 5, \"seed\": 5}", 0);
    char path[256];
    snprintf(path, sizeof path, "/v1/jobs/%s/events", queued);
    /* heartbeats come while nothing happens (--heartbeat 0.2 here) */
    CURL *c = curl_easy_init();
    text t = {.stop_at = 200};
    char url[512];
    snprintf(url, sizeof url, "%s%s", srv.base, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_text);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_perform(c); /* returns when 200 bytes arrived: we hang up */
    curl_easy_cleanup(c);
    CHECK(t.p && count(t.p, ": heartbeat") >= 2);
    free(t.p);

    CURLM *m = curl_multi_init();
    CURL *e[STREAMS];
    text tx[STREAMS];
    memset(tx, 0, sizeof tx);
    for (int i = 0; i < STREAMS; i++) {
        e[i] = curl_easy_init();
        curl_easy_setopt(e[i], CURLOPT_URL, url);
        curl_easy_setopt(e[i], CURLOPT_WRITEFUNCTION, on_text);
        curl_easy_setopt(e[i], CURLOPT_WRITEDATA, &tx[i]);
        curl_easy_setopt(e[i], CURLOPT_TIMEOUT, 120L);
        curl_multi_add_handle(m, e[i]);
    }
    int running = 0, opened = 0;
    for (int spin = 0; spin < 20000 && opened < STREAMS; spin++) {
        curl_multi_perform(m, &running);
        curl_multi_poll(m, NULL, 0, 10, NULL);
        opened = 0;
        for (int i = 0; i < STREAMS; i++) opened += tx[i].n > 0;
    }
    CHECK_INT(opened, STREAMS);
    /* the server keeps answering other requests */
    int live = 0;
    for (int i = 0; i < 20; i++) {
        http_res r;
        http_get(&srv, "/livez", &r);
        live += r.status == 200;
        http_res_free(&r);
        curl_multi_perform(m, &running);
    }
    CHECK_INT(live, 20);
    /* hang up half of them; the server frees them at their next heartbeat */
    for (int i = 0; i < STREAMS / 2; i++) {
        curl_multi_remove_handle(m, e[i]);
        curl_easy_cleanup(e[i]);
        e[i] = NULL;
    }
    /* cancel the busy job: the queued one runs and every stream gets done */
    char cpath[256];
    snprintf(cpath, sizeof cpath, "/v1/jobs/%s/cancel", busy);
    http_res r;
    http_post(&srv, cpath, NULL, &r);
    http_res_free(&r);
    for (int spin = 0; spin < 30000 && running > 0; spin++) {
        curl_multi_perform(m, &running);
        curl_multi_poll(m, NULL, 0, 10, NULL);
    }
    int done = 0;
    for (int i = STREAMS / 2; i < STREAMS; i++) done += tx[i].p && strstr(tx[i].p, "event: done") != NULL;
    CHECK_INT(done, STREAMS / 2);
    for (int i = 0; i < STREAMS; i++) {
        if (e[i]) {
            curl_multi_remove_handle(m, e[i]);
            curl_easy_cleanup(e[i]);
        }
        free(tx[i].p);
    }
    curl_multi_cleanup(m);
    /* no stream is left suspended */
    int clear = 0;
    for (int i = 0; i < 200 && !clear; i++) {
        http_get(&srv, "/metrics", &r);
        clear = strstr(r.body, "fitd_http_waiting 0\n") != NULL;
        http_res_free(&r);
        if (!clear) {
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    CHECK(clear);
    free(busy);
    free(queued);
}

/* Writes text to a file and runs xmllint on it; 1 when well-formed. */
static int xml_ok(const char *doc) {
    char tmp[] = "/tmp/fitd-svg-XXXXXX";
    int fd = mkstemp(tmp);
    if (fd < 0) return 0;
    size_t len = strlen(doc);
    int ok = write(fd, doc, len) == (ssize_t)len;
    close(fd);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "xmllint --noout %s", tmp);
    ok = ok && system(cmd) == 0;
    unlink(tmp);
    return ok;
}

static void check_svg(const char *path, const char *accept_body, const char *must1, const char *must2) {
    http_res r;
    if (accept_body)
        http_do(&srv, "POST", path, accept_body, strlen(accept_body), NULL, "Accept: image/svg+xml", &r);
    else
        http_get(&srv, path, &r);
    char ct[128];
    CHECK_INT(r.status, 200);
    CHECK_STR(http_res_header(&r, "Content-Type", ct, sizeof ct), "image/svg+xml");
    CHECK(strncmp(r.body, "<?xml", 5) == 0 || strncmp(r.body, "<svg", 4) == 0);
    CHECK(strstr(r.body, "<svg") != NULL && strstr(r.body, "</svg>") != NULL);
    if (!CHECK(xml_ok(r.body))) fprintf(stderr, "  %s is not well-formed XML\n", path);
    if (!CHECK(strstr(r.body, must1) != NULL)) fprintf(stderr, "  %s lacks %s\n", path, must1);
    if (!CHECK(strstr(r.body, must2) != NULL)) fprintf(stderr, "  %s lacks %s\n", path, must2);
    CHECK(r.len < 400000);
    http_res_free(&r);
}

static void test_plots(void) {
    char *lin = submit("{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 5000, \"seed\": 1}}, \"epochs\": 200, \"optimizer\": {\"kind\": \"sgd\", \"learning_rate\": 0.05}, \"seed\": 1}", 1);
    char *gau = submit("{\"data\": {\"generate\": {\"kind\": \"gaussian\", \"n\": 2000, \"mu\": 2, \"sigma\": 0.5}}, \"model\": \"gaussian\", \"init\": {\"mu\": 5, \"sigma\": 3}, \"optimizer\": {\"kind\": \"adam\", \"learning_rate\": 0.05}, \"epochs\": 300, \"seed\": 1}", 1);
    char path[256];
    snprintf(path, sizeof path, "/v1/jobs/%s/plots/loss.svg", lin);
    check_svg(path, NULL, "<polyline", "loss");
    snprintf(path, sizeof path, "/v1/jobs/%s/plots/fit.svg", lin);
    check_svg(path, NULL, "<circle", "<polyline");
    snprintf(path, sizeof path, "/v1/jobs/%s/plots/fit.svg", gau);
    check_svg(path, NULL, "<polyline", "<rect");
    check_svg("/v1/evaluate",
              "{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 100, \"seed\": 2}}, \"model\": \"linear\", "
              "\"params\": {\"m\": 1, \"b\": 2}, \"grid\": {\"param\": \"b\", \"from\": 0, \"to\": 4, \"steps\": 81}}",
              "<polyline", "log");
    http_res r;
    snprintf(path, sizeof path, "/v1/jobs/%s/plots/other.svg", lin);
    http_get(&srv, path, &r);
    CHECK_INT(r.status, 404);
    http_res_free(&r);
    free(lin);
    free(gau);
}

int main(void) {
    const char *extra[] = {"--store", "memory", "--workers", "1", "--heartbeat", "0.2", NULL};
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (!CHECK(fitd_start(&srv, NULL, extra) == 0)) return check_done("test_api_watch");
    test_events();
    test_plots();
    test_many_streams();
    CHECK_INT(fitd_stop(&srv, SIGTERM), 0);
    fitd_cleanup(&srv);
    curl_global_cleanup();
    return check_done("test_api_watch");
}
