/* test_sqlite_vfs.c - the "fitd" VFS (store_sqlite_vfs.c). Underneath it
 * sits a recording VFS (registered as the default first, so the fitd VFS
 * wraps it) that notes every write reaching a WAL file. Checked:
 *   - through the fitd VFS every WAL frame reaches the file as one write
 *     of header and page, while the default VFS, for contrast, writes each
 *     frame in two;
 *   - the database reads back whole through either VFS, also from a copy
 *     of the files taken before any checkpoint (what a crash leaves);
 *   - a held write is on the file before a read, a size, a sync, a
 *     non-adjacent write or a close, in its place and order. */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "service/store_sqlite.h"

#define PAGE 4096
#define FRAME_HDR 24
#define WAL_HDR 32

/* ---- the recording VFS: the real default, with WAL writes noted ---- */

static sqlite3_vfs *real_vfs;
static sqlite3_vfs rec_vfs;
static sqlite3_io_methods rec_methods;
static int nwrites, nsmall; /* WAL writes seen; those of at most 64 bytes */
static int nframe_writes;   /* writes of exactly one frame (header and page), or the log's header and one */

typedef struct rec_file {
    sqlite3_file base;
    sqlite3_file *real;
} rec_file;

static int r_close(sqlite3_file *f) {
    return ((rec_file *)f)->real->pMethods->xClose(((rec_file *)f)->real);
}
static int r_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o) {
    return ((rec_file *)f)->real->pMethods->xRead(((rec_file *)f)->real, b, n, o);
}
static int r_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o) {
    nwrites++;
    if (n <= 64) nsmall++;
    if (n == FRAME_HDR + PAGE || n == WAL_HDR + FRAME_HDR + PAGE) nframe_writes++;
    return ((rec_file *)f)->real->pMethods->xWrite(((rec_file *)f)->real, b, n, o);
}
static int r_truncate(sqlite3_file *f, sqlite3_int64 s) {
    return ((rec_file *)f)->real->pMethods->xTruncate(((rec_file *)f)->real, s);
}
static int r_sync(sqlite3_file *f, int fl) {
    return ((rec_file *)f)->real->pMethods->xSync(((rec_file *)f)->real, fl);
}
static int r_size(sqlite3_file *f, sqlite3_int64 *s) {
    return ((rec_file *)f)->real->pMethods->xFileSize(((rec_file *)f)->real, s);
}
static int r_lock(sqlite3_file *f, int l) {
    return ((rec_file *)f)->real->pMethods->xLock(((rec_file *)f)->real, l);
}
static int r_unlock(sqlite3_file *f, int l) {
    return ((rec_file *)f)->real->pMethods->xUnlock(((rec_file *)f)->real, l);
}
static int r_reserved(sqlite3_file *f, int *o) {
    return ((rec_file *)f)->real->pMethods->xCheckReservedLock(((rec_file *)f)->real, o);
}
static int r_fcntl(sqlite3_file *f, int op, void *a) {
    return ((rec_file *)f)->real->pMethods->xFileControl(((rec_file *)f)->real, op, a);
}
static int r_sector(sqlite3_file *f) {
    return ((rec_file *)f)->real->pMethods->xSectorSize(((rec_file *)f)->real);
}
static int r_devchar(sqlite3_file *f) {
    return ((rec_file *)f)->real->pMethods->xDeviceCharacteristics(((rec_file *)f)->real);
}

static int rec_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags, int *out) {
    (void)v;
    if (!(flags & SQLITE_OPEN_WAL)) return real_vfs->xOpen(real_vfs, name, f, flags, out);
    rec_file *r = (rec_file *)f;
    memset(r, 0, sizeof *r);
    r->real = (sqlite3_file *)(r + 1);
    int rc = real_vfs->xOpen(real_vfs, name, r->real, flags, out);
    if (rc == SQLITE_OK) r->base.pMethods = &rec_methods;
    return rc;
}

static void register_recorder(void) {
    real_vfs = sqlite3_vfs_find(NULL);
    rec_methods = (sqlite3_io_methods){.iVersion = 1,
                                       .xClose = r_close,
                                       .xRead = r_read,
                                       .xWrite = r_write,
                                       .xTruncate = r_truncate,
                                       .xSync = r_sync,
                                       .xFileSize = r_size,
                                       .xLock = r_lock,
                                       .xUnlock = r_unlock,
                                       .xCheckReservedLock = r_reserved,
                                       .xFileControl = r_fcntl,
                                       .xSectorSize = r_sector,
                                       .xDeviceCharacteristics = r_devchar};
    rec_vfs = *real_vfs;
    rec_vfs.zName = "recorder";
    rec_vfs.szOsFile = (int)sizeof(rec_file) + real_vfs->szOsFile;
    rec_vfs.xOpen = rec_open;
    CHECK(sqlite3_vfs_register(&rec_vfs, 1) == SQLITE_OK);
}

/* ---- a database written through a VFS ---- */

static int exec(sqlite3 *db, const char *sql) {
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) fprintf(stderr, "  sqlite: %s: %s\n", sql, msg ? msg : "?");
    sqlite3_free(msg);
    return rc;
}

/* Row k's blob: k's bytes, long enough for overflow pages now and then. */
static size_t blob_of(int k, unsigned char *out) {
    size_t n = 100 + (size_t)(k * 977) % 9000;
    for (size_t i = 0; i < n; i++) out[i] = (unsigned char)(k * 31 + (int)i * 7);
    return n;
}

/* Writes rows 0..n-1 in transactions of 10 through vfs into path, with
 * checkpoints off (everything stays in the WAL); leaves it open in *out. */
static void write_db(const char *path, const char *vfs, int n, sqlite3 **out) {
    sqlite3 *db = NULL;
    CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs) ==
          SQLITE_OK);
    CHECK(exec(db, "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL;"
                   " PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0;"
                   " CREATE TABLE t(k INTEGER PRIMARY KEY, b BLOB NOT NULL)") == SQLITE_OK);
    sqlite3_stmt *st = NULL;
    CHECK(sqlite3_prepare_v2(db, "INSERT INTO t VALUES(?, ?)", -1, &st, NULL) == SQLITE_OK);
    static unsigned char buf[10000];
    for (int k = 0; k < n; k++) {
        if (k % 10 == 0) exec(db, "BEGIN");
        size_t len = blob_of(k, buf);
        sqlite3_bind_int(st, 1, k);
        sqlite3_bind_blob(st, 2, buf, (int)len, SQLITE_TRANSIENT);
        CHECK(sqlite3_step(st) == SQLITE_DONE);
        sqlite3_reset(st);
        if (k % 10 == 9 || k == n - 1) exec(db, "COMMIT");
    }
    sqlite3_finalize(st);
    *out = db;
}

/* Every row 0..n-1 of path, read through the default VFS, is whole. */
static void check_rows(const char *path, int n, const char *what) {
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int good = 0, rows = 0;
    static unsigned char want[10000];
    CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK);
    CHECK(sqlite3_prepare_v2(db, "SELECT k, b FROM t ORDER BY k", -1, &st, NULL) == SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int k = sqlite3_column_int(st, 0);
        size_t len = blob_of(k, want);
        rows++;
        good += k == rows - 1 && (size_t)sqlite3_column_bytes(st, 1) == len &&
                memcmp(sqlite3_column_blob(st, 1), want, len) == 0;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (!CHECK(rows == n && good == n)) fprintf(stderr, "  %s: %d rows, %d whole\n", what, rows, good);
}

static void copy_file(const char *from, const char *to) {
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    char buf[65536];
    size_t n;
    CHECK(a != NULL && b != NULL);
    while (a && b && (n = fread(buf, 1, sizeof buf, a)) > 0) fwrite(buf, 1, n, b);
    if (a) fclose(a);
    if (b) fclose(b);
}

static void test_frames(const char *dir) {
    char path[512], wal[600], copy[512], copy_wal[600];
    snprintf(path, sizeof path, "%s/fitd.db", dir);
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(copy, sizeof copy, "%s/copy.db", dir);
    snprintf(copy_wal, sizeof copy_wal, "%s-wal", copy);
    const int n = 200;

    /* the default VFS: two writes a frame (the contrast that shows the
       recorder sees what this test is about) */
    sqlite3 *db = NULL;
    nwrites = nsmall = nframe_writes = 0;
    write_db(path, NULL, n, &db);
    struct stat sb;
    CHECK(stat(wal, &sb) == 0);
    long frames = ((long)sb.st_size - WAL_HDR) / (FRAME_HDR + PAGE);
    CHECK(frames > n / 10);
    CHECK_INT(nwrites, 2 * frames + 1);
    CHECK_INT(nsmall, frames + 1);
    sqlite3_close(db);
    unlink(path);
    unlink(wal);

    /* the fitd VFS: the same frames, one write each; the log's own header
       alone (SQLite syncs or sizes the file between it and the first
       frame) */
    nwrites = nsmall = nframe_writes = 0;
    write_db(path, sq_vfs(), n, &db);
    CHECK(stat(wal, &sb) == 0);
    long frames2 = ((long)sb.st_size - WAL_HDR) / (FRAME_HDR + PAGE);
    CHECK_INT(frames2, frames);
    CHECK_INT(nwrites, frames2 + 1);
    CHECK_INT(nsmall, 1);
    CHECK_INT(nframe_writes, frames2);
    /* what a crash leaves: the files as they are, nothing checkpointed */
    copy_file(path, copy);
    copy_file(wal, copy_wal);
    check_rows(copy, n, "a copy of the WAL before any checkpoint");
    sqlite3_close(db);
    check_rows(path, n, "after a clean close");
    unlink(copy);
    unlink(copy_wal);
    unlink(path);
}

/* The WAL methods themselves, on a file opened as a WAL through the fitd
 * VFS: a held write is in place before anything that could see the file. */
static void test_held(const char *dir) {
    char db_path[512], path[600];
    snprintf(db_path, sizeof db_path, "%s/held", dir);
    snprintf(path, sizeof path, "%s-wal", db_path);
    copy_file("/dev/null", db_path); /* a WAL takes its mode from its database */
    sqlite3_vfs *v = sqlite3_vfs_find(sq_vfs());
    if (!CHECK(v != NULL)) return;
    sqlite3_file *f = calloc(1, (size_t)v->szOsFile);
    int out = 0;
    if (!CHECK(v->xOpen(v, path, f, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_WAL,
                        &out) == SQLITE_OK && f->pMethods != NULL)) {
        free(f);
        unlink(db_path);
        return;
    }
    const sqlite3_io_methods *m = f->pMethods;
    unsigned char a[24], b[PAGE], got[PAGE + 24];
    memset(a, 'a', sizeof a);
    memset(b, 'b', sizeof b);
    nwrites = 0;

    /* held, then read back: the read sees it */
    CHECK(m->xWrite(f, a, 24, 0) == SQLITE_OK);
    CHECK_INT(nwrites, 0);
    CHECK(m->xRead(f, got, 24, 0) == SQLITE_OK && memcmp(got, a, 24) == 0);
    CHECK_INT(nwrites, 1);
    /* held, then the size: counts it */
    sqlite3_int64 size = 0;
    CHECK(m->xWrite(f, a, 10, 100) == SQLITE_OK);
    CHECK(m->xFileSize(f, &size) == SQLITE_OK);
    CHECK_INT(size, 110);
    CHECK_INT(nwrites, 2);
    /* held, then an adjacent page: one write of both, in place */
    CHECK(m->xWrite(f, a, 24, 200) == SQLITE_OK);
    CHECK(m->xWrite(f, b, PAGE, 224) == SQLITE_OK);
    CHECK_INT(nwrites, 3);
    CHECK(m->xRead(f, got, PAGE + 24, 200) == SQLITE_OK);
    CHECK(memcmp(got, a, 24) == 0 && memcmp(got + 24, b, PAGE) == 0);
    /* held, then a write elsewhere: both written, the held one first */
    CHECK(m->xWrite(f, a, 24, 8192) == SQLITE_OK);
    CHECK(m->xWrite(f, b, PAGE, 20000) == SQLITE_OK);
    CHECK_INT(nwrites, 5);
    CHECK(m->xRead(f, got, 24, 8192) == SQLITE_OK && memcmp(got, a, 24) == 0);
    /* two small adjacent ones are held together, then a sync writes them */
    CHECK(m->xWrite(f, a, 20, 30000) == SQLITE_OK);
    CHECK(m->xWrite(f, a, 20, 30020) == SQLITE_OK);
    CHECK_INT(nwrites, 5);
    CHECK(m->xSync(f, SQLITE_SYNC_NORMAL) == SQLITE_OK);
    CHECK_INT(nwrites, 6);
    CHECK(m->xFileSize(f, &size) == SQLITE_OK);
    CHECK_INT(size, 30040);
    /* held at close: written before the file closes */
    CHECK(m->xWrite(f, a, 24, 40000) == SQLITE_OK);
    CHECK(m->xClose(f) == SQLITE_OK);
    CHECK_INT(nwrites, 7);
    struct stat sb;
    CHECK(stat(path, &sb) == 0 && sb.st_size == 40024);
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0 && pread(fd, got, 24, 40000) == 24 && memcmp(got, a, 24) == 0);
    if (fd >= 0) close(fd);
    free(f);
    unlink(path);
    unlink(db_path);
}

int main(void) {
    register_recorder();
    char dir[] = "/tmp/fitd-vfs-XXXXXX";
    if (!CHECK(mkdtemp(dir) != NULL)) return check_done("test_sqlite_vfs");
    CHECK(sq_vfs() != NULL);
    test_frames(dir);
    test_held(dir);
    rmdir(dir);
    return check_done("test_sqlite_vfs");
}
