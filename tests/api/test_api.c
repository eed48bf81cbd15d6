/* test_api.c - every endpoint and status code against a real fitd on a
 * free port (memory store): datasets (JSON, CSV, generate), jobs (submit,
 * wait, get, list, history, predict, cancel, delete, idempotency), the
 * worked examples, evaluate, catalog, errors, auth, the queue's 429. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apitest.h"
#include "check.h"

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) n = 0;
    if (b) b[n] = '\0';
    fclose(f);
    return b;
}

/* The status of a bodiless request (its body is dropped). */
static long status_of(fitd_proc *f, const char *method, const char *path) {
    http_res r;
    http_do(f, method, path, NULL, 0, NULL, NULL, &r);
    long status = r.status;
    http_res_free(&r);
    return status;
}

static void test_ops(fitd_proc *f) {
    http_res r;
    http_get(f, "/livez", &r);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "status"), "ok");
    http_res_free(&r);
    http_get(f, "/readyz", &r);
    CHECK_INT(r.status, 200);
    http_res_free(&r);
    /* a request is counted when libmicrohttpd reports it complete, just
       after its response went out: a scrape may come first, so ask again
       (for up to 5 s) until the /livez request shows */
    const char *livez = "fitd_http_requests_total{method=\"GET\",route=\"/livez\",code=\"200\"} 1";
    for (int tries = 1;; tries++) {
        http_get(f, "/metrics", &r);
        if (r.status != 200 || strstr(r.body, livez) != NULL || tries == 250) break;
        http_res_free(&r);
        nanosleep(&(struct timespec){0, 20000000L}, NULL);
    }
    CHECK_INT(r.status, 200);
    CHECK(strstr(r.body, livez) != NULL);
    CHECK(strstr(r.body, "fitd_queue_depth 0") != NULL);
    CHECK(strstr(r.body, "# TYPE fitd_job_duration_seconds histogram") != NULL);
    http_res_free(&r);
    http_get(f, "/v1/catalog", &r);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "optimizers.1.kind"), "adam");
    CHECK(json_array_size(json_object_get(r.json, "models")) == 3);
    CHECK(openapi_valid("Catalog", r.body));
    http_res_free(&r);
}

static void test_errors(fitd_proc *f) {
    http_res r;
    char h[256];
    http_get(f, "/nope", &r);
    CHECK_INT(r.status, 404);
    CHECK(strstr(http_res_header(&r, "Content-Type", h, sizeof h), "application/problem+json") != NULL);
    http_res_free(&r);
    http_do(f, "PUT", "/v1/jobs", "{}", 2, NULL, NULL, &r);
    CHECK_INT(r.status, 405);
    CHECK_STR(http_res_header(&r, "Allow", h, sizeof h), "POST, GET");
    http_res_free(&r);
    http_do(f, "POST", "/v1/jobs", "x=1", 3, "application/x-www-form-urlencoded", NULL, &r);
    CHECK_INT(r.status, 415);
    http_res_free(&r);
    http_post(f, "/v1/jobs", "{\"epochs\": 5,\n \"model\": }", &r);
    CHECK_INT(r.status, 400);
    CHECK(jnum(r.json, "line") == 2);
    CHECK(openapi_valid("Problem", r.body));
    http_res_free(&r);
    http_post(f, "/v1/jobs", "{\"epochs\": 5, \"epochs\": 6}", &r);
    CHECK_INT(r.status, 400);
    http_res_free(&r);
    http_post(f, "/v1/jobs",
              "{\"data\": {\"generate\": {\"kind\": \"linear\"}}, \"optimizer\": {\"kind\": \"adam\", "
              "\"learning_rate\": -1}}",
              &r);
    CHECK_INT(r.status, 422);
    CHECK_STR(problem_pointer(r.json), "/optimizer/learning_rate");
    CHECK(openapi_valid("Problem", r.body));
    http_res_free(&r);
    http_post(f, "/v1/jobs",
              "{\"data\": {\"generate\": {\"kind\": \"linear\"}}, \"model\": {\"kind\": "
              "\"expression\", \"predict\": \"a*exp(-bb*x)\", \"params\": [\"a\", \"b\"]}}",
              &r);
    CHECK_INT(r.status, 422);
    CHECK_STR(problem_pointer(r.json), "/model/predict");
    CHECK(jnum(r.json, "errors.0.column") == 8);
    http_res_free(&r);
    http_post(f, "/v1/jobs", "{\"dataset\": \"ds_missing\"}", &r);
    CHECK_INT(r.status, 422);
    CHECK_STR(problem_pointer(r.json), "/dataset");
    http_res_free(&r);
    http_post(f, "/v1/jobs", "{\"data\": {\"generate\": {\"kind\": \"linear\"}}, \"colour\": 1}", &r);
    CHECK_INT(r.status, 422);
    CHECK_STR(problem_pointer(r.json), "/colour");
    http_res_free(&r);
    /* no job may hold a worker longer than the server allows */
    http_post(f, "/v1/jobs", "{\"data\": {\"generate\": {\"kind\": \"linear\"}}, \"max_seconds\": 1e7}", &r);
    CHECK_INT(r.status, 422);
    CHECK_STR(problem_pointer(r.json), "/max_seconds");
    http_res_free(&r);
    http_get(f, "/v1/jobs/job_nope", &r);
    CHECK_INT(r.status, 404);
    http_res_free(&r);
    http_get(f, "/v1/jobs?page_size=0", &r);
    CHECK_INT(r.status, 400);
    http_res_free(&r);
    http_get(f, "/v1/jobs?status=sleeping", &r);
    CHECK_INT(r.status, 400);
    http_res_free(&r);
}

static void test_datasets(fitd_proc *f) {
    http_res r;
    char loc[640], path[300], id[128];
    http_post(f, "/v1/datasets",
              "{\"name\": \"tiny\", \"columns\": {\"x\": [0.5, 2, 1], \"y\": [1, 2, 3.5]}}", &r);
    CHECK_INT(r.status, 201);
    snprintf(id, sizeof id, "%s", jstr(r.json, "id"));
    snprintf(path, sizeof path, "/v1/datasets/%s", id);
    CHECK_STR(http_res_header(&r, "Location", loc, sizeof loc), path);
    CHECK_INT(jnum(r.json, "rows"), 3);
    CHECK_NEAR(jnum(r.json, "stats.x.mean"), 3.5 / 3, 1e-15);
    CHECK_NEAR(jnum(r.json, "stats.x.sd"), sqrt(((0.5 - 3.5 / 3) * (0.5 - 3.5 / 3) + (2 - 3.5 / 3) * (2 - 3.5 / 3) + (1 - 3.5 / 3) * (1 - 3.5 / 3)) / 3), 1e-15);
    CHECK(jnum(r.json, "stats.y.max") == 3.5 && jnum(r.json, "stats.x.min") == 0.5);
    CHECK(openapi_valid("Dataset", r.body));
    http_res_free(&r);
    http_get(f, path, &r);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "name"), "tiny");
    http_res_free(&r);
    snprintf(loc, sizeof loc, "%s/data", path);
    http_get(f, loc, &r);
    CHECK_INT(r.status, 200);
    CHECK(jnum(r.json, "columns.x.0") == 0.5 && jnum(r.json, "columns.y.2") == 3.5);
    http_res_free(&r);
    /* CSV, streamed */
    const char *csv = "x,y\r\n1,2\r\n2,4.5\r\n3,6\r\n";
    http_do(f, "POST", "/v1/datasets?name=csvd", csv, strlen(csv), "text/csv", NULL, &r);
    CHECK_INT(r.status, 201);
    CHECK_INT(jnum(r.json, "rows"), 3);
    CHECK_STR(jstr(r.json, "name"), "csvd");
    http_res_free(&r);
    const char *bad = "x,y\n1,2\n2,abc\n";
    http_do(f, "POST", "/v1/datasets", bad, strlen(bad), "text/csv; charset=utf-8", NULL, &r);
    CHECK_INT(r.status, 422);
    CHECK_INT(jnum(r.json, "errors.0.row"), 3);
    CHECK_INT(jnum(r.json, "errors.0.column"), 2);
    http_res_free(&r);
    http_post(f, "/v1/datasets", "{\"columns\": {\"x\": [1, 2], \"y\": [1]}}", &r);
    CHECK_INT(r.status, 422);
    http_res_free(&r);
    http_post(f, "/v1/datasets", "{\"generate\": {\"kind\": \"gaussian\", \"n\": 500, \"mu\": 3, \"sigma\": 2, \"seed\": 4}}", &r);
    CHECK_INT(r.status, 201);
    CHECK_NEAR(jnum(r.json, "stats.x.mean"), 3, 0.3);
    http_res_free(&r);
    /* paging: three datasets, pages of two */
    http_get(f, "/v1/datasets?page_size=2", &r);
    CHECK_INT(json_array_size(json_object_get(r.json, "items")), 2);
    char next[300];
    snprintf(next, sizeof next, "/v1/datasets?page_size=2&page_token=%s", jstr(r.json, "next_page_token"));
    CHECK(jstr(r.json, "next_page_token")[0] != '\0');
    CHECK(openapi_valid("DatasetList", r.body));
    http_res_free(&r);
    http_get(f, next, &r);
    CHECK_INT(json_array_size(json_object_get(r.json, "items")), 1);
    CHECK(json_object_get(r.json, "next_page_token") == NULL);
    http_res_free(&r);
    CHECK_INT(status_of(f, "DELETE", path), 204);
    CHECK_INT(status_of(f, "GET", path), 404);
}

/* The worked examples through the API: same numbers as `fitd fit`. */
static void test_examples(fitd_proc *f) {
    const char *names[] = {"api/examples/linear.json", "api/examples/gaussian.json"};
    for (int k = 0; k < 2; k++) {
        char *spec = read_file(names[k]);
        http_res r;
        if (!CHECK(spec != NULL)) continue;
        http_post(f, "/v1/jobs?wait=120", spec, &r);
        CHECK_INT(r.status, 200);
        CHECK_STR(jstr(r.json, "status"), "succeeded");
        CHECK(openapi_valid("Job", r.body));
        const char *p1 = k == 0 ? "params.m" : "params.mu", *p2 = k == 0 ? "params.b" : "params.sigma";
        const char *r1 = k == 0 ? "reference.params.m" : "reference.params.mu";
        const char *r2 = k == 0 ? "reference.params.b" : "reference.params.sigma";
        CHECK_NEAR(jnum(r.json, p1), jnum(r.json, r1), 1e-3);
        CHECK_NEAR(jnum(r.json, p2), jnum(r.json, r2), 1e-3);
        CHECK_STR(jstr(r.json, "reference.method"), k == 0 ? "ols" : "mle");
        /* the same spec through fitd fit gives the same numbers */
        char cmd[512];
        snprintf(cmd, sizeof cmd, "%s fit %s", getenv("FITD_BIN") ? getenv("FITD_BIN") : "build/fitd", names[k]);
        FILE *pp = popen(cmd, "r");
        char *out = malloc(1 << 24);
        size_t n = pp ? fread(out, 1, (1 << 24) - 1, pp) : 0;
        out[n] = '\0';
        /* exit 0: a sanitizer report (status 66 under make asan/tsan) fails here */
        CHECK(pp != NULL && pclose(pp) == 0);
        json_t *doc = json_loads(out, 0, NULL);
        CHECK(doc != NULL && jnum(doc, p1) == jnum(r.json, p1) && jnum(doc, p2) == jnum(r.json, p2));
        CHECK(doc != NULL && jnum(doc, "loss") == jnum(r.json, "loss"));
        json_decref(doc);
        free(out);
        /* history and its downsampling */
        char path[300];
        snprintf(path, sizeof path, "/v1/jobs/%s/history?max_points=7", jstr(r.json, "id"));
        http_res h;
        http_get(f, path, &h);
        CHECK_INT(h.status, 200);
        json_t *ep = json_object_get(h.json, "epoch");
        CHECK(json_array_size(ep) == 7);
        CHECK(jnum(h.json, "epoch.0") == 1);
        CHECK(jnum(h.json, "epoch.6") == jnum(r.json, "epochs_run"));
        int has_best = 0;
        for (size_t i = 0; i < json_array_size(ep); i++)
            has_best |= json_number_value(json_array_get(ep, i)) == jnum(r.json, "best_epoch");
        CHECK(has_best);
        CHECK(openapi_valid("History", h.body));
        http_res_free(&h);
        free(spec);
        http_res_free(&r);
    }
}

static void test_job_lifecycle(fitd_proc *f) {
    http_res r;
    char id[128], path[300], loc[640];
    http_post(f, "/v1/datasets", "{\"generate\": {\"kind\": \"linear\", \"n\": 200, \"m\": 2, \"b\": -1, \"noise_sd\": 0.1, \"seed\": 3}}", &r);
    char ds[128];
    snprintf(ds, sizeof ds, "%s", jstr(r.json, "id"));
    http_res_free(&r);
    char body[512];
    snprintf(body, sizeof body,
             "{\"dataset\": \"%s\", \"optimizer\": {\"kind\": \"adam\", \"learning_rate\": 0.1}, "
             "\"epochs\": 300, \"seed\": 5, \"batch_size\": 32, \"validation_split\": 0.2}", ds);
    http_post(f, "/v1/jobs", body, &r);
    CHECK_INT(r.status, 202);
    snprintf(id, sizeof id, "%s", jstr(r.json, "id"));
    snprintf(path, sizeof path, "/v1/jobs/%s", id);
    CHECK_STR(http_res_header(&r, "Location", loc, sizeof loc), path);
    CHECK_STR(jstr(r.json, "dataset"), ds);
    CHECK(jnum(r.json, "seed") == 5);
    CHECK(jnum(r.json, "spec.epochs") == 300);
    CHECK(jnum(r.json, "spec.max_seconds") == 3600); /* the server's cap, filled in */
    http_res_free(&r);
    snprintf(loc, sizeof loc, "%s?wait=120", path);
    http_get(f, loc, &r);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "status"), "succeeded");
    CHECK_NEAR(jnum(r.json, "params.m"), 2, 0.05);
    CHECK(isfinite(jnum(r.json, "val_loss")));
    CHECK(jstr(r.json, "finished_at")[0] != '\0');
    http_res_free(&r);
    /* list by status */
    http_get(f, "/v1/jobs?status=succeeded&page_size=1000", &r);
    int found = 0;
    json_t *items = json_object_get(r.json, "items");
    for (size_t i = 0; i < json_array_size(items); i++)
        found |= strcmp(json_string_value(json_object_get(json_array_get(items, i), "id")), id) == 0;
    CHECK(found);
    CHECK(openapi_valid("JobList", r.body));
    http_res_free(&r);
    /* predict */
    snprintf(loc, sizeof loc, "%s/predict", path);
    http_post(f, loc, "{\"columns\": {\"x\": [0, 1, 10]}}", &r);
    CHECK_INT(r.status, 200);
    CHECK_NEAR(jnum(r.json, "yhat.2"), 19, 0.5);
    http_res_free(&r);
    http_post(f, loc, "{\"columns\": {\"z\": [0, 1]}}", &r);
    CHECK_INT(r.status, 422);
    http_res_free(&r);
    /* idempotency */
    const char *spec = "{\"data\": {\"generate\": {\"kind\": \"gaussian\", \"n\": 50}}, \"model\": \"gaussian\", \"epochs\": 3, \"seed\": 1}";
    http_res a, b, c;
    http_do(f, "POST", "/v1/jobs", spec, strlen(spec), NULL, "Idempotency-Key: k-123", &a);
    http_do(f, "POST", "/v1/jobs", spec, strlen(spec), NULL, "Idempotency-Key: k-123", &b);
    CHECK(a.status == 202 && (b.status == 202 || b.status == 200));
    CHECK_STR(jstr(a.json, "id"), jstr(b.json, "id"));
    http_do(f, "POST", "/v1/jobs", "{\"epochs\": 4}", 13, NULL, "Idempotency-Key: k-123", &c);
    CHECK_INT(c.status, 409);
    http_res_free(&a);
    http_res_free(&b);
    http_res_free(&c);
    /* delete: the job goes, the uploaded dataset it trained on stays */
    CHECK_INT(status_of(f, "DELETE", path), 204);
    CHECK_INT(status_of(f, "GET", path), 404);
    snprintf(loc, sizeof loc, "/v1/datasets/%s", ds);
    CHECK_INT(status_of(f, "GET", loc), 200);
    /* a job's inline data is stored for it, and goes with it */
    http_post(f, "/v1/jobs?wait=60",
              "{\"data\": {\"columns\": {\"x\": [0, 1, 2, 3], \"y\": [1, 3, 5, 7]}}, \"epochs\": 5}",
              &r);
    CHECK_INT(r.status, 200);
    snprintf(id, sizeof id, "%s", jstr(r.json, "id"));
    snprintf(ds, sizeof ds, "%s", jstr(r.json, "dataset"));
    http_res_free(&r);
    snprintf(loc, sizeof loc, "/v1/datasets/%s", ds);
    http_get(f, loc, &r);
    CHECK_INT(r.status, 200);
    CHECK(json_is_true(json_object_get(r.json, "inline")));
    http_res_free(&r);
    snprintf(path, sizeof path, "/v1/jobs/%s", id);
    CHECK_INT(status_of(f, "DELETE", path), 204);
    CHECK_INT(status_of(f, "GET", loc), 404);
}

static void test_evaluate(fitd_proc *f) {
    http_res r;
    /* the write-up's three observations: log-likelihood at mu=1, sigma=1 */
    http_post(f, "/v1/evaluate",
              "{\"data\": {\"columns\": {\"x\": [0.5, 2, 1]}}, \"model\": \"gaussian\", "
              "\"params\": {\"mu\": 1, \"sigma\": 1}}", &r);
    CHECK_INT(r.status, 200);
    double want = -1.5 * log(2 * 3.14159265358979323846) - (0.25 + 1 + 0) / 2;
    CHECK_NEAR(jnum(r.json, "log_likelihood"), want, 1e-12);
    CHECK_NEAR(jnum(r.json, "loss"), -want / 3, 1e-12);
    CHECK_INT(jnum(r.json, "n"), 3);
    http_res_free(&r);
    /* MSE's minimum and the likelihood's maximum fall on the same value */
    http_post(f, "/v1/evaluate",
              "{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 100, \"seed\": 2}}, "
              "\"model\": \"linear\", \"loss\": \"mse\", \"params\": {\"m\": 1, \"b\": 2}, "
              "\"grid\": {\"param\": \"b\", \"from\": 0, \"to\": 4, \"steps\": 81}}", &r);
    CHECK_INT(r.status, 200);
    CHECK_INT(json_array_size(json_object_get(r.json, "values")), 81);
    CHECK(jnum(r.json, "optimum.min_loss_at") == jnum(r.json, "optimum.max_log_likelihood_at"));
    CHECK(openapi_valid("EvaluateGridResponse", r.body));
    http_res_free(&r);
    http_post(f, "/v1/evaluate", "{\"data\": {\"columns\": {\"x\": [1]}}, \"model\": \"gaussian\", \"params\": {\"mu\": 1}}", &r);
    CHECK_INT(r.status, 422);
    CHECK_STR(problem_pointer(r.json), "/params/sigma");
    http_res_free(&r);
}

/* One worker, a queue of one: the second queued job gets 429; cancel
 * stops a queued job before it starts and a running one within a batch. */
static void test_queue_and_cancel(void) {
    fitd_proc f;
    const char *extra[] = {"--store", "memory", "--workers", "1", "--queue", "1", NULL};
    if (!CHECK(fitd_start(&f, NULL, extra) == 0)) return;
    const char *slow = "{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 100000}}, \"epochs\": 1000000, \"batch_size\": 10, \"seed\": 1}";
    http_res a, b, c, r;
    http_post(&f, "/v1/jobs", slow, &a);
    CHECK_INT(a.status, 202);
    /* wait until the worker has taken it */
    char path[300];
    snprintf(path, sizeof path, "/v1/jobs/%s", jstr(a.json, "id"));
    for (int i = 0; i < 2000; i++) {
        http_get(&f, path, &r);
        int running = strcmp(jstr(r.json, "status"), "running") == 0 && jnum(r.json, "progress.epoch") >= 1;
        http_res_free(&r);
        if (running) break;
    }
    http_post(&f, "/v1/jobs", slow, &b);
    CHECK_INT(b.status, 202);
    http_post(&f, "/v1/jobs", slow, &c);
    CHECK_INT(c.status, 429);
    char ra[32];
    CHECK_STR(http_res_header(&c, "Retry-After", ra, sizeof ra), "1");
    http_get(&f, "/readyz", &r);
    CHECK_INT(r.status, 503);
    http_res_free(&r);
    /* cancel the queued one: it never starts */
    char cpath[300];
    snprintf(cpath, sizeof cpath, "/v1/jobs/%s/cancel", jstr(b.json, "id"));
    http_post(&f, cpath, NULL, &r);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "status"), "cancelled");
    CHECK(json_is_null(json_object_get(r.json, "started_at")));
    http_res_free(&r);
    /* the running one shows progress, then stops with its last params */
    http_get(&f, path, &r);
    CHECK(jnum(r.json, "progress.epoch") >= 1);
    CHECK(isfinite(jnum(r.json, "progress.params.m")));
    http_res_free(&r);
    snprintf(cpath, sizeof cpath, "/v1/jobs/%s/cancel", jstr(a.json, "id"));
    http_post(&f, cpath, NULL, &r);
    http_res_free(&r);
    char wpath[320];
    snprintf(wpath, sizeof wpath, "%s?wait=60", path);
    http_get(&f, wpath, &r);
    CHECK_STR(jstr(r.json, "status"), "cancelled");
    CHECK_STR(jstr(r.json, "termination"), "cancelled");
    CHECK(isfinite(jnum(r.json, "params.m")));
    CHECK(jnum(r.json, "epochs_run") < 1000000);
    http_res_free(&r);
    http_res_free(&a);
    http_res_free(&b);
    http_res_free(&c);
    CHECK_INT(fitd_stop(&f, SIGTERM), 0);
    fitd_cleanup(&f);
}

static void test_auth(void) {
    fitd_proc f;
    const char *extra[] = {"--store", "memory", "--api-token", "s3cret", NULL};
    if (!CHECK(fitd_start(&f, NULL, extra) == 0)) return;
    http_res r;
    char h[128];
    http_get(&f, "/v1/catalog", &r);
    CHECK_INT(r.status, 401);
    CHECK(strstr(http_res_header(&r, "WWW-Authenticate", h, sizeof h), "Bearer") != NULL);
    http_res_free(&r);
    snprintf(f.token, sizeof f.token, "wrong");
    http_get(&f, "/v1/catalog", &r);
    CHECK_INT(r.status, 401);
    http_res_free(&r);
    snprintf(f.token, sizeof f.token, "s3cret");
    http_get(&f, "/v1/catalog", &r);
    CHECK_INT(r.status, 200);
    http_res_free(&r);
    f.token[0] = '\0';
    http_get(&f, "/livez", &r);
    CHECK_INT(r.status, 200);
    http_res_free(&r);
    CHECK_INT(fitd_stop(&f, SIGTERM), 0);
    fitd_cleanup(&f);
}

int main(void) {
    fitd_proc f;
    const char *extra[] = {"--store", "memory", NULL};
    if (!CHECK(fitd_start(&f, NULL, extra) == 0)) return check_done("test_api");
    test_ops(&f);
    test_errors(&f);
    test_datasets(&f);
    test_examples(&f);
    test_job_lifecycle(&f);
    test_evaluate(&f);
    CHECK_INT(fitd_stop(&f, SIGTERM), 0);
    fitd_cleanup(&f);
    test_queue_and_cancel();
    test_auth();
    return check_done("test_api");
}
