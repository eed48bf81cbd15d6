/* store_sqlite_vfs.c - the "fitd" SQLite VFS: the system's default VFS
 * with one change, to the write-ahead log. SQLite writes each WAL frame
 * as two writes, its 24-byte header and then its page, at adjacent
 * offsets; a commit of n pages is 2n pwrite calls. On a virtual machine a
 * system call costs about a microsecond, and a job's commit writes about
 * two frames, so half of those calls are worth saving: this VFS holds a
 * small write back until the next operation on the file and, when that
 * is the write that continues it, issues the two as one (the bytes, their
 * order and their offsets are the same; only the number of calls
 * changes). Any other operation (a read, a sync, a truncate, a size, a
 * lock, a file control, a close) first writes what is held, so nothing
 * else ever sees the file without it, and SQLite's own sequence (frames
 * written, then the wal-index updated, then synced) is unchanged.
 *
 * Files other than the WAL are the default VFS's own files, opened in
 * place: they cost nothing extra. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "service/store_sqlite.h"

/* Writes of at most this many bytes are held back (the frame header is
 * 24, the log's own header 32; both may be held together). */
#define HOLD_MAX 64

/* A WAL file: the real file (the default VFS's) follows this struct in
 * the same allocation. held[0..nheld) is a write not yet issued, at
 * offset held_off. join is scratch for a held write and its successor,
 * grown as needed and freed at close. */
typedef struct wal_file {
    sqlite3_file base;
    sqlite3_file *real;
    unsigned char held[HOLD_MAX];
    int nheld;
    sqlite3_int64 held_off;
    unsigned char *join;
    size_t join_cap;
} wal_file;

static sqlite3_vfs fitd_vfs;
static sqlite3_io_methods wal_methods;

/* Issues the held write, if any; an SQLite status. */
static int flush(wal_file *w) {
    if (w->nheld == 0) return SQLITE_OK;
    int n = w->nheld;
    w->nheld = 0;
    return w->real->pMethods->xWrite(w->real, w->held, n, w->held_off);
}

static int wal_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off) {
    wal_file *w = (wal_file *)f;
    if (w->nheld > 0 && off == w->held_off + w->nheld) {
        if (w->nheld + amt <= HOLD_MAX) { /* still small: hold both */
            memcpy(w->held + w->nheld, buf, (size_t)amt);
            w->nheld += amt;
            return SQLITE_OK;
        }
        size_t total = (size_t)w->nheld + (size_t)amt;
        if (total > w->join_cap) {
            unsigned char *p = realloc(w->join, total);
            if (p == NULL) { /* no room to join: two writes, as without this VFS */
                int rc = flush(w);
                return rc != SQLITE_OK ? rc : w->real->pMethods->xWrite(w->real, buf, amt, off);
            }
            w->join = p;
            w->join_cap = total;
        }
        memcpy(w->join, w->held, (size_t)w->nheld);
        memcpy(w->join + w->nheld, buf, (size_t)amt);
        sqlite3_int64 at = w->held_off;
        w->nheld = 0;
        return w->real->pMethods->xWrite(w->real, w->join, (int)total, at);
    }
    int rc = flush(w);
    if (rc != SQLITE_OK) return rc;
    if (amt <= HOLD_MAX) {
        memcpy(w->held, buf, (size_t)amt);
        w->nheld = amt;
        w->held_off = off;
        return SQLITE_OK;
    }
    return w->real->pMethods->xWrite(w->real, buf, amt, off);
}

static int wal_close(sqlite3_file *f) {
    wal_file *w = (wal_file *)f;
    int rc = flush(w);
    int rc2 = w->real->pMethods->xClose(w->real);
    free(w->join);
    w->join = NULL;
    w->join_cap = 0;
    return rc != SQLITE_OK ? rc : rc2;
}

static int wal_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off) {
    wal_file *w = (wal_file *)f;
    int rc = flush(w);
    return rc != SQLITE_OK ? rc : w->real->pMethods->xRead(w->real, buf, amt, off);
}

static int wal_truncate(sqlite3_file *f, sqlite3_int64 size) {
    wal_file *w = (wal_file *)f;
    int rc = flush(w);
    return rc != SQLITE_OK ? rc : w->real->pMethods->xTruncate(w->real, size);
}

static int wal_sync(sqlite3_file *f, int flags) {
    wal_file *w = (wal_file *)f;
    int rc = flush(w);
    return rc != SQLITE_OK ? rc : w->real->pMethods->xSync(w->real, flags);
}

static int wal_file_size(sqlite3_file *f, sqlite3_int64 *size) {
    wal_file *w = (wal_file *)f;
    int rc = flush(w);
    return rc != SQLITE_OK ? rc : w->real->pMethods->xFileSize(w->real, size);
}

static int wal_lock(sqlite3_file *f, int level) {
    wal_file *w = (wal_file *)f;
    int rc = flush(w);
    return rc != SQLITE_OK ? rc : w->real->pMethods->xLock(w->real, level);
}

static int wal_unlock(sqlite3_file *f, int level) {
    wal_file *w = (wal_file *)f;
    int rc = flush(w);
    return rc != SQLITE_OK ? rc : w->real->pMethods->xUnlock(w->real, level);
}

static int wal_check_reserved(sqlite3_file *f, int *out) {
    wal_file *w = (wal_file *)f;
    int rc = flush(w);
    return rc != SQLITE_OK ? rc : w->real->pMethods->xCheckReservedLock(w->real, out);
}

static int wal_file_control(sqlite3_file *f, int op, void *arg) {
    wal_file *w = (wal_file *)f;
    int rc = flush(w);
    return rc != SQLITE_OK ? rc : w->real->pMethods->xFileControl(w->real, op, arg);
}

static int wal_sector_size(sqlite3_file *f) {
    wal_file *w = (wal_file *)f;
    return w->real->pMethods->xSectorSize(w->real);
}

static int wal_device_characteristics(sqlite3_file *f) {
    wal_file *w = (wal_file *)f;
    return w->real->pMethods->xDeviceCharacteristics(w->real);
}

/* The shared-memory and mapping methods belong to database files (SQLite
 * does not call them on a WAL file); they are passed on when the real
 * file has them, and otherwise answer as a file without them would. */
static int wal_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp) {
    wal_file *w = (wal_file *)f;
    if (w->real->pMethods->iVersion < 2) return SQLITE_IOERR_SHMMAP;
    return w->real->pMethods->xShmMap(w->real, pg, pgsz, extend, pp);
}

static int wal_shm_lock(sqlite3_file *f, int offset, int n, int flags) {
    wal_file *w = (wal_file *)f;
    if (w->real->pMethods->iVersion < 2) return SQLITE_IOERR_SHMLOCK;
    return w->real->pMethods->xShmLock(w->real, offset, n, flags);
}

static void wal_shm_barrier(sqlite3_file *f) {
    wal_file *w = (wal_file *)f;
    if (w->real->pMethods->iVersion >= 2) w->real->pMethods->xShmBarrier(w->real);
}

static int wal_shm_unmap(sqlite3_file *f, int del) {
    wal_file *w = (wal_file *)f;
    if (w->real->pMethods->iVersion < 2) return SQLITE_OK;
    return w->real->pMethods->xShmUnmap(w->real, del);
}

static int wal_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **pp) {
    wal_file *w = (wal_file *)f;
    *pp = NULL; /* no mapping: SQLite reads instead */
    int rc = flush(w);
    if (rc != SQLITE_OK || w->real->pMethods->iVersion < 3) return rc;
    return w->real->pMethods->xFetch(w->real, off, amt, pp);
}

static int wal_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p) {
    wal_file *w = (wal_file *)f;
    if (w->real->pMethods->iVersion < 3) return SQLITE_OK;
    return w->real->pMethods->xUnfetch(w->real, off, p);
}

static int vfs_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out) {
    sqlite3_vfs *def = vfs->pAppData;
    if (!(flags & SQLITE_OPEN_WAL)) return def->xOpen(def, name, f, flags, out);
    wal_file *w = (wal_file *)f;
    memset(w, 0, sizeof *w);
    w->real = (sqlite3_file *)(w + 1);
    int rc = def->xOpen(def, name, w->real, flags, out);
    /* on failure base.pMethods stays NULL, so SQLite does not close it:
       the real file is closed here if it got that far */
    if (rc == SQLITE_OK && w->real->pMethods != NULL)
        w->base.pMethods = &wal_methods;
    else if (w->real->pMethods != NULL)
        w->real->pMethods->xClose(w->real);
    return rc;
}

/* The rest of the VFS is the default's. */
static int vfs_delete(sqlite3_vfs *v, const char *name, int sync_dir) {
    sqlite3_vfs *d = v->pAppData;
    return d->xDelete(d, name, sync_dir);
}

static int vfs_access(sqlite3_vfs *v, const char *name, int flags, int *out) {
    sqlite3_vfs *d = v->pAppData;
    return d->xAccess(d, name, flags, out);
}

static int vfs_full_pathname(sqlite3_vfs *v, const char *name, int n, char *out) {
    sqlite3_vfs *d = v->pAppData;
    return d->xFullPathname(d, name, n, out);
}

static void *vfs_dlopen(sqlite3_vfs *v, const char *name) {
    sqlite3_vfs *d = v->pAppData;
    return d->xDlOpen(d, name);
}

static void vfs_dlerror(sqlite3_vfs *v, int n, char *out) {
    sqlite3_vfs *d = v->pAppData;
    d->xDlError(d, n, out);
}

static void (*vfs_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void) {
    sqlite3_vfs *d = v->pAppData;
    return d->xDlSym(d, h, sym);
}

static void vfs_dlclose(sqlite3_vfs *v, void *h) {
    sqlite3_vfs *d = v->pAppData;
    d->xDlClose(d, h);
}

static int vfs_randomness(sqlite3_vfs *v, int n, char *out) {
    sqlite3_vfs *d = v->pAppData;
    return d->xRandomness(d, n, out);
}

static int vfs_sleep(sqlite3_vfs *v, int us) {
    sqlite3_vfs *d = v->pAppData;
    return d->xSleep(d, us);
}

static int vfs_current_time(sqlite3_vfs *v, double *out) {
    sqlite3_vfs *d = v->pAppData;
    return d->xCurrentTime(d, out);
}

static int vfs_last_error(sqlite3_vfs *v, int n, char *out) {
    sqlite3_vfs *d = v->pAppData;
    return d->xGetLastError ? d->xGetLastError(d, n, out) : 0;
}

static int vfs_current_time_int64(sqlite3_vfs *v, sqlite3_int64 *out) {
    sqlite3_vfs *d = v->pAppData;
    if (d->iVersion >= 2 && d->xCurrentTimeInt64 != NULL) return d->xCurrentTimeInt64(d, out);
    double day;
    int rc = d->xCurrentTime(d, &day);
    *out = (sqlite3_int64)(day * 86400000.0);
    return rc;
}

static int registered = SQLITE_ERROR;

static void register_vfs(void) {
    sqlite3_vfs *def = sqlite3_vfs_find(NULL);
    if (def == NULL) return;
    wal_methods = (sqlite3_io_methods){
        .iVersion = 3,
        .xClose = wal_close,
        .xRead = wal_read,
        .xWrite = wal_write,
        .xTruncate = wal_truncate,
        .xSync = wal_sync,
        .xFileSize = wal_file_size,
        .xLock = wal_lock,
        .xUnlock = wal_unlock,
        .xCheckReservedLock = wal_check_reserved,
        .xFileControl = wal_file_control,
        .xSectorSize = wal_sector_size,
        .xDeviceCharacteristics = wal_device_characteristics,
        .xShmMap = wal_shm_map,
        .xShmLock = wal_shm_lock,
        .xShmBarrier = wal_shm_barrier,
        .xShmUnmap = wal_shm_unmap,
        .xFetch = wal_fetch,
        .xUnfetch = wal_unfetch,
    };
    size_t wrapped = sizeof(wal_file) + (size_t)def->szOsFile;
    fitd_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)(wrapped > (size_t)def->szOsFile ? wrapped : (size_t)def->szOsFile),
        .mxPathname = def->mxPathname,
        .zName = SQ_VFS_NAME,
        .pAppData = def,
        .xOpen = vfs_open,
        .xDelete = vfs_delete,
        .xAccess = vfs_access,
        .xFullPathname = vfs_full_pathname,
        .xDlOpen = vfs_dlopen,
        .xDlError = vfs_dlerror,
        .xDlSym = vfs_dlsym,
        .xDlClose = vfs_dlclose,
        .xRandomness = vfs_randomness,
        .xSleep = vfs_sleep,
        .xCurrentTime = vfs_current_time,
        .xGetLastError = vfs_last_error,
        .xCurrentTimeInt64 = vfs_current_time_int64,
    };
    registered = sqlite3_vfs_register(&fitd_vfs, 0);
}

const char *sq_vfs(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_vfs);
    return registered == SQLITE_OK ? SQ_VFS_NAME : NULL;
}
