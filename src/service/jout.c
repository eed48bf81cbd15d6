/* jout.c - a json_t written out as text, with shortest reals.
 *
 * This replaces json_dumps on every answer and stored document: jansson
 * formats each real with printf("%.17g"), and the shortest form took
 * three more printf and strtod calls on top; a 100-epoch history is 300
 * reals, which cost a job more than its training. The layout (spacing,
 * indentation, string escapes) is jansson 2.14's, byte for byte. */
#include "jout.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dtoa.h"

/* The growing text: p[0..n) written, room for cap; oom once a growth
 * failed (then everything after is dropped and the result is NULL). */
typedef jout_buf jbuf;

static void put(jbuf *b, const char *s, size_t n) {
    if (b->oom) return;
    if (n >= SIZE_MAX / 2 - b->n) { /* no doubling would hold it */
        b->oom = 1;
        return;
    }
    if (b->cap - b->n < n + 1) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap - b->n < n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

/* jansson's dump_indent: a newline and depth levels of indentation when
 * indenting, else one space where space is set and the layout is not
 * compact. */
static void indent(jbuf *b, size_t flags, int depth, int space) {
    size_t width = flags & JSON_MAX_INDENT;
    if (width > 0) {
        static const char spaces[] = "                                ";
        put(b, "\n", 1);
        for (size_t left = width * (size_t)depth; left > 0;) {
            size_t k = left < sizeof spaces - 1 ? left : sizeof spaces - 1;
            put(b, spaces, k);
            left -= k;
        }
    } else if (space && !(flags & JSON_COMPACT)) {
        put(b, " ", 1);
    }
}

/* s[0..n) (valid UTF-8, as jansson keeps its strings) quoted and escaped
 * as jansson escapes: the two-character forms where JSON has them,
 * \u00XX (upper-case hex) for other control characters, '/' only with
 * JSON_ESCAPE_SLASH. */
static void string(jbuf *b, const char *s, size_t n, size_t flags) {
    static const char hex[] = "0123456789ABCDEF";
    put(b, "\"", 1);
    size_t run = 0; /* start of the characters written as they are */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[7];
        if (c == '"')
            esc = "\\\"";
        else if (c == '\\')
            esc = "\\\\";
        else if (c == '/' && (flags & JSON_ESCAPE_SLASH))
            esc = "\\/";
        else if (c >= 0x20)
            continue;
        else if (c == '\b')
            esc = "\\b";
        else if (c == '\f')
            esc = "\\f";
        else if (c == '\n')
            esc = "\\n";
        else if (c == '\r')
            esc = "\\r";
        else if (c == '\t')
            esc = "\\t";
        else {
            memcpy(u, "\\u00", 4);
            u[4] = hex[c >> 4];
            u[5] = hex[c & 15];
            u[6] = '\0';
            esc = u;
        }
        put(b, s + run, i - run);
        put(b, esc, strlen(esc));
        run = i + 1;
    }
    put(b, s + run, n - run);
    put(b, "\"", 1);
}

static void integer(jbuf *b, json_int_t v) {
    char t[24];
    size_t i = sizeof t;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
        t[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0) t[--i] = '-';
    put(b, t + i, sizeof t - i);
}

static int cmp_keys(const void *x, const void *y) {
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static void value(jbuf *b, const json_t *j, size_t flags, int depth);

static void member(jbuf *b, const char *key, size_t len, const json_t *v, size_t flags, int depth) {
    string(b, key, len, flags);
    put(b, ":", 1);
    if (!(flags & JSON_COMPACT)) put(b, " ", 1);
    value(b, v, flags, depth + 1);
}

static void object(jbuf *b, const json_t *j, size_t flags, int depth) {
    size_t n = json_object_size(j);
    put(b, "{", 1);
    if (n == 0) {
        put(b, "}", 1);
        return;
    }
    indent(b, flags, depth + 1, 0);
    if (flags & JSON_SORT_KEYS) {
        const char **keys = malloc(n * sizeof *keys);
        if (keys == NULL) {
            b->oom = 1;
            return;
        }
        size_t k = 0;
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)j, key, v) keys[k++] = key;
        qsort(keys, k, sizeof *keys, cmp_keys);
        for (size_t i = 0; i < k; i++) {
            member(b, keys[i], strlen(keys[i]), json_object_get(j, keys[i]), flags, depth);
            if (i + 1 < k) put(b, ",", 1);
            indent(b, flags, i + 1 < k ? depth + 1 : depth, i + 1 < k);
        }
        free(keys);
    } else {
        for (void *it = json_object_iter((json_t *)j); it != NULL;) {
            void *next = json_object_iter_next((json_t *)j, it);
            member(b, json_object_iter_key(it), json_object_iter_key_len(it),
                   json_object_iter_value(it), flags, depth);
            if (next != NULL) put(b, ",", 1);
            indent(b, flags, next != NULL ? depth + 1 : depth, next != NULL);
            it = next;
        }
    }
    put(b, "}", 1);
}

static void array(jbuf *b, const json_t *j, size_t flags, int depth) {
    size_t n = json_array_size(j);
    put(b, "[", 1);
    if (n > 0) indent(b, flags, depth + 1, 0);
    for (size_t i = 0; i < n; i++) {
        value(b, json_array_get(j, i), flags, depth + 1);
        if (i + 1 < n) put(b, ",", 1);
        indent(b, flags, i + 1 < n ? depth + 1 : depth, i + 1 < n);
    }
    put(b, "]", 1);
}

static void value(jbuf *b, const json_t *j, size_t flags, int depth) {
    if (depth > JOUT_MAX_DEPTH) {
        b->oom = 1;
        return;
    }
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        object(b, j, flags, depth);
        break;
    case JSON_ARRAY:
        array(b, j, flags, depth);
        break;
    case JSON_STRING:
        string(b, json_string_value(j), json_string_length(j), flags);
        break;
    case JSON_INTEGER:
        integer(b, json_integer_value(j));
        break;
    case JSON_REAL:
        jout_real(b, json_real_value(j));
        break;
    case JSON_TRUE:
        put(b, "true", 4);
        break;
    case JSON_FALSE:
        put(b, "false", 5);
        break;
    case JSON_NULL:
        put(b, "null", 4);
        break;
    }
}

char *jout_dumps(const json_t *j, size_t flags) {
    if (j == NULL) return NULL;
    jbuf b;
    jout_init(&b);
    value(&b, j, flags, 0);
    return jout_finish(&b);
}

void jout_init(jout_buf *b) {
    memset(b, 0, sizeof *b);
}

void jout_raw(jout_buf *b, const char *s, size_t n) {
    put(b, s, n);
}

void jout_value(jout_buf *b, const json_t *j, size_t flags) {
    if (j == NULL)
        b->oom = 1;
    else
        value(b, j, flags, 0);
}

void jout_real(jout_buf *b, double x) {
    char t[DTOA_MAX];
    put(b, t, dtoa_json(x, t));
}

void jout_int(jout_buf *b, long long v) {
    integer(b, (json_int_t)v);
}

void jout_string(jout_buf *b, const char *s) {
    string(b, s, strlen(s), JSON_COMPACT);
}

char *jout_finish(jout_buf *b) {
    char *p = b->p;
    if (b->oom || p == NULL) {
        free(p);
        p = b->oom ? NULL : strdup("");
    } else {
        p[b->n] = '\0';
    }
    jout_init(b);
    return p;
}
