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

#include "common/alloc.h"
#include "common/errors.h"
#include "log/plog.h"
#include "proto/batch.h"
#include "testutil.h"

#define T0 1700000000000LL

typedef struct fx_s {
    char *root;
    char dir[512];
    int64_t now;
    rn_clock_t clk;
    rn_fdcache_t *fds;
    uv_loop_t loop;
    rn_plog_env_t env;
    rn_log_config_t cfg;
    rn_plog_t *plog;
    int calls;
    int status;
    int64_t flushed;
} fx_t;

static int setup(void **state) {
    fx_t *fx = calloc(1, sizeof *fx);
    fx->root = rn_test_tmpdir("flushjob");
    snprintf(fx->dir, sizeof fx->dir, "%s/jobs-0", fx->root);
    fx->now = T0;
    fx->clk.now_ms = rn_clock_manual_now;
    fx->clk.arg = &fx->now;
    assert_int_equal(rn_fdcache_new(8, &fx->fds), 0);
    assert_int_equal(uv_loop_init(&fx->loop), 0);
    fx->env = (rn_plog_env_t){fx->fds, &fx->clk, &fx->loop};
    rn_log_config_default(&fx->cfg);
    fx->cfg.segment_bytes = 400;
    fx->cfg.retention_ms = 1000;
    assert_int_equal(rn_plog_open(fx->dir, &fx->cfg, &fx->env, 0, false, &fx->plog), 0);
    *state = fx;
    return 0;
}

static void drain(fx_t *fx) {
    for (int i = 0; i < 10000 && uv_run(&fx->loop, UV_RUN_NOWAIT) != 0; i++)
        usleep(100);
}

static int teardown(void **state) {
    fx_t *fx = *state;
    drain(fx);
    rn_plog_close(fx->plog);
    uv_run(&fx->loop, UV_RUN_NOWAIT);
    assert_int_equal(uv_loop_close(&fx->loop), 0);
    assert_int_equal(rn_fdcache_open_count(fx->fds), 0);
    rn_fdcache_free(fx->fds);
    rn_test_rmtree(fx->root);
    free(fx->root);
    free(fx);
    return 0;
}

static void append(fx_t *fx, int64_t ts) {
    rn_batch_opts_t opts;
    rn_batch_opts_default(&opts);
    rn_batch_builder_t b;
    rn_batch_builder_init(&b, &opts);
    for (int i = 0; i < 3; i++)
        assert_int_equal(rn_batch_builder_add(&b, ts, "k", 1, "0123456789", 10, NULL, 0), 0);
    uint8_t *p;
    size_t len;
    assert_int_equal(rn_batch_builder_finish(&b, &p, &len), 0);
    rn_batch_builder_deinit(&b);
    int64_t base;
    assert_int_equal(rn_plog_append(fx->plog, p, len, 0, &base), 0);
    rn_free(p);
}

static void on_flushed(rn_plog_t *plog, int status, int64_t flushed, void *arg) {
    fx_t *fx = arg;
    assert_ptr_equal(plog, fx->plog);
    fx->calls++;
    fx->status = status;
    fx->flushed = flushed;
}

static void test_flush_job_truncation_in_flight_keeps_recovery_point_back(void **state) {
    fx_t *fx = *state;
    fx->cfg.segment_bytes = 1 << 20; /* no roll (and no roll-time flush) in this test */
    assert_int_equal(rn_plog_set_config(fx->plog, &fx->cfg), 0);
    for (int i = 0; i < 4; i++)
        append(fx, T0);
    drain(fx); /* flushes started by rolls */
    assert_int_equal(rn_plog_flush_sync(fx->plog), 0);
    int64_t durable = rn_plog_recovery_point(fx->plog);
    for (int i = 0; i < 6; i++)
        append(fx, T0);
    drain(fx);
    int64_t end = rn_plog_end_offset(fx->plog);
    assert_int_equal(rn_plog_flush(fx->plog, on_flushed, fx), 0);
    /* While that fsync (target: end) runs, the tail is cut and rewritten. */
    assert_int_equal(rn_plog_truncate(fx->plog, durable + 3), 0);
    int64_t cut = rn_plog_end_offset(fx->plog);
    assert_true(cut < end);
    append(fx, T0);
    append(fx, T0);
    drain(fx);
    assert_int_equal(fx->calls, 1);
    assert_int_equal(fx->status, 0);
    /* The rewritten offsets were never fsynced: the recovery point stays at the cut. */
    assert_true(rn_plog_recovery_point(fx->plog) <= cut);
    assert_true(fx->flushed <= cut);
}

static void test_flush_job_segments_deleted_in_flight_close_after(void **state) {
    fx_t *fx = *state;
    for (int i = 0; i < 12; i++)
        append(fx, T0);
    drain(fx);
    assert_true(rn_plog_segment_count(fx->plog) >= 4);
    for (int i = 0; i < 2; i++)
        append(fx, T0);
    assert_int_equal(rn_plog_flush(fx->plog, on_flushed, fx), 0);
    /* Retention renames and releases segments whose descriptors the job pinned. */
    fx->now = T0 + 60000;
    int n = rn_plog_retention_run(fx->plog, fx->now);
    assert_true(n >= 1);
    drain(fx);
    assert_int_equal(fx->calls, 1);
    assert_int_equal(fx->status, 0);
    assert_int_equal(rn_plog_recovery_point(fx->plog), rn_plog_end_offset(fx->plog));
    assert_true(rn_fdcache_open_count(fx->fds) <= 8);
}

static void close_in_callback(rn_plog_t *plog, int status, int64_t flushed, void *arg) {
    fx_t *fx = arg;
    (void)flushed;
    fx->status = status;
    fx->calls++;
    assert_false(rn_plog_flush_pending(plog));
    rn_plog_close(plog);
    fx->plog = NULL;
}

static void test_flush_job_callback_may_close_the_plog(void **state) {
    fx_t *fx = *state;
    append(fx, T0);
    drain(fx);
    assert_int_equal(rn_plog_flush(fx->plog, close_in_callback, fx), 0);
    drain(fx);
    assert_int_equal(fx->calls, 1);
    assert_int_equal(fx->status, 0);
    assert_null(fx->plog);
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
