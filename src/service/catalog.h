/* catalog.h - the tables every spec field is read, defaulted, written and
 * documented from: model kinds, losses, optimizers and their
 * hyperparameters, data generators, training options. GET /v1/catalog is
 * meant to be rendered from these same rows. */
#ifndef FITD_CATALOG_H
#define FITD_CATALOG_H

#include <stddef.h>

#include "core/gen.h"
#include "core/optim.h"
#include "core/spec.h"
#include "field.h"

/* kind of a row that applies to every optimizer */
#define CATALOG_ANY_KIND (-1)

/* One optimizer hyperparameter: offsets are into optim_conf. Defaults are
 * Keras's (a unit test checks them against optim_defaults). */
typedef struct catalog_optim_field {
    int kind; /* optim_kind, or CATALOG_ANY_KIND */
    field_def f;
} catalog_optim_field;

extern const catalog_optim_field catalog_optim_fields[];
extern const size_t catalog_optim_nfields;

/* Model kinds. */
typedef struct catalog_model {
    model_kind kind;
    const char *name;
    const char *output;  /* "predict", "logpdf", or "predict or logpdf" */
    const char *members; /* the members its object takes, for the catalog */
    const char *doc;
} catalog_model;

extern const catalog_model catalog_models[];
extern const size_t catalog_nmodels;

/* Built-in losses (a loss can also be {"expr": "..."}). */
typedef struct catalog_loss {
    loss_kind kind;
    const char *name;
    model_output needs; /* OUT_PREDICT: regression models; OUT_LOGPDF: density */
    const char *doc;
} catalog_loss;

extern const catalog_loss catalog_losses[];
extern const size_t catalog_nlosses;

/* Loss options: offsets into fit_loss. */
typedef struct catalog_loss_field {
    loss_kind kind;
    field_def f;
} catalog_loss_field;

extern const catalog_loss_field catalog_loss_fields[];
extern const size_t catalog_loss_nfields;

/* Data generators: names and fields (offsets into gen_conf). */
typedef struct catalog_gen {
    gen_kind kind;
    const char *name;
    const char *doc;
} catalog_gen;

typedef struct catalog_gen_field {
    gen_kind kind;
    field_def f;
} catalog_gen_field;

extern const catalog_gen catalog_gens[];
extern const size_t catalog_ngens;
extern const catalog_gen_field catalog_gen_fields[];
extern const size_t catalog_gen_nfields;

/* Top-level training options with a plain scalar value (offsets into
 * fit_spec): epochs, batch_size, shuffle, seed, validation_split,
 * max_seconds. shuffle's default depends on batch_size and seed's absence
 * means "draw one"; the reader handles both. */
extern const field_def catalog_train_fields[];
extern const size_t catalog_train_nfields;

/* early_stopping's scalar members (offsets into fit_early_stop); monitor
 * is a string and read apart. */
extern const field_def catalog_early_fields[];
extern const size_t catalog_early_nfields;

/* Members of the initializers {"normal": {mean, sd}} and
 * {"uniform": {min, max}}: offsets into fit_init (a, b). */
extern const field_def catalog_normal_fields[];
extern const field_def catalog_uniform_fields[];
extern const size_t catalog_normal_nfields, catalog_uniform_nfields;

/* The row of each table for a name (or kind), or NULL. */
const catalog_model *catalog_model_find(model_kind kind);
const catalog_loss *catalog_loss_find(loss_kind kind);
const catalog_gen *catalog_gen_by_name(const char *name);
const catalog_gen *catalog_gen_find(gen_kind kind);

#endif
