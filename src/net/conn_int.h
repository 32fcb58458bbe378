/*
 * conn_int.h — the inside of rn_conn_t, shared by conn.c (reading, writing, closing),
 * server.c (accepted connections, request ordering) and client_conn.c (outbound).
 *
 * Reading. libuv reads into rbuf; the frames in it are dispatched one by one. When
 * backpressure stops reading in the middle of a buffer, the rest stays in
 * rbuf[rpos..rlen) and reading is not restarted until it has been dispatched. That
 * happens from the `pump` idle handle, never from inside rn_conn_respond, so an owner
 * answering a request is never re-entered with a new one.
 *
 * Handles: tcp, pump and (outbound) timer; `handles` counts those initialised and
 * not yet closed. The connection is finished (owner told, open ref dropped) when that
 * count is 0 and no getaddrinfo is pending.
 */
#ifndef RN_NET_CONN_INT_H
#define RN_NET_CONN_INT_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "net/client_conn.h"
#include "net/conn.h"
#include "net/frame.h"
#include "net/server.h"

typedef enum {
    RN__CONN_CONNECTING = 0, /* outbound: resolving or connecting */
    RN__CONN_OPEN,
    RN__CONN_CLOSING, /* handles closing */
    RN__CONN_CLOSED,  /* owner told; only refs keep the memory */
} rn__conn_state_t;

/* What differs between accepted and outbound connections. */
typedef struct rn__conn_ops_s {
    void (*on_frame)(rn_conn_t *conn, uint8_t *frame, size_t len); /* takes frame */
    void (*on_bad_frame)(rn_conn_t *conn, int err);
    void (*on_output_drained)(rn_conn_t *conn); /* out_bytes went down */
    void (*on_closed)(rn_conn_t *conn);         /* every handle closed */
    void (*on_retry)(rn_conn_t *conn);          /* outbound: tcp closed while still connecting */
} rn__conn_ops_t;

/* A request received by a server connection (server.c). */
struct rn_net_req_s {
    rn_net_req_t *prev, *next; /* conn's queue, arrival order */
    rn_conn_t *conn;           /* holds a ref ("request ref") */
    uint8_t *frame;
    size_t frame_len;
    uint8_t *resp; /* answered with a response, waiting for its turn */
    size_t resp_len;
    int answered;
};

struct rn_conn_s {
    uv_tcp_t tcp;
    uv_idle_t pump;
    uv_timer_t timer;
    uv_getaddrinfo_t gai;
    uv_connect_t connect_req;
    uv_loop_t *loop;
    const rn__conn_ops_t *ops;
    rn_net_opts_t opts; /* defaults filled in */
    rn__conn_state_t state;
    int refs;
    int handles;
    int close_status;
    unsigned tcp_init : 1, pump_init : 1, timer_init : 1, gai_pending : 1;
    unsigned reading : 1;         /* uv_read_start active */
    unsigned pause_on_output : 1; /* server: stop reading when output is full */
    unsigned out_full : 1;        /* out_bytes went over max, not yet back to half */
    unsigned draining : 1;        /* server draining: read no more */
    unsigned writable_wanted : 1; /* outbound: tell the owner when out_full clears */
    void *data;                   /* rn_conn_set_data */
    rn_frame_rd_t frd;
    uint8_t *rbuf;
    size_t rpos, rlen;
    size_t out_bytes;
    int inflight;
    uint64_t frames_in, frames_out;
    uint64_t bytes_in, bytes_out; /* read from / taken by the kernel (prefixes included) */

    /* server connections */
    rn_server_t *srv; /* NULL once closed */
    rn_conn_t *srv_prev, *srv_next;
    rn_net_req_t *req_head, *req_tail;

    /* outbound connections */
    rn_conn_cbs_t cbs;
    void *cb_arg;
    struct addrinfo *ai_list, *ai_next;
};

/* A new connection with the open ref, no handle initialised, state CONNECTING. */
rn_conn_t *rn__conn_new(uv_loop_t *loop, const rn_net_opts_t *opts, const rn__conn_ops_t *ops);

/* Fill defaults into a copy of opts (NULL: all defaults). */
void rn__net_opts_resolve(rn_net_opts_t *out, const rn_net_opts_t *opts);

/* Initialise the tcp handle (counted in handles). */
int rn__conn_init_tcp(rn_conn_t *conn);

/* Mark open (socket connected or accepted): init pump, set TCP_NODELAY, start reading. */
int rn__conn_open(rn_conn_t *conn);

/* Start or stop reading to match the limits; dispatches buffered frames via pump. */
void rn__conn_update_reading(rn_conn_t *conn);

/* Account n more output bytes held for conn (before rn__conn_write). */
void rn__conn_out_add(rn_conn_t *conn, size_t n);

/* Write the message body[0..len) with its prefix; takes body. Its bytes must already
 * be counted with rn__conn_out_add. */
void rn__conn_write(rn_conn_t *conn, uint8_t *body, size_t len);

/* Begin closing with status (0: asked by the owner). No-op once closing. */
void rn__conn_close(rn_conn_t *conn, int status);

/* Finish a closing connection once no handle and no getaddrinfo is left. */
void rn__conn_maybe_finish(rn_conn_t *conn);

/* uv_close callback for every handle of a connection. */
void rn__conn_handle_closed(uv_handle_t *handle);

#endif
