/* problem.c - RFC 9457 problem details. */
#include "problem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jptr.h"

void problem_init(problem *p) {
    memset(p, 0, sizeof *p);
}

void problem_clear(problem *p) {
    if (p == NULL) return;
    for (size_t i = 0; i < p->nerrors; i++) {
        free(p->errors[i].pointer);
        free(p->errors[i].detail);
    }
    free(p->errors);
    memset(p, 0, sizeof *p);
}

void problem_set(problem *p, int status, const char *slug, const char *title, const char *fmt,
                 ...) {
    va_list ap;
    p->status = status;
    p->slug = slug;
    p->title = title;
    va_start(ap, fmt);
    vsnprintf(p->detail, sizeof p->detail, fmt, ap);
    va_end(ap);
}

static char *vformat(const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) return NULL;
    char *s = malloc((size_t)n + 1);
    if (s != NULL) vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

void problem_add(problem *p, const char *base, const char *key, int column, const char *fmt, ...) {
    if (p->status == 0) {
        p->status = 422;
        p->slug = "invalid-spec";
        p->title = "Invalid job specification";
    }
    if (p->nerrors >= PROBLEM_MAX_ERRORS) {
        p->dropped++;
        return;
    }
    if (p->nerrors == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        problem_error *e = realloc(p->errors, cap * sizeof *e);
        if (e == NULL) {
            p->oom = 1;
            return;
        }
        p->errors = e;
        p->cap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    char *detail = vformat(fmt, ap);
    va_end(ap);
    char *ptr = key ? jptr_join(base, key) : strdup(base);
    if (detail == NULL || ptr == NULL) {
        free(detail);
        free(ptr);
        p->oom = 1;
        return;
    }
    problem_error *e = &p->errors[p->nerrors++];
    e->pointer = ptr;
    e->detail = detail;
    e->column = column > 0 ? column : 0;
}

int problem_failed(const problem *p) {
    return p->status != 0;
}

const problem_error *problem_find(const problem *p, const char *ptr) {
    for (size_t i = 0; i < p->nerrors; i++)
        if (strcmp(p->errors[i].pointer, ptr) == 0) return &p->errors[i];
    return NULL;
}

/* The document's detail: the one set, or a summary of the errors. */
static void summary(const problem *p, char *buf, size_t n) {
    if (p->detail[0] != '\0' || p->nerrors == 0) {
        snprintf(buf, n, "%s", p->detail[0] ? p->detail : (p->title ? p->title : "error"));
        return;
    }
    const problem_error *e = &p->errors[0];
    const char *where = e->pointer[0] ? e->pointer : "the document";
    size_t total = p->nerrors + p->dropped;
    if (total == 1)
        snprintf(buf, n, "%s: %s", where, e->detail);
    else
        snprintf(buf, n, "%zu errors in the specification; the first: %s: %s", total, where,
                 e->detail);
}

static int put(json_t *o, const char *key, json_t *v) {
    return json_object_set_new(o, key, v) == 0 ? 0 : 1; /* steals v, even on failure */
}

static json_t *errors_json(const problem *p) {
    json_t *a = json_array();
    if (a == NULL) return NULL;
    for (size_t i = 0; i < p->nerrors; i++) {
        const problem_error *e = &p->errors[i];
        json_t *o = json_object();
        int bad = o == NULL;
        if (!bad) {
            bad |= put(o, "pointer", json_string(e->pointer));
            bad |= put(o, "detail", json_string(e->detail));
            if (e->column > 0) bad |= put(o, "column", json_integer(e->column));
        }
        if (bad || json_array_append_new(a, o) != 0) {
            json_decref(a);
            if (bad) json_decref(o);
            return NULL;
        }
    }
    return a;
}

json_t *problem_to_json(const problem *p) {
    char type[128], detail[1024];
    const char *slug = p->slug ? p->slug : "internal";
    snprintf(type, sizeof type, "%s%s", PROBLEM_TYPE_BASE, slug);
    summary(p, detail, sizeof detail);
    json_t *o = json_object();
    if (o == NULL) return NULL;
    int bad = 0;
    bad |= put(o, "type", json_string(type));
    bad |= put(o, "title", json_string(p->title ? p->title : "Error"));
    bad |= put(o, "status", json_integer(p->status ? p->status : 500));
    bad |= put(o, "detail", json_string(detail));
    if (p->line > 0) {
        bad |= put(o, "line", json_integer(p->line));
        bad |= put(o, "column", json_integer(p->column));
    }
    if (p->nerrors > 0 || p->status == 422) bad |= put(o, "errors", errors_json(p));
    if (p->dropped > 0) bad |= put(o, "errors_omitted", json_integer((json_int_t)p->dropped));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}
