/* store_sqlite_writer.c - group commit: every write of the sqlite store
 * runs on one writer thread, and the writes that queue up while a batch
 * is being committed go into the next transaction together. A write runs
 * in a savepoint of its own, so a failed one (a taken idempotency key)
 * undoes only itself and its neighbours in the batch still commit. A
 * committed batch goes to the syncer (store_sqlite_sync.c), which makes
 * it durable while this thread commits the next one: nobody hears of a
 * write before the fdatasync after its commit returned. */
#include <stdlib.h>

#include "service/log.h"
#include "service/store_sqlite.h"
#include "service/thread_name.h"

/* Writes taken into one transaction at most: bounds how long the first
 * of them waits for the last. */
#define BATCH_MAX 512

/* Runs one write in its savepoint; returns its status. */
static int run_one(sq_conn *c, sq_wreq *r) {
    if (r->single) return r->fn(c, r->arg);
    if (sq_run(sq_stmt(c, SQ_SAVEPOINT)) != SQLITE_DONE) return STORE_ERROR;
    int rc = r->fn(c, r->arg);
    if (rc != STORE_OK) sq_run(sq_stmt(c, SQ_ROLLBACK_TO));
    sq_run(sq_stmt(c, SQ_RELEASE));
    return rc;
}

/* Runs a batch (a list of n writes) in one transaction and sets each
 * one's rc. A write that made SQLite abandon the transaction (an I/O
 * error, a full disk) fails the whole batch: the writes before it were
 * rolled back with it. */
static void run_batch(sq_store *s, sq_wreq *batch) {
    sq_conn *c = &s->writer;
    int ok = sq_run(sq_stmt(c, SQ_BEGIN_WRITE)) == SQLITE_DONE, any = 0;
    sq_job_fold(batch);
    for (sq_wreq *r = batch; r != NULL; r = r->next) {
        if (r->folded) continue; /* its carrier, earlier, ran it */
        r->rc = !ok ? STORE_ERROR : r->fold_last ? sq_job_run_chain(c, r) : run_one(c, r);
        any |= r->rc == STORE_OK;
        if (ok && sqlite3_get_autocommit(c->db)) ok = 0; /* the transaction is gone */
    }
    if (ok && any && sq_run(sq_stmt(c, SQ_COMMIT)) != SQLITE_DONE) ok = 0;
    /* a failed COMMIT may leave the transaction open; a batch with no
       change is rolled back (cheaper than a commit) */
    if (!sqlite3_get_autocommit(c->db)) sq_run(sq_stmt(c, SQ_ROLLBACK));
    for (sq_wreq *r = batch; r != NULL; r = r->next) {
        if (r->folded && !ok) r->rc = STORE_ERROR; /* its carrier never ran */
        if (!ok && r->rc == STORE_OK) r->rc = STORE_ERROR;
    }
    for (int i = SQ_BEGIN_WRITE; i <= SQ_ROLLBACK_TO; i++) sqlite3_reset(c->st[i]);
}

static void *writer_main(void *arg) {
    thread_name("fitd-writer");
    sq_store *s = arg;
    pthread_mutex_lock(&s->wmu);
    for (;;) {
        while (s->whead == NULL && !s->wstop) pthread_cond_wait(&s->wcv, &s->wmu);
        if (s->whead == NULL) break; /* stopping, and everything queued is done */
        sq_wreq *batch = s->whead, *last = batch;
        for (int n = 1; n < BATCH_MAX && last->next != NULL; n++) last = last->next;
        s->whead = last->next;
        if (s->whead == NULL) s->wtail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&s->wmu);

        run_batch(s, batch);
        sq_sync_handoff(s, batch);
        pthread_mutex_lock(&s->wmu);
    }
    pthread_mutex_unlock(&s->wmu);
    return NULL;
}

void sq_tell(sq_store *s, sq_wreq *batch) {
    /* async writes are told first (their callbacks own them); a sync
       write's waiter may return, and its request vanish, as soon as it
       sees finished under the lock */
    sq_wreq *sync = NULL;
    log_batch_begin();
    for (sq_wreq *r = batch, *next; r != NULL; r = next) {
        next = r->next;
        if (r->done != NULL) {
            r->done(r->ctx, r->rc);
        } else {
            r->next = sync;
            sync = r;
        }
    }
    log_batch_end();
    pthread_mutex_lock(&s->wmu);
    for (sq_wreq *r = sync, *next; r != NULL; r = next) {
        next = r->next;
        r->finished = 1;
    }
    if (sync != NULL) pthread_cond_broadcast(&s->wdone);
    pthread_mutex_unlock(&s->wmu);
}

/* Appends r to the queue under wmu; 0, or -1 when the writer has stopped. */
static int enqueue(sq_store *s, sq_wreq *r) {
    r->next = NULL;
    r->finished = 0;
    if (s->wstop) return -1;
    if (s->wtail != NULL)
        s->wtail->next = r;
    else
        s->whead = r;
    s->wtail = r;
    pthread_cond_signal(&s->wcv);
    return 0;
}

int sq_write(sq_store *s, sq_write_fn fn, void *arg) {
    sq_wreq r = {.fn = fn, .arg = arg};
    pthread_mutex_lock(&s->wmu);
    if (enqueue(s, &r) != 0) {
        pthread_mutex_unlock(&s->wmu);
        return STORE_ERROR;
    }
    while (!r.finished) pthread_cond_wait(&s->wdone, &s->wmu);
    pthread_mutex_unlock(&s->wmu);
    return r.rc;
}

void sq_write_async(sq_store *s, sq_wreq *r) {
    pthread_mutex_lock(&s->wmu);
    int queued = enqueue(s, r) == 0;
    pthread_mutex_unlock(&s->wmu);
    if (!queued) r->done(r->ctx, STORE_ERROR);
}

int sq_writer_start(sq_store *s) {
    if (sq_sync_start(s) != 0) return -1;
    if (pthread_create(&s->wthread, NULL, writer_main, s) != 0) {
        sq_sync_stop(s);
        return -1;
    }
    s->wstarted = 1;
    return 0;
}

void sq_writer_stop(sq_store *s) {
    if (s->wstarted) {
        pthread_mutex_lock(&s->wmu);
        s->wstop = 1;
        pthread_cond_signal(&s->wcv);
        pthread_mutex_unlock(&s->wmu);
        pthread_join(s->wthread, NULL);
        s->wstarted = 0;
    }
    sq_sync_stop(s); /* after the writer: it tells the last batches */
}
