/* serve.c - `fitd serve`: configuration -> store -> jobs -> HTTP -> wait
 * for SIGTERM/SIGINT -> drain (stop accepting, give running jobs a grace
 * period, interrupt the rest back to queued) -> exit 0. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "app.h"
#include "jobs.h"
#include "log.h"
#include "rescache.h"

/* Deletes the inline datasets no job names that a crash or a failed
 * commit left behind. Only those older than an hour: on a shared store
 * another replica's submit may have stored its data and not yet its job
 * (a submit lives seconds). A failure is logged and serving goes on. */
static void sweep_inline(app *a) {
    size_t n = 0;
    int rc = store_dataset_sweep_inline(a->st, NULL, jobs_now_ms() - 3600 * 1000LL, &n);
    if (rc != STORE_OK)
        log_event("warn", "sweep", json_pack("{s:s}", "detail", "the store could not sweep inline datasets"));
    else if (n > 0)
        log_event("info", "sweep", json_pack("{s:i}", "inline_datasets_deleted", (int)n));
}

int serve_main(int argc, char **argv) {
    app a;
    char err[512];
    memset(&a, 0, sizeof a);
    int rc = config_load(&a.cfg, argc, argv, stdout, err, sizeof err);
    if (rc == 1) return 0;
    if (rc < 0) {
        fprintf(stderr, "fitd: %s\n", err);
        config_free(&a.cfg);
        return 2;
    }
    log_set_quiet(a.cfg.quiet);
    alloc_setup();
    metrics_init(&a.metrics);
    atomic_store(&a.state, APP_STARTING);

    /* Signals are taken by sigwait below; block them before any thread starts. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    rc = 1;
    /* postgres: a connection per worker and HTTP thread, and two to spare */
    a.st = store_open_sized(a.cfg.store,
                            strcmp(a.cfg.store, "postgres") == 0 ? a.cfg.database_url
                                                                 : a.cfg.data_dir,
                            a.cfg.workers + a.cfg.http_threads + 2, err, sizeof err);
    if (a.st == NULL) {
        fprintf(stderr, "fitd: cannot open the %s store: %s\n", a.cfg.store, err);
        goto done;
    }
    /* finished jobs' answers are cached in memory, unless other processes
       share the store: one of them may delete a job this one has cached */
    if (!store_shared(a.st) && (a.cache = rescache_new(8192, 64u << 20)) == NULL) {
        fprintf(stderr, "fitd: out of memory\n");
        goto done;
    }
    if ((a.jobs = jobs_start(&a)) == NULL) {
        fprintf(stderr, "fitd: cannot start the workers\n");
        goto done;
    }
    a.http = http_start(&a, a.cfg.bind, a.cfg.port, a.cfg.http_threads, err, sizeof err);
    if (a.http == NULL) {
        fprintf(stderr, "fitd: %s\n", err);
        goto done;
    }
    if (jobs_recover(a.jobs) != JOBS_OK) {
        fprintf(stderr, "fitd: cannot requeue unfinished jobs from the store\n");
        goto done;
    }
    sweep_inline(&a);
    atomic_store(&a.state, APP_READY);
    log_event("info", "listening",
              json_pack("{s:s, s:i, s:s, s:i, s:i}", "bind", a.cfg.bind, "port", http_port(a.http),
                        "store", store_kind(a.st), "workers", a.cfg.workers, "queue",
                        (int)a.cfg.queue));
    printf("fitd listening on http://%s:%d\n", a.cfg.bind, http_port(a.http));
    fflush(stdout);

    int sig = 0;
    sigwait(&sigs, &sig);
    atomic_store(&a.state, APP_DRAINING);
    log_event("info", "draining", json_pack("{s:s, s:f}", "signal", sig == SIGTERM ? "SIGTERM" : "SIGINT",
                                            "grace_seconds", a.cfg.grace));
    http_quiesce(a.http);
    jobs_drain(a.jobs, a.cfg.grace);
    rc = 0;
done:
    http_stop(a.http);
    jobs_drain(a.jobs, 0);
    /* the store runs the writes still queued first: their callbacks use the
       registry, the cache and the (stopped) server, freed after it */
    store_close(a.st);
    jobs_free(a.jobs);
    http_free(a.http);
    rescache_free(a.cache);
    metrics_destroy(&a.metrics);
    config_free(&a.cfg);
    if (rc == 0) log_event("info", "stopped", NULL);
    return rc;
}
