/* test_store.c - the memory and the sqlite store (src/service/store*.c):
 * the battery of store_battery.h against each, then what only the sqlite
 * store promises: everything still there after close and reopen, after a
 * kill -9, the schema, chunked columns, corruption reported as an error,
 * and one fitd per data directory; 8 threads at once on each kind; the
 * queue calls a store that is not shared refuses. The postgres store has
 * test_store_pg.c. */
#include <dirent.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "service/store_sqlite.h"
#include "store_battery.h"

/* Removes path and everything under it. */
static void rm_tree(const char *path) {
    struct stat sb;
    if (lstat(path, &sb) != 0) return;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d != NULL && (e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            rm_tree(sub);
        }
        if (d != NULL) closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static void test_names(void) {
    for (int st = 0; st < JOB_STATUS_COUNT; st++)
        CHECK_INT(job_status_by_name(job_status_name((job_status)st)), st);
    CHECK_STR(job_status_name(JOB_CANCELLED), "cancelled");
    CHECK_INT(job_status_by_name("done"), -1);
    CHECK_INT(job_status_by_name(NULL), -1);
    char err[256];
    CHECK(store_open("postgres", NULL, err, sizeof err) == NULL);
    CHECK(strstr(err, "postgres") != NULL);
    CHECK(store_open_sized("postgres", "", 2, err, sizeof err) == NULL);
    CHECK(strstr(err, "connection string") != NULL);
    /* nothing listens on port 1: refused at once, with libpq's reason */
    CHECK(store_open("postgres", "host=127.0.0.1 port=1 connect_timeout=2", err, sizeof err) ==
          NULL);
    CHECK(strstr(err, "postgres store: cannot connect") != NULL);
    CHECK(store_open("oracle", "x", err, sizeof err) == NULL);
    CHECK(strstr(err, "postgres") != NULL); /* among the kinds known */
    CHECK(store_open("sqlite", "", err, sizeof err) == NULL);
    CHECK(store_open("sqlite", "/dev/null/x", err, sizeof err) == NULL);
    CHECK(err[0] != '\0');
}


/* ---- sqlite only ---- */

/* Runs a query on the database file directly; its first column as int. */
static long long db_int(const char *dir, const char *query) {
    char path[512];
    snprintf(path, sizeof path, "%s/fitd.db", dir);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, query, -1, &st, NULL) == SQLITE_OK) {
        int x = sqlite3_step(st);
        if (x == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        else if (x == SQLITE_DONE)
            v = 0;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* The store a forked child inherits: kept in a global so that a leak
 * checker following the fork (valgrind does) sees it as reachable. */
static store *volatile forked_store;

/* The schema version and the columns' rows, read directly. */
static void test_sqlite_schema(const char *dir) {
    CHECK_INT(db_int(dir, "PRAGMA user_version"), 2);
    CHECK_INT(db_int(dir, "SELECT COUNT(*) FROM dataset_columns WHERE dataset_id = 'ds_big'"), 6);
    CHECK_INT(db_int(dir, "SELECT COUNT(*) FROM dataset_columns WHERE dataset_id NOT IN"
                          " (SELECT id FROM datasets)"),
              0); /* the deleted ds_a's columns went with it */
}

/* Histories are BLOBs in a column older versions filled with text; a row
 * they wrote reads as its text's bytes. */
static void test_sqlite_history_column(store *s, const char *dir) {
    CHECK_INT(db_int(dir, "SELECT typeof(history_json) = 'blob' FROM jobs WHERE id = 'job_s'"), 1);
    CHECK_INT(db_int(dir, "UPDATE jobs SET history_json = '{\"epoch\":[1]}' WHERE id = 'job_s'"), 0);
    job_rec *j = NULL;
    CHECK_INT(store_job_get(s, "job_s", &j), STORE_OK);
    CHECK(j != NULL && same_bytes(j->history, j->history_len, (const unsigned char *)"{\"epoch\":[1]}", 13));
    job_rec_free(j);
}

/* A second fitd (another process) on the same directory is refused. */
static void test_sqlite_lock(store *s, const char *dir) {
    fflush(NULL);
    forked_store = s;
    pid_t pid = fork();
    if (pid == 0) {
        char e2[256];
        store *other = store_open("sqlite", dir, e2, sizeof e2);
        _exit(other == NULL && strstr(e2, "in use") != NULL ? 0 : 1);
    }
    int wst = 0;
    CHECK(pid > 0 && waitpid(pid, &wst, 0) == pid && WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
    forked_store = NULL;
}

/* Closes s and opens dir again: the same everything; running jobs come
 * back queued; creation order goes on. Returns the new store (or NULL). */
static store *test_sqlite_reopen(store *s, const char *dir) {
    char err[256];
    job_rec r = make_job("job_live", "ds_b", NULL);
    r.status = JOB_RUNNING;
    r.attempts = 1;
    CHECK_INT(store_job_put(s, &r), STORE_OK);
    char *before = dump(s);
    store_close(s);
    s = store_open("sqlite", dir, err, sizeof err);
    if (!CHECK(s != NULL)) {
        free(before);
        return NULL;
    }
    char *after = dump(s);
    CHECK(before != NULL && after != NULL && strcmp(before, after) == 0);
    CHECK(after != NULL && strstr(after, "job job_live ds_b running") != NULL);
    free(before);
    free(after);
    char **ids = NULL;
    size_t n = 0;
    CHECK_INT(store_job_requeue(s, &ids, &n), STORE_OK);
    CHECK(n == 5 && strcmp(ids[n - 1], "job_live") == 0);
    free_ids(ids, n);
    job_rec late = make_job("job_late", "ds_b", NULL);
    CHECK_INT(store_job_put(s, &late), STORE_OK);
    job_rec **v = NULL;
    int more = 0;
    CHECK_INT(store_job_list(s, "job_live", 10, -1, 0, &v, &n, &more), STORE_OK);
    CHECK(n == 1 && strcmp(v[0]->id, "job_late") == 0);
    free_jobs(v, n);
    CHECK_INT(store_job_list(s, NULL, 2, -1, 1, &v, &n, &more), STORE_OK);
    CHECK(n == 2 && more == 1 && strcmp(v[0]->id, "job_late") == 0 &&
          strcmp(v[1]->id, "job_live") == 0);
    free_jobs(v, n);
    check_both_orders(s, -1, 11);
    return s;
}

/* A damaged or missing chunk is an error, not a crash. */
static void test_sqlite_damage(store *s, const char *dir) {
    CHECK_INT(db_int(dir, "UPDATE dataset_columns SET data = x'0102' WHERE dataset_id = 'ds_d'"
                          " AND col = 1"),
              0);
    ds_data *dd = NULL;
    CHECK_INT(store_dataset_data(s, "ds_d", &dd), STORE_ERROR);
    CHECK(dd == NULL);
    CHECK_INT(db_int(dir, "DELETE FROM dataset_columns WHERE dataset_id = 'ds_e'"), 0);
    CHECK_INT(store_dataset_data(s, "ds_e", &dd), STORE_ERROR);
}

/* What an acknowledgment of the sqlite store saw: the syncer's count of
 * fdatasyncs begun and the thread it came on. */
typedef struct synced_ack {
    sq_store *s;
    unsigned long before, seen;
    int order, rc;
    char thread[16];
} synced_ack;

static atomic_int acks_told;

static void note_synced(void *ctx, int rc) {
    synced_ack *a = ctx;
    a->seen = atomic_load(&a->s->syncs);
    a->rc = rc;
    a->order = atomic_fetch_add(&acks_told, 1);
    prctl(PR_GET_NAME, a->thread, 0, 0, 0);
}

/* Durability: the writer commits without an fsync, and the syncer tells a
 * write only after an fdatasync of the WAL that began after its commit,
 * on its own thread, in the order the writes were queued. */
static void test_sqlite_synced(store *base) {
    enum { N = 60 };
    sq_store *s = (sq_store *)base;
    static synced_ack acks[N];
    CHECK(s->wal_fd >= 0 && s->sstarted);
    atomic_store(&acks_told, 0);
    char id[32];
    for (int i = 0; i < N; i++) {
        acks[i] = (synced_ack){.s = s, .order = -1, .rc = -99};
        acks[i].before = atomic_load(&s->syncs);
        snprintf(id, sizeof id, "job_synced%02d", i);
        job_rec j = make_job(id, "ds_b", NULL);
        CHECK_INT(store_job_put_async(base, &j, note_synced, &acks[i]), STORE_OK);
    }
    /* a synchronous write returns after everything queued before it */
    job_rec ghost = make_job("job_synced_ghost", "ds_b", NULL);
    CHECK_INT(store_job_update(base, &ghost, -1), STORE_NOTFOUND);
    int unsynced = 0, disorder = 0, elsewhere = 0, failed = 0;
    for (int i = 0; i < N; i++) {
        unsynced += acks[i].seen <= acks[i].before;
        disorder += acks[i].order != i;
        elsewhere += strcmp(acks[i].thread, "fitd-sync") != 0;
        failed += acks[i].rc != STORE_OK;
    }
    CHECK_INT(unsynced, 0);
    CHECK_INT(disorder, 0);
    CHECK_INT(elsewhere, 0);
    CHECK_INT(failed, 0);
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "job_synced%02d", i);
        CHECK_INT(store_job_delete(base, id), STORE_OK);
    }
}

/* The battery on a sqlite store in a directory it makes (two levels
 * deep), then what only the sqlite store promises. */
static void test_sqlite(const char *root) {
    char dir[512], err[256];
    snprintf(dir, sizeof dir, "%s/data/fitd", root);
    store *s = store_open("sqlite", dir, err, sizeof err);
    if (!CHECK(s != NULL)) {
        fprintf(stderr, "  %s\n", err);
        return;
    }
    CHECK_STR(store_kind(s), "sqlite");
    struct stat sb;
    CHECK(stat(dir, &sb) == 0 && (sb.st_mode & 0777) == 0700);
    battery(s);
    test_sqlite_synced(s);
    test_sqlite_schema(dir);
    test_sqlite_history_column(s, dir);
    test_sqlite_lock(s, dir);
    if ((s = test_sqlite_reopen(s, dir)) == NULL) return;
    test_sqlite_damage(s, dir);
    store_close(s);

    /* a database from a newer fitd is refused */
    CHECK_INT(db_int(dir, "PRAGMA user_version = 99"), 0);
    CHECK(store_open("sqlite", dir, err, sizeof err) == NULL);
    CHECK(strstr(err, "newer") != NULL);
}

/* kill -9 right after a put returned: the put is there. */
static void test_sqlite_kill(const char *root) {
    char dir[512], err[256];
    snprintf(dir, sizeof dir, "%s/killed", root);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        store *s = store_open("sqlite", dir, NULL, 0);
        job_rec j = make_job("job_acked", "ds_x", "k");
        if (s == NULL || store_job_put(s, &j) != STORE_OK) _exit(1);
        j.status = JOB_RUNNING;
        if (store_job_update(s, &j, JOB_QUEUED) != STORE_OK) _exit(1);
        kill(getpid(), SIGKILL);
        _exit(2);
    }
    int wst = 0;
    CHECK(pid > 0 && waitpid(pid, &wst, 0) == pid && WIFSIGNALED(wst) && WTERMSIG(wst) == SIGKILL);
    store *s = store_open("sqlite", dir, err, sizeof err);
    CHECK(s != NULL);
    job_rec *got = NULL;
    CHECK_INT(store_job_by_idem(s, "k", &got), STORE_OK);
    CHECK(got != NULL && strcmp(got->id, "job_acked") == 0 && got->status == JOB_RUNNING);
    job_rec_free(got);
    store_close(s);
}


/* The memory and sqlite stores are not shared: the queue calls refuse. */
static void test_not_shared(store *s) {
    job_rec *j = (job_rec *)1;
    size_t n = 9;
    int cancel = 9;
    CHECK_INT(store_shared(s), 0);
    CHECK_INT(store_job_claim(s, "A", 1000, 1, &j), STORE_ERROR);
    CHECK(j == NULL);
    CHECK_INT(store_job_renew(s, "job_q", "A", 1000, &cancel), STORE_ERROR);
    CHECK_INT(store_job_request_cancel(s, "job_q"), STORE_ERROR);
    CHECK_INT(store_job_reap(s, 1, &n), STORE_ERROR);
    CHECK(n == 0 && cancel == 0);
    CHECK_INT(store_publish(s, STORE_EV_QUEUED, "job_q"), STORE_ERROR);
    CHECK_INT(store_healthy(s), 1);
}


int main(void) {
    char root[] = "/tmp/fitd_test_store.XXXXXX";
    if (mkdtemp(root) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_names();

    char err[256];
    store *s = store_open("memory", NULL, err, sizeof err);
    CHECK(s != NULL && strcmp(store_kind(s), "memory") == 0);
    if (s != NULL) battery(s);
    if (s != NULL) test_not_shared(s);
    store_close(s);

    test_sqlite(root);
    test_sqlite_kill(root); /* forks: before any thread starts */

    s = store_open("memory", NULL, err, sizeof err);
    if (CHECK(s != NULL)) test_threads(s);
    store_close(s);
    char dir[512];
    snprintf(dir, sizeof dir, "%s/threads", root);
    s = store_open("sqlite", dir, err, sizeof err);
    if (CHECK(s != NULL)) test_threads(s);
    store_close(s);

    rm_tree(root);
    return check_done("test_store");
}
