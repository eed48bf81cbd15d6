/* store_sqlite_sync.c - the syncer: makes committed batches durable off
 * the writer thread.
 *
 * The writer commits with synchronous=NORMAL: a COMMIT writes the batch's
 * WAL frames and returns without an fsync (SQLite still syncs the WAL
 * before a checkpoint copies it, and the database before the WAL is
 * reused). Durability is this thread's: it takes every batch committed
 * since its last turn, fdatasyncs the WAL once, and only then tells their
 * writes, in order. Meanwhile the writer commits the next batches, so the
 * disk's flush and the writer's work overlap instead of taking turns.
 *
 * What a client hears is as with synchronous=FULL: acknowledged means
 * synced. The difference: another connection may read a commit up to one
 * fdatasync before it is durable (a reader sees committed WAL frames).
 * After a kill -9 nothing is lost either way (the frames are in the page
 * cache); on a power cut, a change that was read but not yet told may be
 * undone, as if it had come a moment later.
 *
 * If fdatasync fails, the writes are told STORE_ERROR: their changes may
 * not be durable, so nobody is told they are. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "service/log.h"
#include "service/store_sqlite.h"
#include "service/thread_name.h"

/* Whether a batch list committed anything that needs the WAL synced. */
static int any_committed(const sq_wreq *list) {
    for (const sq_wreq *r = list; r != NULL; r = r->next)
        if (r->rc == STORE_OK) return 1;
    return 0;
}

static void *sync_main(void *arg) {
    thread_name("fitd-sync");
    sq_store *s = arg;
    pthread_mutex_lock(&s->smu);
    for (;;) {
        while (s->shead == NULL && !s->sstop) pthread_cond_wait(&s->scv, &s->smu);
        if (s->shead == NULL) break; /* stopping, and everything handed over is told */
        sq_wreq *list = s->shead;
        s->shead = s->stail = NULL;
        pthread_mutex_unlock(&s->smu);

        if (any_committed(list)) {
            atomic_fetch_add(&s->syncs, 1);
            if (fdatasync(s->wal_fd) != 0) {
                int e = errno;
                log_event("error", "store",
                          json_pack("{s:s, s:s}", "detail", "fdatasync of the WAL failed",
                                    "error", strerror(e)));
                for (sq_wreq *r = list; r != NULL; r = r->next)
                    if (r->rc == STORE_OK) r->rc = STORE_ERROR;
            }
        }
        sq_tell(s, list);
        pthread_mutex_lock(&s->smu);
    }
    pthread_mutex_unlock(&s->smu);
    return NULL;
}

void sq_sync_handoff(sq_store *s, sq_wreq *batch) {
    if (!s->sstarted) { /* synchronous=FULL: the commit synced */
        sq_tell(s, batch);
        return;
    }
    sq_wreq *last = batch;
    while (last->next != NULL) last = last->next;
    pthread_mutex_lock(&s->smu);
    if (s->stail != NULL)
        s->stail->next = batch;
    else
        s->shead = batch;
    s->stail = last;
    pthread_cond_signal(&s->scv);
    pthread_mutex_unlock(&s->smu);
}

int sq_sync_start(sq_store *s) {
    if (s->wal_fd < 0) return 0; /* nothing to sync: the writer tells */
    if (pthread_create(&s->sthread, NULL, sync_main, s) != 0) return -1;
    s->sstarted = 1;
    return 0;
}

void sq_sync_stop(sq_store *s) {
    if (!s->sstarted) return;
    pthread_mutex_lock(&s->smu);
    s->sstop = 1;
    pthread_cond_signal(&s->scv);
    pthread_mutex_unlock(&s->smu);
    pthread_join(s->sthread, NULL);
    s->sstarted = 0;
}
