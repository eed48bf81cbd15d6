/* jout.c - shortest round-trip reals in dumped JSON. */
#include "jout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes the shortest %.Ng (N = 15..17) of the real in tok[0..len) that
 * strtod reads back to the same bits, keeping it a real (".0" when it
 * would look like an integer). Returns the length written to out. */
static size_t shortest(const char *tok, size_t len, char *out) {
    char buf[64];
    if (len >= sizeof buf) {
        memcpy(out, tok, len);
        return len;
    }
    memcpy(buf, tok, len);
    buf[len] = '\0';
    double x = strtod(buf, NULL);
    for (int prec = 15; prec <= 17; prec++) {
        int n = snprintf(out, 40, "%.*g", prec, x);
        if (strtod(out, NULL) == x || prec == 17) {
            if (strpbrk(out, ".eEn") == NULL) {
                out[n++] = '.';
                out[n++] = '0';
                out[n] = '\0';
            }
            return (size_t)n;
        }
    }
    return 0;
}

char *jout_dumps(const json_t *j, size_t flags) {
    char *in = json_dumps(j, flags);
    if (in == NULL) return NULL;
    size_t n = strlen(in);
    char *out = malloc(n + 1 + n / 2 + 64); /* a real never grows by more than ".0" */
    if (out == NULL) {
        free(in);
        return NULL;
    }
    size_t w = 0;
    int in_str = 0;
    for (size_t i = 0; i < n;) {
        char c = in[i];
        if (in_str) {
            out[w++] = c;
            i++;
            if (c == '\\' && i < n) out[w++] = in[i++];
            else if (c == '"') in_str = 0;
            continue;
        }
        if (c == '"') {
            in_str = 1;
            out[w++] = c;
            i++;
            continue;
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            size_t k = i, real = 0;
            while (k < n && strchr("0123456789+-.eE", in[k])) {
                if (in[k] == '.' || in[k] == 'e' || in[k] == 'E') real = 1;
                k++;
            }
            if (real) {
                w += shortest(in + i, k - i, out + w);
            } else {
                memcpy(out + w, in + i, k - i);
                w += k - i;
            }
            i = k;
            continue;
        }
        out[w++] = c;
        i++;
    }
    out[w] = '\0';
    free(in);
    return out;
}
