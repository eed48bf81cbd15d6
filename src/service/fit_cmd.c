/* fit_cmd.c - `fitd fit`: read, validate, train, print. */
#include "jout.h"
#include "fit_cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/train.h"
#include "jobdoc.h"
#include "problem.h"
#include "seed.h"
#include "spec_json.h"

/* The whole of f into *buf (owned by the caller), at most FIT_CMD_MAX_BYTES.
 * Returns 0, -1 on a read error (errno set), -2 when too large, -3 when out
 * of memory. */
static int read_all(FILE *f, char **buf, size_t *len) {
    const size_t limit = (size_t)FIT_CMD_MAX_BYTES + 1; /* one byte more tells "too large" */
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    if (b == NULL) return -3;
    for (;;) {
        if (n == cap) {
            size_t ncap = cap * 2 < limit ? cap * 2 : limit;
            char *nb = realloc(b, ncap);
            if (nb == NULL) {
                free(b);
                return -3;
            }
            b = nb;
            cap = ncap;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0 || n == limit) break;
    }
    int rc = ferror(f) ? -1 : n == limit ? -2 : 0;
    if (rc != 0) {
        int saved = errno;
        free(b);
        errno = saved ? saved : EIO;
        return rc;
    }
    *buf = b;
    *len = n;
    return 0;
}

/* Writes v (indented, trailing newline) to f. Returns 0, or -1. */
static int print_json(FILE *f, const json_t *v) {
    char *s = v ? jout_dumps(v, JSON_INDENT(2) | JOBDOC_DUMP_FLAGS) : NULL;
    if (s == NULL) return -1;
    int rc = fputs(s, f) < 0 || fputc('\n', f) == EOF || fflush(f) != 0 ? -1 : 0;
    free(s);
    return rc;
}

/* Prints p to err; the exit code for it. */
static int report(const problem *p, FILE *err) {
    json_t *doc = problem_to_json(p);
    if (print_json(err, doc) != 0) fprintf(err, "fitd fit: %s\n", p->detail);
    json_decref(doc);
    return p->status >= 500 ? FIT_EXIT_INTERNAL : FIT_EXIT_INVALID;
}

/* Reads and checks the spec at path into js; on failure returns the exit
 * code (after reporting), else -1. */
static int load_spec(const char *path, job_spec *js, problem *p, FILE *err) {
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0;
    int rc = f ? read_all(f, &buf, &len) : -1;
    int saved = errno;
    if (f != NULL && !is_stdin) fclose(f);
    if (rc == -1) {
        fprintf(err, "fitd fit: cannot read '%s': %s\n", path, strerror(saved));
        return FIT_EXIT_INVALID;
    }
    if (rc == -2) {
        problem_set(p, 413, "payload-too-large", "Payload too large",
                    "the spec is larger than %ld bytes", FIT_CMD_MAX_BYTES);
        return report(p, err);
    }
    if (rc == -3) {
        fprintf(err, "fitd fit: out of memory reading '%s'\n", path);
        return FIT_EXIT_INTERNAL;
    }
    rc = spec_parse(buf, len, js, p);
    free(buf);
    if (rc != 0) return report(p, err);
    if (js->src.kind == SOURCE_DATASET) {
        problem_add(p, "/dataset", NULL, 0,
                    "fitd fit needs inline data: give data.columns or data.generate (a dataset "
                    "id names data stored in the service)");
        return report(p, err);
    }
    if (!js->has_seed) js->fit.seed = seed_draw();
    if (spec_resolve(js, NULL, p) != 0) return report(p, err);
    return -1;
}

/* Trains js and prints its document. Returns the exit code. */
static int run(job_spec *js, FILE *out, FILE *err, atomic_int *cancel, problem *p) {
    fit_err e;
    memset(&e, 0, sizeof e);
    if (source_load(&js->src, &e) != FIT_OK) {
        if (e.code == FIT_ENOMEM) {
            fprintf(err, "fitd fit: out of memory generating the data: %s\n", e.msg);
            return FIT_EXIT_INTERNAL;
        }
        problem_add(p, "/data/generate", NULL, 0, "%s", e.msg);
        return report(p, err);
    }
    train_hooks hooks = {NULL, NULL, cancel};
    train_result r;
    memset(&r, 0, sizeof r);
    int code;
    if (train_run(&js->fit, js->src.data, &hooks, &r, &e) != FIT_OK) {
        spec_core_error(&js->fit, &e, p);
        code = report(p, err);
    } else {
        json_t *doc = jobdoc_render(&js->fit, &js->src, &r);
        if (doc != NULL && json_object_set_new(doc, "history", jobdoc_history(&js->fit, &r.hist))) {
            json_decref(doc);
            doc = NULL;
        }
        if (print_json(out, doc) != 0) {
            fprintf(err, "fitd fit: cannot write the job document%s%s\n", doc ? ": " : "",
                    doc ? strerror(errno) : " (out of memory)");
            code = FIT_EXIT_INTERNAL;
        } else {
            code = r.termination == TERM_COMPLETED || r.termination == TERM_EARLY_STOPPED ||
                           r.termination == TERM_TIMEOUT
                       ? FIT_EXIT_OK
                       : FIT_EXIT_FAILED;
        }
        json_decref(doc);
    }
    train_result_free(&r);
    return code;
}

int fit_cmd(const char *path, FILE *out, FILE *err, atomic_int *cancel) {
    job_spec js;
    problem p;
    job_spec_init(&js);
    problem_init(&p);
    int code = load_spec(path, &js, &p, err);
    if (code < 0) code = run(&js, out, err, cancel, &p);
    job_spec_clear(&js);
    problem_clear(&p);
    return code;
}
