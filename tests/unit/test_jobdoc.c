/* test_jobdoc.c - the job document: member names and order, status from
 * termination, non-finite numbers as null, the history, and byte-identical
 * output for the same spec and seed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "service/jobdoc.h"
#include "service/history_pack.h"
#include "service/jout.h"
#include "service/spec_json.h"

/* history_unpack of a text, as older versions stored histories. */
static json_t *unpack_text(const char *text) {
    return history_unpack((const unsigned char *)text, strlen(text));
}

static int load(const char *text, job_spec *js) {
    problem p;
    job_spec_init(js);
    problem_init(&p);
    int rc = spec_parse(text, strlen(text), js, &p);
    if (rc == 0) rc = spec_resolve(js, NULL, &p);
    problem_clear(&p);
    return rc;
}

/* The member names of o, comma-separated, in order. */
static void keys_of(const json_t *o, char *buf, size_t n) {
    const char *key;
    json_t *v;
    size_t off = 0;
    buf[0] = '\0';
    json_object_foreach((json_t *)o, key, v) {
        (void)v;
        off += (size_t)snprintf(buf + off, n - off, "%s%s", off ? "," : "", key);
    }
}

/* The result text jobdoc_result_text writes is, byte for byte, the tree
 * jobdoc_render builds, without status, seed and spec, written compact. */
static void check_result_text(const job_spec *js, const train_result *r, const char *what) {
    json_t *doc = jobdoc_render(&js->fit, &js->src, r);
    CHECK(doc != NULL);
    json_object_del(doc, "status");
    json_object_del(doc, "seed");
    json_object_del(doc, "spec");
    char *want = jout_dumps(doc, JSON_COMPACT), *got = jobdoc_result_text(&js->fit, r);
    CHECK_SAME(got, want, what);
    free(want);
    free(got);
    json_decref(doc);
}

/* A hand-made result of a diverged run with a validation split. */
static void test_fake_result(void) {
    job_spec js;
    CHECK(load("{\"data\": {\"generate\": {\"kind\": \"linear\"}}, \"validation_split\": 0.2,"
               " \"seed\": 7}",
               &js) == 0);
    double loss[3] = {2.0, 1.0, NAN}, val[3] = {2.5, INFINITY, 1.5};
    double hp[6] = {0.1, 0.2, 0.3, -INFINITY, 0.5, 0.6}, params[2] = {1.5, NAN};
    double ref[2] = {1.0, 2.0};
    train_result r;
    memset(&r, 0, sizeof r);
    r.termination = TERM_DIVERGED;
    r.epochs_run = 3;
    r.nparams = 2;
    r.params = params;
    r.loss = NAN;
    r.initial_loss = 3.0;
    r.best_loss = 1.0;
    r.best_epoch = 2;
    r.has_val = 1;
    r.val_loss = -INFINITY;
    r.hist = (train_history){3, 2, loss, val, hp, 3};
    r.has_reference = 1;
    r.ref_method = "ols";
    r.ref_params = ref;
    r.ref_loss = 0.25;
    snprintf(r.reason, sizeof r.reason, "the loss became non-finite in epoch 3");

    check_result_text(&js, &r, "diverged, validation split, reference");
    json_t *doc = jobdoc_render(&js.fit, &js.src, &r);
    char keys[400];
    keys_of(doc, keys, sizeof keys);
    CHECK_STR(keys, "status,seed,spec,params,loss,val_loss,best_loss,best_epoch,initial_loss,"
                    "epochs_run,termination,reference,error");
    CHECK_STR(json_string_value(json_object_get(doc, "status")), "failed");
    CHECK_STR(json_string_value(json_object_get(doc, "termination")), "diverged");
    CHECK_INT(json_integer_value(json_object_get(doc, "seed")), 7);
    CHECK(json_is_null(json_object_get(doc, "loss")));
    CHECK(json_is_null(json_object_get(doc, "val_loss")));
    json_t *ps = json_object_get(doc, "params");
    CHECK_NEAR(json_real_value(json_object_get(ps, "m")), 1.5, 0);
    CHECK(json_is_null(json_object_get(ps, "b")));
    json_t *ref_j = json_object_get(doc, "reference");
    CHECK_STR(json_string_value(json_object_get(ref_j, "method")), "ols");
    CHECK_NEAR(json_real_value(json_object_get(json_object_get(ref_j, "params"), "b")), 2.0, 0);
    json_t *err = json_object_get(doc, "error");
    CHECK_STR(json_string_value(json_object_get(err, "reason")), "diverged");
    CHECK_STR(json_string_value(json_object_get(err, "detail")),
              "the loss became non-finite in epoch 3");
    char *text = json_dumps(doc, JOBDOC_DUMP_FLAGS);
    CHECK(text != NULL && strstr(text, "NaN") == NULL && strstr(text, "nf") == NULL);
    free(text);

    json_t *h = jobdoc_history(&js.fit, &r.hist);
    keys_of(h, keys, sizeof keys);
    CHECK_STR(keys, "epoch,loss,val_loss,params");
    text = json_dumps(h, JOBDOC_DUMP_FLAGS | JSON_COMPACT);
    CHECK_STR(text, "{\"epoch\":[1,2,3],\"loss\":[2.0,1.0,null],\"val_loss\":[2.5,null,1.5],"
                    "\"params\":{\"m\":[0.10000000000000001,0.29999999999999999,0.5],"
                    "\"b\":[0.20000000000000001,null,0.59999999999999998]}}");
    free(text);
    /* stored packed, read back as the same document */
    size_t len = 0;
    unsigned char *packed = history_pack(&js.fit, &r.hist, &len);
    /* header 12, names "m" and "b" 4, 3 epochs x (loss, val_loss, m, b) */
    CHECK_INT((long long)len, 12 + 4 + 3 * 4 * 8);
    CHECK(packed != NULL && memcmp(packed, "fitdH1\001\003\0\0\0\002\001m\001b", 16) == 0);
    json_t *back = history_unpack(packed, len);
    CHECK(back != NULL && json_equal(back, h));
    char *a = jout_dumps(back, JSON_COMPACT), *b = jout_dumps(h, JSON_COMPACT);
    CHECK_STR(a, "{\"epoch\":[1,2,3],\"loss\":[2.0,1.0,null],\"val_loss\":[2.5,null,1.5],"
                 "\"params\":{\"m\":[0.1,0.3,0.5],\"b\":[0.2,null,0.6]}}");
    CHECK(a && b && strcmp(a, b) == 0);
    free(a);
    free(b);
    json_decref(back);
    /* cut short anywhere, or with a byte too many, it reads as nothing */
    int cut_ok = 1;
    for (size_t l = 0; packed && l < len; l++)
        if ((back = history_unpack(packed, l)) != NULL) {
            cut_ok = 0;
            json_decref(back);
        }
    CHECK(cut_ok);
    unsigned char *more = malloc(len + 1);
    if (more && packed) {
        memcpy(more, packed, len);
        more[len] = 0;
        CHECK(history_unpack(more, len + 1) == NULL);
        more[13] = 200; /* a name longer than what is left */
        CHECK(history_unpack(more, len) == NULL);
    }
    free(more);
    free(packed);
    /* the plain document older versions stored reads as it is */
    back = unpack_text("{\"epoch\":[1,2,3],\"loss\":[2.0,1.0,null],\"val_loss\":[2.5,null,1.5],"
                       "\"params\":{\"m\":[0.1,0.3,0.5],\"b\":[0.2,null,0.6]}}");
    CHECK(back != NULL && json_equal(back, h));
    json_decref(back);
    json_decref(h);
    json_decref(doc);

    /* status for each ending; no val_loss, reference or error when absent */
    static const struct {
        train_term t;
        const char *status;
    } ends[] = {{TERM_COMPLETED, "succeeded"},
                {TERM_EARLY_STOPPED, "succeeded"},
                {TERM_TIMEOUT, "succeeded"},
                {TERM_CANCELLED, "cancelled"},
                {TERM_DIVERGED, "failed"}};
    r.has_val = 0;
    r.has_reference = 0;
    r.hist.val_loss = NULL;
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        r.termination = ends[i].t;
        check_result_text(&js, &r, train_term_name(ends[i].t));
        doc = jobdoc_render(&js.fit, &js.src, &r);
        CHECK_STR(json_string_value(json_object_get(doc, "status")), ends[i].status);
        CHECK_STR(json_string_value(json_object_get(doc, "termination")),
                  train_term_name(ends[i].t));
        CHECK(json_object_get(doc, "val_loss") == NULL);
        CHECK(json_is_null(json_object_get(doc, "reference")));
        CHECK(json_is_null(json_object_get(doc, "error")) == (ends[i].t != TERM_DIVERGED));
        json_decref(doc);
    }
    /* no parameters yet, and a reason that needs escaping */
    r.params = NULL;
    r.termination = TERM_DIVERGED;
    snprintf(r.reason, sizeof r.reason, "a \"quoted\" reason\twith a tab \\ and é");
    check_result_text(&js, &r, "no params, escaped reason");
    r.params = params;
    h = jobdoc_history(&js.fit, &r.hist);
    CHECK(json_object_get(h, "val_loss") == NULL);
    packed = history_pack(&js.fit, &r.hist, &len);
    CHECK_INT((long long)len, 12 + 4 + 3 * 3 * 8);
    back = history_unpack(packed, len);
    CHECK(back != NULL && json_equal(back, h) && json_object_get(back, "val_loss") == NULL);
    json_decref(back);
    free(packed);
    /* damaged or unknown forms read as nothing */
    CHECK(history_unpack(NULL, 0) == NULL);
    CHECK(unpack_text("fitdH") == NULL);
    CHECK(unpack_text("[1, 2]") == NULL); /* JSON, but not a history */
    CHECK(unpack_text("{\"encoding\":\"f32-hex\",\"n\":0}") == NULL);
    CHECK(unpack_text("{\"encoding\":\"f64le-base64\",\"n\":3,\"params\":[],"
                      "\"val_loss\":false,\"data\":\"AAAA\"}") == NULL);
    CHECK(unpack_text("{\"encoding\":\"f64le-base64\",\"n\":1,\"params\":[],"
                      "\"val_loss\":false,\"data\":\"AAAAAAAA8D!=\"}") == NULL);
    /* the base64 text form older versions stored: loss 1.0, val_loss -2.5,
       a = 0.5 */
    back = unpack_text("{\"encoding\":\"f64le-base64\",\"n\":1,\"params\":[\"a\"],"
                       "\"val_loss\":true,\"data\":\"AAAAAAAA8D8AAAAAAAAEwAAAAAAAAOA/\"}");
    char *t = back ? jout_dumps(back, JSON_COMPACT) : NULL;
    CHECK_STR(t, "{\"epoch\":[1],\"loss\":[1.0],\"val_loss\":[-2.5],\"params\":{\"a\":[0.5]}}");
    free(t);
    json_decref(back);
    json_decref(h);
    job_spec_clear(&js);
}

/* The whole path of `fitd fit` on the linear example, rendered to text. */
static char *run_linear(double *m, double *b, double *ref_m, double *ref_b) {
    job_spec js;
    fit_err e;
    train_result r;
    memset(&e, 0, sizeof e);
    if (!CHECK(load("{\"data\": {\"generate\": {\"kind\": \"linear\", \"seed\": 7}},"
                    " \"optimizer\": {\"kind\": \"sgd\", \"learning_rate\": 0.05},"
                    " \"epochs\": 500, \"seed\": 7}",
                    &js) == 0))
        return NULL;
    CHECK(source_load(&js.src, &e) == FIT_OK);
    CHECK(train_run(&js.fit, js.src.data, NULL, &r, &e) == FIT_OK);
    check_result_text(&js, &r, "a real run");
    json_t *doc = jobdoc_render(&js.fit, &js.src, &r);
    json_object_set_new(doc, "history", jobdoc_history(&js.fit, &r.hist));
    json_t *ps = json_object_get(doc, "params");
    json_t *rp = json_object_get(json_object_get(doc, "reference"), "params");
    *m = json_real_value(json_object_get(ps, "m"));
    *b = json_real_value(json_object_get(ps, "b"));
    *ref_m = json_real_value(json_object_get(rp, "m"));
    *ref_b = json_real_value(json_object_get(rp, "b"));
    CHECK_STR(json_string_value(json_object_get(doc, "status")), "succeeded");
    CHECK_INT(json_integer_value(json_object_get(doc, "epochs_run")), 500);
    json_t *h = json_object_get(doc, "history");
    CHECK_INT(json_array_size(json_object_get(h, "loss")), 500);
    CHECK_INT(json_array_size(json_object_get(json_object_get(h, "params"), "m")), 500);
    char *text = json_dumps(doc, JSON_INDENT(2) | JOBDOC_DUMP_FLAGS);
    json_decref(doc);
    train_result_free(&r);
    job_spec_clear(&js);
    return text;
}

/* Histories of many lengths, with and without val_loss: every value,
 * non-finite ones as null, reads back exactly. */
static void test_long_histories(void) {
    job_spec js;
    CHECK(load("{\"data\": {\"generate\": {\"kind\": \"linear\"}}, \"seed\": 7}", &js) == 0);
    static const size_t lens[] = {1, 31, 32, 33, 100, 127, 128, 129, 1000};
    for (size_t t = 0; t < sizeof lens / sizeof lens[0]; t++) {
        for (int with_val = 0; with_val < 2; with_val++) {
            size_t n = lens[t];
            double *loss = malloc(n * sizeof *loss), *val = malloc(n * sizeof *val);
            double *hp = malloc(2 * n * sizeof *hp);
            for (size_t k = 0; k < n; k++) {
                loss[k] = 1.0 / (double)(k + 3);
                val[k] = -(double)k * 0.37;
                hp[2 * k] = (double)k * 1e-7 + 0.1;
                hp[2 * k + 1] = k % 7 == 0 ? NAN : (double)(k * k) * 3.5e5;
            }
            train_history hist = {n, 2, loss, with_val ? val : NULL, hp, n};
            size_t len = 0;
            unsigned char *packed = history_pack(&js.fit, &hist, &len);
            json_t *back = packed ? history_unpack(packed, len) : NULL;
            json_t *want = jobdoc_history(&js.fit, &hist);
            CHECK(back != NULL && json_equal(back, want));
            CHECK_INT((long long)json_array_size(json_object_get(back, "loss")), (long long)n);
            json_decref(back);
            json_decref(want);
            free(packed);
            free(loss);
            free(val);
            free(hp);
        }
    }
    job_spec_clear(&js);
}

static void test_real_run(void) {
    double m, b, rm, rb, m2, b2;
    char *a = run_linear(&m, &b, &rm, &rb);
    char *c = run_linear(&m2, &b2, &rm, &rb);
    CHECK(a != NULL && c != NULL && strcmp(a, c) == 0); /* byte-identical */
    CHECK_NEAR(m, rm, 1e-3);
    CHECK_NEAR(b, rb, 1e-3);
    free(a);
    free(c);
}

int main(void) {
    test_fake_result();
    test_long_histories();
    test_real_run();
    return check_done("test_jobdoc");
}
