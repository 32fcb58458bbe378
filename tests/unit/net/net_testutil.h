/*
 * net_testutil.h — a loop with a deadline, and raw libuv sockets, for the net tests
 * (cmocka is included first by each test, as it requires).
 *
 * Every test runs its own uv loop; a timer fails the test after TEST_DEADLINE_MS so
 * nothing can hang. Tests synchronise only on events, never on sleeps, and bind only
 * port 0.
 */
#ifndef RN_NET_TESTUTIL_H
#define RN_NET_TESTUTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "common/alloc.h"
#include "net/frame.h"

#define TEST_DEADLINE_MS 10000

static inline void deadline_cb(uv_timer_t *timer) {
    (void)timer;
    fail_msg("test did not finish within %d ms", TEST_DEADLINE_MS);
}

/* Start the loop's deadline timer. */
static inline void deadline_start(uv_loop_t *loop, uv_timer_t *deadline) {
    assert_int_equal(uv_timer_init(loop, deadline), 0);
    assert_int_equal(uv_timer_start(deadline, deadline_cb, TEST_DEADLINE_MS, 0), 0);
}

/* Close the deadline, run the loop dry and check that nothing was left open. */
static inline void loop_finish(uv_loop_t *loop, uv_timer_t *deadline) {
    uv_close((uv_handle_t *)deadline, NULL);
    assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(uv_loop_close(loop), 0);
}

/* An rn_malloc'd message: int32 id, int32 seq, then pad bytes of 'p'. */
static inline uint8_t *make_msg(int32_t id, int32_t seq, size_t pad, size_t *len) {
    uint8_t *m = rn_malloc(8 + pad);
    rn_frame_put_prefix(m, (size_t)id);
    rn_frame_put_prefix(m + 4, (size_t)seq);
    memset(m + 8, 'p', pad);
    *len = 8 + pad;
    return m;
}

static inline int32_t msg_field(const uint8_t *m, int i) {
    const uint8_t *p = m + 4 * i;
    return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
}

/* A raw client socket (plain libuv, no rn_conn) for misbehaving peers. */
typedef struct raw_s {
    uv_tcp_t tcp;
    uv_connect_t creq;
    uv_write_t wreq;
    uint8_t *out; /* malloc'd bytes being written */
    size_t out_len;
    int connected;
    int write_status;
    int closed;
    void (*on_connected)(struct raw_s *raw);
    void *arg;
} raw_t;

static inline void raw_written(uv_write_t *wreq, int status) {
    raw_t *raw = wreq->data;
    raw->write_status = status;
    free(raw->out);
    raw->out = NULL;
}

/* Write len bytes (copied) on a connected raw socket. */
static inline void raw_write(raw_t *raw, const void *bytes, size_t len) {
    assert_null(raw->out);
    raw->out = malloc(len);
    memcpy(raw->out, bytes, len);
    raw->out_len = len;
    uv_buf_t buf = uv_buf_init((char *)raw->out, (unsigned)len);
    raw->wreq.data = raw;
    assert_int_equal(uv_write(&raw->wreq, (uv_stream_t *)&raw->tcp, &buf, 1, raw_written), 0);
}

static inline void raw_connected(uv_connect_t *creq, int status) {
    raw_t *raw = creq->data;
    assert_int_equal(status, 0);
    raw->connected = 1;
    if (raw->on_connected != NULL)
        raw->on_connected(raw);
}

/* Connect to 127.0.0.1:port; rcvbuf > 0 shrinks the receive buffer first. */
static inline void raw_connect(uv_loop_t *loop, raw_t *raw, int port, int rcvbuf) {
    struct sockaddr_in sin;
    assert_int_equal(uv_ip4_addr("127.0.0.1", port, &sin), 0);
    assert_int_equal(uv_tcp_init_ex(loop, &raw->tcp, AF_INET), 0);
    raw->tcp.data = raw;
    if (rcvbuf > 0)
        assert_int_equal(uv_recv_buffer_size((uv_handle_t *)&raw->tcp, &rcvbuf), 0);
    raw->creq.data = raw;
    assert_int_equal(
        uv_tcp_connect(&raw->creq, &raw->tcp, (const struct sockaddr *)&sin, raw_connected), 0);
}

static inline void raw_closed(uv_handle_t *handle) {
    ((raw_t *)handle->data)->closed = 1;
}

static inline void raw_close(raw_t *raw) {
    if (!uv_is_closing((uv_handle_t *)&raw->tcp))
        uv_close((uv_handle_t *)&raw->tcp, raw_closed);
}

#endif
