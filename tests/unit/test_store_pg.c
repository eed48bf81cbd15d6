/* test_store_pg.c - the postgres store (src/service/store_pg*.c), when
 * FITD_TEST_DATABASE_URL names a server (make test runs one, tests/pg),
 * each part on a database of its own: the battery of store_battery.h,
 * reopening, 8 threads; then the shared queue with two store handles as
 * two replicas (claim order, leases renewed, expired and reaped, cancels,
 * updates bound to the lease holder, start-up requeue), 8 threads claiming
 * at once, published progress, events between the replicas and recovery
 * after the server ended every connection, a database gone for good,
 * four replicas migrating an empty database at once, and a version-2
 * database migrating with its histories. Without the variable it says it
 * skipped. */
#include <libpq-fe.h>
#include <time.h>
#include <unistd.h>

#include "store_battery.h"

static PGconn *pg_admin; /* to the server's own database: makes and drops ours */
static char pg_url[1024];
static char pg_dbs[16][64]; /* the databases made, dropped at the end */
static int pg_ndbs;

/* A connection string for database db on the server of pg_url, into
 * out[cap]: pg_url's settings with dbname replaced. 0, or -1. */
static int conninfo_for(const char *db, char *out, size_t cap) {
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(pg_url, &msg);
    size_t len = 0;
    if (opts == NULL) {
        PQfreemem(msg);
        return -1;
    }
    out[0] = '\0';
    for (const PQconninfoOption *o = opts; o->keyword != NULL; o++) {
        const char *v = strcmp(o->keyword, "dbname") == 0 ? db : o->val;
        if (v == NULL) continue;
        len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "%s='", o->keyword);
        for (; *v && len + 4 < cap; v++) {
            if (*v == '\'' || *v == '\\') out[len++] = '\\';
            out[len++] = *v;
        }
        len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "' ");
    }
    PQconninfoFree(opts);
    return len < cap ? 0 : -1;
}

/* A new empty database; its connection string into ci[cap] (and its name
 * into name[64] when not NULL). 0, or -1. */
static int pg_fresh(char *ci, size_t cap, char *name) {
    char db[64], sql[128];
    if (pg_ndbs == (int)(sizeof pg_dbs / sizeof pg_dbs[0])) return -1;
    snprintf(db, sizeof db, "fitd_test_%ld_%d", (long)getpid(), pg_ndbs);
    snprintf(sql, sizeof sql, "CREATE DATABASE %.63s", db); /* a name made here */
    PGresult *r = PQexec(pg_admin, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) fprintf(stderr, "  %s: %s", sql, PQerrorMessage(pg_admin));
    PQclear(r);
    if (!ok) return -1;
    snprintf(pg_dbs[pg_ndbs++], sizeof pg_dbs[0], "%s", db);
    if (name != NULL) snprintf(name, 64, "%s", db);
    return conninfo_for(db, ci, cap);
}

/* Runs sql on the database of ci; its first column as an integer (0 when
 * it returns no rows, -1 on an error). */
static long long pg_sql_int(const char *ci, const char *sql) {
    PGconn *c = PQconnectdb(ci);
    long long v = -1;
    PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        v = PQntuples(r) > 0 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
    else if (PQresultStatus(r) == PGRES_COMMAND_OK)
        v = 0;
    PQclear(r);
    PQfinish(c);
    return v;
}

/* Ends every connection to database db but the admin's; how many. */
static long long pg_kick(const char *db) {
    const char *vals[1] = {db};
    PGresult *r = PQexecParams(pg_admin,
                               "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
                               " WHERE datname = $1 AND pid <> pg_backend_pid()",
                               1, NULL, vals, NULL, NULL, 0);
    long long n =
        PQresultStatus(r) == PGRES_TUPLES_OK ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : -1;
    PQclear(r);
    return n;
}

static void quiet_notice(void *arg, const char *message) {
    (void)arg;
    (void)message;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static store *pg_open(const char *ci, int conns) {
    char err[512];
    store *s = store_open_sized("postgres", ci, conns, err, sizeof err);
    if (!CHECK(s != NULL)) fprintf(stderr, "  %s\n", err);
    return s;
}

/* The battery; the schema; everything still there after close and open. */
static void test_pg_battery(void) {
    char ci[2048];
    if (!CHECK(pg_fresh(ci, sizeof ci, NULL) == 0)) return;
    store *s = pg_open(ci, 0);
    if (s == NULL) return;
    CHECK_STR(store_kind(s), "postgres");
    CHECK_INT(store_shared(s), 1);
    CHECK_INT(store_healthy(s), 1);
    battery(s);
    CHECK_INT(pg_sql_int(ci, "SELECT version FROM fitd_schema"), 4); /* the current schema */
    CHECK_INT(pg_sql_int(ci, "SELECT count(*) FROM dataset_columns WHERE dataset_id = 'ds_big'"),
              6);
    CHECK_INT(pg_sql_int(ci, "SELECT count(*) FROM dataset_columns WHERE dataset_id NOT IN"
                             " (SELECT id FROM datasets)"),
              0);
    char *before = dump(s);
    store_close(s);
    if ((s = pg_open(ci, 2)) == NULL) {
        free(before);
        return;
    }
    char *after = dump(s);
    CHECK(before != NULL && after != NULL && strcmp(before, after) == 0);
    free(before);
    free(after);
    /* a damaged chunk is an error, not a crash */
    CHECK_INT(pg_sql_int(ci, "UPDATE dataset_columns SET data = '\\x0102' WHERE dataset_id = 'ds_d'"
                             " AND col = 1"),
              0);
    ds_data *dd = NULL;
    CHECK_INT(store_dataset_data(s, "ds_d", &dd), STORE_ERROR);
    CHECK(dd == NULL);
    CHECK_INT(pg_sql_int(ci, "DELETE FROM dataset_columns WHERE dataset_id = 'ds_e'"), 0);
    CHECK_INT(store_dataset_data(s, "ds_e", &dd), STORE_ERROR);
    ds_meta *m = NULL;
    CHECK_INT(store_dataset_meta(s, "ds_e", &m), STORE_OK); /* the connection is fine after */
    ds_meta_free(m);
    store_close(s);
}

/* The claimer's clock that claims pass: a job's times come from fitd's
 * clocks, never the database's. */
#define CLAIM_MS 1700000004242LL

/* Puts queued job id (created in that order), with BINARY_HISTORY as its
 * history when with_history. */
static void put_queued(store *s, const char *id, int with_history) {
    job_rec j = make_job(id, "ds_b", 0);
    if (with_history) {
        j.history = (unsigned char *)BINARY_HISTORY;
        j.history_len = sizeof BINARY_HISTORY;
    }
    CHECK_INT(store_job_put(s, &j), STORE_OK);
}

static int job_is(store *s, const char *id, job_status st, const char *owner) {
    job_rec *j = NULL;
    int ok =
        store_job_get(s, id, &j) == STORE_OK && j->status == st && strcmp(j->owner, owner) == 0;
    job_rec_free(j);
    return ok;
}

/* Two replicas a and b: claims take the oldest queued job; leases renew,
 * run out and are reaped; cancels; updates bound to the lease holder;
 * requeue at start-up leaves the others' live jobs alone. */
static void test_pg_queue(store *a, store *b) {
    job_rec *j = NULL;
    put_queued(a, "job_1", 0);
    job_rec run = make_job("job_2", "ds_b", NULL);
    run.status = JOB_SUCCEEDED;
    CHECK_INT(store_job_put(b, &run), STORE_OK);
    put_queued(b, "job_3", 1);
    put_queued(a, "job_4", 0);

    CHECK_INT(store_job_claim(a, "A", 60000, CLAIM_MS, &j), STORE_OK);
    CHECK(j != NULL && strcmp(j->id, "job_1") == 0 && j->status == JOB_RUNNING &&
          j->attempts == 1 && j->started_ms == CLAIM_MS && strcmp(j->owner, "A") == 0);
    job_rec_free(j);
    CHECK_INT(store_job_claim(b, "B", 60000, CLAIM_MS, &j), STORE_OK);
    CHECK(j != NULL && strcmp(j->id, "job_3") == 0 && 
          same_bytes(j->history, j->history_len, BINARY_HISTORY, sizeof BINARY_HISTORY) && strcmp(j->owner, "B") == 0);
    job_rec_free(j);
    CHECK_INT(store_job_claim(a, "A", 1, CLAIM_MS, &j), STORE_OK); /* a lease of 1 ms */
    CHECK(j != NULL && strcmp(j->id, "job_4") == 0);
    job_rec_free(j);
    j = (job_rec *)1;
    CHECK_INT(store_job_claim(b, "B", 60000, CLAIM_MS, &j), STORE_NOTFOUND);
    CHECK(j == NULL);
    CHECK(job_is(b, "job_1", JOB_RUNNING, "A"));
    char long_owner[80];
    memset(long_owner, 'o', sizeof long_owner - 1);
    long_owner[sizeof long_owner - 1] = '\0';
    CHECK_INT(store_job_claim(a, long_owner, 60000, CLAIM_MS, &j), STORE_ERROR);

    /* renew: the holder only; job_4's lease runs out and only it is reaped */
    int cancel = 9;
    sleep_ms(20);
    CHECK_INT(store_job_renew(a, "job_3", "A", 60000, &cancel), STORE_CONFLICT);
    CHECK_INT(store_job_renew(b, "job_3", "B", 60000, &cancel), STORE_OK);
    CHECK_INT(cancel, 0);
    CHECK_INT(store_job_renew(a, "job_none", "A", 60000, &cancel), STORE_NOTFOUND);
    size_t n = 0;
    CHECK_INT(store_job_reap(b, CLAIM_MS + 1, &n), STORE_OK);
    CHECK_INT(n, 1);
    CHECK(job_is(a, "job_4", JOB_QUEUED, ""));
    CHECK(job_is(a, "job_1", JOB_RUNNING, "A") && job_is(a, "job_3", JOB_RUNNING, "B"));
    CHECK_INT(store_job_reap(b, CLAIM_MS + 1, &n), STORE_OK);
    CHECK_INT(n, 0);
    CHECK_INT(store_job_renew(a, "job_4", "A", 60000, &cancel), STORE_CONFLICT);

    /* another owner has it now: A's update is refused, B's applies and
       drops the lease */
    CHECK_INT(store_job_claim(b, "B", 60000, CLAIM_MS, &j), STORE_OK);
    if (CHECK(j != NULL && strcmp(j->id, "job_4") == 0 && j->attempts == 2)) {
        j->status = JOB_SUCCEEDED;
        j->finished_ms = j->started_ms + 5;
        j->result_json = strdup("{\"loss\":1}");
        snprintf(j->owner, sizeof j->owner, "A");
        CHECK_INT(store_job_update(a, j, JOB_RUNNING), STORE_CONFLICT);
        snprintf(j->owner, sizeof j->owner, "B");
        CHECK_INT(store_job_update(a, j, JOB_QUEUED), STORE_CONFLICT);
        CHECK_INT(store_job_update(a, j, JOB_RUNNING), STORE_OK);
        CHECK_INT(store_job_update(a, j, JOB_RUNNING), STORE_CONFLICT); /* done already */
        snprintf(j->id, sizeof j->id, "job_none");
        CHECK_INT(store_job_update(a, j, JOB_RUNNING), STORE_NOTFOUND);
    }
    job_rec_free(j);
    CHECK(job_is(a, "job_4", JOB_SUCCEEDED, ""));

    /* cancel: a flag the holder sees when it renews */
    CHECK_INT(store_job_request_cancel(a, "job_3"), STORE_OK);
    CHECK_INT(store_job_renew(b, "job_3", "B", 60000, &cancel), STORE_OK);
    CHECK_INT(cancel, 1);
    CHECK_INT(store_job_request_cancel(a, "job_4"), STORE_CONFLICT); /* finished */
    CHECK_INT(store_job_request_cancel(a, "job_none"), STORE_NOTFOUND);
    /* a queued job is cancelled by an update from queued */
    put_queued(a, "job_5", 0);
    job_rec c5 = make_job("job_5", "ds_b", NULL);
    c5.status = JOB_CANCELLED;
    CHECK_INT(store_job_update(b, &c5, JOB_QUEUED), STORE_OK);
    CHECK_INT(store_job_request_cancel(a, "job_5"), STORE_CONFLICT);

    /* requeue at start-up: job_1 (A, live) and job_3 (B, live) stay running;
       job_6's lease ran out: queued again, listed with job_7 */
    put_queued(a, "job_6", 0);
    CHECK_INT(store_job_claim(a, "A", 1, CLAIM_MS, &j), STORE_OK);
    CHECK(j != NULL && strcmp(j->id, "job_6") == 0);
    job_rec_free(j);
    put_queued(a, "job_7", 0);
    sleep_ms(20);
    char **ids = NULL;
    CHECK_INT(store_job_requeue(b, &ids, &n), STORE_OK);
    CHECK(n == 2 && strcmp(ids[0], "job_6") == 0 && strcmp(ids[1], "job_7") == 0);
    free_ids(ids, n);
    CHECK(job_is(a, "job_1", JOB_RUNNING, "A") && job_is(a, "job_3", JOB_RUNNING, "B"));
    size_t counts[JOB_STATUS_COUNT];
    CHECK_INT(store_job_counts(a, counts), STORE_OK);
    CHECK(counts[JOB_QUEUED] == 2 && counts[JOB_RUNNING] == 2 && counts[JOB_SUCCEEDED] == 2 &&
          counts[JOB_CANCELLED] == 1);
}

#define RACE_JOBS 200
#define RACE_THREADS 8

typedef struct claimer {
    store *s;
    char owner[16];
    int got[RACE_JOBS]; /* job numbers claimed, in order */
    int n, bad;
} claimer;

/* Claims until none is left, finishing each job as its owner. */
static void *claim_loop(void *arg) {
    claimer *c = arg;
    for (;;) {
        job_rec *j = NULL;
        int rc = store_job_claim(c->s, c->owner, 60000, CLAIM_MS, &j), k = -1;
        if (rc == STORE_NOTFOUND) break;
        if (rc != STORE_OK || strcmp(j->owner, c->owner) != 0 || j->status != JOB_RUNNING ||
            sscanf(j->id, "job_race%d", &k) != 1 || k < 0 || k >= RACE_JOBS || c->n == RACE_JOBS) {
            c->bad++;
            job_rec_free(j);
            break;
        }
        c->got[c->n++] = k;
        j->status = JOB_SUCCEEDED;
        c->bad += store_job_update(c->s, j, JOB_RUNNING) != STORE_OK;
        job_rec_free(j);
    }
    return NULL;
}

/* 8 threads on two replicas claim 200 jobs at once: each exactly once. */
static void test_pg_claim_race(store *a, store *b) {
    for (int i = 0; i < RACE_JOBS; i++) {
        char id[32];
        snprintf(id, sizeof id, "job_race%03d", i);
        put_queued(i % 2 ? a : b, id, 0);
    }
    static claimer c[RACE_THREADS];
    pthread_t th[RACE_THREADS];
    for (int t = 0; t < RACE_THREADS; t++) {
        memset(&c[t], 0, sizeof c[t]);
        c[t].s = t % 2 ? a : b;
        snprintf(c[t].owner, sizeof c[t].owner, "w%d", t);
        CHECK(pthread_create(&th[t], NULL, claim_loop, &c[t]) == 0);
    }
    int seen[RACE_JOBS] = {0}, total = 0, twice = 0, in_order = 1;
    for (int t = 0; t < RACE_THREADS; t++) {
        pthread_join(th[t], NULL);
        CHECK_INT(c[t].bad, 0);
        for (int i = 0; i < c[t].n; i++) {
            twice += seen[c[t].got[i]]++ > 0;
            if (i > 0 && c[t].got[i] < c[t].got[i - 1]) in_order = 0;
            total++;
        }
    }
    CHECK_INT(total, RACE_JOBS);
    CHECK_INT(twice, 0);
    CHECK(in_order); /* each claimer got older jobs first */
    size_t counts[JOB_STATUS_COUNT];
    CHECK_INT(store_job_counts(a, counts), STORE_OK);
    CHECK(counts[JOB_SUCCEEDED] == RACE_JOBS && counts[JOB_QUEUED] == 0 &&
          counts[JOB_RUNNING] == 0);
}

/* What a listener heard: "<kind>:<id>\n" lines. */
typedef struct evlog {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char text[16384];
    size_t len;
} evlog;

static void on_event(void *ctx, int kind, const char *id) {
    evlog *e = ctx;
    pthread_mutex_lock(&e->mu);
    int w = snprintf(e->text + e->len, sizeof e->text - e->len, "%d:%s\n", kind, id);
    if (w > 0 && (size_t)w < sizeof e->text - e->len) e->len += (size_t)w;
    pthread_cond_broadcast(&e->cv);
    pthread_mutex_unlock(&e->mu);
}

/* Waits up to ms for event kind about id: 1 when it came. */
static int ev_wait(evlog *e, int kind, const char *id, long ms) {
    char want[128];
    snprintf(want, sizeof want, "%d:%s\n", kind, id);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&e->mu);
    int seen;
    while (!(seen = strstr(e->text, want) != NULL) &&
           pthread_cond_timedwait(&e->cv, &e->mu, &until) == 0) {
    }
    if (!seen) seen = strstr(e->text, want) != NULL;
    pthread_mutex_unlock(&e->mu);
    return seen;
}

/* Events from one replica reach the other's listener: publish, a queued
 * put, a claim, a reap; after every connection of the database was ended,
 * calls and the listener recover by themselves. */
static void test_pg_events(store *a, store *b, const char *db) {
    static evlog e = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, "", 0};
    CHECK_INT(store_listen(a, on_event, &e), STORE_OK);
    CHECK_INT(store_listen(a, on_event, &e), STORE_ERROR); /* one listener */
    CHECK_INT(store_publish(b, 7, "job_x"), STORE_ERROR);
    /* the listener connects in the background: publish until it hears */
    int heard = 0;
    for (int i = 0; i < 50 && !heard; i++) {
        CHECK_INT(store_publish(b, STORE_EV_CHANGED, "job_e0"), STORE_OK);
        heard = ev_wait(&e, STORE_EV_CHANGED, "job_e0", 200);
    }
    CHECK(heard);
    put_queued(b, "job_e1", 0);
    CHECK(ev_wait(&e, STORE_EV_QUEUED, "job_e1", 5000));
    job_rec *j = NULL;
    CHECK_INT(store_job_claim(b, "B", 1, CLAIM_MS, &j), STORE_OK);
    job_rec_free(j);
    CHECK(ev_wait(&e, STORE_EV_CHANGED, "job_e1", 5000));
    pthread_mutex_lock(&e.mu);
    e.len = 0;
    e.text[0] = '\0';
    pthread_mutex_unlock(&e.mu);
    sleep_ms(10);
    size_t n = 0;
    CHECK_INT(store_job_reap(b, CLAIM_MS + 1, &n), STORE_OK);
    CHECK_INT(n, 1);
    CHECK(ev_wait(&e, STORE_EV_QUEUED, "job_e1", 5000));
    CHECK_INT(store_publish(b, STORE_EV_QUEUED, "job_e2"), STORE_OK);
    CHECK(ev_wait(&e, STORE_EV_QUEUED, "job_e2", 5000));

    /* every connection ended (as when the server restarts) */
    CHECK(pg_kick(db) >= 3); /* a's two, the listener's, b's */
    size_t counts[JOB_STATUS_COUNT];
    CHECK_INT(store_job_counts(b, counts), STORE_OK); /* at once, no failed call first */
    CHECK_INT(counts[JOB_QUEUED], 1);
    CHECK_INT(store_job_counts(a, counts), STORE_OK);
    CHECK_INT(store_healthy(b), 1);
    heard = 0;
    for (int i = 0; i < 50 && !heard; i++) {
        CHECK_INT(store_publish(b, STORE_EV_CHANGED, "job_back"), STORE_OK);
        heard = ev_wait(&e, STORE_EV_CHANGED, "job_back", 200);
    }
    CHECK(heard);
}

/* The database goes away for good: every call fails with STORE_ERROR,
 * health says so, and close still returns at once. */
static void test_pg_gone(void) {
    char ci[2048], db[64], sql[128];
    if (!CHECK(pg_fresh(ci, sizeof ci, db) == 0)) return;
    store *s = pg_open(ci, 2);
    if (s == NULL) return;
    evlog e = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, "", 0};
    CHECK_INT(store_listen(s, on_event, &e), STORE_OK);
    put_queued(s, "job_g", 0);
    snprintf(sql, sizeof sql, "DROP DATABASE %.63s WITH (FORCE)", db);
    PQclear(PQexec(pg_admin, sql));
    job_rec *j = NULL;
    ds_meta **v = NULL;
    size_t n = 0;
    int more = 0;
    CHECK_INT(store_job_get(s, "job_g", &j), STORE_ERROR);
    CHECK_INT(store_job_claim(s, "A", 1000, CLAIM_MS, &j), STORE_ERROR);
    CHECK_INT(store_dataset_list(s, NULL, 10, 1, &v, &n, &more), STORE_ERROR);
    CHECK(j == NULL && v == NULL && n == 0);
    CHECK_INT(store_publish(s, STORE_EV_QUEUED, "job_g"), STORE_ERROR);
    CHECK_INT(store_healthy(s), 0);
    int64_t t0 = (int64_t)time(NULL);
    store_close(s);
    CHECK((int64_t)time(NULL) - t0 <= 2);
    pthread_mutex_destroy(&e.mu);
    pthread_cond_destroy(&e.cv);
}

typedef struct opener {
    const char *ci;
    pthread_barrier_t *go;
    store *s;
    char err[512];
} opener;

static void *open_at_once(void *arg) {
    opener *o = arg;
    pthread_barrier_wait(o->go);
    o->s = store_open("postgres", o->ci, o->err, sizeof o->err);
    return NULL;
}

/* Four replicas start at once on an empty database: one migrates, the
 * others wait for it, none fails. A newer schema is refused. */
static void test_pg_migrate(void) {
    char ci[2048];
    if (!CHECK(pg_fresh(ci, sizeof ci, NULL) == 0)) return;
    enum { NOPEN = 4 };
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, NOPEN);
    opener o[NOPEN];
    pthread_t th[NOPEN];
    for (int i = 0; i < NOPEN; i++) {
        o[i] = (opener){ci, &go, NULL, ""};
        CHECK(pthread_create(&th[i], NULL, open_at_once, &o[i]) == 0);
    }
    for (int i = 0; i < NOPEN; i++) {
        pthread_join(th[i], NULL);
        if (!CHECK(o[i].s != NULL)) fprintf(stderr, "  %s\n", o[i].err);
    }
    pthread_barrier_destroy(&go);
    put_queued(o[0].s, "job_m", 0);
    CHECK(job_is(o[3].s, "job_m", JOB_QUEUED, ""));
    for (int i = 0; i < NOPEN; i++) store_close(o[i].s);
    CHECK_INT(pg_sql_int(ci, "SELECT count(*) FROM fitd_schema"), 1);
    CHECK_INT(pg_sql_int(ci, "SELECT version FROM fitd_schema"), 4); /* the current schema */
    /* a version-2 database (histories as text) migrates, and its texts
       read as their bytes */
    CHECK_INT(pg_sql_int(ci, "DROP INDEX jobs_dataset; ALTER TABLE jobs DROP COLUMN history;"
                             "ALTER TABLE jobs ADD COLUMN history_json text;"
                             "UPDATE jobs SET history_json = '{\"epoch\":[1]}';"
                             "UPDATE fitd_schema SET version = 2"),
              0);
    char err[512];
    store *s = store_open("postgres", ci, err, sizeof err);
    job_rec *j = NULL;
    CHECK(s != NULL && store_job_get(s, "job_m", &j) == STORE_OK && j != NULL &&
          same_bytes(j->history, j->history_len, (const unsigned char *)"{\"epoch\":[1]}", 13));
    job_rec_free(j);
    store_close(s);
    CHECK_INT(pg_sql_int(ci, "SELECT version FROM fitd_schema"), 4);
    CHECK_INT(pg_sql_int(ci, "UPDATE fitd_schema SET version = 99"), 0);
    CHECK(store_open("postgres", ci, err, sizeof err) == NULL);
    CHECK(strstr(err, "newer") != NULL);
}

/* Progress for other replicas: only the lease holder publishes; readers
 * get the entries after an epoch, or the latest; they go with the run. */
static void test_pg_progress(store *a, store *b) {
    job_rec *j = NULL;
    put_queued(a, "job_p", 0);
    CHECK_INT(store_job_claim(a, "A", 60000, CLAIM_MS, &j), STORE_OK);
    CHECK_INT(store_job_progress_put(a, "job_p", "A", 3, "{\"epoch\":3}"), STORE_OK);
    CHECK_INT(store_job_progress_put(a, "job_p", "A", 7, "{\"epoch\":7}"), STORE_OK);
    CHECK_INT(store_job_progress_put(a, "job_p", "A", 7, "{\"epoch\":7,\"again\":1}"), STORE_OK);
    CHECK_INT(store_job_progress_put(b, "job_p", "B", 9, "{\"epoch\":9}"), STORE_CONFLICT);
    CHECK_INT(store_job_progress_put(b, "job_none", "B", 9, "{}"), STORE_NOTFOUND);
    store_progress *p = NULL;
    size_t n = 0;
    CHECK_INT(store_job_progress_get(b, "job_p", 0, 10, &p, &n), STORE_OK);
    CHECK(n == 2 && p[0].epoch == 3 && p[1].epoch == 7 &&
          strcmp(p[1].data, "{\"epoch\":7,\"again\":1}") == 0);
    store_progress_free(p, n);
    CHECK_INT(store_job_progress_get(b, "job_p", 3, 10, &p, &n), STORE_OK);
    CHECK(n == 1 && p[0].epoch == 7);
    store_progress_free(p, n);
    CHECK_INT(store_job_progress_get(b, "job_p", 0, 1, &p, &n), STORE_OK);
    CHECK(n == 1 && p[0].epoch == 3);
    store_progress_free(p, n);
    CHECK_INT(store_job_progress_get(b, "job_p", -1, 1, &p, &n), STORE_OK);
    CHECK(n == 1 && p[0].epoch == 7);
    store_progress_free(p, n);
    /* finished: the run's progress is gone */
    j->status = JOB_SUCCEEDED;
    j->finished_ms = j->started_ms + 1;
    CHECK_INT(store_job_update(a, j, JOB_RUNNING), STORE_OK);
    CHECK_INT(store_job_progress_get(b, "job_p", -1, 1, &p, &n), STORE_OK);
    CHECK_INT(n, 0);
    store_progress_free(p, n);
    job_rec_free(j);
}

/* Every postgres test, each on a database of its own. */
/* A job whose replica died after a cancel was asked of it ends cancelled
 * when it is reaped, finished at the reaper's clock; its start is the
 * claimer's. */
static void test_pg_reap_cancelled(store *a, store *b) {
    job_rec *j = NULL;
    put_queued(a, "job_rc", 0);
    CHECK_INT(store_job_claim(a, "A", 1, CLAIM_MS, &j), STORE_OK); /* a lease of 1 ms */
    job_rec_free(j);
    CHECK_INT(store_job_request_cancel(b, "job_rc"), STORE_OK);
    sleep_ms(20);
    size_t n = 0;
    CHECK_INT(store_job_reap(b, CLAIM_MS + 777, &n), STORE_OK);
    CHECK_INT((long long)n, 1);
    j = NULL;
    CHECK_INT(store_job_get(b, "job_rc", &j), STORE_OK);
    CHECK(j != NULL && j->status == JOB_CANCELLED && j->started_ms == CLAIM_MS &&
          j->finished_ms == CLAIM_MS + 777 && j->owner[0] == '\0');
    job_rec_free(j);
}

static void test_pg(const char *url) {
    snprintf(pg_url, sizeof pg_url, "%s", url);
    pg_admin = PQconnectdb(url);
    if (!CHECK(PQstatus(pg_admin) == CONNECTION_OK)) {
        fprintf(stderr, "  %s: %s", url, PQerrorMessage(pg_admin));
        PQfinish(pg_admin);
        return;
    }
    PQsetNoticeProcessor(pg_admin, quiet_notice, NULL);
    test_pg_battery();
    char ci[2048], db[64];
    if (CHECK(pg_fresh(ci, sizeof ci, NULL) == 0)) {
        store *s = pg_open(ci, 3); /* fewer connections than threads */
        if (s != NULL) test_threads(s);
        store_close(s);
    }
    if (CHECK(pg_fresh(ci, sizeof ci, NULL) == 0)) {
        store *a = pg_open(ci, 2), *b = pg_open(ci, 2);
        if (a != NULL && b != NULL) test_pg_queue(a, b);
        store_close(a);
        store_close(b);
    }
    if (CHECK(pg_fresh(ci, sizeof ci, NULL) == 0)) {
        store *a = pg_open(ci, 2), *b = pg_open(ci, 2);
        if (a != NULL && b != NULL) test_pg_progress(a, b);
        if (a != NULL && b != NULL) test_pg_reap_cancelled(a, b);
        store_close(a);
        store_close(b);
    }
    if (CHECK(pg_fresh(ci, sizeof ci, NULL) == 0)) {
        store *a = pg_open(ci, 4), *b = pg_open(ci, 4);
        if (a != NULL && b != NULL) test_pg_claim_race(a, b);
        store_close(a);
        store_close(b);
    }
    if (CHECK(pg_fresh(ci, sizeof ci, db) == 0)) {
        store *a = pg_open(ci, 2), *b = pg_open(ci, 1);
        if (a != NULL && b != NULL) test_pg_events(a, b, db);
        store_close(a);
        store_close(b);
    }
    test_pg_gone();
    test_pg_migrate();
    for (int i = 0; i < pg_ndbs; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %.63s WITH (FORCE)", pg_dbs[i]);
        PQclear(PQexec(pg_admin, sql));
    }
    PQfinish(pg_admin);
}

int main(void) {
    const char *url = getenv("FITD_TEST_DATABASE_URL");
    if (url != NULL && url[0] != '\0')
        test_pg(url);
    else
        printf("test_store_pg: skipped (FITD_TEST_DATABASE_URL not set; see tests/pg)\n");
    return check_done("test_store_pg");
}
