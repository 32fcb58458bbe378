/*
 * test_client_conn.c — outbound connections: refused, timed out, not yet connected,
 * and the bounded output queue against a peer that does not read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "net/client_conn.h"

#include "net_testutil.h"

#define NCONN 6

typedef struct cfx_s {
    uv_loop_t loop;
    uv_timer_t deadline;
    int64_t live_at_start;
    rn_conn_t *conn[NCONN];
    int connect_status[NCONN];
    int close_status[NCONN];
    int connects, closes;
    /* bounded output */
    uv_tcp_t listener;
    uv_tcp_t peer; /* accepted, reads only when told */
    int accepted;
    int sends_ok, refused, writable;
    size_t out_max_seen;
} cfx_t;

static cfx_t *cfx_of(void *arg, rn_conn_t *conn, int *i) {
    cfx_t *fx = arg;
    for (*i = 0; *i < NCONN; (*i)++)
        if (fx->conn[*i] == conn)
            return fx;
    fail_msg("unknown connection");
    return NULL;
}

static void on_connect(rn_conn_t *conn, int status, void *arg) {
    int i;
    cfx_t *fx = cfx_of(arg, conn, &i);
    fx->connect_status[i] = status;
    fx->connects++;
}

static void on_frame(rn_conn_t *conn, uint8_t *frame, size_t len, void *arg) {
    (void)conn;
    (void)len;
    (void)arg;
    rn_free(frame);
}

static void on_close(rn_conn_t *conn, int status, void *arg) {
    int i;
    cfx_t *fx = cfx_of(arg, conn, &i);
    fx->close_status[i] = status;
    fx->closes++;
}

static const rn_conn_cbs_t cbs = {
    .on_connect = on_connect, .on_frame = on_frame, .on_close = on_close};

static void cfx_start(cfx_t *fx) {
    memset(fx, 0, sizeof *fx);
    fx->live_at_start = rn_alloc_live();
    assert_int_equal(uv_loop_init(&fx->loop), 0);
    deadline_start(&fx->loop, &fx->deadline);
}

static void cfx_run_until_closed(cfx_t *fx, int n) {
    while (fx->closes < n)
        uv_run(&fx->loop, UV_RUN_ONCE);
}

static void cfx_finish(cfx_t *fx) {
    loop_finish(&fx->loop, &fx->deadline);
    assert_int_equal(rn_alloc_live(), fx->live_at_start);
}

/* A socket bound to 127.0.0.1:0; listening with `backlog` when >= 0. Returns the fd. */
static int bound_socket(int backlog, int *port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
    socklen_t n = sizeof sin;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &n), 0);
    *port = ntohs(sin.sin_port);
    if (backlog >= 0)
        assert_int_equal(listen(fd, backlog), 0);
    return fd;
}

static void test_client_conn_to_a_closed_port_reports_refused(void **state) {
    (void)state;
    cfx_t fx;
    cfx_start(&fx);
    int port;
    int fd = bound_socket(-1, &port); /* bound, not listening: nobody else can take it */
    assert_int_equal(rn_conn_connect(&fx.loop, "127.0.0.1", port, NULL, &cbs, &fx, &fx.conn[0]), 0);
    /* Not connected yet: sending is refused and the buffer freed. */
    assert_int_equal(rn_conn_send(fx.conn[0], rn_malloc(4), 4), UV_ENOTCONN);
    assert_false(rn_conn_send_ready(fx.conn[0]));
    cfx_run_until_closed(&fx, 1);
    close(fd);
    assert_int_equal(fx.connects, 1);
    assert_int_equal(fx.connect_status[0], UV_ECONNREFUSED);
    assert_int_equal(fx.close_status[0], UV_ECONNREFUSED);
    cfx_finish(&fx);
}

/* A listener with a full accept queue drops new SYNs: connects hang until the timeout. */
static void test_client_conn_that_never_completes_times_out(void **state) {
    (void)state;
    cfx_t fx;
    cfx_start(&fx);
    int port;
    int fd = bound_socket(0, &port); /* never accepts */
    rn_net_opts_t opts = {.connect_timeout_ms = 300};
    for (int i = 0; i < NCONN; i++)
        assert_int_equal(
            rn_conn_connect(&fx.loop, "127.0.0.1", port, &opts, &cbs, &fx, &fx.conn[i]), 0);
    while (fx.connects < NCONN)
        uv_run(&fx.loop, UV_RUN_ONCE);
    int timed_out = 0;
    for (int i = 0; i < NCONN; i++) {
        if (fx.connect_status[i] == 0)
            rn_conn_close(fx.conn[i]); /* got into the accept queue */
        else
            assert_int_equal(fx.connect_status[i], UV_ETIMEDOUT);
        timed_out += fx.connect_status[i] == UV_ETIMEDOUT;
    }
    assert_true(timed_out >= 1);
    cfx_run_until_closed(&fx, NCONN);
    close(fd);
    cfx_finish(&fx);
}

static void test_client_conn_closed_while_resolving_reports_only_close(void **state) {
    (void)state;
    cfx_t fx;
    cfx_start(&fx);
    assert_int_equal(rn_conn_connect(&fx.loop, "localhost", 9, NULL, &cbs, &fx, &fx.conn[0]), 0);
    rn_conn_close(fx.conn[0]);
    cfx_run_until_closed(&fx, 1);
    assert_int_equal(fx.connects, 0);
    assert_int_equal(fx.close_status[0], 0);
    cfx_finish(&fx);
}

/* ---- bounded output against a peer that reads only when told ------------------- */

#define OUT_MAX (512u << 10)
#define MSG     (128u << 10)

static void peer_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf) {
    static char sink[65536];
    (void)handle;
    (void)suggested;
    *buf = uv_buf_init(sink, sizeof sink);
}

static void peer_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
    (void)stream;
    (void)buf;
    (void)nread;
}

static void on_writable(rn_conn_t *conn, void *arg) {
    cfx_t *fx = arg;
    fx->writable++;
    assert_true(rn_conn_send_ready(conn));
    rn_conn_close(conn);
    uv_close((uv_handle_t *)&fx->peer, NULL);
    uv_close((uv_handle_t *)&fx->listener, NULL);
}

/* Send until refused; then let the peer read, which must bring on_writable. */
static void fill(rn_conn_t *conn, int status, void *arg) {
    cfx_t *fx = arg;
    assert_int_equal(status, 0);
    for (;;) {
        uint8_t *m = rn_malloc(MSG);
        memset(m, 'm', MSG);
        int rc = rn_conn_send(conn, m, MSG);
        rn_conn_stats_t st;
        rn_conn_stats(conn, &st);
        if (st.out_bytes > fx->out_max_seen)
            fx->out_max_seen = st.out_bytes;
        if (rc == UV_ENOBUFS) {
            fx->refused++;
            assert_false(rn_conn_send_ready(conn));
            break;
        }
        assert_int_equal(rc, 0);
        fx->sends_ok++;
        assert_true(fx->sends_ok < 10000); /* the bound must kick in */
    }
    assert_true(fx->accepted);
    assert_int_equal(uv_read_start((uv_stream_t *)&fx->peer, peer_alloc, peer_read), 0);
}

static void peer_accept(uv_stream_t *listener, int status) {
    cfx_t *fx = listener->data;
    assert_int_equal(status, 0);
    assert_int_equal(uv_tcp_init(&fx->loop, &fx->peer), 0);
    assert_int_equal(uv_accept(listener, (uv_stream_t *)&fx->peer), 0);
    fx->accepted = 1;
}

static void test_client_conn_send_queue_is_bounded_and_drains(void **state) {
    (void)state;
    cfx_t fx;
    cfx_start(&fx);
    struct sockaddr_in sin;
    assert_int_equal(uv_ip4_addr("127.0.0.1", 0, &sin), 0);
    assert_int_equal(uv_tcp_init(&fx.loop, &fx.listener), 0);
    fx.listener.data = &fx;
    assert_int_equal(uv_tcp_bind(&fx.listener, (struct sockaddr *)&sin, 0), 0);
    assert_int_equal(uv_listen((uv_stream_t *)&fx.listener, 8, peer_accept), 0);
    int n = sizeof sin;
    assert_int_equal(uv_tcp_getsockname(&fx.listener, (struct sockaddr *)&sin, &n), 0);
    rn_net_opts_t opts = {.max_out_bytes = OUT_MAX};
    rn_conn_cbs_t c = {
        .on_connect = NULL, .on_frame = on_frame, .on_writable = on_writable, .on_close = on_close};
    assert_int_equal(
        rn_conn_connect(&fx.loop, "127.0.0.1", ntohs(sin.sin_port), &opts, &c, &fx, &fx.conn[0]),
        0);
    /* Fill only once both ends exist. */
    while (!fx.accepted || !rn_conn_is_open(fx.conn[0]))
        uv_run(&fx.loop, UV_RUN_ONCE);
    fill(fx.conn[0], 0, &fx);
    cfx_run_until_closed(&fx, 1);
    assert_int_equal(fx.refused, 1);
    assert_int_equal(fx.writable, 1);
    assert_true(fx.out_max_seen <= OUT_MAX + RN_FRAME_PREFIX + MSG);
    assert_int_equal(fx.close_status[0], 0);
    cfx_finish(&fx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_conn_to_a_closed_port_reports_refused),
        cmocka_unit_test(test_client_conn_that_never_completes_times_out),
        cmocka_unit_test(test_client_conn_closed_while_resolving_reports_only_close),
        cmocka_unit_test(test_client_conn_send_queue_is_bounded_and_drains),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
