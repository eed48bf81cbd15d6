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
/* The history text of a finished job, downsampled to at most max_points
 * entries (0 = all) keeping the first, the last and the best (lowest
 * loss) epochs. NULL on a malformed history or allocation failure. */
json_t *jobres_history(const char *history_json, long max_points);
/* Whether st ends a job's life. */
int jobres_terminal(job_status st);

#endif
