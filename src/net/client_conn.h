/*
 * client_conn.h — an outbound connection: resolve, connect, send request frames,
 * receive response frames. Used by the client library (on its own loop thread) and
 * by inter-broker fetchers.
 *
 *   rn_conn_connect ──getaddrinfo──▶ connect (each address in turn) ──▶ on_connect(0)
 *         │ connect_timeout_ms for the whole of it, then UV_ETIMEDOUT
 *         ▼
 *   on_connect(<0) on failure; on_close(status) always comes last, exactly once.
 *
 * The net layer only frames: rn_conn_send adds the size prefix and each complete
 * incoming frame goes to on_frame in stream order; matching responses to requests by
 * correlation id is the caller's business.
 *
 * Bounded output: rn_conn_send refuses (UV_ENOBUFS) while out_bytes (conn.h) is over
 * max_out_bytes; rn_conn_send_ready says whether a send would be accepted, and
 * on_writable fires when the queue has drained back to max_out_bytes / 2. Reading is
 * never paused by the output bound (two peers waiting for each other to read would
 * deadlock); on_frame is synchronous, so incoming data is bounded by the frame limit.
 *
 * All functions and callbacks run on the loop thread.
 */
#ifndef RN_NET_CLIENT_CONN_H
#define RN_NET_CLIENT_CONN_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "net/conn.h"

typedef struct rn_conn_cbs_s {
    /* Optional. Called at most once: 0 when connected; a negative code when resolving
     * or connecting failed or timed out (UV_ECONNREFUSED, UV_ETIMEDOUT, UV_EAI_*...).
     * Not called when the owner closes the connection before it is connected. */
    void (*on_connect)(rn_conn_t *conn, int status, void *arg);
    /* Required. One complete frame (message after the size prefix). The callee owns
     * frame, an rn_malloc'd buffer (rn_free it). */
    void (*on_frame)(rn_conn_t *conn, uint8_t *frame, size_t len, void *arg);
    /* Optional. The output queue drained to max_out_bytes / 2 after being full. */
    void (*on_writable)(rn_conn_t *conn, void *arg);
    /* Optional. Called exactly once, when the connection has closed: status 0 after
     * rn_conn_close, UV_EOF when the peer closed, RN_EMALFORMED / RN_ETOOLARGE on a bad
     * frame from the peer, the connect error, or another negative libuv code. conn
     * stays valid during the call; afterwards only while the owner holds a ref. */
    void (*on_close)(rn_conn_t *conn, int status, void *arg);
} rn_conn_cbs_t;

/*
 * Start connecting to host:port (a name or a numeric address). opts may be NULL;
 * cbs is copied. On success *connp is set and 0 returned: the connection exists
 * until on_close returns (take a ref to keep it longer). On failure (for example
 * the resolver could not be started) a negative code is returned, no callback runs
 * and nothing remains.
 */
int rn_conn_connect(uv_loop_t *loop, const char *host, int port, const rn_net_opts_t *opts,
                    const rn_conn_cbs_t *cbs, void *arg, rn_conn_t **connp);

/*
 * Queue the message bytes[0..len) (len <= INT32_MAX) for sending, with its size
 * prefix. Takes ownership of bytes (rn_malloc'd) in every case, also on error.
 * Returns 0; UV_ENOTCONN before on_connect(0); RN_ECLOSED once closing; UV_ENOBUFS
 * while the output queue is over its bound (nothing queued).
 */
int rn_conn_send(rn_conn_t *conn, uint8_t *bytes, size_t len);

/* 1 when rn_conn_send would queue now (connected, output under its bound), else 0. */
int rn_conn_send_ready(const rn_conn_t *conn);

#endif
