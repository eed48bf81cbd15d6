/* prog_internal.h - the compiled program's representation, shared by the
 * builder (prog_build.c), the kernels (prog_kernels.c) and the runner
 * (prog_run.c). Not for use outside src/core/prog_*.c. */
#ifndef FIT_PROG_INTERNAL_H
#define FIT_PROG_INTERNAL_H

#include <stddef.h>

#include "prog.h"

/* Rows per chunk: a chunk's row values and adjoints stay in L1/L2 while its
 * forward and backward pass run. */
#define PROG_CHUNK 512

typedef enum {
    /* leaves */
    OP_CONST = 0, /* k */
    OP_PARAM,     /* params[index] */
    OP_COLUMN,    /* data column index, one value per row */
    OP_BATCH_N,   /* rows in the current batch (a scalar) */
    /* elementwise, on rows or scalars */
    OP_NEG,
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_POW,
    OP_SQUARE,
    OP_EXP,
    OP_LOG,
    OP_SQRT,
    OP_ABS,
    OP_SIN,
    OP_COS,
    OP_TAN,
    OP_TANH,
    OP_SIGMOID,
    OP_SOFTPLUS,
    OP_MIN,
    OP_MAX,
    OP_AXPB,  /* a*b + c with a a row, b a scalar, c a row or scalar (fused) */
    OP_AXPBZ, /* a*b + c - d: an axpb minus a row d (fused; rows only) */
    /* reductions over the rows of a batch: scalars */
    OP_SUM,   /* sum of a */
    OP_SUMSQ, /* sum of a*a (fused SUM of SQUARE) */
    OP_COUNT
} op_code;

typedef struct ir_node {
    op_code code;
    int a, b, c, d; /* operand node ids, -1 when absent (d: OP_AXPBZ only) */
    double k;      /* OP_CONST */
    int index;     /* OP_PARAM: parameter; OP_COLUMN: data column; reductions: slot */
    int column;    /* source column for messages */
    unsigned char row;     /* one value per row (else a scalar) */
    unsigned char reduced; /* depends on a reduction: runs after the chunks */
    unsigned char grad;    /* depends on a parameter: needs an adjoint */
    int uses;      /* consumers among live nodes */
    unsigned char seed_in_place; /* OP_SUMSQ whose operand's values serve as
                                    its adjoint seed (times 2, applied at the end) */
} ir_node;

struct prog {
    prog_mode mode;
    ir_node *nodes; /* in topological order: operands before users */
    size_t n;
    int root;
    size_t nparams;
    size_t ncols_data; /* columns the data had at compile time */

    /* schedules (node ids, in forward order) */
    int *pre;   size_t npre;   /* scalars before the chunks (params, consts, their functions) */
    int *rows;  size_t nrows;  /* row ops per chunk (columns excluded) */
    int *cols;  size_t ncols;  /* OP_COLUMN nodes */
    int *reds;  size_t nreds;  /* reductions */
    int *post;  size_t npost;  /* scalars after the chunks */
    int **bw;   size_t *nbw;   /* bw[j]: row ops in reduction j's cone that need
                                  adjoints, in forward order (run backwards) */

    /* storage, all owned, allocated once at compile time */
    double *sv;       /* [n] scalar values */
    double *sadj;     /* [n] scalar adjoints */
    double *sadj_red; /* [nreds * n]: d R_j / d scalar node, summed over the batch */
    double *red_sum;  /* [nreds] */
    double **rv;      /* [n] row value of a node over the current chunk */
    double **radj;    /* [n] row adjoint buffers (NULL when not needed) */
    double **gbuf;    /* [n] a column's gather buffer, for batches given by index */
    unsigned char *adj_owned; /* [n] radj[id] is its own buffer (not a consumer's) */
    double *arena;    /* the chunk buffers behind rv and radj */
    double *scratch;  /* [3 * PROG_CHUNK]: broadcast operands, scalar-adjoint terms */
};

/* Scalar semantics of every elementwise op, shared by constant folding,
 * the scalar schedules and the row kernels, so all three agree. */
double op_eval(op_code code, double a, double b, double c);
/* Partial derivatives of op's output by its operands at (a, b, c) with
 * output value out. */
void op_partials(op_code code, double a, double b, double c, double out, double *da,
                 double *db, double *dc);
const char *op_name(op_code code);

/* Row kernels: forward computes rv[id] for m rows; backward adds the
 * adjoint of each operand: row operands into radj[...], scalar operands
 * into sacc[operand] (a sum over the m rows in a fixed order). */
void kern_forward(struct prog *p, int id, size_t m);
void kern_backward(struct prog *p, int id, size_t m, double *sacc);
/* Sum of x[0..m) in a fixed order (8 lanes, then the lanes in order). */
double kern_sum(const double *x, size_t m);
double kern_sumsq(const double *x, size_t m);
/* kern_sumsq that also writes the adjoint seed g[i] = 2*x[i]. */
double kern_sumsq_seed(const double *x, double *g, size_t m);

#endif
