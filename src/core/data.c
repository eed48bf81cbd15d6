/* data.c - datasets in memory. */
#include "data.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

fit_data *data_new(size_t ncols, size_t rows, const char *const *names) {
    fit_data *d = calloc(1, sizeof *d);
    if (d == NULL) return NULL;
    d->rows = rows;
    d->ncols = ncols;
    d->names = calloc(ncols ? ncols : 1, sizeof *d->names);
    d->cols = calloc(ncols ? ncols : 1, sizeof *d->cols);
    if (d->names == NULL || d->cols == NULL) goto fail;
    for (size_t c = 0; c < ncols; c++) {
        size_t len = strlen(names[c]);
        d->names[c] = malloc(len + 1);
        d->cols[c] = calloc(rows ? rows : 1, sizeof(double));
        if (d->names[c] == NULL || d->cols[c] == NULL) goto fail;
        memcpy(d->names[c], names[c], len + 1);
    }
    return d;
fail:
    data_free(d);
    return NULL;
}

void data_free(fit_data *d) {
    if (d == NULL) return;
    for (size_t c = 0; c < d->ncols; c++) {
        if (d->names) free(d->names[c]);
        if (d->cols) free(d->cols[c]);
    }
    free(d->names);
    free(d->cols);
    free(d);
}

int data_find(const fit_data *d, const char *name) {
    for (size_t c = 0; c < d->ncols; c++)
        if (strcmp(d->names[c], name) == 0) return (int)c;
    return -1;
}

int data_valid_name(const char *name) {
    size_t n = strlen(name);
    if (n == 0 || n >= FIT_NAME_MAX) return 0;
    if (!(isalpha((unsigned char)name[0]) || name[0] == '_')) return 0;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)name[i]) || name[i] == '_')) return 0;
    return 1;
}
