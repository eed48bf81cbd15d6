/* jread.c - reading one JSON object member by member. */
#include "jread.h"

#include <stdio.h>
#include <string.h>

int jread_begin(jread *r, json_t *v, const char *ptr, problem *p) {
    memset(r, 0, sizeof *r);
    r->ptr = ptr;
    r->p = p;
    if (!json_is_object(v)) {
        problem_add(p, ptr, NULL, 0, "must be an object");
        return -1;
    }
    r->obj = v;
    return 0;
}

json_t *jread_get(jread *r, const char *key) {
    size_t i;
    for (i = 0; i < r->nknown; i++)
        if (strcmp(r->known[i], key) == 0) break;
    if (i == r->nknown && r->nknown < JREAD_MAX_KEYS) r->known[r->nknown++] = key;
    return json_object_get(r->obj, key);
}

/* Edit distance between a and b, giving up (returning 3) past 2. */
static int near(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64 || (la > lb ? la - lb : lb - la) > 2) return 3;
    int row[65];
    for (size_t j = 0; j <= lb; j++) row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int best = diag + cost;
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb] > 2 ? 3 : row[lb];
}

static void report_unknown(jread *r, const char *key) {
    char hint[600];
    const char *best = NULL;
    int best_d = 3;
    for (size_t i = 0; i < r->nknown; i++) {
        int d = near(key, r->known[i]);
        if (d < best_d) {
            best_d = d;
            best = r->known[i];
        }
    }
    if (best != NULL) {
        snprintf(hint, sizeof hint, "did you mean '%s'?", best);
    } else {
        size_t off = (size_t)snprintf(hint, sizeof hint, "expected one of ");
        for (size_t i = 0; i < r->nknown && off < sizeof hint; i++)
            off +=
                (size_t)snprintf(hint + off, sizeof hint - off, "%s%s", i ? ", " : "", r->known[i]);
    }
    if (r->what)
        problem_add(r->p, r->ptr, key, 0, "unknown field for %s; %s", r->what, hint);
    else
        problem_add(r->p, r->ptr, key, 0, "unknown field; %s", hint);
}

void jread_end(jread *r) {
    if (r->obj == NULL) return;
    const char *key;
    json_t *v;
    json_object_foreach(r->obj, key, v) {
        (void)v;
        size_t i;
        for (i = 0; i < r->nknown; i++)
            if (strcmp(r->known[i], key) == 0) break;
        if (i == r->nknown) report_unknown(r, key);
    }
    r->obj = NULL;
}

int jread_field(jread *r, const field_def *f, void *base) {
    json_t *v = jread_get(r, f->name);
    if (v == NULL) {
        field_set_default(f, base);
        return 0;
    }
    return field_read(f, v, base, r->ptr, r->p) == 0 ? 1 : -1;
}

int jread_string(jread *r, const char *key, const char **out) {
    json_t *v = jread_get(r, key);
    if (v == NULL) return 0;
    if (!json_is_string(v)) {
        problem_add(r->p, r->ptr, key, 0, "must be a string");
        return -1;
    }
    *out = json_string_value(v);
    return 1;
}
