/* prog.h - a model and its loss compiled to one flat program of ops, run
 * forward and backward over cache-sized chunks of rows. */
#ifndef FIT_PROG_H
#define FIT_PROG_H

#include <stddef.h>

#include "data.h"
#include "err.h"
#include "spec.h"

typedef struct prog prog;

typedef enum {
    PROG_LOSS = 0, /* the loss, with yhat bound to the model, y to the target */
    PROG_MODEL     /* the model output alone (predict or logpdf), forward only */
} prog_mode;

/* Compiles s (after spec_expand) against the column names of d. Parameters
 * are s->params in order. Returns FIT_OK and *out (the caller owns it,
 * prog_free), or FIT_EINVAL with e->source and e->column set, or
 * FIT_ENOMEM / FIT_ELIMIT. Borrows s and d only for the call. */
int prog_compile(const fit_spec *s, const fit_data *d, prog_mode mode, prog **out, fit_err *e);

/* The loss over n rows of d: rows first..first+n-1 when idx is NULL, else
 * rows idx[first..first+n). When grad is not NULL it receives
 * d loss / d params[p] for every parameter. d must have the columns the
 * program was compiled against, in the same positions. Deterministic: the
 * same inputs give the same bits. Returns the loss (NaN or inf when the
 * expressions produce them). */
double prog_loss_grad(prog *p, const fit_data *d, const double *params, const size_t *idx,
                      size_t first, size_t n, double *grad);

/* For a PROG_MODEL program: the model output for every row of d into
 * out[0..d->rows). */
void prog_eval_rows(prog *p, const fit_data *d, const double *params, double *out);

/* Number of ops after folding and fusion (for tests and diagnostics). */
size_t prog_op_count(const prog *p);

void prog_free(prog *p); /* NULL-safe */

#endif
