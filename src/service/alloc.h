/* alloc.h - the memory allocator fitd runs on, and how it is tuned.
 *
 * The fitd binary is linked with jemalloc (see the Makefile's MALLOC);
 * sanitizer builds and the test programs run on glibc's malloc. Which one
 * is present is decided at run time, so one object serves both. */
#ifndef FITD_ALLOC_H
#define FITD_ALLOC_H

#include <stddef.h>

/* Tunes the allocator for a long-running server; call once, before any
   thread starts. */
void alloc_setup(void);

/* Gives memory freed after a large request back to the system. */
void alloc_release(void);

/* Writes the allocator's name and version ("jemalloc 5.3.0-0-g..." or
   "glibc malloc") into buf (n bytes); returns buf. */
const char *alloc_name(char *buf, size_t n);

#endif
