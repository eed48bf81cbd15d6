/* main.c - the fitd command line: `fitd fit`, `fitd version`, help; and
 * `fitd serve` (the default). */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "service/alloc.h"
#include "service/app.h"
#include "service/fit_cmd.h"
#include "service/version.h"

static const char usage[] =
    "usage: fitd [COMMAND] [ARGS]\n"
    "\n"
    "commands:\n"
    "  serve              run the HTTP service (the default)\n"
    "  fit SPEC.json      run one job in-process and print its job document;\n"
    "                     SPEC.json is a POST /v1/jobs body with inline data,\n"
    "                     '-' reads it from standard input\n"
    "  version            print the version\n"
    "  help               print this help (also -h, --help)\n"
    "\n"
    "Run 'fitd fit --help' for the exit codes of fit.\n";

static const char fit_usage[] =
    "usage: fitd fit SPEC.json | -\n"
    "\n"
    "Reads a job specification (the body of POST /v1/jobs, with inline\n"
    "\"data\": {\"columns\": ...} or {\"generate\": ...}), validates it, trains,\n"
    "and prints the job document with its history to standard output: one\n"
    "JSON document, indented, the same bytes for the same spec and seed. A\n"
    "spec without \"seed\" gets one drawn and reported in the document.\n"
    "Ctrl-C stops the run as cancelled and still prints its document (a\n"
    "second Ctrl-C kills fitd).\n"
    "\n"
    "exit status:\n"
    "  0  the job succeeded (completed, early_stopped or timeout)\n"
    "  1  the job failed (diverged) or was cancelled\n"
    "  2  usage error, unreadable file, malformed JSON or invalid spec; the\n"
    "     problem+json document (RFC 9457) is printed on standard error\n"
    "  3  internal error (out of memory, output not writable)\n";

static atomic_int cancel_flag;

/* SIGINT during `fitd fit`: ask the run to stop. SA_RESETHAND makes a
 * second Ctrl-C kill the process as usual. */
static void on_sigint(int sig) {
    (void)sig;
    atomic_store(&cancel_flag, 1); /* lock-free atomic_int: async-signal-safe */
}

static int is_help(const char *a) {
    return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0 || strcmp(a, "help") == 0;
}

static int cmd_fit(int argc, char **argv) {
    if (argc == 3 && is_help(argv[2])) {
        fputs(fit_usage, stdout);
        return FIT_EXIT_OK;
    }
    if (argc != 3) {
        fputs(fit_usage, stderr);
        return FIT_EXIT_INVALID;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sa.sa_flags = (int)SA_RESETHAND; /* 0x80000000u in glibc */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    return fit_cmd(argv[2], stdout, stderr, &cancel_flag);
}

int main(int argc, char **argv) {
    const char *cmd = argc > 1 ? argv[1] : "serve";
    if (argc > 1 && strcmp(cmd, "--help") == 0) {
        fputs(usage, stdout);
        config_usage(stdout);
        return FIT_EXIT_OK;
    }
    if (is_help(cmd)) {
        fputs(usage, stdout);
        return FIT_EXIT_OK;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        char a[128];
        printf("fitd %s\nallocator: %s\n", FITD_VERSION, alloc_name(a, sizeof a));
        return FIT_EXIT_OK;
    }
    if (strcmp(cmd, "fit") == 0) return cmd_fit(argc, argv);
    if (strcmp(cmd, "serve") == 0) return serve_main(argc - 2 < 0 ? 0 : argc - 2, argv + 2);
    if (cmd[0] == '-') return serve_main(argc - 1, argv + 1); /* plain `fitd --port 9000` */
    fprintf(stderr, "fitd: unknown command '%s'\n\n%s", cmd, usage);
    return FIT_EXIT_INVALID;
}
