/* test_idset.c - the set of in-flight job ids: membership through adds
 * and removes (collisions included, with few buckets), refusals, and four
 * threads adding and removing their own ids at once. */
#include <pthread.h>
#include <stdio.h>

#include "check.h"
#include "service/idset.h"

static void test_basics(void) {
    idset *s = idset_new(7); /* few buckets: long chains */
    char id[32];
    int bad = 0;
    for (int i = 0; i < 1000; i++) {
        snprintf(id, sizeof id, "job_%04d", i);
        bad += idset_add(s, id) != 0;
    }
    CHECK_INT(bad, 0);
    CHECK_INT(idset_size(s), 1000);
    for (int i = 0; i < 1000; i += 2) {
        snprintf(id, sizeof id, "job_%04d", i);
        bad += idset_remove(s, id) != 1;
    }
    CHECK_INT(bad, 0);
    CHECK_INT(idset_size(s), 500);
    int present = 0;
    for (int i = 0; i < 1000; i++) {
        snprintf(id, sizeof id, "job_%04d", i);
        present += idset_has(s, id);
        bad += idset_has(s, id) != (i % 2);
    }
    CHECK_INT(bad, 0);
    CHECK_INT(present, 500);
    CHECK_INT(idset_remove(s, "job_0000"), 0); /* gone already */
    CHECK_INT(idset_has(s, "nobody"), 0);
    CHECK_INT(idset_add(s, "0123456789012345678901234567890123456789012345678901234567890123456789"), -1);
    CHECK_INT(idset_has(NULL, "job_0001"), 0);
    CHECK_INT(idset_remove(NULL, "job_0001"), 0);
    idset_free(s); /* frees what is left */
    idset_free(NULL);
}

typedef struct arg {
    idset *s;
    int t, wrong;
} arg;

static void *churn(void *p) {
    arg *a = p;
    char id[32];
    for (int round = 0; round < 200; round++) {
        for (int i = 0; i < 50; i++) {
            snprintf(id, sizeof id, "t%d_%d", a->t, i);
            a->wrong += idset_add(a->s, id) != 0;
        }
        for (int i = 0; i < 50; i++) {
            snprintf(id, sizeof id, "t%d_%d", a->t, i);
            a->wrong += !idset_has(a->s, id);
            a->wrong += idset_remove(a->s, id) != 1;
        }
    }
    return NULL;
}

static void test_threads(void) {
    idset *s = idset_new(64);
    pthread_t th[4];
    arg a[4];
    for (int t = 0; t < 4; t++) {
        a[t] = (arg){s, t, 0};
        pthread_create(&th[t], NULL, churn, &a[t]);
    }
    int wrong = 0;
    for (int t = 0; t < 4; t++) {
        pthread_join(th[t], NULL);
        wrong += a[t].wrong;
    }
    CHECK_INT(wrong, 0);
    CHECK_INT(idset_size(s), 0);
    idset_free(s);
}

int main(void) {
    test_basics();
    test_threads();
    return check_done("test_idset");
}
