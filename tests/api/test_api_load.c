/* test_api_load.c - concurrency: 16 submitters x 50 jobs get the same
 * results as the same specs run one at a time; 200 long-polls parked on a
 * running job while /livez keeps answering (suspended connections hold no
 * thread). */
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apitest.h"
#include "check.h"

#define THREADS 16
#define PER_THREAD 50
#define WAITERS 200

static fitd_proc srv;
static double conc_m[THREADS * PER_THREAD], conc_b[THREADS * PER_THREAD];
static int conc_ok[THREADS * PER_THREAD];

static void spec_for(int k, char *buf, size_t cap) {
    snprintf(buf, cap,
             "{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 100, \"seed\": %d}}, "
             "\"optimizer\": {\"kind\": \"adam\", \"learning_rate\": 0.05}, \"epochs\": 40, "
             "\"batch_size\": 16, \"seed\": %d}",
             k % 7, 1000 + k);
}

static void *submitter(void *arg) {
    int t = (int)(intptr_t)arg;
    for (int i = 0; i < PER_THREAD; i++) {
        int k = t * PER_THREAD + i;
        char spec[512];
        http_res r;
        spec_for(k, spec, sizeof spec);
        if (http_post(&srv, "/v1/jobs?wait=120", spec, &r) == 0 && r.status == 200 &&
            strcmp(jstr(r.json, "status"), "succeeded") == 0) {
            conc_ok[k] = 1;
            conc_m[k] = jnum(r.json, "params.m");
            conc_b[k] = jnum(r.json, "params.b");
        }
        http_res_free(&r);
    }
    return NULL;
}

static const char *slow_path;
static int waiter_status[WAITERS];

static void *waiter(void *arg) {
    int w = (int)(intptr_t)arg;
    http_res r;
    char path[300];
    snprintf(path, sizeof path, "%s?wait=30", slow_path);
    if (http_get(&srv, path, &r) == 0) waiter_status[w] = (int)r.status * (strcmp(jstr(r.json, "status"), "cancelled") == 0);
    http_res_free(&r);
    return NULL;
}

int main(void) {
    const char *extra[] = {"--store", "memory", "--workers", "2", NULL};
    if (!CHECK(fitd_start(&srv, NULL, extra) == 0)) return check_done("test_api_load");
    pthread_t th[WAITERS];
    for (int t = 0; t < THREADS; t++) pthread_create(&th[t], NULL, submitter, (void *)(intptr_t)t);
    for (int t = 0; t < THREADS; t++) pthread_join(th[t], NULL);
    int all_ok = 1, same = 1;
    for (int k = 0; k < THREADS * PER_THREAD; k++) all_ok &= conc_ok[k];
    CHECK(all_ok);
    /* one at a time, the same specs give the same bits */
    for (int k = 0; k < THREADS * PER_THREAD; k++) {
        char spec[512];
        http_res r;
        spec_for(k, spec, sizeof spec);
        http_post(&srv, "/v1/jobs?wait=120", spec, &r);
        same &= jnum(r.json, "params.m") == conc_m[k] && jnum(r.json, "params.b") == conc_b[k];
        http_res_free(&r);
    }
    CHECK(same);
    /* seeds matter: two different seeds differ */
    CHECK(conc_m[0] != conc_m[7]);

    /* 200 long-polls on a running job; /livez still answers */
    http_res r;
    http_post(&srv, "/v1/jobs",
              "{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 1000}}, \"epochs\": 1000000, "
              "\"batch_size\": 1, \"seed\": 3}", &r);
    static char path[300];
    snprintf(path, sizeof path, "/v1/jobs/%s", jstr(r.json, "id"));
    slow_path = path;
    http_res_free(&r);
    for (int w = 0; w < WAITERS; w++) pthread_create(&th[w], NULL, waiter, (void *)(intptr_t)w);
    int live_ok = 0;
    for (int i = 0; i < 50; i++) {
        http_get(&srv, "/livez", &r);
        live_ok += r.status == 200;
        http_res_free(&r);
    }
    CHECK_INT(live_ok, 50);
    http_get(&srv, "/metrics", &r);
    CHECK(strstr(r.body, "fitd_http_waiting") != NULL);
    http_res_free(&r);
    char cancel[320];
    snprintf(cancel, sizeof cancel, "%s/cancel", path);
    http_post(&srv, cancel, NULL, &r);
    http_res_free(&r);
    for (int w = 0; w < WAITERS; w++) pthread_join(th[w], NULL);
    int woken = 0;
    for (int w = 0; w < WAITERS; w++) woken += waiter_status[w] == 200;
    CHECK_INT(woken, WAITERS);
    CHECK_INT(fitd_stop(&srv, SIGTERM), 0);
    fitd_cleanup(&srv);
    return check_done("test_api_load");
}
