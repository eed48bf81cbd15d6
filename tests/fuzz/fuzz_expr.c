/* fuzz_expr.c - libFuzzer harness for the expression compiler: the input
 * is "model\nloss"; it is compiled against a tiny dataset and, when it
 * compiles, run forward and backward. Nothing may crash, leak or trip a
 * sanitizer, whatever the bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/prog.h"
#include "core/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    if (text == NULL) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *loss = strchr(text, '\n');
    if (loss) *loss++ = '\0';

    const char *names[] = {"x", "y"};
    fit_data *d = data_new(2, 5, names);
    for (size_t i = 0; i < 5; i++) {
        d->cols[0][i] = (double)i - 1.5;
        d->cols[1][i] = 0.5 * (double)i;
    }
    fit_spec s;
    fit_err e = {0};
    prog *p = NULL;
    spec_init(&s);
    s.model.kind = MODEL_EXPRESSION;
    s.model.expr = strdup(text);
    s.loss.kind = loss ? LOSS_EXPR : LOSS_MSE;
    if (loss) s.loss.expr = strdup(loss);
    const char *pn[] = {"a", "b"};
    for (int i = 0; i < 2; i++) {
        strcpy(s.params[i].name, pn[i]);
        s.params[i].init.kind = INIT_CONST;
    }
    s.nparams = 2;
    if (spec_expand(&s, &e) == FIT_OK && prog_compile(&s, d, PROG_LOSS, &p, &e) == FIT_OK) {
        double params[2] = {0.3, -1.2}, grad[2];
        size_t idx[3] = {4, 0, 2};
        (void)prog_loss_grad(p, d, params, NULL, 0, 5, grad);
        (void)prog_loss_grad(p, d, params, idx, 0, 3, grad);
    }
    prog_free(p);
    spec_clear(&s);
    data_free(d);
    free(text);
    return 0;
}
