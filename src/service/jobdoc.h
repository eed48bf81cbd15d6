/* jobdoc.h - the job document: what `fitd fit` prints and what
 * GET /v1/jobs/{id} and GET /v1/jobs/{id}/history are built from.
 * Members in a fixed order; non-finite numbers are written as null. */
#ifndef FITD_JOBDOC_H
#define FITD_JOBDOC_H

#include <jansson.h>

#include "core/spec.h"
#include "core/train.h"
#include "source.h"

/* Flags for json_dumps of every document fitd writes: 17 significant
 * digits (every double reads back to the same bits), insertion order. */
#define JOBDOC_DUMP_FLAGS (JSON_REAL_PRECISION(17) | JSON_PRESERVE_ORDER)

/* "succeeded" (completed, early_stopped, timeout), "failed" (diverged) or
 * "cancelled". */
const char *jobdoc_status(const train_result *r);

/* A number, or null when x is NaN or infinite. NULL on allocation failure. */
json_t *jobdoc_number(double x);

/* {"status", "seed", "spec", "params", "loss", "val_loss"?, "best_loss",
 *  "best_epoch", "initial_loss", "epochs_run", "termination", "reference",
 *  "error"} for an expanded spec s (borrowed) and its finished run r
 * (borrowed). No history (see jobdoc_history). Returns NULL on allocation
 * failure; the caller owns the result. */
json_t *jobdoc_render(const fit_spec *s, const spec_source *src, const train_result *r);

/* The result alone, as the text the store keeps and the job resource is
 * built from: {"params", "loss", "val_loss"?, "best_loss", "best_epoch",
 * "initial_loss", "epochs_run", "termination", "reference", "error"},
 * the bytes jout_dumps(doc, JSON_COMPACT) writes for those members of
 * jobdoc_render's doc, written without a tree (every finished job has
 * one). NULL on allocation failure; the caller frees the text. */
char *jobdoc_result_text(const fit_spec *s, const train_result *r);

/* {"epoch": [1, ...], "loss": [...], "val_loss": [...] (with a validation
 * split), "params": {"m": [...], ...}}: one entry per epoch recorded in h,
 * parameters named from s. NULL on allocation failure; caller owns it. */
json_t *jobdoc_history(const fit_spec *s, const train_history *h);

#endif
