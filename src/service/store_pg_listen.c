/* store_pg_listen.c - the postgres store's listener: one thread with a
 * connection of its own (not the pool's) that LISTENs on PG_CHANNEL and
 * calls the store_listen callback for each notification. It waits in
 * poll() on the connection's socket and on a pipe that store_close writes
 * to, so stopping takes no longer than a system call. When the connection
 * drops it connects again, waiting 0.1 s, then twice as long each failure
 * up to 5 s; events sent meanwhile are missed (listeners also poll). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "service/store_pg.h"
#include "service/thread_name.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define CONNECT_MAX_MS 15000 /* one connection attempt, at most */
#define IDLE_POLL_MS 1000    /* poll()'s timeout while waiting, a safety net */

struct pg_listener {
    pthread_t thread;
    const char *conninfo; /* the store's, borrowed */
    store_event_fn fn;
    void *ctx;
    int wake[2]; /* a pipe: a byte (or its closing) means stop */
    atomic_int stop;
};

/* Waits until fd is ready for events (POLLIN or POLLOUT), the wake pipe
 * is, or ms pass. 1 when fd is ready, 0 on timeout, -1 when told to stop
 * (or poll failed). fd < 0: only waits. */
static int wait_fd(pg_listener *l, int fd, short events, int ms) {
    struct pollfd p[2] = {{.fd = l->wake[0], .events = POLLIN, .revents = 0},
                          {.fd = fd, .events = events, .revents = 0}};
    for (;;) {
        if (atomic_load(&l->stop)) return -1;
        int k = poll(p, fd >= 0 ? 2 : 1, ms);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0 || p[0].revents != 0) return -1;
        return k > 0 ? 1 : 0;
    }
}

/* Connects without blocking in libpq, so that a stop is seen at once.
 * NULL when it failed, timed out or was told to stop. */
static PGconn *connect_listener(pg_listener *l) {
    PGconn *c = pg_connect(l->conninfo, 1);
    if (c == NULL || PQstatus(c) == CONNECTION_BAD) goto fail;
    int64_t deadline = pg_now_ms() + CONNECT_MAX_MS;
    PostgresPollingStatusType st = PGRES_POLLING_WRITING; /* as the docs say to begin */
    for (;;) {
        if (st == PGRES_POLLING_OK) return c;
        if (st == PGRES_POLLING_FAILED) goto fail;
        int64_t left = deadline - pg_now_ms();
        if (left <= 0) goto fail;
        short ev = st == PGRES_POLLING_READING ? POLLIN : POLLOUT;
        if (wait_fd(l, PQsocket(c), ev, (int)left) <= 0) goto fail;
        st = PQconnectPoll(c);
    }
fail:
    PQfinish(c); /* NULL-safe */
    return NULL;
}

/* Calls the callback for one notification ("<kind>:<job id>"). */
static void deliver(pg_listener *l, const PGnotify *n) {
    if (strcmp(n->relname, PG_CHANNEL) != 0) return;
    const char *p = n->extra, *colon = strchr(p, ':');
    if (colon == NULL || colon[1] == '\0') return;
    size_t klen = (size_t)(colon - p);
    if (klen == 6 && strncmp(p, "queued", 6) == 0)
        l->fn(l->ctx, STORE_EV_QUEUED, colon + 1);
    else if (klen == 7 && strncmp(p, "changed", 7) == 0)
        l->fn(l->ctx, STORE_EV_CHANGED, colon + 1);
}

/* Delivers notifications on c until it breaks or the listener stops. */
static void pump(pg_listener *l, PGconn *c) {
    for (;;) {
        PGnotify *n;
        while ((n = PQnotifies(c)) != NULL) {
            deliver(l, n);
            PQfreemem(n);
        }
        int k = wait_fd(l, PQsocket(c), POLLIN, IDLE_POLL_MS);
        if (k < 0) return;
        if (k > 0 && (!PQconsumeInput(c) || PQstatus(c) != CONNECTION_OK)) return;
    }
}

static void *listen_main(void *arg) {
    thread_name("fitd-listen");
    pg_listener *l = arg;
    int backoff = BACKOFF_MIN_MS;
    while (!atomic_load(&l->stop)) {
        PGconn *c = connect_listener(l);
        if (c != NULL && pg_run(c, "LISTEN " PG_CHANNEL, NULL) == STORE_OK) {
            backoff = BACKOFF_MIN_MS;
            pump(l, c);
        }
        PQfinish(c);
        if (wait_fd(l, -1, 0, backoff) < 0) break;
        backoff = backoff * 2 < BACKOFF_MAX_MS ? backoff * 2 : BACKOFF_MAX_MS;
    }
    return NULL;
}

int pg_listen_start(pg_store *s, store_event_fn fn, void *ctx) {
    pg_listener *l = calloc(1, sizeof *l);
    if (l == NULL) return STORE_ERROR;
    l->conninfo = s->conninfo;
    l->fn = fn;
    l->ctx = ctx;
    atomic_init(&l->stop, 0);
    l->wake[0] = l->wake[1] = -1;
    if (pipe(l->wake) != 0) goto fail;
    fcntl(l->wake[0], F_SETFD, FD_CLOEXEC);
    fcntl(l->wake[1], F_SETFD, FD_CLOEXEC);
    pthread_mutex_lock(&s->lmu);
    int started = s->listener == NULL && pthread_create(&l->thread, NULL, listen_main, l) == 0;
    if (started) s->listener = l;
    pthread_mutex_unlock(&s->lmu);
    if (started) return STORE_OK;
fail:
    if (l->wake[0] >= 0) close(l->wake[0]);
    if (l->wake[1] >= 0) close(l->wake[1]);
    free(l);
    return STORE_ERROR;
}

void pg_listen_stop(pg_listener *l) {
    if (l == NULL) return;
    atomic_store(&l->stop, 1);
    close(l->wake[1]); /* the read end polls ready (end of file) */
    pthread_join(l->thread, NULL);
    close(l->wake[0]);
    free(l);
}
