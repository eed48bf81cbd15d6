/* init_json.c - parameter initializers in JSON. */
#include "init_json.h"

#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "jptr.h"
#include "jread.h"

#define INIT_FORMS                                                                                 \
    "a number, \"zeros\", {\"normal\": {\"mean\", \"sd\"}} or {\"uniform\": {\"min\", \"max\"}}"

/* The members of {"normal": {...}} or {"uniform": {...}} at ptr. */
static int read_dist(json_t *v, const char *ptr, const field_def *defs, size_t n, fit_init *out,
                     problem *p) {
    jread r;
    if (jread_begin(&r, v, ptr, p) != 0) return -1;
    int bad = 0;
    for (size_t i = 0; i < n; i++)
        if (jread_field(&r, &defs[i], out) < 0) bad = 1;
    jread_end(&r);
    return bad ? -1 : 0;
}

static int read_object(json_t *v, const char *ptr, fit_init *out, problem *p) {
    jread r;
    if (jread_begin(&r, v, ptr, p) != 0) return -1;
    json_t *normal = jread_get(&r, "normal"), *uniform = jread_get(&r, "uniform");
    jread_end(&r);
    if (normal != NULL && uniform != NULL) {
        problem_add(p, ptr, NULL, 0, "give either normal or uniform, not both");
        return -1;
    }
    if (normal == NULL && uniform == NULL) {
        problem_add(p, ptr, NULL, 0, "must be " INIT_FORMS);
        return -1;
    }
    int rc = -1;
    char *sub = jptr_join(ptr, normal ? "normal" : "uniform");
    if (sub == NULL) {
        problem_set(p, 500, "internal", "Internal error", "out of memory");
        return -1;
    }
    if (normal != NULL) {
        out->kind = INIT_NORMAL;
        rc = read_dist(normal, sub, catalog_normal_fields, catalog_normal_nfields, out, p);
    } else {
        out->kind = INIT_UNIFORM;
        rc = read_dist(uniform, sub, catalog_uniform_fields, catalog_uniform_nfields, out, p);
        if (rc == 0 && !(out->b > out->a)) {
            problem_add(p, sub, "max", 0, "must be > min");
            rc = -1;
        }
    }
    free(sub);
    return rc;
}

int init_read(json_t *v, const char *base, const char *key, fit_init *out, problem *p) {
    memset(out, 0, sizeof *out);
    out->kind = INIT_CONST;
    if (json_is_number(v)) {
        out->a = json_number_value(v);
        return 0;
    }
    if (json_is_string(v)) {
        if (strcmp(json_string_value(v), "zeros") == 0) return 0;
        problem_add(p, base, key, 0, "unknown initializer '%s'; expected " INIT_FORMS,
                    json_string_value(v));
        return -1;
    }
    if (!json_is_object(v)) {
        problem_add(p, base, key, 0, "must be " INIT_FORMS);
        return -1;
    }
    char *ptr = key ? jptr_join(base, key) : strdup(base);
    if (ptr == NULL) {
        problem_set(p, 500, "internal", "Internal error", "out of memory");
        return -1;
    }
    int rc = read_object(v, ptr, out, p);
    free(ptr);
    return rc;
}

int init_check_positive(const fit_init *in, const char *name, const char *base, const char *key,
                        problem *p) {
    if (in->kind == INIT_CONST && !(in->a > 0)) {
        problem_add(p, base, key, 0, "must be > 0: '%s' is a positive parameter", name);
        return -1;
    }
    return 0;
}

json_t *init_to_json(const fit_init *in) {
    if (in->kind == INIT_CONST) return json_real(in->a);
    const field_def *defs =
        in->kind == INIT_NORMAL ? catalog_normal_fields : catalog_uniform_fields;
    size_t n = in->kind == INIT_NORMAL ? catalog_normal_nfields : catalog_uniform_nfields;
    json_t *inner = json_object();
    if (inner == NULL) return NULL;
    for (size_t i = 0; i < n; i++) {
        if (json_object_set_new(inner, defs[i].name, field_to_json(&defs[i], in)) != 0) {
            json_decref(inner);
            return NULL;
        }
    }
    return json_pack("{s:o}", in->kind == INIT_NORMAL ? "normal" : "uniform", inner);
}
