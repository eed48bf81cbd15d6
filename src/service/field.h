/* field.h - one scalar member of a JSON object described by a table row:
 * its name, type, default, bounds and where it lives in a C struct. The
 * spec reader validates with these rows, spec_to_json writes with them and
 * the catalog lists them, so the three never disagree. */
#ifndef FITD_FIELD_H
#define FITD_FIELD_H

#include <jansson.h>
#include <stddef.h>

#include "problem.h"

typedef enum {
    FIELD_NUMBER = 0, /* double */
    FIELD_INTEGER,    /* long; a JSON real with an integral value is accepted */
    FIELD_BOOLEAN,    /* int, 0 or 1 */
    FIELD_SEED        /* uint64_t in [min, max] (at most 2^53, exact in JSON) */
} field_type;

enum {
    FIELD_MIN_OPEN = 1u, /* value > min (else >= min) */
    FIELD_MAX_OPEN = 2u, /* value < max (else <= max) */
    FIELD_NULLABLE = 4u  /* null means "off", stored as 0, written back as null;
                            0 itself is never a valid value of such a field */
};

typedef struct field_def {
    const char *name;
    field_type type;
    double def;      /* default (0 with FIELD_NULLABLE: null) */
    double min, max; /* bounds; -INFINITY / INFINITY for none */
    unsigned flags;  /* FIELD_* above */
    size_t offset;   /* offsetof the member in its struct */
    const char *doc; /* one line for the catalog */
} field_def;

/* Validates v (not NULL) against f and stores it at base + f->offset.
 * On a bad type or value records an error at ptr + "/" + f->name with a
 * detail such as "must be > 0" and returns -1; returns 0 when stored. */
int field_read(const field_def *f, json_t *v, void *base, const char *ptr, problem *p);

/* Stores f's default at base + f->offset. */
void field_set_default(const field_def *f, void *base);

/* The value at base + f->offset as JSON (null for an off nullable field).
 * Returns NULL on allocation failure; the caller owns the result. */
json_t *field_to_json(const field_def *f, const void *base);

/* f's default as JSON, for the catalog. The caller owns the result. */
json_t *field_default_json(const field_def *f);

/* The rule in words, e.g. "must be > 0 and <= 1000000" or "must be an
 * integer between 1 and 10000000", into buf[0..n). */
void field_rule(const field_def *f, char *buf, size_t n);

#endif
