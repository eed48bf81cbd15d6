/* dsdoc.c - dataset metadata and documents. */
#include "dsdoc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "colstats.h"
#include "handlers.h"
#include "jobs.h"
#include "source.h"

int dsdoc_meta(ds_meta *m, const fit_data *d, const char *name, int inline_data) {
    jobs_new_id("ds_", m->id, sizeof m->id);
    m->created_ms = jobs_now_ms();
    m->inline_data = inline_data;
    m->rows = d->rows;
    m->ncols = d->ncols;
    m->name = name ? strdup(name) : NULL;
    m->names = calloc(d->ncols ? d->ncols : 1, sizeof *m->names);
    m->stats = calloc(d->ncols ? d->ncols : 1, sizeof *m->stats);
    if ((name && m->name == NULL) || m->names == NULL || m->stats == NULL) return -1;
    for (size_t c = 0; c < d->ncols; c++) {
        if ((m->names[c] = strdup(d->names[c])) == NULL) return -1;
        colstats_compute(d->cols[c], d->rows, &m->stats[c]);
    }
    return 0;
}

static json_t *num(double x) {
    return isfinite(x) ? json_real(x) : json_null();
}

json_t *dsdoc_meta_json(const ds_meta *m) {
    json_t *cols = json_array(), *stats = json_object();
    for (size_t c = 0; c < m->ncols; c++) {
        const col_stats *s = &m->stats[c];
        json_array_append_new(cols, json_string(m->names[c]));
        json_object_set_new(stats, m->names[c],
                            json_pack("{s:I, s:o, s:o, s:o, s:o}", "count", (json_int_t)s->count,
                                      "mean", num(s->mean), "sd", num(s->sd), "min", num(s->min),
                                      "max", num(s->max)));
    }
    return json_pack("{s:s, s:s?, s:I, s:o, s:o, s:o, s:b}", "id", m->id, "name", m->name, "rows",
                     (json_int_t)m->rows, "columns", cols, "stats", stats, "created_at",
                     iso_time(m->created_ms), "inline", m->inline_data);
}

char *dsdoc_data_text(const fit_data *d, size_t *len) {
    size_t cap = 64 + d->ncols * (FIT_NAME_MAX + 8) + d->rows * d->ncols * 26, n = 0;
    char *buf = malloc(cap);
    if (buf == NULL) return NULL;
    n += (size_t)snprintf(buf + n, cap - n, "{\"columns\":{");
    for (size_t c = 0; c < d->ncols; c++) {
        n += (size_t)snprintf(buf + n, cap - n, "%s\"%s\":[", c ? "," : "", d->names[c]);
        for (size_t i = 0; i < d->rows; i++)
            n += (size_t)snprintf(buf + n, cap - n, "%s%.17g", i ? "," : "", d->cols[c][i]);
        buf[n++] = ']';
    }
    n += (size_t)snprintf(buf + n, cap - n, "}}");
    *len = n;
    return buf;
}

fit_data *dsdoc_read_data(json_t *v, const char *base, size_t max_rows, problem *p) {
    spec_source src = {0};
    fit_data *d = NULL;
    problem tmp;
    problem_init(&tmp);
    if (source_read(v, &src, &tmp) == 0 && !problem_failed(&tmp)) {
        fit_err e = {0};
        if (src.kind == SOURCE_GENERATE && max_rows && (size_t)src.gen.n > max_rows) {
            /* refused before a single row is drawn */
            problem_set(p, 413, "dataset-too-large", "Dataset too large",
                        "generate.n is %ld; this server takes at most %zu rows (--max-rows)",
                        src.gen.n, max_rows);
        } else if (src.kind == SOURCE_GENERATE && gen_check(&src.gen, &e) != FIT_OK) {
            problem_add(&tmp, "/data/generate", NULL, 0, "%s", e.msg);
        } else if (source_load(&src, &e) == FIT_OK) {
            d = src.data;
            src.data = NULL;
        } else {
            problem_add(&tmp, "/data/generate", NULL, 0, "%s", e.msg);
        }
    }
    /* source_read names fields under /data; re-home them under base */
    for (size_t i = 0; i < tmp.nerrors; i++) {
        const char *ptr = tmp.errors[i].pointer;
        const char *rest = strncmp(ptr, "/data", 5) == 0 ? ptr + 5 : ptr;
        char full[1024];
        snprintf(full, sizeof full, "%s%s", base, rest);
        problem_add(p, full, NULL, tmp.errors[i].column, "%s", tmp.errors[i].detail);
    }
    if (tmp.status && !problem_failed(p)) problem_set(p, tmp.status, tmp.slug, tmp.title, "%s", tmp.detail);
    problem_clear(&tmp);
    source_clear(&src);
    return d;
}
