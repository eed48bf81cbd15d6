/* field.c - table-described scalar members: read, default, write. */
#include "field.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A bound as text: integers exactly, other numbers with 15 digits. */
static void bound_text(const field_def *f, double x, char *buf, size_t n) {
    if (f->type != FIELD_NUMBER || (fabs(x) < 9.007199254740992e15 && x == floor(x)))
        snprintf(buf, n, "%lld", (long long)x);
    else
        snprintf(buf, n, "%.15g", x);
}

void field_rule(const field_def *f, char *buf, size_t n) {
    char lo[40], hi[40];
    int has_lo = isfinite(f->min), has_hi = isfinite(f->max);
    bound_text(f, f->min, lo, sizeof lo);
    bound_text(f, f->max, hi, sizeof hi);
    const char *lo_op = (f->flags & FIELD_MIN_OPEN) ? ">" : ">=";
    const char *hi_op = (f->flags & FIELD_MAX_OPEN) ? "<" : "<=";
    const char *null_text = (f->flags & FIELD_NULLABLE) ? ", or null" : "";
    if (f->type == FIELD_BOOLEAN) {
        snprintf(buf, n, "must be true or false%s", null_text);
    } else if (f->type != FIELD_NUMBER) {
        if (has_lo && has_hi)
            snprintf(buf, n, "must be an integer between %s and %s%s", lo, hi, null_text);
        else if (has_lo)
            snprintf(buf, n, "must be an integer %s %s%s", lo_op, lo, null_text);
        else
            snprintf(buf, n, "must be an integer%s", null_text);
    } else if (has_lo && has_hi) {
        snprintf(buf, n, "must be %s %s and %s %s%s", lo_op, lo, hi_op, hi, null_text);
    } else if (has_lo) {
        snprintf(buf, n, "must be %s %s%s", lo_op, lo, null_text);
    } else if (has_hi) {
        snprintf(buf, n, "must be %s %s%s", hi_op, hi, null_text);
    } else {
        snprintf(buf, n, "must be a number%s", null_text);
    }
}

static int in_bounds(const field_def *f, double x) {
    if (f->flags & FIELD_MIN_OPEN ? !(x > f->min) : !(x >= f->min)) return 0;
    if (f->flags & FIELD_MAX_OPEN ? !(x < f->max) : !(x <= f->max)) return 0;
    return 1;
}

static void store(const field_def *f, void *base, double x, long long i) {
    char *at = (char *)base + f->offset;
    switch (f->type) {
    case FIELD_NUMBER:
        memcpy(at, &x, sizeof x);
        break;
    case FIELD_INTEGER: {
        long v = (long)i;
        memcpy(at, &v, sizeof v);
        break;
    }
    case FIELD_BOOLEAN: {
        int v = (int)i;
        memcpy(at, &v, sizeof v);
        break;
    }
    case FIELD_SEED: {
        uint64_t v = (uint64_t)i;
        memcpy(at, &v, sizeof v);
        break;
    }
    }
}

static int fail(const field_def *f, const char *ptr, problem *p, const char *what) {
    char rule[160];
    field_rule(f, rule, sizeof rule);
    problem_add(p, ptr, f->name, 0, "%s", what ? what : rule);
    return -1;
}

int field_read(const field_def *f, json_t *v, void *base, const char *ptr, problem *p) {
    if (json_is_null(v) && (f->flags & FIELD_NULLABLE)) {
        store(f, base, 0.0, 0);
        return 0;
    }
    if (f->type == FIELD_BOOLEAN) {
        if (!json_is_boolean(v)) return fail(f, ptr, p, NULL);
        store(f, base, 0.0, json_is_true(v) ? 1 : 0);
        return 0;
    }
    if (!json_is_number(v)) {
        char what[200], rule[160];
        field_rule(f, rule, sizeof rule);
        /* "must be > 0" alone would not say a string is the wrong type */
        if (f->type == FIELD_NUMBER && strncmp(rule, "must be a number", 16) != 0)
            snprintf(what, sizeof what, "must be a number %s", rule + 8); /* after "must be " */
        else
            snprintf(what, sizeof what, "%s", rule);
        return fail(f, ptr, p, what);
    }
    double x = json_number_value(v);
    if (f->type == FIELD_NUMBER) {
        if (!in_bounds(f, x)) return fail(f, ptr, p, NULL);
        store(f, base, x, 0);
        return 0;
    }
    /* integers: a JSON integer, or a real with an integral value (1e3) */
    long long i;
    if (json_is_integer(v)) {
        i = json_integer_value(v);
        x = (double)i;
    } else {
        if (x != floor(x) || fabs(x) > 9.2e18) return fail(f, ptr, p, NULL);
        i = (long long)x;
    }
    /* compare as integers where doubles could round (bounds are exact) */
    if ((double)i != x || !in_bounds(f, x) || (isfinite(f->max) && i > (long long)f->max) ||
        (isfinite(f->min) && i < (long long)f->min))
        return fail(f, ptr, p, NULL);
    store(f, base, x, i);
    return 0;
}

void field_set_default(const field_def *f, void *base) {
    store(f, base, f->def, (long long)f->def);
}

json_t *field_to_json(const field_def *f, const void *base) {
    const char *at = (const char *)base + f->offset;
    switch (f->type) {
    case FIELD_NUMBER: {
        double x;
        memcpy(&x, at, sizeof x);
        if ((f->flags & FIELD_NULLABLE) && x == 0.0) return json_null();
        return isfinite(x) ? json_real(x) : json_null();
    }
    case FIELD_INTEGER: {
        long v;
        memcpy(&v, at, sizeof v);
        if ((f->flags & FIELD_NULLABLE) && v == 0) return json_null();
        return json_integer(v);
    }
    case FIELD_BOOLEAN: {
        int v;
        memcpy(&v, at, sizeof v);
        return json_boolean(v);
    }
    case FIELD_SEED: {
        uint64_t v;
        memcpy(&v, at, sizeof v);
        return json_integer((json_int_t)v);
    }
    }
    return NULL;
}

json_t *field_default_json(const field_def *f) {
    if (f->flags & FIELD_NULLABLE && f->def == 0.0) return json_null();
    switch (f->type) {
    case FIELD_NUMBER:
        return json_real(f->def);
    case FIELD_BOOLEAN:
        return json_boolean(f->def != 0.0);
    case FIELD_INTEGER:
    case FIELD_SEED:
        return json_integer((json_int_t)f->def);
    }
    return NULL;
}
