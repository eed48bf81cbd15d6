/* fuzz_history.c - libFuzzer harness for reading a stored job history
 * (history_pack.c): the bytes are what a store handed back, in any of the
 * three forms (binary, base64 in JSON, plain JSON) or damaged. A history
 * that reads must be the document every endpoint serves: "epoch" 1..N,
 * "loss" and "val_loss" (when present) N long, every "params" series N
 * long, numbers or null. A binary one must account for every byte. Anything
 * else aborts; nothing may crash, leak or trip a sanitizer, whatever the
 * bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service/history_pack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless a is an array of n numbers or nulls. */
static void check_series(const json_t *a, size_t n) {
    if (!json_is_array(a) || json_array_size(a) != n) abort();
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(a, i);
        if (!json_is_number(v) && !json_is_null(v)) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    json_t *h = history_unpack(data, size);
    if (h == NULL) return 0;
    int binary = size >= 6 && memcmp(data, "fitdH1", 6) == 0;
    const json_t *epoch = json_object_get(h, "epoch");
    size_t n = json_array_size(epoch);
    if (binary) {
        if (!json_is_array(epoch)) abort();
        for (size_t i = 0; i < n; i++)
            if (json_integer_value(json_array_get(epoch, i)) != (json_int_t)i + 1) abort();
        check_series(json_object_get(h, "loss"), n);
        const json_t *val = json_object_get(h, "val_loss");
        if (val != NULL) check_series(val, n);
        const json_t *params = json_object_get(h, "params");
        if (!json_is_object(params)) abort();
        const char *name;
        const json_t *series;
        size_t names = 0;
        json_object_foreach((json_t *)params, name, series) {
            check_series(series, n);
            names += 1 + strlen(name);
        }
        /* header 12, names, then 8 bytes per value (duplicate names merge
           in the document, so only a bound holds for them) */
        size_t values = n * (1 + (val != NULL) + json_object_size(params)) * 8;
        if (12 + names + values > size) abort();
    } else if (!json_is_object(h)) {
        abort(); /* a text form reads as an object or not at all */
    }
    json_decref(h);
    return 0;
}
