/* store_memory.c - the "memory" store: everything in this process, gone
 * at exit. One mutex guards it all. Each kind of record sits in a doubly
 * linked list in creation order (paging walks it, jobs either way) and in
 * hash maps from its id (and, for jobs, its idempotency key) to its list
 * node. Datasets keep a reference to the caller's columns (no copy); job
 * records are deep-copied in and out. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "service/store_impl.h"
#include "service/store_map.h"

typedef struct mnode {
    struct mnode *prev, *next;
    void *rec;     /* owned: ds_meta * or job_rec * */
    ds_data *data; /* datasets: the store's reference to the columns */
} mnode;

typedef struct mlist {
    mnode *head, *tail;
} mlist;

typedef struct mem_store {
    store base;
    pthread_mutex_t mu;
    mlist datasets, jobs;                       /* creation order */
    store_map ds_by_id, job_by_id, job_by_idem; /* values: mnode * */
    size_t counts[JOB_STATUS_COUNT];
} mem_store;

static void list_append(mlist *l, mnode *n) {
    n->next = NULL;
    n->prev = l->tail;
    if (l->tail != NULL)
        l->tail->next = n;
    else
        l->head = n;
    l->tail = n;
}

static void list_unlink(mlist *l, mnode *n) {
    if (n->prev != NULL)
        n->prev->next = n->next;
    else
        l->head = n->next;
    if (n->next != NULL)
        n->next->prev = n->prev;
    else
        l->tail = n->prev;
}

/* Where a page after `after` (NULL: from the start) begins; -1 when
 * `after` is unknown. */
static int page_start(const mlist *l, const store_map *idx, const char *after, mnode **start) {
    if (after == NULL) {
        *start = l->head;
        return 0;
    }
    mnode *n = store_map_get(idx, after);
    if (n == NULL) return -1;
    *start = n->next;
    return 0;
}

/* The same, walking backwards (newest first): the page after `after`
 * begins at the node before it; from the start is from the tail. */
static int page_start_back(const mlist *l, const store_map *idx, const char *after, mnode **start) {
    if (after == NULL) {
        *start = l->tail;
        return 0;
    }
    mnode *n = store_map_get(idx, after);
    if (n == NULL) return -1;
    *start = n->prev;
    return 0;
}

/* ---- datasets ---- */

static int mem_dataset_put(store *s, const ds_meta *m, ds_data *d) {
    mem_store *ms = (mem_store *)s;
    int rc = STORE_ERROR;
    ds_meta *copy = NULL;
    mnode *node = NULL;
    pthread_mutex_lock(&ms->mu);
    if (store_map_get(&ms->ds_by_id, m->id) != NULL) {
        rc = STORE_CONFLICT;
        goto done;
    }
    if ((copy = ds_meta_copy(m)) == NULL || (node = calloc(1, sizeof *node)) == NULL) goto done;
    if (store_map_put(&ms->ds_by_id, copy->id, node) != 0) goto done;
    node->rec = copy;
    node->data = ds_data_ref(d);
    list_append(&ms->datasets, node);
    copy = NULL;
    node = NULL;
    rc = STORE_OK;
done:
    pthread_mutex_unlock(&ms->mu);
    ds_meta_free(copy);
    free(node);
    return rc;
}

static int mem_dataset_meta(store *s, const char *id, ds_meta **out) {
    mem_store *ms = (mem_store *)s;
    int rc = STORE_NOTFOUND;
    pthread_mutex_lock(&ms->mu);
    mnode *n = store_map_get(&ms->ds_by_id, id);
    if (n != NULL) rc = (*out = ds_meta_copy(n->rec)) != NULL ? STORE_OK : STORE_ERROR;
    pthread_mutex_unlock(&ms->mu);
    return rc;
}

static int mem_dataset_data(store *s, const char *id, ds_data **out) {
    mem_store *ms = (mem_store *)s;
    int rc = STORE_NOTFOUND;
    pthread_mutex_lock(&ms->mu);
    mnode *n = store_map_get(&ms->ds_by_id, id);
    if (n != NULL) {
        *out = ds_data_ref(n->data);
        rc = STORE_OK;
    }
    pthread_mutex_unlock(&ms->mu);
    return rc;
}

static void dataset_node_free(mnode *n) {
    if (n == NULL) return;
    ds_meta_free(n->rec);
    ds_data_release(n->data);
    free(n);
}

static int mem_dataset_delete(store *s, const char *id) {
    mem_store *ms = (mem_store *)s;
    pthread_mutex_lock(&ms->mu);
    mnode *n = store_map_del(&ms->ds_by_id, id);
    if (n != NULL) list_unlink(&ms->datasets, n);
    pthread_mutex_unlock(&ms->mu);
    dataset_node_free(n); /* outside the lock: it may free the columns */
    return n != NULL ? STORE_OK : STORE_NOTFOUND;
}

/* Whether a job names dataset id (a walk of every job: this store keeps
 * no index by dataset). Called with the lock held. */
static int dataset_in_use(const mem_store *ms, const char *id) {
    for (const mnode *n = ms->jobs.head; n != NULL; n = n->next)
        if (strcmp(((const job_rec *)n->rec)->dataset, id) == 0) return 1;
    return 0;
}

/* Whether dataset node n is inline, older than before_ms and unused. */
static int sweepable(const mem_store *ms, const mnode *n, int64_t before_ms) {
    const ds_meta *m = n->rec;
    return m->inline_data && m->created_ms < before_ms && !dataset_in_use(ms, m->id);
}

static int mem_dataset_sweep_inline(store *s, const char *id, int64_t before_ms, size_t *count) {
    mem_store *ms = (mem_store *)s;
    mnode *gone = NULL; /* unlinked under the lock, freed after it */
    pthread_mutex_lock(&ms->mu);
    mnode *one = id ? store_map_get(&ms->ds_by_id, id) : NULL;
    for (mnode *n = id ? one : ms->datasets.head, *next; n != NULL; n = next) {
        next = id ? NULL : n->next;
        if (!sweepable(ms, n, before_ms)) continue;
        store_map_del(&ms->ds_by_id, ((ds_meta *)n->rec)->id);
        list_unlink(&ms->datasets, n);
        n->next = gone;
        gone = n;
        (*count)++;
    }
    pthread_mutex_unlock(&ms->mu);
    while (gone != NULL) {
        mnode *next = gone->next;
        dataset_node_free(gone);
        gone = next;
    }
    return STORE_OK;
}

static int mem_dataset_list(store *s, const char *after, size_t limit, int include_inline,
                            ds_meta ***out, size_t *n, int *more) {
    mem_store *ms = (mem_store *)s;
    int rc = STORE_ERROR;
    store_vec v = {NULL, 0, 0};
    mnode *node;
    pthread_mutex_lock(&ms->mu);
    if (page_start(&ms->datasets, &ms->ds_by_id, after, &node) != 0) {
        rc = STORE_NOTFOUND;
        goto done;
    }
    for (; node != NULL; node = node->next) {
        const ds_meta *m = node->rec;
        if (m->inline_data && !include_inline) continue;
        if (v.n == limit) {
            *more = 1;
            break;
        }
        ds_meta *copy = ds_meta_copy(m);
        if (copy == NULL || store_vec_push(&v, &copy, sizeof copy) != 0) {
            ds_meta_free(copy);
            goto done;
        }
    }
    *out = v.buf;
    *n = v.n;
    v.buf = NULL;
    v.n = 0;
    rc = STORE_OK;
done:
    pthread_mutex_unlock(&ms->mu);
    if (rc != STORE_OK) *more = 0;
    ds_meta **left = v.buf;
    for (size_t i = 0; i < v.n; i++) ds_meta_free(left[i]);
    free(v.buf);
    return rc;
}

/* ---- jobs ---- */

static int mem_job_put(store *s, const job_rec *j) {
    mem_store *ms = (mem_store *)s;
    int rc = STORE_ERROR;
    job_rec *copy = NULL;
    mnode *node = NULL;
    pthread_mutex_lock(&ms->mu);
    if (store_map_get(&ms->job_by_id, j->id) != NULL ||
        (j->idem_key != NULL && store_map_get(&ms->job_by_idem, j->idem_key) != NULL)) {
        rc = STORE_CONFLICT;
        goto done;
    }
    if ((copy = job_rec_copy(j, 1)) == NULL || (node = calloc(1, sizeof *node)) == NULL) goto done;
    if (store_map_put(&ms->job_by_id, copy->id, node) != 0) goto done;
    if (copy->idem_key != NULL && store_map_put(&ms->job_by_idem, copy->idem_key, node) != 0) {
        store_map_del(&ms->job_by_id, copy->id);
        goto done;
    }
    node->rec = copy;
    list_append(&ms->jobs, node);
    ms->counts[copy->status]++;
    copy = NULL;
    node = NULL;
    rc = STORE_OK;
done:
    pthread_mutex_unlock(&ms->mu);
    job_rec_free(copy);
    free(node);
    return rc;
}

static int mem_job_update(store *s, const job_rec *j, int from) {
    mem_store *ms = (mem_store *)s;
    int rc = STORE_NOTFOUND, fail = 0;
    /* copied before the lock, swapped in under it */
    char *result = store_strdup(j->result_json, &fail);
    unsigned char *history = store_memdup(j->history, j->history_len, &fail);
    if (fail) {
        rc = STORE_ERROR;
        goto done;
    }
    pthread_mutex_lock(&ms->mu);
    mnode *n = store_map_get(&ms->job_by_id, j->id);
    if (n != NULL && from >= 0 && ((job_rec *)n->rec)->status != (job_status)from) {
        rc = STORE_CONFLICT;
    } else if (n != NULL) {
        job_rec *r = n->rec;
        char *old_result = r->result_json;
        unsigned char *old_history = r->history;
        ms->counts[r->status]--;
        ms->counts[j->status]++;
        r->status = j->status;
        r->started_ms = j->started_ms;
        r->finished_ms = j->finished_ms;
        r->attempts = j->attempts;
        r->result_json = result;
        r->history = history;
        r->history_len = history ? j->history_len : 0;
        result = old_result; /* freed below */
        history = old_history;
        rc = STORE_OK;
    }
    pthread_mutex_unlock(&ms->mu);
done:
    free(result); /* the old texts, or the unused copies */
    free(history);
    return rc;
}

/* A deep copy of the job under key in idx, into *out. */
static int job_lookup(mem_store *ms, const store_map *idx, const char *key, job_rec **out) {
    int rc = STORE_NOTFOUND;
    pthread_mutex_lock(&ms->mu);
    mnode *n = store_map_get(idx, key);
    if (n != NULL) rc = (*out = job_rec_copy(n->rec, 1)) != NULL ? STORE_OK : STORE_ERROR;
    pthread_mutex_unlock(&ms->mu);
    return rc;
}

static int mem_job_get(store *s, const char *id, job_rec **out) {
    mem_store *ms = (mem_store *)s;
    return job_lookup(ms, &ms->job_by_id, id, out);
}

static int mem_job_by_idem(store *s, const char *key, job_rec **out) {
    mem_store *ms = (mem_store *)s;
    return job_lookup(ms, &ms->job_by_idem, key, out);
}

static int mem_job_delete(store *s, const char *id) {
    mem_store *ms = (mem_store *)s;
    pthread_mutex_lock(&ms->mu);
    mnode *n = store_map_del(&ms->job_by_id, id);
    if (n != NULL) {
        job_rec *r = n->rec;
        if (r->idem_key != NULL) store_map_del(&ms->job_by_idem, r->idem_key);
        list_unlink(&ms->jobs, n);
        ms->counts[r->status]--;
    }
    pthread_mutex_unlock(&ms->mu);
    if (n == NULL) return STORE_NOTFOUND;
    job_rec_free(n->rec);
    free(n);
    return STORE_OK;
}

static int mem_job_list(store *s, const char *after, size_t limit, int status, int newest_first,
                        job_rec ***out, size_t *n, int *more) {
    mem_store *ms = (mem_store *)s;
    int rc = STORE_ERROR;
    store_vec v = {NULL, 0, 0};
    mnode *node;
    pthread_mutex_lock(&ms->mu);
    if ((newest_first ? page_start_back(&ms->jobs, &ms->job_by_id, after, &node)
                      : page_start(&ms->jobs, &ms->job_by_id, after, &node)) != 0) {
        rc = STORE_NOTFOUND;
        goto done;
    }
    for (; node != NULL; node = newest_first ? node->prev : node->next) {
        const job_rec *r = node->rec;
        if (status >= 0 && (int)r->status != status) continue;
        if (v.n == limit) {
            *more = 1;
            break;
        }
        job_rec *copy = job_rec_copy(r, 0);
        if (copy == NULL || store_vec_push(&v, &copy, sizeof copy) != 0) {
            job_rec_free(copy);
            goto done;
        }
    }
    *out = v.buf;
    *n = v.n;
    v.buf = NULL;
    v.n = 0;
    rc = STORE_OK;
done:
    pthread_mutex_unlock(&ms->mu);
    if (rc != STORE_OK) *more = 0;
    job_rec **left = v.buf;
    for (size_t i = 0; i < v.n; i++) job_rec_free(left[i]);
    free(v.buf);
    return rc;
}

static int mem_job_requeue(store *s, char ***ids, size_t *n) {
    mem_store *ms = (mem_store *)s;
    int rc = STORE_ERROR, fail = 0;
    store_vec v = {NULL, 0, 0};
    pthread_mutex_lock(&ms->mu);
    /* first every allocation, then the changes, so a failure changes nothing */
    for (mnode *node = ms->jobs.head; node != NULL; node = node->next) {
        const job_rec *r = node->rec;
        if (r->status != JOB_QUEUED && r->status != JOB_RUNNING) continue;
        char *id = store_strdup(r->id, &fail);
        if (fail || store_vec_push(&v, &id, sizeof id) != 0) {
            free(id);
            goto done;
        }
    }
    for (mnode *node = ms->jobs.head; node != NULL; node = node->next) {
        job_rec *r = node->rec;
        if (r->status != JOB_RUNNING) continue;
        ms->counts[JOB_RUNNING]--;
        ms->counts[JOB_QUEUED]++;
        r->status = JOB_QUEUED;
    }
    *ids = v.buf;
    *n = v.n;
    v.buf = NULL;
    v.n = 0;
    rc = STORE_OK;
done:
    pthread_mutex_unlock(&ms->mu);
    char **left = v.buf;
    for (size_t i = 0; i < v.n; i++) free(left[i]);
    free(v.buf);
    return rc;
}

static int mem_job_counts(store *s, size_t counts[JOB_STATUS_COUNT]) {
    mem_store *ms = (mem_store *)s;
    pthread_mutex_lock(&ms->mu);
    memcpy(counts, ms->counts, sizeof ms->counts);
    pthread_mutex_unlock(&ms->mu);
    return STORE_OK;
}

/* ---- open, close ---- */

static void mem_close(store *s) {
    mem_store *ms = (mem_store *)s;
    mnode *n = ms->datasets.head;
    while (n != NULL) {
        mnode *next = n->next;
        dataset_node_free(n);
        n = next;
    }
    for (n = ms->jobs.head; n != NULL;) {
        mnode *next = n->next;
        job_rec_free(n->rec);
        free(n);
        n = next;
    }
    store_map_clear(&ms->ds_by_id);
    store_map_clear(&ms->job_by_id);
    store_map_clear(&ms->job_by_idem);
    pthread_mutex_destroy(&ms->mu);
    free(ms);
}

static const store_ops mem_ops = {
    .kind = "memory",
    .close = mem_close,
    .dataset_put = mem_dataset_put,
    .dataset_meta = mem_dataset_meta,
    .dataset_data = mem_dataset_data,
    .dataset_delete = mem_dataset_delete,
    .dataset_sweep_inline = mem_dataset_sweep_inline,
    .dataset_list = mem_dataset_list,
    .job_put = mem_job_put,
    .job_update = mem_job_update,
    .job_get = mem_job_get,
    .job_by_idem = mem_job_by_idem,
    .job_delete = mem_job_delete,
    .job_list = mem_job_list,
    .job_requeue = mem_job_requeue,
    .job_counts = mem_job_counts,
};

store *store_memory_open(char *err, size_t cap) {
    mem_store *ms = calloc(1, sizeof *ms);
    if (ms == NULL || pthread_mutex_init(&ms->mu, NULL) != 0) {
        free(ms);
        store_seterr(err, cap, "memory store: out of memory");
        return NULL;
    }
    ms->base.ops = &mem_ops;
    store_map_init(&ms->ds_by_id);
    store_map_init(&ms->job_by_id);
    store_map_init(&ms->job_by_idem);
    return &ms->base;
}
