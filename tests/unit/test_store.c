/* test_store.c - the store (src/service/store*.c): one battery run against
 * the memory and the sqlite store (datasets: put, meta, bit-exact data,
 * lists and paging, delete; jobs: put, conflicts, idempotency keys, update
 * of every field, lists oldest and newest first, requeue, counts), then what only the sqlite store
 * promises: everything still there after close and reopen, after a kill -9,
 * the schema, chunked columns, corruption reported as an error, and one
 * fitd per data directory. Last, 8 threads at once on each kind.
 *
 * With FITD_TEST_DATABASE_URL set (make test-pg sets it to a throwaway
 * server, tests/pg), the postgres store too, each part on a database of its
 * own: the battery, reopening, damage, 8 threads; then the shared queue
 * with two store handles as two replicas (claim order, leases renewed,
 * expired and reaped, cancels, updates bound to the lease holder, start-up
 * requeue), 8 threads claiming at once, events between the replicas and
 * recovery after the server ended every connection, a database gone for
 * good, and four replicas migrating an empty database at once. */
#include <dirent.h>
#include <libpq-fe.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "service/store.h"

/* ---- helpers ---- */

static int same_bits(double a, double b) {
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Removes path and everything under it. */
static void rm_tree(const char *path) {
    struct stat sb;
    if (lstat(path, &sb) != 0) return;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d != NULL && (e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            rm_tree(sub);
        }
        if (d != NULL) closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
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

/* Every field; history only when with_history. */
static int same_job(const job_rec *a, const job_rec *b, int with_history) {
    return strcmp(a->id, b->id) == 0 && strcmp(a->dataset, b->dataset) == 0 &&
           a->status == b->status && a->seed == b->seed && a->created_ms == b->created_ms &&
           a->started_ms == b->started_ms && a->finished_ms == b->finished_ms &&
           same_str(a->spec_json, b->spec_json) && same_str(a->result_json, b->result_json) &&
           (!with_history || same_str(a->history_json, b->history_json)) &&
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

static void test_names(void) {
    for (int st = 0; st < JOB_STATUS_COUNT; st++)
        CHECK_INT(job_status_by_name(job_status_name((job_status)st)), st);
    CHECK_STR(job_status_name(JOB_CANCELLED), "cancelled");
    CHECK_INT(job_status_by_name("done"), -1);
    CHECK_INT(job_status_by_name(NULL), -1);
    char err[256];
    CHECK(store_open("postgres", NULL, err, sizeof err) == NULL);
    CHECK(strstr(err, "postgres") != NULL);
    CHECK(store_open_sized("postgres", "", 2, err, sizeof err) == NULL);
    CHECK(strstr(err, "connection string") != NULL);
    /* nothing listens on port 1: refused at once, with libpq's reason */
    CHECK(store_open("postgres", "host=127.0.0.1 port=1 connect_timeout=2", err, sizeof err) ==
          NULL);
    CHECK(strstr(err, "postgres store: cannot connect") != NULL);
    CHECK(store_open("oracle", "x", err, sizeof err) == NULL);
    CHECK(strstr(err, "postgres") != NULL); /* among the kinds known */
    CHECK(store_open("sqlite", "", err, sizeof err) == NULL);
    CHECK(store_open("sqlite", "/dev/null/x", err, sizeof err) == NULL);
    CHECK(err[0] != '\0');
}

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
    CHECK(got != NULL && strcmp(got->id, "job_r") == 0 && got->history_json == NULL);
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
    u.history_json = (char *)"{\"epoch\":[1,2],\"loss\":[0.5,0.25]}";
    CHECK_INT(store_job_update(s, &u, -1), STORE_OK);
    job_rec *got = NULL;
    CHECK_INT(store_job_get(s, "job_s", &got), STORE_OK);
    job_rec want = make_job("job_s", "ds_b", NULL);
    want.status = JOB_FAILED;
    want.started_ms = u.started_ms;
    want.finished_ms = u.finished_ms;
    want.attempts = 3;
    want.result_json = u.result_json;
    want.history_json = u.history_json;
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
        j.history_json = (char *)"{\"epoch\":[]}";
        CHECK_INT(store_job_put(s, &j), STORE_OK);
        CHECK_INT(store_job_get(s, id, &got), STORE_OK);
        CHECK(got != NULL && same_job(got, &j, 1) && got->seed == seeds[i]);
        job_rec_free(got);
    }
}

/* Lists: creation order, history left out, status filter, pages; counts. */
static void test_job_lists(store *s) {
    job_rec **v = NULL;
    size_t n = 0;
    int more = 0;
    CHECK_INT(store_job_list(s, NULL, 4, -1, 0, &v, &n, &more), STORE_OK);
    CHECK(n == 4 && more == 1 && strcmp(v[0]->id, "job_q") == 0 && strcmp(v[3]->id, "job_f") == 0);
    CHECK(n == 4 && v[2]->history_json == NULL && v[2]->result_json != NULL &&
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
            if (v[k]->history_json != NULL) bad = 1;
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
    CHECK(n == 4 && v[0]->history_json == NULL && v[0]->result_json != NULL &&
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

static void battery(store *s) {
    test_empty(s);
    test_dataset_records(s);
    test_dataset_lists(s);
    test_dataset_delete(s);
    test_big_column(s);
    test_job_put(s);
    test_job_update(s);
    test_job_lists(s);
    test_job_lists_newest(s);
    test_job_delete(s);
    test_requeue(s);
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
        fprintf(f, "job %s %s %s %llu %lld %lld %lld %d [%s] [%s] [%s] [%s] [%s]\n", j->id,
                j->dataset, job_status_name(j->status), (unsigned long long)j->seed,
                (long long)j->created_ms, (long long)j->started_ms, (long long)j->finished_ms,
                j->attempts, j->spec_json ? j->spec_json : "-",
                j->result_json ? j->result_json : "-", j->history_json ? j->history_json : "-",
                j->idem_key ? j->idem_key : "-", j->body_hash);
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

/* ---- sqlite only ---- */

/* Runs a query on the database file directly; its first column as int. */
static long long db_int(const char *dir, const char *query) {
    char path[512];
    snprintf(path, sizeof path, "%s/fitd.db", dir);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, query, -1, &st, NULL) == SQLITE_OK) {
        int x = sqlite3_step(st);
        if (x == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        else if (x == SQLITE_DONE)
            v = 0;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* The store a forked child inherits: kept in a global so that a leak
 * checker following the fork (valgrind does) sees it as reachable. */
static store *volatile forked_store;

/* The schema version and the columns' rows, read directly. */
static void test_sqlite_schema(const char *dir) {
    CHECK_INT(db_int(dir, "PRAGMA user_version"), 1);
    CHECK_INT(db_int(dir, "SELECT COUNT(*) FROM dataset_columns WHERE dataset_id = 'ds_big'"), 6);
    CHECK_INT(db_int(dir, "SELECT COUNT(*) FROM dataset_columns WHERE dataset_id NOT IN"
                          " (SELECT id FROM datasets)"),
              0); /* the deleted ds_a's columns went with it */
}

/* A second fitd (another process) on the same directory is refused. */
static void test_sqlite_lock(store *s, const char *dir) {
    fflush(NULL);
    forked_store = s;
    pid_t pid = fork();
    if (pid == 0) {
        char e2[256];
        store *other = store_open("sqlite", dir, e2, sizeof e2);
        _exit(other == NULL && strstr(e2, "in use") != NULL ? 0 : 1);
    }
    int wst = 0;
    CHECK(pid > 0 && waitpid(pid, &wst, 0) == pid && WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
    forked_store = NULL;
}

/* Closes s and opens dir again: the same everything; running jobs come
 * back queued; creation order goes on. Returns the new store (or NULL). */
static store *test_sqlite_reopen(store *s, const char *dir) {
    char err[256];
    job_rec r = make_job("job_live", "ds_b", NULL);
    r.status = JOB_RUNNING;
    r.attempts = 1;
    CHECK_INT(store_job_put(s, &r), STORE_OK);
    char *before = dump(s);
    store_close(s);
    s = store_open("sqlite", dir, err, sizeof err);
    if (!CHECK(s != NULL)) {
        free(before);
        return NULL;
    }
    char *after = dump(s);
    CHECK(before != NULL && after != NULL && strcmp(before, after) == 0);
    CHECK(after != NULL && strstr(after, "job job_live ds_b running") != NULL);
    free(before);
    free(after);
    char **ids = NULL;
    size_t n = 0;
    CHECK_INT(store_job_requeue(s, &ids, &n), STORE_OK);
    CHECK(n == 5 && strcmp(ids[n - 1], "job_live") == 0);
    free_ids(ids, n);
    job_rec late = make_job("job_late", "ds_b", NULL);
    CHECK_INT(store_job_put(s, &late), STORE_OK);
    job_rec **v = NULL;
    int more = 0;
    CHECK_INT(store_job_list(s, "job_live", 10, -1, 0, &v, &n, &more), STORE_OK);
    CHECK(n == 1 && strcmp(v[0]->id, "job_late") == 0);
    free_jobs(v, n);
    CHECK_INT(store_job_list(s, NULL, 2, -1, 1, &v, &n, &more), STORE_OK);
    CHECK(n == 2 && more == 1 && strcmp(v[0]->id, "job_late") == 0 &&
          strcmp(v[1]->id, "job_live") == 0);
    free_jobs(v, n);
    check_both_orders(s, -1, 11);
    return s;
}

/* A damaged or missing chunk is an error, not a crash. */
static void test_sqlite_damage(store *s, const char *dir) {
    CHECK_INT(db_int(dir, "UPDATE dataset_columns SET data = x'0102' WHERE dataset_id = 'ds_d'"
                          " AND col = 1"),
              0);
    ds_data *dd = NULL;
    CHECK_INT(store_dataset_data(s, "ds_d", &dd), STORE_ERROR);
    CHECK(dd == NULL);
    CHECK_INT(db_int(dir, "DELETE FROM dataset_columns WHERE dataset_id = 'ds_e'"), 0);
    CHECK_INT(store_dataset_data(s, "ds_e", &dd), STORE_ERROR);
}

/* The battery on a sqlite store in a directory it makes (two levels
 * deep), then what only the sqlite store promises. */
static void test_sqlite(const char *root) {
    char dir[512], err[256];
    snprintf(dir, sizeof dir, "%s/data/fitd", root);
    store *s = store_open("sqlite", dir, err, sizeof err);
    if (!CHECK(s != NULL)) {
        fprintf(stderr, "  %s\n", err);
        return;
    }
    CHECK_STR(store_kind(s), "sqlite");
    struct stat sb;
    CHECK(stat(dir, &sb) == 0 && (sb.st_mode & 0777) == 0700);
    battery(s);
    test_sqlite_schema(dir);
    test_sqlite_lock(s, dir);
    if ((s = test_sqlite_reopen(s, dir)) == NULL) return;
    test_sqlite_damage(s, dir);
    store_close(s);

    /* a database from a newer fitd is refused */
    CHECK_INT(db_int(dir, "PRAGMA user_version = 99"), 0);
    CHECK(store_open("sqlite", dir, err, sizeof err) == NULL);
    CHECK(strstr(err, "newer") != NULL);
}

/* kill -9 right after a put returned: the put is there. */
static void test_sqlite_kill(const char *root) {
    char dir[512], err[256];
    snprintf(dir, sizeof dir, "%s/killed", root);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        store *s = store_open("sqlite", dir, NULL, 0);
        job_rec j = make_job("job_acked", "ds_x", "k");
        if (s == NULL || store_job_put(s, &j) != STORE_OK) _exit(1);
        j.status = JOB_RUNNING;
        if (store_job_update(s, &j, JOB_QUEUED) != STORE_OK) _exit(1);
        kill(getpid(), SIGKILL);
        _exit(2);
    }
    int wst = 0;
    CHECK(pid > 0 && waitpid(pid, &wst, 0) == pid && WIFSIGNALED(wst) && WTERMSIG(wst) == SIGKILL);
    store *s = store_open("sqlite", dir, err, sizeof err);
    CHECK(s != NULL);
    job_rec *got = NULL;
    CHECK_INT(store_job_by_idem(s, "k", &got), STORE_OK);
    CHECK(got != NULL && strcmp(got->id, "job_acked") == 0 && got->status == JOB_RUNNING);
    job_rec_free(got);
    store_close(s);
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
        j.history_json = (char *)"{\"epoch\":[1]}";
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

/* ---- postgres (when FITD_TEST_DATABASE_URL names a server) ---- */

/* The memory and sqlite stores are not shared: the queue calls refuse. */
static void test_not_shared(store *s) {
    job_rec *j = (job_rec *)1;
    size_t n = 9;
    int cancel = 9;
    CHECK_INT(store_shared(s), 0);
    CHECK_INT(store_job_claim(s, "A", 1000, &j), STORE_ERROR);
    CHECK(j == NULL);
    CHECK_INT(store_job_renew(s, "job_q", "A", 1000, &cancel), STORE_ERROR);
    CHECK_INT(store_job_request_cancel(s, "job_q"), STORE_ERROR);
    CHECK_INT(store_job_reap(s, &n), STORE_ERROR);
    CHECK(n == 0 && cancel == 0);
    CHECK_INT(store_publish(s, STORE_EV_QUEUED, "job_q"), STORE_ERROR);
    CHECK_INT(store_healthy(s), 1);
}

static PGconn *pg_admin; /* to the server's own database: makes and drops ours */
static char pg_url[1024];
static char pg_dbs[16][64]; /* the databases made, dropped at the end */
static int pg_ndbs;

/* A connection string for database db on the server of pg_url, into
 * out[cap]: pg_url's settings with dbname replaced. 0, or -1. */
static int conninfo_for(const char *db, char *out, size_t cap) {
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(pg_url, &msg);
    size_t len = 0;
    if (opts == NULL) {
        PQfreemem(msg);
        return -1;
    }
    out[0] = '\0';
    for (const PQconninfoOption *o = opts; o->keyword != NULL; o++) {
        const char *v = strcmp(o->keyword, "dbname") == 0 ? db : o->val;
        if (v == NULL) continue;
        len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "%s='", o->keyword);
        for (; *v && len + 4 < cap; v++) {
            if (*v == '\'' || *v == '\\') out[len++] = '\\';
            out[len++] = *v;
        }
        len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "' ");
    }
    PQconninfoFree(opts);
    return len < cap ? 0 : -1;
}

/* A new empty database; its connection string into ci[cap] (and its name
 * into name[64] when not NULL). 0, or -1. */
static int pg_fresh(char *ci, size_t cap, char *name) {
    char db[64], sql[128];
    if (pg_ndbs == (int)(sizeof pg_dbs / sizeof pg_dbs[0])) return -1;
    snprintf(db, sizeof db, "fitd_test_%ld_%d", (long)getpid(), pg_ndbs);
    snprintf(sql, sizeof sql, "CREATE DATABASE %.63s", db); /* a name made here */
    PGresult *r = PQexec(pg_admin, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) fprintf(stderr, "  %s: %s", sql, PQerrorMessage(pg_admin));
    PQclear(r);
    if (!ok) return -1;
    snprintf(pg_dbs[pg_ndbs++], sizeof pg_dbs[0], "%s", db);
    if (name != NULL) snprintf(name, 64, "%s", db);
    return conninfo_for(db, ci, cap);
}

/* Runs sql on the database of ci; its first column as an integer (0 when
 * it returns no rows, -1 on an error). */
static long long pg_sql_int(const char *ci, const char *sql) {
    PGconn *c = PQconnectdb(ci);
    long long v = -1;
    PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        v = PQntuples(r) > 0 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
    else if (PQresultStatus(r) == PGRES_COMMAND_OK)
        v = 0;
    PQclear(r);
    PQfinish(c);
    return v;
}

/* Ends every connection to database db but the admin's; how many. */
static long long pg_kick(const char *db) {
    const char *vals[1] = {db};
    PGresult *r = PQexecParams(pg_admin,
                               "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
                               " WHERE datname = $1 AND pid <> pg_backend_pid()",
                               1, NULL, vals, NULL, NULL, 0);
    long long n =
        PQresultStatus(r) == PGRES_TUPLES_OK ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : -1;
    PQclear(r);
    return n;
}

static void quiet_notice(void *arg, const char *message) {
    (void)arg;
    (void)message;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static store *pg_open(const char *ci, int conns) {
    char err[512];
    store *s = store_open_sized("postgres", ci, conns, err, sizeof err);
    if (!CHECK(s != NULL)) fprintf(stderr, "  %s\n", err);
    return s;
}

/* The battery; the schema; everything still there after close and open. */
static void test_pg_battery(void) {
    char ci[2048];
    if (!CHECK(pg_fresh(ci, sizeof ci, NULL) == 0)) return;
    store *s = pg_open(ci, 0);
    if (s == NULL) return;
    CHECK_STR(store_kind(s), "postgres");
    CHECK_INT(store_shared(s), 1);
    CHECK_INT(store_healthy(s), 1);
    battery(s);
    CHECK_INT(pg_sql_int(ci, "SELECT version FROM fitd_schema"), 2); /* the current schema */
    CHECK_INT(pg_sql_int(ci, "SELECT count(*) FROM dataset_columns WHERE dataset_id = 'ds_big'"),
              6);
    CHECK_INT(pg_sql_int(ci, "SELECT count(*) FROM dataset_columns WHERE dataset_id NOT IN"
                             " (SELECT id FROM datasets)"),
              0);
    char *before = dump(s);
    store_close(s);
    if ((s = pg_open(ci, 2)) == NULL) {
        free(before);
        return;
    }
    char *after = dump(s);
    CHECK(before != NULL && after != NULL && strcmp(before, after) == 0);
    free(before);
    free(after);
    /* a damaged chunk is an error, not a crash */
    CHECK_INT(pg_sql_int(ci, "UPDATE dataset_columns SET data = '\\x0102' WHERE dataset_id = 'ds_d'"
                             " AND col = 1"),
              0);
    ds_data *dd = NULL;
    CHECK_INT(store_dataset_data(s, "ds_d", &dd), STORE_ERROR);
    CHECK(dd == NULL);
    CHECK_INT(pg_sql_int(ci, "DELETE FROM dataset_columns WHERE dataset_id = 'ds_e'"), 0);
    CHECK_INT(store_dataset_data(s, "ds_e", &dd), STORE_ERROR);
    ds_meta *m = NULL;
    CHECK_INT(store_dataset_meta(s, "ds_e", &m), STORE_OK); /* the connection is fine after */
    ds_meta_free(m);
    store_close(s);
}

/* Puts queued job id (created in that order). */
static void put_queued(store *s, const char *id, const char *history) {
    job_rec j = make_job(id, "ds_b", NULL);
    j.history_json = (char *)history;
    CHECK_INT(store_job_put(s, &j), STORE_OK);
}

static int job_is(store *s, const char *id, job_status st, const char *owner) {
    job_rec *j = NULL;
    int ok =
        store_job_get(s, id, &j) == STORE_OK && j->status == st && strcmp(j->owner, owner) == 0;
    job_rec_free(j);
    return ok;
}

/* Two replicas a and b: claims take the oldest queued job; leases renew,
 * run out and are reaped; cancels; updates bound to the lease holder;
 * requeue at start-up leaves the others' live jobs alone. */
static void test_pg_queue(store *a, store *b) {
    job_rec *j = NULL;
    put_queued(a, "job_1", NULL);
    job_rec run = make_job("job_2", "ds_b", NULL);
    run.status = JOB_SUCCEEDED;
    CHECK_INT(store_job_put(b, &run), STORE_OK);
    put_queued(b, "job_3", "{\"epoch\":[1]}");
    put_queued(a, "job_4", NULL);

    CHECK_INT(store_job_claim(a, "A", 60000, &j), STORE_OK);
    CHECK(j != NULL && strcmp(j->id, "job_1") == 0 && j->status == JOB_RUNNING &&
          j->attempts == 1 && j->started_ms > 1600000000000 && strcmp(j->owner, "A") == 0);
    job_rec_free(j);
    CHECK_INT(store_job_claim(b, "B", 60000, &j), STORE_OK);
    CHECK(j != NULL && strcmp(j->id, "job_3") == 0 && j->history_json != NULL &&
          strcmp(j->history_json, "{\"epoch\":[1]}") == 0 && strcmp(j->owner, "B") == 0);
    job_rec_free(j);
    CHECK_INT(store_job_claim(a, "A", 1, &j), STORE_OK); /* a lease of 1 ms */
    CHECK(j != NULL && strcmp(j->id, "job_4") == 0);
    job_rec_free(j);
    j = (job_rec *)1;
    CHECK_INT(store_job_claim(b, "B", 60000, &j), STORE_NOTFOUND);
    CHECK(j == NULL);
    CHECK(job_is(b, "job_1", JOB_RUNNING, "A"));
    char long_owner[80];
    memset(long_owner, 'o', sizeof long_owner - 1);
    long_owner[sizeof long_owner - 1] = '\0';
    CHECK_INT(store_job_claim(a, long_owner, 60000, &j), STORE_ERROR);

    /* renew: the holder only; job_4's lease runs out and only it is reaped */
    int cancel = 9;
    sleep_ms(20);
    CHECK_INT(store_job_renew(a, "job_3", "A", 60000, &cancel), STORE_CONFLICT);
    CHECK_INT(store_job_renew(b, "job_3", "B", 60000, &cancel), STORE_OK);
    CHECK_INT(cancel, 0);
    CHECK_INT(store_job_renew(a, "job_none", "A", 60000, &cancel), STORE_NOTFOUND);
    size_t n = 0;
    CHECK_INT(store_job_reap(b, &n), STORE_OK);
    CHECK_INT(n, 1);
    CHECK(job_is(a, "job_4", JOB_QUEUED, ""));
    CHECK(job_is(a, "job_1", JOB_RUNNING, "A") && job_is(a, "job_3", JOB_RUNNING, "B"));
    CHECK_INT(store_job_reap(b, &n), STORE_OK);
    CHECK_INT(n, 0);
    CHECK_INT(store_job_renew(a, "job_4", "A", 60000, &cancel), STORE_CONFLICT);

    /* another owner has it now: A's update is refused, B's applies and
       drops the lease */
    CHECK_INT(store_job_claim(b, "B", 60000, &j), STORE_OK);
    if (CHECK(j != NULL && strcmp(j->id, "job_4") == 0 && j->attempts == 2)) {
        j->status = JOB_SUCCEEDED;
        j->finished_ms = j->started_ms + 5;
        j->result_json = strdup("{\"loss\":1}");
        snprintf(j->owner, sizeof j->owner, "A");
        CHECK_INT(store_job_update(a, j, JOB_RUNNING), STORE_CONFLICT);
        snprintf(j->owner, sizeof j->owner, "B");
        CHECK_INT(store_job_update(a, j, JOB_QUEUED), STORE_CONFLICT);
        CHECK_INT(store_job_update(a, j, JOB_RUNNING), STORE_OK);
        CHECK_INT(store_job_update(a, j, JOB_RUNNING), STORE_CONFLICT); /* done already */
        snprintf(j->id, sizeof j->id, "job_none");
        CHECK_INT(store_job_update(a, j, JOB_RUNNING), STORE_NOTFOUND);
    }
    job_rec_free(j);
    CHECK(job_is(a, "job_4", JOB_SUCCEEDED, ""));

    /* cancel: a flag the holder sees when it renews */
    CHECK_INT(store_job_request_cancel(a, "job_3"), STORE_OK);
    CHECK_INT(store_job_renew(b, "job_3", "B", 60000, &cancel), STORE_OK);
    CHECK_INT(cancel, 1);
    CHECK_INT(store_job_request_cancel(a, "job_4"), STORE_CONFLICT); /* finished */
    CHECK_INT(store_job_request_cancel(a, "job_none"), STORE_NOTFOUND);
    /* a queued job is cancelled by an update from queued */
    put_queued(a, "job_5", NULL);
    job_rec c5 = make_job("job_5", "ds_b", NULL);
    c5.status = JOB_CANCELLED;
    CHECK_INT(store_job_update(b, &c5, JOB_QUEUED), STORE_OK);
    CHECK_INT(store_job_request_cancel(a, "job_5"), STORE_CONFLICT);

    /* requeue at start-up: job_1 (A, live) and job_3 (B, live) stay running;
       job_6's lease ran out: queued again, listed with job_7 */
    put_queued(a, "job_6", NULL);
    CHECK_INT(store_job_claim(a, "A", 1, &j), STORE_OK);
    CHECK(j != NULL && strcmp(j->id, "job_6") == 0);
    job_rec_free(j);
    put_queued(a, "job_7", NULL);
    sleep_ms(20);
    char **ids = NULL;
    CHECK_INT(store_job_requeue(b, &ids, &n), STORE_OK);
    CHECK(n == 2 && strcmp(ids[0], "job_6") == 0 && strcmp(ids[1], "job_7") == 0);
    free_ids(ids, n);
    CHECK(job_is(a, "job_1", JOB_RUNNING, "A") && job_is(a, "job_3", JOB_RUNNING, "B"));
    size_t counts[JOB_STATUS_COUNT];
    CHECK_INT(store_job_counts(a, counts), STORE_OK);
    CHECK(counts[JOB_QUEUED] == 2 && counts[JOB_RUNNING] == 2 && counts[JOB_SUCCEEDED] == 2 &&
          counts[JOB_CANCELLED] == 1);
}

#define RACE_JOBS 200
#define RACE_THREADS 8

typedef struct claimer {
    store *s;
    char owner[16];
    int got[RACE_JOBS]; /* job numbers claimed, in order */
    int n, bad;
} claimer;

/* Claims until none is left, finishing each job as its owner. */
static void *claim_loop(void *arg) {
    claimer *c = arg;
    for (;;) {
        job_rec *j = NULL;
        int rc = store_job_claim(c->s, c->owner, 60000, &j), k = -1;
        if (rc == STORE_NOTFOUND) break;
        if (rc != STORE_OK || strcmp(j->owner, c->owner) != 0 || j->status != JOB_RUNNING ||
            sscanf(j->id, "job_race%d", &k) != 1 || k < 0 || k >= RACE_JOBS || c->n == RACE_JOBS) {
            c->bad++;
            job_rec_free(j);
            break;
        }
        c->got[c->n++] = k;
        j->status = JOB_SUCCEEDED;
        c->bad += store_job_update(c->s, j, JOB_RUNNING) != STORE_OK;
        job_rec_free(j);
    }
    return NULL;
}

/* 8 threads on two replicas claim 200 jobs at once: each exactly once. */
static void test_pg_claim_race(store *a, store *b) {
    for (int i = 0; i < RACE_JOBS; i++) {
        char id[32];
        snprintf(id, sizeof id, "job_race%03d", i);
        put_queued(i % 2 ? a : b, id, NULL);
    }
    static claimer c[RACE_THREADS];
    pthread_t th[RACE_THREADS];
    for (int t = 0; t < RACE_THREADS; t++) {
        memset(&c[t], 0, sizeof c[t]);
        c[t].s = t % 2 ? a : b;
        snprintf(c[t].owner, sizeof c[t].owner, "w%d", t);
        CHECK(pthread_create(&th[t], NULL, claim_loop, &c[t]) == 0);
    }
    int seen[RACE_JOBS] = {0}, total = 0, twice = 0, in_order = 1;
    for (int t = 0; t < RACE_THREADS; t++) {
        pthread_join(th[t], NULL);
        CHECK_INT(c[t].bad, 0);
        for (int i = 0; i < c[t].n; i++) {
            twice += seen[c[t].got[i]]++ > 0;
            if (i > 0 && c[t].got[i] < c[t].got[i - 1]) in_order = 0;
            total++;
        }
    }
    CHECK_INT(total, RACE_JOBS);
    CHECK_INT(twice, 0);
    CHECK(in_order); /* each claimer got older jobs first */
    size_t counts[JOB_STATUS_COUNT];
    CHECK_INT(store_job_counts(a, counts), STORE_OK);
    CHECK(counts[JOB_SUCCEEDED] == RACE_JOBS && counts[JOB_QUEUED] == 0 &&
          counts[JOB_RUNNING] == 0);
}

/* What a listener heard: "<kind>:<id>\n" lines. */
typedef struct evlog {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char text[16384];
    size_t len;
} evlog;

static void on_event(void *ctx, int kind, const char *id) {
    evlog *e = ctx;
    pthread_mutex_lock(&e->mu);
    int w = snprintf(e->text + e->len, sizeof e->text - e->len, "%d:%s\n", kind, id);
    if (w > 0 && (size_t)w < sizeof e->text - e->len) e->len += (size_t)w;
    pthread_cond_broadcast(&e->cv);
    pthread_mutex_unlock(&e->mu);
}

/* Waits up to ms for event kind about id: 1 when it came. */
static int ev_wait(evlog *e, int kind, const char *id, long ms) {
    char want[128];
    snprintf(want, sizeof want, "%d:%s\n", kind, id);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&e->mu);
    int seen;
    while (!(seen = strstr(e->text, want) != NULL) &&
           pthread_cond_timedwait(&e->cv, &e->mu, &until) == 0) {
    }
    if (!seen) seen = strstr(e->text, want) != NULL;
    pthread_mutex_unlock(&e->mu);
    return seen;
}

/* Events from one replica reach the other's listener: publish, a queued
 * put, a claim, a reap; after every connection of the database was ended,
 * calls and the listener recover by themselves. */
static void test_pg_events(store *a, store *b, const char *db) {
    static evlog e = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, "", 0};
    CHECK_INT(store_listen(a, on_event, &e), STORE_OK);
    CHECK_INT(store_listen(a, on_event, &e), STORE_ERROR); /* one listener */
    CHECK_INT(store_publish(b, 7, "job_x"), STORE_ERROR);
    /* the listener connects in the background: publish until it hears */
    int heard = 0;
    for (int i = 0; i < 50 && !heard; i++) {
        CHECK_INT(store_publish(b, STORE_EV_CHANGED, "job_e0"), STORE_OK);
        heard = ev_wait(&e, STORE_EV_CHANGED, "job_e0", 200);
    }
    CHECK(heard);
    put_queued(b, "job_e1", NULL);
    CHECK(ev_wait(&e, STORE_EV_QUEUED, "job_e1", 5000));
    job_rec *j = NULL;
    CHECK_INT(store_job_claim(b, "B", 1, &j), STORE_OK);
    job_rec_free(j);
    CHECK(ev_wait(&e, STORE_EV_CHANGED, "job_e1", 5000));
    pthread_mutex_lock(&e.mu);
    e.len = 0;
    e.text[0] = '\0';
    pthread_mutex_unlock(&e.mu);
    sleep_ms(10);
    size_t n = 0;
    CHECK_INT(store_job_reap(b, &n), STORE_OK);
    CHECK_INT(n, 1);
    CHECK(ev_wait(&e, STORE_EV_QUEUED, "job_e1", 5000));
    CHECK_INT(store_publish(b, STORE_EV_QUEUED, "job_e2"), STORE_OK);
    CHECK(ev_wait(&e, STORE_EV_QUEUED, "job_e2", 5000));

    /* every connection ended (as when the server restarts) */
    CHECK(pg_kick(db) >= 3); /* a's two, the listener's, b's */
    size_t counts[JOB_STATUS_COUNT];
    CHECK_INT(store_job_counts(b, counts), STORE_OK); /* at once, no failed call first */
    CHECK_INT(counts[JOB_QUEUED], 1);
    CHECK_INT(store_job_counts(a, counts), STORE_OK);
    CHECK_INT(store_healthy(b), 1);
    heard = 0;
    for (int i = 0; i < 50 && !heard; i++) {
        CHECK_INT(store_publish(b, STORE_EV_CHANGED, "job_back"), STORE_OK);
        heard = ev_wait(&e, STORE_EV_CHANGED, "job_back", 200);
    }
    CHECK(heard);
}

/* The database goes away for good: every call fails with STORE_ERROR,
 * health says so, and close still returns at once. */
static void test_pg_gone(void) {
    char ci[2048], db[64], sql[128];
    if (!CHECK(pg_fresh(ci, sizeof ci, db) == 0)) return;
    store *s = pg_open(ci, 2);
    if (s == NULL) return;
    evlog e = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, "", 0};
    CHECK_INT(store_listen(s, on_event, &e), STORE_OK);
    put_queued(s, "job_g", NULL);
    snprintf(sql, sizeof sql, "DROP DATABASE %.63s WITH (FORCE)", db);
    PQclear(PQexec(pg_admin, sql));
    job_rec *j = NULL;
    ds_meta **v = NULL;
    size_t n = 0;
    int more = 0;
    CHECK_INT(store_job_get(s, "job_g", &j), STORE_ERROR);
    CHECK_INT(store_job_claim(s, "A", 1000, &j), STORE_ERROR);
    CHECK_INT(store_dataset_list(s, NULL, 10, 1, &v, &n, &more), STORE_ERROR);
    CHECK(j == NULL && v == NULL && n == 0);
    CHECK_INT(store_publish(s, STORE_EV_QUEUED, "job_g"), STORE_ERROR);
    CHECK_INT(store_healthy(s), 0);
    int64_t t0 = (int64_t)time(NULL);
    store_close(s);
    CHECK((int64_t)time(NULL) - t0 <= 2);
    pthread_mutex_destroy(&e.mu);
    pthread_cond_destroy(&e.cv);
}

typedef struct opener {
    const char *ci;
    pthread_barrier_t *go;
    store *s;
    char err[512];
} opener;

static void *open_at_once(void *arg) {
    opener *o = arg;
    pthread_barrier_wait(o->go);
    o->s = store_open("postgres", o->ci, o->err, sizeof o->err);
    return NULL;
}

/* Four replicas start at once on an empty database: one migrates, the
 * others wait for it, none fails. A newer schema is refused. */
static void test_pg_migrate(void) {
    char ci[2048];
    if (!CHECK(pg_fresh(ci, sizeof ci, NULL) == 0)) return;
    enum { NOPEN = 4 };
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, NOPEN);
    opener o[NOPEN];
    pthread_t th[NOPEN];
    for (int i = 0; i < NOPEN; i++) {
        o[i] = (opener){ci, &go, NULL, ""};
        CHECK(pthread_create(&th[i], NULL, open_at_once, &o[i]) == 0);
    }
    for (int i = 0; i < NOPEN; i++) {
        pthread_join(th[i], NULL);
        if (!CHECK(o[i].s != NULL)) fprintf(stderr, "  %s\n", o[i].err);
    }
    pthread_barrier_destroy(&go);
    put_queued(o[0].s, "job_m", NULL);
    CHECK(job_is(o[3].s, "job_m", JOB_QUEUED, ""));
    for (int i = 0; i < NOPEN; i++) store_close(o[i].s);
    CHECK_INT(pg_sql_int(ci, "SELECT count(*) FROM fitd_schema"), 1);
    CHECK_INT(pg_sql_int(ci, "SELECT version FROM fitd_schema"), 2); /* the current schema */
    CHECK_INT(pg_sql_int(ci, "UPDATE fitd_schema SET version = 99"), 0);
    char err[512];
    CHECK(store_open("postgres", ci, err, sizeof err) == NULL);
    CHECK(strstr(err, "newer") != NULL);
}

/* Progress for other replicas: only the lease holder publishes; readers
 * get the entries after an epoch, or the latest; they go with the run. */
static void test_pg_progress(store *a, store *b) {
    job_rec *j = NULL;
    put_queued(a, "job_p", NULL);
    CHECK_INT(store_job_claim(a, "A", 60000, &j), STORE_OK);
    CHECK_INT(store_job_progress_put(a, "job_p", "A", 3, "{\"epoch\":3}"), STORE_OK);
    CHECK_INT(store_job_progress_put(a, "job_p", "A", 7, "{\"epoch\":7}"), STORE_OK);
    CHECK_INT(store_job_progress_put(a, "job_p", "A", 7, "{\"epoch\":7,\"again\":1}"), STORE_OK);
    CHECK_INT(store_job_progress_put(b, "job_p", "B", 9, "{\"epoch\":9}"), STORE_CONFLICT);
    CHECK_INT(store_job_progress_put(b, "job_none", "B", 9, "{}"), STORE_NOTFOUND);
    store_progress *p = NULL;
    size_t n = 0;
    CHECK_INT(store_job_progress_get(b, "job_p", 0, 10, &p, &n), STORE_OK);
    CHECK(n == 2 && p[0].epoch == 3 && p[1].epoch == 7 &&
          strcmp(p[1].data, "{\"epoch\":7,\"again\":1}") == 0);
    store_progress_free(p, n);
    CHECK_INT(store_job_progress_get(b, "job_p", 3, 10, &p, &n), STORE_OK);
    CHECK(n == 1 && p[0].epoch == 7);
    store_progress_free(p, n);
    CHECK_INT(store_job_progress_get(b, "job_p", 0, 1, &p, &n), STORE_OK);
    CHECK(n == 1 && p[0].epoch == 3);
    store_progress_free(p, n);
    CHECK_INT(store_job_progress_get(b, "job_p", -1, 1, &p, &n), STORE_OK);
    CHECK(n == 1 && p[0].epoch == 7);
    store_progress_free(p, n);
    /* finished: the run's progress is gone */
    j->status = JOB_SUCCEEDED;
    j->finished_ms = j->started_ms + 1;
    CHECK_INT(store_job_update(a, j, JOB_RUNNING), STORE_OK);
    CHECK_INT(store_job_progress_get(b, "job_p", -1, 1, &p, &n), STORE_OK);
    CHECK_INT(n, 0);
    store_progress_free(p, n);
    job_rec_free(j);
}

/* Every postgres test, each on a database of its own. */
static void test_pg(const char *url) {
    snprintf(pg_url, sizeof pg_url, "%s", url);
    pg_admin = PQconnectdb(url);
    if (!CHECK(PQstatus(pg_admin) == CONNECTION_OK)) {
        fprintf(stderr, "  %s: %s", url, PQerrorMessage(pg_admin));
        PQfinish(pg_admin);
        return;
    }
    PQsetNoticeProcessor(pg_admin, quiet_notice, NULL);
    test_pg_battery();
    char ci[2048], db[64];
    if (CHECK(pg_fresh(ci, sizeof ci, NULL) == 0)) {
        store *s = pg_open(ci, 3); /* fewer connections than threads */
        if (s != NULL) test_threads(s);
        store_close(s);
    }
    if (CHECK(pg_fresh(ci, sizeof ci, NULL) == 0)) {
        store *a = pg_open(ci, 2), *b = pg_open(ci, 2);
        if (a != NULL && b != NULL) test_pg_queue(a, b);
        store_close(a);
        store_close(b);
    }
    if (CHECK(pg_fresh(ci, sizeof ci, NULL) == 0)) {
        store *a = pg_open(ci, 2), *b = pg_open(ci, 2);
        if (a != NULL && b != NULL) test_pg_progress(a, b);
        store_close(a);
        store_close(b);
    }
    if (CHECK(pg_fresh(ci, sizeof ci, NULL) == 0)) {
        store *a = pg_open(ci, 4), *b = pg_open(ci, 4);
        if (a != NULL && b != NULL) test_pg_claim_race(a, b);
        store_close(a);
        store_close(b);
    }
    if (CHECK(pg_fresh(ci, sizeof ci, db) == 0)) {
        store *a = pg_open(ci, 2), *b = pg_open(ci, 1);
        if (a != NULL && b != NULL) test_pg_events(a, b, db);
        store_close(a);
        store_close(b);
    }
    test_pg_gone();
    test_pg_migrate();
    for (int i = 0; i < pg_ndbs; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %.63s WITH (FORCE)", pg_dbs[i]);
        PQclear(PQexec(pg_admin, sql));
    }
    PQfinish(pg_admin);
}

int main(void) {
    char root[] = "/tmp/fitd_test_store.XXXXXX";
    if (mkdtemp(root) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_names();

    char err[256];
    store *s = store_open("memory", NULL, err, sizeof err);
    CHECK(s != NULL && strcmp(store_kind(s), "memory") == 0);
    if (s != NULL) battery(s);
    if (s != NULL) test_not_shared(s);
    store_close(s);

    test_sqlite(root);
    test_sqlite_kill(root); /* forks: before any thread starts */

    s = store_open("memory", NULL, err, sizeof err);
    if (CHECK(s != NULL)) test_threads(s);
    store_close(s);
    char dir[512];
    snprintf(dir, sizeof dir, "%s/threads", root);
    s = store_open("sqlite", dir, err, sizeof err);
    if (CHECK(s != NULL)) test_threads(s);
    store_close(s);

    const char *url = getenv("FITD_TEST_DATABASE_URL");
    if (url != NULL && url[0] != '\0')
        test_pg(url);
    else
        printf("test_store: postgres skipped (FITD_TEST_DATABASE_URL not set; see tests/pg)\n");

    rm_tree(root);
    return check_done("test_store");
}
