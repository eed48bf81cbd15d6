/* jobres.h - the job resource of GET /v1/jobs/{id}: the document `fitd fit`
 * prints (without history) plus id, dataset, timings and live progress;
 * and the history with its downsampling. */
#ifndef FITD_JOBRES_H
#define FITD_JOBRES_H

#include <jansson.h>

#include "store.h"

struct app;

/* The resource for rec (borrowed). NULL on allocation failure. */
json_t *jobres_render(struct app *a, const job_rec *rec);
/* The same, with rec's result members given as a document (borrowed; NULL
 * = none) rather than read from rec->result_json. */
json_t *jobres_render_with(struct app *a, const job_rec *rec, const json_t *result);
/* How the resource is dumped (jout_dumps), wherever it is rendered. */
#define JOBRES_DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17))

/* The same resource as text, the bytes of
 * jout_dumps(jobres_render_with(a, rec, result), JOBRES_DUMP_FLAGS). For a
 * job that is not running it is written directly, with the stored spec
 * text spliced in rather than parsed and written again (every finished
 * job is rendered once). NULL on allocation failure; the caller frees it. */
char *jobres_text(struct app *a, const job_rec *rec, const json_t *result);
/* The same resource, with the result as stored text (borrowed; NULL =
 * none). Text jobdoc_result_text wrote is spliced in as it is; any other
 * (a failure's document, what older versions stored) is read and goes
 * through jobres_text. The same bytes either way. NULL on allocation
 * failure; the caller frees it. */
char *jobres_text_result(struct app *a, const job_rec *rec, const char *result);
/* The history document of a finished job's stored history, downsampled to
 * at most max_points entries (0 = all) keeping the first, the last and the
 * best (lowest loss) epochs. NULL on a malformed history or allocation
 * failure. */
json_t *jobres_history(const job_rec *rec, long max_points);
/* Whether st ends a job's life. */
int jobres_terminal(job_status st);

#endif
