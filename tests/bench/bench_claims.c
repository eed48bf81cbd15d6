/* bench_claims.c - how fast PostgreSQL lets replicas take jobs: the
 * shared queue's claim-and-finish rate, the part of running several fitd
 * replicas that does not scale with them (every claim and every result
 * is a write of the one database). Puts JOBS queued jobs, then THREADS
 * workers (each as a replica of its own would: claim with a lease, then
 * store a small result conditional on the lease) take them until none is
 * left; prints jobs per second for 1, 4 and 16 workers.
 *
 * Usage: bench_claims DATABASE_URL [JOBS]   (JOBS default 3000)
 * tests/bench/run.sh runs it on a throwaway cluster (tests/pg). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "service/store.h"

typedef struct worker {
    store *s;
    char owner[32];
    long done, errors;
} worker;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *work(void *arg) {
    worker *w = arg;
    for (;;) {
        job_rec *j = NULL;
        int rc = store_job_claim(w->s, w->owner, 60000, (int64_t)(now_s() * 1000), &j);
        if (rc == STORE_NOTFOUND) break;
        if (rc != STORE_OK) {
            if (++w->errors > 100) break;
            continue;
        }
        j->status = JOB_SUCCEEDED;
        j->finished_ms = j->started_ms + 1;
        free(j->result_json);
        j->result_json = strdup("{\"status\":\"succeeded\",\"params\":{\"m\":1.0,\"b\":2.0}}");
        if (store_job_update(w->s, j, JOB_RUNNING) == STORE_OK)
            w->done++;
        else
            w->errors++;
        job_rec_free(j);
    }
    return NULL;
}

/* Puts n queued jobs named after round; 0 or -1. */
static int fill(store *s, int round, long n) {
    for (long i = 0; i < n; i++) {
        job_rec j;
        memset(&j, 0, sizeof j);
        snprintf(j.id, sizeof j.id, "job_r%d_%06ld", round, i);
        snprintf(j.dataset, sizeof j.dataset, "ds_bench");
        j.status = JOB_QUEUED;
        j.seed = (uint64_t)i;
        j.created_ms = 1700000000000 + i;
        j.spec_json = (char *)"{\"model\":\"linear\",\"epochs\":1}";
        if (store_job_put(s, &j) != STORE_OK) return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_claims DATABASE_URL [JOBS]\n");
        return 2;
    }
    long jobs = argc > 2 ? atol(argv[2]) : 3000;
    char err[512];
    store *s = store_open_sized("postgres", argv[1], 20, err, sizeof err);
    if (s == NULL) {
        fprintf(stderr, "claims: %s\n", err);
        return 1;
    }
    const int levels[] = {1, 4, 16};
    for (int k = 0; k < 3; k++) {
        int t = levels[k];
        if (fill(s, k, jobs) != 0) {
            fprintf(stderr, "claims: cannot put the jobs\n");
            break;
        }
        worker w[16];
        pthread_t th[16];
        double t0 = now_s();
        for (int i = 0; i < t; i++) {
            w[i] = (worker){s, "", 0, 0};
            snprintf(w[i].owner, sizeof w[i].owner, "bench-%d", i);
            pthread_create(&th[i], NULL, work, &w[i]);
        }
        long done = 0, errors = 0;
        for (int i = 0; i < t; i++) {
            pthread_join(th[i], NULL);
            done += w[i].done;
            errors += w[i].errors;
        }
        double secs = now_s() - t0;
        printf("claims workers=%d jobs=%ld seconds=%.3f jobs_per_s=%.0f errors=%ld\n", t, done, secs,
               (double)done / secs, errors);
    }
    store_close(s);
    return 0;
}
