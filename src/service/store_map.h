/* store_map.h - a string-keyed hash map for the memory store: keys are
 * borrowed (they must live as long as their entry, e.g. point into the
 * record the value is), values are opaque. Not thread-safe. */
#ifndef FITD_STORE_MAP_H
#define FITD_STORE_MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct store_map_entry store_map_entry;

typedef struct store_map {
    store_map_entry **buckets; /* [nbuckets], each a chain */
    size_t nbuckets, n;
} store_map;

/* An empty map (no allocation until the first put). */
void store_map_init(store_map *m);
/* Frees the map's own memory, not the keys or values. NULL-safe. */
void store_map_clear(store_map *m);
/* The value under key, or NULL. */
void *store_map_get(const store_map *m, const char *key);
/* Adds key -> val; the key must not be present. 0, or -1 on allocation
 * failure (the map is unchanged then). */
int store_map_put(store_map *m, const char *key, void *val);
/* Removes key; returns its value, or NULL when absent. */
void *store_map_del(store_map *m, const char *key);

#endif
