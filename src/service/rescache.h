/* rescache.h - rendered resources of finished jobs, kept in memory. A
 * finished job never changes (until it is deleted), so GET /v1/jobs/{id}
 * answers from here without the store or JSON work. Bounded: a fixed
 * table where a newcomer replaces whatever held its slot. Thread-safe. */
#ifndef FITD_RESCACHE_H
#define FITD_RESCACHE_H

#include <stddef.h>

typedef struct rescache rescache;

/* A cache of at most slots entries and max_bytes of text. NULL on ENOMEM. */
rescache *rescache_new(size_t slots, size_t max_bytes);
void rescache_free(rescache *c); /* NULL-safe */
/* Every call below takes NULL as a cache that holds nothing (a shared
 * store's replicas keep none: another replica may delete a job). */

/* The deletion count, to read before looking a job up in the store: an
 * insert made with an older count is dropped (a delete raced it). */
unsigned long rescache_epoch(rescache *c);
/* A copy of the text cached for id (malloc'ed, *len bytes), or NULL. */
char *rescache_get(rescache *c, const char *id, size_t *len);
/* Caches a copy of text for id, unless a delete happened since epoch. */
void rescache_put(rescache *c, const char *id, const char *text, size_t len, unsigned long epoch);
/* Forgets id (on delete) and bumps the epoch. */
void rescache_drop(rescache *c, const char *id);

#endif
