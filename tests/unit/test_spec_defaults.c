/* test_spec_defaults.c - what the spec reader fills in when a member is
 * absent, and the catalog's tables against the core (names, Keras
 * defaults), so that GET /v1/catalog cannot drift from what runs. */
#include <string.h>

#include "check.h"
#include "service/catalog.h"
#include "service/spec_json.h"

static int read_ok(const char *text, job_spec *js) {
    problem p;
    job_spec_init(js);
    problem_init(&p);
    int rc = spec_parse(text, strlen(text), js, &p);
    if (rc == 0) rc = spec_resolve(js, NULL, &p);
    for (size_t i = 0; i < p.nerrors; i++)
        fprintf(stderr, "  unexpected: %s: %s\n", p.errors[i].pointer, p.errors[i].detail);
    if (rc != 0 && p.nerrors == 0) fprintf(stderr, "  unexpected: %s\n", p.detail);
    problem_clear(&p);
    return rc;
}

static void test_minimal_linear(void) {
    job_spec js;
    CHECK(read_ok("{\"data\": {\"generate\": {\"kind\": \"linear\"}}}", &js) == 0);
    const fit_spec *s = &js.fit;
    CHECK_INT(js.src.kind, SOURCE_GENERATE);
    CHECK_INT(js.src.gen.kind, GEN_LINEAR);
    CHECK_INT(js.src.gen.n, 100);
    CHECK_NEAR(js.src.gen.m, 1, 0);
    CHECK_NEAR(js.src.gen.b, 2, 0);
    CHECK_NEAR(js.src.gen.noise_sd, 0.5, 0);
    CHECK_NEAR(js.src.gen.x_min, 0, 0);
    CHECK_NEAR(js.src.gen.x_max, 5, 0);
    CHECK_INT(js.src.gen.seed, 0);
    CHECK(js.src.data == NULL); /* nothing generated while validating */
    CHECK_INT(s->model.kind, MODEL_LINEAR);
    CHECK_STR(s->model.inputs[0], "x");
    CHECK_INT(s->model.ninputs, 1);
    CHECK_STR(s->model.target, "y");
    CHECK_INT(s->loss.kind, LOSS_MSE);
    CHECK_INT(s->optim.kind, OPTIM_SGD);
    CHECK_NEAR(s->optim.learning_rate, 0.01, 0);
    CHECK_NEAR(s->optim.momentum, 0, 0);
    CHECK_INT(s->optim.nesterov, 0);
    CHECK_NEAR(s->optim.clipnorm, 0, 0);
    CHECK_INT(s->epochs, 100);
    CHECK_INT(s->batch_size, 0);
    CHECK_INT(s->shuffle, 0);
    CHECK_NEAR(s->validation_split, 0, 0);
    CHECK_INT(s->early.enabled, 0);
    CHECK_NEAR(s->max_seconds, 0, 0);
    CHECK_INT(js.has_seed, 0);
    CHECK_INT(js.resolved, 1);
    CHECK_INT(s->nparams, 2);
    CHECK_STR(s->params[0].name, "m");
    CHECK_INT(s->params[0].init.kind, INIT_NORMAL);
    CHECK_NEAR(s->params[0].init.a, 0, 0);
    CHECK_NEAR(s->params[0].init.b, 0.05, 0);
    CHECK_STR(s->params[1].name, "b");
    CHECK_INT(s->params[1].init.kind, INIT_CONST);
    CHECK_NEAR(s->params[1].init.a, 0, 0);
    job_spec_clear(&js);
}

static void test_gaussian_defaults(void) {
    job_spec js;
    CHECK(read_ok("{\"data\": {\"generate\": {\"kind\": \"gaussian\"}}, \"model\": \"gaussian\","
                  " \"init\": {\"mu\": 5, \"sigma\": {\"uniform\": {\"min\": 1, \"max\": 3}}}}",
                  &js) == 0);
    const fit_spec *s = &js.fit;
    CHECK_INT(js.src.gen.n, 1000);
    CHECK_NEAR(js.src.gen.mu, 0, 0);
    CHECK_NEAR(js.src.gen.sigma, 1, 0);
    CHECK_INT(s->model.output, OUT_LOGPDF);
    CHECK_INT(s->loss.kind, LOSS_NLL); /* a density model's default loss */
    CHECK_INT(s->nparams, 2);
    CHECK_INT(s->params[0].init.kind, INIT_CONST);
    CHECK_NEAR(s->params[0].init.a, 5, 0);
    CHECK_INT(s->params[1].positive, 1);
    CHECK_INT(s->params[1].init.kind, INIT_UNIFORM);
    CHECK_NEAR(s->params[1].init.a, 1, 0);
    CHECK_NEAR(s->params[1].init.b, 3, 0);
    job_spec_clear(&js);
}

static void test_expression_defaults(void) {
    job_spec js;
    CHECK(read_ok("{\"data\": {\"columns\": {\"t\": [1, 2, 3], \"y\": [2, 1, 0.5]}},"
                  " \"model\": {\"kind\": \"expression\", \"predict\": \"a*exp(-k*t)\","
                  " \"params\": [\"a\", {\"name\": \"k\", \"positive\": true}]},"
                  " \"loss\": \"gaussian_nll\"}",
                  &js) == 0);
    const fit_spec *s = &js.fit;
    CHECK_INT(js.src.kind, SOURCE_COLUMNS);
    CHECK_INT(js.src.data->rows, 3);
    CHECK_NEAR(js.src.data->cols[1][2], 0.5, 0);
    CHECK_INT(s->model.kind, MODEL_EXPRESSION);
    CHECK_STR(s->model.expr, "a*exp(-k*t)");
    CHECK_STR(s->model.target, "y");
    CHECK_INT(s->nparams, 3); /* a, k, and the noise sigma gaussian_nll adds */
    CHECK_INT(s->params[0].init.kind, INIT_NORMAL);
    CHECK_NEAR(s->params[0].init.b, 0.05, 0);
    CHECK_INT(s->params[1].positive, 1);
    CHECK_INT(s->params[1].init.kind, INIT_CONST); /* positive: starts at 1 */
    CHECK_NEAR(s->params[1].init.a, 1, 0);
    CHECK_STR(s->params[2].name, "sigma");
    job_spec_clear(&js);
}

static void test_option_defaults(void) {
    job_spec js;
    CHECK(read_ok("{\"data\": {\"generate\": {\"kind\": \"linear\"}}, \"batch_size\": 10,"
                  " \"validation_split\": 0.2, \"early_stopping\": {}, \"seed\": 42,"
                  " \"optimizer\": \"adam\", \"loss\": {\"kind\": \"huber\"}, \"epochs\": 1e3}",
                  &js) == 0);
    const fit_spec *s = &js.fit;
    CHECK_INT(s->shuffle, 1); /* several batches: shuffled by default */
    CHECK_INT(s->early.enabled, 1);
    CHECK_INT(s->early.monitor_val, 1); /* val_loss when there is a split */
    CHECK_NEAR(s->early.min_delta, 0, 0);
    CHECK_INT(s->early.patience, 0);
    CHECK_INT(s->early.restore_best, 0);
    CHECK_INT(js.has_seed, 1);
    CHECK_INT(s->seed, 42);
    CHECK_INT(s->epochs, 1000); /* 1e3 is an integral number */
    CHECK_INT(s->optim.kind, OPTIM_ADAM);
    CHECK_NEAR(s->optim.learning_rate, 0.001, 0);
    CHECK_NEAR(s->optim.beta_2, 0.999, 0);
    CHECK_NEAR(s->optim.epsilon, 1e-7, 0);
    CHECK_INT(s->loss.kind, LOSS_HUBER);
    CHECK_NEAR(s->loss.delta, 1.0, 0);
    job_spec_clear(&js);

    CHECK(
        read_ok("{\"data\": {\"generate\": {\"kind\": \"linear\"}}, \"batch_size\": 10,"
                " \"shuffle\": false, \"early_stopping\": {\"patience\": 3},"
                " \"optimizer\": {\"clipnorm\": null, \"clipvalue\": 0.5}, \"max_seconds\": null}",
                &js) == 0);
    CHECK_INT(js.fit.shuffle, 0);
    CHECK_INT(js.fit.early.monitor_val, 0); /* loss without a split */
    CHECK_INT(js.fit.early.patience, 3);
    CHECK_INT(js.fit.optim.kind, OPTIM_SGD);
    CHECK_NEAR(js.fit.optim.clipnorm, 0, 0);
    CHECK_NEAR(js.fit.optim.clipvalue, 0.5, 0);
    job_spec_clear(&js);
}

/* The catalog's defaults are the core's (Keras's). */
static void test_catalog_matches_core(void) {
    for (int k = 0; k < OPTIM_KIND_COUNT; k++) {
        optim_conf core, table;
        memset(&core, 0, sizeof core);
        memset(&table, 0, sizeof table);
        optim_defaults(&core, (optim_kind)k);
        optim_defaults(&table, (optim_kind)k);
        size_t n = 0;
        for (size_t i = 0; i < catalog_optim_nfields; i++) {
            const catalog_optim_field *row = &catalog_optim_fields[i];
            if (row->kind != k && row->kind != CATALOG_ANY_KIND) continue;
            field_set_default(&row->f, &table);
            n++;
        }
        if (!CHECK(memcmp(&core, &table, sizeof core) == 0))
            fprintf(stderr, "  optimizer %s: table defaults differ from optim_defaults\n",
                    optim_name((optim_kind)k));
        CHECK(n >= 4);
        CHECK(optim_by_name(optim_name((optim_kind)k)) == k);
    }
    for (size_t i = 0; i < catalog_nmodels; i++) {
        CHECK(model_kind_by_name(catalog_models[i].name) == (int)catalog_models[i].kind);
        CHECK_STR(model_kind_name(catalog_models[i].kind), catalog_models[i].name);
    }
    CHECK_INT(catalog_nmodels, MODEL_KIND_COUNT);
    for (size_t i = 0; i < catalog_nlosses; i++)
        CHECK(loss_kind_by_name(catalog_losses[i].name) == (int)catalog_losses[i].kind);
    CHECK_INT(catalog_nlosses, LOSS_KIND_COUNT - 1); /* all but expr */
    fit_spec s;
    spec_init(&s);
    CHECK_NEAR(s.loss.delta, catalog_loss_fields[0].f.def, 0);
    spec_clear(&s);
}

int main(void) {
    test_minimal_linear();
    test_gaussian_defaults();
    test_expression_defaults();
    test_option_defaults();
    test_catalog_matches_core();
    return check_done("test_spec_defaults");
}
