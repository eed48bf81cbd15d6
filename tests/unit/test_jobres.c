/* test_jobres.c - a job's resource written as text (jobres_text) is the
 * same bytes as the rendered tree (jobres_render_with) written out, for
 * every status but running, with and without a result, a dataset, a
 * validation loss and times; and from a stored result text
 * (jobres_text_result), spliced or read, the same bytes again. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "service/jobres.h"
#include "service/jout.h"

static void compare(const job_rec *rec, const json_t *res, const char *what) {
    json_t *doc = jobres_render_with(NULL, rec, res);
    char *want = jout_dumps(doc, JOBRES_DUMP_FLAGS);
    char *got = jobres_text(NULL, rec, res);
    CHECK_SAME(got, want, what);
    free(want);
    free(got);
    json_decref(doc);
}

/* The resource from a stored result text: spliced (jobdoc_result_text's
 * form) or read (any other) gives the bytes jobres_text writes for the
 * text read as a document. */
static void compare_stored(const job_rec *rec, const char *result, const char *what) {
    json_t *res = result ? json_loads(result, 0, NULL) : NULL;
    CHECK(result == NULL || res != NULL);
    char *want = jobres_text(NULL, rec, res);
    char *got = jobres_text_result(NULL, rec, result);
    CHECK_SAME(got, want, what);
    free(want);
    free(got);
    json_decref(res);
}

static void test_stored_results(job_rec *rec) {
    static const char *const results[] = {
        /* as jobdoc_result_text writes them: with and without val_loss */
        "{\"params\":{\"m\":1.281650271168446,\"b\":1.0617318787879777},\"loss\":0.46589889716485366,"
        "\"val_loss\":0.5,\"best_loss\":0.4,\"best_epoch\":100,\"initial_loss\":23.3,"
        "\"epochs_run\":100,\"termination\":\"completed\",\"reference\":{\"method\":\"ols\","
        "\"params\":{\"m\":0.97,\"b\":2.1},\"loss\":0.2},\"error\":null}",
        "{\"params\":{\"m\":null},\"loss\":null,\"best_loss\":1.0,\"best_epoch\":2,"
        "\"initial_loss\":3.0,\"epochs_run\":3,\"termination\":\"diverged\",\"reference\":null,"
        "\"error\":{\"reason\":\"diverged\",\"detail\":\"the loss became non-finite in epoch 3\"}}",
        /* a failure before training, a cancel, and what older versions
           stored (status, seed and spec in the result) */
        "{\"status\":\"failed\",\"error\":{\"reason\":\"invalid\",\"detail\":\"no data\"}}",
        "{\"status\":\"cancelled\",\"termination\":\"cancelled\"}",
        "{\"status\":\"succeeded\",\"seed\":5,\"spec\":{\"epochs\":100},\"params\":{\"m\":1.5},"
        "\"loss\":0.25,\"best_loss\":0.25,\"best_epoch\":1,\"initial_loss\":2.0,\"epochs_run\":1,"
        "\"termination\":\"completed\",\"reference\":null,\"error\":null}",
        NULL};
    job_status all[] = {JOB_SUCCEEDED, JOB_FAILED, JOB_CANCELLED};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        rec->status = all[i];
        for (size_t k = 0; k < sizeof results / sizeof results[0]; k++)
            compare_stored(rec, results[k], results[k] ? results[k] : "no result");
    }
    /* the long way (a spec fitd did not write) gives the same bytes */
    char *spec = rec->spec_json, other[] = "[1, 2]";
    rec->spec_json = other;
    compare_stored(rec, results[0], "a spec that is not an object");
    rec->spec_json = spec;
    /* what is spliced is the stored text, as it is */
    rec->status = JOB_SUCCEEDED;
    char *text = jobres_text_result(NULL, rec, results[0]), inner[600];
    size_t n = strlen(results[0]);
    CHECK(n - 2 < sizeof inner);
    memcpy(inner, results[0] + 1, n - 2);
    inner[n - 2] = '\0';
    CHECK(text != NULL && strstr(text, inner) != NULL);
    free(text);
}

int main(void) {
    job_rec rec;
    memset(&rec, 0, sizeof rec);
    snprintf(rec.id, sizeof rec.id, "job_0123456789abcdef01234567");
    rec.seed = 9007199254740991ULL;
    rec.spec_json =
        strdup("{\"data\":{\"generate\":{\"kind\":\"linear\",\"n\":100}},\"epochs\":100,"
               "\"loss\":{\"kind\":\"mse\"},\"note\":\"tab\\there é\"}");
    json_t *res =
        json_loads("{\"status\":\"succeeded\",\"seed\":5,\"params\":{\"m\":1.281650271168446,"
                   "\"b\":1.0617318787879777},\"loss\":0.46589889716485366,"
                   "\"val_loss\":0.5,\"best_loss\":0.4,\"best_epoch\":100,"
                   "\"initial_loss\":23.3,\"epochs_run\":100,\"termination\":\"completed\","
                   "\"reference\":{\"method\":\"ols\",\"params\":{\"m\":0.97}},"
                   "\"error\":null}",
                   0, NULL);
    CHECK(res != NULL);
    job_status all[] = {JOB_QUEUED, JOB_SUCCEEDED, JOB_FAILED, JOB_CANCELLED};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        rec.status = all[i];
        rec.created_ms = 1764800000123LL;
        rec.started_ms = rec.finished_ms = 0;
        rec.attempts = 0;
        rec.dataset[0] = '\0';
        compare(&rec, NULL, "no result, no times");
        rec.started_ms = 1764800000456LL;
        rec.finished_ms = 1764800001999LL;
        rec.attempts = 2;
        snprintf(rec.dataset, sizeof rec.dataset, "ds_00112233445566778899aabb");
        compare(&rec, res, "with a result");
        json_object_del(res, "val_loss"); /* no validation split: no member */
        compare(&rec, res, "without val_loss");
        json_object_set_new(res, "val_loss", json_real(0.5));
    }
    test_stored_results(&rec);
    /* a running job goes the long way (its progress), with the same bytes */
    rec.status = JOB_FAILED;
    free(rec.spec_json);
    rec.spec_json = NULL;
    compare(&rec, res, "no spec");
    json_decref(res);
    return check_done("test_jobres");
}
