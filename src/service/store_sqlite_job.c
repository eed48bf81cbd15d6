/* store_sqlite_job.c - jobs in the sqlite store: one row of `jobs` each,
 * the status as its name, the seed's 64 bits as a signed integer, the
 * spec and result as the JSON texts they were given as, the history as
 * its bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service/store_sqlite.h"

_Static_assert(sizeof(sqlite3_int64) == sizeof(uint64_t), "a seed fits an SQLite integer");

static sqlite3_int64 seed_to_db(uint64_t seed) {
    sqlite3_int64 v;
    memcpy(&v, &seed, sizeof v); /* the bits, also for seeds >= 2^63 */
    return v;
}

static uint64_t seed_from_db(sqlite3_int64 v) {
    uint64_t seed;
    memcpy(&seed, &v, sizeof seed);
    return seed;
}

/* The job in the current row of a statement selecting JOB_COLS_NO_HISTORY,
 * history_json (or NULL), JOB_COLS_TAIL. The history column holds a BLOB
 * (older versions stored text; both read as their bytes). */
static int row_job(sqlite3_stmt *st, job_rec **out) {
    job_rec *j = calloc(1, sizeof *j);
    int fail = 0;
    if (j == NULL) return STORE_ERROR;
    int status = job_status_by_name((const char *)sqlite3_column_text(st, 2));
    j->status = status < 0 ? JOB_QUEUED : (job_status)status;
    j->seed = seed_from_db(sqlite3_column_int64(st, 3));
    j->created_ms = sqlite3_column_int64(st, 4);
    j->started_ms = sqlite3_column_int64(st, 5);
    j->finished_ms = sqlite3_column_int64(st, 6);
    j->spec_json = sq_text_dup(st, 7, &fail);
    j->result_json = sq_text_dup(st, 8, &fail);
    const void *h = sqlite3_column_blob(st, 9);
    j->history_len = (size_t)sqlite3_column_bytes(st, 9);
    j->history = store_memdup(h, j->history_len, &fail);
    if (h == NULL && j->history_len > 0) fail = 1; /* out of memory */
    j->idem_key = sq_text_dup(st, 10, &fail);
    j->attempts = sqlite3_column_int(st, 12);
    if (fail || status < 0 || sq_text_copy(st, 0, j->id, sizeof j->id) != 0 ||
        sq_text_copy(st, 1, j->dataset, sizeof j->dataset) != 0 ||
        sq_text_copy(st, 11, j->body_hash, sizeof j->body_hash) != 0) {
        job_rec_free(j);
        return STORE_ERROR;
    }
    *out = j;
    return STORE_OK;
}

/* ---- writes (bodies run by the writer thread, store_sqlite_writer.c) ---- */

/* The history as a BLOB: a column of TEXT affinity keeps a BLOB as it is,
 * so the rows older versions wrote (text) and new ones share the column. */
static int bind_history(sqlite3_stmt *st, int i, const job_rec *j) {
    if (j->history == NULL) return sqlite3_bind_null(st, i);
    return sqlite3_bind_blob64(st, i, j->history, j->history_len, SQLITE_STATIC);
}

static int put_body(sq_conn *c, void *arg) {
    const job_rec *j = arg;
    int rc = STORE_ERROR;
    sqlite3_stmt *st = sq_stmt(c, SQ_JOB_INSERT);
    if ((sqlite3_bind_text(st, 1, j->id, -1, SQLITE_STATIC) |
         sqlite3_bind_text(st, 2, j->dataset, -1, SQLITE_STATIC) |
         sqlite3_bind_text(st, 3, job_status_name(j->status), -1, SQLITE_STATIC) |
         sqlite3_bind_int64(st, 4, seed_to_db(j->seed)) | sqlite3_bind_int64(st, 5, j->created_ms) |
         sqlite3_bind_int64(st, 6, j->started_ms) | sqlite3_bind_int64(st, 7, j->finished_ms) |
         sqlite3_bind_text(st, 8, j->spec_json, -1, SQLITE_STATIC) |
         sqlite3_bind_text(st, 9, j->result_json, -1, SQLITE_STATIC) |
         bind_history(st, 10, j) |
         sqlite3_bind_text(st, 11, j->idem_key, -1, SQLITE_STATIC) |
         sqlite3_bind_text(st, 12, j->body_hash, -1, SQLITE_STATIC) |
         sqlite3_bind_int(st, 13, j->attempts)) == SQLITE_OK) {
        int x = sq_run(st);
        rc = x == SQLITE_DONE ? STORE_OK : sq_fail(x);
    }
    sqlite3_reset(st);
    return rc;
}

int sq_job_put(store *base, const job_rec *j) {
    return sq_write((sq_store *)base, put_body, (void *)(uintptr_t)j);
}

/* An asynchronous write of a job: its own copy of the record, and the
 * caller's callback, which it calls and then frees itself. */
typedef struct async_req {
    sq_wreq w;
    job_rec *rec;
    int from;
    void (*done)(void *ctx, int rc);
    void *ctx;
} async_req;

static void async_done(void *ctx, int rc) {
    async_req *p = ctx;
    p->done(p->ctx, rc);
    job_rec_free(p->rec);
    free(p);
}

/* Queues fn on a copy of j (the arg fn gets is the async_req, or its
 * record for put). */
static int queue_async(store *base, const job_rec *j, int from, sq_write_fn fn, int arg_is_rec,
                       void (*done)(void *ctx, int rc), void *ctx) {
    async_req *p = calloc(1, sizeof *p);
    if (p == NULL || (p->rec = job_rec_copy(j, 1)) == NULL) {
        free(p);
        return STORE_ERROR;
    }
    p->from = from;
    p->done = done;
    p->ctx = ctx;
    p->w.fn = fn;
    p->w.single = 1; /* an insert, or an update of one row */
    p->w.arg = arg_is_rec ? (void *)p->rec : (void *)p;
    p->w.done = async_done;
    p->w.ctx = p;
    sq_write_async((sq_store *)base, &p->w);
    return STORE_OK;
}

int sq_job_put_async(store *base, const job_rec *j, void (*done)(void *ctx, int rc), void *ctx) {
    return queue_async(base, j, -1, put_body, 1, done, ctx);
}

/* update's arguments: j and from */
static int update_with(sq_conn *c, const job_rec *j, int from) {
    int rc = STORE_ERROR;
    sqlite3_stmt *st = sq_stmt(c, SQ_JOB_UPDATE);
    if ((sqlite3_bind_text(st, 1, j->id, -1, SQLITE_STATIC) |
         sqlite3_bind_text(st, 2, job_status_name(j->status), -1, SQLITE_STATIC) |
         sqlite3_bind_int64(st, 3, j->started_ms) | sqlite3_bind_int64(st, 4, j->finished_ms) |
         sqlite3_bind_int(st, 5, j->attempts) |
         sqlite3_bind_text(st, 6, j->result_json, -1, SQLITE_STATIC) |
         bind_history(st, 7, j) |
         (from < 0 ? SQLITE_OK
                   : sqlite3_bind_text(st, 8, job_status_name((job_status)from), -1,
                                       SQLITE_STATIC))) == SQLITE_OK &&
        sq_run(st) == SQLITE_DONE) {
        sqlite3_int64 seq;
        /* nothing changed: the job is gone, or in another status than from */
        rc = sqlite3_changes(c->db) > 0 ? STORE_OK
             : sq_seq_of(c, SQ_JOB_SEQ, j->id, &seq) == STORE_OK ? STORE_CONFLICT
                                                                 : STORE_NOTFOUND;
    }
    sqlite3_reset(st);
    return rc;
}

typedef struct update_arg {
    const job_rec *j;
    int from;
} update_arg;

static int update_body(sq_conn *c, void *arg) {
    return update_with(c, ((update_arg *)arg)->j, ((update_arg *)arg)->from);
}

int sq_job_update(store *base, const job_rec *j, int from) {
    update_arg u = {j, from};
    return sq_write((sq_store *)base, update_body, &u);
}

static int update_async_body(sq_conn *c, void *arg) {
    return update_with(c, ((async_req *)arg)->rec, ((async_req *)arg)->from);
}

int sq_job_update_async(store *base, const job_rec *j, int from, void (*done)(void *ctx, int rc),
                        void *ctx) {
    return queue_async(base, j, from, update_async_body, 0, done, ctx);
}

#define FOLD_SLOTS 1024 /* > BATCH_MAX: a batch's jobs always find a slot */

void sq_job_fold(sq_wreq *batch) {
    /* open addressing on the id; gen marks the slots of this segment (a
       run of async job writes), so a new segment needs no clearing */
    static _Thread_local struct {
        unsigned long long gen;
        int dead; /* a change that did not follow on: no more folding */
        async_req *carrier;
    } slot[FOLD_SLOTS];
    static _Thread_local unsigned long long gen; /* 64 bits: never wraps to a stale slot */
    gen++;
    for (sq_wreq *w = batch; w != NULL; w = w->next) {
        if (w->done != async_done) { /* another kind of write: a new segment */
            gen++;
            continue;
        }
        async_req *p = w->ctx;
        uint32_t h = 2166136261u;
        for (const unsigned char *c = (const unsigned char *)p->rec->id; *c; c++)
            h = (h ^ *c) * 16777619u;
        size_t k = h % FOLD_SLOTS;
        while (slot[k].gen == gen && strcmp(slot[k].carrier->rec->id, p->rec->id) != 0)
            k = (k + 1) % FOLD_SLOTS;
        if (slot[k].gen != gen) { /* the job's first write in the segment */
            slot[k].gen = gen;
            slot[k].dead = 0;
            slot[k].carrier = p;
            continue;
        }
        async_req *c = slot[k].carrier;
        const job_rec *now = c->w.fold_last ? ((async_req *)c->w.fold_last->ctx)->rec : c->rec;
        if (slot[k].dead || w->fn != update_async_body || p->from != (int)now->status) {
            slot[k].dead = 1;
            continue;
        }
        w->folded = &c->w;
        c->w.fold_last = w;
    }
}

int sq_job_run_chain(sq_conn *c, sq_wreq *carrier) {
    async_req *cp = carrier->ctx;
    const job_rec *last = ((async_req *)carrier->fold_last->ctx)->rec;
    job_rec mix = *cp->rec; /* borrowed strings: nothing here is freed */
    mix.status = last->status;
    mix.started_ms = last->started_ms;
    mix.finished_ms = last->finished_ms;
    mix.attempts = last->attempts;
    mix.result_json = last->result_json;
    mix.history = last->history;
    mix.history_len = last->history_len;
    int rc = carrier->fn == put_body ? put_body(c, &mix) : update_with(c, &mix, cp->from);
    int one = rc == STORE_OK;
    if (!one) rc = carrier->fn(c, carrier->arg); /* as if never folded */
    for (sq_wreq *w = carrier->next; w != NULL; w = w->next) {
        if (w->folded == carrier) w->rc = one ? STORE_OK : w->fn(c, w->arg);
        if (w == carrier->fold_last) break;
    }
    return rc;
}

static int delete_body(sq_conn *c, void *arg) {
    const char *id = arg;
    int rc = STORE_ERROR;
    sqlite3_stmt *st = sq_stmt(c, SQ_JOB_DEL);
    if (sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC) == SQLITE_OK && sq_run(st) == SQLITE_DONE)
        rc = sqlite3_changes(c->db) > 0 ? STORE_OK : STORE_NOTFOUND;
    sqlite3_reset(st);
    return rc;
}

int sq_job_delete(store *base, const char *id) {
    return sq_write((sq_store *)base, delete_body, (void *)(uintptr_t)id);
}

static int requeue_body(sq_conn *c, void *arg) {
    store_vec *v = arg;
    int rc = STORE_ERROR, x, fail = 0;
    sqlite3_stmt *sel = sq_stmt(c, SQ_JOB_ACTIVE), *upd = sq_stmt(c, SQ_JOB_REQUEUE);
    while ((x = sqlite3_step(sel)) == SQLITE_ROW) {
        char *id = sq_text_dup(sel, 0, &fail);
        if (fail || id == NULL || store_vec_push(v, &id, sizeof id) != 0) {
            free(id);
            break;
        }
    }
    sqlite3_reset(sel);
    if (x == SQLITE_DONE && sq_run(upd) == SQLITE_DONE) rc = STORE_OK;
    sqlite3_reset(upd);
    return rc;
}

int sq_job_requeue(store *base, char ***ids, size_t *n) {
    store_vec v = {NULL, 0, 0};
    int rc = sq_write((sq_store *)base, requeue_body, &v);
    if (rc == STORE_OK) {
        *ids = v.buf;
        *n = v.n;
        return STORE_OK;
    }
    char **left = v.buf;
    for (size_t i = 0; i < v.n; i++) free(left[i]);
    free(v.buf);
    return rc;
}

/* ---- reads ---- */

/* The job the statement id finds by key (with its history). */
static int read_one(sq_store *s, sq_stmt_id id, const char *key, job_rec **out) {
    sq_conn *c = sq_read_acquire(s);
    sqlite3_stmt *st = sq_stmt(c, id);
    int rc = STORE_ERROR;
    if (sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC) == SQLITE_OK) {
        int x = sqlite3_step(st);
        if (x == SQLITE_ROW)
            rc = row_job(st, out);
        else if (x == SQLITE_DONE)
            rc = STORE_NOTFOUND;
    }
    sqlite3_reset(st);
    sq_read_release(s, c);
    return rc;
}

int sq_job_get(store *base, const char *id, job_rec **out) {
    return read_one((sq_store *)base, SQ_JOB_GET, id, out);
}

int sq_job_by_idem(store *base, const char *key, job_rec **out) {
    return read_one((sq_store *)base, SQ_JOB_BY_IDEM, key, out);
}

int sq_job_list(store *base, const char *after, size_t limit, int status, int newest_first,
                job_rec ***out, size_t *n, int *more) {
    sq_store *s = (sq_store *)base;
    sq_conn *c = sq_read_acquire(s);
    store_vec v = {NULL, 0, 0};
    sqlite3_stmt *st = NULL;
    /* seqs start at 1: a first page is everything after 0 (oldest first)
       or before the largest int64 (newest first) */
    sqlite3_int64 seq = newest_first ? INT64_MAX : 0;
    int rc = STORE_ERROR, x;
    if (sq_read_begin(c) != 0) goto done;
    if (after != NULL && (rc = sq_seq_of(c, SQ_JOB_SEQ, after, &seq)) != STORE_OK) goto done;
    rc = STORE_ERROR;
    if (newest_first)
        st = sq_stmt(c, status < 0 ? SQ_JOB_LIST_DESC : SQ_JOB_LIST_STATUS_DESC);
    else
        st = sq_stmt(c, status < 0 ? SQ_JOB_LIST : SQ_JOB_LIST_STATUS);
    if ((sqlite3_bind_int64(st, 1, seq) | sqlite3_bind_int64(st, 2, sq_page_limit(limit)) |
         (status < 0 ? SQLITE_OK
                     : sqlite3_bind_text(st, 3, job_status_name((job_status)status), -1,
                                         SQLITE_STATIC))) != SQLITE_OK)
        goto done;
    while ((x = sqlite3_step(st)) == SQLITE_ROW) {
        if (v.n == limit) {
            *more = 1;
            break;
        }
        job_rec *j = NULL;
        if (row_job(st, &j) != STORE_OK || store_vec_push(&v, &j, sizeof j) != 0) {
            job_rec_free(j);
            goto done;
        }
    }
    if (x != SQLITE_ROW && x != SQLITE_DONE) goto done;
    *out = v.buf;
    *n = v.n;
    v.buf = NULL;
    v.n = 0;
    rc = STORE_OK;
done:
    sqlite3_reset(st);
    sq_read_end(c);
    sq_read_release(s, c);
    if (rc != STORE_OK) *more = 0;
    job_rec **left = v.buf;
    for (size_t i = 0; i < v.n; i++) job_rec_free(left[i]);
    free(v.buf);
    return rc;
}

int sq_job_counts(store *base, size_t counts[JOB_STATUS_COUNT]) {
    sq_store *s = (sq_store *)base;
    sq_conn *c = sq_read_acquire(s);
    sqlite3_stmt *st = sq_stmt(c, SQ_JOB_COUNTS);
    int rc = STORE_ERROR, x;
    while ((x = sqlite3_step(st)) == SQLITE_ROW) {
        int status = job_status_by_name((const char *)sqlite3_column_text(st, 0));
        if (status < 0) break;
        counts[status] = (size_t)sqlite3_column_int64(st, 1);
    }
    if (x == SQLITE_DONE) rc = STORE_OK;
    sqlite3_reset(st);
    sq_read_release(s, c);
    return rc;
}
