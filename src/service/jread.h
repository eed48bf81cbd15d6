/* jread.h - reading one JSON object member by member. Every member the
 * reader asks for is marked known; jread_end reports all the others as
 * "unknown field" at their own pointer, so an object's allowed fields are
 * exactly the ones its reader reads. */
#ifndef FITD_JREAD_H
#define FITD_JREAD_H

#include <jansson.h>
#include <stddef.h>

#include "field.h"
#include "problem.h"

#define JREAD_MAX_KEYS 32

typedef struct jread {
    json_t *obj;      /* borrowed */
    const char *ptr;  /* borrowed: the object's JSON pointer */
    problem *p;       /* borrowed */
    const char *what; /* borrowed, may be NULL: "optimizer 'adam'", for messages */
    const char *known[JREAD_MAX_KEYS];
    size_t nknown;
} jread;

/* Starts reading v, found at ptr. Returns 0 when v is an object; else
 * records "must be an object" at ptr and returns -1. ptr and p are
 * borrowed until jread_end. */
int jread_begin(jread *r, json_t *v, const char *ptr, problem *p);

/* The member key (borrowed from the object) or NULL when absent. Marks key
 * as allowed. key must outlive r (a literal or a table's name). */
json_t *jread_get(jread *r, const char *key);

/* Reports every member never asked for: "unknown field; did you mean
 * 'learning_rate'?" or "unknown field; expected one of ...". */
void jread_end(jread *r);

/* Reads field f into base when present (validating it), else stores its
 * default. Returns 1 when present and valid, 0 when absent, -1 when bad. */
int jread_field(jread *r, const field_def *f, void *base);

/* A string member: 1 with *out borrowed from the object, 0 when absent,
 * -1 (error recorded: "must be a string") for another type. */
int jread_string(jread *r, const char *key, const char **out);

#endif
