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

/* Writing JSON text piece by piece, without a json_t tree (for the
 * documents built on every job, like its history): a growing buffer that
 * remembers a failed allocation and then drops everything. */
typedef struct jout_buf {
    char *p;
    size_t n, cap;
    int oom;
} jout_buf;

void jout_init(jout_buf *b);                         /* empty; allocates on the first write */
void jout_raw(jout_buf *b, const char *s, size_t n); /* s[0..n) as it is */
void jout_real(jout_buf *b, double x);               /* shortest form; null when not finite */
void jout_int(jout_buf *b, long long v);
void jout_string(jout_buf *b, const char *s); /* quoted and escaped, compact */
/* j (borrowed) appended as jout_dumps(j, flags) would write it. */
void jout_value(jout_buf *b, const json_t *j, size_t flags);
/* The text (NUL-terminated; the caller frees it), or NULL when an
 * allocation failed; b is empty afterwards either way. */
char *jout_finish(jout_buf *b);

#endif
