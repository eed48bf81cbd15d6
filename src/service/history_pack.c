/* history_pack.c - histories stored as base64 float64s, and read back. */
#include "history_pack.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jout.h"

#define HISTORY_ENCODING "f64le-base64"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

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

/* Appends base64 of bytes[0..n) to b, a block of text at a time: whole
 * 3-byte groups in the loop, the padded tail after it. */
static void put_base64(jout_buf *b, const unsigned char *bytes, size_t n) {
    char text[1024]; /* 256 quads */
    size_t t = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)bytes[i] << 16 | (uint32_t)bytes[i + 1] << 8 | bytes[i + 2];
        text[t] = b64[v >> 18];
        text[t + 1] = b64[(v >> 12) & 63];
        text[t + 2] = b64[(v >> 6) & 63];
        text[t + 3] = b64[v & 63];
        t += 4;
        if (t == sizeof text) {
            jout_raw(b, text, t);
            t = 0;
        }
    }
    if (i < n) {
        uint32_t v = (uint32_t)bytes[i] << 16;
        if (i + 1 < n) v |= (uint32_t)bytes[i + 1] << 8;
        text[t] = b64[v >> 18];
        text[t + 1] = b64[(v >> 12) & 63];
        text[t + 2] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        text[t + 3] = '=';
        t += 4;
    }
    jout_raw(b, text, t);
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

char *history_pack(const fit_spec *s, const train_history *h) {
    size_t np = h->nparams < s->nparams ? h->nparams : s->nparams;
    size_t count = h->n * ((h->val_loss != NULL ? 2u : 1u) + np);
    unsigned char *bytes = malloc(count * 8 + 1);
    if (bytes == NULL) return NULL;
    size_t w = 0;
    for (size_t k = 0; k < h->n; k++, w += 8) le_bytes(h->loss[k], bytes + w);
    for (size_t k = 0; h->val_loss && k < h->n; k++, w += 8) le_bytes(h->val_loss[k], bytes + w);
    for (size_t k = 0; k < h->n; k++)
        for (size_t p = 0; p < np; p++, w += 8) le_bytes(h->params[k * h->nparams + p], bytes + w);
    jout_buf b;
    jout_init(&b);
    static const char head[] = "{\"encoding\":\"" HISTORY_ENCODING "\",\"n\":";
    jout_raw(&b, head, sizeof head - 1);
    jout_int(&b, (long long)h->n);
    jout_raw(&b, ",\"params\":[", 11);
    for (size_t p = 0; p < np; p++) {
        if (p) jout_raw(&b, ",", 1);
        jout_string(&b, s->params[p].name);
    }
    jout_raw(&b, "],\"val_loss\":", 13);
    jout_raw(&b, h->val_loss ? "true" : "false", h->val_loss ? 4 : 5);
    jout_raw(&b, ",\"data\":\"", 9);
    put_base64(&b, bytes, w);
    jout_raw(&b, "\"}", 2);
    free(bytes);
    return jout_finish(&b);
}

static json_t *number(double x) {
    return isfinite(x) ? json_real(x) : json_null();
}

/* The document of a packed history (parsed), or NULL. */
static json_t *unpack(const json_t *packed) {
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
    json_t *doc = NULL;
    if (got != (long)((size_t)n * per * 8)) goto done;
    doc = json_object();
    json_t *epoch = json_array(), *loss = json_array(), *vl = val ? json_array() : NULL;
    json_t *params = json_object();
    size_t N = (size_t)n;
    const unsigned char *at = bytes;
    for (size_t k = 0; k < N; k++, at += 8) {
        json_array_append_new(epoch, json_integer((json_int_t)k + 1));
        json_array_append_new(loss, number(from_le(at)));
    }
    for (size_t k = 0; vl && k < N; k++, at += 8) json_array_append_new(vl, number(from_le(at)));
    for (size_t p = 0; p < np; p++) {
        json_t *series = json_array();
        for (size_t k = 0; k < N; k++)
            json_array_append_new(series, number(from_le(at + (k * np + p) * 8)));
        const char *name = json_string_value(json_array_get(names, p));
        json_object_set_new(params, name ? name : "?", series);
    }
    json_object_set_new(doc, "epoch", epoch);
    json_object_set_new(doc, "loss", loss);
    if (vl) json_object_set_new(doc, "val_loss", vl);
    json_object_set_new(doc, "params", params);
done:
    free(bytes);
    return doc;
}

json_t *history_unpack(const char *text) {
    json_t *h = text ? json_loads(text, 0, NULL) : NULL;
    if (h == NULL) return NULL;
    const char *enc = json_string_value(json_object_get(h, "encoding"));
    if (enc == NULL) return h; /* the plain document, as stored before */
    json_t *doc = strcmp(enc, HISTORY_ENCODING) == 0 ? unpack(h) : NULL;
    json_decref(h);
    return doc;
}
