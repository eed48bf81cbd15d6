/* store_impl.h - private to the store: the table of functions each
 * implementation fills, and the helpers they share (store.c). The public
 * functions in store.c check their arguments and clear the outputs before
 * calling through the table, so an implementation may assume non-NULL
 * pointers, valid ids and a valid status, and needs to set the outputs
 * only on success. */
#ifndef FITD_STORE_IMPL_H
#define FITD_STORE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "service/store.h"

typedef struct store_ops {
    const char *kind; /* "memory", "sqlite", "postgres" */
    void (*close)(store *s);
    int (*dataset_put)(store *s, const ds_meta *m, ds_data *d);
    int (*dataset_meta)(store *s, const char *id, ds_meta **out);
    int (*dataset_data)(store *s, const char *id, ds_data **out);
    int (*dataset_delete)(store *s, const char *id);
    /* id: NULL for every inline dataset created before before_ms */
    int (*dataset_sweep_inline)(store *s, const char *id, int64_t before_ms, size_t *n);
    /* after: NULL for "from the start" (never ""). */
    int (*dataset_list)(store *s, const char *after, size_t limit, int include_inline,
                        ds_meta ***out, size_t *n, int *more);
    int (*job_put)(store *s, const job_rec *j);
    /* NULL: store_job_put_async puts synchronously */
    int (*job_put_async)(store *s, const job_rec *j, void (*done)(void *ctx, int rc), void *ctx);
    /* from: a job_status or -1 */
    int (*job_update)(store *s, const job_rec *j, int from);
    /* NULL: store_job_update_async updates synchronously */
    int (*job_update_async)(store *s, const job_rec *j, int from, void (*done)(void *ctx, int rc),
                            void *ctx);
    int (*job_get)(store *s, const char *id, job_rec **out);
    int (*job_by_idem)(store *s, const char *key, job_rec **out);
    int (*job_delete)(store *s, const char *id);
    /* after as for dataset_list; status in [0, JOB_STATUS_COUNT) or -1;
     * newest_first 0 (creation order) or 1 (the reverse). */
    int (*job_list)(store *s, const char *after, size_t limit, int status, int newest_first,
                    job_rec ***out, size_t *n, int *more);
    int (*job_requeue)(store *s, char ***ids, size_t *n);
    int (*job_counts)(store *s, size_t counts[JOB_STATUS_COUNT]);
    /* The shared queue and events (store.h); NULL in stores that are not
     * shared. healthy: NULL = always. */
    int (*job_claim)(store *s, const char *owner, int64_t lease_ms, int64_t started_ms,
                     job_rec **out);
    int (*job_renew)(store *s, const char *id, const char *owner, int64_t lease_ms, int *cancel);
    int (*job_request_cancel)(store *s, const char *id);
    int (*job_reap)(store *s, int64_t now_ms, size_t *n);
    int (*listen)(store *s, store_event_fn fn, void *ctx);
    int (*publish)(store *s, int kind, const char *job_id);
    int (*healthy)(store *s);
    int (*job_progress_put)(store *s, const char *id, const char *owner, long epoch,
                            const char *data);
    /* after < 0: the latest only */
    int (*job_progress_get)(store *s, const char *id, long after, size_t max,
                            store_progress **out, size_t *n);
} store_ops;

/* Every implementation's struct starts with this member. */
struct store {
    const store_ops *ops;
};

/* The constructors store_open dispatches to; they fill err as it does. */
store *store_memory_open(char *err, size_t cap);
store *store_sqlite_open(const char *dir, char *err, size_t cap);
/* conninfo: a libpq connection string; conns: the pool's size (0 = 4). */
store *store_pg_open(const char *conninfo, int conns, char *err, size_t cap);

/* Writes a message to err (cap bytes, may be NULL/0). */
void store_seterr(char *err, size_t cap, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* strdup that maps NULL to NULL; *fail is set when a non-NULL s could not
 * be copied (so callers can copy several and check once). */
char *store_strdup(const char *s, int *fail);
/* The same for len bytes at b (a malloc'd copy; NULL for NULL b). */
void *store_memdup(const void *b, size_t len, int *fail);

/* A deep copy; NULL on allocation failure. */
ds_meta *ds_meta_copy(const ds_meta *m);

/* store_codec.c: the formats the sqlite and postgres stores share.
 * dst[0 .. 8n): x[0..n) as little-endian float64, and back; host_le: 1
 * when doubles are little-endian here (the bytes are then copied). */
int store_host_le(void);
void store_to_le(unsigned char *dst, const double *x, size_t n);
void store_from_le(double *x, const unsigned char *src, size_t n);
/* names_json and stats_json of m (stats: NULL when m has none), owned
 * texts; non-finite stats as "NaN", "Infinity", "-Infinity". 0, or -1
 * when out of memory. */
int store_meta_json(const ds_meta *m, char **names, char **stats);
/* Fill m->names (m->ncols = ncols) / m->stats from those texts: 0 or -1. */
int store_parse_names(const char *text, size_t ncols, ds_meta *m);
int store_parse_stats(const char *text, ds_meta *m);

/* A growing array, for lists: buf holds n elements of one size (say
 * ds_meta *), so `ds_meta **arr = v.buf` when done. */
typedef struct store_vec {
    void *buf;
    size_t n, cap;
} store_vec;
/* Appends the size bytes at item (the address of the element), doubling
 * the capacity as needed. 0, or -1 on allocation failure. */
int store_vec_push(store_vec *v, const void *item, size_t size);

#endif
