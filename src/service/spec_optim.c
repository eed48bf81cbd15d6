/* spec_optim.c - reading "optimizer": a name, or {"kind": name, ...its
 * hyperparameters} from the catalog's table (another optimizer's
 * hyperparameters are unknown fields). */
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "jread.h"
#include "spec_parts.h"

#define OPTIM_NAMES "sgd, adam, rmsprop, adagrad"

static int kind_by_name(const char *name, const char *base, const char *key, problem *p) {
    int k = optim_by_name(name);
    if (k < 0) {
        problem_add(p, base, key, 0, "unknown optimizer '%s'; expected one of " OPTIM_NAMES, name);
        return -1;
    }
    return k;
}

/* Keras's defaults for kind, from the core (the catalog's defaults are
 * tested against these). */
static void set_defaults(optim_conf *c, optim_kind kind) {
    memset(c, 0, sizeof *c);
    optim_defaults(c, kind);
}

int spec_read_optimizer(json_t *v, optim_conf *c, problem *p) {
    set_defaults(c, OPTIM_SGD);
    if (v == NULL) return 0;
    if (json_is_string(v)) {
        int k = kind_by_name(json_string_value(v), "/optimizer", NULL, p);
        if (k < 0) return -1;
        set_defaults(c, (optim_kind)k);
        return 0;
    }
    if (!json_is_object(v)) {
        problem_add(p, "/optimizer", NULL, 0,
                    "must be an optimizer name (" OPTIM_NAMES ") or {\"kind\": name, ...}");
        return -1;
    }
    jread r;
    jread_begin(&r, v, "/optimizer", p);
    const char *kind = "sgd";
    if (jread_string(&r, "kind", &kind) < 0) return -1;
    int k = kind_by_name(kind, "/optimizer", "kind", p);
    if (k < 0) return -1;
    set_defaults(c, (optim_kind)k);
    char what[64];
    snprintf(what, sizeof what, "optimizer '%s'", kind);
    r.what = what;
    int bad = 0;
    for (size_t i = 0; i < catalog_optim_nfields; i++) {
        const catalog_optim_field *row = &catalog_optim_fields[i];
        if (row->kind != k && row->kind != CATALOG_ANY_KIND) continue;
        if (jread_get(&r, row->f.name) == NULL) continue; /* keep the core's default */
        if (jread_field(&r, &row->f, c) < 0) bad = 1;
    }
    jread_end(&r);
    return bad ? -1 : 0;
}
