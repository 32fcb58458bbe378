/* test_flush_job.c — what may happen to a partition while its thread-pool fsync is in
 * flight: truncation (the recovery point must not move over rewritten offsets),
 * deletion of the segments being synced (their descriptors stay pinned, then close),
 * and a flush callback that closes the plog. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <uv.h>

#include "logtest.h"

typedef struct fx_s {
    lt_fx_t lt; /* a loop is always running */
    int calls;  /* what the flush callback saw */
    int status;
    int64_t flushed;
} fx_t;

static int setup(void **state) {
    fx_t *fx = calloc(1, sizeof *fx);
    lt_fx_init(&fx->lt, "flushjob", "jobs-0", 8);
    lt_fx_loop(&fx->lt);
    fx->lt.cfg.segment_bytes = 400;
    fx->lt.cfg.retention_ms = 1000;
    lt_fx_open(&fx->lt);
    *state = fx;
    return 0;
}

static void drain(fx_t *fx) {
    for (int i = 0; i < 10000 && uv_run(&fx->lt.loop, UV_RUN_NOWAIT) != 0; i++)
        usleep(100);
}

static int teardown(void **state) {
    fx_t *fx = *state;
    drain(fx);
    lt_fx_close(&fx->lt);
    assert_int_equal(rn_fdcache_open_count(fx->lt.fds), 0);
    lt_fx_deinit(&fx->lt);
    free(fx);
    return 0;
}

static void append(fx_t *fx, int64_t ts) {
    size_t len;
    uint8_t *p = lt_batch(3, ts, "k", 1, "0123456789", 10, &len);
    int64_t base;
    assert_int_equal(rn_plog_append(fx->lt.plog, p, len, 0, &base), 0);
    rn_free(p);
}

static void on_flushed(rn_plog_t *plog, int status, int64_t flushed, void *arg) {
    fx_t *fx = arg;
    assert_ptr_equal(plog, fx->lt.plog);
    fx->calls++;
    fx->status = status;
    fx->flushed = flushed;
}

static void test_flush_job_truncation_in_flight_keeps_recovery_point_back(void **state) {
    fx_t *fx = *state;
    fx->lt.cfg.segment_bytes = 1 << 20; /* no roll (and no roll-time flush) in this test */
    assert_int_equal(rn_plog_set_config(fx->lt.plog, &fx->lt.cfg), 0);
    for (int i = 0; i < 4; i++)
        append(fx, T0);
    drain(fx); /* flushes started by rolls */
    assert_int_equal(rn_plog_flush_sync(fx->lt.plog), 0);
    int64_t durable = rn_plog_recovery_point(fx->lt.plog);
    for (int i = 0; i < 6; i++)
        append(fx, T0);
    drain(fx);
    int64_t end = rn_plog_end_offset(fx->lt.plog);
    assert_int_equal(rn_plog_flush(fx->lt.plog, on_flushed, fx), 0);
    /* While that fsync (target: end) runs, the tail is cut and rewritten. */
    assert_int_equal(rn_plog_truncate(fx->lt.plog, durable + 3), 0);
    int64_t cut = rn_plog_end_offset(fx->lt.plog);
    assert_true(cut < end);
    append(fx, T0);
    append(fx, T0);
    drain(fx);
    assert_int_equal(fx->calls, 1);
    assert_int_equal(fx->status, 0);
    /* The rewritten offsets were never fsynced: the recovery point stays at the cut. */
    assert_true(rn_plog_recovery_point(fx->lt.plog) <= cut);
    assert_true(fx->flushed <= cut);
}

static void test_flush_job_segments_deleted_in_flight_close_after(void **state) {
    fx_t *fx = *state;
    for (int i = 0; i < 12; i++)
        append(fx, T0);
    drain(fx);
    assert_true(rn_plog_segment_count(fx->lt.plog) >= 4);
    for (int i = 0; i < 2; i++)
        append(fx, T0);
    assert_int_equal(rn_plog_flush(fx->lt.plog, on_flushed, fx), 0);
    /* Retention renames and releases segments whose descriptors the job pinned. */
    fx->lt.now = T0 + 60000;
    int n = rn_plog_retention_run(fx->lt.plog, fx->lt.now);
    assert_true(n >= 1);
    drain(fx);
    assert_int_equal(fx->calls, 1);
    assert_int_equal(fx->status, 0);
    assert_int_equal(rn_plog_recovery_point(fx->lt.plog), rn_plog_end_offset(fx->lt.plog));
    assert_true(rn_fdcache_open_count(fx->lt.fds) <= 8);
}

static void close_in_callback(rn_plog_t *plog, int status, int64_t flushed, void *arg) {
    fx_t *fx = arg;
    (void)flushed;
    fx->status = status;
    fx->calls++;
    assert_false(rn_plog_flush_pending(plog));
    rn_plog_close(plog);
    fx->lt.plog = NULL;
}

static void test_flush_job_callback_may_close_the_plog(void **state) {
    fx_t *fx = *state;
    append(fx, T0);
    drain(fx);
    assert_int_equal(rn_plog_flush(fx->lt.plog, close_in_callback, fx), 0);
    drain(fx);
    assert_int_equal(fx->calls, 1);
    assert_int_equal(fx->status, 0);
    assert_null(fx->lt.plog);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_flush_job_truncation_in_flight_keeps_recovery_point_back),
        T(test_flush_job_segments_deleted_in_flight_close_after),
        T(test_flush_job_callback_may_close_the_plog),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
