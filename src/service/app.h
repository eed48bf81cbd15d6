/* app.h - the running service: configuration, store, jobs, HTTP, metrics.
 * One per process; handlers reach it through http_req.app. */
#ifndef FITD_APP_H
#define FITD_APP_H

#include <stdatomic.h>

#include "config.h"
#include "http.h"
#include "metrics.h"
#include "store.h"

struct jobs;

enum { APP_STARTING = 0, APP_READY = 1, APP_DRAINING = 2 };

typedef struct app {
    fitd_config cfg;
    store *st;
    struct jobs *jobs;
    /* set once the server listens; read by workers and store threads
       started before (an atomic: plain reads and writes are atomic) */
    http_server *_Atomic http;
    metrics metrics;
    struct rescache *cache; /* rendered finished jobs */
    atomic_int state;
} app;

/* fitd serve: runs until SIGTERM/SIGINT, then drains. Returns the exit code. */
int serve_main(int argc, char **argv);

#endif
