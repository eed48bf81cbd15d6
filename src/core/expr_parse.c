/* expr_parse.c - tokenizer and recursive-descent parser for expressions.
 * Recursion is bounded by EXPR_MAX_DEPTH and the tree by EXPR_MAX_NODES,
 * so hostile input cannot exhaust the stack or memory. */
#include "expr.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    int arity;
} fn_table[FN_COUNT] = {
    [FN_EXP] = {"exp", 1},         [FN_LOG] = {"log", 1},   [FN_SQRT] = {"sqrt", 1},
    [FN_ABS] = {"abs", 1},         [FN_SIN] = {"sin", 1},   [FN_COS] = {"cos", 1},
    [FN_TAN] = {"tan", 1},         [FN_TANH] = {"tanh", 1}, [FN_SIGMOID] = {"sigmoid", 1},
    [FN_SOFTPLUS] = {"softplus", 1}, [FN_POW] = {"pow", 2}, [FN_MIN] = {"min", 2},
    [FN_MAX] = {"max", 2},         [FN_MEAN] = {"mean", 1}, [FN_SUM] = {"sum", 1},
};

const char *expr_fn_name(expr_fn f) {
    return (unsigned)f < FN_COUNT ? fn_table[f].name : "?";
}

int expr_fn_arity(expr_fn f) {
    return (unsigned)f < FN_COUNT ? fn_table[f].arity : 0;
}

typedef enum { T_END = 0, T_NUM, T_NAME, T_OP, T_LPAR, T_RPAR, T_COMMA } tok_kind;

typedef struct parser {
    const char *src;
    size_t pos;     /* next byte to read */
    tok_kind tok;   /* current token */
    size_t tstart;  /* its first byte */
    size_t tlen;
    char op;        /* T_OP: one of + - * / ^ */
    double num;     /* T_NUM */
    int depth;
    expr_tree *t;
    fit_err *e;
} parser;

static int col_of(size_t at) {
    return (int)at + 1;
}

/* Reads the next token into p. Returns FIT_OK or an error for a bad byte
 * or a malformed number. */
static int next_token(parser *p) {
    const char *s = p->src;
    while (s[p->pos] == ' ' || s[p->pos] == '\t' || s[p->pos] == '\n' || s[p->pos] == '\r')
        p->pos++;
    p->tstart = p->pos;
    char c = s[p->pos];
    if (c == '\0') {
        p->tok = T_END;
        p->tlen = 0;
        return FIT_OK;
    }
    if (isdigit((unsigned char)c) || (c == '.' && isdigit((unsigned char)s[p->pos + 1]))) {
        size_t i = p->pos;
        while (isdigit((unsigned char)s[i])) i++;
        if (s[i] == '.') {
            i++;
            while (isdigit((unsigned char)s[i])) i++;
        }
        if (s[i] == 'e' || s[i] == 'E') {
            size_t j = i + 1;
            if (s[j] == '+' || s[j] == '-') j++;
            if (!isdigit((unsigned char)s[j]))
                return fit_err_set(p->e, FIT_EINVAL, col_of(p->tstart),
                                   "malformed number at column %d", col_of(p->tstart));
            while (isdigit((unsigned char)s[j])) j++;
            i = j;
        }
        if (isalpha((unsigned char)s[i]) || s[i] == '_' || s[i] == '.')
            return fit_err_set(p->e, FIT_EINVAL, col_of(p->tstart),
                               "malformed number at column %d", col_of(p->tstart));
        char buf[128];
        size_t len = i - p->pos;
        if (len >= sizeof buf)
            return fit_err_set(p->e, FIT_EINVAL, col_of(p->tstart),
                               "number too long at column %d", col_of(p->tstart));
        memcpy(buf, s + p->pos, len);
        buf[len] = '\0';
        errno = 0;
        p->num = strtod(buf, NULL);
        if (!isfinite(p->num))
            return fit_err_set(p->e, FIT_EINVAL, col_of(p->tstart),
                               "number out of range at column %d", col_of(p->tstart));
        p->tok = T_NUM;
        p->tlen = len;
        p->pos = i;
        return FIT_OK;
    }
    if (isalpha((unsigned char)c) || c == '_') {
        size_t i = p->pos;
        while (isalnum((unsigned char)s[i]) || s[i] == '_') i++;
        p->tlen = i - p->pos;
        if (p->tlen >= FIT_NAME_MAX)
            return fit_err_set(p->e, FIT_EINVAL, col_of(p->tstart),
                               "name longer than %d characters at column %d", FIT_NAME_MAX - 1,
                               col_of(p->tstart));
        p->tok = T_NAME;
        p->pos = i;
        return FIT_OK;
    }
    p->pos++;
    p->tlen = 1;
    switch (c) {
    case '+': case '-': case '*': case '/': case '^':
        p->tok = T_OP;
        p->op = c;
        return FIT_OK;
    case '(': p->tok = T_LPAR; return FIT_OK;
    case ')': p->tok = T_RPAR; return FIT_OK;
    case ',': p->tok = T_COMMA; return FIT_OK;
    default:
        break;
    }
    if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f)
        return fit_err_set(p->e, FIT_EINVAL, col_of(p->tstart),
                           "unexpected character '%c' at column %d", c, col_of(p->tstart));
    return fit_err_set(p->e, FIT_EINVAL, col_of(p->tstart),
                       "unexpected byte 0x%02x at column %d", (unsigned char)c,
                       col_of(p->tstart));
}

/* Appends a node; returns its index or -1 (error set) past the limits. */
static int add_node(parser *p, expr_node_kind kind, int column, int a, int b) {
    expr_tree *t = p->t;
    if (t->n >= EXPR_MAX_NODES) {
        fit_err_set(p->e, FIT_ELIMIT, column, "expression has more than %d terms",
                    EXPR_MAX_NODES);
        return -1;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 32;
        expr_node *nodes = realloc(t->nodes, cap * sizeof *nodes);
        if (nodes == NULL) {
            fit_err_set(p->e, FIT_ENOMEM, 0, "out of memory");
            return -1;
        }
        t->nodes = nodes;
        t->cap = cap;
    }
    expr_node *nd = &t->nodes[t->n];
    memset(nd, 0, sizeof *nd);
    nd->kind = kind;
    nd->column = column;
    nd->a = a;
    nd->b = b;
    return (int)t->n++;
}

static int parse_expr(parser *p);

/* What the parser found instead of what it wanted, for messages. */
static void describe_token(const parser *p, char *buf, size_t cap) {
    switch (p->tok) {
    case T_END: snprintf(buf, cap, "end of expression"); break;
    case T_NUM: snprintf(buf, cap, "number"); break;
    case T_NAME: snprintf(buf, cap, "name '%.*s'", (int)p->tlen, p->src + p->tstart); break;
    case T_OP: snprintf(buf, cap, "'%c'", p->op); break;
    case T_LPAR: snprintf(buf, cap, "'('"); break;
    case T_RPAR: snprintf(buf, cap, "')'"); break;
    case T_COMMA: snprintf(buf, cap, "','"); break;
    }
}

static int fail_expected(parser *p, const char *what) {
    char found[96];
    describe_token(p, found, sizeof found);
    int col = col_of(p->tstart);
    fit_err_set(p->e, FIT_EINVAL, col, "expected %s at column %d, found %s", what, col, found);
    return -1;
}

static int enter(parser *p) {
    if (++p->depth > EXPR_MAX_DEPTH) {
        int col = col_of(p->tstart);
        fit_err_set(p->e, FIT_ELIMIT, col, "expression nested deeper than %d at column %d",
                    EXPR_MAX_DEPTH, col);
        return -1;
    }
    return 0;
}

/* name '(' args ')' : the current token is '(' after a function name. */
static int parse_call(parser *p, size_t name_start, size_t name_len) {
    int col = col_of(name_start);
    int fn = -1;
    for (int f = 0; f < FN_COUNT; f++)
        if (strlen(fn_table[f].name) == name_len &&
            memcmp(fn_table[f].name, p->src + name_start, name_len) == 0)
            fn = f;
    if (fn < 0) {
        fit_err_set(p->e, FIT_EINVAL, col, "unknown function '%.*s' at column %d", (int)name_len,
                    p->src + name_start, col);
        return -1;
    }
    if (next_token(p)) return -1;
    int args[2] = {-1, -1}, nargs = 0;
    for (;;) {
        int arg = parse_expr(p);
        if (arg < 0) return -1;
        if (nargs < 2) args[nargs] = arg;
        nargs++;
        if (p->tok == T_COMMA) {
            if (next_token(p)) return -1;
            continue;
        }
        if (p->tok != T_RPAR) return fail_expected(p, "',' or ')'");
        break;
    }
    if (nargs != fn_table[fn].arity) {
        fit_err_set(p->e, FIT_EINVAL, col, "%s() takes %d argument%s, got %d at column %d",
                    fn_table[fn].name, fn_table[fn].arity, fn_table[fn].arity == 1 ? "" : "s",
                    nargs, col);
        return -1;
    }
    if (next_token(p)) return -1;
    int id = add_node(p, EN_CALL, col, args[0], args[1]);
    if (id >= 0) p->t->nodes[id].fn = (expr_fn)fn;
    return id;
}

static int parse_primary(parser *p) {
    int col = col_of(p->tstart);
    if (p->tok == T_NUM) {
        double v = p->num;
        if (next_token(p)) return -1;
        int id = add_node(p, EN_NUM, col, -1, -1);
        if (id >= 0) p->t->nodes[id].num = v;
        return id;
    }
    if (p->tok == T_NAME) {
        size_t start = p->tstart, len = p->tlen;
        if (next_token(p)) return -1;
        if (p->tok == T_LPAR) {
            if (enter(p)) return -1;
            int id = parse_call(p, start, len);
            p->depth--;
            return id;
        }
        int id = add_node(p, EN_NAME, col, -1, -1);
        if (id >= 0) {
            memcpy(p->t->nodes[id].name, p->src + start, len);
            p->t->nodes[id].name[len] = '\0';
        }
        return id;
    }
    if (p->tok == T_LPAR) {
        if (enter(p)) return -1;
        if (next_token(p)) return -1;
        int id = parse_expr(p);
        if (id < 0) return -1;
        if (p->tok != T_RPAR) return fail_expected(p, "')'");
        if (next_token(p)) return -1;
        p->depth--;
        return id;
    }
    return fail_expected(p, "a number, a name or '('");
}

static int parse_unary(parser *p);

static int parse_power(parser *p) {
    int base = parse_primary(p);
    if (base < 0) return -1;
    if (p->tok == T_OP && p->op == '^') {
        int col = col_of(p->tstart);
        if (enter(p)) return -1;
        if (next_token(p)) return -1;
        int exponent = parse_unary(p);
        p->depth--;
        if (exponent < 0) return -1;
        return add_node(p, EN_POW, col, base, exponent);
    }
    return base;
}

static int parse_unary(parser *p) {
    if (p->tok == T_OP && (p->op == '-' || p->op == '+')) {
        int col = col_of(p->tstart);
        char op = p->op;
        if (enter(p)) return -1;
        if (next_token(p)) return -1;
        int a = parse_unary(p);
        p->depth--;
        if (a < 0) return -1;
        return op == '-' ? add_node(p, EN_NEG, col, a, -1) : a;
    }
    return parse_power(p);
}

static int parse_term(parser *p) {
    int left = parse_unary(p);
    while (left >= 0 && p->tok == T_OP && (p->op == '*' || p->op == '/')) {
        int col = col_of(p->tstart);
        expr_node_kind k = p->op == '*' ? EN_MUL : EN_DIV;
        if (next_token(p)) return -1;
        int right = parse_unary(p);
        if (right < 0) return -1;
        left = add_node(p, k, col, left, right);
    }
    return left;
}

static int parse_expr(parser *p) {
    int left = parse_term(p);
    while (left >= 0 && p->tok == T_OP && (p->op == '+' || p->op == '-')) {
        int col = col_of(p->tstart);
        expr_node_kind k = p->op == '+' ? EN_ADD : EN_SUB;
        if (next_token(p)) return -1;
        int right = parse_term(p);
        if (right < 0) return -1;
        left = add_node(p, k, col, left, right);
    }
    return left;
}

int expr_parse(const char *src, expr_tree *t, fit_err *e) {
    size_t len = strnlen(src, EXPR_MAX_LEN + 1);
    if (len > EXPR_MAX_LEN)
        return fit_err_set(e, FIT_ELIMIT, 0, "expression longer than %d bytes", EXPR_MAX_LEN);
    parser p = {.src = src, .t = t, .e = e};
    t->n = 0;
    t->root = -1;
    if (next_token(&p)) return e ? e->code : FIT_EINVAL;
    if (p.tok == T_END) return fit_err_set(e, FIT_EINVAL, 1, "empty expression");
    int root = parse_expr(&p);
    if (root < 0) return e ? e->code : FIT_EINVAL;
    if (p.tok != T_END) {
        fail_expected(&p, "an operator or the end");
        return FIT_EINVAL;
    }
    t->root = root;
    return FIT_OK;
}

void expr_tree_free(expr_tree *t) {
    if (t == NULL) return;
    free(t->nodes);
    t->nodes = NULL;
    t->n = t->cap = 0;
}
