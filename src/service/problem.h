/* problem.h - RFC 9457 problem details. A problem collects validation
 * errors (a JSON pointer, a detail and, for expression errors, a column)
 * and renders itself as an application/problem+json document:
 *   {"type": "https://fitd.dev/problems/<slug>", "title", "status",
 *    "detail", "errors": [{"pointer", "detail", "column"?}]}
 * A 400 for malformed JSON carries "line" and "column" of the JSON text
 * instead of "errors". */
#ifndef FITD_PROBLEM_H
#define FITD_PROBLEM_H

#include <jansson.h>
#include <stddef.h>

#define PROBLEM_TYPE_BASE "https://fitd.dev/problems/"
/* Errors kept per problem; later ones are counted in `dropped` (a body
 * with a million bad numbers must not produce a million-entry answer). */
#define PROBLEM_MAX_ERRORS 50

typedef struct problem_error {
    char *pointer; /* owned: RFC 6901 pointer, "" for the whole document */
    char *detail;  /* owned */
    int column;    /* 1-based column in an expression's text; 0 = none */
} problem_error;

typedef struct problem {
    int status;        /* 0 while nothing is wrong; else the HTTP status */
    const char *slug;  /* static: the last segment of the type URI */
    const char *title; /* static */
    char detail[512];  /* "" = made from the errors when rendered */
    long line, column; /* malformed JSON: where the text broke; 0 = none */
    problem_error *errors;
    size_t nerrors, cap;
    size_t dropped; /* errors past PROBLEM_MAX_ERRORS, counted only */
    int oom;        /* an error could not be recorded for lack of memory */
} problem;

void problem_init(problem *p);
/* Frees the errors; p can be reused after problem_init. NULL-safe. */
void problem_clear(problem *p);

/* Sets the document-level members. slug and title are borrowed for the
 * problem's life (pass string literals). */
void problem_set(problem *p, int status, const char *slug, const char *title, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* Records a validation error at base + "/" + key (key escaped; key NULL
 * means base itself). column is 1-based, 0 for none. The first error makes
 * the problem a 422 "invalid-spec" unless a status was set before. */
void problem_add(problem *p, const char *base, const char *key, int column, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* Nonzero once anything went wrong. */
int problem_failed(const problem *p);

/* The first error whose pointer is ptr, or NULL (for tests and callers
 * that want to know whether a field already failed). */
const problem_error *problem_find(const problem *p, const char *ptr);

/* The problem+json document. Returns NULL on allocation failure; the
 * caller owns the result. */
json_t *problem_to_json(const problem *p);

#endif
