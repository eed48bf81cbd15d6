/* jobdoc.c - rendering the job document and its history. */
#include "jobdoc.h"

#include <math.h>
#include <string.h>

#include "jout.h"
#include "spec_json.h"

/* Sets key to v (stolen); returns 1 on failure, for `bad |= put(...)`. */
static int put(json_t *o, const char *key, json_t *v) {
    return json_object_set_new(o, key, v) != 0;
}

static json_t *finish(json_t *o, int bad) {
    if (!bad) return o;
    json_decref(o);
    return NULL;
}

const char *jobdoc_status(const train_result *r) {
    switch (r->termination) {
    case TERM_DIVERGED:
        return "failed";
    case TERM_CANCELLED:
        return "cancelled";
    case TERM_COMPLETED:
    case TERM_EARLY_STOPPED:
    case TERM_TIMEOUT:
        break;
    }
    return "succeeded";
}

json_t *jobdoc_number(double x) {
    return isfinite(x) ? json_real(x) : json_null();
}

/* {"name": value, ...} over values[0..n) named by s->params. */
static json_t *named(const fit_spec *s, const double *values, size_t n) {
    json_t *o = json_object();
    if (o == NULL) return NULL;
    int bad = 0;
    for (size_t i = 0; i < n && i < s->nparams; i++)
        bad |= put(o, s->params[i].name, jobdoc_number(values[i]));
    return finish(o, bad);
}

static json_t *reference(const fit_spec *s, const train_result *r) {
    if (!r->has_reference || r->ref_params == NULL) return json_null();
    json_t *o = json_object();
    if (o == NULL) return NULL;
    int bad = put(o, "method", json_string(r->ref_method ? r->ref_method : "unknown"));
    bad |= put(o, "params", named(s, r->ref_params, r->nparams));
    bad |= put(o, "loss", jobdoc_number(r->ref_loss));
    return finish(o, bad);
}

static json_t *error(const train_result *r) {
    if (r->termination != TERM_DIVERGED) return json_null();
    return json_pack("{s:s, s:s}", "reason", "diverged", "detail", r->reason);
}

json_t *jobdoc_render(const fit_spec *s, const spec_source *src, const train_result *r) {
    json_t *o = json_object();
    if (o == NULL) return NULL;
    int bad = put(o, "status", json_string(jobdoc_status(r)));
    bad |= put(o, "seed", json_integer((json_int_t)s->seed));
    bad |= put(o, "spec", spec_to_json(s, src));
    bad |= put(o, "params", named(s, r->params, r->params ? r->nparams : 0));
    bad |= put(o, "loss", jobdoc_number(r->loss));
    if (r->has_val) bad |= put(o, "val_loss", jobdoc_number(r->val_loss));
    bad |= put(o, "best_loss", jobdoc_number(r->best_loss));
    bad |= put(o, "best_epoch", json_integer(r->best_epoch));
    bad |= put(o, "initial_loss", jobdoc_number(r->initial_loss));
    bad |= put(o, "epochs_run", json_integer(r->epochs_run));
    bad |= put(o, "termination", json_string(train_term_name(r->termination)));
    bad |= put(o, "reference", reference(s, r));
    bad |= put(o, "error", error(r));
    return finish(o, bad);
}

/* A string literal as it is. */
#define LIT(b, s) jout_raw(b, s, sizeof s - 1)

/* {"name":value,...} over values[0..n) named by s->params, as named()
 * writes it. */
static void named_text(jout_buf *b, const fit_spec *s, const double *values, size_t n) {
    LIT(b, "{");
    for (size_t i = 0; i < n && i < s->nparams; i++) {
        if (i > 0) LIT(b, ",");
        jout_string(b, s->params[i].name);
        LIT(b, ":");
        jout_real(b, values[i]);
    }
    LIT(b, "}");
}

/* ,"key": */
static void key(jout_buf *b, const char *k) {
    LIT(b, ",");
    jout_string(b, k);
    LIT(b, ":");
}

char *jobdoc_result_text(const fit_spec *s, const train_result *r) {
    jout_buf b;
    jout_init(&b);
    LIT(&b, "{\"params\":");
    named_text(&b, s, r->params, r->params ? r->nparams : 0);
    key(&b, "loss");
    jout_real(&b, r->loss);
    if (r->has_val) {
        key(&b, "val_loss");
        jout_real(&b, r->val_loss);
    }
    key(&b, "best_loss");
    jout_real(&b, r->best_loss);
    key(&b, "best_epoch");
    jout_int(&b, r->best_epoch);
    key(&b, "initial_loss");
    jout_real(&b, r->initial_loss);
    key(&b, "epochs_run");
    jout_int(&b, r->epochs_run);
    key(&b, "termination");
    jout_string(&b, train_term_name(r->termination));
    key(&b, "reference");
    if (r->has_reference && r->ref_params != NULL) {
        LIT(&b, "{\"method\":");
        jout_string(&b, r->ref_method ? r->ref_method : "unknown");
        LIT(&b, ",\"params\":");
        named_text(&b, s, r->ref_params, r->nparams);
        key(&b, "loss");
        jout_real(&b, r->ref_loss);
        LIT(&b, "}");
    } else {
        LIT(&b, "null");
    }
    key(&b, "error");
    if (r->termination == TERM_DIVERGED) {
        LIT(&b, "{\"reason\":\"diverged\",\"detail\":");
        jout_string(&b, r->reason);
        LIT(&b, "}");
    } else {
        LIT(&b, "null");
    }
    LIT(&b, "}");
    return jout_finish(&b);
}

/* [values[k*stride + off] for k < n], non-finite as null. */
static json_t *series(const double *values, size_t n, size_t stride, size_t off) {
    json_t *a = json_array();
    for (size_t k = 0; a != NULL && k < n; k++) {
        if (json_array_append_new(a, jobdoc_number(values[k * stride + off])) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

json_t *jobdoc_history(const fit_spec *s, const train_history *h) {
    json_t *o = json_object(), *epoch = json_array(), *params = json_object();
    int bad = o == NULL || epoch == NULL || params == NULL;
    for (size_t k = 0; !bad && k < h->n; k++)
        bad |= json_array_append_new(epoch, json_integer((json_int_t)k + 1)) != 0;
    for (size_t p = 0; !bad && p < h->nparams && p < s->nparams; p++)
        bad |= put(params, s->params[p].name, series(h->params, h->n, h->nparams, p));
    if (bad) {
        json_decref(o);
        json_decref(epoch);
        json_decref(params);
        return NULL;
    }
    bad |= put(o, "epoch", epoch);
    bad |= put(o, "loss", series(h->loss, h->n, 1, 0));
    if (h->val_loss != NULL) bad |= put(o, "val_loss", series(h->val_loss, h->n, 1, 0));
    bad |= put(o, "params", params);
    return finish(o, bad);
}
