/* spec_parts.h - the readers of the parts of a spec, shared by the
 * spec_*.c files only (not an interface for other modules). Each records
 * its errors in p and returns 0 or -1. */
#ifndef FITD_SPEC_PARTS_H
#define FITD_SPEC_PARTS_H

#include <jansson.h>

#include "problem.h"
#include "spec_json.h"

/* "model" (v may be NULL: the default linear model). */
int spec_read_model(json_t *v, job_spec *js, problem *p);
/* "loss" (v may be NULL: the model's default loss); model_ok says whether
 * the model read cleanly, so the loss can be checked against it. */
int spec_read_loss(json_t *v, job_spec *js, int model_ok, problem *p);
/* "optimizer" (v may be NULL: sgd with Keras's defaults). */
int spec_read_optimizer(json_t *v, optim_conf *c, problem *p);

/* "is not a valid name: ..." for column and parameter names */
#define SPEC_NAME_RULE "letters, digits and _, not starting with a digit, at most 63 characters"

#endif
