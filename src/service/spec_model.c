/* spec_model.c - reading "model": linear, gaussian or expression. */
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "init_json.h"
#include "jptr.h"
#include "jread.h"
#include "spec_parts.h"

#define MODEL_KINDS "linear, gaussian, expression"

/* Names the expressions reserve (spec_expand refuses them as parameters;
 * checked here too so that the error points at the parameter). */
static const char *const reserved[] = {"yhat", "y", "pi", "e"};

static int is_reserved(const char *name) {
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strcmp(reserved[i], name) == 0) return 1;
    return 0;
}

/* A column or parameter name at base/key into out[FIT_NAME_MAX]. */
static int read_name(json_t *v, const char *base, const char *key, char *out, problem *p) {
    if (!json_is_string(v)) {
        problem_add(p, base, key, 0, "must be a string");
        return -1;
    }
    const char *s = json_string_value(v);
    if (!data_valid_name(s)) {
        problem_add(p, base, key, 0, "'%s' is not a valid name: " SPEC_NAME_RULE, s);
        return -1;
    }
    memcpy(out, s, strlen(s) + 1);
    return 0;
}

/* linear "x": one column name or a list of distinct names. */
static int read_inputs(json_t *v, job_spec *js, problem *p) {
    fit_model *m = &js->fit.model;
    if (!json_is_array(v)) {
        if (read_name(v, "/model", "x", m->inputs[0], p) != 0) return -1;
        m->ninputs = 1;
        return 0;
    }
    js->x_is_list = 1;
    size_t n = json_array_size(v);
    if (n == 0 || n > FIT_MAX_INPUTS) {
        problem_add(p, "/model", "x", 0, "must name between 1 and %d columns", FIT_MAX_INPUTS);
        return -1;
    }
    char *ptr = jptr_join("/model", "x");
    if (ptr == NULL) return -1;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        char idx[24];
        snprintf(idx, sizeof idx, "%zu", i);
        if (read_name(json_array_get(v, i), ptr, idx, m->inputs[i], p) != 0) {
            bad = 1;
            m->inputs[i][0] = '\0';
            continue;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(m->inputs[j], m->inputs[i]) == 0) {
                problem_add(p, ptr, idx, 0, "column '%s' is listed twice", m->inputs[i]);
                bad = 1;
                break;
            }
    }
    free(ptr);
    m->ninputs = n;
    return bad ? -1 : 0;
}

/* One entry of an expression's "params": "a" or {"name", "init", "positive"}. */
static int read_param(json_t *v, size_t i, job_spec *js, problem *p) {
    fit_param *par = &js->fit.params[i];
    char idx[24], base[64];
    snprintf(idx, sizeof idx, "%zu", i);
    snprintf(base, sizeof base, "/model/params/%zu", i);
    memset(par, 0, sizeof *par);
    if (json_is_string(v)) return read_name(v, "/model/params", idx, par->name, p);
    jread r;
    if (jread_begin(&r, v, base, p) != 0) return -1;
    r.what = "a parameter";
    int bad = 0;
    json_t *name = jread_get(&r, "name"), *init = jread_get(&r, "init");
    json_t *pos = jread_get(&r, "positive");
    jread_end(&r);
    if (name == NULL) {
        problem_add(p, base, "name", 0, "is required");
        bad = 1;
    } else if (read_name(name, base, "name", par->name, p) != 0) {
        bad = 1;
    }
    if (pos != NULL && !json_is_boolean(pos)) {
        problem_add(p, base, "positive", 0, "must be true or false");
        bad = 1;
    }
    par->positive = json_is_true(pos);
    if (init != NULL) {
        if (init_read(init, base, "init", &par->init, p) != 0) return -1;
        js->model_init[i] = 1;
        if (par->positive && init_check_positive(&par->init, par->name, base, "init", p) != 0)
            return -1;
    }
    return bad ? -1 : 0;
}

static int read_params(json_t *v, job_spec *js, problem *p) {
    if (v == NULL) {
        problem_add(p, "/model", "params", 0, "is required: the names of the parameters to fit");
        return -1;
    }
    size_t n = json_array_size(v);
    if (!json_is_array(v) || n == 0 || n > FIT_MAX_PARAMS) {
        problem_add(p, "/model", "params", 0,
                    "must be an array of 1 to %d parameters: names, or objects {\"name\", "
                    "\"init\", \"positive\"}",
                    FIT_MAX_PARAMS);
        return -1;
    }
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        fit_param *par = &js->fit.params[i];
        if (read_param(json_array_get(v, i), i, js, p) != 0) {
            bad = 1;
            continue;
        }
        if (is_reserved(par->name)) {
            char idx[24];
            snprintf(idx, sizeof idx, "%zu", i);
            problem_add(p, "/model/params", idx, 0,
                        "'%s' is reserved in expressions (yhat, y, pi, e) and cannot name a "
                        "parameter",
                        par->name);
            bad = 1;
            continue;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(js->fit.params[j].name, par->name) == 0) {
                char idx[24];
                snprintf(idx, sizeof idx, "%zu", i);
                problem_add(p, "/model/params", idx, 0, "parameter '%s' is listed twice",
                            par->name);
                bad = 1;
                break;
            }
        /* defaults: normal(0, 0.05) as Keras; a positive param starts at 1 */
        if (!js->model_init[i]) {
            par->init.kind = par->positive ? INIT_CONST : INIT_NORMAL;
            par->init.a = par->positive ? 1.0 : 0.0;
            par->init.b = par->positive ? 0.0 : 0.05;
        }
    }
    js->fit.nparams = n;
    return bad ? -1 : 0;
}

static int read_expression(jread *r, job_spec *js, problem *p) {
    fit_model *m = &js->fit.model;
    const char *predict = NULL, *logpdf = NULL, *text;
    int bad = jread_string(r, "predict", &predict) < 0 || jread_string(r, "logpdf", &logpdf) < 0;
    json_t *y = jread_get(r, "y");
    bad |= read_params(jread_get(r, "params"), js, p) != 0;
    if (predict != NULL && logpdf != NULL) {
        problem_add(p, "/model", "logpdf", 0, "give either predict or logpdf, not both");
        return -1;
    }
    if (bad) return -1;
    if (predict == NULL && logpdf == NULL) {
        problem_add(p, "/model", NULL, 0,
                    "an expression model needs predict (a regression) or logpdf (a density)");
        return -1;
    }
    text = predict ? predict : logpdf;
    if (text[strspn(text, " \t\r\n")] == '\0') {
        problem_add(p, "/model", predict ? "predict" : "logpdf", 0, "must not be empty");
        return -1;
    }
    m->output = predict ? OUT_PREDICT : OUT_LOGPDF;
    if (m->output == OUT_LOGPDF && y != NULL) {
        problem_add(p, "/model", "y", 0, "only a predict model has a target column");
        return -1;
    }
    if (y != NULL && read_name(y, "/model", "y", m->target, p) != 0) return -1;
    if (m->output == OUT_LOGPDF) m->target[0] = '\0';
    if ((m->expr = strdup(text)) == NULL) {
        problem_set(p, 500, "internal", "Internal error", "out of memory");
        return -1;
    }
    return 0;
}

static void set_kind(fit_model *m, model_kind kind) {
    memset(m->inputs, 0, sizeof m->inputs);
    m->kind = kind;
    m->output = kind == MODEL_GAUSSIAN ? OUT_LOGPDF : OUT_PREDICT;
    strcpy(m->inputs[0], "x");
    m->ninputs = kind == MODEL_EXPRESSION ? 0 : 1;
    strcpy(m->target, kind == MODEL_GAUSSIAN ? "" : "y");
}

static int kind_by_name(const char *name, const char *base, const char *key, problem *p) {
    int k = model_kind_by_name(name);
    if (k < 0 || catalog_model_find((model_kind)k) == NULL) {
        problem_add(p, base, key, 0, "unknown model kind '%s'; expected one of " MODEL_KINDS, name);
        return -1;
    }
    return k;
}

int spec_read_model(json_t *v, job_spec *js, problem *p) {
    fit_model *m = &js->fit.model;
    set_kind(m, MODEL_LINEAR);
    if (v == NULL) return 0;
    if (json_is_string(v)) { /* shorthand: "model": "gaussian" */
        int k = kind_by_name(json_string_value(v), "/model", NULL, p);
        if (k < 0) return -1;
        if (k == MODEL_EXPRESSION) {
            problem_add(p, "/model", NULL, 0,
                        "an expression model needs an object: {\"kind\": \"expression\", "
                        "\"predict\": \"...\", \"params\": [...]}");
            return -1;
        }
        set_kind(m, (model_kind)k);
        return 0;
    }
    jread r;
    if (jread_begin(&r, v, "/model", p) != 0) return -1;
    const char *kind = "linear";
    if (jread_string(&r, "kind", &kind) < 0) return -1;
    int k = kind_by_name(kind, "/model", "kind", p);
    if (k < 0) return -1;
    set_kind(m, (model_kind)k);
    char what[64];
    snprintf(what, sizeof what, "model '%s'", kind);
    r.what = what;
    int rc = 0;
    json_t *x, *y;
    switch (m->kind) {
    case MODEL_LINEAR:
        if ((x = jread_get(&r, "x")) != NULL && read_inputs(x, js, p) != 0) rc = -1;
        if ((y = jread_get(&r, "y")) != NULL && read_name(y, "/model", "y", m->target, p) != 0)
            rc = -1;
        break;
    case MODEL_GAUSSIAN:
        if ((x = jread_get(&r, "x")) != NULL && read_name(x, "/model", "x", m->inputs[0], p) != 0)
            rc = -1;
        break;
    case MODEL_EXPRESSION:
        rc = read_expression(&r, js, p);
        break;
    case MODEL_KIND_COUNT:
        break;
    }
    jread_end(&r);
    return rc;
}
