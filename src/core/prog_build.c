/* prog_build.c - compiles a spec's model and loss into a program:
 * parse -> resolve names and type-check (row vs scalar) -> constant-fold
 * and share common subexpressions while lowering -> fuse (a*s + c,
 * sum of squares) -> schedule -> allocate every buffer once. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "prog_internal.h"

/* The builder: the growing node list and a hash table for sharing. */
typedef struct builder {
    ir_node *nodes;
    size_t n, cap;
    int *table; /* open addressing, -1 = empty; size tcap (a power of two) */
    size_t tcap;
    int batch_n;  /* the OP_BATCH_N node, created on first use */
    fit_err *e;
} builder;

static uint64_t node_hash(const ir_node *nd) {
    uint64_t kb;
    memcpy(&kb, &nd->k, sizeof kb);
    uint64_t h = 1469598103934665603ULL;
    uint64_t parts[7] = {(uint64_t)nd->code, (uint64_t)(int64_t)nd->a, (uint64_t)(int64_t)nd->b,
                         (uint64_t)(int64_t)nd->c, (uint64_t)(int64_t)nd->d, kb,
                         (uint64_t)(int64_t)nd->index};
    for (int i = 0; i < 7; i++) {
        h ^= parts[i];
        h *= 1099511628211ULL;
        h ^= h >> 29;
    }
    return h;
}

static int same_node(const ir_node *x, const ir_node *y) {
    return x->code == y->code && x->a == y->a && x->b == y->b && x->c == y->c && x->d == y->d &&
           memcmp(&x->k, &y->k, sizeof x->k) == 0 && x->index == y->index;
}

static int grow_table(builder *bd) {
    size_t cap = bd->tcap ? bd->tcap * 2 : 256;
    int *t = malloc(cap * sizeof *t);
    if (t == NULL) return FIT_ENOMEM;
    for (size_t i = 0; i < cap; i++) t[i] = -1;
    for (size_t id = 0; id < bd->n; id++) {
        size_t h = (size_t)node_hash(&bd->nodes[id]) & (cap - 1);
        while (t[h] >= 0) h = (h + 1) & (cap - 1);
        t[h] = (int)id;
    }
    free(bd->table);
    bd->table = t;
    bd->tcap = cap;
    return FIT_OK;
}

/* Returns the id of a node equal to *nd, adding it if new; -1 on ENOMEM. */
static int intern(builder *bd, const ir_node *nd) {
    if ((bd->n + 1) * 2 > bd->tcap && grow_table(bd)) goto nomem;
    size_t h = (size_t)node_hash(nd) & (bd->tcap - 1);
    while (bd->table[h] >= 0) {
        if (same_node(&bd->nodes[bd->table[h]], nd)) return bd->table[h];
        h = (h + 1) & (bd->tcap - 1);
    }
    if (bd->n == bd->cap) {
        size_t cap = bd->cap ? bd->cap * 2 : 64;
        ir_node *nodes = realloc(bd->nodes, cap * sizeof *nodes);
        if (nodes == NULL) goto nomem;
        bd->nodes = nodes;
        bd->cap = cap;
    }
    bd->nodes[bd->n] = *nd;
    bd->table[h] = (int)bd->n;
    return (int)bd->n++;
nomem:
    fit_err_set(bd->e, FIT_ENOMEM, 0, "out of memory");
    return -1;
}

static int leaf(builder *bd, op_code code, double k, int index) {
    ir_node nd = {.code = code, .a = -1, .b = -1, .c = -1, .d = -1, .k = k, .index = index};
    nd.row = code == OP_COLUMN;
    nd.grad = code == OP_PARAM;
    return intern(bd, &nd);
}

static int is_const(const builder *bd, int x, double *v) {
    if (x < 0 || bd->nodes[x].code != OP_CONST) return 0;
    if (v) *v = bd->nodes[x].k;
    return 1;
}

/* An elementwise op or a reduction over operands a, b, c (-1 = none):
 * folds constants, canonicalises (row operand first for commutative ops,
 * x^2 as a square), rejects a row op over a reduction, shares equal
 * nodes. column is the source column for messages. Returns the id or -1. */
static int mk(builder *bd, op_code code, int a, int b, int c, int column) {
    const ir_node *na = a >= 0 ? &bd->nodes[a] : NULL;
    const ir_node *nb = b >= 0 ? &bd->nodes[b] : NULL;
    double ka, kb;
    if (code == OP_POW && is_const(bd, b, &kb)) {
        if (kb == 1.0) return a;
        if (kb == 2.0) return mk(bd, OP_SQUARE, a, -1, -1, column);
        if (kb == 0.5) return mk(bd, OP_SQRT, a, -1, -1, column);
    }
    if (code != OP_SUM && code != OP_SUMSQ && is_const(bd, a, &ka) &&
        (b < 0 || is_const(bd, b, &kb))) {
        double v = op_eval(code, ka, b >= 0 ? kb : 0, 0);
        if (!isfinite(v)) {
            fit_err_set(bd->e, FIT_EINVAL, column,
                        "%s of a constant is not a finite number at column %d", op_name(code),
                        column);
            return -1;
        }
        return leaf(bd, OP_CONST, v, 0);
    }
    if ((code == OP_ADD || code == OP_MUL || code == OP_MIN || code == OP_MAX) && nb &&
        nb->row && !na->row) {
        int t = a;
        a = b;
        b = t;
        na = &bd->nodes[a];
        nb = &bd->nodes[b];
    }
    ir_node nd = {.code = code, .a = a, .b = b, .c = c, .d = -1, .index = 0, .column = column};
    if (code == OP_SUM || code == OP_SUMSQ) {
        if (na->reduced) {
            fit_err_set(bd->e, FIT_EINVAL, column,
                        "mean() and sum() cannot be nested (column %d): they may only "
                        "appear at the top of a loss",
                        column);
            return -1;
        }
        nd.reduced = 1;
        nd.grad = na->grad;
        return intern(bd, &nd);
    }
    int any_row = (na && na->row) || (nb && nb->row);
    int any_red = (na && na->reduced) || (nb && nb->reduced);
    if (any_row && any_red) {
        column = na->reduced ? na->column : nb->column;
        fit_err_set(bd->e, FIT_EINVAL, column,
                    "mean() and sum() may only appear at the top of a loss, not inside an "
                    "expression over rows (column %d)",
                    column);
        return -1;
    }
    nd.row = (unsigned char)any_row;
    nd.reduced = (unsigned char)any_red;
    nd.grad = (unsigned char)((na && na->grad) || (nb && nb->grad));
    return intern(bd, &nd);
}

static int batch_n(builder *bd) {
    if (bd->batch_n < 0) bd->batch_n = leaf(bd, OP_BATCH_N, 0, 0);
    return bd->batch_n;
}

/* What names mean while lowering one tree. */
typedef struct scope {
    const fit_spec *spec;
    const fit_data *data;
    int in_loss;
    int yhat; /* the model's node (loss only) */
    int y;    /* the target column's node, or -1 (loss only) */
    int source;
} scope;

static int resolve_name(builder *bd, const scope *sc, const expr_node *en) {
    const char *nm = en->name;
    if (sc->in_loss && strcmp(nm, "yhat") == 0) return sc->yhat;
    if (sc->in_loss && strcmp(nm, "y") == 0) {
        if (sc->y >= 0) return sc->y;
        fit_err_set(bd->e, FIT_EINVAL, en->column,
                    "'y' at column %d: a density model has no target column", en->column);
        return -1;
    }
    int pi = spec_param_index(sc->spec, nm);
    if (pi >= 0) return leaf(bd, OP_PARAM, 0, pi);
    int ci = data_find(sc->data, nm);
    if (ci >= 0) return leaf(bd, OP_COLUMN, 0, ci);
    if (strcmp(nm, "pi") == 0) return leaf(bd, OP_CONST, 3.14159265358979323846, 0);
    if (strcmp(nm, "e") == 0) return leaf(bd, OP_CONST, 2.71828182845904523536, 0);
    fit_err_set(bd->e, FIT_EINVAL, en->column, "unknown name '%s' at column %d", nm, en->column);
    return -1;
}

static const op_code fn_ops[FN_COUNT] = {
    [FN_EXP] = OP_EXP,   [FN_LOG] = OP_LOG,         [FN_SQRT] = OP_SQRT,
    [FN_ABS] = OP_ABS,   [FN_SIN] = OP_SIN,         [FN_COS] = OP_COS,
    [FN_TAN] = OP_TAN,   [FN_TANH] = OP_TANH,       [FN_SIGMOID] = OP_SIGMOID,
    [FN_SOFTPLUS] = OP_SOFTPLUS, [FN_POW] = OP_POW, [FN_MIN] = OP_MIN,
    [FN_MAX] = OP_MAX,   [FN_MEAN] = OP_SUM,        [FN_SUM] = OP_SUM,
};

/* mean(x) and sum(x): a reduction over rows, or for a scalar x, x itself
 * (mean) or x times the batch's rows (sum). */
static int lower_reduction(builder *bd, expr_fn fn, int x, int column) {
    if (!bd->nodes[x].row) {
        if (bd->nodes[x].reduced) return mk(bd, OP_SUM, x, -1, -1, column); /* nesting error */
        return fn == FN_MEAN ? x : mk(bd, OP_MUL, x, batch_n(bd), -1, column);
    }
    int s = mk(bd, OP_SUM, x, -1, -1, column);
    if (s < 0 || fn == FN_SUM) return s;
    return mk(bd, OP_DIV, s, batch_n(bd), -1, column);
}

/* Lowers tree t (children precede parents, so one loop, no recursion).
 * Returns the node id of t's root or -1 with bd->e set. */
static int lower_tree(builder *bd, const expr_tree *t, const scope *sc) {
    int *map = malloc(t->n * sizeof *map);
    int root = -1;
    if (map == NULL) {
        fit_err_set(bd->e, FIT_ENOMEM, 0, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < t->n; i++) {
        const expr_node *en = &t->nodes[i];
        int a = en->a >= 0 ? map[en->a] : -1, b = en->b >= 0 ? map[en->b] : -1, id = -1;
        switch (en->kind) {
        case EN_NUM: id = leaf(bd, OP_CONST, en->num, 0); break;
        case EN_NAME: id = resolve_name(bd, sc, en); break;
        case EN_NEG: id = mk(bd, OP_NEG, a, -1, -1, en->column); break;
        case EN_ADD: id = mk(bd, OP_ADD, a, b, -1, en->column); break;
        case EN_SUB: id = mk(bd, OP_SUB, a, b, -1, en->column); break;
        case EN_MUL: id = mk(bd, OP_MUL, a, b, -1, en->column); break;
        case EN_DIV: id = mk(bd, OP_DIV, a, b, -1, en->column); break;
        case EN_POW: id = mk(bd, OP_POW, a, b, -1, en->column); break;
        case EN_CALL:
            if (en->fn == FN_MEAN || en->fn == FN_SUM) {
                if (!sc->in_loss) {
                    fit_err_set(bd->e, FIT_EINVAL, en->column,
                                "%s() at column %d: reductions belong in a loss, not a model",
                                expr_fn_name(en->fn), en->column);
                    break;
                }
                id = lower_reduction(bd, en->fn, a, en->column);
            } else {
                id = mk(bd, fn_ops[en->fn], a, b, -1, en->column);
            }
            break;
        }
        if (id < 0) goto done;
        map[i] = id;
    }
    root = map[t->root];
done:
    free(map);
    return root;
}

/* Parses and lowers one expression text; errors are tagged with source. */
static int lower_text(builder *bd, const char *text, const scope *sc) {
    expr_tree t = {0};
    int id = -1;
    if (expr_parse(text, &t, bd->e) == FIT_OK) id = lower_tree(bd, &t, sc);
    if (id < 0 && bd->e) bd->e->source = sc->source;
    expr_tree_free(&t);
    return id;
}

/* Counts consumers of every node reachable from root (others get 0). */
static void count_uses(ir_node *nodes, size_t n, int root, unsigned char *live) {
    memset(live, 0, n);
    for (size_t i = 0; i < n; i++) nodes[i].uses = 0;
    live[root] = 1;
    for (size_t i = n; i-- > 0;) {
        if (!live[i]) continue;
        int ops[4] = {nodes[i].a, nodes[i].b, nodes[i].c, nodes[i].d};
        for (int k = 0; k < 4; k++)
            if (ops[k] >= 0) {
                live[ops[k]] = 1;
                nodes[ops[k]].uses++;
            }
    }
}

/* Peephole fusion on single-use producers: add(mul(r, s), c) -> axpb(r, s, c),
 * sub(axpb(r, s, c), z) -> axpbz(r, s, c, z) and sum(square(r)) -> sumsq(r).
 * Rewrites in place; ids keep their order. */
static void fuse(ir_node *nodes, size_t n, int root, unsigned char *live) {
    count_uses(nodes, n, root, live);
    for (size_t i = 0; i < n; i++) {
        ir_node *nd = &nodes[i];
        if (!live[i]) continue;
        if (nd->code == OP_ADD && nd->row) {
            for (int side = 0; side < 2; side++) {
                int m = side == 0 ? nd->a : nd->b, other = side == 0 ? nd->b : nd->a;
                ir_node *mn = &nodes[m];
                if (mn->code == OP_MUL && mn->uses == 1 && mn->row && nodes[mn->a].row &&
                    !nodes[mn->b].row) {
                    nd->code = OP_AXPB;
                    nd->a = mn->a;
                    nd->b = mn->b;
                    nd->c = other;
                    mn->uses = 0;
                    break;
                }
            }
        } else if (nd->code == OP_SUB && nodes[nd->a].code == OP_AXPB && nodes[nd->a].uses == 1 &&
                   nd->row && nodes[nd->b].row && nodes[nd->a].c != nd->b) {
            /* (m*x + b) - y: one pass instead of two */
            ir_node *ax = &nodes[nd->a];
            nd->code = OP_AXPBZ;
            nd->d = nd->b;
            nd->a = ax->a;
            nd->b = ax->b;
            nd->c = ax->c;
            ax->uses = 0;
        } else if (nd->code == OP_SUM && nodes[nd->a].code == OP_SQUARE &&
                   nodes[nd->a].uses == 1) {
            nd->code = OP_SUMSQ;
            nd->a = nodes[nd->a].a;
        }
    }
    count_uses(nodes, n, root, live);
}

/* Keeps only live nodes, renumbering operands; returns the new root. */
static int compact(builder *bd, int root, const unsigned char *live) {
    int *newid = malloc(bd->n * sizeof *newid);
    if (newid == NULL) return -1;
    size_t w = 0;
    for (size_t i = 0; i < bd->n; i++) {
        if (!live[i]) {
            newid[i] = -1;
            continue;
        }
        ir_node nd = bd->nodes[i];
        if (nd.a >= 0) nd.a = newid[nd.a];
        if (nd.b >= 0) nd.b = newid[nd.b];
        if (nd.c >= 0) nd.c = newid[nd.c];
        if (nd.d >= 0) nd.d = newid[nd.d];
        newid[i] = (int)w;
        bd->nodes[w++] = nd;
    }
    bd->n = w;
    root = newid[root];
    free(newid);
    return root;
}

int prog_schedule(prog *p); /* prog_run.c */

int prog_compile(const fit_spec *s, const fit_data *d, prog_mode mode, prog **out, fit_err *e) {
    builder bd = {.batch_n = -1, .e = e};
    prog *p = NULL;
    unsigned char *live = NULL;
    int rc = FIT_EINVAL, root;
    *out = NULL;
    if (s->model.expr == NULL) return fit_err_set(e, FIT_EINVAL, 0, "the model has no expression");
    scope msc = {.spec = s, .data = d, .in_loss = 0, .yhat = -1, .y = -1, .source = FIT_SRC_MODEL};
    root = lower_text(&bd, s->model.expr, &msc);
    if (root < 0) goto fail;
    if (mode == PROG_LOSS) {
        if (s->loss.expr == NULL) {
            fit_err_set(e, FIT_EINVAL, 0, "the loss has no expression");
            goto fail;
        }
        scope lsc = {.spec = s, .data = d, .in_loss = 1, .yhat = root, .y = -1,
                     .source = FIT_SRC_LOSS};
        if (s->model.output == OUT_PREDICT) {
            int ci = data_find(d, s->model.target);
            if (ci < 0) {
                fit_err_set(e, FIT_EINVAL, 0, "target column '%s' is not in the data",
                            s->model.target);
                if (e) e->source = FIT_SRC_MODEL;
                goto fail;
            }
            if ((lsc.y = leaf(&bd, OP_COLUMN, 0, ci)) < 0) goto fail;
        }
        root = lower_text(&bd, s->loss.expr, &lsc);
        if (root < 0) goto fail;
        if (bd.nodes[root].row) root = lower_reduction(&bd, FN_MEAN, root, 1);
        if (root < 0) goto fail;
    }
    rc = FIT_ENOMEM;
    if ((live = malloc(bd.n ? bd.n : 1)) == NULL) goto fail;
    fuse(bd.nodes, bd.n, root, live);
    if ((root = compact(&bd, root, live)) < 0) goto fail;
    if ((p = calloc(1, sizeof *p)) == NULL) goto fail;
    p->mode = mode;
    p->nodes = bd.nodes;
    bd.nodes = NULL;
    p->n = bd.n;
    p->root = root;
    p->nparams = s->nparams;
    p->ncols_data = d->ncols;
    if (prog_schedule(p) != FIT_OK) goto fail;
    *out = p;
    p = NULL;
    rc = FIT_OK;
fail:
    if (rc == FIT_ENOMEM) fit_err_set(e, FIT_ENOMEM, 0, "out of memory");
    else if (rc != FIT_OK && e && e->code != FIT_OK) rc = e->code;
    free(live);
    free(bd.nodes);
    free(bd.table);
    prog_free(p);
    return rc;
}
