/* idset.c - a set of ids: buckets of singly linked nodes, one mutex. */
#include "idset.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define IDSET_ID_MAX 64

typedef struct node {
    struct node *next;
    char id[IDSET_ID_MAX];
} node;

struct idset {
    pthread_mutex_t mu;
    node **buckets; /* [nbuckets] */
    size_t nbuckets, n;
};

static size_t bucket_of(const idset *s, const char *id) {
    uint32_t x = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)id; *p; p++) x = (x ^ *p) * 16777619u;
    return x % s->nbuckets;
}

idset *idset_new(size_t buckets) {
    idset *s = calloc(1, sizeof *s);
    if (s == NULL) return NULL;
    s->nbuckets = buckets ? buckets : 1;
    if ((s->buckets = calloc(s->nbuckets, sizeof *s->buckets)) == NULL) {
        free(s);
        return NULL;
    }
    pthread_mutex_init(&s->mu, NULL);
    return s;
}

void idset_free(idset *s) {
    if (s == NULL) return;
    for (size_t b = 0; b < s->nbuckets; b++)
        for (node *n = s->buckets[b], *next; n != NULL; n = next) {
            next = n->next;
            free(n);
        }
    free(s->buckets);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

int idset_add(idset *s, const char *id) {
    size_t len = strlen(id);
    if (s == NULL || len >= IDSET_ID_MAX) return -1;
    node *n = malloc(sizeof *n);
    if (n == NULL) return -1;
    memcpy(n->id, id, len + 1);
    pthread_mutex_lock(&s->mu);
    node **head = &s->buckets[bucket_of(s, id)];
    n->next = *head;
    *head = n;
    s->n++;
    pthread_mutex_unlock(&s->mu);
    return 0;
}

int idset_remove(idset *s, const char *id) {
    if (s == NULL) return 0;
    node *gone = NULL;
    pthread_mutex_lock(&s->mu);
    for (node **p = &s->buckets[bucket_of(s, id)]; *p != NULL; p = &(*p)->next) {
        if (strcmp((*p)->id, id) == 0) {
            gone = *p;
            *p = gone->next;
            s->n--;
            break;
        }
    }
    pthread_mutex_unlock(&s->mu);
    free(gone);
    return gone != NULL;
}

int idset_has(idset *s, const char *id) {
    if (s == NULL) return 0;
    int has = 0;
    pthread_mutex_lock(&s->mu);
    for (node *n = s->buckets[bucket_of(s, id)]; n != NULL && !has; n = n->next)
        has = strcmp(n->id, id) == 0;
    pthread_mutex_unlock(&s->mu);
    return has;
}

size_t idset_size(idset *s) {
    if (s == NULL) return 0;
    pthread_mutex_lock(&s->mu);
    size_t n = s->n;
    pthread_mutex_unlock(&s->mu);
    return n;
}
