/* jout.h - JSON text out: jansson's dump with every real written in the
 * shortest form that reads back to the same double (0.05, not
 * 0.050000000000000003), so documents are exact and readable. */
#ifndef FITD_JOUT_H
#define FITD_JOUT_H

#include <jansson.h>

/* json_dumps(j, flags) with reals shortened. Returns NULL on allocation
 * failure; the caller frees the result. */
char *jout_dumps(const json_t *j, size_t flags);

#endif
