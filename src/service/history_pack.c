/* history_pack.c - histories stored as float64 bits behind a binary header,
 * and read back from that form or the text forms older versions stored. */
#include "history_pack.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* the text form of stored histories before the binary one */
#define BASE64_ENCODING "f64le-base64"

/* x as 8 little-endian bytes, whatever the host's order. */
static void le_bytes(double x, unsigned char *out) {
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    for (int i = 0; i < 8; i++) out[i] = (unsigned char)(u >> (8 * i));
}

static double from_le(const unsigned char *in) {
    uint64_t u = 0;
    for (int i = 0; i < 8; i++) u |= (uint64_t)in[i] << (8 * i);
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* The value of a base64 digit, or -1. */
static int b64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Decodes base64 text (length a multiple of 4) into out (at least
 * len / 4 * 3 bytes). Returns the bytes written, or -1 on a bad text. */
static long get_base64(const char *text, size_t len, unsigned char *out) {
    if (len % 4 != 0) return -1;
    long w = 0;
    for (size_t i = 0; i < len; i += 4) {
        uint32_t v = 0;
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            char c = text[i + (size_t)k];
            int d = b64_value(c);
            if (c == '=' && i + 4 == len && k >= 2) {
                pad++;
                v <<= 6;
                continue;
            }
            if (d < 0 || pad) return -1;
            v = (v << 6) | (uint32_t)d;
        }
        out[w++] = (unsigned char)(v >> 16);
        if (pad < 2) out[w++] = (unsigned char)(v >> 8);
        if (pad < 1) out[w++] = (unsigned char)v;
    }
    return w;
}

#define MAGIC "fitdH1"
#define MAGIC_LEN 6
#define HEAD_LEN (MAGIC_LEN + 1 + 4 + 1) /* magic, flags, N, P */
#define FLAG_VAL_LOSS 1

unsigned char *history_pack(const fit_spec *s, const train_history *h, size_t *len) {
    size_t np = h->nparams < s->nparams ? h->nparams : s->nparams;
    if (h->n > UINT32_MAX || np > 255) return NULL;
    size_t names = 0;
    for (size_t p = 0; p < np; p++) {
        size_t l = strnlen(s->params[p].name, FIT_NAME_MAX);
        if (l > 255) return NULL;
        names += 1 + l;
    }
    size_t count = h->n * ((h->val_loss != NULL ? 2u : 1u) + np);
    size_t total = HEAD_LEN + names + count * 8;
    unsigned char *b = malloc(total), *at = b;
    if (b == NULL) return NULL;
    memcpy(at, MAGIC, MAGIC_LEN);
    at += MAGIC_LEN;
    *at++ = h->val_loss != NULL ? FLAG_VAL_LOSS : 0;
    for (int i = 0; i < 4; i++) *at++ = (unsigned char)(h->n >> (8 * i));
    *at++ = (unsigned char)np;
    for (size_t p = 0; p < np; p++) {
        size_t l = strnlen(s->params[p].name, FIT_NAME_MAX);
        *at++ = (unsigned char)l;
        memcpy(at, s->params[p].name, l);
        at += l;
    }
    for (size_t k = 0; k < h->n; k++, at += 8) le_bytes(h->loss[k], at);
    for (size_t k = 0; h->val_loss && k < h->n; k++, at += 8) le_bytes(h->val_loss[k], at);
    for (size_t k = 0; k < h->n; k++)
        for (size_t p = 0; p < np; p++, at += 8) le_bytes(h->params[k * h->nparams + p], at);
    *len = total;
    return b;
}

static json_t *number(double x) {
    return isfinite(x) ? json_real(x) : json_null();
}

/* The history document of n epochs whose float64s start at `at` (laid out
 * as history_pack writes them), the parameters named by the strings of
 * names. The caller has checked that they are all there. */
static json_t *document(size_t n, int val, const json_t *names, const unsigned char *at) {
    size_t np = json_array_size(names);
    json_t *doc = json_object();
    json_t *epoch = json_array(), *loss = json_array(), *vl = val ? json_array() : NULL;
    json_t *params = json_object();
    for (size_t k = 0; k < n; k++, at += 8) {
        json_array_append_new(epoch, json_integer((json_int_t)k + 1));
        json_array_append_new(loss, number(from_le(at)));
    }
    for (size_t k = 0; vl && k < n; k++, at += 8) json_array_append_new(vl, number(from_le(at)));
    for (size_t p = 0; p < np; p++) {
        json_t *series = json_array();
        for (size_t k = 0; k < n; k++)
            json_array_append_new(series, number(from_le(at + (k * np + p) * 8)));
        const char *name = json_string_value(json_array_get(names, p));
        json_object_set_new(params, name ? name : "?", series);
    }
    json_object_set_new(doc, "epoch", epoch);
    json_object_set_new(doc, "loss", loss);
    if (vl) json_object_set_new(doc, "val_loss", vl);
    json_object_set_new(doc, "params", params);
    return doc;
}

/* The document of the packed form, or NULL when it is cut short or its
 * sizes do not add up. */
static json_t *unpack_binary(const unsigned char *b, size_t len) {
    if (len < HEAD_LEN) return NULL;
    int val = (b[MAGIC_LEN] & FLAG_VAL_LOSS) != 0;
    size_t n = 0, np = b[HEAD_LEN - 1], at = HEAD_LEN;
    for (int i = 0; i < 4; i++) n |= (size_t)b[MAGIC_LEN + 1 + i] << (8 * i);
    json_t *names = json_array();
    for (size_t p = 0; p < np; p++) {
        if (at >= len || len - at - 1 < b[at]) goto bad;
        json_array_append_new(names, json_stringn((const char *)b + at + 1, b[at]));
        at += 1 + (size_t)b[at];
    }
    /* n < 2^32 and np < 256: the byte count fits a uint64_t */
    if (json_array_size(names) != np || (uint64_t)(len - at) != (uint64_t)n * ((val ? 2u : 1u) + np) * 8)
        goto bad;
    json_t *doc = document(n, val, names, b + at);
    json_decref(names);
    return doc;
bad:
    json_decref(names);
    return NULL;
}

/* The document of the base64 text form, {"encoding":"f64le-base64", "n",
 * "params", "val_loss", "data"} (parsed), or NULL. */
static json_t *unpack_base64(const json_t *packed) {
    json_t *names = json_object_get(packed, "params");
    const char *data = json_string_value(json_object_get(packed, "data"));
    json_int_t n = json_integer_value(json_object_get(packed, "n"));
    int val = json_is_true(json_object_get(packed, "val_loss"));
    size_t np = json_array_size(names), len = data ? strlen(data) : 0;
    size_t per = (val ? 2u : 1u) + np;
    if (!json_is_array(names) || data == NULL || n < 0 || len / 4 * 3 < (size_t)n * per * 8)
        return NULL;
    unsigned char *bytes = malloc(len / 4 * 3 + 1);
    long got = bytes ? get_base64(data, len, bytes) : -1;
    json_t *doc = got == (long)((size_t)n * per * 8) ? document((size_t)n, val, names, bytes) : NULL;
    free(bytes);
    return doc;
}

json_t *history_unpack(const unsigned char *bytes, size_t len) {
    if (bytes == NULL) return NULL;
    if (len >= MAGIC_LEN && memcmp(bytes, MAGIC, MAGIC_LEN) == 0) return unpack_binary(bytes, len);
    json_t *h = json_loadb((const char *)bytes, len, 0, NULL);
    if (!json_is_object(h)) { /* not a history, whatever it is */
        json_decref(h);
        return NULL;
    }
    const char *enc = json_string_value(json_object_get(h, "encoding"));
    if (enc == NULL) return h; /* the plain document */
    json_t *doc = strcmp(enc, BASE64_ENCODING) == 0 ? unpack_base64(h) : NULL;
    json_decref(h);
    return doc;
}
