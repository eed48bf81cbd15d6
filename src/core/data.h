/* data.h - a dataset in memory: named columns of doubles, 8 bytes a cell. */
#ifndef FIT_DATA_H
#define FIT_DATA_H

#include <stddef.h>

#define FIT_MAX_ROWS 100000000L /* 1e8 rows */
#define FIT_MAX_COLS 1024
#define FIT_NAME_MAX 64 /* longest column or parameter name, with the NUL */

typedef struct fit_data {
    size_t rows;
    size_t ncols;
    char **names;  /* names[c]: owned, NUL-terminated */
    double **cols; /* cols[c][0..rows): owned */
} fit_data;

/* A dataset of ncols columns of rows zeros, named from names[] (copied).
 * Returns NULL on allocation failure. The caller owns it (data_free). */
fit_data *data_new(size_t ncols, size_t rows, const char *const *names);
void data_free(fit_data *d); /* NULL-safe */
/* Index of the column called name, or -1. */
int data_find(const fit_data *d, const char *name);
/* Whether name is a valid identifier: [A-Za-z_][A-Za-z0-9_]*, shorter than
 * FIT_NAME_MAX. Column and parameter names must be. */
int data_valid_name(const char *name);

#endif
