/* apitest.c - starting fitd, talking to it over libcurl. */
#include "apitest.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int fitd_on_postgres(void) {
    const char *store = getenv("FITD_TEST_STORE");
    return store != NULL && strcmp(store, "postgres") == 0 && getenv("FITD_TEST_DATABASE_URL");
}

/* On postgres a data directory stands for a database of its own, named
 * after the directory: "fitd-api-Ab12Cd" -> "fitd_api_ab12cd". */
static void pg_dbname(const char *dir, char *out, size_t cap) {
    const char *base = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
    size_t n = 0;
    for (; *base && n + 1 < cap && n < 60; base++) {
        char c = *base;
        out[n++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a')
                   : ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) ? c
                                                                        : '_';
    }
    out[n] = '\0';
}

/* The libpq URL of database db on the test cluster: FITD_TEST_DATABASE_URL
 * with its database (the path's last segment) replaced. */
static void pg_url(const char *db, char *out, size_t cap) {
    const char *admin = getenv("FITD_TEST_DATABASE_URL");
    const char *slash = strrchr(admin, '/');
    const char *q = strchr(slash ? slash : admin, '?');
    int keep = slash ? (int)(slash - admin) : (int)strlen(admin);
    snprintf(out, cap, "%.*s/%s%s", keep, admin, db, q ? q : "");
}

void fitd_pg_url(const fitd_proc *f, char *out, size_t cap) {
    char db[64];
    pg_dbname(f->dir, db, sizeof db);
    pg_url(db, out, cap);
}

/* Runs one SQL command on the cluster's admin database; 0 when it worked. */
static int pg_admin(const char *sql) {
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "psql '%s' -qAt -v ON_ERROR_STOP=1 -c \"%s\" >/dev/null 2>&1",
             getenv("FITD_TEST_DATABASE_URL"), sql);
    return system(cmd) == 0 ? 0 : -1;
}

int fitd_start(fitd_proc *f, const char *dir, const char *const *extra) {
    int out[2];
    const char *bin = getenv("FITD_BIN") ? getenv("FITD_BIN") : "build/fitd";
    memset(f, 0, sizeof *f); /* token "" (callers' fitd_proc is uninitialised stack) */
    if (dir) {
        snprintf(f->dir, sizeof f->dir, "%s", dir);
    } else {
        snprintf(f->dir, sizeof f->dir, "/tmp/fitd-api-XXXXXX");
        if (mkdtemp(f->dir) == NULL) return -1;
    }
    snprintf(f->log, sizeof f->log, "%s.log", f->dir);
    struct stat st;
    f->log_from = stat(f->log, &st) == 0 ? (long)st.st_size : 0;
    if (pipe(out) != 0) return -1;
    const char *argv[40] = {bin, "serve", "--port", "0", "--data-dir", f->dir, "--quiet"};
    int argc = 7;
    char db[64], url[600];
    if (fitd_on_postgres()) {
        char sql[200];
        pg_dbname(f->dir, db, sizeof db);
        pg_url(db, url, sizeof url);
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
        pg_admin(sql); /* fails when it exists: a restart on the same "directory" */
        argv[argc++] = "--store";
        argv[argc++] = "postgres";
        argv[argc++] = "--database-url";
        argv[argc++] = url;
    }
    for (size_t i = 0; extra && extra[i] && argc < 38; i++) argv[argc++] = extra[i];
    argv[argc] = NULL;
    f->pid = fork();
    if (f->pid < 0) return -1;
    if (f->pid == 0) {
        dup2(out[1], 1);
        int lf = open(f->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (lf >= 0) dup2(lf, 2);
        close(out[0]);
        close(out[1]);
        execv(bin, (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    close(out[1]);
    char line[256];
    size_t n = 0;
    while (n + 1 < sizeof line) {
        ssize_t r = read(out[0], line + n, 1);
        if (r <= 0) break;
        if (line[n++] == '\n') break;
    }
    line[n] = '\0';
    close(out[0]);
    const char *colon = strrchr(line, ':');
    f->port = colon ? atoi(colon + 1) : 0;
    if (f->port <= 0) {
        fprintf(stderr, "fitd did not start (got '%s'); log %s\n", line, f->log);
        return -1;
    }
    snprintf(f->base, sizeof f->base, "http://127.0.0.1:%d", f->port);
    return 0;
}

/* Copies to stderr what the server's log holds past log_from from the
 * first line of a sanitizer report on (every sanitizer's first line has
 * "Sanitizer:", UBSan's has ": runtime error: "); returns 1 if there was
 * one. A server started with halt_on_error has died of it by now. */
static int log_has_report(const fitd_proc *f) {
    FILE *in = fopen(f->log, "r");
    char line[1024];
    int found = 0, shown = 0;
    if (in == NULL) return 0;
    int seek_ok = fseek(in, f->log_from, SEEK_SET) == 0;
    while (seek_ok && shown < 80 && fgets(line, sizeof line, in)) {
        if (!found && (strstr(line, "Sanitizer:") || strstr(line, ": runtime error: "))) {
            found = 1;
            fprintf(stderr, "FAIL fitd (%s): a sanitizer report in its log:\n", f->dir);
        }
        if (found) {
            fputs(line, stderr);
            shown++;
        }
    }
    fclose(in);
    return found;
}

/* The last lines of f's log since it started, to stderr: what a server
 * that did not exit cleanly said last. */
static void log_tail(const fitd_proc *f, int lines) {
    FILE *in = fopen(f->log, "r");
    if (in == NULL || fseek(in, f->log_from, SEEK_SET) != 0) {
        if (in) fclose(in);
        return;
    }
    static char ring[64][1024];
    long n = 0;
    while (fgets(ring[n % 64], sizeof ring[0], in)) n++;
    fclose(in);
    if (lines > 64) lines = 64;
    fprintf(stderr, "  fitd (%s) log, last lines:\n", f->dir);
    for (long i = n > lines ? n - lines : 0; i < n; i++) fprintf(stderr, "  | %s", ring[i % 64]);
}

int fitd_stop(fitd_proc *f, int sig) {
    int st = 0;
    if (f->pid <= 0) return -1;
    kill(f->pid, sig);
    waitpid(f->pid, &st, 0);
    f->pid = 0;
    if (log_has_report(f)) return FITD_SANITIZER_REPORT;
    int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (rc != 0) log_tail(f, 20);
    return rc;
}

int fitd_sql(const fitd_proc *f, const char *sql) {
    if (fitd_on_postgres()) {
        char url[600], cmd[2000];
        fitd_pg_url(f, url, sizeof url);
        snprintf(cmd, sizeof cmd, "psql '%s' -qAt -v ON_ERROR_STOP=1 -c \"%s\" >/dev/null 2>&1", url,
                 sql);
        return system(cmd) == 0 ? 0 : -1;
    }
    char path[600];
    snprintf(path, sizeof path, "%s/fitd.db", f->dir);
    sqlite3 *db = NULL;
    int ok = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
             sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
    sqlite3_close(db);
    return ok ? 0 : -1;
}

void fitd_cleanup(fitd_proc *f) {
    if (fitd_on_postgres()) {
        char db[64], sql[200];
        pg_dbname(f->dir, db, sizeof db);
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", db);
        if (pg_admin(sql) != 0) fprintf(stderr, "could not drop database %s\n", db);
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", f->dir, f->log);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", f->dir);
}

typedef struct buf {
    char *p;
    size_t n;
} buf;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud) {
    buf *b = ud;
    size_t add = size * nmemb;
    char *p = realloc(b->p, b->n + add + 1);
    if (p == NULL) return 0;
    memcpy(p + b->n, ptr, add);
    b->p = p;
    b->n += add;
    b->p[b->n] = '\0';
    return add;
}

int http_do(const fitd_proc *f, const char *method, const char *path, const char *body,
            size_t len, const char *content_type, const char *extra_header, http_res *res) {
    CURL *c = curl_easy_init();
    buf b = {0}, h = {0};
    struct curl_slist *hdr = NULL;
    char url[1024], line[512];
    memset(res, 0, sizeof *res);
    if (c == NULL) return -1;
    snprintf(url, sizeof url, "%s%s", f->base, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        snprintf(line, sizeof line, "Content-Type: %s", content_type ? content_type : "application/json");
        hdr = curl_slist_append(hdr, line);
    }
    hdr = curl_slist_append(hdr, "Expect:");
    if (f->token[0]) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", f->token);
        hdr = curl_slist_append(hdr, line);
    }
    if (extra_header) hdr = curl_slist_append(hdr, extra_header);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(c);
    res->body = b.p ? b.p : strdup("");
    res->len = b.n;
    res->headers = h.p ? h.p : strdup("");
    res->json = json_loads(res->body, 0, NULL);
    return rc == CURLE_OK ? 0 : -1;
}

void http_res_free(http_res *res) {
    free(res->body);
    free(res->headers);
    json_decref(res->json);
    memset(res, 0, sizeof *res);
}

const char *http_res_header(const http_res *res, const char *name, char *out, size_t cap) {
    size_t nl = strlen(name);
    out[0] = '\0';
    for (const char *p = res->headers; p && *p;) {
        const char *e = strstr(p, "\r\n");
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ') v++;
            size_t vl = len - (size_t)(v - p);
            if (vl >= cap) vl = cap - 1;
            memcpy(out, v, vl);
            out[vl] = '\0';
        }
        if (!e) break;
        p = e + 2;
    }
    return out;
}

int http_get(const fitd_proc *f, const char *path, http_res *res) {
    return http_do(f, "GET", path, NULL, 0, NULL, NULL, res);
}

int http_post(const fitd_proc *f, const char *path, const char *json, http_res *res) {
    return http_do(f, "POST", path, json, json ? strlen(json) : 0, NULL, NULL, res);
}

/* Walks "a.b.c" (array indices as numbers) from j. */
static const json_t *walk(const json_t *j, const char *path) {
    char key[128];
    while (j && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof key) return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        if (json_is_array(j)) j = json_array_get(j, (size_t)atol(key));
        else j = json_object_get(j, key);
        path += n;
        if (*path == '.') path++;
    }
    return j;
}

double jnum(const json_t *j, const char *path) {
    const json_t *v = walk(j, path);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

const char *jstr(const json_t *j, const char *path) {
    const json_t *v = walk(j, path);
    return json_is_string(v) ? json_string_value(v) : "";
}

const char *problem_pointer(const json_t *j) {
    return jstr(j, "errors.0.pointer");
}

int openapi_valid(const char *schema, const char *text) {
    char tmp[] = "/tmp/fitd-openapi-XXXXXX";
    int fd = mkstemp(tmp);
    if (fd < 0) return 0;
    size_t len = strlen(text);
    int ok = write(fd, text, len) == (ssize_t)len;
    close(fd);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/api/check_openapi.py --validate %s < %s", schema, tmp);
    ok = ok && system(cmd) == 0;
    unlink(tmp);
    return ok;
}

typedef struct until_buf {
    char *p;
    size_t n;
    const char *until;
} until_buf;

static size_t on_until(char *ptr, size_t size, size_t nmemb, void *ud) {
    until_buf *b = ud;
    size_t add = size * nmemb;
    char *p = realloc(b->p, b->n + add + 1);
    if (p == NULL) return 0;
    memcpy(p + b->n, ptr, add);
    b->p = p;
    b->n += add;
    b->p[b->n] = '\0';
    return b->until && strstr(b->p, b->until) ? 0 : add; /* 0 hangs up */
}

char *http_stream_until(const fitd_proc *f, const char *path, const char *until, long timeout) {
    CURL *c = curl_easy_init();
    until_buf b = {NULL, 0, until};
    char url[512];
    snprintf(url, sizeof url, "%s%s", f->base, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_until);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
    curl_easy_perform(c);
    curl_easy_cleanup(c);
    return b.p ? b.p : strdup("");
}
