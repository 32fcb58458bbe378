/*
 * test_flush.c — durability: the flush policy (flush_messages, flush_ms on an injected
 * clock), rn_plog_flush_sync, and group commit on a real libuv loop — many flush
 * requests while one fsync is in flight are served by one more fsync, not one each.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "logtest.h"

typedef lt_fx_t fx_t;

/* Append nrec records ("k" = "value") stamped now. */
static int64_t append(fx_t *fx, int nrec) {
    size_t len;
    uint8_t *p = lt_batch(nrec, fx->now, "k", 1, "value", 5, &len);
    int64_t base = -1;
    assert_rc(rn_plog_append(fx->plog, p, len, 0, &base), 0);
    rn_free(p);
    return base;
}

/* Both flush policies off: each test sets the one it is about. */
static int setup(void **state) {
    fx_t *fx = lt_fx_new("flush", "audit-0", 16);
    fx->cfg.flush_messages = 0;
    fx->cfg.flush_ms = 0;
    *state = fx;
    return 0;
}

static void fx_open(fx_t *fx, bool with_loop) {
    if (with_loop)
        lt_fx_loop(fx);
    lt_fx_open(fx);
}

/* Run the loop without blocking until *done (or 10 s of real time: then fail). */
static void run_until(uv_loop_t *loop, const bool *done) {
    int64_t deadline = rn_mono_ns() + 10LL * 1000 * 1000 * 1000;
    while (!*done) {
        uv_run(loop, UV_RUN_NOWAIT);
        if (*done)
            break;
        if (rn_mono_ns() > deadline)
            fail_msg("the loop did not deliver the flush callback within 10 s");
        usleep(200);
    }
}

static void run_until_idle(fx_t *fx) {
    int64_t deadline = rn_mono_ns() + 10LL * 1000 * 1000 * 1000;
    while (rn_plog_flush_pending(fx->plog)) {
        uv_run(&fx->loop, UV_RUN_NOWAIT);
        if (rn_mono_ns() > deadline)
            fail_msg("a background flush is still pending after 10 s");
        usleep(200);
    }
}

typedef struct req_s {
    rn_plog_t *plog;
    int64_t end_at_request;
    int calls;
    int status;
    int64_t flushed;
    bool done;
} req_t;

static void on_flushed(rn_plog_t *plog, int status, int64_t flushed, void *arg) {
    req_t *r = arg;
    assert_ptr_equal(plog, r->plog);
    r->calls++;
    r->status = status;
    r->flushed = flushed;
    r->done = true;
}

/* ---- policy ------------------------------------------------------------------------- */

static void test_flush_messages_fsyncs_inline_at_threshold_without_loop(void **state) {
    fx_t *fx = *state;
    fx->cfg.flush_messages = 3;
    fx_open(fx, false);
    append(fx, 1);
    append(fx, 1);
    assert_false(rn_plog_flush_due(fx->plog, fx->now));
    assert_int_equal(rn_plog_fsync_count(fx->plog), 0);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 0);
    append(fx, 1); /* 3 unflushed records: the policy fsyncs during the append */
    assert_true(rn_plog_fsync_count(fx->plog) >= 1);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 3);
    assert_false(rn_plog_flush_due(fx->plog, fx->now));
    uint64_t c = rn_plog_fsync_count(fx->plog);
    append(fx, 2); /* 2 unflushed */
    assert_int_equal(rn_plog_fsync_count(fx->plog), c);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 3);
    append(fx, 2); /* 4 unflushed */
    assert_true(rn_plog_fsync_count(fx->plog) > c);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 7);
    /* One batch holding more records than the threshold flushes at once. */
    c = rn_plog_fsync_count(fx->plog);
    append(fx, 10);
    assert_true(rn_plog_fsync_count(fx->plog) > c);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 17);
}

static void test_flush_due_by_flush_ms_on_injected_clock(void **state) {
    fx_t *fx = *state;
    fx->cfg.flush_ms = 1000;
    fx_open(fx, false);
    append(fx, 1); /* at T0 */
    assert_false(rn_plog_flush_due(fx->plog, T0));
    assert_false(rn_plog_flush_due(fx->plog, T0 + 999));
    assert_true(rn_plog_flush_due(fx->plog, T0 + 1001));
    assert_true(rn_plog_flush_due(fx->plog, T0 + 100000));
    /* Asking does not flush. */
    assert_int_equal(rn_plog_fsync_count(fx->plog), 0);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 0);
    fx->now = T0 + 1001;
    assert_rc(rn_plog_flush_sync(fx->plog), 0);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 1);
    /* Nothing unflushed: nothing is due, however late. */
    assert_false(rn_plog_flush_due(fx->plog, T0 + 1000000));
    fx->now = T0 + 1002;
    append(fx, 1);
    assert_false(rn_plog_flush_due(fx->plog, T0 + 1500));
    assert_true(rn_plog_flush_due(fx->plog, T0 + 1002 + 1001));
    uint64_t c = rn_plog_fsync_count(fx->plog);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 1);
    /* An append made when the policy is due runs it (inline: no loop). */
    fx->now = T0 + 5000;
    append(fx, 1);
    assert_true(rn_plog_fsync_count(fx->plog) > c);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 3);
    assert_false(rn_plog_flush_due(fx->plog, T0 + 5000));
}

static void test_flush_no_policy_never_due(void **state) {
    fx_t *fx = *state;
    fx_open(fx, false);
    for (int i = 0; i < 100; i++)
        append(fx, 10);
    assert_false(rn_plog_flush_due(fx->plog, T0 + 1000LL * 1000 * 1000));
    assert_int_equal(rn_plog_fsync_count(fx->plog), 0);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 0);
}

static void test_flush_sync_advances_recovery_point_to_log_end(void **state) {
    fx_t *fx = *state;
    fx->cfg.segment_bytes = 300; /* several segments with unflushed data */
    fx_open(fx, false);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 0);
    for (int i = 0; i < 12; i++)
        append(fx, 2);
    assert_true(rn_plog_segment_count(fx->plog) >= 3);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 0);
    assert_rc(rn_plog_flush_sync(fx->plog), 0);
    assert_true(rn_plog_fsync_count(fx->plog) >= 1);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 24);
    append(fx, 3);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 24);
    assert_rc(rn_plog_flush_sync(fx->plog), 0);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 27);
}

/* ---- background flush and group commit ---------------------------------------------- */

static void test_flush_request_completes_on_loop_with_recovery_point_advanced(void **state) {
    fx_t *fx = *state;
    fx_open(fx, true);
    append(fx, 4);
    req_t r = {.plog = fx->plog, .end_at_request = 4};
    assert_rc(rn_plog_flush(fx->plog, on_flushed, &r), 0);
    assert_true(rn_plog_flush_pending(fx->plog));
    run_until(&fx->loop, &r.done);
    assert_int_equal(r.calls, 1);
    assert_rc(r.status, 0);
    assert_int_equal(r.flushed, 4);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 4);
    assert_true(rn_plog_fsync_count(fx->plog) >= 1);
    run_until_idle(fx);
    assert_false(rn_plog_flush_pending(fx->plog));
    uv_run(&fx->loop, UV_RUN_NOWAIT);
    assert_int_equal(r.calls, 1);
}

static void test_flush_request_with_nothing_unflushed_still_calls_back(void **state) {
    fx_t *fx = *state;
    fx_open(fx, true);
    append(fx, 2);
    assert_rc(rn_plog_flush_sync(fx->plog), 0);
    req_t r = {.plog = fx->plog, .end_at_request = 2};
    assert_rc(rn_plog_flush(fx->plog, on_flushed, &r), 0);
    run_until(&fx->loop, &r.done);
    assert_int_equal(r.calls, 1);
    assert_rc(r.status, 0);
    assert_int_equal(r.flushed, 2);
    run_until_idle(fx);
}

#define NREQ 50

static void test_flush_group_commit_many_requests_share_one_fsync(void **state) {
    fx_t *fx = *state;
    fx_open(fx, true);
    /* Calibrate: what one flush round costs in fsync_count (one segment here). */
    append(fx, 1);
    req_t cal = {.plog = fx->plog};
    assert_rc(rn_plog_flush(fx->plog, on_flushed, &cal), 0);
    run_until(&fx->loop, &cal.done);
    run_until_idle(fx);
    uint64_t c0 = rn_plog_fsync_count(fx->plog);
    assert_true(c0 >= 1);

    req_t *reqs = calloc(NREQ, sizeof *reqs);
    for (int i = 0; i < NREQ; i++) {
        append(fx, 1 + i % 3);
        reqs[i].plog = fx->plog;
        reqs[i].end_at_request = rn_plog_end_offset(fx->plog);
        assert_rc(rn_plog_flush(fx->plog, on_flushed, &reqs[i]), 0);
        assert_true(rn_plog_flush_pending(fx->plog));
    }
    int64_t end = rn_plog_end_offset(fx->plog);
    int64_t deadline = rn_mono_ns() + 10LL * 1000 * 1000 * 1000;
    for (;;) {
        int done = 0;
        for (int i = 0; i < NREQ; i++)
            done += reqs[i].done;
        if (done == NREQ)
            break;
        if (rn_mono_ns() > deadline)
            fail_msg("%d of %d flush callbacks after 10 s", done, NREQ);
        uv_run(&fx->loop, UV_RUN_NOWAIT);
        usleep(200);
    }
    run_until_idle(fx);
    for (int i = 0; i < NREQ; i++) {
        assert_int_equal(reqs[i].calls, 1);
        assert_rc(reqs[i].status, 0);
        if (reqs[i].flushed < reqs[i].end_at_request)
            fail_msg("request %d: flushed %" PRId64 " < its log end %" PRId64, i, reqs[i].flushed,
                     reqs[i].end_at_request);
        assert_true(reqs[i].flushed <= end);
    }
    uint64_t used = rn_plog_fsync_count(fx->plog) - c0;
    /* The first request starts an fsync; the other 49 wait for the next one. */
    if (used > 2 * c0)
        fail_msg("%d concurrent flush requests cost %" PRIu64 " fsyncs (one round costs %" PRIu64
                 "): not group committed",
                 NREQ, used, c0);
    assert_int_equal(rn_plog_recovery_point(fx->plog), end);
    free(reqs);
}

static void test_flush_messages_starts_background_flush_when_loop_given(void **state) {
    fx_t *fx = *state;
    fx->cfg.flush_messages = 5;
    fx_open(fx, true);
    for (int i = 0; i < 4; i++)
        append(fx, 1);
    assert_false(rn_plog_flush_pending(fx->plog));
    assert_int_equal(rn_plog_fsync_count(fx->plog), 0);
    append(fx, 1); /* the fifth record */
    assert_true(rn_plog_flush_pending(fx->plog));
    /* Durable only once the loop has heard back from the thread pool. */
    assert_int_equal(rn_plog_recovery_point(fx->plog), 0);
    run_until_idle(fx);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 5);
    assert_true(rn_plog_fsync_count(fx->plog) >= 1);
    append(fx, 7);
    run_until_idle(fx);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 12);
    /* Appends while a flush is in flight are picked up by a later one. */
    append(fx, 5);
    assert_true(rn_plog_flush_pending(fx->plog));
    append(fx, 5);
    run_until_idle(fx);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 22);
}

static void test_flush_request_without_loop_fails_without_callback(void **state) {
    fx_t *fx = *state;
    fx_open(fx, false);
    append(fx, 1);
    req_t r = {.plog = fx->plog};
    assert_true(rn_plog_flush(fx->plog, on_flushed, &r) < 0);
    assert_int_equal(r.calls, 0);
    assert_false(rn_plog_flush_pending(fx->plog));
    assert_int_equal(rn_plog_recovery_point(fx->plog), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, lt_teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_flush_messages_fsyncs_inline_at_threshold_without_loop),
        T(test_flush_due_by_flush_ms_on_injected_clock),
        T(test_flush_no_policy_never_due),
        T(test_flush_sync_advances_recovery_point_to_log_end),
        T(test_flush_request_completes_on_loop_with_recovery_point_advanced),
        T(test_flush_request_with_nothing_unflushed_still_calls_back),
        T(test_flush_group_commit_many_requests_share_one_fsync),
        T(test_flush_messages_starts_background_flush_when_loop_given),
        T(test_flush_request_without_loop_fails_without_callback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
