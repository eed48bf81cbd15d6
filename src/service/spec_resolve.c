/* spec_resolve.c - checking a read spec against its data (column names and
 * row count only), expanding it, applying "init" and compiling its
 * expressions once, so that every 422 comes before any training. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/prog.h"
#include "init_json.h"
#include "spec_json.h"

void spec_core_error(const fit_spec *s, const fit_err *e, problem *p) {
    if (e->code == FIT_ENOMEM) {
        problem_set(p, 500, "internal", "Internal error", "out of memory: %s", e->msg);
        return;
    }
    const char *ptr = "";
    int column = e->column;
    /* a built-in's expression text is not the user's: no column for it */
    if (e->source == FIT_SRC_MODEL) {
        if (s->model.kind == MODEL_EXPRESSION) {
            ptr = s->model.output == OUT_LOGPDF ? "/model/logpdf" : "/model/predict";
        } else {
            ptr = "/model";
            column = 0;
        }
    } else if (e->source == FIT_SRC_LOSS) {
        if (s->loss.kind == LOSS_EXPR) {
            ptr = "/loss/expr";
        } else {
            ptr = "/loss";
            column = 0;
        }
    }
    problem_add(p, ptr, NULL, column, "%s", e->msg);
}

/* "x, y, z" (the first few) for messages. */
static void column_list(const fit_data *d, char *buf, size_t n) {
    size_t off = 0;
    buf[0] = '\0';
    for (size_t c = 0; c < d->ncols && off < n; c++) {
        if (c == 8) {
            snprintf(buf + off, n - off, ", ... (%zu columns)", d->ncols);
            break;
        }
        off += (size_t)snprintf(buf + off, n - off, "%s%s", c ? ", " : "", d->names[c]);
    }
}

static void need_column(const fit_data *d, const char *name, const char *base, const char *key,
                        problem *p) {
    if (data_find(d, name) >= 0) return;
    char cols[600];
    column_list(d, cols, sizeof cols);
    problem_add(p, base, key, 0, "unknown column '%s'; the data has %s", name, cols);
}

static void check_columns(const job_spec *js, const fit_data *d, problem *p) {
    const fit_model *m = &js->fit.model;
    if (m->kind == MODEL_LINEAR || m->kind == MODEL_GAUSSIAN) {
        for (size_t i = 0; i < m->ninputs; i++) {
            char idx[24];
            snprintf(idx, sizeof idx, "%zu", i);
            if (js->x_is_list)
                need_column(d, m->inputs[i], "/model/x", idx, p);
            else
                need_column(d, m->inputs[i], "/model", "x", p);
        }
    }
    if (m->output == OUT_PREDICT) need_column(d, m->target, "/model", "y", p);
    if (m->kind != MODEL_EXPRESSION) return;
    for (size_t i = 0; i < js->fit.nparams; i++) {
        if (data_find(d, js->fit.params[i].name) < 0) continue;
        char idx[24];
        snprintf(idx, sizeof idx, "%zu", i);
        problem_add(p, "/model/params", idx, 0,
                    "'%s' is also a column of the data; give the parameter another name",
                    js->fit.params[i].name);
    }
}

/* Rows as Keras splits them: the last rows - floor(rows * (1 - split))
 * rows are held out for validation. */
static void check_rows(const fit_spec *s, size_t rows, problem *p) {
    size_t train = rows;
    if (s->validation_split > 0) {
        train = (size_t)floor((double)rows * (1.0 - s->validation_split));
        if (train < 1 || train >= rows) {
            problem_add(p, "/validation_split", NULL, 0,
                        "leaves %zu training and %zu validation rows of %zu; each needs at "
                        "least 1",
                        train, rows - train, rows);
            return;
        }
    }
    if (s->batch_size > 0 && (size_t)s->batch_size > train)
        problem_add(p, "/batch_size", NULL, 0, "must be <= %zu, the number of training rows",
                    train);
}

/* The body's "init" over the expanded parameter list. */
static void apply_init(job_spec *js, problem *p) {
    fit_spec *s = &js->fit;
    for (size_t i = 0; i < js->ninit; i++) {
        const spec_init_entry *e = &js->init[i];
        int k = spec_param_index(s, e->name);
        if (k < 0) {
            char names[600];
            size_t off = 0;
            names[0] = '\0';
            for (size_t j = 0; j < s->nparams && off < sizeof names; j++)
                off += (size_t)snprintf(names + off, sizeof names - off, "%s%s", j ? ", " : "",
                                        s->params[j].name);
            problem_add(p, "/init", e->name, 0, "unknown parameter '%s'; the model has %s", e->name,
                        names);
            continue;
        }
        if (js->model_init[k]) {
            problem_add(p, "/init", e->name, 0, "'%s' already has an init in /model/params/%d",
                        e->name, k);
            continue;
        }
        if (s->params[k].positive &&
            init_check_positive(&e->init, e->name, "/init", e->name, p) != 0)
            continue;
        s->params[k].init = e->init;
    }
}

int spec_resolve(job_spec *js, const fit_data *dataset, problem *p) {
    size_t rows = 0;
    if (js->src.kind == SOURCE_DATASET && dataset == NULL) {
        problem_add(p, "/dataset", NULL, 0, "unknown dataset '%s'", js->src.dataset);
        return -1;
    }
    fit_data *schema = source_schema(&js->src, dataset, &rows);
    if (schema == NULL) {
        problem_set(p, 500, "internal", "Internal error", "out of memory describing the data");
        return -1;
    }
    int rc = -1;
    prog *pr = NULL;
    fit_err e;
    memset(&e, 0, sizeof e);
    check_columns(js, schema, p);
    check_rows(&js->fit, rows, p);
    if (problem_failed(p)) goto done;
    if (spec_expand(&js->fit, &e) != FIT_OK) {
        spec_core_error(&js->fit, &e, p);
        goto done;
    }
    apply_init(js, p);
    if (problem_failed(p)) goto done;
    if (prog_compile(&js->fit, schema, PROG_LOSS, &pr, &e) != FIT_OK) {
        spec_core_error(&js->fit, &e, p);
        goto done;
    }
    js->resolved = 1;
    rc = 0;
done:
    prog_free(pr);
    data_free(schema);
    return rc;
}
