/*
 * conn.c — the part of a connection common to accepted and outbound ones: reading
 * and frame dispatch with backpressure, the write queue, refcounting and closing.
 * conn_int.h describes the fields; conn.h the public contract.
 *
 * Read path:
 *
 *   kernel ──uv_read──▶ rbuf ──rn_frame_rd_feed──▶ frame ──ops->on_frame──▶ owner
 *                        ▲  stops between frames when read_blocked(); the rest
 *                        └─ waits in rbuf[rpos..rlen) and is dispatched by `pump`
 *
 * Write path: every frame goes to uv_write at once (libuv queues it and writes as the
 * socket allows); out_bytes counts it until its write callback. out_full has
 * hysteresis: set above max_out_bytes, cleared at max_out_bytes / 2 or below.
 */
#include "net/conn_int.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"

#define RBUF_SIZE 65536

/* A frame on its way to the kernel. */
typedef struct wreq_s {
    uv_write_t wr;
    rn_conn_t *conn;
    uint8_t prefix[RN_FRAME_PREFIX];
    uint8_t *body;
    size_t len;
} wreq_t;

void rn__net_opts_resolve(rn_net_opts_t *out, const rn_net_opts_t *opts) {
    if (opts != NULL)
        *out = *opts;
    else
        memset(out, 0, sizeof *out);
    if (out->max_frame_bytes == 0)
        out->max_frame_bytes = RN_NET_DEFAULT_MAX_FRAME;
    if (out->max_out_bytes == 0)
        out->max_out_bytes = RN_NET_DEFAULT_MAX_OUT;
    if (out->max_inflight <= 0)
        out->max_inflight = RN_NET_DEFAULT_MAX_INFLIGHT;
    if (out->backlog <= 0)
        out->backlog = RN_NET_DEFAULT_BACKLOG;
    if (out->connect_timeout_ms == 0)
        out->connect_timeout_ms = RN_NET_DEFAULT_CONNECT_TIMEOUT_MS;
}

rn_conn_t *rn__conn_new(uv_loop_t *loop, const rn_net_opts_t *opts, const rn__conn_ops_t *ops) {
    rn_conn_t *conn = rn_calloc(1, sizeof *conn);
    conn->loop = loop;
    conn->ops = ops;
    rn__net_opts_resolve(&conn->opts, opts);
    conn->refs = 1; /* the open ref, dropped once every handle has closed */
    conn->state = RN__CONN_CONNECTING;
    rn_frame_rd_init(&conn->frd, conn->opts.max_frame_bytes);
    return conn;
}

void rn_conn_ref(rn_conn_t *conn) {
    assert(conn->refs > 0);
    conn->refs++;
}

void rn_conn_unref(rn_conn_t *conn) {
    assert(conn->refs > 0);
    if (--conn->refs > 0)
        return;
    assert(conn->state == RN__CONN_CLOSED);
    assert(conn->req_head == NULL);
    rn_frame_rd_deinit(&conn->frd);
    rn_free(conn->rbuf);
    rn_free(conn);
}

int rn__conn_init_tcp(rn_conn_t *conn) {
    int rc = uv_tcp_init(conn->loop, &conn->tcp);
    if (rc < 0)
        return rc;
    conn->tcp.data = conn;
    conn->tcp_init = 1;
    conn->handles++;
    return 0;
}

static int read_blocked(const rn_conn_t *conn) {
    if (conn->state != RN__CONN_OPEN || conn->draining)
        return 1;
    if (conn->pause_on_output && conn->out_full)
        return 1;
    return conn->pause_on_output && conn->inflight >= conn->opts.max_inflight;
}

/* Dispatch the frames buffered in rbuf until it is empty or reading must pause. */
static void dispatch(rn_conn_t *conn) {
    rn_conn_ref(conn); /* "dispatch ref": the owner may close conn from a callback */
    while (conn->rpos < conn->rlen && !read_blocked(conn)) {
        uint8_t *frame = NULL;
        size_t len = 0, used = 0;
        int rc = rn_frame_rd_feed(&conn->frd, conn->rbuf + conn->rpos, conn->rlen - conn->rpos,
                                  &used, &frame, &len);
        conn->rpos += used;
        if (rc < 0) {
            conn->ops->on_bad_frame(conn, rc);
            rn__conn_close(conn, rc);
            break;
        }
        if (rc == 1) {
            conn->frames_in++;
            conn->ops->on_frame(conn, frame, len);
        }
    }
    if (conn->rpos == conn->rlen) {
        RN_FREE(&conn->rbuf); /* idle connections hold no buffer */
        conn->rpos = conn->rlen = 0;
    }
    rn_conn_unref(conn); /* drops the dispatch ref */
}

static void alloc_cb(uv_handle_t *handle, size_t suggested, uv_buf_t *buf) {
    rn_conn_t *conn = handle->data;
    (void)suggested;
    assert(conn->rpos == conn->rlen); /* reading restarts only once rbuf is dispatched */
    if (conn->rbuf == NULL)
        conn->rbuf = rn_malloc(RBUF_SIZE);
    *buf = uv_buf_init((char *)conn->rbuf, RBUF_SIZE);
}

static void read_cb(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
    rn_conn_t *conn = stream->data;
    (void)buf;
    if (nread < 0) {
        rn__conn_close(conn, (int)nread);
        return;
    }
    conn->bytes_in += (uint64_t)nread;
    conn->rpos = 0;
    conn->rlen = (size_t)nread;
    dispatch(conn);
    rn__conn_update_reading(conn);
}

static void pump_cb(uv_idle_t *idle) {
    rn_conn_t *conn = idle->data;
    uv_idle_stop(idle);
    dispatch(conn);
    rn__conn_update_reading(conn);
}

void rn__conn_update_reading(rn_conn_t *conn) {
    if (conn->state != RN__CONN_OPEN)
        return;
    if (read_blocked(conn)) {
        if (conn->reading)
            uv_read_stop((uv_stream_t *)&conn->tcp);
        conn->reading = 0;
        return;
    }
    if (conn->rpos < conn->rlen) {
        /* Frames wait in rbuf: dispatch them from the loop, not from this caller. */
        uv_idle_start(&conn->pump, pump_cb);
        return;
    }
    if (!conn->reading) {
        int rc = uv_read_start((uv_stream_t *)&conn->tcp, alloc_cb, read_cb);
        if (rc < 0) {
            rn__conn_close(conn, rc);
            return;
        }
        conn->reading = 1;
    }
}

int rn__conn_open(rn_conn_t *conn) {
    int rc = uv_idle_init(conn->loop, &conn->pump);
    if (rc < 0)
        return rc;
    conn->pump.data = conn;
    conn->pump_init = 1;
    conn->handles++;
    uv_tcp_nodelay(&conn->tcp, 1); /* frames are whole messages: send them now */
    conn->state = RN__CONN_OPEN;
    rn__conn_update_reading(conn);
    return 0;
}

static void set_out_full(rn_conn_t *conn) {
    if (conn->out_bytes > conn->opts.max_out_bytes)
        conn->out_full = 1;
    else if (conn->out_bytes <= conn->opts.max_out_bytes / 2)
        conn->out_full = 0;
}

void rn__conn_out_add(rn_conn_t *conn, size_t n) {
    conn->out_bytes += n;
    set_out_full(conn);
}

static void write_cb(uv_write_t *wr, int status) {
    wreq_t *w = (wreq_t *)wr;
    rn_conn_t *conn = w->conn;
    size_t n = RN_FRAME_PREFIX + w->len;
    assert(conn->out_bytes >= n);
    conn->out_bytes -= n;
    set_out_full(conn);
    rn_free(w->body);
    rn_free(w);
    /* Cancelled writes come from our own close; the connection memory lives on until
     * every handle's close callback, which libuv runs after these. */
    if (status < 0) {
        rn__conn_close(conn, status);
        return;
    }
    conn->bytes_out += n;
    conn->ops->on_output_drained(conn);
}

void rn__conn_write(rn_conn_t *conn, uint8_t *body, size_t len) {
    if (conn->state != RN__CONN_OPEN) {
        conn->out_bytes -= RN_FRAME_PREFIX + len;
        set_out_full(conn);
        rn_free(body);
        return;
    }
    wreq_t *w = rn_malloc(sizeof *w);
    w->conn = conn;
    w->body = body;
    w->len = len;
    rn_frame_put_prefix(w->prefix, len);
    uv_buf_t bufs[2] = {uv_buf_init((char *)w->prefix, RN_FRAME_PREFIX),
                        uv_buf_init((char *)body, (unsigned)len)};
    conn->frames_out++;
    int rc = uv_write(&w->wr, (uv_stream_t *)&conn->tcp, bufs, len > 0 ? 2 : 1, write_cb);
    if (rc < 0) {
        /* libuv does not call write_cb for a failed uv_write. */
        conn->out_bytes -= RN_FRAME_PREFIX + len;
        set_out_full(conn);
        rn_free(body);
        rn_free(w);
        rn__conn_close(conn, rc);
    }
}

static void close_handle(uv_handle_t *handle) {
    if (!uv_is_closing(handle))
        uv_close(handle, rn__conn_handle_closed);
}

void rn__conn_close(rn_conn_t *conn, int status) {
    if (conn->state >= RN__CONN_CLOSING)
        return;
    conn->state = RN__CONN_CLOSING;
    conn->close_status = status;
    conn->reading = 0;
    if (conn->gai_pending)
        uv_cancel((uv_req_t *)&conn->gai); /* may fail if running: its callback checks */
    if (conn->tcp_init)
        close_handle((uv_handle_t *)&conn->tcp);
    if (conn->pump_init)
        close_handle((uv_handle_t *)&conn->pump);
    if (conn->timer_init)
        close_handle((uv_handle_t *)&conn->timer);
    if (conn->handles == 0 && !conn->gai_pending) {
        /* Nothing to wait for (failed before any handle): finish from the loop anyway,
         * so the owner is never called back from inside its own call. Reuse the
         * timer handle just for that. */
        uv_timer_init(conn->loop, &conn->timer);
        conn->timer.data = conn;
        conn->timer_init = 1;
        conn->handles++;
        close_handle((uv_handle_t *)&conn->timer);
    }
}

void rn_conn_close(rn_conn_t *conn) {
    rn__conn_close(conn, 0);
}

static void finish(rn_conn_t *conn) {
    conn->state = RN__CONN_CLOSED;
    rn_frame_rd_deinit(&conn->frd);
    RN_FREE(&conn->rbuf);
    conn->rpos = conn->rlen = 0;
    if (conn->ai_list != NULL) {
        uv_freeaddrinfo(conn->ai_list);
        conn->ai_list = conn->ai_next = NULL;
    }
    conn->ops->on_closed(conn);
    rn_conn_unref(conn); /* drops the open ref taken in rn__conn_new */
}

void rn__conn_maybe_finish(rn_conn_t *conn) {
    if (conn->state == RN__CONN_CLOSING && conn->handles == 0 && !conn->gai_pending)
        finish(conn);
}

void rn__conn_handle_closed(uv_handle_t *handle) {
    rn_conn_t *conn = handle->data;
    conn->handles--;
    if (handle == (uv_handle_t *)&conn->tcp)
        conn->tcp_init = 0;
    else if (handle == (uv_handle_t *)&conn->pump)
        conn->pump_init = 0;
    else
        conn->timer_init = 0;
    if (conn->state == RN__CONN_CONNECTING && handle == (uv_handle_t *)&conn->tcp) {
        conn->ops->on_retry(conn);
        return;
    }
    rn__conn_maybe_finish(conn);
}

int rn_conn_is_open(const rn_conn_t *conn) {
    return conn->state == RN__CONN_OPEN;
}

void rn_conn_stats(const rn_conn_t *conn, rn_conn_stats_t *stats) {
    stats->out_bytes = conn->out_bytes;
    stats->inflight = conn->inflight;
    stats->read_paused = conn->state == RN__CONN_OPEN && read_blocked(conn);
    stats->frames_in = conn->frames_in;
    stats->frames_out = conn->frames_out;
    stats->bytes_in = conn->bytes_in;
    stats->bytes_out = conn->bytes_out;
}

void rn_conn_peer(const rn_conn_t *conn, char *buf, size_t len) {
    struct sockaddr_storage ss;
    int n = sizeof ss;
    char ip[64];
    if (len == 0)
        return;
    snprintf(buf, len, "?");
    if (conn->state != RN__CONN_OPEN ||
        uv_tcp_getpeername(&conn->tcp, (struct sockaddr *)&ss, &n) < 0)
        return;
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;
        uv_ip4_name(sin, ip, sizeof ip);
        snprintf(buf, len, "%s:%d", ip, ntohs(sin->sin_port));
    } else if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;
        uv_ip6_name(sin6, ip, sizeof ip);
        snprintf(buf, len, "[%s]:%d", ip, ntohs(sin6->sin6_port));
    }
}

void rn_conn_set_data(rn_conn_t *conn, void *data) {
    conn->data = data;
}

void *rn_conn_data(const rn_conn_t *conn) {
    return conn->data;
}
