/*
 * server.c — the listener, accepted connections and the per-connection request
 * queue that keeps responses in request order (server.h has the contract).
 *
 * Request queue of one connection (doubly linked, arrival order):
 *
 *   req_head                                        req_tail
 *   [1 pending] ⇄ [2 answered: resp] ⇄ [3 answered: none] ⇄ [4 pending]
 *
 * Invariants: only a prefix of answered requests is ever written, popped and freed
 * (flush_ready); every request holds a ref on its connection until it is freed, so a
 * handler holding one can always call rn_conn_respond; conn->inflight counts the
 * pending ones. Answered responses count in out_bytes from the moment they are given.
 *
 * The server keeps its open connections in a list (srv->conns) for drain and stop;
 * a connection leaves it when it has closed, and then forgets the server, so the
 * server can be freed while the owner still holds requests of closed connections.
 */
#include "net/conn_int.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"

struct rn_server_s {
    uv_loop_t *loop;
    uv_tcp_t listener;
    rn_net_opts_t opts;
    rn_server_cbs_t cbs;
    void *arg;
    rn_conn_t *conns; /* open and closing connections */
    int nconns;
    uint64_t accepted;
    uint64_t closed_in, closed_out; /* bytes of the connections that have closed */
    int port;
    unsigned listener_closing : 1, listener_closed : 1, draining : 1, stopping : 1;
    int in_on_close; /* inside the owner's on_close: srv_on_closed checks for the stop */
    rn_server_stop_cb stop_cb;
};

static void srv_on_frame(rn_conn_t *conn, uint8_t *frame, size_t len);
static void srv_on_bad_frame(rn_conn_t *conn, int err);
static void srv_on_output_drained(rn_conn_t *conn);
static void srv_on_closed(rn_conn_t *conn);

static const rn__conn_ops_t srv_conn_ops = {
    .on_frame = srv_on_frame,
    .on_bad_frame = srv_on_bad_frame,
    .on_output_drained = srv_on_output_drained,
    .on_closed = srv_on_closed,
    .on_retry = NULL,
};

/* ---- stopping ---------------------------------------------------------------- */

static void maybe_stopped(rn_server_t *srv) {
    if (!srv->stopping || !srv->listener_closed || srv->nconns > 0)
        return;
    if (srv->stop_cb != NULL)
        srv->stop_cb(srv, srv->arg);
    rn_free(srv);
}

static void listener_closed(uv_handle_t *handle) {
    rn_server_t *srv = handle->data;
    srv->listener_closed = 1;
    maybe_stopped(srv);
}

static void close_listener(rn_server_t *srv) {
    if (srv->listener_closing)
        return;
    srv->listener_closing = 1;
    uv_close((uv_handle_t *)&srv->listener, listener_closed);
}

/* A draining connection closes once nothing is pending and everything is written. */
static void maybe_close_drained(rn_conn_t *conn) {
    if (conn->draining && conn->state == RN__CONN_OPEN && conn->req_head == NULL &&
        conn->out_bytes == 0)
        rn__conn_close(conn, 0);
}

void rn_server_drain(rn_server_t *srv) {
    if (srv->draining)
        return;
    srv->draining = 1;
    close_listener(srv);
    for (rn_conn_t *conn = srv->conns, *next; conn != NULL; conn = next) {
        next = conn->srv_next;
        conn->draining = 1;
        rn__conn_update_reading(conn);
        maybe_close_drained(conn);
    }
}

void rn_server_stop(rn_server_t *srv, rn_server_stop_cb cb) {
    assert(!srv->stopping);
    srv->stopping = 1;
    srv->stop_cb = cb;
    close_listener(srv);
    for (rn_conn_t *conn = srv->conns; conn != NULL; conn = conn->srv_next)
        rn__conn_close(conn, 0);
    /* Usually listener_closed or the last srv_on_closed runs later and calls back from
     * the loop. But after rn_server_drain the listener may have closed already, and
     * with no connections left nothing else would ever call back: do it now (unless
     * called from on_close, whose caller srv_on_closed checks right after). */
    if (srv->in_on_close == 0)
        maybe_stopped(srv);
}

/* ---- requests and responses --------------------------------------------------- */

static void req_free(rn_net_req_t *req) {
    rn_conn_t *conn = req->conn;
    if (req->prev != NULL)
        req->prev->next = req->next;
    else
        conn->req_head = req->next;
    if (req->next != NULL)
        req->next->prev = req->prev;
    else
        conn->req_tail = req->prev;
    rn_free(req->frame);
    rn_free(req->resp);
    rn_free(req);
    rn_conn_unref(conn); /* drops the request ref taken in srv_on_frame */
}

/* Write and free the answered requests at the head of the queue. */
static void flush_ready(rn_conn_t *conn) {
    while (conn->req_head != NULL && conn->req_head->answered) {
        rn_net_req_t *req = conn->req_head;
        if (req->resp != NULL) {
            rn__conn_write(conn, req->resp, req->resp_len); /* takes resp */
            req->resp = NULL;
        }
        req_free(req); /* conn's open ref keeps conn alive */
    }
}

static int answer(rn_conn_t *conn, rn_net_req_t *req, uint8_t *bytes, size_t len, int has_resp) {
    assert(req->conn == conn && !req->answered);
    assert(len <= INT32_MAX);
    conn->inflight--;
    if (conn->state != RN__CONN_OPEN) {
        rn_free(bytes);
        req_free(req); /* may free conn: do not touch it after */
        return RN_ECLOSED;
    }
    req->answered = 1;
    if (has_resp) {
        req->resp = bytes;
        req->resp_len = len;
        rn__conn_out_add(conn, RN_FRAME_PREFIX + len);
    }
    flush_ready(conn);
    rn__conn_update_reading(conn);
    maybe_close_drained(conn);
    return 0;
}

int rn_conn_respond(rn_conn_t *conn, rn_net_req_t *req, uint8_t *bytes, size_t len) {
    return answer(conn, req, bytes, len, 1);
}

int rn_conn_respond_none(rn_conn_t *conn, rn_net_req_t *req) {
    return answer(conn, req, NULL, 0, 0);
}

/* ---- connection callbacks ------------------------------------------------------ */

static void srv_on_frame(rn_conn_t *conn, uint8_t *frame, size_t len) {
    rn_net_req_t *req = rn_calloc(1, sizeof *req);
    req->conn = conn;
    rn_conn_ref(conn); /* the request ref, dropped in req_free */
    req->frame = frame;
    req->frame_len = len;
    req->prev = conn->req_tail;
    if (conn->req_tail != NULL)
        conn->req_tail->next = req;
    else
        conn->req_head = req;
    conn->req_tail = req;
    conn->inflight++;
    rn_server_t *srv = conn->srv;
    srv->cbs.on_request(conn, frame, len, req, srv->arg);
}

static void srv_on_bad_frame(rn_conn_t *conn, int err) {
    rn_server_t *srv = conn->srv;
    if (srv->cbs.on_bad_frame != NULL)
        srv->cbs.on_bad_frame(conn, err, srv->arg);
}

static void srv_on_output_drained(rn_conn_t *conn) {
    rn__conn_update_reading(conn);
    maybe_close_drained(conn);
}

static void srv_on_closed(rn_conn_t *conn) {
    rn_server_t *srv = conn->srv;
    rn_conn_ref(conn); /* "closing ref": the loop below may drop the last request ref */
    /* Answered requests waiting for their turn will never be sent: free them. The
     * pending ones stay until their handler answers (a no-op then). */
    for (rn_net_req_t *req = conn->req_head, *next; req != NULL; req = next) {
        next = req->next;
        if (req->answered)
            req_free(req);
    }
    if (conn->srv_prev != NULL)
        conn->srv_prev->srv_next = conn->srv_next;
    else
        srv->conns = conn->srv_next;
    if (conn->srv_next != NULL)
        conn->srv_next->srv_prev = conn->srv_prev;
    conn->srv = NULL;
    srv->nconns--;
    srv->closed_in += conn->bytes_in;
    srv->closed_out += conn->bytes_out;
    if (srv->cbs.on_close != NULL) {
        srv->in_on_close++;
        srv->cbs.on_close(conn, srv->arg);
        srv->in_on_close--;
    }
    rn_conn_unref(conn); /* drops the closing ref; finish() still holds the open ref */
    maybe_stopped(srv);
}

/* ---- listener -------------------------------------------------------------------- */

static void on_connection(uv_stream_t *listener, int status) {
    rn_server_t *srv = listener->data;
    if (status < 0 || srv->draining || srv->stopping)
        return; /* e.g. EMFILE: libuv keeps listening; nothing to tell the owner */
    rn_conn_t *conn = rn__conn_new(srv->loop, &srv->opts, &srv_conn_ops);
    conn->pause_on_output = 1;
    conn->srv = srv;
    conn->srv_next = srv->conns;
    if (srv->conns != NULL)
        srv->conns->srv_prev = conn;
    srv->conns = conn;
    srv->nconns++;
    srv->accepted++;
    int rc = rn__conn_init_tcp(conn);
    if (rc == 0)
        rc = uv_accept(listener, (uv_stream_t *)&conn->tcp);
    if (rc == 0) {
        uv_tcp_keepalive(&conn->tcp, 1, 60); /* find vanished peers eventually */
        rc = rn__conn_open(conn);
    }
    if (rc < 0) {
        rn__conn_close(conn, rc); /* on_close will follow; on_open never came */
        return;
    }
    if (srv->cbs.on_open != NULL)
        srv->cbs.on_open(conn, srv->arg);
}

static int bind_addr(const char *host, int port, struct sockaddr_storage *ss) {
    if (port < 0 || port > 65535)
        return UV_EINVAL;
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)ss) == 0)
        return 0;
    return uv_ip6_addr(host, port, (struct sockaddr_in6 *)ss);
}

static int listen_on(rn_server_t *srv, const char *host, int port) {
    struct sockaddr_storage ss;
    int rc = bind_addr(host, port, &ss);
    if (rc == 0)
        rc = uv_tcp_bind(&srv->listener, (const struct sockaddr *)&ss, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&srv->listener, srv->opts.backlog, on_connection);
    if (rc < 0)
        return rc;
    int n = sizeof ss;
    rc = uv_tcp_getsockname(&srv->listener, (struct sockaddr *)&ss, &n);
    if (rc < 0)
        return rc;
    if (ss.ss_family == AF_INET)
        srv->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    else
        srv->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return 0;
}

static void free_on_close(uv_handle_t *handle) {
    rn_free(handle->data);
}

int rn_server_start(uv_loop_t *loop, const char *host, int port, const rn_net_opts_t *opts,
                    const rn_server_cbs_t *cbs, void *arg, rn_server_t **srvp) {
    assert(cbs != NULL && cbs->on_request != NULL);
    rn_server_t *srv = rn_calloc(1, sizeof *srv);
    srv->loop = loop;
    rn__net_opts_resolve(&srv->opts, opts);
    srv->cbs = *cbs;
    srv->arg = arg;
    int rc = uv_tcp_init(loop, &srv->listener);
    if (rc < 0) {
        rn_free(srv);
        return rc;
    }
    srv->listener.data = srv;
    rc = listen_on(srv, host, port);
    if (rc < 0) {
        /* The handle must still be closed; srv goes with it. */
        uv_close((uv_handle_t *)&srv->listener, free_on_close);
        return rc;
    }
    *srvp = srv;
    return 0;
}

int rn_server_port(const rn_server_t *srv) {
    return srv->port;
}

int rn_server_conn_count(const rn_server_t *srv) {
    return srv->nconns;
}

void rn_server_totals(const rn_server_t *srv, rn_server_totals_t *tot) {
    tot->accepted = srv->accepted;
    tot->bytes_in = srv->closed_in;
    tot->bytes_out = srv->closed_out;
    for (const rn_conn_t *conn = srv->conns; conn != NULL; conn = conn->srv_next) {
        tot->bytes_in += conn->bytes_in;
        tot->bytes_out += conn->bytes_out;
    }
}
