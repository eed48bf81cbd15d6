/* test_spec_roundtrip.c - spec_to_json writes every default, and what it
 * writes reads back to the same spec (and the same JSON, byte for byte). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "service/jobdoc.h"
#include "service/spec_json.h"

static int load(const char *text, const fit_data *dataset, job_spec *js) {
    problem p;
    job_spec_init(js);
    problem_init(&p);
    int rc = spec_parse(text, strlen(text), js, &p);
    if (rc == 0) rc = spec_resolve(js, dataset, &p);
    for (size_t i = 0; i < p.nerrors; i++)
        fprintf(stderr, "  %s: %s\n", p.errors[i].pointer, p.errors[i].detail);
    if (rc != 0 && p.nerrors == 0) fprintf(stderr, "  %s\n", p.detail);
    problem_clear(&p);
    return rc;
}

static int same_str(const char *a, const char *b) {
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Field by field, so a mismatch names itself. */
static void check_same(const job_spec *x, const job_spec *y) {
    const fit_spec *a = &x->fit, *b = &y->fit;
    CHECK_INT(a->model.kind, b->model.kind);
    CHECK_INT(a->model.output, b->model.output);
    CHECK(same_str(a->model.expr, b->model.expr));
    CHECK_INT(a->model.ninputs, b->model.ninputs);
    for (size_t i = 0; i < a->model.ninputs; i++) CHECK_STR(a->model.inputs[i], b->model.inputs[i]);
    CHECK_STR(a->model.target, b->model.target);
    CHECK_INT(a->loss.kind, b->loss.kind);
    CHECK(a->loss.delta == b->loss.delta);
    CHECK(same_str(a->loss.expr, b->loss.expr));
    CHECK_INT(a->nparams, b->nparams);
    for (size_t i = 0; i < a->nparams && i < b->nparams; i++) {
        CHECK_STR(a->params[i].name, b->params[i].name);
        CHECK_INT(a->params[i].positive, b->params[i].positive);
        CHECK_INT(a->params[i].init.kind, b->params[i].init.kind);
        CHECK(a->params[i].init.a == b->params[i].init.a);
        CHECK(a->params[i].init.b == b->params[i].init.b);
    }
    CHECK(memcmp(&a->optim, &b->optim, sizeof a->optim) == 0);
    CHECK_INT(a->epochs, b->epochs);
    CHECK_INT(a->batch_size, b->batch_size);
    CHECK_INT(a->shuffle, b->shuffle);
    CHECK(a->seed == b->seed);
    CHECK(a->validation_split == b->validation_split);
    CHECK_INT(a->early.enabled, b->early.enabled);
    CHECK_INT(a->early.monitor_val, b->early.monitor_val);
    CHECK(a->early.min_delta == b->early.min_delta);
    CHECK_INT(a->early.patience, b->early.patience);
    CHECK_INT(a->early.restore_best, b->early.restore_best);
    CHECK(a->max_seconds == b->max_seconds);
    CHECK_INT(x->src.kind, y->src.kind);
    CHECK(memcmp(&x->src.gen, &y->src.gen, sizeof x->src.gen) == 0);
    CHECK_STR(x->src.dataset, y->src.dataset);
    CHECK_INT(y->has_seed, 1); /* the normalized spec always carries its seed */
}

static char *dump(const json_t *v) {
    return json_dumps(v, JOBDOC_DUMP_FLAGS | JSON_COMPACT);
}

/* text -> spec -> JSON -> text -> spec -> JSON: both specs and both
 * JSON texts must be the same. Inline columns are not in the normalized
 * spec, so they are put back from the original before reading it again. */
static void round_trip(const char *text, const fit_data *dataset) {
    job_spec a, b;
    if (!CHECK(load(text, dataset, &a) == 0)) {
        fprintf(stderr, "  in: %s\n", text);
        job_spec_clear(&a);
        return;
    }
    json_t *ja = spec_to_json(&a.fit, &a.src);
    char *ta = dump(ja);
    CHECK(ta != NULL);
    json_t *again = json_loads(ta, 0, NULL);
    if (a.src.kind == SOURCE_COLUMNS) {
        CHECK(json_object_get(ja, "data") == NULL);
        json_t *orig = json_loads(text, 0, NULL);
        json_object_set(again, "data", json_object_get(orig, "data"));
        json_decref(orig);
    }
    char *tb_in = dump(again);
    if (CHECK(load(tb_in, dataset, &b) == 0)) {
        check_same(&a, &b);
        json_t *jb = spec_to_json(&b.fit, &b.src);
        char *tb = dump(jb);
        if (!CHECK(json_equal(ja, jb) && strcmp(ta, tb) == 0))
            fprintf(stderr, "  first:  %s\n  second: %s\n", ta, tb);
        free(tb);
        json_decref(jb);
    } else {
        fprintf(stderr, "  normalized spec did not read back: %s\n", tb_in);
    }
    free(tb_in);
    free(ta);
    json_decref(again);
    json_decref(ja);
    job_spec_clear(&a);
    job_spec_clear(&b);
}

static const char *const specs[] = {
    "{\"data\": {\"generate\": {\"kind\": \"linear\"}}, \"seed\": 1}",
    "{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 100, \"m\": 1, \"b\": 2,"
    " \"noise_sd\": 0.5, \"x_min\": 0, \"x_max\": 5, \"seed\": 7}},"
    " \"model\": {\"kind\": \"linear\", \"x\": \"x\", \"y\": \"y\"}, \"loss\": \"mse\","
    " \"optimizer\": {\"kind\": \"sgd\", \"learning_rate\": 0.05}, \"epochs\": 200, \"seed\": 7}",
    "{\"data\": {\"generate\": {\"kind\": \"gaussian\", \"n\": 1000, \"mu\": 2, \"sigma\": 0.5,"
    " \"seed\": 11}}, \"model\": {\"kind\": \"gaussian\", \"x\": \"x\"},"
    " \"init\": {\"mu\": 5, \"sigma\": 3}, \"loss\": \"nll\","
    " \"optimizer\": {\"kind\": \"adam\", \"learning_rate\": 0.05}, \"epochs\": 600, \"seed\": 11}",
    "{\"data\": {\"columns\": {\"t\": [0, 1, 2, 3], \"y\": [3.1, 1.9, 1.1, 0.7]}},"
    " \"model\": {\"kind\": \"expression\", \"predict\": \"a*exp(-k*t)\", \"y\": \"y\","
    " \"params\": [{\"name\": \"a\", \"init\": 1}, {\"name\": \"k\", \"positive\": true}]},"
    " \"init\": {\"sigma\": 0.3}, \"loss\": \"gaussian_nll\", \"seed\": 3}",
    "{\"data\": {\"columns\": {\"x\": [0.5, 2, 1]}},"
    " \"model\": {\"kind\": \"expression\", \"logpdf\": \"-log(s) - 0.5*((x - m)/s)^2\","
    " \"params\": [\"m\", {\"name\": \"s\", \"positive\": true, \"init\": {\"uniform\":"
    " {\"min\": 0.5, \"max\": 2}}}]}, \"loss\": {\"expr\": \"-mean(yhat)\"},"
    " \"optimizer\": \"rmsprop\", \"seed\": 0}",
    "{\"data\": {\"columns\": {\"x1\": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],"
    " \"x2\": [0, 1, 0, 1, 0, 1, 0, 1, 0, 1], \"y\": [1, 3, 3, 5, 5, 7, 7, 9, 9, 11]}},"
    " \"model\": {\"kind\": \"linear\", \"x\": [\"x1\", \"x2\"]},"
    " \"init\": {\"m_x1\": {\"normal\": {\"mean\": 0.1, \"sd\": 0.2}}, \"b\": \"zeros\"},"
    " \"loss\": {\"kind\": \"huber\", \"delta\": 0.3},"
    " \"optimizer\": {\"kind\": \"adam\", \"learning_rate\": 0.1, \"beta_1\": 0.8,"
    " \"amsgrad\": true, \"clipnorm\": 1.5, \"global_clipnorm\": 10},"
    " \"epochs\": 50, \"batch_size\": 4, \"validation_split\": 0.3,"
    " \"early_stopping\": {\"min_delta\": 0.001, \"patience\": 5, \"restore_best\": true},"
    " \"max_seconds\": 2.5, \"seed\": 9007199254740992}",
    "{\"data\": {\"generate\": {\"kind\": \"linear\", \"x_min\": -1.1, \"x_max\": 0.1}},"
    " \"optimizer\": {\"kind\": \"rmsprop\", \"rho\": 0.95, \"momentum\": 0.1, \"centered\": true,"
    " \"clipvalue\": 0.25}, \"loss\": \"mae\", \"shuffle\": true, \"seed\": 5}",
    "{\"data\": {\"generate\": {\"kind\": \"linear\"}}, \"optimizer\": {\"kind\": \"adagrad\","
    " \"initial_accumulator_value\": 0, \"epsilon\": 1e-9}, \"batch_size\": 7, \"shuffle\": false,"
    " \"early_stopping\": {\"monitor\": \"loss\"}, \"seed\": 12}",
    "{\"data\": {\"generate\": {\"kind\": \"linear\"}}, \"optimizer\": {\"kind\": \"sgd\","
    " \"momentum\": 0.9, \"nesterov\": true}, \"init\": {\"m\": {\"uniform\": {}}}, \"seed\": 4}",
};

/* The normalized linear example, member by member. */
static void test_normalized_shape(void) {
    job_spec js;
    CHECK(load(specs[1], NULL, &js) == 0);
    json_t *j = spec_to_json(&js.fit, &js.src);
    char *t = json_dumps(j, JOBDOC_DUMP_FLAGS | JSON_COMPACT);
    const char *want =
        "{\"data\":{\"generate\":{\"kind\":\"linear\",\"n\":100,\"m\":1.0,\"b\":2.0,"
        "\"noise_sd\":0.5,\"x_min\":0.0,\"x_max\":5.0,\"seed\":7}},"
        "\"model\":{\"kind\":\"linear\",\"x\":\"x\",\"y\":\"y\"},"
        "\"init\":{\"m\":{\"normal\":{\"mean\":0.0,\"sd\":0.050000000000000003}},\"b\":0.0},"
        "\"loss\":{\"kind\":\"mse\"},"
        "\"optimizer\":{\"kind\":\"sgd\",\"learning_rate\":0.050000000000000003,\"momentum\":0.0,"
        "\"nesterov\":false,\"clipnorm\":null,\"clipvalue\":null,\"global_clipnorm\":null},"
        "\"epochs\":200,\"batch_size\":null,\"shuffle\":false,\"seed\":7,"
        "\"validation_split\":0.0,\"max_seconds\":null,\"early_stopping\":null}";
    if (!CHECK(t != NULL && strcmp(t, want) == 0)) fprintf(stderr, "  got %s\n", t);
    free(t);
    json_decref(j);
    job_spec_clear(&js);
}

static void test_dataset_source(void) {
    static const char *const names[] = {"x", "y"};
    fit_data *d = data_new(2, 20, names);
    job_spec js;
    const char *text = "{\"dataset\": \"ds_01\", \"seed\": 2}";
    CHECK(load(text, d, &js) == 0);
    json_t *j = spec_to_json(&js.fit, &js.src);
    CHECK_STR(json_string_value(json_object_get(j, "dataset")), "ds_01");
    CHECK(json_object_get(j, "data") == NULL);
    json_decref(j);
    job_spec_clear(&js);
    round_trip(text, d);
    /* without the stored dataset it cannot resolve */
    problem p;
    job_spec_init(&js);
    problem_init(&p);
    CHECK(spec_parse(text, strlen(text), &js, &p) == 0);
    CHECK(spec_resolve(&js, NULL, &p) != 0);
    CHECK(problem_find(&p, "/dataset") != NULL);
    problem_clear(&p);
    job_spec_clear(&js);
    data_free(d);
}

int main(void) {
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) round_trip(specs[i], NULL);
    test_normalized_shape();
    test_dataset_source();
    return check_done("test_spec_roundtrip");
}
