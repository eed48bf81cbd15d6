/* alloc.c - the memory allocator fitd runs on, and how it is tuned.
 *
 * Why jemalloc: a job's life crosses threads. Its record and answer are
 * made on an HTTP thread or a worker and freed by the store's syncer, and
 * glibc's malloc pays for every such free with its arena's lock and, for
 * blocks past the fastbins, a consolidation. Under small jobs that was a
 * fifth of the server's CPU; with jemalloc the same load runs ~20% more
 * jobs a second (tests/bench/README.md). */
#include "alloc.h"

#include <malloc.h>
#include <stdio.h>

/* jemalloc's control interface, present when the binary is linked with it
   (weak: the test programs and sanitizer builds are not). */
extern int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen)
    __attribute__((weak));

/* jemalloc reads its options from this symbol at its first allocation.
   Blocks of 1 MiB and more (a dataset's columns while they grow, a job's
   scratch on a large dataset) go to its "oversize" arena, which gives pages
   back as soon as they are freed, as glibc's mmap threshold did; smaller
   ones are reused and returned after jemalloc's decay (10 s). Ignored on
   glibc. */
const char *malloc_conf = "oversize_threshold:1048576";

/* arena.<i>.purge with i = MALLCTL_ARENAS_ALL (4096 in jemalloc 5) purges
   every arena's unused dirty pages. */
#define PURGE_ALL "arena.4096.purge"

void alloc_setup(void) {
    if (mallctl != NULL) return; /* jemalloc: tuned by malloc_conf above */
    /* Large buffers (datasets, a job's scratch, request bodies) come from
       mmap and go back to the system when freed; glibc's default would
       raise this threshold after the first large free and keep them. */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    /* Setting that threshold also fixes the trim threshold at 128 KiB,
       and a thread arena whose top passes it is shrunk by madvise at once:
       SQLite's writer frees a savepoint's buffers once per write, and would
       pay a system call for each. Small heaps keep up to 4 MiB spare. */
    mallopt(M_TRIM_THRESHOLD, 4 * 1024 * 1024);
}

void alloc_release(void) {
    if (mallctl != NULL)
        mallctl(PURGE_ALL, NULL, NULL, NULL, 0);
    else
        malloc_trim(0);
}

const char *alloc_name(char *buf, size_t n) {
    const char *v = NULL;
    size_t len = sizeof v;
    if (mallctl != NULL && mallctl("version", &v, &len, NULL, 0) == 0 && v != NULL)
        snprintf(buf, n, "jemalloc %s", v);
    else
        snprintf(buf, n, "glibc malloc");
    return buf;
}
