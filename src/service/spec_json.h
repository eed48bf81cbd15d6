/* spec_json.h - a job specification in JSON (the body of POST /v1/jobs and
 * the file `fitd fit` reads) to and from the core's fit_spec.
 *
 * Three steps, so that the service can answer 400/422 before any work:
 *   spec_parse / spec_read   text -> job_spec: types, ranges, unknown fields,
 *                            defaults (every field-level error at once);
 *   spec_resolve             against the data's column names and row count
 *                            (no data generated): columns exist, batch fits,
 *                            spec_expand, init overrides, expressions compile;
 *   source_load + train_run  the work.
 * spec_to_json writes the normalized spec (every default filled) that reads
 * back to the same job_spec. */
#ifndef FITD_SPEC_JSON_H
#define FITD_SPEC_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"
#include "core/spec.h"
#include "problem.h"
#include "source.h"

/* One member of the body's "init": applied after spec_expand. */
typedef struct spec_init_entry {
    char name[FIT_NAME_MAX];
    fit_init init;
} spec_init_entry;

typedef struct job_spec {
    fit_spec fit;    /* the core's spec (owns its expression texts) */
    spec_source src; /* owns inline or generated data */
    int has_seed;    /* the body gave "seed"; else the caller draws one */
    int resolved;    /* spec_resolve succeeded: fit is expanded */
    int x_is_list;   /* linear "x" was given as an array (for pointers) */
    size_t ninit;
    spec_init_entry init[FIT_MAX_PARAMS];
    /* expression params whose entry in /model/params had an "init" */
    unsigned char model_init[FIT_MAX_PARAMS];
} job_spec;

void job_spec_init(job_spec *js);
/* Frees everything js owns; js can be job_spec_init'ed again. NULL-safe. */
void job_spec_clear(job_spec *js);
/* What a worker trains from: a resolved spec's core part and its source,
 * without the reader's bookkeeping (init[] alone is a third of a
 * job_spec; this one stays in the allocator's small, reused sizes). */
typedef struct spec_run {
    fit_spec fit;
    spec_source src;
} spec_run;

/* Moves js's fit and src to the heap: returns them (owned by the caller,
 * freed by spec_run_free) and leaves js owning nothing (its fit keeps
 * copies of the values but no expression texts, its src is empty; only
 * job_spec_clear is right for it then), or NULL (js untouched) when out
 * of memory.
 * spec_run_free is NULL-safe. */
spec_run *spec_run_take(job_spec *js);
void spec_run_free(spec_run *r);

/* Reads the parsed body root (borrowed) into js (job_spec_init'ed).
 * Records every error in p (422, with pointers) and returns -1, or 0. */
int spec_read(json_t *root, job_spec *js, problem *p);

/* jbody_parse (400 on malformed JSON) then spec_read. */
int spec_parse(const char *buf, size_t len, job_spec *js, problem *p);

/* Checks js against its data and expands it. dataset is the stored
 * dataset for SOURCE_DATASET (borrowed; NULL otherwise); the columns of
 * an inline source are used, and a generator is described without running
 * it. Records errors in p (422) and returns -1, or 0 with js->resolved set.
 * Call at most once per job_spec. */
int spec_resolve(job_spec *js, const fit_data *dataset, problem *p);

/* Records a core error (from spec_expand, prog_compile or train_run) in p
 * at the field it belongs to: /model/predict or /model/logpdf (/model for
 * built-in models), /loss/expr (/loss), with e->column. FIT_ENOMEM becomes
 * a 500. */
void spec_core_error(const fit_spec *s, const fit_err *e, problem *p);

/* The normalized spec of an expanded s: every default filled, "init" for
 * every parameter, optional-and-off members as null. Inline columns are
 * left out (data, not spec); a generator is written in full, a dataset as
 * its id. Returns NULL on allocation failure; the caller owns the result. */
json_t *spec_to_json(const fit_spec *s, const spec_source *src);

#endif
