/* store_codec.c - how the sqlite and postgres stores write a dataset
 * down: the doubles of a column as raw little-endian float64 bytes (so a
 * value comes back bit for bit: -0.0, subnormals, NaN payloads), the
 * column names and stats as JSON texts (non-finite stats as the strings
 * "NaN", "Infinity", "-Infinity"). */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service/store_impl.h"

/* ---- bytes ---- */

int store_host_le(void) {
    const double one = 1.0; /* 0x3ff0000000000000 */
    unsigned char b[sizeof one];
    memcpy(b, &one, sizeof one);
    return b[7] == 0x3f;
}

void store_to_le(unsigned char *dst, const double *x, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint64_t u;
        memcpy(&u, &x[i], sizeof u);
        for (int k = 0; k < 8; k++) dst[8 * i + (size_t)k] = (unsigned char)(u >> (8 * k));
    }
}

void store_from_le(double *x, const unsigned char *src, size_t n) {
    if (store_host_le()) {
        memcpy(x, src, n * sizeof *x);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t u = 0;
        for (int k = 0; k < 8; k++) u |= (uint64_t)src[8 * i + (size_t)k] << (8 * k);
        memcpy(&x[i], &u, sizeof u);
    }
}

/* ---- the metadata's JSON ---- */

/* A stat as JSON: a number, or "NaN", "Infinity", "-Infinity". */
static json_t *num_json(double x) {
    if (isnan(x)) return json_string("NaN");
    if (isinf(x)) return json_string(x > 0 ? "Infinity" : "-Infinity");
    return json_real(x);
}

static int json_num(const json_t *v, double *x) {
    const char *s = json_string_value(v);
    if (json_is_number(v))
        *x = json_number_value(v);
    else if (s != NULL && strcmp(s, "NaN") == 0)
        *x = NAN;
    else if (s != NULL && strcmp(s, "Infinity") == 0)
        *x = INFINITY;
    else if (s != NULL && strcmp(s, "-Infinity") == 0)
        *x = -INFINITY;
    else
        return -1;
    return 0;
}

static const char *const stat_keys[5] = {"count", "mean", "sd", "min", "max"};

/* f[k]: the field of cs named stat_keys[k] */
static void stat_fields(col_stats *cs, double *f[5]) {
    f[0] = &cs->count;
    f[1] = &cs->mean;
    f[2] = &cs->sd;
    f[3] = &cs->min;
    f[4] = &cs->max;
}

int store_meta_json(const ds_meta *m, char **names, char **stats) {
    json_t *jn = json_array(), *js = m->stats ? json_array() : NULL;
    int bad = jn == NULL || (m->stats != NULL && js == NULL);
    for (size_t c = 0; c < m->ncols && !bad; c++) {
        bad |= json_array_append_new(jn, json_string(m->names[c]));
        if (js == NULL) continue;
        json_t *o = json_object();
        double *f[5];
        stat_fields(&m->stats[c], f);
        for (int k = 0; k < 5; k++) bad |= json_object_set_new(o, stat_keys[k], num_json(*f[k]));
        bad |= json_array_append_new(js, o); /* steals o, NULL included */
    }
    size_t flags = JSON_COMPACT | JSON_REAL_PRECISION(17);
    *names = bad ? NULL : json_dumps(jn, flags);
    *stats = bad || js == NULL ? NULL : json_dumps(js, flags);
    bad |= *names == NULL || (js != NULL && *stats == NULL);
    json_decref(jn);
    json_decref(js);
    return bad ? -1 : 0;
}

int store_parse_names(const char *text, size_t ncols, ds_meta *m) {
    json_t *a = text ? json_loads(text, 0, NULL) : NULL;
    int rc = -1, fail = 0;
    if (!json_is_array(a) || json_array_size(a) != ncols) goto done;
    if ((m->names = calloc(ncols ? ncols : 1, sizeof *m->names)) == NULL) goto done;
    m->ncols = ncols;
    for (size_t c = 0; c < ncols; c++) {
        const char *s = json_string_value(json_array_get(a, c));
        if (s == NULL) goto done;
        m->names[c] = store_strdup(s, &fail);
    }
    rc = fail ? -1 : 0;
done:
    json_decref(a);
    return rc;
}

int store_parse_stats(const char *text, ds_meta *m) {
    if (text == NULL) return 0;
    json_t *a = json_loads(text, 0, NULL);
    int rc = -1;
    if (!json_is_array(a) || json_array_size(a) != m->ncols) goto done;
    if ((m->stats = calloc(m->ncols ? m->ncols : 1, sizeof *m->stats)) == NULL) goto done;
    for (size_t c = 0; c < m->ncols; c++) {
        const json_t *o = json_array_get(a, c);
        double *f[5];
        stat_fields(&m->stats[c], f);
        for (int k = 0; k < 5; k++)
            if (json_num(json_object_get(o, stat_keys[k]), f[k]) != 0) goto done;
    }
    rc = 0;
done:
    json_decref(a);
    return rc;
}
