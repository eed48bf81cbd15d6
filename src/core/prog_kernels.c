/* prog_kernels.c - the math of every op: scalar semantics and partials
 * (one definition, used by folding and the scalar schedules), and the row
 * kernels that run an op's forward and backward over one chunk. Forward
 * and backward of an op sit next to each other. */
#include <math.h>
#include <string.h>

#include "prog_internal.h"

/* Hot kernels get an AVX2 clone on x86-64 GCC builds; the default clone
 * runs everywhere. Lanes are explicit, so both clones give the same bits. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define FIT_HOT __attribute__((target_clones("avx2", "default")))
#else
#define FIT_HOT
#endif

static const char *const op_names[OP_COUNT] = {
    "const", "param", "column", "batch_n", "neg",  "add",     "sub",      "mul",
    "div",   "pow",   "square", "exp",     "log",  "sqrt",    "abs",      "sin",
    "cos",   "tan",   "tanh",   "sigmoid", "softplus", "min", "max",      "axpb",
    "axpbz", "sum",   "sumsq",
};

const char *op_name(op_code code) {
    return (unsigned)code < OP_COUNT ? op_names[code] : "?";
}

/* Stable forms: no overflow for large |x|. */
static inline double f_sigmoid(double x) {
    if (x >= 0) return 1.0 / (1.0 + exp(-x));
    double z = exp(x);
    return z / (1.0 + z);
}

static inline double f_softplus(double x) {
    return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

double op_eval(op_code code, double a, double b, double c) {
    switch (code) {
    case OP_NEG: return -a;
    case OP_ADD: return a + b;
    case OP_SUB: return a - b;
    case OP_MUL: return a * b;
    case OP_DIV: return a / b;
    case OP_POW: return pow(a, b);
    case OP_SQUARE: return a * a;
    case OP_EXP: return exp(a);
    case OP_LOG: return log(a);
    case OP_SQRT: return sqrt(a);
    case OP_ABS: return fabs(a);
    case OP_SIN: return sin(a);
    case OP_COS: return cos(a);
    case OP_TAN: return tan(a);
    case OP_TANH: return tanh(a);
    case OP_SIGMOID: return f_sigmoid(a);
    case OP_SOFTPLUS: return f_softplus(a);
    case OP_MIN: return a <= b ? a : b;
    case OP_MAX: return a >= b ? a : b;
    case OP_AXPB: return a * b + c;
    default: return NAN;
    }
}

/* d out/d b of pow: out*log(a); 0 where out is 0 (a = 0, b > 0). */
static inline double pow_db(double a, double out) {
    return out == 0 ? 0.0 : out * log(a);
}

void op_partials(op_code code, double a, double b, double c, double out, double *da, double *db,
                 double *dc) {
    (void)c;
    *da = *db = *dc = 0;
    switch (code) {
    case OP_NEG: *da = -1; break;
    case OP_ADD: *da = 1; *db = 1; break;
    case OP_SUB: *da = 1; *db = -1; break;
    case OP_MUL: *da = b; *db = a; break;
    case OP_DIV: *da = 1 / b; *db = -out / b; break;
    case OP_POW: *da = b * pow(a, b - 1); *db = pow_db(a, out); break;
    case OP_SQUARE: *da = 2 * a; break;
    case OP_EXP: *da = out; break;
    case OP_LOG: *da = 1 / a; break;
    case OP_SQRT: *da = 0.5 / out; break;
    case OP_ABS: *da = a > 0 ? 1 : (a < 0 ? -1 : 0); break;
    case OP_SIN: *da = cos(a); break;
    case OP_COS: *da = -sin(a); break;
    case OP_TAN: *da = 1 + out * out; break;
    case OP_TANH: *da = 1 - out * out; break;
    case OP_SIGMOID: *da = out * (1 - out); break;
    case OP_SOFTPLUS: *da = f_sigmoid(a); break;
    case OP_MIN: *da = a <= b ? 1 : 0; *db = a <= b ? 0 : 1; break;
    case OP_MAX: *da = a >= b ? 1 : 0; *db = a >= b ? 0 : 1; break;
    case OP_AXPB: *da = b; *db = a; *dc = 1; break;
    default: break;
    }
}

/* Reductions run 16 lanes as four 4-double vectors (GCC/clang vector
 * extensions), combined in one fixed order, then the tail: the same bits
 * on every x86-64, whatever width the clone uses, and fast without
 * -ffast-math. */
typedef double v4d __attribute__((vector_size(32)));
/* The v4d helpers are static inline and never cross an ABI boundary, so
 * GCC's note that their by-value vectors change the ABI without AVX is moot. */
#pragma GCC diagnostic ignored "-Wpsabi"

static inline v4d load4(const double *p) {
    v4d v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void store4(double *p, const v4d *v) {
    memcpy(p, v, sizeof *v);
}

static inline double combine(const v4d *a0, const v4d *a1, const v4d *a2, const v4d *a3,
                             double tail) {
    v4d t = (*a0 + *a1) + (*a2 + *a3);
    return ((t[0] + t[1]) + (t[2] + t[3])) + tail;
}

FIT_HOT double kern_sum(const double *x, size_t m) {
    v4d a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    size_t i = 0;
    for (; i + 16 <= m; i += 16) {
        a0 += load4(x + i);
        a1 += load4(x + i + 4);
        a2 += load4(x + i + 8);
        a3 += load4(x + i + 12);
    }
    double tail = 0;
    for (; i < m; i++) tail += x[i];
    return combine(&a0, &a1, &a2, &a3, tail);
}

FIT_HOT double kern_sumsq(const double *x, size_t m) {
    v4d a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    size_t i = 0;
    for (; i + 16 <= m; i += 16) {
        v4d x0 = load4(x + i), x1 = load4(x + i + 4), x2 = load4(x + i + 8), x3 = load4(x + i + 12);
        a0 += x0 * x0;
        a1 += x1 * x1;
        a2 += x2 * x2;
        a3 += x3 * x3;
    }
    double tail = 0;
    for (; i < m; i++) tail += x[i] * x[i];
    return combine(&a0, &a1, &a2, &a3, tail);
}

FIT_HOT double kern_sumsq_seed(const double *restrict x, double *restrict g, size_t m) {
    v4d a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    size_t i = 0;
    for (; i + 16 <= m; i += 16) {
        v4d x0 = load4(x + i), x1 = load4(x + i + 4), x2 = load4(x + i + 8), x3 = load4(x + i + 12);
        a0 += x0 * x0;
        a1 += x1 * x1;
        a2 += x2 * x2;
        a3 += x3 * x3;
        { v4d t = 2.0 * x0; store4(g + i, &t); }
        { v4d t = 2.0 * x1; store4(g + i + 4, &t); }
        { v4d t = 2.0 * x2; store4(g + i + 8, &t); }
        { v4d t = 2.0 * x3; store4(g + i + 12, &t); }
    }
    double tail = 0;
    for (; i < m; i++) {
        tail += x[i] * x[i];
        g[i] = 2.0 * x[i];
    }
    return combine(&a0, &a1, &a2, &a3, tail);
}

/* sum of g[i]*x[i] into *dot and of g[i] into *sum, in one pass. */
static inline void kern_dot_sum(const double *restrict g, const double *restrict x, size_t m,
                                double *dot, double *sum) {
    v4d d0 = {0}, d1 = {0}, d2 = {0}, d3 = {0}, s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
    size_t i = 0;
    for (; i + 16 <= m; i += 16) {
        v4d g0 = load4(g + i), g1 = load4(g + i + 4), g2 = load4(g + i + 8), g3 = load4(g + i + 12);
        d0 += g0 * load4(x + i);
        d1 += g1 * load4(x + i + 4);
        d2 += g2 * load4(x + i + 8);
        d3 += g3 * load4(x + i + 12);
        s0 += g0;
        s1 += g1;
        s2 += g2;
        s3 += g3;
    }
    double td = 0, ts = 0;
    for (; i < m; i++) {
        td += g[i] * x[i];
        ts += g[i];
    }
    *dot = combine(&d0, &d1, &d2, &d3, td);
    *sum = combine(&s0, &s1, &s2, &s3, ts);
}

/* sum of x[i]*y[i] in kern_sum's order. */
static inline double kern_dot(const double *restrict x, const double *restrict y, size_t m) {
    v4d a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    size_t i = 0;
    for (; i + 16 <= m; i += 16) {
        a0 += load4(x + i) * load4(y + i);
        a1 += load4(x + i + 4) * load4(y + i + 4);
        a2 += load4(x + i + 8) * load4(y + i + 8);
        a3 += load4(x + i + 12) * load4(y + i + 12);
    }
    double tail = 0;
    for (; i < m; i++) tail += x[i] * y[i];
    return combine(&a0, &a1, &a2, &a3, tail);
}

/* An operand's values over the chunk: its row buffer, or (for a scalar)
 * the value broadcast into scratch buffer `slot`. */
static const double *operand(struct prog *p, int x, size_t m, int slot) {
    if (p->nodes[x].row) return p->rv[x];
    double *buf = p->scratch + (size_t)slot * PROG_CHUNK, v = p->sv[x];
    for (size_t i = 0; i < m; i++) buf[i] = v;
    return buf;
}

FIT_HOT void kern_forward(struct prog *p, int id, size_t m) {
    const ir_node *nd = &p->nodes[id];
    double *restrict out = p->rv[id];
    int ar = nd->a >= 0 && p->nodes[nd->a].row;
    int br = nd->b >= 0 && p->nodes[nd->b].row;
    const double *restrict a = ar ? p->rv[nd->a] : NULL;
    const double *restrict b = br ? p->rv[nd->b] : NULL;
    double as = nd->a >= 0 ? p->sv[nd->a] : 0, bs = nd->b >= 0 ? p->sv[nd->b] : 0;
    switch (nd->code) {
    case OP_NEG:
        for (size_t i = 0; i < m; i++) out[i] = -a[i];
        return;
    case OP_ADD: /* the builder puts a row operand first */
        if (br) for (size_t i = 0; i < m; i++) out[i] = a[i] + b[i];
        else for (size_t i = 0; i < m; i++) out[i] = a[i] + bs;
        return;
    case OP_SUB:
        if (ar && br) for (size_t i = 0; i < m; i++) out[i] = a[i] - b[i];
        else if (ar) for (size_t i = 0; i < m; i++) out[i] = a[i] - bs;
        else for (size_t i = 0; i < m; i++) out[i] = as - b[i];
        return;
    case OP_MUL:
        if (br) for (size_t i = 0; i < m; i++) out[i] = a[i] * b[i];
        else for (size_t i = 0; i < m; i++) out[i] = a[i] * bs;
        return;
    case OP_DIV:
        if (ar && br) for (size_t i = 0; i < m; i++) out[i] = a[i] / b[i];
        else if (ar) for (size_t i = 0; i < m; i++) out[i] = a[i] / bs;
        else for (size_t i = 0; i < m; i++) out[i] = as / b[i];
        return;
    case OP_SQUARE:
        for (size_t i = 0; i < m; i++) out[i] = a[i] * a[i];
        return;
    case OP_AXPB: {
        int cr = p->nodes[nd->c].row;
        if (cr) {
            const double *restrict c = p->rv[nd->c];
            for (size_t i = 0; i < m; i++) out[i] = a[i] * bs + c[i];
        } else {
            double cs = p->sv[nd->c];
            for (size_t i = 0; i < m; i++) out[i] = a[i] * bs + cs;
        }
        return;
    }
    case OP_AXPBZ: {
        const double *restrict z = p->rv[nd->d];
        if (p->nodes[nd->c].row) {
            const double *restrict c = p->rv[nd->c];
            for (size_t i = 0; i < m; i++) out[i] = a[i] * bs + c[i] - z[i];
        } else {
            double cs = p->sv[nd->c];
            for (size_t i = 0; i < m; i++) out[i] = a[i] * bs + cs - z[i];
        }
        return;
    }
    case OP_EXP: for (size_t i = 0; i < m; i++) out[i] = exp(a[i]); return;
    case OP_LOG: for (size_t i = 0; i < m; i++) out[i] = log(a[i]); return;
    case OP_SQRT: for (size_t i = 0; i < m; i++) out[i] = sqrt(a[i]); return;
    case OP_ABS: for (size_t i = 0; i < m; i++) out[i] = fabs(a[i]); return;
    case OP_SIN: for (size_t i = 0; i < m; i++) out[i] = sin(a[i]); return;
    case OP_COS: for (size_t i = 0; i < m; i++) out[i] = cos(a[i]); return;
    case OP_TAN: for (size_t i = 0; i < m; i++) out[i] = tan(a[i]); return;
    case OP_TANH: for (size_t i = 0; i < m; i++) out[i] = tanh(a[i]); return;
    case OP_SIGMOID: for (size_t i = 0; i < m; i++) out[i] = f_sigmoid(a[i]); return;
    case OP_SOFTPLUS: for (size_t i = 0; i < m; i++) out[i] = f_softplus(a[i]); return;
    default: {
        /* pow, min, max: either operand may be a scalar */
        const double *x = operand(p, nd->a, m, 0), *y = operand(p, nd->b, m, 1);
        for (size_t i = 0; i < m; i++) out[i] = op_eval(nd->code, x[i], y[i], 0);
        return;
    }
    }
}

/* Adds sign*g to operand x's adjoint: a row's buffer, or a scalar's sum.
 * An operand sharing g's buffer (see pass_through_consumer) has it already. */
static void grad_pass(struct prog *p, int x, const double *g, double sign, size_t m,
                      double *sacc) {
    if (x < 0 || !p->nodes[x].grad || p->radj[x] == g) return;
    if (p->nodes[x].row) {
        double *restrict gx = p->radj[x];
        if (sign > 0) for (size_t i = 0; i < m; i++) gx[i] += g[i];
        else for (size_t i = 0; i < m; i++) gx[i] -= g[i];
    } else {
        sacc[x] += sign * kern_sum(g, m);
    }
}

/* Adds g*o to operand x's adjoint, o being operand y's values (row or scalar). */
static void grad_times(struct prog *p, int x, const double *restrict g, int y, size_t m,
                       double *sacc) {
    if (x < 0 || !p->nodes[x].grad) return;
    int yr = p->nodes[y].row;
    if (p->nodes[x].row) {
        double *restrict gx = p->radj[x];
        if (yr) {
            const double *restrict o = p->rv[y];
            for (size_t i = 0; i < m; i++) gx[i] += g[i] * o[i];
        } else {
            double s = p->sv[y];
            for (size_t i = 0; i < m; i++) gx[i] += g[i] * s;
        }
    } else {
        sacc[x] += yr ? kern_dot(g, p->rv[y], m) : p->sv[y] * kern_sum(g, m);
    }
}

/* Adds a precomputed contribution t[0..m) to operand x's adjoint. */
static void grad_add(struct prog *p, int x, const double *restrict t, size_t m, double *sacc) {
    grad_pass(p, x, t, 1.0, m, sacc);
}

FIT_HOT void kern_backward(struct prog *p, int id, size_t m, double *sacc) {
    const ir_node *nd = &p->nodes[id];
    const double *restrict g = p->radj[id];
    const double *restrict out = p->rv[id];
    double *restrict t = p->scratch + 2 * PROG_CHUNK; /* a contribution */
    int xa = nd->a, xb = nd->b;
    switch (nd->code) {
    case OP_NEG: grad_pass(p, xa, g, -1.0, m, sacc); return;
    case OP_ADD: grad_pass(p, xa, g, 1.0, m, sacc); grad_pass(p, xb, g, 1.0, m, sacc); return;
    case OP_SUB: grad_pass(p, xa, g, 1.0, m, sacc); grad_pass(p, xb, g, -1.0, m, sacc); return;
    case OP_MUL: grad_times(p, xa, g, xb, m, sacc); grad_times(p, xb, g, xa, m, sacc); return;
    case OP_AXPB:
    case OP_AXPBZ:
        grad_pass(p, nd->d, g, -1.0, m, sacc);
        if (!p->nodes[xa].grad && p->nodes[xb].grad && !p->nodes[nd->c].row &&
            p->nodes[nd->c].grad) {
            /* m*x + b over a data column: both scalar adjoints in one pass */
            double dot, sum;
            kern_dot_sum(g, p->rv[xa], m, &dot, &sum);
            sacc[xb] += dot;
            sacc[nd->c] += sum;
            return;
        }
        grad_times(p, xa, g, xb, m, sacc);
        grad_times(p, xb, g, xa, m, sacc);
        grad_pass(p, nd->c, g, 1.0, m, sacc);
        return;
    case OP_SQUARE: {
        if (!p->nodes[xa].grad) return;
        const double *restrict a = p->rv[xa];
        for (size_t i = 0; i < m; i++) t[i] = 2.0 * a[i] * g[i];
        grad_add(p, xa, t, m, sacc);
        return;
    }
    case OP_EXP:
        grad_times(p, xa, g, id, m, sacc);
        return;
    default:
        break;
    }
    /* General case: d out / d operand per row, times g. */
    const double *x = operand(p, xa, m, 0);
    const double *y = xb >= 0 ? operand(p, xb, m, 1) : x;
    int need_a = p->nodes[xa].grad, need_b = xb >= 0 && p->nodes[xb].grad;
    if (need_a) {
        switch (nd->code) {
        case OP_DIV: for (size_t i = 0; i < m; i++) t[i] = g[i] / y[i]; break;
        case OP_LOG: for (size_t i = 0; i < m; i++) t[i] = g[i] / x[i]; break;
        case OP_SQRT: for (size_t i = 0; i < m; i++) t[i] = g[i] * 0.5 / out[i]; break;
        case OP_TANH: for (size_t i = 0; i < m; i++) t[i] = g[i] * (1 - out[i] * out[i]); break;
        case OP_SIGMOID: for (size_t i = 0; i < m; i++) t[i] = g[i] * out[i] * (1 - out[i]); break;
        default:
            for (size_t i = 0; i < m; i++) {
                double da, db, dc;
                op_partials(nd->code, x[i], y[i], 0, out[i], &da, &db, &dc);
                t[i] = g[i] * da;
            }
        }
        grad_add(p, xa, t, m, sacc);
    }
    if (need_b) {
        if (nd->code == OP_DIV) {
            for (size_t i = 0; i < m; i++) t[i] = -g[i] * out[i] / y[i];
        } else {
            for (size_t i = 0; i < m; i++) {
                double da, db, dc;
                op_partials(nd->code, x[i], y[i], 0, out[i], &da, &db, &dc);
                t[i] = g[i] * db;
            }
        }
        grad_add(p, xb, t, m, sacc);
    }
}
