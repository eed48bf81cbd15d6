/* check.h - the unit tests' assertions: count, report, never abort. Each
 * test program ends with `return check_done("name");`, which prints
 * "name: P passed, F failed" and returns nonzero if any check failed. */
#ifndef FIT_CHECK_H
#define FIT_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

static inline int check_record(int ok, const char *what, const char *file, int line) {
    if (ok) {
        check_passed++;
    } else {
        check_failed++;
        fprintf(stderr, "FAIL %s:%d: %s\n", file, line, what);
    }
    return ok;
}

static inline int check_near_at(double got, double want, double tol, const char *what,
                                const char *file, int line) {
    int ok = fabs(got - want) <= tol || (got == want);
    if (!ok) fprintf(stderr, "  got %.17g, want %.17g (tol %.3g)\n", got, want, tol);
    return check_record(ok, what, file, line);
}

/* Relative closeness: |got - want| <= rel * max(|want|, tiny). */
static inline int check_rel_at(double got, double want, double rel, const char *what,
                               const char *file, int line) {
    double scale = fabs(want) > 1e-300 ? fabs(want) : 1e-300;
    int ok = fabs(got - want) <= rel * scale;
    if (!ok) fprintf(stderr, "  got %.17g, want %.17g (rel %.3g)\n", got, want, rel);
    return check_record(ok, what, file, line);
}

#define CHECK(cond) check_record((cond) ? 1 : 0, #cond, __FILE__, __LINE__)
#define CHECK_NEAR(got, want, tol) check_near_at((got), (want), (tol), #got " ~ " #want, __FILE__, __LINE__)
#define CHECK_REL(got, want, rel) check_rel_at((got), (want), (rel), #got " ~rel " #want, __FILE__, __LINE__)
#define CHECK_INT(got, want)                                                                  \
    do {                                                                                      \
        long long g_ = (long long)(got), w_ = (long long)(want);                              \
        if (!check_record(g_ == w_, #got " == " #want, __FILE__, __LINE__))                   \
            fprintf(stderr, "  got %lld, want %lld\n", g_, w_);                               \
    } while (0)
#define CHECK_STR(got, want)                                                                  \
    do {                                                                                      \
        const char *g_ = (got), *w_ = (want);                                                 \
        int ok_ = g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0;                            \
        if (!check_record(ok_, #got " == " #want, __FILE__, __LINE__))                        \
            fprintf(stderr, "  got \"%s\", want \"%s\"\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
    } while (0)

/* Two texts that must be the same bytes (either may be NULL: a failure);
 * on a difference prints what was compared and both texts. */
static inline int check_same_at(const char *got, const char *want, const char *what,
                                const char *file, int line) {
    int ok = got != NULL && want != NULL && strcmp(got, want) == 0;
    if (!ok)
        fprintf(stderr, "  %s:\n  got  %s\n  want %s\n", what, got ? got : "(null)",
                want ? want : "(null)");
    return check_record(ok, "the same text", file, line);
}
#define CHECK_SAME(got, want, what) check_same_at((got), (want), (what), __FILE__, __LINE__)

static inline int check_done(const char *name) {
    printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
