/* spec_read.c - reading a job specification's top level: the data source,
 * the parts (model, init, loss, optimizer) and the training options. */
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "init_json.h"
#include "jbody.h"
#include "jread.h"
#include "spec_parts.h"

void job_spec_init(job_spec *js) {
    memset(js, 0, sizeof *js);
    spec_init(&js->fit);
}

void job_spec_clear(job_spec *js) {
    if (js == NULL) return;
    spec_clear(&js->fit);
    source_clear(&js->src);
    memset(js, 0, sizeof *js);
}

spec_run *spec_run_take(job_spec *js) {
    spec_run *r = malloc(sizeof *r);
    if (r == NULL) return NULL;
    r->fit = js->fit; /* neither points into itself */
    r->src = js->src;
    /* js no longer owns them: its expression texts and its source are
       r's now; the rest of it (10 KB of parameters and init entries)
       owns nothing, so it is left as it is for job_spec_clear */
    js->fit.model.expr = NULL;
    js->fit.loss.expr = NULL;
    memset(&js->src, 0, sizeof js->src);
    js->resolved = 0;
    return r;
}

void spec_run_free(spec_run *r) {
    if (r == NULL) return;
    spec_clear(&r->fit);
    source_clear(&r->src);
    free(r);
}

/* A stored dataset's id: 1 to 127 of [A-Za-z0-9._-]. */
static int valid_id(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n >= SOURCE_ID_MAX) return 0;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static int read_source(json_t *data, json_t *dataset, job_spec *js, problem *p) {
    if (data != NULL && dataset != NULL) {
        problem_add(p, "/dataset", NULL, 0, "give either data or dataset, not both");
        return -1;
    }
    if (data == NULL && dataset == NULL) {
        problem_add(p, "/data", NULL, 0,
                    "is required: inline {\"columns\": ...} or {\"generate\": ...} (or a "
                    "stored dataset's id in dataset)");
        return -1;
    }
    if (data != NULL) return source_read(data, &js->src, p);
    if (!json_is_string(dataset) || !valid_id(json_string_value(dataset))) {
        problem_add(p, "/dataset", NULL, 0,
                    "must be a dataset id: 1 to %d letters, digits, '.', '_' or '-'",
                    SOURCE_ID_MAX - 1);
        return -1;
    }
    js->src.kind = SOURCE_DATASET;
    strcpy(js->src.dataset, json_string_value(dataset));
    return 0;
}

/* "init": {"name": initializer, ...}; checked against the parameters by
 * spec_resolve, once spec_expand has named the built-in ones. */
static int read_init(json_t *v, job_spec *js, problem *p) {
    if (v == NULL) return 0;
    if (!json_is_object(v)) {
        problem_add(p, "/init", NULL, 0,
                    "must be an object mapping parameter names to initializers");
        return -1;
    }
    if (json_object_size(v) > FIT_MAX_PARAMS) {
        problem_add(p, "/init", NULL, 0, "has %zu entries; a model has at most %d parameters",
                    json_object_size(v), FIT_MAX_PARAMS);
        return -1;
    }
    const char *key;
    json_t *val;
    int bad = 0;
    json_object_foreach(v, key, val) {
        if (!data_valid_name(key)) {
            problem_add(p, "/init", key, 0, "'%s' is not a valid parameter name: " SPEC_NAME_RULE,
                        key);
            bad = 1;
            continue;
        }
        spec_init_entry *e = &js->init[js->ninit];
        if (init_read(val, "/init", key, &e->init, p) != 0) {
            bad = 1;
            continue;
        }
        strcpy(e->name, key);
        js->ninit++;
    }
    return bad ? -1 : 0;
}

static int read_early_stop(json_t *v, fit_spec *s, problem *p) {
    fit_early_stop *es = &s->early;
    memset(es, 0, sizeof *es);
    if (v == NULL || json_is_null(v)) return 0;
    jread r;
    if (jread_begin(&r, v, "/early_stopping", p) != 0) return -1;
    int bad = 0;
    const char *monitor = NULL;
    if (jread_string(&r, "monitor", &monitor) < 0) bad = 1;
    if (monitor == NULL) {
        es->monitor_val = s->validation_split > 0;
    } else if (strcmp(monitor, "loss") == 0 || strcmp(monitor, "val_loss") == 0) {
        es->monitor_val = monitor[0] == 'v';
        if (es->monitor_val && !(s->validation_split > 0)) {
            problem_add(p, "/early_stopping", "monitor", 0,
                        "val_loss needs a validation_split > 0");
            bad = 1;
        }
    } else {
        problem_add(p, "/early_stopping", "monitor", 0, "must be loss or val_loss");
        bad = 1;
    }
    for (size_t i = 0; i < catalog_early_nfields; i++)
        if (jread_field(&r, &catalog_early_fields[i], es) < 0) bad = 1;
    jread_end(&r);
    es->enabled = 1;
    return bad ? -1 : 0;
}

/* epochs, batch_size, shuffle, seed, validation_split, max_seconds,
 * early_stopping. */
static int read_training(jread *r, job_spec *js, problem *p) {
    fit_spec *s = &js->fit;
    int bad = 0, shuffle_given = 0;
    for (size_t i = 0; i < catalog_train_nfields; i++) {
        const field_def *f = &catalog_train_fields[i];
        int got = jread_field(r, f, s);
        if (got < 0) bad = 1;
        if (got > 0 && strcmp(f->name, "seed") == 0) js->has_seed = 1;
        if (got > 0 && strcmp(f->name, "shuffle") == 0) shuffle_given = 1;
    }
    /* Keras shuffles by default; a full batch is the same in any order, so
     * fitd shuffles by default only when there are several batches. */
    if (!shuffle_given) s->shuffle = s->batch_size > 0;
    if (read_early_stop(jread_get(r, "early_stopping"), s, p) != 0) bad = 1;
    return bad ? -1 : 0;
}

int spec_read(json_t *root, job_spec *js, problem *p) {
    jread r;
    if (jread_begin(&r, root, "", p) != 0) return -1;
    json_t *data = jread_get(&r, "data"), *dataset = jread_get(&r, "dataset");
    read_source(data, dataset, js, p);
    int model_ok = spec_read_model(jread_get(&r, "model"), js, p) == 0;
    read_init(jread_get(&r, "init"), js, p);
    spec_read_loss(jread_get(&r, "loss"), js, model_ok, p);
    spec_read_optimizer(jread_get(&r, "optimizer"), &js->fit.optim, p);
    read_training(&r, js, p);
    jread_end(&r);
    return problem_failed(p) ? -1 : 0;
}

int spec_parse(const char *buf, size_t len, job_spec *js, problem *p) {
    json_t *root = jbody_parse(buf, len, p);
    if (root == NULL) return -1;
    int rc = spec_read(root, js, p);
    json_decref(root);
    return rc;
}
