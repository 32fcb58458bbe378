/*
 * test_server.c — a real server on 127.0.0.1 port 0 with rn_conn clients: ordering,
 * out-of-order answers, no-response answers, backpressure on slow readers and on
 * in-flight requests, bad frames, held requests on closed connections, drain, stop.
 * Every test ends with the loop empty and every allocation freed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/errors.h"
#include "net/client_conn.h"
#include "net/server.h"

#include "net_testutil.h"

#define MAX_CLIENTS 16
#define MAX_HELD    64
#define PAD(seq)    ((size_t)((seq) % 50))

typedef enum {
    MODE_ECHO,        /* answer at once with the request's bytes */
    MODE_DELAY_FIRST, /* hold seq 0; answer it from a timer once seq 9 is answered */
    MODE_NONE_ODD,    /* odd seqs get no response */
    MODE_HOLD,        /* hold every request (hooks decide) */
} fx_mode_t;

typedef struct fx_s fx_t;

typedef struct client_s {
    fx_t *fx;
    rn_conn_t *conn;
    int id;
    int first_batch; /* requests sent once connected */
    int nreq;        /* responses expected in all */
    int sent;
    int got;  /* responses received, seqs checked in order */
    int step; /* seq increment between responses (2 with MODE_NONE_ODD) */
    int closed, close_status;
    void (*on_done)(struct client_s *cli);      /* after the last expected response */
    void (*on_closed)(struct client_s *cli);    /* after on_close */
    void (*on_connected)(struct client_s *cli); /* after the first batch went out */
} client_t;

typedef struct held_s {
    rn_conn_t *conn;
    rn_net_req_t *req;
    const uint8_t *frame; /* valid until req is answered */
    size_t len;
} held_t;

struct fx_s {
    uv_loop_t loop;
    uv_timer_t deadline;
    uv_timer_t later; /* answers held requests from the loop */
    rn_server_t *srv;
    int port;
    fx_mode_t mode;
    int64_t live_at_start;
    client_t cli[MAX_CLIENTS];
    int nclients;
    held_t held[MAX_HELD];
    int nheld;
    int expect_rc;         /* what answering held requests must return */
    int answered;          /* answers given so far */
    int answered_before_0; /* MODE_DELAY_FIRST: answers given before seq 0's */
    int max_inflight_seen;
    int requests, opened, closed_conns, bad_frames, bad_frame_err, stopped;
    rn_conn_t *first_conn; /* server side of the first accepted connection */
    raw_t raw;
    void (*on_request_hook)(fx_t *fx, held_t *h);
    void (*on_close_hook)(fx_t *fx, rn_conn_t *conn);
    int64_t t0_ns;
    rn_conn_stats_t paused_st;
};

static int count_closed(fx_t *fx);

/* ---- server side ---------------------------------------------------------------- */

static void answer_copy(fx_t *fx, held_t *h) {
    uint8_t *resp = rn_malloc(h->len);
    memcpy(resp, h->frame, h->len);
    fx->answered++;
    assert_int_equal(rn_conn_respond(h->conn, h->req, resp, h->len), fx->expect_rc);
}

static void answer_held(uv_timer_t *timer) {
    fx_t *fx = timer->data;
    int n = fx->nheld;
    fx->nheld = 0; /* answering may deliver new requests from the pump, later */
    for (int i = 0; i < n; i++) {
        if (fx->mode == MODE_DELAY_FIRST)
            fx->answered_before_0 = fx->answered;
        answer_copy(fx, &fx->held[i]);
    }
}

static void hold(fx_t *fx, held_t *h) {
    assert_true(fx->nheld < MAX_HELD);
    fx->held[fx->nheld++] = *h;
}

static void on_request(rn_conn_t *conn, const uint8_t *frame, size_t len, rn_net_req_t *req,
                       void *arg) {
    fx_t *fx = arg;
    held_t h = {conn, req, frame, len};
    rn_conn_stats_t st;
    rn_conn_stats(conn, &st);
    if (st.inflight > fx->max_inflight_seen)
        fx->max_inflight_seen = st.inflight;
    fx->requests++;
    if (fx->on_request_hook != NULL) {
        fx->on_request_hook(fx, &h);
        return;
    }
    int32_t seq = len >= 8 ? msg_field(frame, 1) : -1;
    if (fx->mode == MODE_HOLD || (fx->mode == MODE_DELAY_FIRST && seq == 0)) {
        hold(fx, &h);
        return;
    }
    if (fx->mode == MODE_NONE_ODD && seq % 2 == 1) {
        fx->answered++;
        assert_int_equal(rn_conn_respond_none(conn, req), 0);
        return;
    }
    answer_copy(fx, &h);
    if (fx->mode == MODE_DELAY_FIRST && seq == 9)
        assert_int_equal(uv_timer_start(&fx->later, answer_held, 20, 0), 0);
}

static void on_open(rn_conn_t *conn, void *arg) {
    fx_t *fx = arg;
    if (fx->opened++ == 0)
        fx->first_conn = conn;
}

static void on_bad_frame(rn_conn_t *conn, int err, void *arg) {
    fx_t *fx = arg;
    (void)conn;
    fx->bad_frames++;
    fx->bad_frame_err = err;
}

static void on_close(rn_conn_t *conn, void *arg) {
    fx_t *fx = arg;
    fx->closed_conns++;
    if (fx->on_close_hook != NULL)
        fx->on_close_hook(fx, conn);
}

static void stopped(rn_server_t *srv, void *arg) {
    fx_t *fx = arg;
    assert_int_equal(rn_server_conn_count(srv), 0);
    fx->stopped = 1;
    fx->srv = NULL;
}

static void fx_start(fx_t *fx, fx_mode_t mode, const rn_net_opts_t *opts) {
    memset(fx, 0, sizeof *fx);
    fx->live_at_start = rn_alloc_live();
    fx->mode = mode;
    assert_int_equal(uv_loop_init(&fx->loop), 0);
    deadline_start(&fx->loop, &fx->deadline);
    assert_int_equal(uv_timer_init(&fx->loop, &fx->later), 0);
    fx->later.data = fx;
    rn_server_cbs_t cbs = {.on_request = on_request,
                           .on_open = on_open,
                           .on_bad_frame = on_bad_frame,
                           .on_close = on_close};
    assert_int_equal(rn_server_start(&fx->loop, "127.0.0.1", 0, opts, &cbs, fx, &fx->srv), 0);
    fx->port = rn_server_port(fx->srv);
    assert_true(fx->port > 0);
}

static void fx_stop(fx_t *fx) {
    if (fx->srv != NULL && !fx->stopped)
        rn_server_stop(fx->srv, stopped);
}

/* Run until the test's own events stop the server; check nothing is left. */
static void fx_finish(fx_t *fx) {
    /* The deadline and `later` timers keep uv_run going; run until stopped. */
    while (!fx->stopped || fx->nclients != count_closed(fx))
        uv_run(&fx->loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&fx->later, NULL);
    if (fx->raw.tcp.data != NULL)
        raw_close(&fx->raw);
    loop_finish(&fx->loop, &fx->deadline);
    assert_int_equal(fx->opened, fx->closed_conns);
    assert_int_equal(rn_alloc_live(), fx->live_at_start);
}

/* ---- clients -------------------------------------------------------------------- */

static void cli_send(client_t *cli, int n) {
    for (int i = 0; i < n; i++, cli->sent++) {
        size_t len;
        uint8_t *m = make_msg(cli->id, cli->sent, PAD(cli->sent), &len);
        assert_int_equal(rn_conn_send(cli->conn, m, len), 0);
    }
}

static void cli_on_connect(rn_conn_t *conn, int status, void *arg) {
    client_t *cli = arg;
    assert_int_equal(status, 0);
    assert_ptr_equal(conn, cli->conn);
    cli_send(cli, cli->first_batch);
    if (cli->on_connected != NULL)
        cli->on_connected(cli);
}

static void cli_on_frame(rn_conn_t *conn, uint8_t *frame, size_t len, void *arg) {
    client_t *cli = arg;
    (void)conn;
    assert_true(len >= 8);
    int32_t seq = msg_field(frame, 1);
    assert_int_equal(msg_field(frame, 0), cli->id);
    assert_int_equal(seq, cli->got * cli->step); /* in request order */
    assert_int_equal(len, 8 + PAD(seq));
    rn_free(frame);
    cli->got++;
    if (cli->got * cli->step >= cli->nreq && cli->on_done != NULL)
        cli->on_done(cli);
}

static void cli_on_close(rn_conn_t *conn, int status, void *arg) {
    client_t *cli = arg;
    (void)conn;
    cli->closed = 1;
    cli->close_status = status;
    if (cli->on_closed != NULL)
        cli->on_closed(cli);
}

static int count_closed(fx_t *fx) {
    int n = 0;
    for (int i = 0; i < fx->nclients; i++)
        n += fx->cli[i].closed;
    return n;
}

static client_t *client_start(fx_t *fx, int first_batch, int nreq, void (*on_done)(client_t *cli)) {
    assert_true(fx->nclients < MAX_CLIENTS);
    client_t *cli = &fx->cli[fx->nclients];
    cli->fx = fx;
    cli->id = fx->nclients++;
    cli->first_batch = first_batch;
    cli->nreq = nreq;
    cli->step = fx->mode == MODE_NONE_ODD ? 2 : 1;
    cli->on_done = on_done;
    rn_conn_cbs_t cbs = {
        .on_connect = cli_on_connect, .on_frame = cli_on_frame, .on_close = cli_on_close};
    assert_int_equal(rn_conn_connect(&fx->loop, "127.0.0.1", fx->port, NULL, &cbs, cli, &cli->conn),
                     0);
    return cli;
}

/* Close the client; once every client has all its responses, stop the server. */
static void close_and_maybe_stop(client_t *cli) {
    fx_t *fx = cli->fx;
    rn_conn_close(cli->conn);
    int done = 0;
    for (int i = 0; i < fx->nclients; i++)
        done += fx->cli[i].got * fx->cli[i].step >= fx->cli[i].nreq;
    if (done == fx->nclients)
        fx_stop(fx);
}

/* ---- ordering -------------------------------------------------------------------- */

static void test_server_many_clients_get_every_response_in_order(void **state) {
    (void)state;
    fx_t fx;
    fx_start(&fx, MODE_ECHO, NULL);
    for (int i = 0; i < MAX_CLIENTS; i++)
        client_start(&fx, 300, 300, close_and_maybe_stop);
    fx_finish(&fx);
    for (int i = 0; i < MAX_CLIENTS; i++)
        assert_int_equal(fx.cli[i].got, 300);
    assert_int_equal(fx.requests, MAX_CLIENTS * 300);
    assert_int_equal(fx.opened, MAX_CLIENTS);
}

static void test_server_answers_given_out_of_order_arrive_in_order(void **state) {
    (void)state;
    fx_t fx;
    fx_start(&fx, MODE_DELAY_FIRST, NULL);
    client_start(&fx, 10, 10, close_and_maybe_stop);
    fx_finish(&fx);
    assert_int_equal(fx.cli[0].got, 10);
    assert_int_equal(fx.answered_before_0, 9); /* 1..9 answered first, received after 0 */
}

static void test_server_no_response_answers_send_nothing_and_keep_order(void **state) {
    (void)state;
    fx_t fx;
    fx_start(&fx, MODE_NONE_ODD, NULL);
    client_start(&fx, 20, 20, close_and_maybe_stop);
    fx_finish(&fx);
    assert_int_equal(fx.cli[0].got, 10); /* 0, 2, ..., 18 */
    assert_int_equal(fx.requests, 20);
}

/* ---- backpressure ------------------------------------------------------------------ */

/* Hold requests; at the bound (3), reading must be paused; answer from the loop. */
static void hold_until_three(fx_t *fx, held_t *h) {
    rn_conn_stats_t st;
    rn_conn_stats(h->conn, &st);
    hold(fx, h);
    if (st.inflight == 3) {
        assert_true(st.read_paused);
        assert_int_equal(uv_timer_start(&fx->later, answer_held, 0, 0), 0);
    }
}

static void test_server_pauses_reading_at_max_inflight_and_resumes(void **state) {
    (void)state;
    fx_t fx;
    rn_net_opts_t opts = {.max_inflight = 3};
    fx_start(&fx, MODE_HOLD, &opts);
    fx.on_request_hook = hold_until_three;
    client_start(&fx, 12, 12, close_and_maybe_stop); /* 12 frames arrive in one read */
    fx_finish(&fx);
    assert_int_equal(fx.requests, 12);
    assert_int_equal(fx.max_inflight_seen, 3);
    assert_int_equal(fx.cli[0].got, 12);
}

#define SLOW_MAX_OUT (256u << 10)
#define SLOW_RESP    (64u << 10)
#define SLOW_REQS    2000

static void fast_done(client_t *cli) {
    fx_t *fx = cli->fx;
    int64_t elapsed_ms = (rn_mono_ns() - fx->t0_ns) / 1000000;
    rn_conn_stats_t st;
    rn_conn_stats(fx->first_conn, &st);
    /* The slow client is still not read from (beyond what the kernel absorbed: reading
     * resumes each time output drains to half), and its output stayed bounded. */
    assert_true(st.read_paused);
    assert_true(st.frames_in < SLOW_REQS / 10);
    assert_true(st.out_bytes <= SLOW_MAX_OUT + RN_FRAME_PREFIX + SLOW_RESP);
    /* The other client was served promptly (loopback: milliseconds; allow a lot). */
    assert_true(elapsed_ms < 3000);
    rn_conn_close(cli->conn);
    raw_close(&fx->raw);
    fx_stop(fx);
}

/* The raw (never reading) client gets 64 KiB answers; everyone else an echo. */
static void big_for_first(fx_t *fx, held_t *h) {
    if (h->conn != fx->first_conn) {
        answer_copy(fx, h);
        return;
    }
    uint8_t *resp = rn_malloc(SLOW_RESP);
    memset(resp, 'b', SLOW_RESP);
    assert_int_equal(rn_conn_respond(h->conn, h->req, resp, SLOW_RESP), 0);
    rn_conn_stats_t st;
    rn_conn_stats(h->conn, &st);
    assert_true(st.out_bytes <= SLOW_MAX_OUT + RN_FRAME_PREFIX + SLOW_RESP);
    if (st.read_paused && fx->nclients == 0) {
        fx->paused_st = st;
        fx->t0_ns = rn_mono_ns();
        client_start(fx, 50, 50, fast_done);
    }
}

static void slow_connected(raw_t *raw) {
    size_t len = (size_t)SLOW_REQS * 12;
    uint8_t *buf = malloc(len);
    for (int i = 0; i < SLOW_REQS; i++) {
        rn_frame_put_prefix(buf + 12 * i, 8);
        rn_frame_put_prefix(buf + 12 * i + 4, 99);
        rn_frame_put_prefix(buf + 12 * i + 8, (size_t)i);
    }
    raw_write(raw, buf, len);
    free(buf);
}

static void test_server_stops_reading_a_client_that_never_reads_and_serves_others(void **state) {
    (void)state;
    fx_t fx;
    rn_net_opts_t opts = {.max_out_bytes = SLOW_MAX_OUT};
    fx_start(&fx, MODE_HOLD, &opts);
    fx.on_request_hook = big_for_first;
    fx.raw.on_connected = slow_connected;
    raw_connect(&fx.loop, &fx.raw, fx.port, 4096);
    fx_finish(&fx);
    assert_int_equal(fx.cli[0].got, 50);
    assert_true(fx.paused_st.frames_in > 0);
}

/* ---- bad frames ------------------------------------------------------------------- */

static const uint8_t *bad_prefix;

static void bad_connected(raw_t *raw) {
    const uint8_t bytes[8] = {bad_prefix[0], bad_prefix[1], bad_prefix[2], bad_prefix[3],
                              'x',           'y',           'z',           'w'};
    raw_write(raw, bytes, sizeof bytes);
}

static void second_half_done(client_t *cli) {
    close_and_maybe_stop(cli);
}

/* The good client got its first 10 answers: now the bad one speaks. */
static void first_half_done(client_t *cli) {
    fx_t *fx = cli->fx;
    cli->on_done = NULL;
    fx->raw.on_connected = bad_connected;
    raw_connect(&fx->loop, &fx->raw, fx->port, 0);
}

/* The bad connection was closed: the good one still works. */
static void bad_closed(fx_t *fx, rn_conn_t *conn) {
    assert_ptr_not_equal(conn, fx->first_conn);
    client_t *cli = &fx->cli[0];
    assert_false(cli->closed);
    cli->nreq = 20;
    cli->on_done = second_half_done;
    fx->on_close_hook = NULL;
    cli_send(cli, 10);
}

static void run_bad_frame(const uint8_t prefix[4], int want_err) {
    fx_t fx;
    rn_net_opts_t opts = {.max_frame_bytes = 1024};
    bad_prefix = prefix;
    fx_start(&fx, MODE_ECHO, &opts);
    fx.on_close_hook = bad_closed;
    client_start(&fx, 10, 10, first_half_done);
    fx_finish(&fx);
    assert_int_equal(fx.bad_frames, 1);
    assert_int_equal(fx.bad_frame_err, want_err);
    assert_int_equal(fx.cli[0].got, 20);
}

static void test_server_oversized_frame_closes_only_that_connection(void **state) {
    (void)state;
    const uint8_t too_large[4] = {0, 0, 0x04, 0x01}; /* 1025 */
    run_bad_frame(too_large, RN_ETOOLARGE);
}

static void test_server_negative_frame_size_closes_only_that_connection(void **state) {
    (void)state;
    const uint8_t negative[4] = {0xff, 0xff, 0xff, 0xf0};
    run_bad_frame(negative, RN_EMALFORMED);
}

/* ---- lifetime --------------------------------------------------------------------- */

static void hold_then_disconnect(fx_t *fx, held_t *h) {
    hold(fx, h);
    rn_conn_close(fx->cli[0].conn); /* the client goes away with its request pending */
}

static void answer_after_close_then_stop(uv_timer_t *timer) {
    fx_t *fx = timer->data;
    answer_held(timer); /* RN_ECLOSED: nothing sent, buffer freed */
    fx_stop(fx);
}

static void conn_closed_with_held_request(fx_t *fx, rn_conn_t *conn) {
    assert_int_equal(fx->nheld, 1);
    assert_ptr_equal(conn, fx->held[0].conn);
    assert_false(rn_conn_is_open(conn));
    /* Answer from the loop later, as a long poll would. */
    assert_int_equal(uv_timer_start(&fx->later, answer_after_close_then_stop, 5, 0), 0);
}

static void test_server_answer_after_client_disconnect_is_a_harmless_no_op(void **state) {
    (void)state;
    fx_t fx;
    fx_start(&fx, MODE_HOLD, NULL);
    fx.on_request_hook = hold_then_disconnect;
    fx.on_close_hook = conn_closed_with_held_request;
    fx.expect_rc = RN_ECLOSED;
    client_start(&fx, 1, 1, NULL);
    fx_finish(&fx);
    assert_int_equal(fx.answered, 1);
    assert_int_equal(fx.cli[0].got, 0);
}

/* The server is gone; the held requests are answered now (RN_ECLOSED). */
static void stopped_then_answer(rn_server_t *srv, void *arg) {
    fx_t *fx = arg;
    stopped(srv, arg);
    answer_held(&fx->later);
}

static void hold_three_then_stop(fx_t *fx, held_t *h) {
    hold(fx, h);
    if (fx->nheld == 3)
        rn_server_stop(fx->srv, stopped_then_answer);
}

static void test_server_stop_with_open_connections_closes_them_all(void **state) {
    (void)state;
    fx_t fx;
    fx_start(&fx, MODE_HOLD, NULL);
    fx.on_request_hook = hold_three_then_stop;
    fx.expect_rc = RN_ECLOSED;
    for (int i = 0; i < 3; i++)
        client_start(&fx, 1, 1, NULL);
    fx_finish(&fx);
    assert_int_equal(fx.closed_conns, 3);
    assert_int_equal(fx.answered, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(fx.cli[i].got, 0);
        assert_true(fx.cli[i].close_status < 0); /* EOF or reset from the server */
    }
}

/* Drain: the idle client (0) is closed at once; the busy one (1) gets its answer
 * first and is closed after it. */
static void idle_client_closed(client_t *cli) {
    fx_t *fx = cli->fx;
    assert_int_equal(fx->cli[1].got, 0);
    assert_false(fx->cli[1].closed);
    assert_int_equal(rn_server_conn_count(fx->srv), 1);
    assert_int_equal(uv_timer_start(&fx->later, answer_held, 0, 0), 0);
}

static void hold_then_drain(fx_t *fx, held_t *h) {
    hold(fx, h);
    fx->cli[0].on_closed = idle_client_closed;
    rn_server_drain(fx->srv);
}

static void drained_conn_closed(fx_t *fx, rn_conn_t *conn) {
    (void)conn;
    if (rn_server_conn_count(fx->srv) == 0)
        fx_stop(fx);
}

static void start_busy_client(client_t *cli) {
    client_start(cli->fx, 1, 1, NULL);
}

static void test_server_drain_closes_idle_connections_and_finishes_busy_ones(void **state) {
    (void)state;
    fx_t fx;
    fx_start(&fx, MODE_HOLD, NULL);
    fx.on_request_hook = hold_then_drain;
    fx.on_close_hook = drained_conn_closed;
    client_t *idle = client_start(&fx, 0, 0, NULL);
    idle->on_connected = start_busy_client; /* so the server accepts idle first */
    fx_finish(&fx);
    assert_int_equal(fx.cli[1].got, 1);
    assert_true(fx.cli[0].closed && fx.cli[1].closed);
    assert_int_equal(fx.cli[0].close_status, UV_EOF);
    assert_int_equal(fx.cli[1].close_status, UV_EOF);
}

static void test_server_start_on_a_bad_address_fails_cleanly(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    uv_loop_t loop;
    uv_timer_t deadline;
    assert_int_equal(uv_loop_init(&loop), 0);
    deadline_start(&loop, &deadline);
    rn_server_cbs_t cbs = {.on_request = on_request};
    rn_server_t *srv = NULL;
    assert_int_equal(rn_server_start(&loop, "not-an-ip", 0, NULL, &cbs, NULL, &srv), UV_EINVAL);
    assert_null(srv);
    loop_finish(&loop, &deadline);
    assert_int_equal(rn_alloc_live(), live);
}

static void count_stop(rn_server_t *srv, void *arg) {
    (void)srv;
    (*(int *)arg)++;
}

/* Regression: stop after drain, once the listener had closed and no connection was
 * left, never called back (a broker shutdown hung on it). */
static void test_server_stop_after_drain_with_no_connections_calls_back(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    uv_loop_t loop;
    uv_timer_t deadline;
    assert_int_equal(uv_loop_init(&loop), 0);
    deadline_start(&loop, &deadline);
    rn_server_cbs_t cbs = {.on_request = on_request};
    rn_server_t *srv = NULL;
    int stopped = 0;
    assert_int_equal(rn_server_start(&loop, "127.0.0.1", 0, NULL, &cbs, &stopped, &srv), 0);
    rn_server_drain(srv);
    for (int i = 0; i < 10; i++)
        uv_run(&loop, UV_RUN_NOWAIT); /* the listener's close callback runs */
    assert_int_equal(rn_server_conn_count(srv), 0);
    rn_server_stop(srv, count_stop);
    for (int i = 0; i < 10 && stopped == 0; i++)
        uv_run(&loop, UV_RUN_NOWAIT);
    assert_int_equal(stopped, 1);
    loop_finish(&loop, &deadline);
    assert_int_equal(rn_alloc_live(), live);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_many_clients_get_every_response_in_order),
        cmocka_unit_test(test_server_answers_given_out_of_order_arrive_in_order),
        cmocka_unit_test(test_server_no_response_answers_send_nothing_and_keep_order),
        cmocka_unit_test(test_server_pauses_reading_at_max_inflight_and_resumes),
        cmocka_unit_test(test_server_stops_reading_a_client_that_never_reads_and_serves_others),
        cmocka_unit_test(test_server_oversized_frame_closes_only_that_connection),
        cmocka_unit_test(test_server_negative_frame_size_closes_only_that_connection),
        cmocka_unit_test(test_server_answer_after_client_disconnect_is_a_harmless_no_op),
        cmocka_unit_test(test_server_stop_with_open_connections_closes_them_all),
        cmocka_unit_test(test_server_drain_closes_idle_connections_and_finishes_busy_ones),
        cmocka_unit_test(test_server_start_on_a_bad_address_fails_cleanly),
        cmocka_unit_test(test_server_stop_after_drain_with_no_connections_calls_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
