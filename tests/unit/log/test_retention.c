/*
 * test_retention.c — retention by time and by size (rn_plog_retention_run,
 * rn_logmgr_retention_run): which segments go, that the active one never does, that
 * the log start advances and reads below it fail, and that the files leave the
 * directory (renamed *.deleted, unlinked by the manager or the next open).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "log/logmgr.h"
#include "logtest.h"

#define VLEN 100
#define HOUR (3600 * 1000LL)

/* fx->bsize: the size of one single-record batch. */
typedef lt_fx_t fx_t;

static uint8_t *make_batch(int nrec, int64_t ts, size_t *len) {
    char val[VLEN];
    memset(val, 'v', sizeof val);
    return lt_batch(nrec, ts, NULL, -1, val, VLEN, len);
}

/* Append one single-record batch stamped ts (the clock reads ts too). */
static int64_t append_at(fx_t *fx, rn_plog_t *plog, int64_t ts) {
    fx->now = ts;
    size_t len;
    uint8_t *p = make_batch(1, ts, &len);
    assert_int_equal(len, fx->bsize);
    int64_t base = -1;
    assert_rc(rn_plog_append(plog, p, len, 0, &base), 0);
    rn_free(p);
    return base;
}

/* Files in dir whose name ends with suffix. */
static int count_suffix(const char *dir, const char *suffix) {
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    size_t sl = strlen(suffix);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l >= sl && strcmp(de->d_name + l - sl, suffix) == 0)
            n++;
    }
    closedir(d);
    return n;
}

static void assert_read_range(rn_plog_t *plog, int64_t off) {
    rn_plog_read_t res;
    memset(&res, 0, sizeof res);
    assert_rc(rn_plog_read(plog, off, 1 << 20, -1, &res), RN_EOFFSETRANGE);
}

static void assert_read_first(rn_plog_t *plog, int64_t off, int64_t want_base) {
    rn_plog_read_t res;
    memset(&res, 0, sizeof res);
    assert_rc(rn_plog_read(plog, off, 1, -1, &res), 0);
    rn_batch_header_t h;
    assert_true(res.len > 0);
    assert_rc(rn_batch_check(res.data, res.len, &h), 0);
    assert_int_equal(h.base_offset, want_base);
    rn_plog_read_free(&res);
}

static int setup(void **state) {
    fx_t *fx = lt_fx_new("retention", "events-0", 32);
    size_t len;
    uint8_t *p = make_batch(1, T0, &len);
    rn_free(p);
    fx->bsize = len;
    fx->cfg.segment_bytes = (int64_t)(2 * fx->bsize); /* two batches per segment */
    fx->cfg.segment_ms = 1000 * HOUR;
    fx->cfg.retention_ms = 10 * 1000;
    fx->cfg.retention_bytes = -1;
    *state = fx;
    return 0;
}

/*
 * segments 0 (offsets 0-1, newest T0+1000), 2 (2-3, newest T0+8000: oldest record
 * older than retention at the first run, newest not), 4 (4-5, newest T0+9000),
 * active 6 (offset 6, T0+9500).
 */
static void fill_four_segments(fx_t *fx) {
    assert_int_equal(append_at(fx, fx->plog, T0), 0);
    assert_int_equal(append_at(fx, fx->plog, T0 + 1000), 1);
    assert_int_equal(append_at(fx, fx->plog, T0 + 2000), 2);
    assert_int_equal(append_at(fx, fx->plog, T0 + 8000), 3);
    assert_int_equal(append_at(fx, fx->plog, T0 + 8500), 4);
    assert_int_equal(append_at(fx, fx->plog, T0 + 9000), 5);
    assert_int_equal(append_at(fx, fx->plog, T0 + 9500), 6);
    assert_int_equal(rn_plog_segment_count(fx->plog), 4);
}

static void
test_retention_by_time_deletes_closed_segments_whose_newest_record_is_old(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    fill_four_segments(fx);
    /* At T0+12000 only segment 0 (newest T0+1000) is older than 10 s. */
    fx->now = T0 + 12000;
    assert_int_equal(rn_plog_retention_run(fx->plog, T0 + 12000), 1);
    assert_int_equal(rn_plog_start_offset(fx->plog), 2);
    assert_int_equal(rn_plog_end_offset(fx->plog), 7);
    assert_int_equal(rn_plog_segment_count(fx->plog), 3);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)(5 * fx->bsize));
    assert_false(lt_seg_exists(fx->pdir, 0, "log"));
    assert_false(lt_seg_exists(fx->pdir, 0, "index"));
    assert_false(lt_seg_exists(fx->pdir, 0, "timeindex"));
    assert_true(lt_seg_exists(fx->pdir, 2, "log"));
    assert_read_range(fx->plog, 0);
    assert_read_range(fx->plog, 1);
    assert_read_first(fx->plog, 2, 2);
    /* Nothing new is old enough: a second run at the same time deletes nothing. */
    assert_int_equal(rn_plog_retention_run(fx->plog, T0 + 12000), 0);
    assert_int_equal(rn_plog_segment_count(fx->plog), 3);
    /* At T0+18500: segment 2 (newest T0+8000) goes; 4 (newest T0+9000) stays. */
    fx->now = T0 + 18500;
    assert_int_equal(rn_plog_retention_run(fx->plog, T0 + 18500), 1);
    assert_int_equal(rn_plog_start_offset(fx->plog), 4);
    assert_read_range(fx->plog, 3);
    assert_read_first(fx->plog, 4, 4);
    /* Offset for a timestamp older than everything kept: the new log start. */
    int64_t off = -1;
    assert_rc(rn_plog_offset_for_time(fx->plog, T0, &off), 0);
    assert_int_equal(off, 4);
}

static void test_retention_by_time_never_deletes_the_active_segment(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    fill_four_segments(fx);
    int64_t later = T0 + 1000 * HOUR;
    fx->now = later;
    assert_int_equal(rn_plog_retention_run(fx->plog, later), 3);
    assert_int_equal(rn_plog_segment_count(fx->plog), 1);
    assert_int_equal(rn_plog_start_offset(fx->plog), 6);
    assert_int_equal(rn_plog_end_offset(fx->plog), 7);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)fx->bsize);
    assert_true(lt_seg_exists(fx->pdir, 6, "log"));
    assert_read_first(fx->plog, 6, 6);
    assert_read_range(fx->plog, 5);
    assert_int_equal(rn_plog_retention_run(fx->plog, later + HOUR), 0);
    assert_int_equal(rn_plog_segment_count(fx->plog), 1);
    /* Appends go on after the start moved. */
    assert_int_equal(append_at(fx, fx->plog, later + 1), 7);
    assert_read_first(fx->plog, 7, 7);
}

static void test_retention_by_time_uses_record_timestamps(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    /* Records stamped an hour before the clock (as a producer's CreateTime may be). */
    for (int i = 0; i < 5; i++) {
        size_t len;
        uint8_t *p = make_batch(1, T0 - HOUR, &len);
        int64_t base;
        assert_rc(rn_plog_append(fx->plog, p, len, 0, &base), 0);
        rn_free(p);
    }
    assert_int_equal(rn_plog_segment_count(fx->plog), 3);
    assert_int_equal(rn_plog_retention_run(fx->plog, T0), 2);
    assert_int_equal(rn_plog_start_offset(fx->plog), 4);
}

static void test_retention_is_never_run_by_append(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    fill_four_segments(fx);
    for (int i = 0; i < 3; i++)
        append_at(fx, fx->plog, T0 + 1000 * HOUR + i);
    assert_int_equal(rn_plog_start_offset(fx->plog), 0);
    assert_int_equal(rn_plog_segment_count(fx->plog), 5);
    assert_true(lt_seg_exists(fx->pdir, 0, "log"));
    assert_read_first(fx->plog, 0, 0);
}

static void test_retention_by_size_deletes_oldest_closed_segments_while_over(void **state) {
    fx_t *fx = *state;
    fx->cfg.retention_ms = -1;
    fx->cfg.retention_bytes = (int64_t)(3 * fx->bsize);
    lt_fx_open(fx);
    for (int i = 0; i < 7; i++)
        append_at(fx, fx->plog, T0 + i); /* segments 0 2 4 (2b each), 6 (b); size 7b */
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)(7 * fx->bsize));
    /* 7b > 3b: drop 0 (5b), still over: drop 2 (3b), not over: stop. */
    assert_int_equal(rn_plog_retention_run(fx->plog, T0 + 100), 2);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)(3 * fx->bsize));
    assert_int_equal(rn_plog_start_offset(fx->plog), 4);
    assert_int_equal(rn_plog_segment_count(fx->plog), 2);
    assert_false(lt_seg_exists(fx->pdir, 0, "log"));
    assert_false(lt_seg_exists(fx->pdir, 2, "log"));
    assert_true(lt_seg_exists(fx->pdir, 4, "log"));
    assert_read_range(fx->plog, 3);
    assert_read_first(fx->plog, 4, 4);
    assert_int_equal(rn_plog_retention_run(fx->plog, T0 + 100), 0);
}

static void test_retention_by_size_brings_partition_under_the_cap(void **state) {
    fx_t *fx = *state;
    fx->cfg.retention_ms = -1;
    fx->cfg.retention_bytes = (int64_t)(4 * fx->bsize); /* config.h: "keep the partition under" */
    lt_fx_open(fx);
    for (int i = 0; i < 7; i++)
        append_at(fx, fx->plog, T0 + i);
    /* 7b > 4b: drop 0 (5b), still over: drop 2 (3b). */
    assert_int_equal(rn_plog_retention_run(fx->plog, T0 + 100), 2);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)(3 * fx->bsize));
    assert_int_equal(rn_plog_start_offset(fx->plog), 4);
}

static void test_retention_by_size_never_deletes_the_active_segment(void **state) {
    fx_t *fx = *state;
    fx->cfg.retention_ms = -1;
    fx->cfg.retention_bytes = 0;
    lt_fx_open(fx);
    for (int i = 0; i < 5; i++)
        append_at(fx, fx->plog, T0 + i); /* 0 2 active 4 */
    assert_int_equal(rn_plog_retention_run(fx->plog, T0 + 100), 2);
    assert_int_equal(rn_plog_segment_count(fx->plog), 1);
    assert_int_equal(rn_plog_start_offset(fx->plog), 4);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)fx->bsize);
    assert_read_first(fx->plog, 4, 4);
}

static void test_retention_time_then_size_in_one_run(void **state) {
    fx_t *fx = *state;
    fx->cfg.retention_bytes = (int64_t)(3 * fx->bsize);
    lt_fx_open(fx);
    fill_four_segments(fx); /* 7b */
    /* Time drops 0 (5b left); size then drops 2 (3b left). */
    assert_int_equal(rn_plog_retention_run(fx->plog, T0 + 12000), 2);
    assert_int_equal(rn_plog_start_offset(fx->plog), 4);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)(3 * fx->bsize));
}

static void test_retention_minus_one_disables_both(void **state) {
    fx_t *fx = *state;
    fx->cfg.retention_ms = -1;
    fx->cfg.retention_bytes = -1;
    lt_fx_open(fx);
    fill_four_segments(fx);
    assert_int_equal(rn_plog_retention_run(fx->plog, T0 + 1000 * 1000 * HOUR), 0);
    assert_int_equal(rn_plog_segment_count(fx->plog), 4);
    assert_int_equal(rn_plog_start_offset(fx->plog), 0);
    assert_read_first(fx->plog, 0, 0);
}

static void test_retention_follows_set_config(void **state) {
    fx_t *fx = *state;
    fx->cfg.retention_ms = -1;
    lt_fx_open(fx);
    fill_four_segments(fx);
    assert_int_equal(rn_plog_retention_run(fx->plog, T0 + 12000), 0);
    rn_log_config_t cfg = fx->cfg;
    cfg.retention_ms = 10 * 1000;
    assert_rc(rn_plog_set_config(fx->plog, &cfg), 0);
    assert_int_equal(rn_plog_retention_run(fx->plog, T0 + 12000), 1);
    assert_int_equal(rn_plog_start_offset(fx->plog), 2);
}

static void test_retention_deleted_files_are_gone_after_reopen(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    fill_four_segments(fx);
    assert_int_equal(rn_plog_retention_run(fx->plog, T0 + 18500), 2);
    /* Renamed away at once; unlinked later (by the manager or the next open). */
    assert_false(lt_seg_exists(fx->pdir, 0, "log"));
    assert_false(lt_seg_exists(fx->pdir, 2, "log"));
    assert_rc(rn_plog_flush_sync(fx->plog), 0);
    lt_fx_reopen(fx, 7, true);
    assert_int_equal(count_suffix(fx->pdir, ".deleted"), 0);
    assert_int_equal(count_suffix(fx->pdir, ".log"), 2);
    assert_int_equal(rn_plog_start_offset(fx->plog), 4);
    assert_int_equal(rn_plog_end_offset(fx->plog), 7);
    assert_read_range(fx->plog, 3);
    assert_read_first(fx->plog, 4, 4);
    assert_read_first(fx->plog, 6, 6);
}

/* ---- through the log manager ---------------------------------------------------------- */

static void mgr_opts(fx_t *fx, rn_logmgr_opts_t *opts) {
    rn_logmgr_opts_default(opts);
    opts->dir = fx->root;
    opts->defaults = fx->cfg;
    opts->retention_check_ms = 0;
    opts->max_open_files = 32;
    opts->clock = &fx->clk;
}

static void test_retention_logmgr_run_covers_every_partition_and_unlinks(void **state) {
    fx_t *fx = *state;
    uv_loop_t loop;
    assert_rc(uv_loop_init(&loop), 0);
    rn_logmgr_opts_t opts;
    mgr_opts(fx, &opts);
    rn_logmgr_t *mgr = NULL;
    assert_rc(rn_logmgr_open(&loop, &opts, &mgr), 0);
    rn_plog_t *a = NULL, *b = NULL;
    assert_rc(rn_logmgr_create(mgr, "clicks", 0, NULL, &a), 0);
    assert_rc(rn_logmgr_create(mgr, "clicks", 1, NULL, &b), 0);
    for (int i = 0; i < 5; i++) {
        append_at(fx, a, T0 + i); /* 0 2 active 4 */
        append_at(fx, b, T0 + i);
    }
    append_at(fx, b, T0 + 10);
    append_at(fx, b, T0 + 11); /* b: 0 2 4 active 6 */
    fx->now = T0 + 60 * 1000;
    assert_int_equal(rn_logmgr_retention_run(mgr, fx->now), 2 + 3);
    assert_int_equal(rn_plog_start_offset(a), 4);
    assert_int_equal(rn_plog_start_offset(b), 6);
    char adir[600], bdir[600];
    snprintf(adir, sizeof adir, "%s/clicks-0", fx->root);
    snprintf(bdir, sizeof bdir, "%s/clicks-1", fx->root);
    assert_false(lt_seg_exists(adir, 0, "log"));
    assert_false(lt_seg_exists(bdir, 4, "log"));
    /* The unlinks run on the thread pool; let the loop deliver them (bounded). */
    for (int i = 0; i < 5000; i++) {
        uv_run(&loop, UV_RUN_NOWAIT);
        if (count_suffix(adir, ".deleted") == 0 && count_suffix(bdir, ".deleted") == 0)
            break;
        usleep(1000);
    }
    assert_int_equal(count_suffix(adir, ".deleted"), 0);
    assert_int_equal(count_suffix(bdir, ".deleted"), 0);
    assert_int_equal(count_suffix(adir, ".log"), 1);
    assert_int_equal(count_suffix(bdir, ".log"), 1);
    assert_read_range(a, 3);
    assert_read_first(b, 6, 6);
    assert_rc(rn_logmgr_close(mgr, true), 0);
    assert_rc(uv_loop_close(&loop), 0);
}

static void test_retention_logmgr_without_loop_files_gone_after_reopen(void **state) {
    fx_t *fx = *state;
    rn_logmgr_opts_t opts;
    mgr_opts(fx, &opts);
    rn_logmgr_t *mgr = NULL;
    assert_rc(rn_logmgr_open(NULL, &opts, &mgr), 0);
    rn_plog_t *a = NULL;
    assert_rc(rn_logmgr_create(mgr, "clicks", 0, NULL, &a), 0);
    for (int i = 0; i < 5; i++)
        append_at(fx, a, T0 + i);
    assert_int_equal(rn_logmgr_retention_run(mgr, T0 + 60 * 1000), 2);
    assert_rc(rn_logmgr_close(mgr, true), 0);
    mgr = NULL;
    assert_rc(rn_logmgr_open(NULL, &opts, &mgr), 0);
    a = rn_logmgr_get(mgr, "clicks", 0);
    assert_non_null(a);
    char adir[600];
    snprintf(adir, sizeof adir, "%s/clicks-0", fx->root);
    assert_int_equal(count_suffix(adir, ".deleted"), 0);
    assert_int_equal(count_suffix(adir, ".log"), 1);
    assert_int_equal(rn_plog_start_offset(a), 4);
    assert_int_equal(rn_plog_end_offset(a), 5);
    assert_read_range(a, 0);
    assert_read_first(a, 4, 4);
    assert_rc(rn_logmgr_close(mgr, true), 0);
}

static void test_retention_timer_runs_retention_on_the_injected_clock(void **state) {
    fx_t *fx = *state;
    uv_loop_t loop;
    assert_rc(uv_loop_init(&loop), 0);
    rn_logmgr_opts_t opts;
    mgr_opts(fx, &opts);
    opts.retention_check_ms = 10; /* real milliseconds between checks */
    rn_logmgr_t *mgr = NULL;
    assert_rc(rn_logmgr_open(&loop, &opts, &mgr), 0);
    rn_plog_t *a = NULL;
    assert_rc(rn_logmgr_create(mgr, "clicks", 0, NULL, &a), 0);
    for (int i = 0; i < 5; i++)
        append_at(fx, a, T0 + i); /* 0 2 active 4 */
    /* Nothing is old by the injected clock: checks run, nothing goes. */
    int64_t deadline = rn_mono_ns() + 100LL * 1000 * 1000;
    while (rn_mono_ns() < deadline) {
        uv_run(&loop, UV_RUN_NOWAIT);
        usleep(1000);
    }
    assert_int_equal(rn_plog_start_offset(a), 0);
    /* The injected clock moves past retention_ms: the next check deletes. */
    fx->now = T0 + 60 * 1000;
    deadline = rn_mono_ns() + 5LL * 1000 * 1000 * 1000;
    while (rn_plog_start_offset(a) != 4 && rn_mono_ns() < deadline) {
        uv_run(&loop, UV_RUN_NOWAIT);
        usleep(1000);
    }
    assert_int_equal(rn_plog_start_offset(a), 4);
    assert_int_equal(rn_plog_segment_count(a), 1);
    assert_rc(rn_logmgr_close(mgr, true), 0);
    assert_rc(uv_loop_close(&loop), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, lt_teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_retention_by_time_deletes_closed_segments_whose_newest_record_is_old),
        T(test_retention_by_time_never_deletes_the_active_segment),
        T(test_retention_by_time_uses_record_timestamps),
        T(test_retention_is_never_run_by_append),
        T(test_retention_by_size_deletes_oldest_closed_segments_while_over),
        T(test_retention_by_size_brings_partition_under_the_cap),
        T(test_retention_by_size_never_deletes_the_active_segment),
        T(test_retention_time_then_size_in_one_run),
        T(test_retention_minus_one_disables_both),
        T(test_retention_follows_set_config),
        T(test_retention_deleted_files_are_gone_after_reopen),
        T(test_retention_logmgr_run_covers_every_partition_and_unlinks),
        T(test_retention_logmgr_without_loop_files_gone_after_reopen),
        T(test_retention_timer_runs_retention_on_the_injected_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
