/* err.c - filling fit_err. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

int fit_err_set(fit_err *e, int code, int column, const char *fmt, ...) {
    if (e == NULL) return code;
    va_list ap;
    e->code = code;
    e->source = FIT_SRC_NONE;
    e->column = column;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return code;
}
