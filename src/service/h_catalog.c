/* h_catalog.c - GET /v1/catalog, rendered from the tables the spec reader
 * validates with (catalog.c), so the two cannot disagree. */
#include <math.h>

#include "catalog.h"
#include "handlers.h"

static const char *type_name(field_type t) {
    switch (t) {
    case FIELD_NUMBER: return "number";
    case FIELD_INTEGER: return "integer";
    case FIELD_BOOLEAN: return "boolean";
    case FIELD_SEED: return "integer";
    }
    return "number";
}

/* {"name", "type", "default", "rule", "doc"} of one field row. */
static json_t *field_json(const field_def *f) {
    char rule[160];
    field_rule(f, rule, sizeof rule);
    return json_pack("{s:s, s:s, s:o, s:s, s:s?}", "name", f->name, "type", type_name(f->type),
                     "default", field_default_json(f), "rule", rule, "doc", f->doc);
}

void h_catalog(http_req *r, http_reply *out) {
    (void)r;
    json_t *models = json_array(), *losses = json_array(), *optims = json_array(),
           *gens = json_array(), *training = json_array(), *early = json_array();
    for (size_t i = 0; i < catalog_nmodels; i++) {
        const catalog_model *m = &catalog_models[i];
        json_array_append_new(models, json_pack("{s:s, s:s, s:s, s:s}", "kind", m->name, "output",
                                                m->output, "members", m->members, "doc", m->doc));
    }
    for (size_t i = 0; i < catalog_nlosses; i++) {
        const catalog_loss *l = &catalog_losses[i];
        json_t *fields = json_array();
        for (size_t k = 0; k < catalog_loss_nfields; k++)
            if (catalog_loss_fields[k].kind == l->kind)
                json_array_append_new(fields, field_json(&catalog_loss_fields[k].f));
        json_array_append_new(losses, json_pack("{s:s, s:s, s:o, s:s}", "kind", l->name, "models",
                                                l->needs == OUT_PREDICT ? "regression" : "density",
                                                "fields", fields, "doc", l->doc));
    }
    for (int k = 0; k < OPTIM_KIND_COUNT; k++) {
        json_t *fields = json_array();
        for (size_t i = 0; i < catalog_optim_nfields; i++) {
            const catalog_optim_field *f = &catalog_optim_fields[i];
            if (f->kind == k || f->kind == CATALOG_ANY_KIND)
                json_array_append_new(fields, field_json(&f->f));
        }
        json_array_append_new(optims, json_pack("{s:s, s:o}", "kind", optim_name((optim_kind)k),
                                                "fields", fields));
    }
    for (size_t g = 0; g < catalog_ngens; g++) {
        json_t *fields = json_array();
        for (size_t i = 0; i < catalog_gen_nfields; i++)
            if (catalog_gen_fields[i].kind == catalog_gens[g].kind)
                json_array_append_new(fields, field_json(&catalog_gen_fields[i].f));
        json_array_append_new(gens, json_pack("{s:s, s:s, s:o}", "kind", catalog_gens[g].name,
                                              "doc", catalog_gens[g].doc, "fields", fields));
    }
    for (size_t i = 0; i < catalog_train_nfields; i++)
        json_array_append_new(training, field_json(&catalog_train_fields[i]));
    for (size_t i = 0; i < catalog_early_nfields; i++)
        json_array_append_new(early, field_json(&catalog_early_fields[i]));
    json_t *functions = json_array();
    const char *fns[] = {"exp", "log", "sqrt", "abs", "sin", "cos", "tan", "tanh", "sigmoid",
                         "softplus", "pow", "min", "max", "mean", "sum"};
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) json_array_append_new(functions, json_string(fns[i]));
    reply_json(out, 200,
               json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:{s:o, s:[s,s], s:s}}", "models", models,
                         "losses", losses, "optimizers", optims, "generators", gens, "training",
                         training, "early_stopping", early, "expressions", "functions",
                         functions, "constants", "pi", "e", "operators", "+ - * / ^"));
}
