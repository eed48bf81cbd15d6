/* store_battery.h - the checks every store must pass, shared by
 * test_store.c (memory, sqlite) and test_store_pg.c (postgres): record
 * helpers, the battery (datasets: put, meta, bit-exact data, lists and
 * paging, delete; jobs: put, conflicts, idempotency keys, update of every
 * field, lists oldest and newest first, requeue, counts), a text dump of
 * a whole store (to compare two), and 8 threads at once. A header of
 * static functions, so that its CHECKs count in the test that includes
 * it (check.h keeps its counters per file). */
#ifndef FITD_STORE_BATTERY_H
#define FITD_STORE_BATTERY_H

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "service/store.h"

/* ---- helpers ---- */

static int same_bits(double a, double b) {
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Values that a lossy path would change: signed zero, subnormals, the
 * extremes, digits that need all 17 places. */
static const double tricky[] = {
    -0.0,   0.0, 1e-308,    4.9406564584124654e-324,  1.7976931348623157e308,
    -1e300, 0.1, 1.0 / 3.0, -2.2250738585072014e-308, 123456789.123456789};
#define NTRICKY (sizeof tricky / sizeof tricky[0])

/* A dataset of ncols (<= 8) columns named c0, c1, ... with rows rows; column c,
 * row r holds tricky[(r + c) % NTRICKY] scaled by (1 + r % 7). */
static ds_data *make_data(size_t ncols, size_t rows) {
    static const char *const names[8] = {"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"};
    if (ncols > 8) return NULL;
    fit_data *d = data_new(ncols, rows, names);
    if (d == NULL) return NULL;
    for (size_t c = 0; c < ncols; c++)
        for (size_t r = 0; r < rows; r++)
            d->cols[c][r] = tricky[(r + c) % NTRICKY] * (double)(1 + r % 7);
    return ds_data_wrap(d);
}

static int same_data(const fit_data *a, const fit_data *b) {
    if (a->rows != b->rows || a->ncols != b->ncols) return 0;
    for (size_t c = 0; c < a->ncols; c++) {
        if (strcmp(a->names[c], b->names[c]) != 0) return 0;
        if (a->rows && memcmp(a->cols[c], b->cols[c], a->rows * sizeof(double)) != 0) return 0;
    }
    return 1;
}

/* A meta for d (names borrowed from it), with stats holding odd values. */
static ds_meta make_meta(const char *id, const char *name, int inl, const ds_data *dd,
                         col_stats *stats) {
    ds_meta m;
    memset(&m, 0, sizeof m);
    snprintf(m.id, sizeof m.id, "%s", id);
    m.name = (char *)name;
    m.created_ms = 1700000000123;
    m.inline_data = inl;
    m.rows = dd->d->rows;
    m.ncols = dd->d->ncols;
    m.names = dd->d->names;
    m.stats = stats;
    /* stats per column: what JSON text could lose (non-finite, -0.0, 17 digits) */
    const double lo[3] = {-INFINITY, 1.0 / 3.0, 0.7}, hi[3] = {NAN, INFINITY, 4.9e-324};
    for (size_t c = 0; stats != NULL && c < m.ncols; c++)
        stats[c] = (col_stats){(double)m.rows, c == 0 ? -0.0 : 0.1 * (double)c, 1e-308, lo[c % 3],
                               hi[c % 3]};
    return m;
}

static int same_stat(double a, double b) {
    return (isnan(a) && isnan(b)) || same_bits(a, b);
}

static int same_meta(const ds_meta *a, const ds_meta *b) {
    if (strcmp(a->id, b->id) != 0 || a->created_ms != b->created_ms ||
        a->inline_data != b->inline_data || a->rows != b->rows || a->ncols != b->ncols)
        return 0;
    if ((a->name == NULL) != (b->name == NULL) || (a->name && strcmp(a->name, b->name) != 0))
        return 0;
    if ((a->stats == NULL) != (b->stats == NULL)) return 0;
    for (size_t c = 0; c < a->ncols; c++) {
        if (strcmp(a->names[c], b->names[c]) != 0) return 0;
        if (a->stats == NULL) continue;
        const col_stats *x = &a->stats[c], *y = &b->stats[c];
        if (!same_stat(x->count, y->count) || !same_stat(x->mean, y->mean) ||
            !same_stat(x->sd, y->sd) || !same_stat(x->min, y->min) || !same_stat(x->max, y->max))
            return 0;
    }
    return 1;
}

static int put_ds(store *s, const char *id, const char *name, int inl, size_t ncols, size_t rows) {
    ds_data *dd = make_data(ncols, rows);
    col_stats stats[8];
    ds_meta m = make_meta(id, name, inl, dd, stats);
    int rc = store_dataset_put(s, &m, dd);
    ds_data_release(dd);
    return rc;
}

static job_rec make_job(const char *id, const char *dataset, const char *idem) {
    job_rec j;
    memset(&j, 0, sizeof j);
    snprintf(j.id, sizeof j.id, "%s", id);
    snprintf(j.dataset, sizeof j.dataset, "%s", dataset);
    j.status = JOB_QUEUED;
    j.seed = 42;
    j.created_ms = 1700000000000;
    j.spec_json = (char *)"{\"model\":{\"kind\":\"linear\"},\"epochs\":10}";
    j.idem_key = (char *)idem;
    if (idem != NULL) snprintf(j.body_hash, sizeof j.body_hash, "%064d", 7);
    return j;
}

static int same_str(const char *a, const char *b) {
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int same_bytes(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen) {
    return (a == NULL && b == NULL) ||
           (a != NULL && b != NULL && alen == blen && memcmp(a, b, alen) == 0);
}

/* Sets j's history to text's bytes (borrowed), as tests store them: a
 * store keeps a history's bytes without reading them. */
static void set_history(job_rec *j, const char *text) {
    j->history = (unsigned char *)text;
    j->history_len = strlen(text);
}

/* A history with the bytes a text column would trip on: NULs, a byte that
 * is not UTF-8, and a NUL last. */
static const unsigned char BINARY_HISTORY[] = {'f', 'i', 't', 'd', 'H', '1', 0, 1, 0, 0, 0, 0,
                                               0xff, 0xfe, 0, 0, 0, 0, 0xf0, 0x3f, 0};

/* Every field; history only when with_history. */
static int same_job(const job_rec *a, const job_rec *b, int with_history) {
    return strcmp(a->id, b->id) == 0 && strcmp(a->dataset, b->dataset) == 0 &&
           a->status == b->status && a->seed == b->seed && a->created_ms == b->created_ms &&
           a->started_ms == b->started_ms && a->finished_ms == b->finished_ms &&
           same_str(a->spec_json, b->spec_json) && same_str(a->result_json, b->result_json) &&
           (!with_history || same_bytes(a->history, a->history_len, b->history, b->history_len)) &&
           same_str(a->idem_key, b->idem_key) && strcmp(a->body_hash, b->body_hash) == 0 &&
           a->attempts == b->attempts;
}

static void free_metas(ds_meta **v, size_t n) {
    for (size_t i = 0; i < n; i++) ds_meta_free(v[i]);
    free(v);
}

static void free_jobs(job_rec **v, size_t n) {
    for (size_t i = 0; i < n; i++) job_rec_free(v[i]);
    free(v);
}

static void free_ids(char **v, size_t n) {
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

/* ---- the battery ---- */
static void test_empty(store *s) {
    ds_meta **dl = (ds_meta **)1;
    job_rec **jl = (job_rec **)1;
    size_t n = 9;
    int more = 9;
    CHECK_INT(store_dataset_list(s, NULL, 10, 1, &dl, &n, &more), STORE_OK);
    CHECK(dl == NULL && n == 0 && more == 0);
    CHECK_INT(store_job_list(s, "", 10, -1, 0, &jl, &n, &more), STORE_OK);
    CHECK(jl == NULL && n == 0 && more == 0);
    CHECK_INT(store_job_list(s, NULL, 10, -1, 1, &jl, &n, &more), STORE_OK);
    CHECK(jl == NULL && n == 0 && more == 0);
    CHECK_INT(store_job_list(s, "job_nope", 10, -1, 1, &jl, &n, &more), STORE_NOTFOUND);
    char **ids = (char **)1;
    CHECK_INT(store_job_requeue(s, &ids, &n), STORE_OK);
    CHECK(ids == NULL && n == 0);
    size_t counts[JOB_STATUS_COUNT] = {1, 1, 1, 1, 1};
    CHECK_INT(store_job_counts(s, counts), STORE_OK);
    for (int i = 0; i < JOB_STATUS_COUNT; i++) CHECK_INT(counts[i], 0);
}

/* Datasets ds_a .. ds_e (ds_c inline): put, meta, data. */
static void test_dataset_records(store *s) {
    ds_data *dd = make_data(3, 25);
    col_stats stats[3];
    ds_meta m = make_meta("ds_a", "first \"one\" é", 0, dd, stats);
    CHECK_INT(store_dataset_put(s, &m, dd), STORE_OK);
    CHECK_INT(store_dataset_put(s, &m, dd), STORE_CONFLICT);
    CHECK_INT(put_ds(s, "ds_b", NULL, 0, 1, 0), STORE_OK); /* no rows, no name */
    CHECK_INT(put_ds(s, "ds_c", "inline", 1, 2, 5), STORE_OK);
    CHECK_INT(put_ds(s, "ds_d", "d", 0, 2, 3), STORE_OK);
    CHECK_INT(put_ds(s, "ds_e", "e", 0, 1, 1), STORE_OK);
    ds_meta bad = m;
    bad.rows = 24; /* does not match the columns */
    snprintf(bad.id, sizeof bad.id, "ds_bad");
    CHECK_INT(store_dataset_put(s, &bad, dd), STORE_ERROR);

    ds_meta *got = NULL;
    CHECK_INT(store_dataset_meta(s, "ds_a", &got), STORE_OK);
    CHECK(got != NULL && same_meta(got, &m));
    ds_meta_free(got);
    CHECK_INT(store_dataset_meta(s, "ds_b", &got), STORE_OK);
    CHECK(got != NULL && got->name == NULL && got->rows == 0 && got->ncols == 1);
    ds_meta_free(got);
    CHECK_INT(store_dataset_meta(s, "ds_zz", &got), STORE_NOTFOUND);
    CHECK(got == NULL);
    CHECK_INT(store_dataset_meta(s, "ds_way_too_long_for_any_id_0123456789abcdef", &got),
              STORE_NOTFOUND);
    CHECK_INT(store_dataset_meta(s, NULL, &got), STORE_ERROR);

    ds_data *back = NULL;
    CHECK_INT(store_dataset_data(s, "ds_a", &back), STORE_OK);
    CHECK(back != NULL && same_data(back->d, dd->d));
    if (strcmp(store_kind(s), "memory") == 0)
        CHECK(back == dd); /* a reference, no copy */
    else
        CHECK(back != dd && atomic_load(&back->refs) == 1);
    CHECK(back != NULL && same_bits(back->d->cols[0][0], -0.0) &&
          same_bits(back->d->cols[0][2], tricky[2] * 3.0));
    ds_data_release(back);
    ds_data_release(dd);
    ds_data *empty = NULL;
    CHECK_INT(store_dataset_data(s, "ds_b", &empty), STORE_OK);
    CHECK(empty != NULL && empty->d->rows == 0 && strcmp(empty->d->names[0], "c0") == 0);
    ds_data_release(empty);
    CHECK_INT(store_dataset_data(s, "nope", &empty), STORE_NOTFOUND);
    CHECK(empty == NULL);
}

/* Lists: creation order, inline ones only when asked, pages. */
static void test_dataset_lists(store *s) {
    ds_meta **v = NULL;
    size_t n = 0;
    int more = 0;
    CHECK_INT(store_dataset_list(s, NULL, 2, 0, &v, &n, &more), STORE_OK);
    CHECK(n == 2 && more == 1 && strcmp(v[0]->id, "ds_a") == 0 && strcmp(v[1]->id, "ds_b") == 0);
    CHECK(n == 2 && v[0]->stats != NULL && same_bits(v[0]->stats[1].min, 1.0 / 3.0));
    free_metas(v, n);
    CHECK_INT(store_dataset_list(s, "ds_b", 2, 0, &v, &n, &more), STORE_OK);
    CHECK(n == 2 && more == 0 && strcmp(v[0]->id, "ds_d") == 0 && strcmp(v[1]->id, "ds_e") == 0);
    free_metas(v, n);
    CHECK_INT(store_dataset_list(s, "ds_b", 2, 1, &v, &n, &more), STORE_OK);
    CHECK(n == 2 && more == 1 && strcmp(v[0]->id, "ds_c") == 0 && v[0]->inline_data == 1);
    free_metas(v, n);
    CHECK_INT(store_dataset_list(s, "", 100, 1, &v, &n, &more), STORE_OK);
    CHECK(n == 5 && more == 0);
    free_metas(v, n);
    CHECK_INT(store_dataset_list(s, NULL, 0, 1, &v, &n, &more), STORE_OK);
    CHECK(n == 0 && more == 1 && v == NULL);
    CHECK_INT(store_dataset_list(s, "ds_e", 5, 1, &v, &n, &more), STORE_OK);
    CHECK(n == 0 && more == 0);
    free_metas(v, n);
    CHECK_INT(store_dataset_list(s, "ds_gone", 5, 1, &v, &n, &more), STORE_NOTFOUND);
}

/* Delete: gone for new readers; a reference held stays good. */
static void test_dataset_delete(store *s) {
    ds_data *held = NULL, *dd = NULL;
    ds_meta *got = NULL;
    CHECK_INT(store_dataset_data(s, "ds_a", &held), STORE_OK);
    CHECK_INT(store_dataset_delete(s, "ds_a"), STORE_OK);
    CHECK_INT(store_dataset_delete(s, "ds_a"), STORE_NOTFOUND);
    CHECK_INT(store_dataset_meta(s, "ds_a", &got), STORE_NOTFOUND);
    CHECK_INT(store_dataset_data(s, "ds_a", &dd), STORE_NOTFOUND);
    CHECK(held != NULL && same_bits(held->d->cols[2][3], tricky[5] * 4.0));
    ds_data_release(held);
    ds_meta **v = NULL;
    size_t n = 0;
    int more = 0;
    CHECK_INT(store_dataset_list(s, NULL, 100, 0, &v, &n, &more), STORE_OK);
    CHECK(n == 3 && strcmp(v[0]->id, "ds_b") == 0);
    free_metas(v, n);
    CHECK_INT(put_ds(s, "ds_a", "again", 0, 1, 2), STORE_OK); /* a new one, now last */
    CHECK_INT(store_dataset_list(s, "ds_e", 100, 0, &v, &n, &more), STORE_OK);
    CHECK(n == 1 && strcmp(v[0]->id, "ds_a") == 0);
    free_metas(v, n);
}

/* A column over more than two sqlite chunks, with tricky values at the
 * chunk edges. */
static void test_big_column(store *s) {
    const size_t rows = 2000003;
    ds_data *dd = make_data(2, rows);
    dd->d->cols[0][999999] = -0.0;
    dd->d->cols[0][1000000] = 1e-308;
    dd->d->cols[1][rows - 1] = 1.7976931348623157e308;
    ds_meta m = make_meta("ds_big", "big", 0, dd, NULL);
    CHECK_INT(store_dataset_put(s, &m, dd), STORE_OK);
    ds_data *back = NULL;
    CHECK_INT(store_dataset_data(s, "ds_big", &back), STORE_OK);
    CHECK(back != NULL && same_data(back->d, dd->d));
    ds_meta *got = NULL;
    CHECK_INT(store_dataset_meta(s, "ds_big", &got), STORE_OK);
    CHECK(got != NULL && got->stats == NULL && same_meta(got, &m));
    ds_meta_free(got);
    ds_data_release(back);
    ds_data_release(dd);
}

/* Six jobs, one per status (two running), every other one with a key;
 * conflicts on the id and on the key. */
static void test_job_put(store *s) {
    const char *names[6] = {"job_q", "job_r", "job_s", "job_f", "job_c", "job_r2"};
    const job_status sts[6] = {JOB_QUEUED, JOB_RUNNING,   JOB_SUCCEEDED,
                               JOB_FAILED, JOB_CANCELLED, JOB_RUNNING};
    for (int i = 0; i < 6; i++) {
        char key[32];
        snprintf(key, sizeof key, "key-%d", i);
        job_rec j = make_job(names[i], "ds_b", i % 2 ? key : NULL);
        j.status = sts[i];
        CHECK_INT(store_job_put(s, &j), STORE_OK);
    }
    job_rec dup = make_job("job_q", "ds_b", NULL);
    CHECK_INT(store_job_put(s, &dup), STORE_CONFLICT); /* same id */
    dup = make_job("job_new", "ds_b", "key-1");
    CHECK_INT(store_job_put(s, &dup), STORE_CONFLICT); /* same key */
    CHECK_INT(store_job_get(s, "job_new", &(job_rec *){NULL}), STORE_NOTFOUND);
    dup.status = JOB_STATUS_COUNT;
    CHECK_INT(store_job_put(s, &dup), STORE_ERROR);

    job_rec *got = NULL;
    CHECK_INT(store_job_by_idem(s, "key-1", &got), STORE_OK);
    CHECK(got != NULL && strcmp(got->id, "job_r") == 0 && got->history == NULL);
    job_rec want = make_job("job_r", "ds_b", "key-1");
    want.status = JOB_RUNNING;
    CHECK(got != NULL && same_job(got, &want, 1));
    job_rec_free(got);
    CHECK_INT(store_job_by_idem(s, "key-2", &got), STORE_NOTFOUND);
    CHECK(got == NULL);
}

/* Update: every field it rewrites, and none it does not. */
static void test_job_update(store *s) {
    job_rec u = make_job("job_s", "ds_other", "ignored");
    u.status = JOB_FAILED;
    u.seed = UINT64_MAX; /* not rewritten by update */
    u.started_ms = 1700000000500;
    u.finished_ms = 1700000009999;
    u.attempts = 3;
    u.result_json =
        (char *)"{\"params\":{\"m\":-0.0,\"b\":1e-308},\"error\":\"said \\\"no\\\" é\"}";
    u.history = (unsigned char *)BINARY_HISTORY;
    u.history_len = sizeof BINARY_HISTORY;
    CHECK_INT(store_job_update(s, &u, -1), STORE_OK);
    job_rec *got = NULL;
    CHECK_INT(store_job_get(s, "job_s", &got), STORE_OK);
    job_rec want = make_job("job_s", "ds_b", NULL);
    want.status = JOB_FAILED;
    want.started_ms = u.started_ms;
    want.finished_ms = u.finished_ms;
    want.attempts = 3;
    want.result_json = u.result_json;
    want.history = u.history;
    want.history_len = u.history_len;
    CHECK(got != NULL && same_job(got, &want, 1));
    job_rec_free(got);
    job_rec ghost = make_job("job_ghost", "ds_b", NULL);
    CHECK_INT(store_job_update(s, &ghost, -1), STORE_NOTFOUND);
    CHECK_INT(store_job_update(s, &ghost, JOB_QUEUED), STORE_NOTFOUND);
    /* conditional: only from the status it names */
    u.status = JOB_CANCELLED;
    CHECK_INT(store_job_update(s, &u, JOB_RUNNING), STORE_CONFLICT);
    CHECK_INT(store_job_update(s, &u, JOB_QUEUED), STORE_CONFLICT);
    got = NULL;
    CHECK_INT(store_job_get(s, "job_s", &got), STORE_OK);
    CHECK(got != NULL && got->status == JOB_FAILED);
    job_rec_free(got);
    u.status = JOB_FAILED;
    CHECK_INT(store_job_update(s, &u, JOB_FAILED), STORE_OK);

    /* seeds with the top bit set, and a round trip of a whole record */
    const uint64_t seeds[3] = {UINT64_MAX, (uint64_t)1 << 63, ((uint64_t)1 << 63) + 12345};
    for (int i = 0; i < 3; i++) {
        char id[32];
        snprintf(id, sizeof id, "job_seed%d", i);
        job_rec j = make_job(id, "ds_b", NULL);
        j.seed = seeds[i];
        j.status = JOB_SUCCEEDED;
        j.started_ms = -1;
        j.finished_ms = INT64_MAX;
        j.attempts = 2;
        j.result_json = (char *)"{}";
        set_history(&j, "{\"epoch\":[]}");
        CHECK_INT(store_job_put(s, &j), STORE_OK);
        CHECK_INT(store_job_get(s, id, &got), STORE_OK);
        CHECK(got != NULL && same_job(got, &j, 1) && got->seed == seeds[i]);
        job_rec_free(got);
    }
}

static void note_rc(void *ctx, int rc) {
    *(int *)ctx = rc;
}

/* Asynchronous inserts and status changes, queued faster than they commit
 * (the sqlite store then folds a job's chain into one statement): each
 * callback gets the status the writes would have had one by one, and the
 * stored jobs end where the chains say. Job i: inserted; "running" unless
 * i % 3 == 2; "succeeded" (with a result) when i % 3 == 0; a cancel from
 * queued when i % 5 == 0, which only the never-started ones take. */
static void test_job_async(store *s) {
    enum { N = 150 };
    static int put_rc[N], run_rc[N], end_rc[N], cancel_rc[N];
    char id[32];
    int queued_ok = 1;
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "job_async%03d", i);
        job_rec j = make_job(id, "ds_b", NULL);
        put_rc[i] = run_rc[i] = end_rc[i] = cancel_rc[i] = -99;
        queued_ok &= store_job_put_async(s, &j, note_rc, &put_rc[i]) == STORE_OK;
        if (i % 3 != 2) {
            j.status = JOB_RUNNING;
            j.started_ms = 1700000000100 + i;
            j.attempts = 1;
            queued_ok &= store_job_update_async(s, &j, JOB_QUEUED, note_rc, &run_rc[i]) == STORE_OK;
        }
        if (i % 3 == 0) {
            j.status = JOB_SUCCEEDED;
            j.finished_ms = 1700000000900 + i;
            j.result_json = (char *)"{\"loss\":0.25}";
            set_history(&j, "{\"epoch\":[1]}");
            queued_ok &= store_job_update_async(s, &j, JOB_RUNNING, note_rc, &end_rc[i]) == STORE_OK;
        }
        if (i % 5 == 0) {
            job_rec c = make_job(id, "ds_b", NULL);
            c.status = JOB_CANCELLED;
            c.finished_ms = 1700000000999;
            queued_ok &= store_job_update_async(s, &c, JOB_QUEUED, note_rc, &cancel_rc[i]) == STORE_OK;
        }
    }
    CHECK(queued_ok);
    /* a synchronous write returns after everything queued before it */
    job_rec ghost = make_job("job_async_ghost", "ds_b", NULL);
    CHECK_INT(store_job_update(s, &ghost, -1), STORE_NOTFOUND);
    int wrong_rc = 0, wrong_row = 0;
    for (int i = 0; i < N; i++) {
        int never_started = i % 3 == 2;
        wrong_rc += put_rc[i] != STORE_OK;
        wrong_rc += run_rc[i] != (never_started ? -99 : STORE_OK);
        wrong_rc += end_rc[i] != (i % 3 == 0 ? STORE_OK : -99);
        wrong_rc += cancel_rc[i] != (i % 5 ? -99 : never_started ? STORE_OK : STORE_CONFLICT);
        job_status want = i % 3 == 0 ? JOB_SUCCEEDED
                          : !never_started ? JOB_RUNNING
                          : i % 5 == 0 ? JOB_CANCELLED
                                       : JOB_QUEUED;
        job_rec *got = NULL;
        snprintf(id, sizeof id, "job_async%03d", i);
        if (store_job_get(s, id, &got) != STORE_OK || got->status != want ||
            got->attempts != (never_started ? 0 : 1) ||
            got->started_ms != (never_started ? 0 : 1700000000100 + i) ||
            (want == JOB_SUCCEEDED && (!same_str(got->result_json, "{\"loss\":0.25}") ||
                                       !same_bytes(got->history, got->history_len, (const unsigned char *)"{\"epoch\":[1]}", 13) ||
                                       got->finished_ms != 1700000000900 + i)) ||
            (want == JOB_CANCELLED && got->finished_ms != 1700000000999) ||
            !same_str(got->spec_json, "{\"model\":{\"kind\":\"linear\"},\"epochs\":10}"))
            wrong_row++;
        job_rec_free(got);
    }
    CHECK_INT(wrong_rc, 0);
    CHECK_INT(wrong_row, 0);
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "job_async%03d", i);
        store_job_delete(s, id);
    }
}

/* Lists: creation order, history left out, status filter, pages; counts. */
static void test_job_lists(store *s) {
    job_rec **v = NULL;
    size_t n = 0;
    int more = 0;
    CHECK_INT(store_job_list(s, NULL, 4, -1, 0, &v, &n, &more), STORE_OK);
    CHECK(n == 4 && more == 1 && strcmp(v[0]->id, "job_q") == 0 && strcmp(v[3]->id, "job_f") == 0);
    CHECK(n == 4 && v[2]->history == NULL && v[2]->result_json != NULL &&
          strstr(v[2]->result_json, "said") != NULL);
    free_jobs(v, n);
    CHECK_INT(store_job_list(s, "job_f", 4, -1, 0, &v, &n, &more), STORE_OK);
    CHECK(n == 4 && more == 1 && strcmp(v[0]->id, "job_c") == 0);
    free_jobs(v, n);
    CHECK_INT(store_job_list(s, "job_seed1", 4, -1, 0, &v, &n, &more), STORE_OK);
    CHECK(n == 1 && more == 0 && strcmp(v[0]->id, "job_seed2") == 0);
    free_jobs(v, n);
    CHECK_INT(store_job_list(s, NULL, 1, JOB_RUNNING, 0, &v, &n, &more), STORE_OK);
    CHECK(n == 1 && more == 1 && strcmp(v[0]->id, "job_r") == 0);
    free_jobs(v, n);
    CHECK_INT(store_job_list(s, "job_r", 1, JOB_RUNNING, 0, &v, &n, &more), STORE_OK);
    CHECK(n == 1 && more == 0 && strcmp(v[0]->id, "job_r2") == 0);
    free_jobs(v, n);
    CHECK_INT(store_job_list(s, NULL, 10, JOB_SUCCEEDED, 0, &v, &n, &more), STORE_OK);
    CHECK(n == 3 && more == 0 && strcmp(v[0]->id, "job_seed0") == 0);
    free_jobs(v, n);
    CHECK_INT(store_job_list(s, "job_nope", 10, -1, 0, &v, &n, &more), STORE_NOTFOUND);
    CHECK_INT(store_job_list(s, NULL, 10, JOB_STATUS_COUNT, 0, &v, &n, &more), STORE_ERROR);

    size_t counts[JOB_STATUS_COUNT];
    CHECK_INT(store_job_counts(s, counts), STORE_OK);
    CHECK(counts[JOB_QUEUED] == 1 && counts[JOB_RUNNING] == 2 && counts[JOB_SUCCEEDED] == 3 &&
          counts[JOB_FAILED] == 2 && counts[JOB_CANCELLED] == 1);
}

/* The ids of jobs with status st (-1: all), walked page by page of
 * page_size in one order (newest_first or not), joined with spaces into
 * buf[cap]; every page but the last is full and says there is more.
 * Returns the count, or -1 when a call failed or a page was wrong. */
static int walk_ids(store *s, int st, int newest_first, size_t page_size, char *buf, size_t cap) {
    char after[STORE_ID_MAX] = "";
    int total = 0, more = 1;
    size_t len = 0;
    buf[0] = '\0';
    while (more) {
        job_rec **v = NULL;
        size_t n = 0;
        if (store_job_list(s, after, page_size, st, newest_first, &v, &n, &more) != STORE_OK)
            return -1;
        int bad = (more && n != page_size) || n > page_size;
        for (size_t k = 0; k < n && !bad; k++) {
            if (st >= 0 && (int)v[k]->status != st) bad = 1;
            if (v[k]->history != NULL) bad = 1;
            int w = snprintf(buf + len, cap - len, "%s%s", len ? " " : "", v[k]->id);
            if (w < 0 || (size_t)w >= cap - len)
                bad = 1;
            else
                len += (size_t)w;
            total++;
        }
        if (n > 0) snprintf(after, sizeof after, "%s", v[n - 1]->id);
        free_jobs(v, n);
        if (bad || (more && n == 0)) return -1;
    }
    return total;
}

/* The words of a (space-separated) in reverse order, into out[cap]. */
static void reverse_words(const char *a, char *out, size_t cap) {
    size_t len = strlen(a), o = 0;
    out[0] = '\0';
    while (len > 0) {
        size_t start = len;
        while (start > 0 && a[start - 1] != ' ') start--;
        if (o + (len - start) + 2 > cap) break;
        if (o) out[o++] = ' ';
        memcpy(out + o, a + start, len - start);
        o += len - start;
        out[o] = '\0';
        len = start > 0 ? start - 1 : 0;
    }
}

/* Newest first walks the same jobs the other way, for every page size and
 * status filter: its pages are the reverse of the oldest-first pages. */
static void check_both_orders(store *s, int st, int want_total) {
    static char fwd[64 * 1024], back[64 * 1024], rev[64 * 1024];
    const size_t sizes[] = {1, 2, 3, 4, 64, 1000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int nf = walk_ids(s, st, 0, sizes[i], fwd, sizeof fwd);
        int nb = walk_ids(s, st, 1, sizes[i], back, sizeof back);
        CHECK_INT(nf, want_total);
        CHECK_INT(nb, want_total);
        reverse_words(fwd, rev, sizeof rev);
        if (!CHECK(strcmp(rev, back) == 0))
            fprintf(stderr, "  page size %zu status %d:\n  oldest: %s\n  newest: %s\n", sizes[i],
                    st, fwd, back);
    }
}

/* Newest first: the reverse of creation order, pages continuing backwards
 * from the last id of the one before, the status filter, the edges. */
static void test_job_lists_newest(store *s) {
    job_rec **v = NULL;
    size_t n = 0;
    int more = 0;
    /* creation order: q r s f c r2 seed0 seed1 seed2 */
    CHECK_INT(store_job_list(s, NULL, 4, -1, 1, &v, &n, &more), STORE_OK);
    CHECK(n == 4 && more == 1 && strcmp(v[0]->id, "job_seed2") == 0 &&
          strcmp(v[1]->id, "job_seed1") == 0 && strcmp(v[2]->id, "job_seed0") == 0 &&
          strcmp(v[3]->id, "job_r2") == 0);
    CHECK(n == 4 && v[0]->history == NULL && v[0]->result_json != NULL &&
          strcmp(v[0]->result_json, "{}") == 0);
    free_jobs(v, n);
    CHECK_INT(store_job_list(s, "job_r2", 4, -1, 1, &v, &n, &more), STORE_OK);
    CHECK(n == 4 && more == 1 && strcmp(v[0]->id, "job_c") == 0 && strcmp(v[1]->id, "job_f") == 0 &&
          strcmp(v[2]->id, "job_s") == 0 && strcmp(v[3]->id, "job_r") == 0);
    free_jobs(v, n);
    CHECK_INT(store_job_list(s, "job_r", 4, -1, 1, &v, &n, &more), STORE_OK);
    CHECK(n == 1 && more == 0 && strcmp(v[0]->id, "job_q") == 0);
    free_jobs(v, n);
    CHECK_INT(store_job_list(s, "job_q", 4, -1, 1, &v, &n, &more), STORE_OK); /* the oldest */
    CHECK(v == NULL && n == 0 && more == 0);
    CHECK_INT(store_job_list(s, "", 9, -1, 1, &v, &n, &more), STORE_OK); /* exactly all */
    CHECK(n == 9 && more == 0 && strcmp(v[0]->id, "job_seed2") == 0 &&
          strcmp(v[8]->id, "job_q") == 0);
    free_jobs(v, n);
    CHECK_INT(store_job_list(s, NULL, 1, JOB_RUNNING, 1, &v, &n, &more), STORE_OK);
    CHECK(n == 1 && more == 1 && strcmp(v[0]->id, "job_r2") == 0);
    free_jobs(v, n);
    CHECK_INT(store_job_list(s, "job_r2", 1, JOB_RUNNING, 1, &v, &n, &more), STORE_OK);
    CHECK(n == 1 && more == 0 && strcmp(v[0]->id, "job_r") == 0);
    free_jobs(v, n);
    /* after a job of another status: still from where it stands */
    CHECK_INT(store_job_list(s, "job_seed0", 10, JOB_RUNNING, 1, &v, &n, &more), STORE_OK);
    CHECK(n == 2 && more == 0 && strcmp(v[0]->id, "job_r2") == 0 && strcmp(v[1]->id, "job_r") == 0);
    free_jobs(v, n);
    CHECK_INT(store_job_list(s, NULL, 10, JOB_SUCCEEDED, 1, &v, &n, &more), STORE_OK);
    CHECK(n == 3 && more == 0 && strcmp(v[0]->id, "job_seed2") == 0 &&
          strcmp(v[2]->id, "job_seed0") == 0);
    free_jobs(v, n);
    CHECK_INT(store_job_list(s, "job_s", 10, JOB_SUCCEEDED, 1, &v, &n, &more), STORE_OK);
    CHECK(v == NULL && n == 0 && more == 0); /* none older than job_s succeeded */
    CHECK_INT(store_job_list(s, "job_nope", 10, -1, 1, &v, &n, &more), STORE_NOTFOUND);
    CHECK(v == NULL && n == 0 && more == 0);
    CHECK_INT(store_job_list(s, NULL, 10, JOB_STATUS_COUNT, 1, &v, &n, &more), STORE_ERROR);
    CHECK_INT(store_job_list(s, NULL, 10, -1, 7, &v, &n, &more), STORE_OK); /* any nonzero */
    CHECK(n == 9 && strcmp(v[0]->id, "job_seed2") == 0);
    free_jobs(v, n);
    check_both_orders(s, -1, 9);
    check_both_orders(s, JOB_RUNNING, 2);
    check_both_orders(s, JOB_FAILED, 2);
    check_both_orders(s, JOB_QUEUED, 1);
}

/* Delete: the key goes with the job and may be used again. */
static void test_job_delete(store *s) {
    job_rec *got = NULL;
    CHECK_INT(store_job_delete(s, "job_c"), STORE_OK);
    CHECK_INT(store_job_delete(s, "job_c"), STORE_NOTFOUND);
    CHECK_INT(store_job_get(s, "job_c", &got), STORE_NOTFOUND);
    CHECK_INT(store_job_by_idem(s, "key-4", &got), STORE_NOTFOUND);
    job_rec again = make_job("job_c2", "ds_b", "key-4");
    CHECK_INT(store_job_put(s, &again), STORE_OK);
    CHECK_INT(store_job_by_idem(s, "key-4", &got), STORE_OK);
    CHECK(got != NULL && strcmp(got->id, "job_c2") == 0);
    job_rec_free(got);
    /* newest first: the new job leads, the deleted one is gone from between
       its neighbours */
    job_rec **v = NULL;
    size_t n = 0;
    int more = 0;
    CHECK_INT(store_job_list(s, NULL, 2, -1, 1, &v, &n, &more), STORE_OK);
    CHECK(n == 2 && more == 1 && strcmp(v[0]->id, "job_c2") == 0 &&
          strcmp(v[1]->id, "job_seed2") == 0);
    free_jobs(v, n);
    CHECK_INT(store_job_list(s, "job_r2", 1, -1, 1, &v, &n, &more), STORE_OK);
    CHECK(n == 1 && more == 1 && strcmp(v[0]->id, "job_f") == 0);
    free_jobs(v, n);
    CHECK_INT(store_job_list(s, "job_c", 1, -1, 1, &v, &n, &more), STORE_NOTFOUND);
    check_both_orders(s, -1, 9);
}

/* After the job tests: queued and running jobs come back queued, in creation
 * order; the others keep their status. */
static void test_requeue(store *s) {
    char **ids = NULL;
    size_t n = 0;
    CHECK_INT(store_job_requeue(s, &ids, &n), STORE_OK);
    CHECK(n == 4 && strcmp(ids[0], "job_q") == 0 && strcmp(ids[1], "job_r") == 0 &&
          strcmp(ids[2], "job_r2") == 0 && strcmp(ids[3], "job_c2") == 0);
    free_ids(ids, n);
    size_t counts[JOB_STATUS_COUNT];
    CHECK_INT(store_job_counts(s, counts), STORE_OK);
    CHECK(counts[JOB_QUEUED] == 4 && counts[JOB_RUNNING] == 0 && counts[JOB_SUCCEEDED] == 3 &&
          counts[JOB_FAILED] == 2 && counts[JOB_CANCELLED] == 0);
    job_rec *got = NULL;
    CHECK_INT(store_job_get(s, "job_r", &got), STORE_OK);
    CHECK(got != NULL && got->status == JOB_QUEUED && got->seed == 42);
    job_rec_free(got);
    CHECK_INT(store_job_requeue(s, &ids, &n), STORE_OK); /* again: the same ids */
    CHECK(n == 4 && strcmp(ids[3], "job_c2") == 0);
    free_ids(ids, n);
}

/* Inline datasets go when no job names them: one by id, or all those
 * made before a time; datasets a job names, and uploaded ones, stay. */
static void test_sweep_inline(store *s) {
    const int64_t made = 1700000000123; /* make_meta's created_ms */
    CHECK_INT(put_ds(s, "ds_sw1", NULL, 1, 1, 3), STORE_OK);
    CHECK_INT(put_ds(s, "ds_sw2", NULL, 1, 1, 3), STORE_OK);
    CHECK_INT(put_ds(s, "ds_sw3", NULL, 0, 1, 3), STORE_OK);
    CHECK_INT(put_ds(s, "ds_sw4", NULL, 1, 1, 3), STORE_OK);
    job_rec j = make_job("job_sw2", "ds_sw2", NULL);
    CHECK_INT(store_job_put(s, &j), STORE_OK);
    size_t n = 9;
    CHECK_INT(store_dataset_sweep_inline(s, NULL, made, &n), STORE_OK);
    CHECK_INT((long long)n, 0); /* none made before then */
    CHECK_INT(store_dataset_sweep_inline(s, "ds_sw4", made, &n), STORE_OK);
    CHECK_INT((long long)n, 0);
    CHECK_INT(store_dataset_sweep_inline(s, "ds_sw4", INT64_MAX, &n), STORE_OK);
    CHECK_INT((long long)n, 1);
    CHECK_INT(store_dataset_sweep_inline(s, "ds_sw4", INT64_MAX, &n), STORE_OK);
    CHECK_INT((long long)n, 0); /* gone already */
    CHECK_INT(store_dataset_sweep_inline(s, "ds_sw2", INT64_MAX, &n), STORE_OK);
    CHECK_INT((long long)n, 0); /* job_sw2 names it */
    CHECK_INT(store_dataset_sweep_inline(s, "ds_sw3", INT64_MAX, &n), STORE_OK);
    CHECK_INT((long long)n, 0); /* uploaded, not inline */
    CHECK_INT(store_dataset_sweep_inline(s, "no such id", INT64_MAX, &n), STORE_OK);
    CHECK_INT((long long)n, 0);
    ds_meta *m = NULL;
    CHECK_INT(store_dataset_meta(s, "ds_sw1", &m), STORE_OK);
    ds_meta_free(m);
    m = NULL;
    CHECK_INT(store_dataset_meta(s, "ds_sw4", &m), STORE_NOTFOUND);
    ds_data *dd = NULL;
    CHECK_INT(store_dataset_data(s, "ds_sw4", &dd), STORE_NOTFOUND);
    /* all: ds_sw1 and test_dataset_records's ds_c, which no job names */
    CHECK_INT(store_dataset_sweep_inline(s, NULL, made + 1, &n), STORE_OK);
    CHECK_INT((long long)n, 2);
    CHECK_INT(store_dataset_meta(s, "ds_sw1", &m), STORE_NOTFOUND);
    CHECK_INT(store_dataset_meta(s, "ds_c", &m), STORE_NOTFOUND);
    CHECK_INT(store_dataset_meta(s, "ds_sw2", &m), STORE_OK);
    ds_meta_free(m);
    m = NULL;
    CHECK_INT(store_dataset_meta(s, "ds_sw3", &m), STORE_OK);
    ds_meta_free(m);
    /* once its job is gone, ds_sw2 goes too */
    CHECK_INT(store_job_delete(s, "job_sw2"), STORE_OK);
    CHECK_INT(store_dataset_sweep_inline(s, "ds_sw2", INT64_MAX, &n), STORE_OK);
    CHECK_INT((long long)n, 1);
    CHECK_INT(store_dataset_sweep_inline(s, NULL, INT64_MAX, &n), STORE_OK);
    CHECK_INT((long long)n, 0);
}

static void battery(store *s) {
    test_empty(s);
    test_dataset_records(s);
    test_dataset_lists(s);
    test_dataset_delete(s);
    test_big_column(s);
    test_job_put(s);
    test_job_update(s);
    test_job_async(s);
    test_job_lists(s);
    test_job_lists_newest(s);
    test_job_delete(s);
    test_requeue(s);
    test_sweep_inline(s);
}

/* ---- a text dump of everything in a store, to compare two of them ---- */

static void dump_double(FILE *f, double x) {
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    fprintf(f, " %016llx", (unsigned long long)u);
}

static void dump_store(store *s, FILE *f) {
    ds_meta **dv = NULL;
    job_rec **jv = NULL;
    size_t n = 0, counts[JOB_STATUS_COUNT];
    int more = 0;
    CHECK_INT(store_dataset_list(s, NULL, 1000, 1, &dv, &n, &more), STORE_OK);
    for (size_t i = 0; i < n; i++) {
        const ds_meta *m = dv[i];
        fprintf(f, "ds %s %s %lld %d %zu %zu\n", m->id, m->name ? m->name : "-",
                (long long)m->created_ms, m->inline_data, m->rows, m->ncols);
        for (size_t c = 0; c < m->ncols; c++) {
            fprintf(f, " %s", m->names[c]);
            if (m->stats) dump_double(f, m->stats[c].mean);
        }
        ds_data *dd = NULL;
        CHECK_INT(store_dataset_data(s, m->id, &dd), STORE_OK);
        uint64_t h = 14695981039346656037ULL;
        for (size_t c = 0; dd != NULL && c < dd->d->ncols; c++) {
            const unsigned char *b = (const unsigned char *)dd->d->cols[c];
            for (size_t k = 0; k < dd->d->rows * sizeof(double); k++)
                h = (h ^ b[k]) * 1099511628211ULL;
        }
        fprintf(f, " data %016llx\n", (unsigned long long)h);
        ds_data_release(dd);
    }
    free_metas(dv, n);
    CHECK_INT(store_job_list(s, NULL, 1000, -1, 0, &jv, &n, &more), STORE_OK);
    for (size_t i = 0; i < n; i++) {
        job_rec *j = NULL;
        CHECK_INT(store_job_get(s, jv[i]->id, &j), STORE_OK);
        if (j == NULL) continue;
        fprintf(f, "job %s %s %s %llu %lld %lld %lld %d [%s] [%s] [", j->id, j->dataset,
                job_status_name(j->status), (unsigned long long)j->seed, (long long)j->created_ms,
                (long long)j->started_ms, (long long)j->finished_ms, j->attempts,
                j->spec_json ? j->spec_json : "-", j->result_json ? j->result_json : "-");
        for (size_t b = 0; j->history && b < j->history_len; b++) fprintf(f, "%02x", j->history[b]);
        fprintf(f, "%s] [%s] [%s]\n", j->history ? "" : "-", j->idem_key ? j->idem_key : "-",
                j->body_hash);
        job_rec_free(j);
    }
    free_jobs(jv, n);
    CHECK_INT(store_job_counts(s, counts), STORE_OK);
    for (int i = 0; i < JOB_STATUS_COUNT; i++) fprintf(f, "count %zu\n", counts[i]);
}

static char *dump(store *s) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL) return NULL;
    dump_store(s, f);
    fclose(f);
    return text;
}

/* ---- 8 threads at once ---- */

#define NTHREADS 8
#define PER_THREAD 50

typedef struct worker {
    store *s;
    int t;
    int bad; /* failed expectations (check.h's counters are not thread-safe) */
} worker;

static void *work(void *arg) {
    worker *w = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        char id[STORE_ID_MAX], key[32], result[64];
        snprintf(id, sizeof id, "job_t%d_%03d", w->t, i);
        snprintf(key, sizeof key, "key-%d-%d", w->t, i);
        job_rec j = make_job(id, "ds_shared", i % 2 ? key : NULL);
        j.seed = ((uint64_t)w->t << 60) | (uint64_t)i;
        w->bad += store_job_put(w->s, &j) != STORE_OK;
        j.status = JOB_RUNNING;
        j.started_ms = 1 + i;
        j.attempts = 1;
        w->bad += store_job_update(w->s, &j, JOB_QUEUED) != STORE_OK;
        snprintf(result, sizeof result, "{\"loss\":%d.%d}", w->t, i);
        j.status = JOB_SUCCEEDED;
        j.finished_ms = 2 + i;
        j.result_json = result;
        set_history(&j, "{\"epoch\":[1]}");
        w->bad += store_job_update(w->s, &j, JOB_RUNNING) != STORE_OK;
        job_rec *got = NULL;
        w->bad += store_job_get(w->s, id, &got) != STORE_OK || got == NULL || !same_job(got, &j, 1);
        job_rec_free(got);
        if (i % 10 != 0) continue;
        ds_data *dd = NULL;
        w->bad += store_dataset_data(w->s, "ds_shared", &dd) != STORE_OK || dd == NULL ||
                  dd->d->rows != 1000 || !same_bits(dd->d->cols[1][999], tricky[0] * 6.0);
        ds_data_release(dd);
        job_rec **v = NULL;
        size_t n = 0, counts[JOB_STATUS_COUNT];
        int more = 0;
        w->bad += store_job_list(w->s, NULL, 5, -1, 0, &v, &n, &more) != STORE_OK;
        free_jobs(v, n);
        w->bad += store_job_counts(w->s, counts) != STORE_OK;
    }
    return NULL;
}

static void test_threads(store *s) {
    CHECK_INT(put_ds(s, "ds_shared", "shared", 0, 2, 1000), STORE_OK);
    pthread_t th[NTHREADS];
    worker w[NTHREADS];
    for (int t = 0; t < NTHREADS; t++) {
        w[t] = (worker){s, t, 0};
        CHECK(pthread_create(&th[t], NULL, work, &w[t]) == 0);
    }
    for (int t = 0; t < NTHREADS; t++) {
        pthread_join(th[t], NULL);
        CHECK_INT(w[t].bad, 0);
    }
    size_t counts[JOB_STATUS_COUNT];
    CHECK_INT(store_job_counts(s, counts), STORE_OK);
    CHECK_INT(counts[JOB_SUCCEEDED], NTHREADS * PER_THREAD);
    /* all there, each thread's in the order it made them */
    int next[NTHREADS] = {0}, total = 0, in_order = 1, more = 1;
    char after[STORE_ID_MAX] = "";
    while (more) {
        job_rec **v = NULL;
        size_t n = 0;
        if (!CHECK(store_job_list(s, after, 64, JOB_SUCCEEDED, 0, &v, &n, &more) == STORE_OK))
            break;
        for (size_t k = 0; k < n; k++) {
            int t = -1, i = -1;
            sscanf(v[k]->id, "job_t%d_%d", &t, &i);
            if (t < 0 || t >= NTHREADS || i != next[t])
                in_order = 0;
            else
                next[t]++;
            total++;
        }
        if (n > 0) snprintf(after, sizeof after, "%s", v[n - 1]->id);
        free_jobs(v, n);
    }
    CHECK_INT(total, NTHREADS * PER_THREAD);
    CHECK(in_order);
    /* newest first: each thread's jobs come back in the reverse order */
    total = 0;
    more = 1;
    after[0] = '\0';
    for (int t = 0; t < NTHREADS; t++) next[t] = PER_THREAD - 1;
    while (more) {
        job_rec **v = NULL;
        size_t n = 0;
        if (!CHECK(store_job_list(s, after, 64, JOB_SUCCEEDED, 1, &v, &n, &more) == STORE_OK))
            break;
        for (size_t k = 0; k < n; k++) {
            int t = -1, i = -1;
            sscanf(v[k]->id, "job_t%d_%d", &t, &i);
            if (t < 0 || t >= NTHREADS || i != next[t])
                in_order = 0;
            else
                next[t]--;
            total++;
        }
        if (n > 0) snprintf(after, sizeof after, "%s", v[n - 1]->id);
        free_jobs(v, n);
    }
    CHECK_INT(total, NTHREADS * PER_THREAD);
    CHECK(in_order);
    job_rec *got = NULL;
    CHECK_INT(store_job_by_idem(s, "key-7-49", &got), STORE_OK);
    CHECK(got != NULL && strcmp(got->id, "job_t7_049") == 0 && got->seed == ((7ULL << 60) | 49));
    job_rec_free(got);
}

#endif
