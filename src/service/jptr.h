/* jptr.h - RFC 6901 JSON pointers: building "/a/b~1c" from a parent pointer
 * and one unescaped member name or array index. */
#ifndef FITD_JPTR_H
#define FITD_JPTR_H

#include <stddef.h>

/* base + "/" + key with key escaped ('~' -> "~0", '/' -> "~1"). base is a
 * pointer already ("" is the whole document). Returns a new string the
 * caller owns (free), or NULL on allocation failure. */
char *jptr_join(const char *base, const char *key);

/* base + "/" + the decimal index i. Same ownership as jptr_join. */
char *jptr_join_index(const char *base, size_t i);

#endif
