/* test_api_durability.c - the sqlite store keeps its promises: what was
 * acknowledged (201/202) survives kill -9 and a restart on the same data
 * directory; queued and running jobs run again to the same result;
 * finished results are unchanged; SIGTERM drains and exits 0; an inline
 * dataset a crash left without its job is swept at a later start. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apitest.h"
#include "check.h"

#define NJOBS 12

/* Submits a job on inline data and waits for it; its id and its inline
 * dataset's id into id and ds (128 bytes each). */
static void inline_job(fitd_proc *f, char *id, char *ds) {
    http_res r;
    http_post(f, "/v1/jobs?wait=60",
              "{\"data\": {\"columns\": {\"x\": [0, 1, 2], \"y\": [1, 3, 5]}}, \"epochs\": 3}", &r);
    CHECK_INT(r.status, 200);
    snprintf(id, 128, "%s", r.json ? jstr(r.json, "id") : "");
    snprintf(ds, 128, "%s", r.json ? jstr(r.json, "dataset") : "");
    http_res_free(&r);
}

/* An inline dataset whose job is missing (its commit never landed) and
 * that is over an hour old is deleted at the next start; one its job
 * still names stays. */
static void test_startup_sweep(void) {
    fitd_proc f, g;
    if (!CHECK(fitd_start(&f, NULL, NULL) == 0)) return;
    char lost[128], lost_ds[128], kept[128], kept_ds[128], sql[600], path[300];
    inline_job(&f, lost, lost_ds);
    inline_job(&f, kept, kept_ds);
    CHECK_INT(fitd_stop(&f, SIGTERM), 0);
    snprintf(sql, sizeof sql,
             "DELETE FROM jobs WHERE id = '%s'; UPDATE datasets SET created_ms = created_ms - 7200000",
             lost);
    CHECK_INT(fitd_sql(&f, sql), 0);
    if (CHECK(fitd_start(&g, f.dir, NULL) == 0)) {
        http_res r;
        snprintf(path, sizeof path, "/v1/datasets/%s", lost_ds);
        http_get(&g, path, &r);
        CHECK_INT(r.status, 404);
        http_res_free(&r);
        snprintf(path, sizeof path, "/v1/datasets/%s", kept_ds);
        http_get(&g, path, &r);
        CHECK_INT(r.status, 200);
        http_res_free(&r);
        snprintf(path, sizeof path, "/v1/jobs/%s", kept);
        http_get(&g, path, &r);
        CHECK(r.status == 200 && strcmp(jstr(r.json, "status"), "succeeded") == 0);
        http_res_free(&r);
        CHECK_INT(fitd_stop(&g, SIGTERM), 0);
    }
    fitd_cleanup(&f);
}

int main(void) {
    fitd_proc f;
    const char *extra[] = {"--workers", "1", NULL};
    char dir[256];
    if (!CHECK(fitd_start(&f, NULL, extra) == 0)) return check_done("test_api_durability");
    snprintf(dir, sizeof dir, "%s", f.dir);
    http_res r;
    char ds[128], ids[NJOBS][128], finished_body[8192] = "";
    http_post(&f, "/v1/datasets", "{\"name\": \"keep\", \"generate\": {\"kind\": \"linear\", \"n\": 300, \"seed\": 9}}", &r);
    CHECK_INT(r.status, 201);
    snprintf(ds, sizeof ds, "%s", jstr(r.json, "id"));
    http_res_free(&r);
    /* one job finishes before the crash; its result must not change */
    char body[512];
    snprintf(body, sizeof body, "{\"dataset\": \"%s\", \"epochs\": 50, \"seed\": 1}", ds);
    http_post(&f, "/v1/jobs?wait=60", body, &r);
    CHECK_INT(r.status, 200);
    char first[128];
    snprintf(first, sizeof first, "%s", jstr(r.json, "id"));
    double m_before = jnum(r.json, "params.m");
    http_res_free(&r);
    char path[300];
    snprintf(path, sizeof path, "/v1/jobs/%s", first);
    http_get(&f, path, &r);
    snprintf(finished_body, sizeof finished_body, "%s", r.body);
    http_res_free(&r);
    /* a slow job occupies the one worker; the rest wait in the queue */
    for (int i = 0; i < NJOBS; i++) {
        snprintf(body, sizeof body, "{\"dataset\": \"%s\", \"epochs\": %d, \"seed\": %d, \"batch_size\": %d}", ds,
                 i == 0 ? 200000 : 20, 100 + i, i == 0 ? 1 : 300);
        http_post(&f, "/v1/jobs", body, &r);
        CHECK_INT(r.status, 202);
        snprintf(ids[i], sizeof ids[i], "%s", jstr(r.json, "id"));
        http_res_free(&r);
    }
    CHECK_INT(fitd_stop(&f, SIGKILL), 128 + SIGKILL);

    /* restart on the same directory: everything acknowledged is there */
    fitd_proc g;
    const char *extra2[] = {"--workers", "2", "--grace", "1", NULL};
    if (!CHECK(fitd_start(&g, dir, extra2) == 0)) return check_done("test_api_durability");
    snprintf(path, sizeof path, "/v1/datasets/%s", ds);
    http_get(&g, path, &r);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "name"), "keep");
    http_res_free(&r);
    snprintf(path, sizeof path, "/v1/jobs/%s", first);
    http_get(&g, path, &r);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body, finished_body);
    CHECK(jnum(r.json, "params.m") == m_before);
    http_res_free(&r);
    /* cancel the slow one; every other job runs to completion */
    snprintf(path, sizeof path, "/v1/jobs/%s/cancel", ids[0]);
    http_post(&g, path, NULL, &r);
    http_res_free(&r);
    for (int i = 1; i < NJOBS; i++) {
        snprintf(path, sizeof path, "/v1/jobs/%s?wait=120", ids[i]);
        http_get(&g, path, &r);
        CHECK_STR(jstr(r.json, "status"), "succeeded");
        http_res_free(&r);
    }
    /* the cancelled one has ended too (on postgres its dead owner's lease
       runs out first, then the cancel is honoured) */
    snprintf(path, sizeof path, "/v1/jobs/%s?wait=120", ids[0]);
    http_get(&g, path, &r);
    CHECK_STR(jstr(r.json, "status"), "cancelled");
    http_res_free(&r);
    http_get(&g, "/v1/jobs?status=running", &r);
    CHECK_INT(json_array_size(json_object_get(r.json, "items")), 0);
    http_res_free(&r);
    /* the same spec run afresh gives the same result as the requeued run */
    snprintf(body, sizeof body, "{\"dataset\": \"%s\", \"epochs\": 20, \"seed\": 105, \"batch_size\": 300}", ds);
    http_post(&g, "/v1/jobs?wait=60", body, &r);
    double fresh = jnum(r.json, "params.m");
    http_res_free(&r);
    snprintf(path, sizeof path, "/v1/jobs/%s", ids[5]);
    http_get(&g, path, &r);
    CHECK(jnum(r.json, "params.m") == fresh);
    CHECK(jnum(r.json, "attempts") >= 1);
    http_res_free(&r);
    /* graceful shutdown with a running job: exit 0, the job goes back to queued */
    snprintf(body, sizeof body, "{\"dataset\": \"%s\", \"epochs\": 1000000, \"seed\": 7, \"batch_size\": 1}", ds);
    http_post(&g, "/v1/jobs", body, &r);
    char slow[128];
    snprintf(slow, sizeof slow, "%s", jstr(r.json, "id"));
    http_res_free(&r);
    snprintf(path, sizeof path, "/v1/jobs/%s", slow);
    for (int i = 0; i < 5000; i++) {
        http_get(&g, path, &r);
        int running = strcmp(jstr(r.json, "status"), "running") == 0;
        http_res_free(&r);
        if (running) break;
    }
    CHECK_INT(fitd_stop(&g, SIGTERM), 0);
    fitd_proc h;
    const char *extra4[] = {"--workers", "1", NULL};
    if (!CHECK(fitd_start(&h, dir, extra4) == 0)) return check_done("test_api_durability");
    http_get(&h, path, &r);
    if (!CHECK(strcmp(jstr(r.json, "status"), "queued") == 0 ||
               strcmp(jstr(r.json, "status"), "running") == 0))
        fprintf(stderr, "  %s after the restart: HTTP %ld, %.300s\n", path, r.status,
                r.body ? r.body : "(no body)");
    http_res_free(&r);
    snprintf(path, sizeof path, "/v1/jobs/%s", slow);
    http_do(&h, "DELETE", path, NULL, 0, NULL, NULL, &r);
    CHECK_INT(r.status, 204);
    http_res_free(&r);
    CHECK_INT(fitd_stop(&h, SIGTERM), 0);
    fitd_cleanup(&h);
    test_startup_sweep();
    return check_done("test_api_durability");
}
