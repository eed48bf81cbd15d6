/* jobres.c - rendering jobs and histories. */
#include "jobres.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "handlers.h"
#include "history_pack.h"
#include "jobs.h"
#include "jout.h"

int jobres_terminal(job_status st) {
    return st == JOB_SUCCEEDED || st == JOB_FAILED || st == JOB_CANCELLED;
}

/* The result members, in the order `fitd fit` writes them. */
static const char *const result_members[] = {"params",       "loss",       "val_loss",
                                             "best_loss",    "best_epoch", "initial_loss",
                                             "epochs_run",   "termination", "reference",
                                             "error"};

json_t *jobres_render(app *a, const job_rec *rec) {
    json_t *res = rec->result_json ? json_loads(rec->result_json, 0, NULL) : NULL;
    json_t *doc = jobres_render_with(a, rec, res);
    json_decref(res);
    return doc;
}

json_t *jobres_render_with(app *a, const job_rec *rec, const json_t *res) {
    json_t *spec = rec->spec_json ? json_loads(rec->spec_json, 0, NULL) : NULL;
    json_t *doc = json_object();
    json_object_set_new(doc, "id", json_string(rec->id));
    json_object_set_new(doc, "status", json_string(job_status_name(rec->status)));
    json_object_set_new(doc, "seed", json_integer((json_int_t)rec->seed));
    json_object_set_new(doc, "spec", spec ? spec : json_null());
    for (size_t i = 0; i < sizeof result_members / sizeof *result_members; i++) {
        const char *k = result_members[i];
        json_t *v = res ? json_object_get(res, k) : NULL; /* shared, not copied */
        if (v) json_object_set(doc, k, v);
        else if (strcmp(k, "val_loss") != 0) json_object_set_new(doc, k, json_null());
    }
    json_object_set_new(doc, "dataset", rec->dataset[0] ? json_string(rec->dataset) : json_null());
    json_object_set_new(doc, "created_at", iso_time(rec->created_ms));
    json_object_set_new(doc, "started_at", iso_time(rec->started_ms));
    json_object_set_new(doc, "finished_at", iso_time(rec->finished_ms));
    json_object_set_new(doc, "attempts", json_integer(rec->attempts));
    json_t *prog = rec->status == JOB_RUNNING ? jobs_progress(a->jobs, rec->id) : NULL;
    if (prog == NULL && rec->status == JOB_RUNNING && store_shared(a->st)) {
        /* trained by another replica: the latest progress it published */
        store_progress *p = NULL;
        size_t n = 0;
        if (store_job_progress_get(a->st, rec->id, -1, 1, &p, &n) == STORE_OK && n == 1)
            prog = json_loads(p[0].data, 0, NULL);
        store_progress_free(p, n);
    }
    json_object_set_new(doc, "progress", prog ? prog : json_null());
    return doc;
}

/* An ISO time member (null for 0) appended to b. */
static void time_member(jout_buf *b, const char *name, long long ms) {
    json_t *t = iso_time(ms);
    jout_raw(b, ",", 1);
    jout_string(b, name);
    jout_raw(b, ":", 1);
    jout_value(b, t, JSON_COMPACT);
    json_decref(t);
}

/* The resource of a job that is not running, with its result members
 * given as text (the inside of the result object: "params":...,
 * "error":..., every member of result_members but a missing val_loss, in
 * that order). NULL on allocation failure. */
static char *resource_text(const job_rec *rec, const char *members, size_t n) {
    jout_buf b;
    jout_init(&b);
    jout_raw(&b, "{\"id\":", 6);
    jout_string(&b, rec->id);
    jout_raw(&b, ",\"status\":", 10);
    jout_string(&b, job_status_name(rec->status));
    jout_raw(&b, ",\"seed\":", 8);
    jout_int(&b, (long long)(json_int_t)rec->seed);
    jout_raw(&b, ",\"spec\":", 8);
    if (rec->spec_json) jout_raw(&b, rec->spec_json, strlen(rec->spec_json));
    else jout_raw(&b, "null", 4);
    jout_raw(&b, ",", 1);
    jout_raw(&b, members, n);
    jout_raw(&b, ",\"dataset\":", 11);
    if (rec->dataset[0]) jout_string(&b, rec->dataset);
    else jout_raw(&b, "null", 4);
    time_member(&b, "created_at", rec->created_ms);
    time_member(&b, "started_at", rec->started_ms);
    time_member(&b, "finished_at", rec->finished_ms);
    jout_raw(&b, ",\"attempts\":", 12);
    jout_int(&b, rec->attempts);
    jout_raw(&b, ",\"progress\":null}", 17);
    return jout_finish(&b);
}

/* Whether the spec is the object fitd stored, so its text can be spliced
 * in as it is. */
static int spec_spliceable(const job_rec *rec) {
    return rec->spec_json == NULL || rec->spec_json[0] == '{';
}

char *jobres_text(app *a, const job_rec *rec, const json_t *res) {
    /* a running job's progress, and a spec that is not the object fitd
       stored, go the long way */
    if (rec->status == JOB_RUNNING || !spec_spliceable(rec)) {
        json_t *doc = jobres_render_with(a, rec, res);
        char *text = doc ? jout_dumps(doc, JOBRES_DUMP_FLAGS) : NULL;
        json_decref(doc);
        return text;
    }
    jout_buf m;
    jout_init(&m);
    for (size_t i = 0; i < sizeof result_members / sizeof *result_members; i++) {
        const char *k = result_members[i];
        json_t *v = res ? json_object_get(res, k) : NULL;
        if (v == NULL && strcmp(k, "val_loss") == 0) continue;
        if (i > 0) jout_raw(&m, ",", 1);
        jout_string(&m, k);
        jout_raw(&m, ":", 1);
        if (v) jout_value(&m, v, JSON_COMPACT);
        else jout_raw(&m, "null", 4);
    }
    size_t n = m.n;
    char *members = jout_finish(&m);
    char *text = members ? resource_text(rec, members, n) : NULL;
    free(members);
    return text;
}

char *jobres_text_result(app *a, const job_rec *rec, const char *result) {
    size_t n = result ? strlen(result) : 0;
    if (rec->status == JOB_RUNNING || !spec_spliceable(rec) || n < 2 ||
        strncmp(result, "{\"params\":", 10) != 0 || result[n - 1] != '}') {
        json_t *res = result ? json_loads(result, 0, NULL) : NULL;
        char *text = jobres_text(a, rec, res);
        json_decref(res);
        return text;
    }
    return resource_text(rec, result + 1, n - 2);
}

/* Picks at most k indices of 0..n-1: evenly spaced, with 0, n-1 and best. */
static size_t pick(size_t n, size_t k, size_t best, size_t *idx) {
    if (k >= n || k == 0) {
        for (size_t i = 0; i < n; i++) idx[i] = i;
        return n;
    }
    if (k < 3) k = 3 < n ? 3 : n;
    size_t m = 0;
    for (size_t j = 0; j < k; j++) {
        size_t i = (size_t)llround((double)j * (double)(n - 1) / (double)(k - 1));
        if (m == 0 || idx[m - 1] != i) idx[m++] = i;
    }
    /* put best in place of its nearest neighbour unless it is there */
    size_t near = 0;
    for (size_t j = 0; j < m; j++) {
        if (idx[j] == best) return m;
        if ((idx[j] > best ? idx[j] - best : best - idx[j]) <
            (idx[near] > best ? idx[near] - best : best - idx[near]))
            near = j;
    }
    if (near == 0) near = 1;
    if (near == m - 1) near = m - 2;
    idx[near] = best;
    for (size_t j = near; j + 1 < m && idx[j] > idx[j + 1]; j++) {
        size_t t = idx[j];
        idx[j] = idx[j + 1];
        idx[j + 1] = t;
    }
    for (size_t j = near; j > 0 && idx[j] < idx[j - 1]; j--) {
        size_t t = idx[j];
        idx[j] = idx[j - 1];
        idx[j - 1] = t;
    }
    return m;
}

static json_t *subset(json_t *arr, const size_t *idx, size_t m) {
    json_t *out = json_array();
    for (size_t j = 0; j < m; j++) json_array_append(out, json_array_get(arr, idx[j]));
    return out;
}

json_t *jobres_history(const job_rec *rec, long max_points) {
    json_t *h = history_unpack(rec->history, rec->history_len);
    json_t *loss = h ? json_object_get(h, "loss") : NULL;
    if (!json_is_array(loss)) {
        json_decref(h);
        return NULL;
    }
    size_t n = json_array_size(loss);
    if (max_points <= 0 || (size_t)max_points >= n) return h;
    size_t best = 0;
    double bv = INFINITY;
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(loss, i);
        if (json_is_number(v) && json_number_value(v) < bv) {
            bv = json_number_value(v);
            best = i;
        }
    }
    size_t *idx = malloc(((size_t)max_points + 3) * sizeof *idx);
    if (idx == NULL) {
        json_decref(h);
        return NULL;
    }
    size_t m = pick(n, (size_t)max_points, best, idx);
    json_t *out = json_object();
    const char *key;
    json_t *v;
    json_object_foreach(h, key, v) {
        if (json_is_array(v)) {
            json_object_set_new(out, key, subset(v, idx, m));
        } else if (json_is_object(v)) {
            json_t *po = json_object();
            const char *pk;
            json_t *pv;
            json_object_foreach(v, pk, pv) json_object_set_new(po, pk, subset(pv, idx, m));
            json_object_set_new(out, key, po);
        }
    }
    json_object_set_new(out, "downsampled_from", json_integer((json_int_t)n));
    free(idx);
    json_decref(h);
    return out;
}
