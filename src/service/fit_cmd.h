/* fit_cmd.h - `fitd fit SPEC.json`: one job run in-process on the same
 * engine and reader as the service, its job document printed. */
#ifndef FITD_FIT_CMD_H
#define FITD_FIT_CMD_H

#include <stdatomic.h>
#include <stdio.h>

/* The exit codes of `fitd fit` (and of fitd's other commands). */
enum {
    FIT_EXIT_OK = 0,      /* the job succeeded */
    FIT_EXIT_FAILED = 1,  /* the job failed (diverged) or was cancelled */
    FIT_EXIT_INVALID = 2, /* unreadable input, malformed JSON, invalid spec, usage */
    FIT_EXIT_INTERNAL = 3 /* out of memory, output not writable */
};

/* The largest spec file accepted (inline columns make specs large). */
#define FIT_CMD_MAX_BYTES (256L * 1024 * 1024)

/* Reads the spec at path ("-": standard input), validates it, trains and
 * writes the job document with its history to out (one JSON document,
 * 2-space indent, trailing newline). Invalid input writes a problem+json
 * document (or, for an unreadable file, one line) to err. cancel (may be
 * NULL) is the run's cancel flag: setting it ends the run as cancelled,
 * whose document is still written. Returns a FIT_EXIT_* code. */
int fit_cmd(const char *path, FILE *out, FILE *err, atomic_int *cancel);

#endif
