/* jout.h - JSON text out: jansson's layout, with every real written in
 * the shortest form that reads back to the same double (0.05, not
 * 0.050000000000000003), so documents are exact and readable. */
#ifndef FITD_JOUT_H
#define FITD_JOUT_H

#include <jansson.h>

/* j as text, laid out as json_dumps(j, flags) lays it out (JSON_COMPACT,
 * JSON_INDENT(n) and JSON_SORT_KEYS are honoured; JSON_PRESERVE_ORDER is
 * what jansson does anyway, and JSON_REAL_PRECISION is ignored: reals are
 * always the shortest exact form, see dtoa.h). Any value may be at the
 * top. Returns NULL on allocation failure or nesting deeper than
 * JOUT_MAX_DEPTH; the caller frees the result. */
char *jout_dumps(const json_t *j, size_t flags);

#define JOUT_MAX_DEPTH 2048

#endif
