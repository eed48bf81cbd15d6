/* init_json.h - a parameter initializer in JSON: a number, "zeros",
 * {"normal": {"mean": 0, "sd": 0.05}} or {"uniform": {"min": -0.05,
 * "max": 0.05}} (members default as shown). */
#ifndef FITD_INIT_JSON_H
#define FITD_INIT_JSON_H

#include <jansson.h>

#include "core/spec.h"
#include "problem.h"

/* Reads v (not NULL), found at base/key, into *out. Records errors in p
 * and returns -1, or returns 0. */
int init_read(json_t *v, const char *base, const char *key, fit_init *out, problem *p);

/* For a positive parameter: a constant must be > 0 (a random draw is
 * reflected above 0 by the core). Records the error at base/key and
 * returns -1, or returns 0. */
int init_check_positive(const fit_init *in, const char *name, const char *base, const char *key,
                        problem *p);

/* The canonical JSON form: a number, or {"normal": {...}} / {"uniform":
 * {...}} with both members. NULL on allocation failure; caller owns it. */
json_t *init_to_json(const fit_init *in);

#endif
