/* thread_name.h - names fitd's threads, so `top -H`, perf and gdb tell
 * the store's writer from a worker. */
#ifndef FITD_THREAD_NAME_H
#define FITD_THREAD_NAME_H

/* Names the calling thread (at most 15 characters are kept). */
void thread_name(const char *name);

#endif
