/* test_api_replicas.c - three fitd replicas on one PostgreSQL behave as
 * one service: what is submitted to one is read, listed, cancelled and
 * deleted through the others, and followed live (progress in GET and in
 * the event stream) on a replica that is not training it; a replica killed with -9 in the middle of
 * its jobs loses nothing (every acknowledged job ends once - no two
 * replicas' logs both say it succeeded - with
 * the result a sequential run of the same spec gives, and none stays
 * running); PostgreSQL stopped and started again under load: the replicas
 * say so on /readyz, recover by themselves, and lose no acknowledged job.
 *
 * Runs on postgres only (FITD_TEST_STORE=postgres, FITD_TEST_DATABASE_URL,
 * and FITD_TEST_PG_DIR, the cluster's directory for tests/pg/cluster.sh;
 * `make test` sets them); elsewhere it says it skipped. Leases are 2 s
 * here, so a dead replica's jobs come back within seconds. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apitest.h"
#include "check.h"

#define NREP 3
#define NKILL 18  /* jobs in flight when a replica dies */
#define NOUTAGE 12 /* jobs in flight when the database goes away */

static fitd_proc rep[NREP];
static char dburl[600];
static fitd_proc first; /* replica 0 as first started: its directory names the database */

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Starts replica i on the shared database (the first start makes it). */
static int start_replica(int i) {
    const char *extra[] = {"--workers", "2", "--database-url", dburl, NULL};
    int making = dburl[0] == '\0';
    if (making) extra[2] = NULL;
    if (fitd_start(&rep[i], NULL, extra) != 0) return -1;
    if (making) {
        fitd_pg_url(&rep[i], dburl, sizeof dburl);
        first = rep[i];
    }
    return 0;
}

/* Removes a replica's directory and log (not the database). */
static void remove_dir(const fitd_proc *f) {
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s.log'", f->dir, f->dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", f->dir);
}

/* Submits body to replica i; copies the new job's id. The status code. */
static long submit(int i, const char *body, char id[128]) {
    http_res r;
    id[0] = '\0';
    if (http_post(&rep[i], "/v1/jobs", body, &r) != 0) return 0;
    long status = r.status;
    if (status == 202 || status == 200) snprintf(id, 128, "%s", jstr(r.json, "id"));
    http_res_free(&r);
    return status;
}

/* Waits on replica i until job id ends; returns its resource (free it). */
static int wait_end(int i, const char *id, http_res *r) {
    char path[300];
    snprintf(path, sizeof path, "/v1/jobs/%.128s?wait=120", id);
    return http_get(&rep[i], path, r);
}

/* A gauge or counter from replica i's /metrics (-1 when absent). */
static double metric(int i, const char *name) {
    http_res r;
    double v = -1;
    if (http_get(&rep[i], "/metrics", &r) == 0 && r.body) {
        char key[128];
        snprintf(key, sizeof key, "\n%s ", name);
        const char *p = strstr(r.body, key);
        if (p) v = atof(p + strlen(key));
    }
    http_res_free(&r);
    return v;
}

/* How many times the logs of all replicas say job id succeeded. */
static int times_succeeded(const char *id) {
    char want[200];
    snprintf(want, sizeof want, "\"job\":\"%.128s\",\"status\":\"succeeded\"", id);
    int n = 0;
    for (int i = 0; i < NREP; i++) {
        FILE *in = fopen(rep[i].log, "r");
        char line[2048];
        while (in && fgets(line, sizeof line, in))
            if (strstr(line, want)) n++;
        if (in) fclose(in);
    }
    return n;
}

/* A readyz status of replica i (0 when no answer). */
static long readyz(int i) {
    http_res r;
    long s = http_get(&rep[i], "/readyz", &r) == 0 ? r.status : 0;
    http_res_free(&r);
    return s;
}

/* Waits up to secs for replica i's /readyz to answer want. */
static int await_readyz(int i, long want, int secs) {
    for (int k = 0; k < secs * 20; k++) {
        if (readyz(i) == want) return 1;
        sleep_ms(50);
    }
    return 0;
}

static int cluster(const char *cmd) {
    char line[900];
    snprintf(line, sizeof line, "tests/pg/cluster.sh %s '%s' >/dev/null", cmd,
             getenv("FITD_TEST_PG_DIR"));
    return system(line) == 0 ? 0 : -1;
}

/* Submit to one, read, list, history, predict, cancel and delete through
 * the others. */
static void one_service(const char *ds) {
    http_res r;
    char body[512], id[128], path[300];
    snprintf(body, sizeof body, "{\"dataset\": \"%s\", \"epochs\": 50, \"seed\": 1}", ds);
    http_post(&rep[1], "/v1/jobs?wait=60", body, &r);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(r.json, "status"), "succeeded");
    snprintf(id, sizeof id, "%s", jstr(r.json, "id"));
    double m = jnum(r.json, "params.m");
    http_res_free(&r);
    snprintf(path, sizeof path, "/v1/jobs/%s", id);
    http_get(&rep[2], path, &r);
    CHECK_INT(r.status, 200);
    CHECK(jnum(r.json, "params.m") == m);
    http_res_free(&r);
    http_get(&rep[0], "/v1/jobs?limit=100", &r);
    CHECK_INT(r.status, 200);
    CHECK_STR(jstr(json_array_get(json_object_get(r.json, "items"), 0), "id"), id);
    http_res_free(&r);
    snprintf(path, sizeof path, "/v1/jobs/%s/history", id);
    http_get(&rep[0], path, &r);
    CHECK_INT(r.status, 200);
    CHECK_INT(json_array_size(json_object_get(r.json, "loss")), 50);
    http_res_free(&r);
    snprintf(path, sizeof path, "/v1/jobs/%s/predict", id);
    http_post(&rep[2], path, "{\"columns\": {\"x\": [0, 1]}}", &r);
    CHECK_INT(r.status, 200);
    http_res_free(&r);

    /* a long job trained somewhere, cancelled through another replica */
    snprintf(body, sizeof body,
             "{\"dataset\": \"%s\", \"epochs\": 1000000, \"batch_size\": 1, \"seed\": 2}", ds);
    CHECK_INT(submit(0, body, id), 202);
    snprintf(path, sizeof path, "/v1/jobs/%s", id);
    int running = 0;
    for (int k = 0; k < 600 && !running; k++) { /* up to 30 s to be claimed */
        http_get(&rep[1], path, &r);
        running = strcmp(jstr(r.json, "status"), "running") == 0;
        http_res_free(&r);
        if (!running) sleep_ms(50);
    }
    CHECK(running);
    /* followed from a replica that does not train it */
    int trainer = -1;
    for (int k = 0; k < 600 && trainer < 0; k++) {
        for (int i = 0; i < NREP && trainer < 0; i++)
            if (metric(i, "fitd_jobs_running") >= 1) trainer = i;
        if (trainer < 0) sleep_ms(20);
    }
    CHECK(trainer >= 0);
    int other = (trainer + 1) % NREP;
    snprintf(path, sizeof path, "/v1/jobs/%s", id);
    double epoch = -1;
    for (int k = 0; k < 600 && !(epoch >= 1); k++) { /* published every 250 ms */
        http_get(&rep[other], path, &r);
        epoch = jnum(r.json, "progress.epoch");
        http_res_free(&r);
        if (!(epoch >= 1)) sleep_ms(50);
    }
    CHECK(epoch >= 1);
    snprintf(path, sizeof path, "/v1/jobs/%s/events", id);
    char *text = http_stream_until(&rep[other], path, "event: progress", 30);
    CHECK(strstr(text, "event: progress") != NULL); /* the job runs on: a live event */
    CHECK(strstr(text, "\"epochs\"") == NULL);     /* events are epochs, as local ones */
    free(text);
    snprintf(path, sizeof path, "/v1/jobs/%s/cancel", id);
    http_post(&rep[2], path, NULL, &r);
    CHECK(r.status == 200 || r.status == 202);
    http_res_free(&r);
    wait_end(1, id, &r);
    CHECK_STR(jstr(r.json, "status"), "cancelled");
    CHECK_STR(jstr(r.json, "termination"), "cancelled");
    http_res_free(&r);
    snprintf(path, sizeof path, "/v1/jobs/%s", id);
    http_do(&rep[1], "DELETE", path, NULL, 0, NULL, NULL, &r);
    CHECK_INT(r.status, 204);
    http_res_free(&r);
    http_get(&rep[0], path, &r);
    CHECK_INT(r.status, 404);
    http_res_free(&r);
}

/* The jobs of ids[n] (specs bodies[n]) each ended once, succeeded, with
 * the result a one-process run of the same spec gives. */
static void same_as_sequential(char (*ids)[128], char (*bodies)[512], int n, int survivor) {
    fitd_proc seq;
    int rerun = 0;
    const char *extra[] = {"--store", "memory", "--workers", "1", NULL};
    if (!CHECK(fitd_start(&seq, NULL, extra) == 0)) return;
    for (int i = 0; i < n; i++) {
        http_res r, s;
        wait_end(survivor, ids[i], &r);
        CHECK_STR(jstr(r.json, "status"), "succeeded");
        /* stored once (the store takes one result per lease); its log line
           may be missing when the replica died between commit and log */
        CHECK(times_succeeded(ids[i]) <= 1);
        /* the sequential run needs the dataset inline: same data, same seed */
        http_post(&seq, "/v1/jobs?wait=120", bodies[i], &s);
        CHECK_INT(s.status, 200);
        CHECK(json_equal(json_object_get(r.json, "params"), json_object_get(s.json, "params")));
        CHECK(jnum(r.json, "loss") == jnum(s.json, "loss"));
        rerun += jnum(r.json, "attempts") >= 2;
        http_res_free(&r);
        http_res_free(&s);
    }
    fitd_stop(&seq, SIGTERM);
    fitd_cleanup(&seq);
    /* which runs the dead replica held depends on timing: told, not asserted */
    printf("note: %d of %d jobs ran again after their replica died\n", rerun, n);
}

/* kill -9 a replica while it trains: its jobs come back to the others. */
static void replica_dies(void) {
    static char ids[NKILL][128], bodies[NKILL][512];
    for (int i = 0; i < NKILL; i++) {
        /* generated data: the sequential run rebuilds the same rows */
        snprintf(bodies[i], sizeof bodies[i],
                 "{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 400, \"seed\": %d}},"
                 " \"epochs\": 2000, \"batch_size\": 1, \"seed\": %d}",
                 i + 1, 500 + i);
        CHECK_INT(submit(i % NREP, bodies[i], ids[i]), 202);
    }
    int busy = 0;
    for (int k = 0; k < 600 && !busy; k++) { /* until replica 0 trains something */
        busy = metric(0, "fitd_jobs_running") >= 1;
        if (!busy) sleep_ms(20);
    }
    CHECK(busy);
    CHECK_INT(fitd_stop(&rep[0], SIGKILL), 128 + SIGKILL);
    same_as_sequential(ids, bodies, NKILL, 1);
    if (strcmp(rep[0].dir, first.dir) != 0) remove_dir(&rep[0]);
    http_res r;
    http_get(&rep[2], "/v1/jobs?status=running", &r);
    CHECK_INT(json_array_size(json_object_get(r.json, "items")), 0);
    http_res_free(&r);
    CHECK(start_replica(0) == 0); /* a new process, a new owner */
}

/* PostgreSQL goes away under load and comes back. */
static void database_restarts(void) {
    static char ids[NOUTAGE][128];
    for (int i = 0; i < NOUTAGE; i++) {
        char body[512];
        snprintf(body, sizeof body,
                 "{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 400, \"seed\": %d}},"
                 " \"epochs\": 200, \"batch_size\": 1, \"seed\": %d}",
                 i + 1, 900 + i);
        CHECK_INT(submit(i % NREP, body, ids[i]), 202);
    }
    CHECK(cluster("stop") == 0);
    for (int i = 0; i < NREP; i++) CHECK(await_readyz(i, 503, 20));
    http_res h;
    http_get(&rep[0], "/readyz", &h); /* still away: still 503, and why */
    CHECK_INT(h.status, 503);
    CHECK_STR(jstr(h.json, "reason"), "store unreachable");
    CHECK(openapi_valid("Health", h.body));
    http_res_free(&h);
    /* nothing is acknowledged while the database is away */
    char id[128];
    long st = submit(1, "{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 10}}, \"epochs\": 1}", id);
    CHECK(st >= 500);
    CHECK(cluster("restart") == 0);
    for (int i = 0; i < NREP; i++) CHECK(await_readyz(i, 200, 60));
    for (int i = 0; i < NOUTAGE; i++) {
        http_res r;
        wait_end(i % NREP, ids[i], &r);
        CHECK_STR(jstr(r.json, "status"), "succeeded");
        http_res_free(&r);
    }
    http_res r;
    http_get(&rep[1], "/v1/jobs?status=running", &r);
    CHECK_INT(json_array_size(json_object_get(r.json, "items")), 0);
    http_res_free(&r);
}

int main(void) {
    if (!fitd_on_postgres() || getenv("FITD_TEST_PG_DIR") == NULL) {
        printf("test_api_replicas: skipped (runs with FITD_TEST_STORE=postgres, as make test does)\n");
        return check_done("test_api_replicas");
    }
    setenv("FITD_LEASE_SECONDS", "2", 1);
    for (int i = 0; i < NREP; i++)
        if (!CHECK(start_replica(i) == 0)) return check_done("test_api_replicas");
    http_res r;
    http_post(&rep[0], "/v1/datasets",
              "{\"name\": \"shared\", \"generate\": {\"kind\": \"linear\", \"n\": 300, \"seed\": 9}}",
              &r);
    CHECK_INT(r.status, 201);
    char ds[128];
    snprintf(ds, sizeof ds, "%s", jstr(r.json, "id"));
    http_res_free(&r);

    one_service(ds);
    replica_dies();
    database_restarts();
    CHECK(metric(1, "fitd_lease_claims_total") >= 1);
    CHECK(metric(1, "fitd_store_errors_total") >= 1); /* its submit in the outage, at least */

    for (int i = NREP - 1; i >= 0; i--) {
        CHECK_INT(fitd_stop(&rep[i], SIGTERM), 0);
        if (strcmp(rep[i].dir, first.dir) != 0) remove_dir(&rep[i]);
    }
    fitd_cleanup(&first); /* its directory, log and the database */
    return check_done("test_api_replicas");
}
