/* spec.c - spec defaults and the built-in models and losses, written as
 * expressions so that one compiled program runs every model. */
#include "spec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const model_names[MODEL_KIND_COUNT] = {"linear", "gaussian", "expression"};
static const char *const loss_names[LOSS_KIND_COUNT] = {"mse", "mae", "huber", "nll",
                                                        "gaussian_nll", "expr"};

const char *model_kind_name(model_kind k) {
    return (unsigned)k < MODEL_KIND_COUNT ? model_names[k] : NULL;
}

int model_kind_by_name(const char *name) {
    for (int k = 0; k < MODEL_KIND_COUNT; k++)
        if (strcmp(model_names[k], name) == 0) return k;
    return -1;
}

const char *loss_kind_name(loss_kind k) {
    return (unsigned)k < LOSS_KIND_COUNT ? loss_names[k] : NULL;
}

int loss_kind_by_name(const char *name) {
    for (int k = 0; k < LOSS_EXPR; k++)
        if (strcmp(loss_names[k], name) == 0) return k;
    return -1;
}

void spec_init(fit_spec *s) {
    memset(s, 0, sizeof *s);
    s->model.kind = MODEL_LINEAR;
    s->model.output = OUT_PREDICT;
    strcpy(s->model.inputs[0], "x");
    s->model.ninputs = 1;
    strcpy(s->model.target, "y");
    s->loss.kind = LOSS_MSE;
    s->loss.delta = 1.0;
    optim_defaults(&s->optim, OPTIM_SGD);
    s->epochs = 100;
    s->early.min_delta = 0;
}

void spec_clear(fit_spec *s) {
    free(s->model.expr);
    free(s->loss.expr);
    s->model.expr = NULL;
    s->loss.expr = NULL;
}

int spec_param_index(const fit_spec *s, const char *name) {
    for (size_t i = 0; i < s->nparams; i++)
        if (strcmp(s->params[i].name, name) == 0) return (int)i;
    return -1;
}

/* Appends a parameter; FIT_ELIMIT past FIT_MAX_PARAMS. */
static int add_param(fit_spec *s, const char *name, fit_init init, int positive, fit_err *e) {
    if (s->nparams >= FIT_MAX_PARAMS)
        return fit_err_set(e, FIT_ELIMIT, 0, "more than %d parameters", FIT_MAX_PARAMS);
    if (strlen(name) >= FIT_NAME_MAX)
        return fit_err_set(e, FIT_EINVAL, 0, "parameter name '%s' is too long", name);
    fit_param *p = &s->params[s->nparams++];
    strcpy(p->name, name);
    p->init = init;
    p->positive = positive;
    return FIT_OK;
}

/* A growable string for building expression texts. */
typedef struct sbuf {
    char *s;
    size_t len, cap;
    int oom;
} sbuf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void sb_add(sbuf *b, const char *fmt, ...) {
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || b->oom) return;
    size_t need = b->len + (size_t)n + 1;
    if (need > b->cap) {
        size_t cap = need * 2;
        char *s = realloc(b->s, cap);
        if (s == NULL) {
            b->oom = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    memcpy(b->s + b->len, tmp, (size_t)n + 1);
    b->len += (size_t)n;
}

/* linear: m*x + b, or m_x1*x1 + ... + b; gaussian: its log-density. */
static int expand_model(fit_spec *s, fit_err *e) {
    fit_model *m = &s->model;
    const fit_init small_normal = {INIT_NORMAL, 0.0, 0.05}, zero = {INIT_CONST, 0, 0};
    sbuf b = {0};
    int rc;
    if (m->kind == MODEL_EXPRESSION) return FIT_OK;
    s->nparams = 0;
    if (m->ninputs == 0)
        return fit_err_set(e, FIT_EINVAL, 0, "the model names no input column");
    if (m->kind == MODEL_LINEAR) {
        m->output = OUT_PREDICT;
        for (size_t i = 0; i < m->ninputs; i++) {
            char pname[FIT_NAME_MAX + 2];
            snprintf(pname, sizeof pname, m->ninputs == 1 ? "m" : "m_%s", m->inputs[i]);
            if ((rc = add_param(s, pname, small_normal, 0, e))) goto fail;
            sb_add(&b, i ? " + %s" : "%s", pname);
            sb_add(&b, "*%s", m->inputs[i]);
        }
        if ((rc = add_param(s, "b", zero, 0, e))) goto fail;
        sb_add(&b, " + b");
    } else {
        const fit_init one = {INIT_CONST, 1, 0};
        m->output = OUT_LOGPDF;
        m->target[0] = '\0';
        if ((rc = add_param(s, "mu", zero, 0, e)) || (rc = add_param(s, "sigma", one, 1, e)))
            goto fail;
        sb_add(&b, "-log(sigma) - 0.5*log(2*pi) - (%s - mu)^2/(2*sigma^2)", m->inputs[0]);
    }
    if (b.oom) {
        rc = fit_err_set(e, FIT_ENOMEM, 0, "out of memory");
        goto fail;
    }
    free(m->expr);
    m->expr = b.s;
    return FIT_OK;
fail:
    if (e) e->source = FIT_SRC_MODEL;
    free(b.s);
    return rc;
}

static int expand_loss(fit_spec *s, fit_err *e) {
    fit_loss *l = &s->loss;
    char buf[512];
    int density = s->model.output == OUT_LOGPDF;
    if (l->kind == LOSS_EXPR) return l->expr ? FIT_OK : fit_err_set(e, FIT_EINVAL, 0, "the loss has no expression");
    if (l->kind == LOSS_NLL && !density)
        return fit_err_set(e, FIT_EINVAL, 0,
                           "loss 'nll' needs a density model (gaussian or a logpdf expression); "
                           "for a regression model use 'gaussian_nll'");
    if (l->kind != LOSS_NLL && density)
        return fit_err_set(e, FIT_EINVAL, 0,
                           "loss '%s' needs a regression model; a density model is fitted with 'nll'",
                           loss_kind_name(l->kind));
    switch (l->kind) {
    case LOSS_MSE: snprintf(buf, sizeof buf, "mean((yhat - y)^2)"); break;
    case LOSS_MAE: snprintf(buf, sizeof buf, "mean(abs(yhat - y))"); break;
    case LOSS_HUBER:
        if (!(l->delta > 0)) return fit_err_set(e, FIT_EINVAL, 0, "huber delta must be > 0");
        snprintf(buf, sizeof buf,
                 "mean(0.5*min(abs(yhat - y), %.17g)^2 + %.17g*(abs(yhat - y) - min(abs(yhat - y), %.17g)))",
                 l->delta, l->delta, l->delta);
        break;
    case LOSS_NLL: snprintf(buf, sizeof buf, "-mean(yhat)"); break;
    case LOSS_GAUSSIAN_NLL: {
        const fit_init one = {INIT_CONST, 1, 0};
        if (spec_param_index(s, "sigma") >= 0)
            return fit_err_set(e, FIT_EINVAL, 0,
                               "loss 'gaussian_nll' adds a noise parameter 'sigma', and the model "
                               "already has a parameter of that name");
        int rc = add_param(s, "sigma", one, 1, e);
        if (rc) return rc;
        snprintf(buf, sizeof buf, "mean(0.5*log(2*pi) + log(sigma) + (y - yhat)^2/(2*sigma^2))");
        break;
    }
    default: return fit_err_set(e, FIT_EINVAL, 0, "unknown loss");
    }
    free(l->expr);
    if ((l->expr = strdup(buf)) == NULL) return fit_err_set(e, FIT_ENOMEM, 0, "out of memory");
    return FIT_OK;
}

int spec_expand(fit_spec *s, fit_err *e) {
    static const char *const reserved[] = {"yhat", "y", "pi", "e"};
    int rc = expand_model(s, e);
    if (rc) return rc;
    for (size_t i = 0; i < s->nparams; i++) {
        for (size_t r = 0; r < sizeof reserved / sizeof *reserved; r++)
            if (strcmp(s->params[i].name, reserved[r]) == 0) {
                rc = fit_err_set(e, FIT_EINVAL, 0, "'%s' is reserved and cannot name a parameter",
                                 reserved[r]);
                goto model_fail;
            }
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->params[i].name, s->params[j].name) == 0) {
                rc = fit_err_set(e, FIT_EINVAL, 0, "parameter '%s' is named twice",
                                 s->params[i].name);
                goto model_fail;
            }
    }
    if ((rc = expand_loss(s, e))) {
        if (e) e->source = FIT_SRC_LOSS;
        return rc;
    }
    return FIT_OK;
model_fail:
    if (e) e->source = FIT_SRC_MODEL;
    return rc;
}
