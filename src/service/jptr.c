/* jptr.c - RFC 6901 JSON pointers. */
#include "jptr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *jptr_join(const char *base, const char *key) {
    size_t blen = strlen(base), extra = 0;
    for (const char *k = key; *k; k++) extra += (*k == '~' || *k == '/') ? 2 : 1;
    char *out = malloc(blen + 1 + extra + 1);
    if (out == NULL) return NULL;
    memcpy(out, base, blen);
    char *w = out + blen;
    *w++ = '/';
    for (const char *k = key; *k; k++) {
        if (*k == '~') {
            *w++ = '~';
            *w++ = '0';
        } else if (*k == '/') {
            *w++ = '~';
            *w++ = '1';
        } else {
            *w++ = *k;
        }
    }
    *w = '\0';
    return out;
}

char *jptr_join_index(const char *base, size_t i) {
    char idx[24];
    snprintf(idx, sizeof idx, "%zu", i);
    return jptr_join(base, idx);
}
