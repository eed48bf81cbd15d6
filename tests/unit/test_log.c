/* test_log.c - the JSON log lines (src/service/log.c): every line reads
 * as JSON with ts, level and event first; the time is ISO 8601 UTC with
 * milliseconds and close to now; a job's line written without a tree
 * (log_job) is byte for byte what log_event writes for the same fields;
 * lines gathered in a batch come out whole, in order, at its end. */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "service/log.h"

/* Runs fn with stderr sent to a temporary file; returns what was written
 * (malloc'ed, NUL-terminated). */
static char *capture(void (*fn)(void)) {
    char path[] = "/tmp/fitd_test_log.XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return NULL;
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    fn();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    off_t len = lseek(fd, 0, SEEK_END);
    char *text = malloc((size_t)len + 1);
    if (text && pread(fd, text, (size_t)len, 0) == len) text[len] = '\0';
    close(fd);
    unlink(path);
    return text;
}

static void write_pairs(void) {
    log_job("job_1", "running", 1, NULL);
    log_event("info", "job", json_pack("{s:s, s:s, s:i}", "job", "job_1", "status", "running",
                                       "attempts", 1));
    log_job("job_\"2\"", "queued", 0, "interrupted");
    log_event("info", "job", json_pack("{s:s, s:s, s:i, s:s}", "job", "job_\"2\"", "status",
                                       "queued", "attempts", 0, "reason", "interrupted"));
}

static void write_batch(void) {
    log_batch_begin();
    for (int i = 0; i < 50; i++) log_job("job_b", i % 2 ? "succeeded" : "running", i, NULL);
    log_event("error", "store", json_pack("{s:s}", "detail", "x"));
    log_batch_end();
}

/* Splits text into lines (in place); returns their count. */
static size_t lines_of(char *text, char **line, size_t max) {
    size_t n = 0;
    for (char *p = text, *nl; p && *p && n < max; p = nl + 1) {
        nl = strchr(p, '\n');
        if (nl == NULL) break;
        *nl = '\0';
        line[n++] = p;
    }
    return n;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; timegm is not
 * POSIX). */
static long days_from_civil(long y, long m, long d) {
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The line's "ts" as seconds since the epoch, or -1 if not of the form
 * YYYY-MM-DDTHH:MM:SS.mmmZ. */
static double ts_seconds(const char *line) {
    json_t *j = json_loads(line, 0, NULL);
    const char *ts = json_string_value(json_object_get(j, "ts"));
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int ms = -1;
    double t = -1;
    if (ts && strlen(ts) == 24 && ts[10] == 'T' && ts[19] == '.' && ts[23] == 'Z' &&
        sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d.%3d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &ms) == 7) {
        t = (double)days_from_civil(tm.tm_year, tm.tm_mon, tm.tm_mday) * 86400.0 +
            tm.tm_hour * 3600.0 + tm.tm_min * 60.0 + tm.tm_sec + ms / 1000.0;
    }
    json_decref(j);
    return t;
}

static double wall_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void) {
    double t0 = wall_now();
    char *text = capture(write_pairs);
    double t1 = wall_now();
    char *line[64];
    size_t n = text ? lines_of(text, line, 64) : 0;
    CHECK_INT((long long)n, 4);
    for (size_t i = 0; i + 1 < n; i += 2) {
        /* the same bytes after the time */
        const char *a = strstr(line[i], "\"level\""), *b = strstr(line[i + 1], "\"level\"");
        CHECK(a && b && strcmp(a, b) == 0);
    }
    CHECK_STR(n == 4 ? strstr(line[2], "\"level\"") : "",
              "\"level\":\"info\",\"event\":\"job\",\"job\":\"job_\\\"2\\\"\",\"status\":\"queued\","
              "\"attempts\":0,\"reason\":\"interrupted\"}");
    for (size_t i = 0; i < n; i++) {
        CHECK(strncmp(line[i], "{\"ts\":\"", 7) == 0);
        double t = ts_seconds(line[i]);
        /* to the millisecond: between the clock's readings around it */
        if (!CHECK(t >= t0 - 0.002 && t <= t1 + 0.002))
            fprintf(stderr, "  ts %.3f, clock %.3f to %.3f\n", t, t0, t1);
    }
    free(text);

    text = capture(write_batch);
    n = text ? lines_of(text, line, 64) : 0;
    CHECK_INT((long long)n, 51);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *j = json_loads(line[i], 0, NULL);
        if (i < 50)
            bad += j == NULL || json_integer_value(json_object_get(j, "attempts")) != (json_int_t)i ||
                   strcmp(json_string_value(json_object_get(j, "status")),
                          i % 2 ? "succeeded" : "running") != 0;
        else
            bad += j == NULL || strcmp(json_string_value(json_object_get(j, "level")), "error") != 0;
        json_decref(j);
    }
    CHECK_INT(bad, 0);
    free(text);
    return check_done("test_log");
}
