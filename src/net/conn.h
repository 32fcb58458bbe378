/*
 * conn.h — one TCP connection carrying length-prefixed frames (frame.h), accepted
 * by a server (server.h) or opened outward (client_conn.h).
 *
 * A connection reads the byte stream, reassembles frames and hands each one to its
 * owner; it writes frames from a queue whose size it tracks. It knows nothing of what
 * is inside a frame. All functions run on the connection's loop thread.
 *
 * Lifetime. rn_conn_t is refcounted. The connection holds one ref on itself while it
 * is open ("open ref"), each request a server handler has not yet answered holds one
 * (server.h), and an owner may take more with rn_conn_ref. The memory is freed when
 * the last ref is dropped, never before the close callback of every libuv handle in
 * it has run. After a connection has closed, calls on it are harmless no-ops.
 *
 *   OPEN ──rn_conn_close / peer EOF / error / bad frame──▶ CLOSING ──handles closed──▶
 *   CLOSED (owner's on_close runs, open ref dropped) ──last unref──▶ freed
 *
 * Output accounting. out_bytes counts response/request bytes (with their 4-byte
 * prefixes) that the connection holds and the kernel has not yet taken: frames
 * waiting for their turn (server ordering) plus frames in libuv's write queue.
 */
#ifndef RN_NET_CONN_H
#define RN_NET_CONN_H

#include <stddef.h>
#include <stdint.h>

typedef struct rn_conn_s rn_conn_t;

/* Limits and timeouts; a zero field means its default. Used by servers (for every
 * accepted connection) and by outbound connections. */
typedef struct rn_net_opts_s {
    size_t max_frame_bytes;      /* largest frame read; default RN_NET_DEFAULT_MAX_FRAME */
    size_t max_out_bytes;        /* output bound, see server.h/client_conn.h; default 4 MiB */
    int max_inflight;            /* server: unanswered requests per connection; default 100 */
    int backlog;                 /* server: listen(2) backlog; default 511 */
    unsigned connect_timeout_ms; /* outbound: resolve + connect; default 10000 */
} rn_net_opts_t;

/* message.max.bytes (1048588) + 65536, docs/protocol.md "Limits". */
#define RN_NET_DEFAULT_MAX_FRAME          1114124
#define RN_NET_DEFAULT_MAX_OUT            (4u << 20)
#define RN_NET_DEFAULT_MAX_INFLIGHT       100
#define RN_NET_DEFAULT_BACKLOG            511
#define RN_NET_DEFAULT_CONNECT_TIMEOUT_MS 10000

typedef struct rn_conn_stats_s {
    size_t out_bytes;    /* held or queued, not yet taken by the kernel */
    int inflight;        /* server: requests handed to the owner, not yet answered */
    int read_paused;     /* 1 while reading is stopped by backpressure or drain */
    uint64_t frames_in;  /* frames read */
    uint64_t frames_out; /* frames handed to the kernel */
    uint64_t bytes_in;   /* bytes read */
    uint64_t bytes_out;  /* bytes the kernel took (size prefixes included) */
} rn_conn_stats_t;

/* Take a ref; conn must not be freed yet. */
void rn_conn_ref(rn_conn_t *conn);

/* Drop a ref; frees the connection when it was the last (only possible once closed). */
void rn_conn_unref(rn_conn_t *conn);

/* Close now: stop reading, drop queued output, close the socket. The owner's on_close
 * runs later from the loop. No-op when already closing or closed. */
void rn_conn_close(rn_conn_t *conn);

/* 1 while the connection is open (connected and not closing), else 0. */
int rn_conn_is_open(const rn_conn_t *conn);

/* Counters and state, for tests and metrics. */
void rn_conn_stats(const rn_conn_t *conn, rn_conn_stats_t *stats);

/* The peer's address as "ip:port" ("[ip6]:port") into buf; "?" when unknown (not
 * connected, closed). Always NUL-terminates when len > 0. */
void rn_conn_peer(const rn_conn_t *conn, char *buf, size_t len);

/* The owner's opaque pointer for this connection (NULL until set). */
void rn_conn_set_data(rn_conn_t *conn, void *data);
void *rn_conn_data(const rn_conn_t *conn);

#endif
