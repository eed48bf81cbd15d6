/* err.h - how the core reports failure: an int status and a filled fit_err. */
#ifndef FIT_ERR_H
#define FIT_ERR_H

enum {
    FIT_OK = 0,
    FIT_EINVAL = 1, /* bad input: a spec, an expression, a column */
    FIT_ENOMEM = 2, /* allocation failed */
    FIT_ELIMIT = 3  /* input larger than a documented limit */
};

/* Which text an error points into, so the service can name the JSON field. */
enum { FIT_SRC_NONE = 0, FIT_SRC_MODEL = 1, FIT_SRC_LOSS = 2 };

/* An error: code, message, and for expression errors the source text it
 * belongs to and the 1-based column of the offending token (0 = none). */
typedef struct fit_err {
    int code;
    int source;
    int column;
    char msg[256];
} fit_err;

/* Fills e (which may be NULL) and returns code, so callers can write
 * `return fit_err_set(e, FIT_EINVAL, 0, "...")`. */
int fit_err_set(fit_err *e, int code, int column, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#endif
