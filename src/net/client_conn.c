/*
 * client_conn.c — outbound connections (client_conn.h has the contract).
 *
 *   rn_conn_connect: getaddrinfo ─▶ on_resolved ─▶ try_next(addr 1) ─▶ on_connected
 *                                                      ▲        failed │
 *                                                      └─ on_retry ◀── close tcp
 *   timer (connect_timeout_ms) runs from the start; firing before on_connected
 *   succeeds fails the connection with UV_ETIMEDOUT (a pending getaddrinfo is
 *   cancelled if it has not started; its callback is awaited either way).
 *
 * While connecting, close_status holds the last connect error, reported if no
 * address is left. Once open, the connection is the common one of conn.c.
 */
#include "net/conn_int.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"

static void cli_on_frame(rn_conn_t *conn, uint8_t *frame, size_t len);
static void cli_on_bad_frame(rn_conn_t *conn, int err);
static void cli_on_output_drained(rn_conn_t *conn);
static void cli_on_closed(rn_conn_t *conn);
static void cli_on_retry(rn_conn_t *conn);

static const rn__conn_ops_t cli_conn_ops = {
    .on_frame = cli_on_frame,
    .on_bad_frame = cli_on_bad_frame,
    .on_output_drained = cli_on_output_drained,
    .on_closed = cli_on_closed,
    .on_retry = cli_on_retry,
};

/* Connecting failed: close, then tell the owner (on_close follows from the loop). */
static void fail(rn_conn_t *conn, int status) {
    rn__conn_close(conn, status);
    if (conn->cbs.on_connect != NULL)
        conn->cbs.on_connect(conn, status, conn->cb_arg);
}

static void on_connected(uv_connect_t *creq, int status) {
    rn_conn_t *conn = creq->data;
    if (conn->state != RN__CONN_CONNECTING)
        return; /* cancelled by our own close */
    if (status < 0) {
        conn->close_status = status;
        uv_close((uv_handle_t *)&conn->tcp, rn__conn_handle_closed); /* → cli_on_retry */
        return;
    }
    uv_timer_stop(&conn->timer);
    uv_freeaddrinfo(conn->ai_list);
    conn->ai_list = conn->ai_next = NULL;
    int rc = rn__conn_open(conn);
    if (rc < 0) {
        fail(conn, rc);
        return;
    }
    if (conn->cbs.on_connect != NULL)
        conn->cbs.on_connect(conn, 0, conn->cb_arg);
}

/* Connect to the next resolved address; fail when none is left. */
static void try_next(rn_conn_t *conn) {
    if (conn->ai_next == NULL) {
        fail(conn, conn->close_status != 0 ? conn->close_status : UV_EADDRNOTAVAIL);
        return;
    }
    struct addrinfo *ai = conn->ai_next;
    conn->ai_next = ai->ai_next;
    int rc = rn__conn_init_tcp(conn);
    if (rc < 0) {
        fail(conn, rc);
        return;
    }
    conn->connect_req.data = conn;
    rc = uv_tcp_connect(&conn->connect_req, &conn->tcp, ai->ai_addr, on_connected);
    if (rc < 0) {
        conn->close_status = rc;
        uv_close((uv_handle_t *)&conn->tcp, rn__conn_handle_closed); /* → cli_on_retry */
    }
}

static void cli_on_retry(rn_conn_t *conn) {
    try_next(conn);
}

static void on_resolved(uv_getaddrinfo_t *gai, int status, struct addrinfo *res) {
    rn_conn_t *conn = gai->data;
    conn->gai_pending = 0;
    if (conn->state != RN__CONN_CONNECTING) {
        if (res != NULL)
            uv_freeaddrinfo(res);
        rn__conn_maybe_finish(conn);
        return;
    }
    if (status < 0) {
        fail(conn, status);
        return;
    }
    conn->ai_list = conn->ai_next = res;
    try_next(conn);
}

static void on_timeout(uv_timer_t *timer) {
    rn_conn_t *conn = timer->data;
    if (conn->state == RN__CONN_CONNECTING)
        fail(conn, UV_ETIMEDOUT);
}

int rn_conn_connect(uv_loop_t *loop, const char *host, int port, const rn_net_opts_t *opts,
                    const rn_conn_cbs_t *cbs, void *arg, rn_conn_t **connp) {
    assert(cbs != NULL && cbs->on_frame != NULL);
    if (port < 0 || port > 65535)
        return UV_EINVAL;
    rn_conn_t *conn = rn__conn_new(loop, opts, &cli_conn_ops);
    conn->cbs = *cbs;
    conn->cb_arg = arg;
    char portstr[8];
    snprintf(portstr, sizeof portstr, "%d", port);
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    conn->gai.data = conn;
    int rc = uv_getaddrinfo(loop, &conn->gai, on_resolved, host, portstr, &hints);
    if (rc < 0) {
        conn->state = RN__CONN_CLOSED;
        rn_conn_unref(conn); /* drops the open ref: no handle was ever opened */
        return rc;
    }
    conn->gai_pending = 1;
    uv_timer_init(loop, &conn->timer);
    conn->timer.data = conn;
    conn->timer_init = 1;
    conn->handles++;
    uv_timer_start(&conn->timer, on_timeout, conn->opts.connect_timeout_ms, 0);
    *connp = conn;
    return 0;
}

int rn_conn_send(rn_conn_t *conn, uint8_t *bytes, size_t len) {
    assert(conn->srv == NULL && len <= INT32_MAX);
    if (conn->state != RN__CONN_OPEN || conn->out_full) {
        rn_free(bytes);
        if (conn->state == RN__CONN_CONNECTING)
            return UV_ENOTCONN;
        if (conn->state != RN__CONN_OPEN)
            return RN_ECLOSED;
        conn->writable_wanted = 1;
        return UV_ENOBUFS;
    }
    rn__conn_out_add(conn, RN_FRAME_PREFIX + len);
    if (conn->out_full)
        conn->writable_wanted = 1;
    rn__conn_write(conn, bytes, len);
    return 0;
}

int rn_conn_send_ready(const rn_conn_t *conn) {
    return conn->state == RN__CONN_OPEN && !conn->out_full;
}

static void cli_on_frame(rn_conn_t *conn, uint8_t *frame, size_t len) {
    conn->cbs.on_frame(conn, frame, len, conn->cb_arg);
}

static void cli_on_bad_frame(rn_conn_t *conn, int err) {
    (void)conn; /* reported as on_close's status */
    (void)err;
}

static void cli_on_output_drained(rn_conn_t *conn) {
    if (conn->state != RN__CONN_OPEN || conn->out_full || !conn->writable_wanted)
        return;
    conn->writable_wanted = 0;
    if (conn->cbs.on_writable != NULL)
        conn->cbs.on_writable(conn, conn->cb_arg);
}

static void cli_on_closed(rn_conn_t *conn) {
    if (conn->cbs.on_close != NULL)
        conn->cbs.on_close(conn, conn->close_status, conn->cb_arg);
}
