/*
 * api.h: the local cloud's HTTP server (libmicrohttpd): one endpoint for every service.
 *
 * lc_api_server_start binds, starts a pool of worker threads and returns at once; every request
 * goes through the pipeline route -> authenticate (SigV4) -> authorize (IAM) -> act -> record
 * (docs/internals/api.md). lc_api_server_stop stops accepting, lets in-flight requests finish,
 * flushes the decision trail and frees everything. Services are described in src/api/service.h.
 */
#ifndef LEASTCLOUD_API_H
#define LEASTCLOUD_API_H

#include <stdbool.h>
#include <stdint.h>

struct lc_error;
struct lc_store;
struct lc_api_server;

struct lc_api_options {
    const char *host;          /* "127.0.0.1" when NULL */
    uint16_t port;             /* 0 picks a free port (see lc_api_server_port) */
    unsigned threads;          /* worker threads, 0 = 4 */
    unsigned drain_timeout_ms; /* how long stop waits for in-flight requests, 0 = 10000 */
};

/*
 * Starts serving `store` (borrowed: it must outlive the server). On success *out owns the server;
 * stop it with lc_api_server_stop. Fails with LC_EIO when the address cannot be bound.
 */
int lc_api_server_start(struct lc_store *store, const struct lc_api_options *opts,
                        struct lc_api_server **out, struct lc_error *err);
/* The port actually bound. */
uint16_t lc_api_server_port(const struct lc_api_server *srv);
/* Requests answered so far. */
uint64_t lc_api_server_requests(const struct lc_api_server *srv);
/* Drains and frees the server. NULL is a no-op. */
void lc_api_server_stop(struct lc_api_server *srv);

#endif
