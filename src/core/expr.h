/* expr.h - the expression language's syntax tree and parser.
 *
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/') unary)*
 *   unary   := ('-' | '+') unary | power
 *   power   := primary ('^' unary)?          right-associative; -a^2 = -(a^2)
 *   primary := number | name | name '(' expr (',' expr)* ')' | '(' expr ')'
 *
 * Names are resolved later, by the compiler; the parser only checks
 * function names and their arity. */
#ifndef FIT_EXPR_H
#define FIT_EXPR_H

#include <stddef.h>

#include "data.h"
#include "err.h"

#define EXPR_MAX_LEN 65536  /* bytes of source text */
#define EXPR_MAX_DEPTH 200  /* nesting of parentheses, calls, unary ops, powers */
#define EXPR_MAX_NODES 8192 /* nodes in one tree */

typedef enum {
    EN_NUM = 0,
    EN_NAME,
    EN_NEG,
    EN_ADD,
    EN_SUB,
    EN_MUL,
    EN_DIV,
    EN_POW,
    EN_CALL
} expr_node_kind;

typedef enum {
    FN_EXP = 0,
    FN_LOG,
    FN_SQRT,
    FN_ABS,
    FN_SIN,
    FN_COS,
    FN_TAN,
    FN_TANH,
    FN_SIGMOID,
    FN_SOFTPLUS,
    FN_POW,
    FN_MIN,
    FN_MAX,
    FN_MEAN,
    FN_SUM,
    FN_COUNT
} expr_fn;

typedef struct expr_node {
    expr_node_kind kind;
    expr_fn fn;     /* EN_CALL */
    int column;     /* 1-based column of the token that made the node */
    int a, b;       /* child indices (-1 = none); unary ops and 1-arg calls use a */
    double num;     /* EN_NUM */
    char name[FIT_NAME_MAX]; /* EN_NAME */
} expr_node;

/* A parsed expression: nodes[root] is the top. Children precede parents. */
typedef struct expr_tree {
    expr_node *nodes;
    size_t n, cap;
    int root;
} expr_tree;

/* Parses src into t (which the caller zero-initialises and later frees with
 * expr_tree_free, also after a failure). Returns FIT_OK, FIT_EINVAL with
 * e->column and a message such as "expected ')' at column 9", or
 * FIT_ELIMIT past EXPR_MAX_LEN / EXPR_MAX_DEPTH / EXPR_MAX_NODES. */
int expr_parse(const char *src, expr_tree *t, fit_err *e);
void expr_tree_free(expr_tree *t); /* NULL-safe */

/* Name of a function ("exp") and its number of arguments. */
const char *expr_fn_name(expr_fn f);
int expr_fn_arity(expr_fn f);

#endif
