/* h_predict.c - POST /v1/jobs/{id}/predict (the fitted model on new
 * columns) and POST /v1/evaluate (loss and log-likelihood of given params,
 * at one point or over a grid of one parameter). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/gen.h"
#include "core/prog.h"
#include "dsdoc.h"
#include "handlers.h"
#include "jbody.h"
#include "jobdoc.h"
#include "jread.h"
#include "plots.h"
#include "spec_json.h"

#define GRID_MAX_STEPS 10001
/* Rows x grid steps one evaluation may compute. It runs on an HTTP thread,
 * so its cost must stay in the milliseconds: ~20 ms at this size. */
#define EVAL_MAX_WORK 5e6

/* A column view with extra (empty) names appended, for spec_resolve to
 * see a target column that predictions do not need. */
typedef struct view {
    fit_data d;
    char *names[FIT_MAX_COLS + 1];
} view;

static void make_view(view *v, const fit_data *d, const char *extra) {
    v->d = *d;
    memcpy(v->names, d->names, d->ncols * sizeof *d->names);
    v->d.names = v->names;
    if (extra && extra[0] && data_find(d, extra) < 0 && d->ncols < FIT_MAX_COLS)
        v->names[v->d.ncols++] = (char *)(uintptr_t)extra;
}

/* The array of doubles as JSON (non-finite as null). */
static json_t *array_of(const double *x, size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(a, jobdoc_number(x[i]));
    return a;
}

/* Reads params[name] for every parameter of s from obj at ptr; -1 with
 * errors in p. */
static int read_params(const fit_spec *s, json_t *obj, const char *ptr, double *params, problem *p) {
    if (!json_is_object(obj)) {
        problem_add(p, ptr, NULL, 0, "must be an object of parameter values");
        return -1;
    }
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) {
        if (spec_param_index(s, k) < 0) problem_add(p, ptr, k, 0, "the model has no parameter '%s'", k);
    }
    for (size_t i = 0; i < s->nparams; i++) {
        json_t *x = json_object_get(obj, s->params[i].name);
        if (!json_is_number(x) || !isfinite(json_number_value(x)))
            problem_add(p, ptr, s->params[i].name, 0, "must be a finite number");
        else if (s->params[i].positive && !(json_number_value(x) > 0))
            problem_add(p, ptr, s->params[i].name, 0, "must be > 0 (a positive parameter)");
        else
            params[i] = json_number_value(x);
    }
    return problem_failed(p) ? -1 : 0;
}

void h_job_predict(http_req *r, http_reply *out) {
    job_rec *rec = NULL;
    job_spec js;
    problem p;
    fit_err e;
    prog *pr = NULL;
    fit_data *d = NULL;
    json_t *body = NULL, *res = NULL;
    double *yhat = NULL, params[FIT_MAX_PARAMS];
    memset(&e, 0, sizeof e);
    job_spec_init(&js);
    problem_init(&p);
    int rc = store_job_get(r->app->st, r->caps[0], &rec);
    if (rc != STORE_OK) {
        if (rc == STORE_NOTFOUND)
            reply_problem(out, 404, "not-found", "Not found", "no such job", NULL);
        else
            reply_internal(out, "the store could not read the job");
        goto done;
    }
    res = rec->result_json ? json_loads(rec->result_json, 0, NULL) : NULL;
    json_t *fitted = res ? json_object_get(res, "params") : NULL;
    if (!json_is_object(fitted)) {
        reply_problem(out, 409, "not-fitted", "No fitted parameters",
                      "the job has not produced parameters yet", NULL);
        goto done;
    }
    if ((body = jbody_parse(r->body ? r->body : "", r->body_len, &p)) == NULL) goto invalid;
    if (!json_is_object(body) || json_object_get(body, "columns") == NULL) {
        problem_add(&p, "/columns", NULL, 0, "the body must be {\"columns\": {name: [numbers]}}");
        goto invalid;
    }
    if ((d = dsdoc_read_data(body, "", r->app->cfg.max_rows, &p)) == NULL) goto invalid;
    if (spec_parse(rec->spec_json, strlen(rec->spec_json), &js, &p) != 0) {
        reply_internal(out, "the job's stored spec does not read");
        goto done;
    }
    /* predictions need the model only: no batches, no split, no target */
    js.fit.batch_size = 0;
    js.fit.validation_split = 0;
    js.fit.early.enabled = 0;
    if (js.src.kind == SOURCE_GENERATE) {
        source_clear(&js.src);
        js.src.kind = SOURCE_DATASET;
        snprintf(js.src.dataset, sizeof js.src.dataset, "generated");
    }
    view v;
    make_view(&v, d, js.fit.model.target);
    if (spec_resolve(&js, &v.d, &p) != 0) {
        /* the stored spec was valid: what is wrong is the columns sent */
        const char *why = p.nerrors ? p.errors[0].detail : "the columns do not fit the model";
        problem q;
        problem_init(&q);
        problem_add(&q, "/columns", NULL, 0, "%s", why);
        reply_problem_doc(out, &q);
        problem_clear(&q);
        goto done;
    }
    if (read_params(&js.fit, fitted, "/params", params, &p) != 0) {
        reply_internal(out, "the job's parameters do not match its model");
        goto done;
    }
    if (prog_compile(&js.fit, d, PROG_MODEL, &pr, &e) != FIT_OK) {
        problem_add(&p, "/columns", NULL, 0, "%s", e.msg);
        goto invalid;
    }
    if ((yhat = malloc((d->rows ? d->rows : 1) * sizeof *yhat)) == NULL) {
        reply_internal(out, "out of memory");
        goto done;
    }
    prog_eval_rows(pr, d, params, yhat);
    reply_json(out, 200, json_pack("{s:o}", js.fit.model.output == OUT_LOGPDF ? "logpdf" : "yhat",
                                   array_of(yhat, d->rows)));
    goto done;
invalid:
    reply_problem_doc(out, &p);
done:
    free(yhat);
    prog_free(pr);
    data_free(d);
    json_decref(body);
    json_decref(res);
    job_rec_free(rec);
    job_spec_clear(&js);
    problem_clear(&p);
}

/* What one evaluation needs, compiled once. */
typedef struct evaluator {
    const fit_spec *s;
    const fit_data *d;
    prog *loss, *model;
    double *yhat;     /* [rows] */
    int ycol;         /* target column, regression only */
    double sigma;     /* > 0 when given */
    int sigma_param;  /* index of a "sigma" parameter, or -1 */
} evaluator;

/* Loss and log-likelihood at params; *sigma_used for regression models. */
static void evaluate_at(evaluator *ev, const double *params, double *loss, double *ll,
                        double *sigma_used) {
    size_t n = ev->d->rows;
    *loss = prog_loss_grad(ev->loss, ev->d, params, NULL, 0, n, NULL);
    prog_eval_rows(ev->model, ev->d, params, ev->yhat);
    double sum = 0;
    if (ev->s->model.output == OUT_LOGPDF) {
        for (size_t i = 0; i < n; i++) sum += ev->yhat[i];
        *ll = sum;
        *sigma_used = NAN;
        return;
    }
    const double *y = ev->d->cols[ev->ycol];
    for (size_t i = 0; i < n; i++) sum += (y[i] - ev->yhat[i]) * (y[i] - ev->yhat[i]);
    double sigma = ev->sigma > 0 ? ev->sigma
                   : ev->sigma_param >= 0 ? params[ev->sigma_param]
                                          : sqrt(sum / (double)n);
    const double two_pi = 6.283185307179586476925286766559;
    *ll = -0.5 * (double)n * log(two_pi * sigma * sigma) - sum / (2 * sigma * sigma);
    *sigma_used = sigma;
}

static const char *const eval_fields[] = {"data", "dataset", "model", "loss", "params", "grid", "sigma"};

void h_evaluate(http_req *r, http_reply *out) {
    job_spec js;
    problem p;
    fit_err e;
    evaluator ev;
    ds_data *dd = NULL;
    json_t *body = NULL, *specj = NULL;
    double params[FIT_MAX_PARAMS];
    memset(&e, 0, sizeof e);
    memset(&ev, 0, sizeof ev);
    job_spec_init(&js);
    problem_init(&p);
    if ((body = jbody_parse(r->body ? r->body : "", r->body_len, &p)) == NULL) goto invalid;
    if (!json_is_object(body)) {
        problem_add(&p, "", NULL, 0, "must be an object");
        goto invalid;
    }
    const char *k;
    json_t *val;
    json_object_foreach(body, k, val) {
        size_t i;
        for (i = 0; i < sizeof eval_fields / sizeof *eval_fields; i++)
            if (strcmp(k, eval_fields[i]) == 0) break;
        if (i == sizeof eval_fields / sizeof *eval_fields)
            problem_add(&p, "", k, 0, "unknown field; evaluate takes data or dataset, model, loss, params, grid, sigma");
    }
    json_t *sig = json_object_get(body, "sigma");
    if (sig && !(json_is_number(sig) && json_number_value(sig) > 0 && isfinite(json_number_value(sig))))
        problem_add(&p, "/sigma", NULL, 0, "must be a number > 0");
    if (problem_failed(&p)) goto invalid;
    ev.sigma = sig ? json_number_value(sig) : 0;
    /* data, model and loss read exactly as a job's */
    specj = json_object();
    const char *parts[] = {"data", "dataset", "model", "loss"};
    for (size_t i = 0; i < 4; i++)
        if (json_object_get(body, parts[i])) json_object_set(specj, parts[i], json_object_get(body, parts[i]));
    if (spec_read(specj, &js, &p) != 0) goto invalid;
    const fit_data *data = NULL;
    if (js.src.kind == SOURCE_DATASET) {
        int rc = store_dataset_data(r->app->st, js.src.dataset, &dd);
        if (rc == STORE_NOTFOUND) {
            problem_add(&p, "/dataset", NULL, 0, "no dataset with id '%.120s'", js.src.dataset);
            goto invalid;
        }
        if (rc != STORE_OK) {
            reply_internal(out, "the store could not read the dataset");
            goto done;
        }
        data = dd->d;
    }
    if (spec_resolve(&js, data, &p) != 0) goto invalid;
    if (js.src.kind == SOURCE_GENERATE) {
        if ((size_t)js.src.gen.n > r->app->cfg.max_rows) {
            problem_add(&p, "/data/generate/n", NULL, 0,
                        "%ld rows; this server takes at most %zu (--max-rows)", js.src.gen.n,
                        r->app->cfg.max_rows);
            goto invalid;
        }
        if (gen_check(&js.src.gen, &e) != FIT_OK) {
            problem_add(&p, "/data/generate", NULL, 0, "%s", e.msg);
            goto invalid;
        }
    }
    if (data == NULL) {
        if (source_load(&js.src, &e) != FIT_OK) {
            problem_add(&p, "/data/generate", NULL, 0, "%s", e.msg);
            goto invalid;
        }
        data = js.src.data;
    }
    if (data->rows > r->app->cfg.max_rows) {
        problem_add(&p, "/data", NULL, 0, "more rows than this server takes (--max-rows)");
        goto invalid;
    }
    if (read_params(&js.fit, json_object_get(body, "params"), "/params", params, &p) != 0) goto invalid;
    json_t *grid = json_object_get(body, "grid");
    int gi = -1;
    double from = 0, to = 0;
    long steps = 0;
    if (grid) {
        json_t *gp = json_object_get(grid, "param"), *gf = json_object_get(grid, "from"),
               *gt = json_object_get(grid, "to"), *gs = json_object_get(grid, "steps");
        if (!json_is_object(grid)) problem_add(&p, "/grid", NULL, 0, "must be an object {param, from, to, steps}");
        else {
            json_object_foreach(grid, k, val) if (strcmp(k, "param") && strcmp(k, "from") && strcmp(k, "to") && strcmp(k, "steps"))
                problem_add(&p, "/grid", k, 0, "unknown field");
            if (!json_is_string(gp) || (gi = spec_param_index(&js.fit, json_string_value(gp))) < 0)
                problem_add(&p, "/grid/param", NULL, 0, "must name a parameter of the model");
            if (!json_is_number(gf) || !isfinite(from = json_number_value(gf)))
                problem_add(&p, "/grid/from", NULL, 0, "must be a finite number");
            if (!json_is_number(gt) || !isfinite(to = json_number_value(gt)) || !(to > from))
                problem_add(&p, "/grid/to", NULL, 0, "must be a finite number > from");
            if (!json_is_integer(gs) || (steps = (long)json_integer_value(gs)) < 2 || steps > GRID_MAX_STEPS)
                problem_add(&p, "/grid/steps", NULL, 0, "must be an integer from 2 to %d", GRID_MAX_STEPS);
        }
        if (!problem_failed(&p) && (double)data->rows * (double)steps > EVAL_MAX_WORK)
            problem_add(&p, "/grid/steps", NULL, 0,
                        "rows x steps = %.3g; an evaluation may take at most %.0f (use fewer "
                        "steps or rows, or train a job)",
                        (double)data->rows * (double)steps, EVAL_MAX_WORK);
        if (problem_failed(&p)) goto invalid;
    }
    ev.s = &js.fit;
    ev.d = data;
    ev.sigma_param = js.fit.model.output == OUT_PREDICT ? spec_param_index(&js.fit, "sigma") : -1;
    ev.ycol = js.fit.model.output == OUT_PREDICT ? data_find(data, js.fit.model.target) : -1;
    if (prog_compile(&js.fit, data, PROG_LOSS, &ev.loss, &e) != FIT_OK ||
        prog_compile(&js.fit, data, PROG_MODEL, &ev.model, &e) != FIT_OK) {
        spec_core_error(&js.fit, &e, &p);
        goto invalid;
    }
    if ((ev.yhat = malloc(data->rows * sizeof *ev.yhat)) == NULL) {
        reply_internal(out, "out of memory");
        goto done;
    }
    double loss, ll, sigma;
    if (!grid) {
        evaluate_at(&ev, params, &loss, &ll, &sigma);
        json_t *doc = json_pack("{s:I, s:o, s:o}", "n", (json_int_t)data->rows, "loss",
                                jobdoc_number(loss), "log_likelihood", jobdoc_number(ll));
        if (isfinite(sigma)) {
            json_object_set_new(doc, "sigma", jobdoc_number(sigma));
            json_object_set_new(doc, "sigma_from", json_string(ev.sigma > 0 ? "given" : ev.sigma_param >= 0 ? "param" : "mle"));
        }
        reply_json(out, 200, doc);
        goto done;
    }
    json_t *vals = json_array(), *losses = json_array(), *lls = json_array();
    double best_loss = INFINITY, best_ll = -INFINITY, at_loss = NAN, at_ll = NAN;
    double *gv = malloc((size_t)steps * 3 * sizeof *gv); /* values, loss, ll for the picture */
    for (long i = 0; i < steps; i++) {
        double x = i == steps - 1 ? to : from + (to - from) * (double)i / (double)(steps - 1);
        params[gi] = x;
        evaluate_at(&ev, params, &loss, &ll, &sigma);
        json_array_append_new(vals, json_real(x));
        json_array_append_new(losses, jobdoc_number(loss));
        json_array_append_new(lls, jobdoc_number(ll));
        if (gv) {
            gv[i] = x;
            gv[steps + i] = loss;
            gv[2 * steps + i] = ll;
        }
        if (loss < best_loss) best_loss = loss, at_loss = x;
        if (ll > best_ll) best_ll = ll, at_ll = x;
    }
    const char *accept = http_header(r, "Accept");
    if (accept && strstr(accept, "image/svg+xml")) {
        /* the picture: loss and log-likelihood against the parameter */
        size_t len = 0;
        char title[160];
        snprintf(title, sizeof title, "Loss and log-likelihood against %s", js.fit.params[gi].name);
        char *svg = gv ? plots_grid(gv, gv + steps, gv + 2 * steps, (size_t)steps,
                                    js.fit.params[gi].name, at_loss, at_ll, title, &len)
                       : NULL;
        if (svg) reply_text(out, 200, "image/svg+xml", svg, len);
        else reply_internal(out, "the plot could not be drawn");
        json_decref(vals);
        json_decref(losses);
        json_decref(lls);
        free(gv);
        goto done;
    }
    free(gv);
    reply_json(out, 200,
               json_pack("{s:I, s:s, s:o, s:o, s:o, s:{s:o, s:o}}", "n", (json_int_t)data->rows,
                         "param", js.fit.params[gi].name, "values", vals, "loss", losses,
                         "log_likelihood", lls, "optimum", "min_loss_at", jobdoc_number(at_loss),
                         "max_log_likelihood_at", jobdoc_number(at_ll)));
    goto done;
invalid:
    reply_problem_doc(out, &p);
done:
    free(ev.yhat);
    prog_free(ev.loss);
    prog_free(ev.model);
    ds_data_release(dd);
    json_decref(body);
    json_decref(specj);
    job_spec_clear(&js);
    problem_clear(&p);
}
