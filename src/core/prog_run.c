/* prog_run.c - schedules a built program, owns its buffers, and runs it:
 * scalars before the chunks, then per chunk the row ops forward and each
 * reduction's cone backward, then the scalars after the chunks, then the
 * scalar adjoints back to the parameters. */
#include <stdlib.h>
#include <string.h>

#include "prog_internal.h"

int prog_schedule(prog *p);

static int is_leaf(op_code c) {
    return c == OP_CONST || c == OP_PARAM || c == OP_COLUMN || c == OP_BATCH_N;
}

/* Allocates m aligned doubles (64-byte lines); NULL on failure. */
static double *alloc_doubles(size_t m) {
    size_t bytes = (m * sizeof(double) + 63) / 64 * 64;
    return aligned_alloc(64, bytes ? bytes : 64);
}

/* A node whose only consumer passes its adjoint through unchanged (either
 * side of an add, the left of a sub, the addend of an axpb) can share that
 * consumer's adjoint buffer: no copy, no zeroing. Returns the consumer or -1. */
static int pass_through_consumer(const prog *p, int id) {
    if (p->nodes[id].uses != 1) return -1;
    for (size_t c = (size_t)id + 1; c < p->n; c++) {
        const ir_node *nd = &p->nodes[c];
        if (nd->a != id && nd->b != id && nd->c != id && nd->d != id) continue;
        if (!nd->row || !nd->grad) return -1;
        int through = (nd->code == OP_ADD && nd->a != nd->b) ||
                      (nd->code == OP_SUB && nd->a == id && nd->b != id) ||
                      ((nd->code == OP_AXPB || nd->code == OP_AXPBZ) && nd->c == id &&
                       nd->a != id && nd->d != id);
        return through ? (int)c : -1;
    }
    return -1;
}

/* The sum of squares that is id's only consumer, or -1: its operand's
 * values can then be its own adjoint seed (d sum r^2 / d r = 2r, the 2
 * applied to the summed scalar adjoints at the end, which is exact). */
static int sumsq_consumer(const prog *p, int id) {
    if (p->nodes[id].uses != 1) return -1;
    for (size_t c = (size_t)id + 1; c < p->n; c++) {
        const ir_node *nd = &p->nodes[c];
        if (nd->a == id || nd->b == id || nd->c == id || nd->d == id)
            return nd->code == OP_SUMSQ ? (int)c : -1;
    }
    return -1;
}

/* Fills the schedules and allocates every buffer the program will use.
 * Returns FIT_OK or FIT_ENOMEM (p is then freed by the caller). */
int prog_schedule(prog *p) {
    size_t n = p->n, nrowbuf = 0;
    unsigned char *cone = NULL;
    p->pre = malloc(n * sizeof(int));
    p->rows = malloc(n * sizeof(int));
    p->cols = malloc(n * sizeof(int));
    p->reds = malloc(n * sizeof(int));
    p->post = malloc(n * sizeof(int));
    p->sv = calloc(n, sizeof(double));
    p->sadj = calloc(n, sizeof(double));
    p->rv = calloc(n, sizeof(double *));
    p->radj = calloc(n, sizeof(double *));
    p->gbuf = calloc(n, sizeof(double *));
    p->adj_owned = calloc(n ? n : 1, 1);
    p->scratch = alloc_doubles(3 * PROG_CHUNK);
    if (!p->pre || !p->rows || !p->cols || !p->reds || !p->post || !p->sv || !p->sadj ||
        !p->rv || !p->radj || !p->gbuf || !p->adj_owned || !p->scratch)
        return FIT_ENOMEM;
    for (size_t id = 0; id < n; id++) {
        ir_node *nd = &p->nodes[id];
        if (nd->code == OP_CONST) p->sv[id] = nd->k;
        if (nd->code == OP_COLUMN) {
            p->cols[p->ncols++] = (int)id;
            nrowbuf++;
        } else if (nd->code == OP_SUM || nd->code == OP_SUMSQ) {
            nd->index = (int)p->nreds;
            p->reds[p->nreds++] = (int)id;
        } else if (nd->row) {
            p->rows[p->nrows++] = (int)id;
            nrowbuf += nd->grad ? 2 : 1;
        } else if (nd->reduced) {
            p->post[p->npost++] = (int)id;
        } else {
            p->pre[p->npre++] = (int)id;
        }
    }
    p->arena = alloc_doubles(nrowbuf * PROG_CHUNK);
    p->red_sum = calloc(p->nreds ? p->nreds : 1, sizeof(double));
    p->sadj_red = calloc(p->nreds ? p->nreds * n : 1, sizeof(double));
    p->bw = calloc(p->nreds ? p->nreds : 1, sizeof(int *));
    p->nbw = calloc(p->nreds ? p->nreds : 1, sizeof(size_t));
    cone = malloc(n ? n : 1);
    if (!p->arena || !p->red_sum || !p->sadj_red || !p->bw || !p->nbw || !cone) {
        free(cone);
        return FIT_ENOMEM;
    }
    double *buf = p->arena;
    for (size_t id = n; id-- > 0;) {
        ir_node *nd = &p->nodes[id];
        if (nd->code == OP_COLUMN) {
            p->gbuf[id] = buf;
            p->rv[id] = buf;
            buf += PROG_CHUNK;
        } else if (nd->row && nd->code != OP_SUM && nd->code != OP_SUMSQ) {
            p->rv[id] = buf;
            buf += PROG_CHUNK;
            if (nd->grad) {
                int c = pass_through_consumer(p, (int)id), sq = sumsq_consumer(p, (int)id);
                if (sq >= 0) {
                    p->radj[id] = p->rv[id];
                    p->nodes[sq].seed_in_place = 1;
                } else if (c >= 0) {
                    p->radj[id] = p->radj[c];
                } else {
                    p->radj[id] = buf;
                    p->adj_owned[id] = 1;
                    buf += PROG_CHUNK;
                }
            }
        }
    }

    /* bw[j]: the row ops with adjoints that reduction j's operand depends on */
    for (size_t j = 0; j < p->nreds; j++) {
        memset(cone, 0, n);
        cone[p->nodes[p->reds[j]].a] = 1;
        size_t cnt = 0;
        for (size_t id = n; id-- > 0;) {
            if (!cone[id]) continue;
            ir_node *nd = &p->nodes[id];
            if (nd->row && nd->grad && !is_leaf(nd->code)) {
                cnt++;
                if (nd->a >= 0) cone[nd->a] = 1;
                if (nd->b >= 0) cone[nd->b] = 1;
                if (nd->c >= 0) cone[nd->c] = 1;
                if (nd->d >= 0) cone[nd->d] = 1;
            }
        }
        p->bw[j] = malloc((cnt ? cnt : 1) * sizeof(int));
        if (p->bw[j] == NULL) {
            free(cone);
            return FIT_ENOMEM;
        }
        for (size_t id = 0; id < n; id++)
            if (cone[id] && p->nodes[id].row && p->nodes[id].grad && !is_leaf(p->nodes[id].code))
                p->bw[j][p->nbw[j]++] = (int)id;
    }
    free(cone);
    return FIT_OK;
}

/* Sets the parameters and the batch size, then runs the scalar ops that
 * come before the chunks. */
static void run_pre(prog *p, const double *params, size_t rows) {
    for (size_t k = 0; k < p->npre; k++) {
        int id = p->pre[k];
        const ir_node *nd = &p->nodes[id];
        switch (nd->code) {
        case OP_CONST: break;
        case OP_PARAM: p->sv[id] = params[nd->index]; break;
        case OP_BATCH_N: p->sv[id] = (double)rows; break;
        default:
            p->sv[id] = op_eval(nd->code, p->sv[nd->a], nd->b >= 0 ? p->sv[nd->b] : 0,
                                nd->c >= 0 ? p->sv[nd->c] : 0);
        }
    }
}

/* Points each column node at rows [start, start+m) of the batch: straight
 * into the data when the batch is contiguous, else gathered by index. */
static void load_columns(prog *p, const fit_data *d, const size_t *idx, size_t start, size_t m) {
    for (size_t k = 0; k < p->ncols; k++) {
        int id = p->cols[k];
        const double *col = d->cols[p->nodes[id].index];
        if (idx == NULL) {
            p->rv[id] = (double *)(col + start);
        } else {
            double *g = p->gbuf[id];
            const size_t *ix = idx + start;
            for (size_t i = 0; i < m; i++) g[i] = col[ix[i]];
            p->rv[id] = g;
        }
    }
}

/* Scalar op adjoints, from sadj[id] to its operands. */
static void scalar_backward(prog *p, int id) {
    const ir_node *nd = &p->nodes[id];
    double g = p->sadj[id], da, db, dc;
    if (g == 0 || is_leaf(nd->code)) return;
    double a = p->sv[nd->a], b = nd->b >= 0 ? p->sv[nd->b] : 0, c = nd->c >= 0 ? p->sv[nd->c] : 0;
    op_partials(nd->code, a, b, c, p->sv[id], &da, &db, &dc);
    p->sadj[nd->a] += g * da;
    if (nd->b >= 0) p->sadj[nd->b] += g * db;
    if (nd->c >= 0) p->sadj[nd->c] += g * dc;
}

double prog_loss_grad(prog *p, const fit_data *d, const double *params, const size_t *idx,
                      size_t first, size_t n, double *grad) {
    size_t nn = p->n;
    run_pre(p, params, n);
    memset(p->red_sum, 0, (p->nreds ? p->nreds : 1) * sizeof(double));
    if (grad) memset(p->sadj_red, 0, (p->nreds ? p->nreds * nn : 1) * sizeof(double));
    const size_t *ix = idx ? idx + first : NULL;
    size_t base = idx ? 0 : first;
    for (size_t start = 0; start < n; start += PROG_CHUNK) {
        size_t m = n - start < PROG_CHUNK ? n - start : PROG_CHUNK;
        load_columns(p, d, ix, ix ? start : base + start, m);
        for (size_t k = 0; k < p->nrows; k++) kern_forward(p, p->rows[k], m);
        for (size_t j = 0; j < p->nreds; j++) {
            const ir_node *r = &p->nodes[p->reds[j]];
            const double *x = p->rv[r->a];
            int seeded = grad && r->grad;
            if (r->code == OP_SUMSQ)
                p->red_sum[j] += seeded && !r->seed_in_place ? kern_sumsq_seed(x, p->radj[r->a], m)
                                                             : kern_sumsq(x, m);
            else
                p->red_sum[j] += kern_sum(x, m);
            if (!seeded) continue;
            /* the seed (d sum / d operand) is assigned; the other buffers of
               the cone accumulate, so they start at zero */
            for (size_t k = 0; k < p->nbw[j]; k++) {
                int id = p->bw[j][k];
                if (p->adj_owned[id] && id != r->a) memset(p->radj[id], 0, m * sizeof(double));
            }
            if (r->code == OP_SUM)
                for (size_t i = 0; i < m; i++) p->radj[r->a][i] = 1.0;
            double *sacc = p->sadj_red + j * nn;
            for (size_t k = p->nbw[j]; k-- > 0;) kern_backward(p, p->bw[j][k], m, sacc);
        }
    }
    for (size_t j = 0; j < p->nreds; j++) {
        p->sv[p->reds[j]] = p->red_sum[j];
        if (grad && p->nodes[p->reds[j]].seed_in_place) /* the seed's factor 2 */
            for (size_t k = 0; k < p->npre; k++) p->sadj_red[j * nn + (size_t)p->pre[k]] *= 2.0;
    }
    for (size_t k = 0; k < p->npost; k++) {
        int id = p->post[k];
        const ir_node *nd = &p->nodes[id];
        p->sv[id] = op_eval(nd->code, p->sv[nd->a], nd->b >= 0 ? p->sv[nd->b] : 0,
                            nd->c >= 0 ? p->sv[nd->c] : 0);
    }
    double loss = p->sv[p->root];
    if (grad == NULL) return loss;
    memset(p->sadj, 0, nn * sizeof(double));
    p->sadj[p->root] = 1.0;
    for (size_t k = p->npost; k-- > 0;) scalar_backward(p, p->post[k]);
    for (size_t j = 0; j < p->nreds; j++) {
        double g = p->sadj[p->reds[j]];
        const double *part = p->sadj_red + j * nn;
        if (g == 0) continue;
        for (size_t k = 0; k < p->npre; k++) p->sadj[p->pre[k]] += g * part[p->pre[k]];
    }
    for (size_t k = p->npre; k-- > 0;) scalar_backward(p, p->pre[k]);
    for (size_t i = 0; i < p->nparams; i++) grad[i] = 0;
    for (size_t k = 0; k < p->npre; k++) {
        const ir_node *nd = &p->nodes[p->pre[k]];
        if (nd->code == OP_PARAM) grad[nd->index] = p->sadj[p->pre[k]];
    }
    return loss;
}

void prog_eval_rows(prog *p, const fit_data *d, const double *params, double *out) {
    run_pre(p, params, d->rows);
    const ir_node *r = &p->nodes[p->root];
    for (size_t start = 0; start < d->rows; start += PROG_CHUNK) {
        size_t m = d->rows - start < PROG_CHUNK ? d->rows - start : PROG_CHUNK;
        if (!r->row) {
            for (size_t i = 0; i < m; i++) out[start + i] = p->sv[p->root];
            continue;
        }
        load_columns(p, d, NULL, start, m);
        for (size_t k = 0; k < p->nrows; k++) kern_forward(p, p->rows[k], m);
        memcpy(out + start, p->rv[p->root], m * sizeof(double));
    }
}

size_t prog_op_count(const prog *p) {
    size_t ops = 0;
    for (size_t id = 0; id < p->n; id++) ops += !is_leaf(p->nodes[id].code);
    return ops;
}

void prog_free(prog *p) {
    if (p == NULL) return;
    if (p->bw)
        for (size_t j = 0; j < p->nreds; j++) free(p->bw[j]);
    free(p->bw);
    free(p->nbw);
    free(p->nodes);
    free(p->pre);
    free(p->rows);
    free(p->cols);
    free(p->reds);
    free(p->post);
    free(p->sv);
    free(p->sadj);
    free(p->sadj_red);
    free(p->red_sum);
    free(p->rv);
    free(p->radj);
    free(p->gbuf);
    free(p->adj_owned);
    free(p->arena);
    free(p->scratch);
    free(p);
}
