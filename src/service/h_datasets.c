/* h_datasets.c - /v1/datasets: create (JSON columns, generate, or a CSV
 * body parsed as it streams in), list, get, data, delete. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/err.h"
#include "csv.h"
#include "dsdoc.h"
#include "handlers.h"
#include "jbody.h"

/* The CSV upload in progress (r->state). */
typedef struct csv_state {
    csv_reader *csv;
} csv_state;

static int csv_feed_cb(void *ctx, const char *buf, size_t len) {
    return csv_feed(((csv_state *)ctx)->csv, buf, len);
}

int h_dataset_open_csv(http_req *r, http_reply *out) {
    csv_state *st = calloc(1, sizeof *st);
    if (st == NULL || (st->csv = csv_new(r->app->cfg.max_rows, FIT_MAX_COLS)) == NULL) {
        free(st);
        reply_internal(out, "out of memory");
        return -1;
    }
    r->state = st;
    r->sink.ctx = st;
    r->sink.feed = csv_feed_cb;
    return 0;
}

void h_dataset_cleanup(http_req *r) {
    csv_state *st = r->state;
    if (st) csv_free(st->csv);
    free(st);
    r->state = NULL;
}

/* Stores d (taken) under a new id and answers 201 with its metadata. */
static void store_new(http_req *r, fit_data *d, const char *name, http_reply *out) {
    ds_meta m;
    memset(&m, 0, sizeof m);
    ds_data *dd = NULL;
    if (d->rows > r->app->cfg.max_rows) {
        char detail[160];
        snprintf(detail, sizeof detail, "the dataset has %zu rows; this server takes at most %zu (--max-rows)",
                 d->rows, r->app->cfg.max_rows);
        reply_problem(out, 413, "dataset-too-large", "Dataset too large", detail, NULL);
        data_free(d);
        return;
    }
    if (dsdoc_meta(&m, d, name, 0) != 0 || (dd = ds_data_wrap(d)) == NULL) {
        if (dd == NULL && m.id[0] == 0) data_free(d);
        reply_internal(out, "out of memory");
        goto done;
    }
    if (store_dataset_put(r->app->st, &m, dd) != STORE_OK) {
        reply_internal(out, "the dataset could not be stored");
        goto done;
    }
    reply_json(out, 201, dsdoc_meta_json(&m));
    snprintf(out->location, sizeof out->location, "/v1/datasets/%s", m.id);
done:
    ds_data_release(dd);
    free(m.name);
    for (size_t c = 0; c < m.ncols && m.names; c++) free(m.names[c]);
    free(m.names);
    free(m.stats);
}

static void create_from_csv(http_req *r, http_reply *out) {
    csv_state *st = r->state;
    fit_data *d = NULL;
    const char *name = http_query(r, "name");
    if (name && strlen(name) > 200) {
        reply_problem(out, 400, "bad-query", "Bad query parameter",
                      "name must be at most 200 characters",
                      json_pack("[{s:s, s:s}]", "parameter", "name", "detail", "too long"));
        return;
    }
    if (csv_finish(st->csv, &d) != 0) {
        const csv_error *ce = csv_error_of(st->csv);
        int too_many = ce->code == FIT_ELIMIT;
        json_t *err = json_pack("{s:s, s:s}", "pointer", "", "detail", ce->msg);
        if (err && ce->row > 0) json_object_set_new(err, "row", json_integer((json_int_t)ce->row));
        if (err && ce->column > 0) json_object_set_new(err, "column", json_integer((json_int_t)ce->column));
        reply_problem(out, too_many ? 413 : 422, too_many ? "dataset-too-large" : "invalid-csv",
                      too_many ? "Dataset too large" : "Invalid CSV", ce->msg,
                      err ? json_pack("[o]", err) : NULL);
        return;
    }
    store_new(r, d, name, out);
}

void h_dataset_create(http_req *r, http_reply *out) {
    problem p;
    problem_init(&p);
    if (r->state) {
        create_from_csv(r, out);
        return;
    }
    json_t *body = jbody_parse(r->body ? r->body : "", r->body_len, &p);
    const char *name = NULL;
    if (body && !json_is_object(body)) problem_add(&p, "", NULL, 0, "must be an object");
    if (body && json_is_object(body)) {
        json_t *nm = json_object_get(body, "name");
        if (nm && !json_is_null(nm) && (!json_is_string(nm) || json_string_length(nm) > 200))
            problem_add(&p, "/name", NULL, 0, "must be a string of at most 200 characters");
        else if (nm && json_is_string(nm))
            name = json_string_value(nm);
        json_t *copy = json_copy(body);
        json_object_del(copy, "name");
        fit_data *d = problem_failed(&p) ? NULL : dsdoc_read_data(copy, "", r->app->cfg.max_rows, &p);
        json_decref(copy);
        if (d) {
            store_new(r, d, name, out);
            json_decref(body);
            problem_clear(&p);
            return;
        }
    }
    reply_problem_doc(out, &p);
    json_decref(body);
    problem_clear(&p);
}

void h_dataset_list(http_req *r, http_reply *out) {
    long size;
    if (query_long(r, "page_size", 1, 1000, 100, &size, out)) return;
    const char *token = http_query(r, "page_token");
    ds_meta **items = NULL;
    size_t n = 0;
    int more = 0;
    int inl = http_query(r, "include_inline") && strcmp(http_query(r, "include_inline"), "true") == 0;
    int rc = store_dataset_list(r->app->st, token, (size_t)size, inl, &items, &n, &more);
    if (rc == STORE_NOTFOUND) {
        reply_bad_page_token(out);
        return;
    }
    if (rc != STORE_OK) {
        reply_internal(out, "the store could not list datasets");
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr, dsdoc_meta_json(items[i]));
    }
    json_t *doc = json_pack("{s:o}", "items", arr);
    if (more && n) json_object_set_new(doc, "next_page_token", json_string(items[n - 1]->id));
    for (size_t i = 0; i < n; i++) ds_meta_free(items[i]);
    free(items);
    reply_json(out, 200, doc);
}

static void not_found(http_reply *out, const char *what, const char *id) {
    char detail[200];
    snprintf(detail, sizeof detail, "no %s with id '%.120s'", what, id);
    reply_problem(out, 404, "not-found", "Not found", detail, NULL);
}

void h_dataset_get(http_req *r, http_reply *out) {
    ds_meta *m = NULL;
    int rc = store_dataset_meta(r->app->st, r->caps[0], &m);
    if (rc == STORE_NOTFOUND) not_found(out, "dataset", r->caps[0]);
    else if (rc != STORE_OK) reply_internal(out, "the store could not read the dataset");
    else reply_json(out, 200, dsdoc_meta_json(m));
    ds_meta_free(m);
}

void h_dataset_data(http_req *r, http_reply *out) {
    ds_data *dd = NULL;
    int rc = store_dataset_data(r->app->st, r->caps[0], &dd);
    if (rc == STORE_NOTFOUND) {
        not_found(out, "dataset", r->caps[0]);
        return;
    }
    if (rc != STORE_OK) {
        reply_internal(out, "the store could not read the dataset");
        return;
    }
    size_t len;
    char *text = dsdoc_data_text(dd->d, &len);
    ds_data_release(dd);
    if (text == NULL) reply_internal(out, "out of memory");
    else reply_text(out, 200, "application/json", text, len);
}

void h_dataset_delete(http_req *r, http_reply *out) {
    int rc = store_dataset_delete(r->app->st, r->caps[0]);
    if (rc == STORE_NOTFOUND) not_found(out, "dataset", r->caps[0]);
    else if (rc != STORE_OK) reply_internal(out, "the store could not delete the dataset");
    else out->status = 204;
}
