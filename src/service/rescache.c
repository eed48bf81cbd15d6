/* rescache.c - a direct-mapped cache of rendered job resources. */
#include "rescache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct slot {
    char *id;   /* owned, NULL when empty */
    char *text; /* owned */
    size_t len;
} slot;

struct rescache {
    pthread_mutex_t mu;
    slot *slots;
    size_t nslots, bytes, max_bytes;
    unsigned long epoch;
};

static size_t slot_of(const rescache *c, const char *id) {
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = id; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return (size_t)(h % c->nslots);
}

static void clear_slot(rescache *c, slot *s) {
    if (s->id) c->bytes -= s->len;
    free(s->id);
    free(s->text);
    s->id = s->text = NULL;
    s->len = 0;
}

rescache *rescache_new(size_t slots, size_t max_bytes) {
    rescache *c = calloc(1, sizeof *c);
    if (c == NULL) return NULL;
    c->slots = calloc(slots ? slots : 1, sizeof *c->slots);
    if (c->slots == NULL) {
        free(c);
        return NULL;
    }
    c->nslots = slots ? slots : 1;
    c->max_bytes = max_bytes;
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

void rescache_free(rescache *c) {
    if (c == NULL) return;
    for (size_t i = 0; i < c->nslots; i++) clear_slot(c, &c->slots[i]);
    free(c->slots);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

unsigned long rescache_epoch(rescache *c) {
    if (c == NULL) return 0;
    pthread_mutex_lock(&c->mu);
    unsigned long e = c->epoch;
    pthread_mutex_unlock(&c->mu);
    return e;
}

char *rescache_get(rescache *c, const char *id, size_t *len) {
    char *out = NULL;
    if (c == NULL) return NULL;
    pthread_mutex_lock(&c->mu);
    slot *s = &c->slots[slot_of(c, id)];
    if (s->id && strcmp(s->id, id) == 0 && (out = malloc(s->len + 1)) != NULL) {
        memcpy(out, s->text, s->len + 1);
        *len = s->len;
    }
    pthread_mutex_unlock(&c->mu);
    return out;
}

void rescache_put(rescache *c, const char *id, const char *text, size_t len, unsigned long epoch) {
    if (c == NULL) return;
    if (len > c->max_bytes / 8) return; /* one huge document must not flush the rest */
    char *id_copy = strdup(id), *text_copy = malloc(len + 1);
    if (id_copy == NULL || text_copy == NULL) {
        free(id_copy);
        free(text_copy);
        return;
    }
    memcpy(text_copy, text, len);
    text_copy[len] = '\0';
    pthread_mutex_lock(&c->mu);
    if (epoch == c->epoch) {
        slot *s = &c->slots[slot_of(c, id)];
        clear_slot(c, s);
        /* over budget: empty slots from this one on until it fits */
        for (size_t k = 1; c->bytes + len > c->max_bytes && k < c->nslots; k++)
            clear_slot(c, &c->slots[(slot_of(c, id) + k) % c->nslots]);
        s->id = id_copy;
        s->text = text_copy;
        s->len = len;
        c->bytes += len;
        id_copy = text_copy = NULL;
    }
    pthread_mutex_unlock(&c->mu);
    free(id_copy);
    free(text_copy);
}

void rescache_drop(rescache *c, const char *id) {
    if (c == NULL) return;
    pthread_mutex_lock(&c->mu);
    slot *s = &c->slots[slot_of(c, id)];
    if (s->id && strcmp(s->id, id) == 0) clear_slot(c, s);
    c->epoch++;
    pthread_mutex_unlock(&c->mu);
}
