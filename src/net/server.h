/*
 * server.h — a TCP listener whose connections deliver request frames to an owner and
 * send the owner's responses back in request order.
 *
 *            frames in (arrival order)                 responses out (same order)
 *  client ──▶ 1 2 3 ──▶ on_request(1), (2), (3) ...      3 answered first: held
 *                       rn_conn_respond(3) ─┐            2 answered: held
 *                       rn_conn_respond(2) ─┼─▶ queue: [1 ?][2 ✓][3 ✓]
 *                       rn_conn_respond(1) ─┘            1 answered: 1 2 3 written
 *
 * Ordering: each connection keeps its unanswered and answered-but-unsent requests in
 * arrival order; a response is written only when every earlier request has been
 * answered (or answered with "no response"), as Kafka does. A slow request (a long
 * poll) thus holds back later responses on its connection, never on others.
 *
 * Backpressure, per connection (limits in rn_net_opts_t):
 *   - when out_bytes (conn.h) exceeds max_out_bytes, the server stops reading from
 *     that client until out_bytes is back to max_out_bytes / 2 or less;
 *   - when max_inflight requests are unanswered, it stops reading until one is.
 * Reading stops between two frames: frames already received stay buffered, unread
 * bytes stay in the kernel, and TCP flow control pushes back on the client. A slow or
 * vanished client thus costs at most max_out_bytes plus its in-flight requests'
 * frames and responses, and never blocks the loop (writes never block).
 *
 * Bad framing (size < 0 or > max_frame_bytes): on_bad_frame tells the owner (who may
 * log), then the connection is closed; other connections are not affected.
 *
 * Stopping: rn_server_drain stops accepting and reading, closes idle connections at
 * once and each busy one after its last response is written; the owner waits for
 * rn_server_conn_count to reach 0 (on_close tells it) or for its own timeout, then
 * calls rn_server_stop, which closes whatever is left and calls back when done.
 *
 * All functions run on the server's loop thread.
 */
#ifndef RN_NET_SERVER_H
#define RN_NET_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "net/conn.h"

typedef struct rn_server_s rn_server_t;
typedef struct rn_net_req_s rn_net_req_t;

typedef struct rn_server_cbs_s {
    /* Required. One complete request frame (the message after the size prefix). frame
     * stays valid until req is answered; copy what must outlive that. The handler
     * answers req exactly once, now or later, with rn_conn_respond or
     * rn_conn_respond_none; while unanswered, req keeps conn alive. */
    void (*on_request)(rn_conn_t *conn, const uint8_t *frame, size_t len, rn_net_req_t *req,
                       void *arg);
    /* Optional. A new connection was accepted. */
    void (*on_open)(rn_conn_t *conn, void *arg);
    /* Optional. conn sent an impossible size prefix: err is RN_EMALFORMED (size < 0)
     * or RN_ETOOLARGE (size > max_frame_bytes). The connection is closed right after. */
    void (*on_bad_frame)(rn_conn_t *conn, int err, void *arg);
    /* Optional. conn has closed (for any reason); called once per accepted
     * connection. conn stays valid during the call and then as long as a ref is held
     * (each unanswered request holds one). */
    void (*on_close)(rn_conn_t *conn, void *arg);
} rn_server_cbs_t;

/* Called once when rn_server_stop has finished; srv is freed right after it returns. */
typedef void (*rn_server_stop_cb)(rn_server_t *srv, void *arg);

/*
 * Bind host:port (numeric IPv4 or IPv6 address; port 0 picks a free port) and start
 * accepting. opts may be NULL (all defaults); cbs is copied; arg is passed to every
 * callback. On success *srvp is the server and 0 is returned; otherwise a negative
 * libuv code (UV_EADDRINUSE, UV_EINVAL for a bad address, ...), no callback ever runs
 * and the half-made listener is released by the loop's next run.
 */
int rn_server_start(uv_loop_t *loop, const char *host, int port, const rn_net_opts_t *opts,
                    const rn_server_cbs_t *cbs, void *arg, rn_server_t **srvp);

/* The port actually bound (useful after port 0). */
int rn_server_port(const rn_server_t *srv);

/* Connections accepted and not yet closed (on_close not yet called). */
int rn_server_conn_count(const rn_server_t *srv);

/* Totals since the start, over open and closed connections (for metrics). */
typedef struct rn_server_totals_s {
    uint64_t accepted;  /* connections accepted */
    uint64_t bytes_in;  /* bytes read from them */
    uint64_t bytes_out; /* bytes the kernel took for them */
} rn_server_totals_t;

/* Fill *tot: O(open connections). */
void rn_server_totals(const rn_server_t *srv, rn_server_totals_t *tot);

/* Stop accepting and reading; close idle connections now and the others as soon as
 * their last response has been written. Idempotent. */
void rn_server_drain(rn_server_t *srv);

/* Stop accepting and close every connection now (unwritten responses are dropped;
 * later answers to held requests are no-ops). cb (may be NULL) runs once the listener
 * and every connection have closed; then srv is freed. Call at most once. */
void rn_server_stop(rn_server_t *srv, rn_server_stop_cb cb);

/*
 * Answer req with the message bytes[0..len) (response header and body, without the
 * size prefix, which is added here; len <= INT32_MAX). Takes ownership of bytes, an
 * rn_malloc'd buffer, in every case. The response is written once all earlier
 * requests on conn are answered. req is consumed: do not use it afterwards.
 * Returns 0, or RN_ECLOSED when conn has closed meanwhile (the bytes are freed and
 * nothing is sent: harmless).
 */
int rn_conn_respond(rn_conn_t *conn, rn_net_req_t *req, uint8_t *bytes, size_t len);

/* Answer req with no response at all (acks=0 produce): nothing goes on the wire, and
 * later responses no longer wait for it. Returns 0 or RN_ECLOSED as above. */
int rn_conn_respond_none(rn_conn_t *conn, rn_net_req_t *req);

#endif
