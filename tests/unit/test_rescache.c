/* test_rescache.c - the cache of rendered finished jobs: hits, misses,
 * replacement, the byte budget, and a delete racing an insert. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "service/rescache.h"

int main(void) {
    rescache *c = rescache_new(64, 4096);
    size_t len = 0;
    char *t;
    CHECK(rescache_get(c, "job_a", &len) == NULL);
    unsigned long e = rescache_epoch(c);
    rescache_put(c, "job_a", "{\"id\":\"job_a\"}", 14, e);
    t = rescache_get(c, "job_a", &len);
    CHECK(t != NULL && len == 14 && strcmp(t, "{\"id\":\"job_a\"}") == 0);
    free(t);
    /* a delete drops the entry and makes older inserts void */
    rescache_drop(c, "job_a");
    CHECK(rescache_get(c, "job_a", &len) == NULL);
    rescache_put(c, "job_a", "stale", 5, e); /* read before the delete */
    CHECK(rescache_get(c, "job_a", &len) == NULL);
    rescache_put(c, "job_b", "fresh", 5, rescache_epoch(c));
    t = rescache_get(c, "job_b", &len);
    CHECK(t != NULL && strcmp(t, "fresh") == 0);
    free(t);
    /* a document over an eighth of the budget is not cached */
    char big[1024];
    memset(big, 'x', sizeof big);
    rescache_put(c, "job_big", big, sizeof big, rescache_epoch(c));
    CHECK(rescache_get(c, "job_big", &len) == NULL);
    /* many entries: the budget holds, the newest is there */
    char id[32], doc[400];
    memset(doc, 'y', sizeof doc);
    for (int i = 0; i < 200; i++) {
        snprintf(id, sizeof id, "job_%03d", i);
        rescache_put(c, id, doc, sizeof doc, rescache_epoch(c));
    }
    t = rescache_get(c, "job_199", &len);
    CHECK(t != NULL && len == sizeof doc);
    free(t);
    int held = 0;
    for (int i = 0; i < 200; i++) {
        snprintf(id, sizeof id, "job_%03d", i);
        char *x = rescache_get(c, id, &len);
        held += x != NULL;
        free(x);
    }
    CHECK(held * (int)sizeof doc <= 4096);
    CHECK(held >= 1);
    rescache_free(c);
    rescache_free(NULL);
    return check_done("test_rescache");
}
