/* store_map.c - chained hash map with FNV-1a hashing, doubling when the
 * load passes 1. */
#include "service/store_map.h"

#include <stdlib.h>
#include <string.h>

struct store_map_entry {
    store_map_entry *next;
    uint64_t hash;
    const char *key; /* borrowed */
    void *val;
};

static uint64_t hash_str(const char *s) {
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

void store_map_init(store_map *m) {
    m->buckets = NULL;
    m->nbuckets = m->n = 0;
}

void store_map_clear(store_map *m) {
    if (m == NULL) return;
    for (size_t b = 0; b < m->nbuckets; b++) {
        store_map_entry *e = m->buckets[b];
        while (e != NULL) {
            store_map_entry *next = e->next;
            free(e);
            e = next;
        }
    }
    free(m->buckets);
    store_map_init(m);
}

void *store_map_get(const store_map *m, const char *key) {
    if (m->nbuckets == 0) return NULL;
    uint64_t h = hash_str(key);
    for (store_map_entry *e = m->buckets[(size_t)(h % m->nbuckets)]; e != NULL; e = e->next)
        if (e->hash == h && strcmp(e->key, key) == 0) return e->val;
    return NULL;
}

/* Rehashes into nb buckets; -1 (map unchanged) on allocation failure. */
static int grow(store_map *m, size_t nb) {
    store_map_entry **b = calloc(nb, sizeof *b);
    if (b == NULL) return -1;
    for (size_t i = 0; i < m->nbuckets; i++) {
        store_map_entry *e = m->buckets[i];
        while (e != NULL) {
            store_map_entry *next = e->next;
            e->next = b[(size_t)(e->hash % nb)];
            b[(size_t)(e->hash % nb)] = e;
            e = next;
        }
    }
    free(m->buckets);
    m->buckets = b;
    m->nbuckets = nb;
    return 0;
}

int store_map_put(store_map *m, const char *key, void *val) {
    if (m->n >= m->nbuckets && grow(m, m->nbuckets ? 2 * m->nbuckets : 64) != 0) return -1;
    store_map_entry *e = malloc(sizeof *e);
    if (e == NULL) return -1;
    e->hash = hash_str(key);
    e->key = key;
    e->val = val;
    e->next = m->buckets[(size_t)(e->hash % m->nbuckets)];
    m->buckets[(size_t)(e->hash % m->nbuckets)] = e;
    m->n++;
    return 0;
}

void *store_map_del(store_map *m, const char *key) {
    if (m->nbuckets == 0) return NULL;
    uint64_t h = hash_str(key);
    for (store_map_entry **p = &m->buckets[(size_t)(h % m->nbuckets)]; *p != NULL;
         p = &(*p)->next) {
        store_map_entry *e = *p;
        if (e->hash == h && strcmp(e->key, key) == 0) {
            void *val = e->val;
            *p = e->next;
            free(e);
            m->n--;
            return val;
        }
    }
    return NULL;
}
