/* spec_write.c - the normalized spec: what a job ran with, every default
 * filled, in a fixed member order, readable back by spec_read. */
#include <string.h>

#include "catalog.h"
#include "init_json.h"
#include "spec_json.h"

/* Sets key to v (stolen); returns 1 on failure, for `bad |= put(...)`. */
static int put(json_t *o, const char *key, json_t *v) {
    return json_object_set_new(o, key, v) != 0;
}

/* The parameters the model itself declares: all but the sigma that loss
 * gaussian_nll appends (spec.h: spec_expand appends it last). */
static size_t model_nparams(const fit_spec *s) {
    size_t n = s->nparams;
    if (s->loss.kind == LOSS_GAUSSIAN_NLL && n > 0 && strcmp(s->params[n - 1].name, "sigma") == 0)
        n--;
    return n;
}

static json_t *model_json(const fit_spec *s) {
    const fit_model *m = &s->model;
    json_t *o = json_object();
    if (o == NULL) return NULL;
    int bad = put(o, "kind", json_string(model_kind_name(m->kind)));
    if (m->kind == MODEL_LINEAR) {
        if (m->ninputs == 1) {
            bad |= put(o, "x", json_string(m->inputs[0]));
        } else {
            json_t *x = json_array();
            for (size_t i = 0; x != NULL && i < m->ninputs; i++)
                bad |= json_array_append_new(x, json_string(m->inputs[i])) != 0;
            bad |= put(o, "x", x);
        }
        bad |= put(o, "y", json_string(m->target));
    } else if (m->kind == MODEL_GAUSSIAN) {
        bad |= put(o, "x", json_string(m->inputs[0]));
    } else {
        bad |= put(o, m->output == OUT_LOGPDF ? "logpdf" : "predict", json_string(m->expr));
        if (m->output == OUT_PREDICT) bad |= put(o, "y", json_string(m->target));
        json_t *params = json_array();
        for (size_t i = 0; params != NULL && i < model_nparams(s); i++)
            bad |= json_array_append_new(params, json_pack("{s:s, s:b}", "name", s->params[i].name,
                                                           "positive", s->params[i].positive)) != 0;
        bad |= put(o, "params", params);
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *init_json(const fit_spec *s) {
    json_t *o = json_object();
    for (size_t i = 0; o != NULL && i < s->nparams; i++) {
        if (put(o, s->params[i].name, init_to_json(&s->params[i].init))) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

static json_t *loss_json(const fit_loss *l) {
    if (l->kind == LOSS_EXPR) return json_pack("{s:s}", "expr", l->expr ? l->expr : "");
    json_t *o = json_object();
    if (o == NULL) return NULL;
    int bad = put(o, "kind", json_string(loss_kind_name(l->kind)));
    for (size_t i = 0; i < catalog_loss_nfields; i++)
        if (catalog_loss_fields[i].kind == l->kind)
            bad |=
                put(o, catalog_loss_fields[i].f.name, field_to_json(&catalog_loss_fields[i].f, l));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *optim_json(const optim_conf *c) {
    json_t *o = json_object();
    if (o == NULL) return NULL;
    int bad = put(o, "kind", json_string(optim_name(c->kind)));
    for (size_t i = 0; i < catalog_optim_nfields; i++) {
        const catalog_optim_field *row = &catalog_optim_fields[i];
        if (row->kind == (int)c->kind || row->kind == CATALOG_ANY_KIND)
            bad |= put(o, row->f.name, field_to_json(&row->f, c));
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *early_json(const fit_early_stop *es) {
    if (!es->enabled) return json_null();
    json_t *o = json_object();
    if (o == NULL) return NULL;
    int bad = put(o, "monitor", json_string(es->monitor_val ? "val_loss" : "loss"));
    for (size_t i = 0; i < catalog_early_nfields; i++)
        bad |= put(o, catalog_early_fields[i].name, field_to_json(&catalog_early_fields[i], es));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *spec_to_json(const fit_spec *s, const spec_source *src) {
    json_t *o = json_object();
    if (o == NULL) return NULL;
    int bad = 0, err = 0;
    if (src->kind == SOURCE_GENERATE) {
        bad |= put(o, "data", source_to_json(src, &err));
    } else if (src->kind == SOURCE_DATASET) {
        bad |= put(o, "dataset", json_string(src->dataset));
    }
    bad |= err;
    bad |= put(o, "model", model_json(s));
    bad |= put(o, "init", init_json(s));
    bad |= put(o, "loss", loss_json(&s->loss));
    bad |= put(o, "optimizer", optim_json(&s->optim));
    for (size_t i = 0; i < catalog_train_nfields; i++)
        bad |= put(o, catalog_train_fields[i].name, field_to_json(&catalog_train_fields[i], s));
    bad |= put(o, "early_stopping", early_json(&s->early));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}
