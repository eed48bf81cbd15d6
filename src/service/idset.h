/* idset.h - a thread-safe set of ids (job ids), for "is this one still
 * in flight" questions asked on every request: a chained hash table under
 * one mutex. */
#ifndef FITD_IDSET_H
#define FITD_IDSET_H

#include <stddef.h>

typedef struct idset idset;

/* An empty set with the given number of buckets; NULL when out of memory. */
idset *idset_new(size_t buckets);
void idset_free(idset *s); /* NULL-safe */
/* Adds a copy of id (ids longer than 63 bytes are refused). Returns 0,
 * or -1 when it could not (the set is then unchanged). */
int idset_add(idset *s, const char *id);
/* Removes id; returns 1 if it was there. */
int idset_remove(idset *s, const char *id);
/* 1 when id is in the set. A NULL set holds nothing. */
int idset_has(idset *s, const char *id);
/* How many ids the set holds. */
size_t idset_size(idset *s);

#endif
