/*
 * metrics_http.h — the smallest HTTP/1.1 responder that serves the metrics: GET
 * /metrics on metrics.listener, on the broker's loop, one request per connection.
 *
 *   accept (at most RN_MHTTP_MAX_CONNS open; more are closed at once)
 *     ──read the head into a fixed buffer (RN_HTTP_HEAD_MAX bytes, RN_MHTTP_READ_MS)──▶
 *        complete:  GET /metrics          200 text/plain; version=0.0.4 (the owner's text)
 *                   another path          404
 *                   /metrics, not GET     405, Allow: GET
 *        malformed, or no end within the
 *        buffer                           400
 *        EOF / timeout before that        closed without an answer
 *     ──write the answer (Connection: close), asynchronously (RN_MHTTP_WRITE_MS)──▶
 *     ──shutdown(SHUT_WR); read and discard what the client still sends (a body we
 *       ignored, the rest of an oversized head: up to RN_MHTTP_LINGER_BYTES, for
 *       RN_MHTTP_LINGER_MS) so that closing does not reset the connection before the
 *       client has read the answer──▶ close
 *
 * Nothing the client sends is trusted: the head parser is bounds-checked and strict
 * (request line, header field syntax), the buffer never grows, and every state is
 * bounded in time. The body is built by the owner's callback in one go (a buffer) and
 * written asynchronously, so a slow reader never blocks the loop.
 *
 * Loop thread only.
 */
#ifndef RN_BROKER_METRICS_HTTP_H
#define RN_BROKER_METRICS_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "broker/metrics.h"

#define RN_HTTP_HEAD_MAX      8192  /* request line + headers + blank line */
#define RN_HTTP_TARGET_MAX    2048  /* request target */
#define RN_MHTTP_MAX_CONNS    16    /* connections open at once */
#define RN_MHTTP_READ_MS      10000 /* from accept to a complete head */
#define RN_MHTTP_WRITE_MS     30000 /* to write the answer */
#define RN_MHTTP_LINGER_MS    2000  /* discarding after the answer */
#define RN_MHTTP_LINGER_BYTES 1048576

/* ---- the request head (pure) ------------------------------------------------------ */

typedef struct rn_http_head_s {
    const char *method; /* views into the parsed buffer */
    size_t method_len;
    const char *path; /* the target up to '?' (the query is ignored) */
    size_t path_len;
    int minor_version; /* HTTP/1.x */
    size_t head_len;   /* bytes up to and including the blank line */
} rn_http_head_t;

/*
 * Parse buf[0..len) as an HTTP/1.x request head: request line, header fields, blank
 * line (lines end in CRLF or a bare LF). Returns 0 with *h filled (views into buf),
 * 1 when the head is not complete yet and len < RN_HTTP_HEAD_MAX (read more),
 * RN_ETOOLARGE when RN_HTTP_HEAD_MAX bytes hold no complete head, or RN_EMALFORMED
 * (bad request line, method or target, an HTTP version other than 1.0/1.1, a header
 * line that is not `token ":" value`, a control character, folded header lines).
 * A malformed line before the end is reported as soon as it is complete.
 */
int rn_http_parse_head(const char *buf, size_t len, rn_http_head_t *h);

/* The status to answer a parsed head with: 200 (GET /metrics), 404 (another path) or
 * 405 (/metrics with another method). */
int rn_http_route(const rn_http_head_t *h);

/* ---- the server -------------------------------------------------------------------- */

typedef struct rn_mhttp_s rn_mhttp_t;

/* Render the metrics into t (called for each GET /metrics). */
typedef void (*rn_mhttp_collect_fn)(void *arg, rn_mtext_t *t);

/* Bind host:port (numeric IPv4/IPv6; port 0: a free one) and serve. Returns 0 and *out,
 * or a negative libuv code (UV_EADDRINUSE, UV_EINVAL); then nothing needs stopping. */
int rn_mhttp_start(uv_loop_t *loop, const char *host, int port, rn_mhttp_collect_fn collect,
                   void *arg, rn_mhttp_t **out);

/* The bound port. */
int rn_mhttp_port(const rn_mhttp_t *srv);

/* Connections open now. */
int rn_mhttp_conn_count(const rn_mhttp_t *srv);

/* Connections refused since the start because RN_MHTTP_MAX_CONNS were open. */
uint64_t rn_mhttp_rejected(const rn_mhttp_t *srv);

/* Close the listener and every connection (answers not yet written are dropped); cb
 * (may be NULL) runs from the loop once all is closed, and srv is freed then. */
void rn_mhttp_stop(rn_mhttp_t *srv, void (*cb)(void *arg), void *arg);

#endif
