/* jbody.c - strict JSON parsing. */
#include "jbody.h"

json_t *jbody_parse(const char *buf, size_t len, problem *p) {
    json_error_t err;
    /* JSON_DISABLE_EOF_CHECK is deliberately absent: trailing data is an error. */
    json_t *v = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
    if (v != NULL) return v;
    if (json_error_code(&err) == json_error_out_of_memory) {
        problem_set(p, 500, "internal", "Internal error", "out of memory while parsing JSON");
        return NULL;
    }
    problem_set(p, 400, "malformed-json", "Malformed JSON",
                "invalid JSON at line %d, column %d: %s", err.line, err.column, err.text);
    p->line = err.line;
    p->column = err.column;
    return NULL;
}
