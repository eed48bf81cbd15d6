/* dsdoc.h - datasets as the service stores and shows them: metadata with
 * per-column stats from fresh columns, the metadata document, the data
 * document written straight to text (no JSON tree for a million rows). */
#ifndef FITD_DSDOC_H
#define FITD_DSDOC_H

#include <jansson.h>

#include "core/data.h"
#include "problem.h"
#include "store.h"

/* Fills m (zeroed by the caller) for d: a new id, name (copied, may be
 * NULL), the time, column names and stats. Returns 0 or -1 (ENOMEM). */
int dsdoc_meta(ds_meta *m, const fit_data *d, const char *name, int inline_data);
/* {"id", "name", "rows", "columns": [...], "stats": {col: {...}}, "created_at"}. */
json_t *dsdoc_meta_json(const ds_meta *m);
/* {"columns": {"x": [...], ...}} as text with every double to 17 digits.
 * Returns a malloc'ed NUL-terminated buffer (*len bytes) or NULL. */
char *dsdoc_data_text(const fit_data *d, size_t *len);
/* Reads a data object ({"columns": ...} or {"generate": ...}) at base
 * ("" for a request body that is the data object itself, "/data" inside a
 * spec) into a new dataset: generated data is generated, after checking
 * it would fit in max_rows (a 413 otherwise) and not overflow. Returns the
 * dataset (caller owns) or NULL with errors in p. */
fit_data *dsdoc_read_data(json_t *v, const char *base, size_t max_rows, problem *p);

#endif
