/* store_sqlite.c - the "sqlite" store's connections: opening the data
 * directory and the database (WAL, foreign keys; the writer's commits
 * made durable by the syncer, or else synchronous=FULL), the
 * schema and its migrations, the prepared statements, the writer's
 * transactions and the reader pool. The records themselves are read and
 * written in store_sqlite_ds.c and store_sqlite_job.c. */
#include "service/store_sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUSY_TIMEOUT_MS 5000
#define DB_FILE "fitd.db"
#define LOCK_FILE "fitd.lock"

/* ---- schema ---- */

/* migrations[v] takes a database from user_version v to v + 1. Never
 * edit one that has shipped; append a new one. */
static const char *const migrations[] = {
    "CREATE TABLE datasets("
    "  id TEXT PRIMARY KEY NOT NULL,"
    "  seq INTEGER NOT NULL UNIQUE," /* creation order */
    "  name TEXT,"
    "  created_ms INTEGER NOT NULL,"
    "  inline INTEGER NOT NULL,"
    "  \"rows\" INTEGER NOT NULL,"
    "  ncols INTEGER NOT NULL,"
    "  names_json TEXT NOT NULL," /* ["x", "y"] */
    "  stats_json TEXT);"         /* [{"count", "mean", "sd", "min", "max"}] */
    /* column col's rows [chunk * SQ_CHUNK_ROWS, ...) as little-endian float64 */
    "CREATE TABLE dataset_columns("
    "  dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,"
    "  col INTEGER NOT NULL,"
    "  chunk INTEGER NOT NULL,"
    "  data BLOB NOT NULL,"
    "  PRIMARY KEY(dataset_id, col, chunk));"
    "CREATE TABLE jobs("
    "  id TEXT PRIMARY KEY NOT NULL,"
    "  seq INTEGER NOT NULL UNIQUE,"
    "  dataset TEXT NOT NULL,"
    "  status TEXT NOT NULL"
    "    CHECK(status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),"
    "  seed INTEGER NOT NULL," /* the uint64's bits as an int64 */
    "  created_ms INTEGER NOT NULL,"
    "  started_ms INTEGER NOT NULL,"
    "  finished_ms INTEGER NOT NULL,"
    "  spec_json TEXT,"
    "  result_json TEXT,"
    "  history_json TEXT,"
    "  idem_key TEXT UNIQUE,"
    "  body_hash TEXT NOT NULL,"
    "  attempts INTEGER NOT NULL);"
    "CREATE INDEX jobs_status_seq ON jobs(status, seq);",
    /* v2: which jobs name a dataset, for sweeping inline datasets */
    "CREATE INDEX jobs_dataset ON jobs(dataset);",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

#define UNUSED_INLINE                                                                              \
    " inline = 1 AND NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.dataset = datasets.id)"
#define SWEEP_ONE "SELECT id FROM datasets WHERE id = ?1 AND created_ms < ?2 AND" UNUSED_INLINE
#define SWEEP_ALL "SELECT id FROM datasets WHERE created_ms < ?2 AND" UNUSED_INLINE
#define DS_COLS "id, name, created_ms, inline, \"rows\", ncols, names_json, stats_json"
#define JOB_COLS_NO_HISTORY                                                                        \
    "id, dataset, status, seed, created_ms, started_ms, finished_ms, spec_json, result_json"
#define JOB_COLS_TAIL "idem_key, body_hash, attempts"

static const char *const sql[SQ_NSTMT] = {
    [SQ_BEGIN_READ] = "BEGIN",
    [SQ_BEGIN_WRITE] = "BEGIN IMMEDIATE",
    [SQ_COMMIT] = "COMMIT",
    [SQ_ROLLBACK] = "ROLLBACK",
    [SQ_SAVEPOINT] = "SAVEPOINT w",
    [SQ_RELEASE] = "RELEASE w",
    [SQ_ROLLBACK_TO] = "ROLLBACK TO w",
    [SQ_DS_INSERT] = "INSERT INTO datasets(seq, " DS_COLS
                     ") VALUES((SELECT COALESCE(MAX(seq), 0) + 1 FROM datasets),"
                     " ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [SQ_DS_COL_INSERT] = "INSERT INTO dataset_columns(dataset_id, col, chunk, data)"
                         " VALUES(?1, ?2, ?3, ?4)",
    [SQ_DS_META] = "SELECT " DS_COLS " FROM datasets WHERE id = ?1",
    [SQ_DS_SEQ] = "SELECT seq FROM datasets WHERE id = ?1",
    [SQ_DS_LIST] = "SELECT " DS_COLS " FROM datasets WHERE seq > ?1 AND (?2 OR inline = 0)"
                   " ORDER BY seq LIMIT ?3",
    [SQ_DS_COLS] = "SELECT col, chunk, data FROM dataset_columns WHERE dataset_id = ?1"
                   " ORDER BY col, chunk",
    [SQ_DS_DEL_COLS] = "DELETE FROM dataset_columns WHERE dataset_id = ?1",
    [SQ_DS_DEL] = "DELETE FROM datasets WHERE id = ?1",
    /* inline datasets no job names: dataset ?1, or all created before ?2 */
    [SQ_DS_SWEEP_ONE_COLS] = "DELETE FROM dataset_columns WHERE dataset_id IN (" SWEEP_ONE ")",
    [SQ_DS_SWEEP_ONE] = "DELETE FROM datasets WHERE id IN (" SWEEP_ONE ")",
    [SQ_DS_SWEEP_ALL_COLS] = "DELETE FROM dataset_columns WHERE dataset_id IN (" SWEEP_ALL ")",
    [SQ_DS_SWEEP_ALL] = "DELETE FROM datasets WHERE id IN (" SWEEP_ALL ")",
    [SQ_JOB_INSERT] = "INSERT INTO jobs(seq, " JOB_COLS_NO_HISTORY ", history_json, " JOB_COLS_TAIL
                      ") VALUES((SELECT COALESCE(MAX(seq), 0) + 1 FROM jobs),"
                      " ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    [SQ_JOB_UPDATE] = "UPDATE jobs SET status = ?2, started_ms = ?3, finished_ms = ?4,"
                      " attempts = ?5, result_json = ?6, history_json = ?7"
                      " WHERE id = ?1 AND (?8 IS NULL OR status = ?8)",
    [SQ_JOB_GET] =
        "SELECT " JOB_COLS_NO_HISTORY ", history_json, " JOB_COLS_TAIL " FROM jobs WHERE id = ?1",
    [SQ_JOB_BY_IDEM] = "SELECT " JOB_COLS_NO_HISTORY ", history_json, " JOB_COLS_TAIL
                       " FROM jobs WHERE idem_key = ?1",
    [SQ_JOB_SEQ] = "SELECT seq FROM jobs WHERE id = ?1",
    [SQ_JOB_LIST] = "SELECT " JOB_COLS_NO_HISTORY ", NULL, " JOB_COLS_TAIL
                    " FROM jobs WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    [SQ_JOB_LIST_STATUS] = "SELECT " JOB_COLS_NO_HISTORY ", NULL, " JOB_COLS_TAIL
                           " FROM jobs WHERE status = ?3 AND seq > ?1 ORDER BY seq LIMIT ?2",
    /* newest first: ?1 is the seq of the last job of the previous page, or
       the largest int64 for the first page */
    [SQ_JOB_LIST_DESC] = "SELECT " JOB_COLS_NO_HISTORY ", NULL, " JOB_COLS_TAIL
                         " FROM jobs WHERE seq < ?1 ORDER BY seq DESC LIMIT ?2",
    [SQ_JOB_LIST_STATUS_DESC] = "SELECT " JOB_COLS_NO_HISTORY ", NULL, " JOB_COLS_TAIL
                                " FROM jobs WHERE status = ?3 AND seq < ?1"
                                " ORDER BY seq DESC LIMIT ?2",
    [SQ_JOB_DEL] = "DELETE FROM jobs WHERE id = ?1",
    [SQ_JOB_ACTIVE] = "SELECT id FROM jobs WHERE status IN ('queued', 'running') ORDER BY seq",
    [SQ_JOB_REQUEUE] = "UPDATE jobs SET status = 'queued' WHERE status = 'running'",
    [SQ_JOB_COUNTS] = "SELECT status, COUNT(*) FROM jobs GROUP BY status",
};

/* ---- statements ---- */

sqlite3_stmt *sq_stmt(sq_conn *c, sq_stmt_id id) {
    sqlite3_stmt *st = c->st[id];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

int sq_run(sqlite3_stmt *st) {
    int x;
    while ((x = sqlite3_step(st)) == SQLITE_ROW) {
    }
    return x;
}

int sq_fail(int xrc) {
    if (xrc == SQLITE_CONSTRAINT_PRIMARYKEY || xrc == SQLITE_CONSTRAINT_UNIQUE)
        return STORE_CONFLICT;
    return STORE_ERROR;
}

char *sq_text_dup(sqlite3_stmt *st, int i, int *fail) {
    const unsigned char *t = sqlite3_column_text(st, i);
    if (t == NULL) {
        if (sqlite3_column_type(st, i) != SQLITE_NULL) *fail = 1; /* out of memory */
        return NULL;
    }
    size_t len = (size_t)sqlite3_column_bytes(st, i);
    char *c = malloc(len + 1);
    if (c == NULL) {
        *fail = 1;
        return NULL;
    }
    memcpy(c, t, len);
    c[len] = '\0';
    return c;
}

int sq_text_copy(sqlite3_stmt *st, int i, char *dst, size_t cap) {
    const unsigned char *t = sqlite3_column_text(st, i);
    if (t == NULL) return -1;
    size_t len = (size_t)sqlite3_column_bytes(st, i);
    if (len >= cap) return -1;
    memcpy(dst, t, len);
    dst[len] = '\0';
    return 0;
}

int sq_seq_of(sq_conn *c, sq_stmt_id id, const char *key, sqlite3_int64 *seq) {
    sqlite3_stmt *st = sq_stmt(c, id);
    int rc = STORE_ERROR;
    if (sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC) == SQLITE_OK) {
        int x = sqlite3_step(st);
        if (x == SQLITE_ROW) {
            *seq = sqlite3_column_int64(st, 0);
            rc = STORE_OK;
        } else if (x == SQLITE_DONE) {
            rc = STORE_NOTFOUND;
        }
    }
    sqlite3_reset(st);
    return rc;
}

sqlite3_int64 sq_page_limit(size_t limit) {
    const size_t cap = 1000000000; /* more than any page anyone asks for */
    return (sqlite3_int64)(limit < cap ? limit : cap) + 1;
}

/* ---- transactions and the pool ---- */

sq_conn *sq_read_acquire(sq_store *s) {
    pthread_mutex_lock(&s->rmu);
    while (s->nfree == 0) pthread_cond_wait(&s->rcv, &s->rmu);
    sq_conn *c = s->free[--s->nfree];
    pthread_mutex_unlock(&s->rmu);
    return c;
}

void sq_read_release(sq_store *s, sq_conn *c) {
    pthread_mutex_lock(&s->rmu);
    s->free[s->nfree++] = c;
    pthread_cond_signal(&s->rcv);
    pthread_mutex_unlock(&s->rmu);
}

int sq_read_begin(sq_conn *c) {
    int x = sq_run(sq_stmt(c, SQ_BEGIN_READ));
    sqlite3_reset(c->st[SQ_BEGIN_READ]);
    return x == SQLITE_DONE ? 0 : -1;
}

void sq_read_end(sq_conn *c) {
    if (!sqlite3_get_autocommit(c->db)) sq_run(sq_stmt(c, SQ_COMMIT));
    sqlite3_reset(c->st[SQ_COMMIT]);
}

/* ---- the data directory ---- */

/* fsyncs a directory, so that entries made in it survive a crash. */
static void fsync_dir(const char *path) {
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    (void)fsync(fd);
    close(fd);
}

/* mkdir -p: parents 0755, the directory itself 0700 (it holds users'
 * data); each directory made is made durable in its parent. */
static int make_dirs(const char *dir, char *err, size_t cap) {
    size_t len = strlen(dir);
    char *p = malloc(len + 1);
    if (p == NULL) {
        store_seterr(err, cap, "sqlite store: out of memory");
        return -1;
    }
    memcpy(p, dir, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (p[i] != '/' && p[i] != '\0') continue;
        char c = p[i];
        p[i] = '\0';
        if (mkdir(p, c == '\0' ? 0700 : 0755) == 0) {
            char *slash = strrchr(p, '/');
            if (slash == NULL) {
                fsync_dir(".");
            } else if (slash == p) {
                fsync_dir("/");
            } else {
                *slash = '\0';
                fsync_dir(p);
                *slash = '/';
            }
        } else if (errno != EEXIST) {
            store_seterr(err, cap, "cannot create directory %s: %s", p, strerror(errno));
            free(p);
            return -1;
        }
        p[i] = c;
    }
    free(p);
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        store_seterr(err, cap, "data directory %s is not a directory", dir);
        return -1;
    }
    return 0;
}

/* Write-locks dir/fitd.lock so that a second fitd cannot share the
 * directory (its start-up requeue would take this one's running jobs).
 * The kernel drops the lock when the process ends, even on kill -9. */
static int lock_dir(sq_store *s, const char *dir, char *err, size_t cap) {
    size_t len = strlen(dir) + sizeof "/" LOCK_FILE;
    char *path = malloc(len);
    if (path == NULL) {
        store_seterr(err, cap, "sqlite store: out of memory");
        return -1;
    }
    snprintf(path, len, "%s/%s", dir, LOCK_FILE);
    s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (s->lock_fd < 0) {
        store_seterr(err, cap, "cannot open %s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(s->lock_fd, F_SETLK, &fl) != 0) {
        store_seterr(err, cap, "data directory %s is in use by another fitd (%s is locked)", dir,
                     path);
        free(path);
        return -1;
    }
    free(path);
    return 0;
}

/* ---- connections ---- */

static void conn_close(sq_conn *c) {
    for (int i = 0; i < SQ_NSTMT; i++) sqlite3_finalize(c->st[i]); /* NULL-safe */
    sqlite3_close(c->db);                                          /* NULL-safe */
    memset(c, 0, sizeof *c);
}

/* Runs one or more statements that return nothing of interest. */
static int conn_exec(sq_conn *c, const char *text, char *err, size_t cap) {
    char *msg = NULL;
    if (sqlite3_exec(c->db, text, NULL, NULL, &msg) == SQLITE_OK) return 0;
    store_seterr(err, cap, "sqlite: %s", msg ? msg : sqlite3_errmsg(c->db));
    sqlite3_free(msg);
    return -1;
}

static int conn_open(sq_conn *c, const char *path, int reader, char *err, size_t cap) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &c->db, flags, sq_vfs()) != SQLITE_OK) {
        store_seterr(err, cap, "cannot open %s: %s", path,
                     c->db ? sqlite3_errmsg(c->db) : "out of memory");
        return -1;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
    return conn_exec(c,
                     reader ? "PRAGMA foreign_keys = ON; PRAGMA query_only = ON;"
                            : "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;"
                              " PRAGMA journal_size_limit = 67108864;",
                     err, cap);
}

static int conn_prepare(sq_conn *c, char *err, size_t cap) {
    for (int i = 0; i < SQ_NSTMT; i++) {
        if (sqlite3_prepare_v3(c->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &c->st[i], NULL) !=
            SQLITE_OK) {
            store_seterr(err, cap, "sqlite: preparing statement %d: %s", i, sqlite3_errmsg(c->db));
            return -1;
        }
    }
    return 0;
}

static int set_wal(sq_conn *c, char *err, size_t cap) {
    sqlite3_stmt *st = NULL;
    int ok = sqlite3_prepare_v2(c->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) == SQLITE_OK &&
             sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL &&
             strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    if (!ok) store_seterr(err, cap, "sqlite: cannot use WAL mode: %s", sqlite3_errmsg(c->db));
    sqlite3_finalize(st);
    return ok ? 0 : -1;
}

/* Brings the schema to SCHEMA_VERSION, in one transaction. */
static int migrate(sq_conn *c, char *err, size_t cap) {
    sqlite3_stmt *st = NULL;
    int version = -1;
    if (conn_exec(c, "BEGIN IMMEDIATE", err, cap) != 0) return -1;
    if (sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (version < 0 || version > SCHEMA_VERSION) {
        if (version < 0)
            store_seterr(err, cap, "sqlite: %s", sqlite3_errmsg(c->db));
        else
            store_seterr(err, cap, "database schema version %d is newer than this fitd's (%d)",
                         version, SCHEMA_VERSION);
        conn_exec(c, "ROLLBACK", NULL, 0);
        return -1;
    }
    for (int v = version; v < SCHEMA_VERSION; v++) {
        if (conn_exec(c, migrations[v], err, cap) != 0) {
            conn_exec(c, "ROLLBACK", NULL, 0);
            return -1;
        }
    }
    char set[64];
    snprintf(set, sizeof set, "PRAGMA user_version = %d", SCHEMA_VERSION);
    if (conn_exec(c, set, err, cap) != 0 || conn_exec(c, "COMMIT", err, cap) != 0) {
        conn_exec(c, "ROLLBACK", NULL, 0);
        return -1;
    }
    return 0;
}

/* The writer's commits are made durable by the syncer (see
 * store_sqlite_sync.c) when the WAL can be opened for its fdatasync; else
 * they stay synchronous=FULL. */
static void use_syncer(sq_store *s, const char *db_path) {
    size_t len = strlen(db_path) + sizeof "-wal";
    char *wal = malloc(len);
    if (wal == NULL) return;
    snprintf(wal, len, "%s-wal", db_path);
    int fd = open(wal, O_RDONLY | O_CLOEXEC);
    free(wal);
    if (fd < 0) return;
    /* A checkpoint runs on the writer, inside a commit, with two fsyncs of
       its own: small ones (250 pages, 1 MB) stall it for less at a time than
       SQLite's default 1000 pages (p99 of small jobs at 256 connections
       32-34 ms here, against 35-36 ms). */
    if (conn_exec(&s->writer, "PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 250",
                  NULL, 0) != 0) {
        close(fd);
        return;
    }
    s->wal_fd = fd;
}

/* ---- open, close ---- */

static void sq_close(store *base) {
    sq_store *s = (sq_store *)base;
    sq_writer_stop(s); /* what was queued is written (and synced) first */
    if (s->wal_fd >= 0) close(s->wal_fd);
    for (int i = 0; i < SQ_READERS; i++) conn_close(&s->readers[i]);
    conn_close(&s->writer); /* the last one: checkpoints and removes the WAL */
    if (s->lock_fd >= 0) close(s->lock_fd);
    pthread_mutex_destroy(&s->wmu);
    pthread_cond_destroy(&s->wcv);
    pthread_cond_destroy(&s->wdone);
    pthread_mutex_destroy(&s->rmu);
    pthread_cond_destroy(&s->rcv);
    pthread_mutex_destroy(&s->smu);
    pthread_cond_destroy(&s->scv);
    free(s);
}

static const store_ops sq_ops = {
    .kind = "sqlite",
    .close = sq_close,
    .dataset_put = sq_dataset_put,
    .dataset_meta = sq_dataset_meta,
    .dataset_data = sq_dataset_data,
    .dataset_delete = sq_dataset_delete,
    .dataset_sweep_inline = sq_dataset_sweep_inline,
    .dataset_list = sq_dataset_list,
    .job_put = sq_job_put,
    .job_put_async = sq_job_put_async,
    .job_update = sq_job_update,
    .job_update_async = sq_job_update_async,
    .job_get = sq_job_get,
    .job_by_idem = sq_job_by_idem,
    .job_delete = sq_job_delete,
    .job_list = sq_job_list,
    .job_requeue = sq_job_requeue,
    .job_counts = sq_job_counts,
};

/* The store with its locks made and no connection open; NULL when out of
 * memory. */
static sq_store *sq_new(void) {
    sq_store *s = calloc(1, sizeof *s);
    if (s == NULL) return NULL;
    if (pthread_mutex_init(&s->wmu, NULL) != 0) goto fail_w;
    if (pthread_mutex_init(&s->rmu, NULL) != 0) goto fail_r;
    if (pthread_cond_init(&s->rcv, NULL) != 0) goto fail_c;
    if (pthread_cond_init(&s->wcv, NULL) != 0) goto fail_wcv;
    if (pthread_cond_init(&s->wdone, NULL) != 0) goto fail_wdone;
    if (pthread_mutex_init(&s->smu, NULL) != 0) goto fail_smu;
    if (pthread_cond_init(&s->scv, NULL) != 0) goto fail_scv;
    s->base.ops = &sq_ops;
    s->lock_fd = -1;
    s->wal_fd = -1;
    return s;
fail_scv:
    pthread_mutex_destroy(&s->smu);
fail_smu:
    pthread_cond_destroy(&s->wdone);
fail_wdone:
    pthread_cond_destroy(&s->wcv);
fail_wcv:
    pthread_cond_destroy(&s->rcv);
fail_c:
    pthread_mutex_destroy(&s->rmu);
fail_r:
    pthread_mutex_destroy(&s->wmu);
fail_w:
    free(s);
    return NULL;
}

store *store_sqlite_open(const char *dir, char *err, size_t cap) {
    sq_store *s = NULL;
    char *path = NULL;
    if (dir == NULL || dir[0] == '\0') {
        store_seterr(err, cap, "the sqlite store needs a data directory");
        return NULL;
    }
    if (!sqlite3_threadsafe()) {
        store_seterr(err, cap, "this SQLite library was built without thread support");
        return NULL;
    }
    if (make_dirs(dir, err, cap) != 0) return NULL;
    size_t len = strlen(dir) + sizeof "/" DB_FILE;
    if ((path = malloc(len)) == NULL || (s = sq_new()) == NULL) {
        store_seterr(err, cap, "sqlite store: out of memory");
        goto fail;
    }
    snprintf(path, len, "%s/%s", dir, DB_FILE);
    if (lock_dir(s, dir, err, cap) != 0) goto fail;
    if (conn_open(&s->writer, path, 0, err, cap) != 0 || set_wal(&s->writer, err, cap) != 0 ||
        migrate(&s->writer, err, cap) != 0 || conn_prepare(&s->writer, err, cap) != 0)
        goto fail;
    fsync_dir(dir); /* the database and WAL files' entries */
    use_syncer(s, path);
    for (int i = 0; i < SQ_READERS; i++) {
        if (conn_open(&s->readers[i], path, 1, err, cap) != 0 ||
            conn_prepare(&s->readers[i], err, cap) != 0)
            goto fail;
        s->free[s->nfree++] = &s->readers[i];
    }
    if (sq_writer_start(s) != 0) {
        store_seterr(err, cap, "sqlite store: cannot start the writer thread");
        goto fail;
    }
    free(path);
    return &s->base;
fail:
    free(path);
    if (s != NULL) sq_close(&s->base);
    return NULL;
}
