/* store_pg_pool.c - the postgres store's connections: making one with
 * fitd's defaults, the pool (check out, check in, reset a broken one), and
 * the helpers every statement goes through (parameters, results, status,
 * transactions). */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "service/store_pg.h"

/* ---- connections ---- */

/* libpq prints notices (and "connection lost" warnings) to stderr unless
 * told otherwise; library code here prints nothing. */
static void quiet_notice(void *arg, const char *message) {
    (void)arg;
    (void)message;
}

PGconn *pg_connect(const char *conninfo, int async) {
    /* Keywords are applied in order and a later one wins: fitd's defaults
       come before the connection string (dbname, expanded) so that it can
       override them; client_encoding after it, as the store's texts are
       UTF-8. */
    static const char *const keys[] = {
        "connect_timeout",           "keepalives_idle", "keepalives_interval", "keepalives_count",
        "fallback_application_name", "dbname",          "client_encoding",     NULL};
    const char *vals[] = {"5", "30", "10", "3", "fitd", conninfo, "UTF8", NULL};
    PGconn *c = async ? PQconnectStartParams(keys, vals, 1) : PQconnectdbParams(keys, vals, 1);
    if (c != NULL) PQsetNoticeProcessor(c, quiet_notice, NULL);
    return c;
}

/* Whether an idle connection still looks alive. A server that restarted
 * or terminated the backend has sent an error and closed the socket, so it
 * reads as ready: consuming that input turns the connection bad here,
 * instead of failing the caller's first statement. */
static int usable(PGconn *c) {
    for (int i = 0; i < 4 && PQstatus(c) == CONNECTION_OK; i++) {
        struct pollfd p = {.fd = PQsocket(c), .events = POLLIN, .revents = 0};
        if (p.fd < 0) return 0;
        if (poll(&p, 1, 0) <= 0) break; /* nothing waiting (or EINTR): assume alive */
        if (!PQconsumeInput(c)) return 0;
        PGnotify *n;
        while ((n = PQnotifies(c)) != NULL) PQfreemem(n);
    }
    return PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) == PQTRANS_IDLE;
}

/* ---- the pool ---- */

/* Takes an idle slot into *c (its connection, maybe NULL): 1, or 0 when
 * none is idle and !wait. */
static int take(pg_store *s, int wait, PGconn **c) {
    pthread_mutex_lock(&s->mu);
    while (wait && s->nfree == 0) pthread_cond_wait(&s->cv, &s->mu);
    int got = s->nfree > 0;
    if (got) *c = s->free[--s->nfree];
    pthread_mutex_unlock(&s->mu);
    return got;
}

static void put_back(pg_store *s, PGconn *c) {
    pthread_mutex_lock(&s->mu);
    s->free[s->nfree++] = c;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* Connects a slot taken from the pool, or resets its connection when it
 * broke. NULL (the slot given back) when the database cannot be reached. */
static PGconn *ready(pg_store *s, PGconn *c) {
    if (c == NULL)
        c = pg_connect(s->conninfo, 0);
    else if (!usable(c))
        PQreset(c);
    if (c != NULL && PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) == PQTRANS_IDLE)
        return c;
    put_back(s, c); /* reset again on the next checkout */
    return NULL;
}

PGconn *pg_acquire(pg_store *s) {
    PGconn *c = NULL;
    take(s, 1, &c);
    return ready(s, c);
}

PGconn *pg_try_acquire(pg_store *s, int *busy) {
    PGconn *c = NULL;
    *busy = !take(s, 0, &c);
    return *busy ? NULL : ready(s, c);
}

void pg_release(pg_store *s, PGconn *c) {
    if (c == NULL) return;
    if (PQtransactionStatus(c) == PQTRANS_ACTIVE) {
        PGresult *r; /* a result not read to its end */
        while ((r = PQgetResult(c)) != NULL) PQclear(r);
    }
    PGTransactionStatusType t = PQtransactionStatus(c);
    if (t == PQTRANS_INTRANS || t == PQTRANS_INERROR) PQclear(PQexec(c, "ROLLBACK"));
    put_back(s, c);
}

/* ---- statements ---- */

void pgp_init(pg_params *p) {
    memset(p, 0, sizeof *p);
}

/* The next parameter's index, or -1 when full. */
static int next_param(pg_params *p) {
    if (p->n == PG_MAXPARAMS) {
        p->over = 1;
        return -1;
    }
    return p->n++;
}

void pgp_text(pg_params *p, const char *s) {
    int i = next_param(p);
    if (i < 0) return;
    p->val[i] = s;
    p->len[i] = 0;
    p->fmt[i] = 0;
}

void pgp_int(pg_params *p, int64_t x) {
    int i = next_param(p);
    if (i < 0) return;
    snprintf(p->num[i], sizeof p->num[i], "%lld", (long long)x);
    p->val[i] = p->num[i];
    p->len[i] = 0;
    p->fmt[i] = 0;
}

void pgp_bytes(pg_params *p, const void *b, size_t len) {
    int i = next_param(p);
    if (i < 0) return;
    if (len > 0x3fffffff) { /* more than a bytea holds */
        p->over = 1;
        return;
    }
    p->val[i] = b == NULL ? NULL : len > 0 ? b : "";
    p->len[i] = b == NULL ? 0 : (int)len;
    p->fmt[i] = 1;
}

PGresult *pg_exec(PGconn *c, const char *sql, const pg_params *p, int binary) {
    if (p != NULL && p->over) return NULL;
    return PQexecParams(c, sql, p ? p->n : 0, NULL, p ? p->val : NULL, p ? p->len : NULL,
                        p ? p->fmt : NULL, binary ? 1 : 0);
}

int pg_status(const PGresult *r) {
    ExecStatusType st = r != NULL ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_SINGLE_TUPLE)
        return STORE_OK;
    const char *state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    return state != NULL && strcmp(state, "23505") == 0 ? STORE_CONFLICT : STORE_ERROR;
}

int pg_run(PGconn *c, const char *sql, const pg_params *p) {
    PGresult *r = pg_exec(c, sql, p, 0);
    int rc = pg_status(r);
    PQclear(r);
    return rc;
}

int pg_write(pg_store *s, const char *sql, const pg_params *p, long long *changed) {
    PGconn *c = pg_acquire(s);
    if (c == NULL) return STORE_ERROR;
    PGresult *r = pg_exec(c, sql, p, 0);
    int rc = pg_status(r);
    if (rc == STORE_OK) *changed = pg_changed(r);
    PQclear(r);
    pg_release(s, c);
    return rc;
}

int pg_begin(PGconn *c, const char *begin) {
    return pg_run(c, begin, NULL) == STORE_OK ? 0 : -1;
}

int pg_end(PGconn *c, int rc) {
    if (rc == STORE_OK) {
        PGresult *r = PQexec(c, "COMMIT");
        /* COMMIT of a failed transaction "succeeds" as ROLLBACK */
        if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK ||
            strcmp(PQcmdStatus(r), "COMMIT") != 0)
            rc = STORE_ERROR;
        PQclear(r);
    }
    PGTransactionStatusType t = PQtransactionStatus(c);
    if (t == PQTRANS_INTRANS || t == PQTRANS_INERROR) PQclear(PQexec(c, "ROLLBACK"));
    return rc;
}

long long pg_changed(PGresult *r) {
    return strtoll(PQcmdTuples(r), NULL, 10);
}

/* ---- results ---- */

int64_t pg_int(const PGresult *r, int row, int col) {
    if (PQgetisnull(r, row, col)) return 0;
    return (int64_t)strtoll(PQgetvalue(r, row, col), NULL, 10);
}

char *pg_text_dup(const PGresult *r, int row, int col, int *fail) {
    if (PQgetisnull(r, row, col)) return NULL;
    size_t len = (size_t)PQgetlength(r, row, col);
    char *c = malloc(len + 1);
    if (c == NULL) {
        *fail = 1;
        return NULL;
    }
    memcpy(c, PQgetvalue(r, row, col), len);
    c[len] = '\0';
    return c;
}

unsigned char *pg_bytes_dup(const PGresult *r, int row, int col, size_t *len, int *fail) {
    *len = 0;
    if (PQgetisnull(r, row, col)) return NULL;
    size_t n = 0;
    unsigned char *u = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col), &n);
    unsigned char *c = u ? malloc(n ? n : 1) : NULL;
    if (c == NULL) {
        *fail = 1;
    } else {
        memcpy(c, u, n);
        *len = n;
    }
    PQfreemem(u);
    return c;
}

int pg_text_copy(const PGresult *r, int row, int col, char *dst, size_t cap, int null_ok) {
    if (PQgetisnull(r, row, col)) {
        if (!null_ok) return -1;
        dst[0] = '\0';
        return 0;
    }
    size_t len = (size_t)PQgetlength(r, row, col);
    if (len >= cap) return -1;
    memcpy(dst, PQgetvalue(r, row, col), len);
    dst[len] = '\0';
    return 0;
}

int64_t pg_page_limit(size_t limit) {
    const size_t cap = 1000000000; /* more than any page anyone asks for */
    return (int64_t)(limit < cap ? limit : cap) + 1;
}

int64_t pg_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int pg_page(pg_store *s, const char *seq_sql, const char *after, int64_t first,
            const char *list_sql, const char *arg, size_t limit, pg_row_fn row,
            void (*free_rec)(void *), void **out, size_t *n, int *more) {
    PGconn *c = pg_acquire(s);
    store_vec v = {NULL, 0, 0};
    PGresult *r = NULL;
    int64_t seq = first;
    int rc = STORE_ERROR;
    pg_params p;
    if (c == NULL) goto done;
    if (after != NULL) {
        pgp_init(&p);
        pgp_text(&p, after);
        r = pg_exec(c, seq_sql, &p, 0);
        if ((rc = pg_status(r)) != STORE_OK) goto done;
        if (PQntuples(r) == 0) {
            rc = STORE_NOTFOUND;
            goto done;
        }
        seq = pg_int(r, 0, 0);
        PQclear(r);
        r = NULL;
    }
    pgp_init(&p);
    pgp_int(&p, seq);
    pgp_text(&p, arg);
    pgp_int(&p, pg_page_limit(limit));
    r = pg_exec(c, list_sql, &p, 0);
    if ((rc = pg_status(r)) != STORE_OK) goto done;
    rc = STORE_ERROR;
    for (int i = 0; i < PQntuples(r); i++) {
        if (v.n == limit) {
            *more = 1;
            break;
        }
        void *rec = NULL;
        if (row(r, i, &rec) != STORE_OK || store_vec_push(&v, &rec, sizeof rec) != 0) {
            if (rec != NULL) free_rec(rec);
            goto done;
        }
    }
    *out = v.buf;
    *n = v.n;
    v.buf = NULL;
    v.n = 0;
    rc = STORE_OK;
done:
    PQclear(r);
    pg_release(s, c);
    if (rc != STORE_OK) *more = 0;
    void **left = v.buf;
    for (size_t i = 0; i < v.n; i++) free_rec(left[i]);
    free(v.buf);
    return rc;
}
