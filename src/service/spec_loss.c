/* spec_loss.c - reading "loss": a built-in name, {"kind": name, ...its
 * options}, or {"expr": "mean((yhat - y)^2)"}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "jread.h"
#include "spec_parts.h"

#define LOSS_NAMES "mse, mae, huber, nll, gaussian_nll, or {\"expr\": \"...\"}"

static int kind_by_name(const char *name, const char *base, const char *key, problem *p) {
    int k = loss_kind_by_name(name);
    if (k < 0 || catalog_loss_find((loss_kind)k) == NULL) {
        problem_add(p, base, key, 0, "unknown loss '%s'; expected one of " LOSS_NAMES, name);
        return -1;
    }
    return k;
}

/* A built-in loss must suit the model: nll a density, the rest a regression. */
static int check_fit(const fit_spec *s, const char *base, const char *key, problem *p) {
    const catalog_loss *l = catalog_loss_find(s->loss.kind);
    if (l == NULL || l->needs == s->model.output) return 0;
    if (l->needs == OUT_LOGPDF)
        problem_add(p, base, key, 0,
                    "loss '%s' needs a density model (gaussian, or expression with logpdf)",
                    l->name);
    else
        problem_add(p, base, key, 0,
                    "loss '%s' needs a regression model (linear, or expression with predict)",
                    l->name);
    return -1;
}

static void set_defaults(fit_loss *l, loss_kind kind) {
    l->kind = kind;
    for (size_t i = 0; i < catalog_loss_nfields; i++)
        field_set_default(&catalog_loss_fields[i].f, l);
}

static int read_object(json_t *v, fit_spec *s, int model_ok, problem *p) {
    jread r;
    if (jread_begin(&r, v, "/loss", p) != 0) return -1;
    const char *kind = NULL, *expr = NULL;
    if (jread_string(&r, "kind", &kind) < 0 || jread_string(&r, "expr", &expr) < 0) return -1;
    if (kind != NULL && expr != NULL) {
        problem_add(p, "/loss", NULL, 0, "give either kind or expr, not both");
        return -1;
    }
    if (kind == NULL && expr == NULL) {
        problem_add(p, "/loss", NULL, 0, "needs kind (one of %s) or expr",
                    "mse, mae, huber, nll, gaussian_nll");
        jread_end(&r);
        return -1;
    }
    if (expr != NULL) {
        jread_end(&r);
        if (expr[strspn(expr, " \t\r\n")] == '\0') {
            problem_add(p, "/loss", "expr", 0, "must not be empty");
            return -1;
        }
        s->loss.kind = LOSS_EXPR;
        if ((s->loss.expr = strdup(expr)) == NULL) {
            problem_set(p, 500, "internal", "Internal error", "out of memory");
            return -1;
        }
        return 0;
    }
    int k = kind_by_name(kind, "/loss", "kind", p);
    if (k < 0) return -1;
    set_defaults(&s->loss, (loss_kind)k);
    char what[64];
    snprintf(what, sizeof what, "loss '%s'", kind);
    r.what = what;
    int bad = 0;
    for (size_t i = 0; i < catalog_loss_nfields; i++)
        if (catalog_loss_fields[i].kind == (loss_kind)k &&
            jread_field(&r, &catalog_loss_fields[i].f, &s->loss) < 0)
            bad = 1;
    jread_end(&r);
    if (model_ok && check_fit(s, "/loss", "kind", p) != 0) bad = 1;
    return bad ? -1 : 0;
}

int spec_read_loss(json_t *v, job_spec *js, int model_ok, problem *p) {
    fit_spec *s = &js->fit;
    free(s->loss.expr);
    s->loss.expr = NULL;
    if (v == NULL) {
        set_defaults(&s->loss, s->model.output == OUT_LOGPDF ? LOSS_NLL : LOSS_MSE);
        return 0;
    }
    if (json_is_string(v)) {
        int k = kind_by_name(json_string_value(v), "/loss", NULL, p);
        if (k < 0) return -1;
        set_defaults(&s->loss, (loss_kind)k);
        return model_ok ? check_fit(s, "/loss", NULL, p) : 0;
    }
    if (!json_is_object(v)) {
        problem_add(p, "/loss", NULL, 0,
                    "must be a loss name, {\"kind\": name, ...} or {\"expr\": \"...\"}");
        return -1;
    }
    return read_object(v, s, model_ok, p);
}
