/* h_plots.c - GET /v1/jobs/{id}/plots/{loss,fit}.svg: the loss curve (from
 * the stored history, or the live feed while the job runs) and the fit
 * (data with the fitted and reference curves, or a histogram with the
 * fitted and reference densities). Pictures only: the numbers come from
 * the job and the same compiled model as predict. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "history_pack.h"
#include "core/expr.h"
#include "core/prog.h"
#include "handlers.h"
#include "jobres.h"
#include "jobs.h"
#include "plots.h"
#include "spec_json.h"

#define CURVE_POINTS 400

static void reply_svg(http_reply *out, char *svg, size_t len) {
    if (svg == NULL) reply_internal(out, "the plot could not be drawn");
    else reply_text(out, 200, "image/svg+xml", svg, len);
}

static void loss_plot(http_req *r, const job_rec *rec, http_reply *out) {
    double *ep = NULL, *loss = NULL, *val = NULL;
    size_t n = 0, len = 0;
    char title[200];
    snprintf(title, sizeof title, "Loss per epoch: %s (%s)", rec->id, job_status_name(rec->status));
    jobs_feed_copy f;
    json_t *h = NULL;
    if (rec->status == JOB_RUNNING && jobs_feed(r->app->jobs, rec->id, 0, 2000, &f)) {
        n = f.n;
        ep = malloc((n ? n : 1) * sizeof *ep);
        loss = malloc((n ? n : 1) * sizeof *loss);
        val = f.has_val ? malloc((n ? n : 1) * sizeof *val) : NULL;
        for (size_t k = 0; ep && loss && k < n; k++) {
            ep[k] = (double)f.epoch[k];
            loss[k] = f.rows[k * (2 + f.np)];
            if (val) val[k] = f.rows[k * (2 + f.np) + 1];
        }
        jobs_feed_free(&f);
    } else if ((h = history_unpack(rec->history, rec->history_len)) != NULL) {
        json_t *je = json_object_get(h, "epoch"), *jl = json_object_get(h, "loss"),
               *jv = json_object_get(h, "val_loss");
        n = json_array_size(je);
        ep = malloc((n ? n : 1) * sizeof *ep);
        loss = malloc((n ? n : 1) * sizeof *loss);
        val = jv ? malloc((n ? n : 1) * sizeof *val) : NULL;
        for (size_t k = 0; ep && loss && k < n; k++) {
            json_t *v = json_array_get(jl, k);
            ep[k] = json_number_value(json_array_get(je, k));
            loss[k] = json_is_number(v) ? json_number_value(v) : NAN;
            if (val) {
                json_t *vv = json_array_get(jv, k);
                val[k] = json_is_number(vv) ? json_number_value(vv) : NAN;
            }
        }
        json_decref(h);
    }
    char *svg = (n == 0 || (ep && loss)) ? plots_loss(ep, loss, val, ep && loss ? n : 0, title, &len) : NULL;
    reply_svg(out, svg, len);
    free(ep);
    free(loss);
    free(val);
}

/* Reads params (an object name -> number) in s's order; 0 when all there. */
static int params_from(const fit_spec *s, json_t *obj, double *p) {
    if (!json_is_object(obj)) return -1;
    for (size_t i = 0; i < s->nparams; i++) {
        json_t *v = json_object_get(obj, s->params[i].name);
        if (!json_is_number(v)) return -1;
        p[i] = json_number_value(v);
    }
    return 0;
}

/* The one data column the model's expression reads (the target aside),
 * or -1 when it reads none or several. */
static int single_input(const fit_spec *s, const fit_data *d) {
    expr_tree t = {0};
    fit_err e;
    int found = -1, count = 0;
    if (expr_parse(s->model.expr, &t, &e) == FIT_OK) {
        for (size_t c = 0; c < d->ncols; c++) {
            if (s->model.output == OUT_PREDICT && strcmp(d->names[c], s->model.target) == 0) continue;
            for (size_t i = 0; i < t.n; i++)
                if (t.nodes[i].kind == EN_NAME && strcmp(t.nodes[i].name, d->names[c]) == 0 &&
                    spec_param_index(s, d->names[c]) < 0) {
                    found = (int)c;
                    count++;
                    break;
                }
        }
    }
    expr_tree_free(&t);
    return count == 1 ? found : -1;
}

/* The model at params on a one-column grid named name: out[0..m). */
static int eval_grid(const fit_spec *s, const char *name, const double *gx, size_t m,
                     const double *params, double *out) {
    const char *names[1] = {name};
    fit_data *g = data_new(1, m, names);
    prog *p = NULL;
    fit_err e;
    int rc = -1;
    if (g && prog_compile(s, g, PROG_MODEL, &p, &e) == FIT_OK) {
        memcpy(g->cols[0], gx, m * sizeof *gx);
        prog_eval_rows(p, g, params, out);
        rc = 0;
    }
    prog_free(p);
    data_free(g);
    return rc;
}

static void fit_plot(http_req *r, const job_rec *rec, http_reply *out) {
    app *a = r->app;
    job_spec js;
    problem pr;
    fit_err e;
    ds_data *dd = NULL;
    json_t *res = NULL;
    const fit_data *d = NULL;
    double params[FIT_MAX_PARAMS], refp[FIT_MAX_PARAMS];
    double *gx = NULL, *gy = NULL, *gr = NULL, *yhat = NULL;
    char *svg = NULL, title[200];
    size_t len = 0;
    memset(&e, 0, sizeof e);
    job_spec_init(&js);
    problem_init(&pr);
    if (spec_parse(rec->spec_json, strlen(rec->spec_json), &js, &pr) != 0) goto fail;
    if (js.src.kind == SOURCE_DATASET) {
        if (store_dataset_data(a->st, js.src.dataset, &dd) != STORE_OK) {
            reply_problem(out, 409, "no-data", "No data", "the job's dataset was deleted", NULL);
            goto done;
        }
        d = dd->d;
    }
    if (spec_resolve(&js, d, &pr) != 0) goto fail;
    if (d == NULL) {
        if (source_load(&js.src, &e) != FIT_OK) goto fail;
        d = js.src.data;
    }
    res = rec->result_json ? json_loads(rec->result_json, 0, NULL) : NULL;
    int have = params_from(&js.fit, json_object_get(res, "params"), params) == 0;
    if (!have && rec->status == JOB_RUNNING) {
        json_t *pg = jobs_progress(a->jobs, rec->id);
        have = params_from(&js.fit, json_object_get(pg, "params"), params) == 0;
        json_decref(pg);
    }
    int have_ref = params_from(&js.fit, json_object_get(json_object_get(res, "reference"), "params"), refp) == 0;
    snprintf(title, sizeof title, "Fit: %s (%s)", rec->id, job_status_name(rec->status));
    int xc = single_input(&js.fit, d);
    if (xc < 0) xc = 0;
    const double *x = d->cols[xc];
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < d->rows; i++) {
        if (x[i] < lo) lo = x[i];
        if (x[i] > hi) hi = x[i];
    }
    if (!(hi > lo)) {
        lo -= 1;
        hi += 1;
    }
    gx = malloc(CURVE_POINTS * sizeof *gx);
    gy = malloc(CURVE_POINTS * sizeof *gy);
    gr = malloc(CURVE_POINTS * sizeof *gr);
    yhat = malloc((d->rows ? d->rows : 1) * sizeof *yhat);
    if (!gx || !gy || !gr || !yhat) goto fail;
    int density = js.fit.model.output == OUT_LOGPDF;
    if (density) {
        double pad = 0.1 * (hi - lo);
        lo -= pad;
        hi += pad;
    }
    for (size_t j = 0; j < CURVE_POINTS; j++) gx[j] = lo + (hi - lo) * (double)j / (CURVE_POINTS - 1);
    size_t m = have ? CURVE_POINTS : 0;
    int ycol = density ? -1 : data_find(d, js.fit.model.target);
    if (single_input(&js.fit, d) >= 0) {
        if (have && eval_grid(&js.fit, d->names[xc], gx, CURVE_POINTS, params, gy) != 0) m = 0;
        if (have_ref && eval_grid(&js.fit, d->names[xc], gx, CURVE_POINTS, refp, gr) != 0) have_ref = 0;
        if (density)
            for (size_t j = 0; j < CURVE_POINTS; j++) {
                gy[j] = exp(gy[j]);
                gr[j] = exp(gr[j]);
            }
        svg = density ? plots_fit_density(x, d->rows, gx, gy, have_ref ? gr : NULL, m,
                                          d->names[xc], title, &len)
                      : plots_fit_regression(x, d->cols[ycol], d->rows, gx, gy, have_ref ? gr : NULL,
                                             m, d->names[xc], js.fit.model.target, title, &len);
    } else if (!density && ycol >= 0) {
        /* several inputs: predicted against actual, with the identity line */
        prog *p = NULL;
        size_t n = 0;
        if (have && prog_compile(&js.fit, d, PROG_MODEL, &p, &e) == FIT_OK) {
            prog_eval_rows(p, d, params, yhat);
            n = d->rows;
        }
        prog_free(p);
        const double *y = d->cols[ycol];
        lo = INFINITY;
        hi = -INFINITY;
        for (size_t i = 0; i < d->rows; i++) {
            if (y[i] < lo) lo = y[i];
            if (y[i] > hi) hi = y[i];
        }
        for (size_t j = 0; j < CURVE_POINTS; j++) gx[j] = gy[j] = lo + (hi - lo) * (double)j / (CURVE_POINTS - 1);
        char yname[80];
        snprintf(yname, sizeof yname, "predicted %s", js.fit.model.target);
        svg = plots_fit_regression(y, yhat, n, gx, gy, NULL, CURVE_POINTS, js.fit.model.target,
                                   yname, title, &len);
    } else {
        svg = plots_fit_density(x, d->rows, gx, gy, NULL, 0, d->names[xc], title, &len);
    }
    reply_svg(out, svg, len);
    goto done;
fail:
    reply_internal(out, "the job's model could not be drawn");
done:
    free(gx);
    free(gy);
    free(gr);
    free(yhat);
    json_decref(res);
    ds_data_release(dd);
    job_spec_clear(&js);
    problem_clear(&pr);
}

void h_job_plot(http_req *r, http_reply *out) {
    const char *name = r->caps[1];
    if (strcmp(name, "loss.svg") != 0 && strcmp(name, "fit.svg") != 0) {
        reply_problem(out, 404, "not-found", "Not found",
                      "plots are loss.svg and fit.svg", NULL);
        return;
    }
    job_rec *rec = NULL;
    int rc = store_job_get(r->app->st, r->caps[0], &rec);
    if (rc == STORE_NOTFOUND) {
        reply_problem(out, 404, "not-found", "Not found", "no such job", NULL);
    } else if (rc != STORE_OK) {
        reply_internal(out, "the store could not read the job");
    } else if (name[0] == 'l') {
        loss_plot(r, rec, out);
    } else {
        fit_plot(r, rec, out);
    }
    job_rec_free(rec);
}
