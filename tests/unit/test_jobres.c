/* test_jobres.c - a job's resource written as text (jobres_text) is the
 * same bytes as the rendered tree (jobres_render_with) written out, for
 * every status but running, with and without a result, a dataset, a
 * validation loss and times. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "service/jobres.h"
#include "service/jout.h"

static void compare(const job_rec *rec, const json_t *res, const char *what) {
    json_t *doc = jobres_render_with(NULL, rec, res);
    char *want = jout_dumps(doc, JOBRES_DUMP_FLAGS);
    char *got = jobres_text(NULL, rec, res);
    if (!CHECK(want && got && strcmp(got, want) == 0))
        fprintf(stderr, "  %s:\n  got  %s\n  want %s\n", what, got ? got : "(null)",
                want ? want : "(null)");
    free(want);
    free(got);
    json_decref(doc);
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
    /* a running job goes the long way (its progress), with the same bytes */
    rec.status = JOB_FAILED;
    free(rec.spec_json);
    rec.spec_json = NULL;
    compare(&rec, res, "no spec");
    json_decref(res);
    return check_done("test_jobres");
}
