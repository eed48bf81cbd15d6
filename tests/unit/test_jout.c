/* test_jout.c - the JSON writer: the same bytes as jansson's json_dumps
 * for documents without reals, under every layout flag fitd uses; reals
 * in their shortest form that reads back to the same document; too deep
 * a document refused. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "service/jout.h"

static const char *docs[] = {
    "{}",
    "[]",
    "{\"a\": [], \"b\": {}, \"c\": [[]], \"d\": [{}]}",
    "{\"id\": \"job_1\", \"n\": 3, \"neg\": -9223372036854775807, \"min\": -9223372036854775808,"
    " \"t\": true, \"f\": false, \"z\": null, \"list\": [1, 2, [3, {\"x\": 4}]]}",
    "{\"esc\": \"q\\\" b\\\\ s/ \\b\\f\\n\\r\\t \\u0001\\u001f \\u007f\","
    " \"utf8\": \"h\\u00e9llo \\u2603 \\ud83d\\ude00\", \"key\": \"a\\u0000b\"}",
    "[\"\", \"/\", {\"zeta\": 1, \"alpha\": 2, \"mid\": {\"b\": 1, \"a\": 2}}]",
    "{\"deep\": [[[[[[[[[[{\"a\": [1, 2, 3]}]]]]]]]]]]}",
};

static void test_same_bytes_as_jansson(void) {
    size_t flags[] = {0,
                      JSON_COMPACT,
                      JSON_INDENT(2),
                      JSON_INDENT(4) | JSON_COMPACT,
                      JSON_COMPACT | JSON_SORT_KEYS,
                      JSON_INDENT(2) | JSON_SORT_KEYS,
                      JSON_COMPACT | JSON_ESCAPE_SLASH,
                      JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)};
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        json_error_t err;
        json_t *j = json_loads(docs[i], JSON_ALLOW_NUL, &err);
        if (!CHECK(j != NULL)) {
            fprintf(stderr, "  doc %zu: %s\n", i, err.text);
            continue;
        }
        for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++) {
            char *want = json_dumps(j, flags[f] | JSON_ENCODE_ANY);
            char *got = jout_dumps(j, flags[f]);
            if (!CHECK(want && got && strcmp(got, want) == 0))
                fprintf(stderr, "  doc %zu flags %zx:\n  got  %s\n  want %s\n", i, flags[f],
                        got ? got : "(null)", want ? want : "(null)");
            free(want);
            free(got);
        }
        json_decref(j);
    }
}

static void test_reals(void) {
    json_t *j =
        json_pack("{s:f, s:f, s:f, s:[f, f, f], s:f, s:f}", "a", 0.05, "b", 3.0, "c", -0.0, "d",
                  0.1 + 0.2, 1e20, 1.5e-7, "e", 123456789012345.0, "f", 1.7976931348623157e308);
    char *got = jout_dumps(j, JSON_COMPACT);
    CHECK_STR(got, "{\"a\":0.05,\"b\":3.0,\"c\":-0.0,\"d\":[0.30000000000000004,1e+20,1.5e-07],"
                   "\"e\":123456789012345.0,\"f\":1.7976931348623157e+308}");
    json_t *back = got ? json_loads(got, 0, NULL) : NULL;
    CHECK(back != NULL && json_equal(back, j));
    json_decref(back);
    free(got);
    json_decref(j);

    /* every real reads back to its own bits */
    json_t *a = json_array();
    for (int i = 0; i < 2000; i++) json_array_append_new(a, json_real(1.0 / (i + 1) - i * 1e-3));
    got = jout_dumps(a, 0);
    back = got ? json_loads(got, 0, NULL) : NULL;
    CHECK(back != NULL && json_equal(back, a));
    json_decref(back);
    free(got);
    json_decref(a);
}

static void test_limits(void) {
    CHECK(jout_dumps(NULL, 0) == NULL);
    json_t *top = json_array(), *cur = top;
    for (int i = 0; i < JOUT_MAX_DEPTH + 5; i++) {
        json_t *next = json_array();
        json_array_append_new(cur, next);
        cur = next;
    }
    CHECK(jout_dumps(top, JSON_COMPACT) == NULL);
    json_decref(top);
    json_t *s = json_string("only a string");
    char *got = jout_dumps(s, 0);
    CHECK_STR(got, "\"only a string\"");
    free(got);
    json_decref(s);
    json_t *big = json_array(); /* grows the buffer many times over */
    for (int i = 0; i < 100000; i++) json_array_append_new(big, json_integer(i));
    got = jout_dumps(big, JSON_COMPACT);
    char *want = json_dumps(big, JSON_COMPACT);
    CHECK(got && want && strcmp(got, want) == 0);
    free(got);
    free(want);
    json_decref(big);
}

int main(void) {
    test_same_bytes_as_jansson();
    test_reals();
    test_limits();
    return check_done("test_jout");
}
