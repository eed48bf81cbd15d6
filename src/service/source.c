/* source.c - reading, describing and loading a job's data source. */
#include "source.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "jptr.h"
#include "jread.h"

void source_clear(spec_source *src) {
    if (src == NULL) return;
    data_free(src->data);
    memset(src, 0, sizeof *src);
}

/* Column c's values into out[0..rows); a non-number is an error at
 * /data/columns/<name>/<row>. Returns the number of bad entries. */
static size_t read_values(json_t *arr, const char *name, double *out, problem *p) {
    size_t bad = 0, i;
    json_t *v;
    char *colptr = NULL;
    json_array_foreach(arr, i, v) {
        if (json_is_number(v)) {
            out[i] = json_number_value(v);
            continue;
        }
        if (bad++ == 0) colptr = jptr_join("/data/columns", name);
        char idx[24];
        snprintf(idx, sizeof idx, "%zu", i);
        problem_add(p, colptr ? colptr : "/data/columns", colptr ? idx : name, 0,
                    "must be a number");
    }
    free(colptr);
    return bad;
}

/* Checks names, types and lengths; *rows gets the common length. */
static int check_columns(json_t *cols, size_t *rows, problem *p) {
    const char *key, *first = NULL;
    json_t *v;
    int bad = 0;
    size_t n = json_object_size(cols);
    if (n == 0) {
        problem_add(p, "/data/columns", NULL, 0, "must have at least one column");
        return -1;
    }
    if (n > FIT_MAX_COLS) {
        problem_add(p, "/data/columns", NULL, 0, "has %zu columns; at most %d are allowed", n,
                    FIT_MAX_COLS);
        return -1;
    }
    json_object_foreach(cols, key, v) {
        if (!data_valid_name(key)) {
            problem_add(p, "/data/columns", key, 0,
                        "is not a valid column name: letters, digits and _, not starting "
                        "with a digit, at most %d characters",
                        FIT_NAME_MAX - 1);
            bad = 1;
        }
        if (!json_is_array(v)) {
            problem_add(p, "/data/columns", key, 0, "must be an array of numbers");
            bad = 1;
            continue;
        }
        size_t len = json_array_size(v);
        if (len == 0) {
            problem_add(p, "/data/columns", key, 0, "must have at least 1 row");
            bad = 1;
        } else if (len > (size_t)FIT_MAX_ROWS) {
            problem_add(p, "/data/columns", key, 0, "has %zu rows; at most %ld are allowed", len,
                        FIT_MAX_ROWS);
            bad = 1;
        } else if (first == NULL) {
            first = key;
            *rows = len;
        } else if (len != *rows) {
            problem_add(p, "/data/columns", key, 0, "has %zu rows; column '%s' has %zu", len, first,
                        *rows);
            bad = 1;
        }
    }
    return bad || first == NULL ? -1 : 0;
}

static int read_columns(json_t *cols, spec_source *src, problem *p) {
    size_t rows = 0;
    if (!json_is_object(cols)) {
        problem_add(p, "/data/columns", NULL, 0,
                    "must be an object mapping column names to arrays of numbers");
        return -1;
    }
    if (check_columns(cols, &rows, p) != 0) return -1;
    size_t ncols = json_object_size(cols), c = 0;
    const char **names = malloc(ncols * sizeof *names);
    if (names == NULL) goto oom;
    const char *key;
    json_t *v;
    json_object_foreach(cols, key, v) names[c++] = key;
    fit_data *d = data_new(ncols, rows, names);
    free(names);
    if (d == NULL) goto oom;
    size_t bad = 0;
    c = 0;
    json_object_foreach(cols, key, v) bad += read_values(v, key, d->cols[c++], p);
    if (bad) {
        data_free(d);
        return -1;
    }
    src->kind = SOURCE_COLUMNS;
    src->data = d;
    return 0;
oom:
    problem_set(p, 500, "internal", "Internal error", "out of memory reading the columns");
    return -1;
}

static int read_generate(json_t *v, spec_source *src, problem *p) {
    const char *ptr = "/data/generate", *name = NULL;
    jread r;
    if (jread_begin(&r, v, ptr, p) != 0) return -1;
    int got = jread_string(&r, "kind", &name);
    if (got <= 0) {
        if (got == 0) problem_add(p, ptr, "kind", 0, "is required: linear or gaussian");
        return -1; /* without a kind the other members cannot be judged */
    }
    const catalog_gen *g = catalog_gen_by_name(name);
    if (g == NULL) {
        problem_add(p, ptr, "kind", 0, "unknown generator '%s'; expected one of linear, gaussian",
                    name);
        return -1;
    }
    gen_conf *c = &src->gen;
    memset(c, 0, sizeof *c);
    c->kind = g->kind;
    char what[64];
    snprintf(what, sizeof what, "generator '%s'", g->name);
    r.what = what;
    int bad = 0;
    for (size_t i = 0; i < catalog_gen_nfields; i++)
        if (catalog_gen_fields[i].kind == g->kind &&
            jread_field(&r, &catalog_gen_fields[i].f, c) < 0)
            bad = 1;
    if (c->kind == GEN_LINEAR && !problem_find(p, "/data/generate/x_max") &&
        !problem_find(p, "/data/generate/x_min")) {
        if (c->x_max < c->x_min) {
            problem_add(p, ptr, "x_max", 0, "must be >= x_min");
            bad = 1;
        } else if (!isfinite(c->x_max - c->x_min)) {
            problem_add(p, ptr, "x_max", 0, "x_max - x_min must be a finite number");
            bad = 1;
        }
    }
    jread_end(&r);
    if (bad) return -1;
    src->kind = SOURCE_GENERATE;
    return 0;
}

int source_read(json_t *v, spec_source *src, problem *p) {
    jread r;
    if (jread_begin(&r, v, "/data", p) != 0) return -1;
    json_t *cols = jread_get(&r, "columns");
    json_t *gen = jread_get(&r, "generate");
    jread_end(&r);
    if (cols != NULL && gen != NULL) {
        problem_add(p, "/data", NULL, 0, "give either columns or generate, not both");
        return -1;
    }
    if (cols == NULL && gen == NULL) {
        problem_add(p, "/data", NULL, 0, "needs columns or generate");
        return -1;
    }
    return cols ? read_columns(cols, src, p) : read_generate(gen, src, p);
}

json_t *source_to_json(const spec_source *src, int *err) {
    *err = 0;
    if (src->kind != SOURCE_GENERATE) return NULL;
    const catalog_gen *g = catalog_gen_find(src->gen.kind);
    json_t *gen = json_object(), *out = json_object();
    int bad = gen == NULL || out == NULL || g == NULL;
    if (!bad) bad |= json_object_set_new(gen, "kind", json_string(g->name)) != 0;
    for (size_t i = 0; !bad && i < catalog_gen_nfields; i++) {
        const field_def *f = &catalog_gen_fields[i].f;
        if (catalog_gen_fields[i].kind == src->gen.kind)
            bad |= json_object_set_new(gen, f->name, field_to_json(f, &src->gen)) != 0;
    }
    if (!bad) {
        bad = json_object_set_new(out, "generate", gen) != 0;
        gen = NULL; /* stolen */
    }
    json_decref(gen);
    if (bad) {
        json_decref(out);
        *err = 1;
        return NULL;
    }
    return out;
}

fit_data *source_schema(const spec_source *src, const fit_data *dataset, size_t *rows) {
    static const char *const linear[] = {"x", "y"}, *const gaussian[] = {"x"};
    switch (src->kind) {
    case SOURCE_GENERATE:
        *rows = (size_t)src->gen.n;
        if (src->gen.kind == GEN_LINEAR) return data_new(2, 0, linear);
        return data_new(1, 0, gaussian);
    case SOURCE_COLUMNS:
        dataset = src->data;
        break;
    case SOURCE_DATASET:
        break;
    case SOURCE_NONE:
        return NULL;
    }
    if (dataset == NULL) return NULL;
    *rows = dataset->rows;
    return data_new(dataset->ncols, 0, (const char *const *)dataset->names);
}

int source_load(spec_source *src, fit_err *e) {
    if (src->kind != SOURCE_GENERATE || src->data != NULL) return FIT_OK;
    return gen_data(&src->gen, &src->data, e);
}
