/* cmd_serve.c: `leastcloud serve [--host H] [--port P] [--threads N]`: the local cloud, in the foreground. */
#include "cli/cli.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leastcloud/api.h"
#include "leastcloud/error.h"
#include "leastcloud/log.h"
#include "leastcloud/store.h"
#include "leastcloud/str.h"

static int s_port(const char *s, uint16_t *out)
{
    int64_t v;
    if (lc_parse_i64(s, &v) != 0 || v < 0 || v > 65535)
        return -1;
    *out = (uint16_t)v;
    return 0;
}

int lc_cli_serve(const struct lc_cli *cli, int argc, char **argv)
{
    struct lc_api_options opts = {.host = "127.0.0.1", .port = 4566};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--host") && v) {
            opts.host = v;
            i++;
        } else if (!strcmp(a, "--port") && v) {
            if (s_port(v, &opts.port))
                return lc_cli_usage_error(argv[0], "--port needs a number from 0 to 65535, not '%s'", v);
            i++;
        } else if (!strcmp(a, "--threads") && v) {
            int64_t n;
            if (lc_parse_i64(v, &n) || n < 1 || n > 64)
                return lc_cli_usage_error(argv[0], "--threads needs a number from 1 to 64, not '%s'", v);
            opts.threads = (unsigned)n;
            i++;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("usage: leastcloud serve [--host 127.0.0.1] [--port 4566] [--threads N (default: one per core)] [--state DIR]\n");
            return LC_EXIT_OK;
        } else {
            return lc_cli_usage_error(argv[0], "unknown argument '%s' (see --help)", a);
        }
    }
    if (!getenv("LEASTCLOUD_LOG"))
        lc_log_set_level(LC_LOG_INFO);

    /* Every thread started from here on inherits the blocked signals, so that only sigwait below
     * sees SIGTERM/SIGINT and the drain runs on this thread. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct lc_error err;
    struct lc_store *store;
    if (lc_store_open(cli->state_dir, NULL, &store, &err) != 0) {
        fprintf(stderr, "leastcloud serve: cannot open the state in %s: %s\n", cli->state_dir, err.message);
        return LC_EXIT_FAIL;
    }
    struct lc_api_server *srv;
    if (lc_api_server_start(store, &opts, &srv, &err) != 0) {
        fprintf(stderr, "leastcloud serve: %s\n", err.message);
        lc_store_close(store);
        return LC_EXIT_FAIL;
    }
    printf("leastcloud: serving http://%s:%u (state %s, account %s, region %s)\n", opts.host,
           (unsigned)lc_api_server_port(srv), lc_store_dir(store), lc_store_account(store), lc_store_region(store));
    printf("leastcloud: credentials: eval \"$(leastcloud --state %s env)\"\n", lc_store_dir(store));
    fflush(stdout);

    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "leastcloud: %s received, finishing in-flight requests\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    uint64_t served = lc_api_server_requests(srv);
    lc_api_server_stop(srv);
    lc_store_close(store);
    fprintf(stderr, "leastcloud: stopped after %llu requests\n", (unsigned long long)served);
    return LC_EXIT_OK;
}
