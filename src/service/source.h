/* source.h - where a job's data comes from: inline columns, a generator
 * with its parameters, or (service only) a stored dataset's id. */
#ifndef FITD_SOURCE_H
#define FITD_SOURCE_H

#include <jansson.h>
#include <stddef.h>

#include "core/data.h"
#include "core/err.h"
#include "core/gen.h"
#include "problem.h"

#define SOURCE_ID_MAX 128 /* longest dataset id, with the NUL */

typedef enum {
    SOURCE_NONE = 0,
    SOURCE_COLUMNS,  /* "data": {"columns": {...}}: data holds them */
    SOURCE_GENERATE, /* "data": {"generate": {...}}: gen; data after source_load */
    SOURCE_DATASET   /* "dataset": "id" */
} source_kind;

typedef struct spec_source {
    source_kind kind;
    fit_data *data;              /* owned; the columns (SOURCE_COLUMNS) or the generated
                                    data once source_load ran (SOURCE_GENERATE) */
    gen_conf gen;                /* SOURCE_GENERATE */
    char dataset[SOURCE_ID_MAX]; /* SOURCE_DATASET */
} spec_source;

/* Frees the data; src is SOURCE_NONE afterwards. NULL-safe. */
void source_clear(spec_source *src);

/* Reads the body's "data" member v (not NULL) at /data into src, which
 * must be cleared. Records every error in p; returns 0 or -1. */
int source_read(json_t *v, spec_source *src, problem *p);

/* The source as the value of a normalized spec's "data": the generator
 * with every field ({"generate": {...}}), or NULL for inline columns and
 * datasets (columns are data, not spec, and would be too large). *err is
 * set on allocation failure. The caller owns the result. */
json_t *source_to_json(const spec_source *src, int *err);

/* The shape a job will see, without generating anything: a dataset with
 * the source's column names and no rows (*rows says how many there will
 * be). For SOURCE_DATASET the caller's dataset is described. Returns
 * NULL on allocation failure or when there is nothing to describe. The
 * caller owns the result (data_free). */
fit_data *source_schema(const spec_source *src, const fit_data *dataset, size_t *rows);

/* Makes src->data exist: runs the generator for SOURCE_GENERATE (once),
 * does nothing for SOURCE_COLUMNS. Returns FIT_OK or the generator's
 * error (FIT_ELIMIT, FIT_ENOMEM, FIT_EINVAL) with e filled. */
int source_load(spec_source *src, fit_err *e);

#endif
