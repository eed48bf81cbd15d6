/* store.c - the store's front: store_open picks an implementation, every
 * public call checks its arguments, clears its outputs and goes through
 * the implementation's table (store_impl.h). Also the record helpers
 * shared by all implementations. */
#include "service/store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/store_impl.h"

static const char *const status_names[JOB_STATUS_COUNT] = {"queued", "running", "succeeded",
                                                           "failed", "cancelled"};

void store_seterr(char *err, size_t cap, const char *fmt, ...) {
    if (err == NULL || cap == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

char *store_strdup(const char *s, int *fail) {
    if (s == NULL) return NULL;
    size_t len = strlen(s);
    char *c = malloc(len + 1);
    if (c == NULL) {
        *fail = 1;
        return NULL;
    }
    memcpy(c, s, len + 1);
    return c;
}

void *store_memdup(const void *b, size_t len, int *fail) {
    if (b == NULL) return NULL;
    void *c = malloc(len ? len : 1);
    if (c == NULL) {
        *fail = 1;
        return NULL;
    }
    memcpy(c, b, len);
    return c;
}

int store_vec_push(store_vec *v, const void *item, size_t size) {
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 16;
        void *buf = realloc(v->buf, cap * size);
        if (buf == NULL) return -1;
        v->buf = buf;
        v->cap = cap;
    }
    /* memcpy gives the bytes the element's type, so the caller may read
     * buf as an array of it */
    memcpy((unsigned char *)v->buf + v->n * size, item, size);
    v->n++;
    return 0;
}

/* ---- records ---- */

void ds_meta_free(ds_meta *m) {
    if (m == NULL) return;
    if (m->names != NULL)
        for (size_t c = 0; c < m->ncols; c++) free(m->names[c]);
    free(m->names);
    free(m->stats);
    free(m->name);
    free(m);
}

void job_rec_free(job_rec *j) {
    if (j == NULL) return;
    free(j->spec_json);
    free(j->result_json);
    free(j->history);
    free(j->idem_key);
    free(j);
}

ds_meta *ds_meta_copy(const ds_meta *m) {
    ds_meta *c = calloc(1, sizeof *c);
    if (c == NULL) return NULL;
    int fail = 0;
    memcpy(c->id, m->id, sizeof c->id);
    c->created_ms = m->created_ms;
    c->inline_data = m->inline_data;
    c->rows = m->rows;
    c->name = store_strdup(m->name, &fail);
    if (m->names != NULL) {
        c->names = calloc(m->ncols ? m->ncols : 1, sizeof *c->names);
        if (c->names == NULL) goto fail;
        c->ncols = m->ncols; /* from here ds_meta_free frees names[0..ncols) */
        for (size_t i = 0; i < m->ncols; i++) c->names[i] = store_strdup(m->names[i], &fail);
    }
    c->ncols = m->ncols;
    if (m->stats != NULL) {
        c->stats = malloc((m->ncols ? m->ncols : 1) * sizeof *c->stats);
        if (c->stats == NULL) goto fail;
        if (m->ncols) memcpy(c->stats, m->stats, m->ncols * sizeof *c->stats);
    }
    if (fail) goto fail;
    return c;
fail:
    ds_meta_free(c);
    return NULL;
}

job_rec *job_rec_copy(const job_rec *j, int with_history) {
    job_rec *c = malloc(sizeof *c);
    if (c == NULL) return NULL;
    int fail = 0;
    *c = *j; /* the scalars and the fixed arrays; the strings follow */
    c->spec_json = store_strdup(j->spec_json, &fail);
    c->result_json = store_strdup(j->result_json, &fail);
    c->history = with_history ? store_memdup(j->history, j->history_len, &fail) : NULL;
    c->history_len = c->history ? j->history_len : 0;
    c->idem_key = store_strdup(j->idem_key, &fail);
    if (fail) {
        job_rec_free(c);
        return NULL;
    }
    return c;
}

const char *job_status_name(job_status st) {
    if ((int)st < 0 || (int)st >= JOB_STATUS_COUNT) return "unknown";
    return status_names[st];
}

int job_status_by_name(const char *name) {
    if (name == NULL) return -1;
    for (int i = 0; i < JOB_STATUS_COUNT; i++)
        if (strcmp(name, status_names[i]) == 0) return i;
    return -1;
}

/* ---- shared columns ---- */

ds_data *ds_data_ref(ds_data *dd) {
    if (dd != NULL) atomic_fetch_add_explicit(&dd->refs, 1, memory_order_relaxed);
    return dd;
}

void ds_data_release(ds_data *dd) {
    if (dd == NULL) return;
    /* acq_rel: the last holder sees every other holder's reads finished */
    if (atomic_fetch_sub_explicit(&dd->refs, 1, memory_order_acq_rel) == 1) {
        data_free(dd->d);
        free(dd);
    }
}

ds_data *ds_data_wrap(fit_data *d) {
    if (d == NULL) return NULL;
    ds_data *dd = malloc(sizeof *dd);
    if (dd == NULL) {
        data_free(d);
        return NULL;
    }
    dd->d = d;
    atomic_init(&dd->refs, 1);
    return dd;
}

/* ---- argument checks ---- */

/* Whether a fixed-size id field is a non-empty string that fits. */
static int id_field_ok(const char *id) {
    return id[0] != '\0' && memchr(id, '\0', STORE_ID_MAX) != NULL;
}

/* A looked-up id: NULL is a caller's error (-1); an empty or overlong one
 * cannot exist (0); else 1. */
/* An id argument: -1 when missing, 0 when no record can have it (empty,
 * too long, or not printable ASCII: every id fitd makes is, and a
 * database need not be asked about bytes it would refuse as text), 1 to
 * look it up. */
static int id_arg(const char *id) {
    if (id == NULL) return -1;
    size_t len = strnlen(id, STORE_ID_MAX);
    if (len == 0 || len >= STORE_ID_MAX) return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)id[i] < 0x21 || (unsigned char)id[i] > 0x7e) return 0;
    return 1;
}

static int meta_ok(const ds_meta *m, const ds_data *d) {
    if (m == NULL || d == NULL || d->d == NULL || !id_field_ok(m->id)) return 0;
    if (m->ncols > FIT_MAX_COLS || m->rows > (size_t)FIT_MAX_ROWS) return 0;
    if (d->d->rows != m->rows || d->d->ncols != m->ncols) return 0;
    if (m->ncols > 0 && m->names == NULL) return 0;
    for (size_t c = 0; c < m->ncols; c++)
        if (m->names[c] == NULL || strcmp(m->names[c], d->d->names[c]) != 0) return 0;
    return 1;
}

static int job_ok(const job_rec *j) {
    /* a job on generated data has no dataset: "" is allowed there */
    return j != NULL && id_field_ok(j->id) && memchr(j->dataset, '\0', STORE_ID_MAX) != NULL &&
           (int)j->status >= 0 &&
           (int)j->status < JOB_STATUS_COUNT &&
           memchr(j->body_hash, '\0', sizeof j->body_hash) != NULL;
}

/* ---- dispatch ---- */

store *store_open(const char *kind, const char *dir, char *err, size_t cap) {
    return store_open_sized(kind, dir, 0, err, cap);
}

store *store_open_sized(const char *kind, const char *where, int conns, char *err, size_t cap) {
    store_seterr(err, cap, "%s", "");
    if (kind != NULL && strcmp(kind, "memory") == 0) return store_memory_open(err, cap);
    if (kind != NULL && strcmp(kind, "sqlite") == 0) return store_sqlite_open(where, err, cap);
    if (kind != NULL && strcmp(kind, "postgres") == 0)
        return store_pg_open(where, conns, err, cap);
    store_seterr(err, cap, "unknown store kind \"%s\" (known: memory, sqlite, postgres)",
                 kind ? kind : "(null)");
    return NULL;
}

void store_close(store *s) {
    if (s != NULL) s->ops->close(s);
}

const char *store_kind(const store *s) {
    return s ? s->ops->kind : "none";
}

int store_dataset_put(store *s, const ds_meta *m, ds_data *d) {
    if (s == NULL || !meta_ok(m, d)) return STORE_ERROR;
    return s->ops->dataset_put(s, m, d);
}

int store_dataset_meta(store *s, const char *id, ds_meta **out) {
    if (out != NULL) *out = NULL;
    int a = id_arg(id);
    if (s == NULL || out == NULL || a < 0) return STORE_ERROR;
    return a ? s->ops->dataset_meta(s, id, out) : STORE_NOTFOUND;
}

int store_dataset_data(store *s, const char *id, ds_data **out) {
    if (out != NULL) *out = NULL;
    int a = id_arg(id);
    if (s == NULL || out == NULL || a < 0) return STORE_ERROR;
    return a ? s->ops->dataset_data(s, id, out) : STORE_NOTFOUND;
}

int store_dataset_delete(store *s, const char *id) {
    int a = id_arg(id);
    if (s == NULL || a < 0) return STORE_ERROR;
    return a ? s->ops->dataset_delete(s, id) : STORE_NOTFOUND;
}

int store_dataset_sweep_inline(store *s, const char *id, int64_t before_ms, size_t *n) {
    size_t none;
    if (n == NULL) n = &none;
    *n = 0;
    int a = id ? id_arg(id) : 1;
    if (s == NULL || a < 0) return STORE_ERROR;
    return a ? s->ops->dataset_sweep_inline(s, id, before_ms, n) : STORE_OK;
}

/* Clears a list call's counts and checks its arguments (has_out: the
 * array pointer is not NULL); `after` becomes NULL when empty. Returns
 * STORE_OK to go on. */
static int list_args(const store *s, const char **after, int has_out, size_t *n, int *more) {
    if (n != NULL) *n = 0;
    if (more != NULL) *more = 0;
    if (s == NULL || !has_out || n == NULL || more == NULL) return STORE_ERROR;
    if (*after != NULL && (*after)[0] == '\0') *after = NULL;
    if (*after != NULL && id_arg(*after) == 0) return STORE_NOTFOUND;
    return STORE_OK;
}

int store_dataset_list(store *s, const char *after, size_t limit, int include_inline,
                       ds_meta ***out, size_t *n, int *more) {
    if (out != NULL) *out = NULL;
    int rc = list_args(s, &after, out != NULL, n, more);
    if (rc != STORE_OK) return rc;
    return s->ops->dataset_list(s, after, limit, include_inline != 0, out, n, more);
}

int store_job_put(store *s, const job_rec *j) {
    if (s == NULL || !job_ok(j)) return STORE_ERROR;
    return s->ops->job_put(s, j);
}

int store_job_put_async(store *s, const job_rec *j, void (*done)(void *ctx, int rc), void *ctx) {
    if (s == NULL || !job_ok(j) || done == NULL) return STORE_ERROR;
    if (s->ops->job_put_async != NULL) return s->ops->job_put_async(s, j, done, ctx);
    done(ctx, s->ops->job_put(s, j));
    return STORE_OK;
}

int store_job_update(store *s, const job_rec *j, int from) {
    if (s == NULL || !job_ok(j) || from < -1 || from >= JOB_STATUS_COUNT) return STORE_ERROR;
    return s->ops->job_update(s, j, from);
}

int store_job_update_async(store *s, const job_rec *j, int from, void (*done)(void *ctx, int rc),
                           void *ctx) {
    if (s == NULL || !job_ok(j) || from < -1 || from >= JOB_STATUS_COUNT || done == NULL)
        return STORE_ERROR;
    if (s->ops->job_update_async != NULL) return s->ops->job_update_async(s, j, from, done, ctx);
    done(ctx, s->ops->job_update(s, j, from));
    return STORE_OK;
}

int store_job_get(store *s, const char *id, job_rec **out) {
    if (out != NULL) *out = NULL;
    int a = id_arg(id);
    if (s == NULL || out == NULL || a < 0) return STORE_ERROR;
    return a ? s->ops->job_get(s, id, out) : STORE_NOTFOUND;
}

int store_job_by_idem(store *s, const char *key, job_rec **out) {
    if (out != NULL) *out = NULL;
    if (s == NULL || out == NULL || key == NULL) return STORE_ERROR;
    return s->ops->job_by_idem(s, key, out);
}

int store_job_delete(store *s, const char *id) {
    int a = id_arg(id);
    if (s == NULL || a < 0) return STORE_ERROR;
    return a ? s->ops->job_delete(s, id) : STORE_NOTFOUND;
}

int store_job_list(store *s, const char *after, size_t limit, int status, int newest_first,
                   job_rec ***out, size_t *n, int *more) {
    if (out != NULL) *out = NULL;
    int rc = list_args(s, &after, out != NULL, n, more);
    if (rc != STORE_OK) return rc;
    if (status >= JOB_STATUS_COUNT) return STORE_ERROR;
    return s->ops->job_list(s, after, limit, status < 0 ? -1 : status, newest_first != 0, out, n,
                            more);
}

int store_job_requeue(store *s, char ***ids, size_t *n) {
    if (ids != NULL) *ids = NULL;
    if (n != NULL) *n = 0;
    if (s == NULL || ids == NULL || n == NULL) return STORE_ERROR;
    return s->ops->job_requeue(s, ids, n);
}

int store_job_counts(store *s, size_t counts[JOB_STATUS_COUNT]) {
    if (s == NULL || counts == NULL) return STORE_ERROR;
    for (int i = 0; i < JOB_STATUS_COUNT; i++) counts[i] = 0;
    return s->ops->job_counts(s, counts);
}

/* ---- the shared queue and events ---- */

int store_shared(const store *s) {
    return s != NULL && s->ops->job_claim != NULL;
}

int store_job_claim(store *s, const char *owner, int64_t lease_ms, int64_t started_ms,
                    job_rec **out) {
    if (out != NULL) *out = NULL;
    if (!store_shared(s) || owner == NULL || !owner[0] || lease_ms <= 0 || out == NULL)
        return STORE_ERROR;
    return s->ops->job_claim(s, owner, lease_ms, started_ms, out);
}

int store_job_renew(store *s, const char *id, const char *owner, int64_t lease_ms, int *cancel) {
    if (cancel != NULL) *cancel = 0;
    int a = id_arg(id);
    if (!store_shared(s) || a < 0 || owner == NULL || !owner[0] || lease_ms <= 0 || cancel == NULL)
        return STORE_ERROR;
    return a ? s->ops->job_renew(s, id, owner, lease_ms, cancel) : STORE_NOTFOUND;
}

int store_job_request_cancel(store *s, const char *id) {
    int a = id_arg(id);
    if (!store_shared(s) || a < 0) return STORE_ERROR;
    return a ? s->ops->job_request_cancel(s, id) : STORE_NOTFOUND;
}

int store_job_reap(store *s, int64_t now_ms, size_t *n) {
    if (n != NULL) *n = 0;
    if (!store_shared(s) || n == NULL) return STORE_ERROR;
    return s->ops->job_reap(s, now_ms, n);
}

int store_listen(store *s, store_event_fn fn, void *ctx) {
    if (s == NULL || fn == NULL || s->ops->listen == NULL) return STORE_ERROR;
    return s->ops->listen(s, fn, ctx);
}

int store_publish(store *s, int kind, const char *job_id) {
    if (s == NULL || job_id == NULL || s->ops->publish == NULL) return STORE_ERROR;
    return s->ops->publish(s, kind, job_id);
}

int store_healthy(store *s) {
    if (s == NULL) return 0;
    return s->ops->healthy == NULL || s->ops->healthy(s);
}

int store_job_progress_put(store *s, const char *id, const char *owner, long epoch,
                           const char *data) {
    int a = id_arg(id);
    if (!store_shared(s) || a < 0 || owner == NULL || !owner[0] || data == NULL ||
        s->ops->job_progress_put == NULL)
        return STORE_ERROR;
    return a ? s->ops->job_progress_put(s, id, owner, epoch, data) : STORE_NOTFOUND;
}

int store_job_progress_get(store *s, const char *id, long after, size_t max,
                           store_progress **out, size_t *n) {
    if (out != NULL) *out = NULL;
    if (n != NULL) *n = 0;
    int a = id_arg(id);
    if (!store_shared(s) || a < 0 || out == NULL || n == NULL || s->ops->job_progress_get == NULL)
        return STORE_ERROR;
    if (a == 0 || max == 0) return STORE_OK;
    return s->ops->job_progress_get(s, id, after, max, out, n);
}

void store_progress_free(store_progress *p, size_t n) {
    if (p == NULL) return;
    for (size_t i = 0; i < n; i++) free(p[i].data);
    free(p);
}
