/* bare_server.c - the ceiling for bench_service.sh: libmicrohttpd started
 * exactly as fitd starts it (src/service/http.c, http_start: internal
 * polling thread + epoll + suspend/resume, a thread pool of --threads, the
 * same timeout, connection limit and listen backlog), answering every
 * request with one constant ~100-byte JSON body and the headers fitd sends
 * with a JSON answer (Content-Type, Cache-Control). No routing, no
 * logging, no metrics: what is left is MHD and the kernel.
 *
 * Usage: bare_server [--port N] [--threads N] [--bind A.B.C.D]
 *   --port     0 (default) picks a free port
 *   --threads  MHD_OPTION_THREAD_POOL_SIZE (default 2, fitd's --http-threads)
 * Prints "bare listening on http://127.0.0.1:PORT" on stdout once it
 * listens; stops on SIGTERM or SIGINT and exits 0.
 *
 * Build (bench_service.sh does it; no Makefile rule):
 *   cc -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -pthread tests/bench/bare_server.c \
 *      -lmicrohttpd -o BUILD_DIR/bench/bare_server
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* 100 bytes, about the size of a small fitd answer's first line. */
static const char BODY[] =
    "{\"id\":\"job_000000000000000000000000\",\"status\":\"succeeded\",\"params\":{\"m\":1.0,\"b\":2.0},\"ok\":true}\n";

/* The marker MHD keeps per request between the header call and the last
 * call (fitd allocates its request there; nothing to allocate here). */
static int marker;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)upload_data;
    if (*con_cls == NULL) { /* headers read: as fitd, answer on a later call */
        *con_cls = &marker;
        return MHD_YES;
    }
    if (*upload_data_size != 0) { /* a body, if any, is dropped */
        *upload_data_size = 0;
        return MHD_YES;
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(sizeof BODY - 1, (void *)BODY, MHD_RESPMEM_PERSISTENT);
    if (resp == NULL) return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", "application/json");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return rc;
}

static void usage(void) {
    fprintf(stderr, "usage: bare_server [--port N] [--threads N] [--bind A.B.C.D]\n");
    exit(2);
}

int main(int argc, char **argv) {
    long port = 0, threads = 2;
    const char *bind = "127.0.0.1";
    for (int i = 1; i < argc; i++) {
        char *end = NULL;
        if (i + 1 >= argc) usage();
        if (strcmp(argv[i], "--port") == 0) {
            port = strtol(argv[++i], &end, 10);
            if (*end || port < 0 || port > 65535) usage();
        } else if (strcmp(argv[i], "--threads") == 0) {
            threads = strtol(argv[++i], &end, 10);
            if (*end || threads < 1 || threads > 1024) usage();
        } else if (strcmp(argv[i], "--bind") == 0) {
            bind = argv[++i];
        } else {
            usage();
        }
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, bind, &sa.sin_addr) != 1) usage();

    /* Block the stop signals before MHD starts its threads (they inherit the
       mask), then wait for one in this thread. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* The same flags and options as fitd's http_start. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG;
    struct MHD_Daemon *d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
                                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
                                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
                                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000,
                                            MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
                                            MHD_OPTION_END);
    if (d == NULL) {
        fprintf(stderr, "bare_server: cannot listen on %s:%ld\n", bind, port);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("bare listening on http://%s:%u threads=%ld body_bytes=%zu\n", bind,
           info ? (unsigned)info->port : (unsigned)port, threads, sizeof BODY - 1);
    fflush(stdout);

    int sig = 0;
    sigwait(&stop, &sig);
    MHD_stop_daemon(d);
    return 0;
}
