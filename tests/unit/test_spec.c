/* test_spec.c - the spec reader's errors: for each bad spec the status, the
 * exact JSON pointer, the detail (a substring) and the expression column;
 * several errors reported at once; the problem+json rendering. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "service/jptr.h"
#include "service/problem.h"
#include "service/spec_json.h"

/* Reads and resolves text as `fitd fit` does (no stored datasets). */
static int check_spec(const char *text, job_spec *js, problem *p) {
    job_spec_init(js);
    problem_init(p);
    if (spec_parse(text, strlen(text), js, p) != 0) return -1;
    return spec_resolve(js, NULL, p);
}

typedef struct bad_case {
    const char *json;
    int status;
    const char *pointer; /* NULL for a 400 */
    const char *detail;  /* a substring of the entry's (or the document's) detail */
    int column;          /* expression column, 0 = none */
} bad_case;

#define GEN "\"data\": {\"generate\": {\"kind\": \"linear\"}}" /* x, y; 100 rows */
#define GAUSS "\"data\": {\"generate\": {\"kind\": \"gaussian\", \"n\": 10}}"
#define EXPR(pred, params)                                                                         \
    "\"model\": {\"kind\": \"expression\", \"predict\": \"" pred "\", \"params\": " params "}"

static const bad_case cases[] = {
    /* malformed JSON: 400 with line and column */
    {"{\"a\": 1, \"a\": 2}", 400, NULL, "duplicate object key", 0},
    {"{\"epochs\": NaN}", 400, NULL, "invalid token", 0},
    {"{\"epochs\": Infinity}", 400, NULL, "invalid token", 0},
    {"{\"epochs\": 1} {}", 400, NULL, "end of file expected", 0},
    {"{\"epochs\": 1e999}", 400, NULL, "overflow", 0},
    {"", 400, NULL, "expected", 0},
    /* the document and the data */
    {"[1]", 422, "", "must be an object", 0},
    {"{}", 422, "/data", "is required", 0},
    {"{" GEN ", \"dataset\": \"d1\"}", 422, "/dataset", "not both", 0},
    {"{\"dataset\": \"a/b\"}", 422, "/dataset", "must be a dataset id", 0},
    {"{\"data\": {}}", 422, "/data", "needs columns or generate", 0},
    {"{\"data\": {\"colums\": {}}}", 422, "/data/colums", "did you mean 'columns'?", 0},
    {"{\"data\": {\"columns\": {\"x\": [1, 2, 3], \"y\": [1, 2]}}}", 422, "/data/columns/y",
     "has 2 rows; column 'x' has 3", 0},
    {"{\"data\": {\"columns\": {\"1x\": [1], \"y\": [1]}}}", 422, "/data/columns/1x",
     "not a valid column name", 0},
    {"{\"data\": {\"columns\": {\"x\": [1, \"2\", 3], \"y\": [1, 2, 3]}}}", 422,
     "/data/columns/x/1", "must be a number", 0},
    {"{\"data\": {\"columns\": {\"x\": [], \"y\": []}}}", 422, "/data/columns/x", "at least 1 row",
     0},
    {"{\"data\": {\"columns\": {\"x\": 3}}}", 422, "/data/columns/x", "must be an array", 0},
    {"{\"data\": {\"generate\": {\"kind\": \"poisson\"}}}", 422, "/data/generate/kind",
     "unknown generator 'poisson'", 0},
    {"{\"data\": {\"generate\": {\"n\": 10}}}", 422, "/data/generate/kind", "is required", 0},
    {"{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 0}}}", 422, "/data/generate/n",
     "must be an integer between 1 and 100000000", 0},
    {"{\"data\": {\"generate\": {\"kind\": \"linear\", \"x_min\": 3, \"x_max\": 1}}}", 422,
     "/data/generate/x_max", "must be >= x_min", 0},
    {"{\"data\": {\"generate\": {\"kind\": \"linear\", \"sigma\": 1}}}", 422,
     "/data/generate/sigma", "unknown field for generator 'linear'", 0},
    {"{\"data\": {\"generate\": {\"kind\": \"gaussian\", \"sigma\": 0}}}", 422,
     "/data/generate/sigma", "must be > 0", 0},
    {"{\"data\": {\"generate\": {\"kind\": \"gaussian\", \"seed\": 9007199254740993}}}", 422,
     "/data/generate/seed", "between 0 and 9007199254740992", 0},
    /* the model */
    {"{" GEN ", \"model\": {\"kind\": \"cubic\"}}", 422, "/model/kind",
     "unknown model kind 'cubic'; expected one of linear, gaussian, expression", 0},
    {"{" GEN ", \"model\": \"expression\"}", 422, "/model", "needs an object", 0},
    {"{" GEN ", \"model\": {\"kind\": \"linear\", \"x\": \"z\"}}", 422, "/model/x",
     "unknown column 'z'; the data has x, y", 0},
    {"{" GEN ", \"model\": {\"kind\": \"linear\", \"x\": [\"x\", \"w\"]}}", 422, "/model/x/1",
     "unknown column 'w'", 0},
    {"{" GEN ", \"model\": {\"kind\": \"linear\", \"x\": [\"x\", \"x\"]}}", 422, "/model/x/1",
     "listed twice", 0},
    {"{" GEN ", \"model\": {\"kind\": \"linear\", \"y\": \"target\"}}", 422, "/model/y",
     "unknown column 'target'", 0},
    {"{" GEN ", \"model\": {\"kind\": \"linear\", \"x\": 3}}", 422, "/model/x", "must be a string",
     0},
    {"{" GEN ", \"model\": {\"kind\": \"gaussian\", \"y\": \"y\"}}", 422, "/model/y",
     "unknown field for model 'gaussian'", 0},
    {"{" GEN ", " EXPR("a*exp(-bb*x)", "[\"a\", \"b\"]") "}", 422, "/model/predict",
     "unknown name 'bb'", 8},
    {"{" GEN ", " EXPR("a*x +", "[\"a\"]") "}", 422, "/model/predict", "", 6},
    {"{" GEN ", \"model\": {\"kind\": \"expression\", \"predict\": \"a*x\", \"logpdf\": \"a\", "
     "\"params\": [\"a\"]}}",
     422, "/model/logpdf", "not both", 0},
    {"{" GEN ", \"model\": {\"kind\": \"expression\", \"params\": [\"a\"]}}", 422, "/model",
     "needs predict", 0},
    {"{" GEN ", \"model\": {\"kind\": \"expression\", \"predict\": \"a*x\"}}", 422, "/model/params",
     "is required", 0},
    {"{" GEN ", " EXPR("a*x", "[]") "}", 422, "/model/params", "must be an array of 1 to 64", 0},
    {"{" GEN ", " EXPR("a*x", "[\"a\", \"a\"]") "}", 422, "/model/params/1", "listed twice", 0},
    {"{" GEN ", " EXPR("pi*x", "[\"pi\"]") "}", 422, "/model/params/0", "reserved", 0},
    {"{" GEN ", " EXPR("x*a", "[\"x\"]") "}", 422, "/model/params/0", "also a column", 0},
    {"{" GEN ", " EXPR("a*x", "[{\"name\": \"a\", \"positive\": true, \"init\": -1}]") "}", 422,
     "/model/params/0/init", "must be > 0", 0},
    {"{" GEN ", " EXPR("a*x", "[{\"name\": \"a\", \"lower\": 0}]") "}", 422,
     "/model/params/0/lower", "unknown field", 0},
    {"{" GEN ", " EXPR("a*x", "[{\"init\": 1}]") "}", 422, "/model/params/0/name", "is required",
     0},
    {"{" GEN ", \"model\": {\"kind\": \"expression\", \"logpdf\": \"-a*x\", \"y\": \"y\", "
     "\"params\": [\"a\"]}}",
     422, "/model/y", "only a predict model", 0},
    /* init */
    {"{" GEN ", \"init\": {\"q\": 1}}", 422, "/init/q", "unknown parameter 'q'; the model has m, b",
     0},
    {"{" GAUSS ", \"model\": \"gaussian\", \"init\": {\"sigma\": 0}}", 422, "/init/sigma",
     "must be > 0", 0},
    {"{" GEN ", \"init\": {\"m\": \"ones\"}}", 422, "/init/m", "unknown initializer 'ones'", 0},
    {"{" GEN ", \"init\": {\"m\": {\"uniform\": {\"min\": 1, \"max\": 1}}}}", 422,
     "/init/m/uniform/max", "must be > min", 0},
    {"{" GEN ", \"init\": {\"m\": {\"normal\": {\"sd\": 0}}}}", 422, "/init/m/normal/sd",
     "must be > 0", 0},
    {"{" GEN ", \"init\": {\"m\": {\"normal\": {}, \"uniform\": {}}}}", 422, "/init/m", "not both",
     0},
    {"{" GEN ", \"init\": {\"a/b~c\": 1}}", 422, "/init/a~1b~0c", "not a valid parameter name", 0},
    {"{" GEN ", " EXPR("a*x", "[{\"name\": \"a\", \"init\": 2}]") ", \"init\": {\"a\": 3}}", 422,
     "/init/a", "already has an init", 0},
    /* loss */
    {"{" GEN ", \"loss\": \"l2\"}", 422, "/loss", "unknown loss 'l2'", 0},
    {"{" GEN ", \"loss\": \"nll\"}", 422, "/loss", "needs a density model", 0},
    {"{" GAUSS ", \"model\": \"gaussian\", \"loss\": {\"kind\": \"mse\"}}", 422, "/loss/kind",
     "needs a regression model", 0},
    {"{" GEN ", \"loss\": {\"kind\": \"huber\", \"delta\": 0}}", 422, "/loss/delta", "must be > 0",
     0},
    {"{" GEN ", \"loss\": {\"kind\": \"mse\", \"delta\": 1}}", 422, "/loss/delta",
     "unknown field for loss 'mse'", 0},
    {"{" GEN ", \"loss\": {\"expr\": \"mean((yhat - yy)^2)\"}}", 422, "/loss/expr",
     "unknown name 'yy'", 14},
    {"{" GEN ", \"loss\": {\"kind\": \"mse\", \"expr\": \"mean(yhat)\"}}", 422, "/loss", "not both",
     0},
    {"{" GEN ", \"loss\": 3}", 422, "/loss", "must be a loss name", 0},
    {"{" GEN ", " EXPR("sigma*x", "[\"sigma\"]") ", \"loss\": \"gaussian_nll\"}", 422, "/loss",
     "already has a parameter", 0},
    /* optimizer */
    {"{" GEN ", \"optimizer\": \"adamw\"}", 422, "/optimizer",
     "unknown optimizer 'adamw'; expected one of sgd, adam, rmsprop, adagrad", 0},
    {"{" GEN ", \"optimizer\": {\"kind\": \"adamw\"}}", 422, "/optimizer/kind",
     "unknown optimizer 'adamw'", 0},
    {"{" GEN ", \"optimizer\": {\"kind\": \"adam\", \"momentum\": 0.9}}", 422,
     "/optimizer/momentum", "unknown field for optimizer 'adam'", 0},
    {"{" GEN ", \"optimizer\": {\"kind\": \"sgd\", \"learning_rate\": 0}}", 422,
     "/optimizer/learning_rate", "must be > 0 and <= 1000000", 0},
    {"{" GEN ", \"optimizer\": {\"learning_rate\": 2e6}}", 422, "/optimizer/learning_rate",
     "must be > 0 and <= 1000000", 0},
    {"{" GEN ", \"optimizer\": {\"kind\": \"sgd\", \"learning_rate\": \"fast\"}}", 422,
     "/optimizer/learning_rate", "must be a number > 0", 0},
    {"{" GEN ", \"optimizer\": {\"kind\": \"adam\", \"beta_1\": 1}}", 422, "/optimizer/beta_1",
     "must be >= 0 and < 1", 0},
    {"{" GEN ", \"optimizer\": {\"kind\": \"adam\", \"epsilon\": 0}}", 422, "/optimizer/epsilon",
     "must be > 0", 0},
    {"{" GEN ", \"optimizer\": {\"kind\": \"rmsprop\", \"rho\": -0.1}}", 422, "/optimizer/rho",
     "must be >= 0 and < 1", 0},
    {"{" GEN ", \"optimizer\": {\"kind\": \"sgd\", \"momentum\": 1}}", 422, "/optimizer/momentum",
     "must be >= 0 and < 1", 0},
    {"{" GEN ", \"optimizer\": {\"kind\": \"sgd\", \"clipnorm\": 0}}", 422, "/optimizer/clipnorm",
     "must be > 0, or null", 0},
    {"{" GEN ", \"optimizer\": {\"kind\": \"sgd\", \"nesterov\": 1}}", 422, "/optimizer/nesterov",
     "must be true or false", 0},
    {"{" GEN ", \"optimizer\": {\"learning_rat\": 0.1}}", 422, "/optimizer/learning_rat",
     "did you mean 'learning_rate'?", 0},
    /* training options */
    {"{" GEN ", \"epochs\": 0}", 422, "/epochs", "must be an integer between 1 and 1000000", 0},
    {"{" GEN ", \"epochs\": 1.5}", 422, "/epochs", "must be an integer between 1 and", 0},
    {"{" GEN ", \"epochs\": \"10\"}", 422, "/epochs", "must be an integer between 1 and", 0},
    {"{" GEN ", \"batch_size\": 101}", 422, "/batch_size",
     "must be <= 100, the number of training rows", 0},
    {"{" GEN ", \"batch_size\": 81, \"validation_split\": 0.2}", 422, "/batch_size",
     "must be <= 80, the number of training rows", 0},
    {"{" GEN ", \"batch_size\": 0}", 422, "/batch_size", "must be an integer between 1 and", 0},
    {"{" GEN ", \"validation_split\": 1}", 422, "/validation_split", "must be >= 0 and < 1", 0},
    {"{" GEN ", \"validation_split\": 1e-17}", 422, "/validation_split",
     "leaves 100 training and 0 validation rows of 100", 0},
    {"{\"data\": {\"generate\": {\"kind\": \"linear\", \"n\": 1}}, \"validation_split\": 0.5}", 422,
     "/validation_split", "leaves 0 training and 1 validation rows of 1", 0},
    {"{" GEN ", \"early_stopping\": {\"monitor\": \"val_loss\"}}", 422, "/early_stopping/monitor",
     "val_loss needs a validation_split > 0", 0},
    {"{" GEN ", \"early_stopping\": {\"monitor\": \"acc\"}}", 422, "/early_stopping/monitor",
     "must be loss or val_loss", 0},
    {"{" GEN ", \"early_stopping\": {\"patience\": -1}}", 422, "/early_stopping/patience",
     "must be an integer between 0 and", 0},
    {"{" GEN ", \"early_stopping\": true}", 422, "/early_stopping", "must be an object", 0},
    {"{" GEN ", \"seed\": -1}", 422, "/seed", "must be an integer between 0 and 9007199254740992",
     0},
    {"{" GEN ", \"seed\": 9007199254740993}", 422, "/seed", "between 0 and 9007199254740992", 0},
    {"{" GEN ", \"max_seconds\": 0}", 422, "/max_seconds", "must be > 0", 0},
    {"{" GEN ", \"shuffle\": \"yes\"}", 422, "/shuffle", "must be true or false", 0},
    {"{" GEN ", \"learning_rate\": 0.1}", 422, "/learning_rate", "unknown field; expected one of",
     0},
    {"{" GEN ", \"ep~och/s\": 1}", 422, "/ep~0och~1s", "unknown field", 0},
};

static int has_error(const problem *p, const bad_case *c) {
    for (size_t i = 0; i < p->nerrors; i++) {
        const problem_error *e = &p->errors[i];
        if (strcmp(e->pointer, c->pointer) == 0 && strstr(e->detail, c->detail) != NULL &&
            e->column == c->column)
            return 1;
    }
    return 0;
}

static void test_bad_specs(void) {
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bad_case *c = &cases[i];
        job_spec js;
        problem p;
        int rc = check_spec(c->json, &js, &p);
        int ok = rc != 0 && p.status == c->status;
        if (ok && c->pointer == NULL) ok = p.line > 0 && strstr(p.detail, c->detail) != NULL;
        if (ok && c->pointer != NULL) ok = has_error(&p, c);
        if (!CHECK(ok)) {
            fprintf(stderr, "  case %zu: %s\n  want %d %s \"%s\" column %d; got %d:\n", i, c->json,
                    c->status, c->pointer ? c->pointer : "-", c->detail, c->column, p.status);
            if (p.nerrors == 0) fprintf(stderr, "    %s\n", p.detail);
            for (size_t k = 0; k < p.nerrors; k++)
                fprintf(stderr, "    %s: %s (column %d)\n", p.errors[k].pointer, p.errors[k].detail,
                        p.errors[k].column);
        }
        job_spec_clear(&js);
        problem_clear(&p);
    }
}

/* Every field-level error of a spec comes back at once. */
static void test_many_errors(void) {
    job_spec js;
    problem p;
    const char *text = "{" GEN ", \"model\": {\"kind\": \"linear\", \"x\": 1, \"z\": 2},"
                       " \"optimizer\": {\"kind\": \"adam\", \"learning_rate\": -1, \"rho\": 0.9},"
                       " \"epochs\": 0, \"batch_size\": -3, \"bogus\": true}";
    CHECK(check_spec(text, &js, &p) != 0);
    CHECK_INT(p.status, 422);
    CHECK_INT(p.nerrors, 7);
    CHECK(problem_find(&p, "/model/x") != NULL);
    CHECK(problem_find(&p, "/model/z") != NULL);
    CHECK(problem_find(&p, "/optimizer/learning_rate") != NULL);
    CHECK(problem_find(&p, "/optimizer/rho") != NULL);
    CHECK(problem_find(&p, "/epochs") != NULL);
    CHECK(problem_find(&p, "/batch_size") != NULL);
    CHECK(problem_find(&p, "/bogus") != NULL);
    job_spec_clear(&js);
    problem_clear(&p);
}

/* Line and column of malformed JSON point into the text. */
static void test_malformed_position(void) {
    job_spec js;
    problem p;
    const char *text = "{\n  \"epochs\": 10,\n  \"epochs\": 20\n}";
    CHECK(check_spec(text, &js, &p) != 0);
    CHECK_INT(p.status, 400);
    CHECK_INT(p.line, 3);
    CHECK(p.column > 0);
    json_t *doc = problem_to_json(&p);
    CHECK_STR(json_string_value(json_object_get(doc, "type")),
              "https://fitd.dev/problems/malformed-json");
    CHECK_INT(json_integer_value(json_object_get(doc, "status")), 400);
    CHECK_INT(json_integer_value(json_object_get(doc, "line")), 3);
    CHECK(strstr(json_string_value(json_object_get(doc, "detail")), "line 3") != NULL);
    CHECK(json_object_get(doc, "errors") == NULL);
    json_decref(doc);
    job_spec_clear(&js);
    problem_clear(&p);
}

static void test_problem_json(void) {
    problem p;
    problem_init(&p);
    CHECK(!problem_failed(&p));
    problem_add(&p, "/model", "predict", 8, "unknown name '%s'", "bb");
    problem_add(&p, "", "a/b~c", 0, "unknown field");
    json_t *doc = problem_to_json(&p);
    CHECK_STR(json_string_value(json_object_get(doc, "type")),
              "https://fitd.dev/problems/invalid-spec");
    CHECK_INT(json_integer_value(json_object_get(doc, "status")), 422);
    CHECK_STR(json_string_value(json_object_get(doc, "title")), "Invalid job specification");
    json_t *errs = json_object_get(doc, "errors");
    CHECK_INT(json_array_size(errs), 2);
    json_t *e0 = json_array_get(errs, 0), *e1 = json_array_get(errs, 1);
    CHECK_STR(json_string_value(json_object_get(e0, "pointer")), "/model/predict");
    CHECK_INT(json_integer_value(json_object_get(e0, "column")), 8);
    CHECK_STR(json_string_value(json_object_get(e1, "pointer")), "/a~1b~0c");
    CHECK(json_object_get(e1, "column") == NULL);
    CHECK(strstr(json_string_value(json_object_get(doc, "detail")), "2 errors") != NULL);
    json_decref(doc);
    problem_clear(&p);

    /* a flood of errors is capped and counted */
    problem_init(&p);
    for (int i = 0; i < PROBLEM_MAX_ERRORS + 10; i++) problem_add(&p, "/x", NULL, 0, "bad %d", i);
    doc = problem_to_json(&p);
    CHECK_INT(json_array_size(json_object_get(doc, "errors")), PROBLEM_MAX_ERRORS);
    CHECK_INT(json_integer_value(json_object_get(doc, "errors_omitted")), 10);
    json_decref(doc);
    problem_clear(&p);

    char *s = jptr_join("/data/columns", "~/");
    CHECK_STR(s, "/data/columns/~0~1");
    free(s);
    s = jptr_join_index("", 12);
    CHECK_STR(s, "/12");
    free(s);
}

/* A million bad cells do not make a million errors (nor take long). */
static void test_column_flood(void) {
    size_t n = 200000, off = 0;
    char *text = malloc(n * 4 + 200);
    off += (size_t)sprintf(text, "{\"data\": {\"columns\": {\"x\": [");
    for (size_t i = 0; i < n; i++) off += (size_t)sprintf(text + off, "%s\"a\"", i ? "," : "");
    sprintf(text + off, "]}}}");
    job_spec js;
    problem p;
    CHECK(check_spec(text, &js, &p) != 0);
    CHECK_INT(p.nerrors, PROBLEM_MAX_ERRORS);
    CHECK(p.dropped == n - PROBLEM_MAX_ERRORS);
    CHECK_STR(p.errors[3].pointer, "/data/columns/x/3");
    job_spec_clear(&js);
    problem_clear(&p);
    free(text);
}

int main(void) {
    test_bad_specs();
    test_many_errors();
    test_malformed_position();
    test_problem_json();
    test_column_flood();
    return check_done("test_spec");
}
