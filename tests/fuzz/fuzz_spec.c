/* fuzz_spec.c - libFuzzer harness for the job spec reader: JSON bytes in,
 * a checked spec or a problem document out; when the spec reads, it is
 * resolved against its data's shape (expressions compiled, nothing
 * trained or generated) and written back as its normalized JSON, which
 * must read again (for generated data, which the normalized form keeps). Nothing may crash, leak or trip a sanitizer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service/problem.h"
#include "service/spec_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    job_spec js;
    problem p;
    job_spec_init(&js);
    problem_init(&p);
    if (spec_parse((const char *)data, size, &js, &p) == 0 && js.src.kind != SOURCE_DATASET &&
        spec_resolve(&js, NULL, &p) == 0) {
        json_t *norm = spec_to_json(&js.fit, &js.src);
        char *text = norm ? json_dumps(norm, JSON_COMPACT) : NULL;
        /* inline columns are data, not spec: left out of the normalized
           form, so only a generated source can read back whole */
        if (text && js.src.kind == SOURCE_GENERATE) {
            job_spec again;
            problem q;
            job_spec_init(&again);
            problem_init(&q);
            /* the normalized spec must read back */
            if (spec_parse(text, strlen(text), &again, &q) != 0) abort();
            job_spec_clear(&again);
            problem_clear(&q);
        }
        free(text);
        json_decref(norm);
    } else {
        json_decref(problem_to_json(&p));
    }
    job_spec_clear(&js);
    problem_clear(&p);
    return 0;
}
