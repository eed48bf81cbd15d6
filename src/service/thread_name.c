/* thread_name.c - names fitd's threads (Linux: prctl PR_SET_NAME). */
#include "thread_name.h"

#include <sys/prctl.h>

void thread_name(const char *name) {
    prctl(PR_SET_NAME, name, 0, 0, 0);
}
