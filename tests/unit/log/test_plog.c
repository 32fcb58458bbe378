/*
 * test_plog.c — the partition log's contract (src/log/plog.h), first half: opening,
 * offsets, segment rolls, reads and offset-for-time. Truncation, delete_below, follower
 * appends and reopening are in test_plog_edit.c.
 *
 * Every test keeps a model of what it appended (the stamped bytes of each batch) and
 * checks the log against it byte for byte. Time is injected through a manual clock.
 * The fixture, the standard batches and the read checks are in logtest.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logtest.h"

typedef lt_fx_t fx_t;

static int64_t model_bytes(const fx_t *fx) {
    int64_t s = 0;
    for (int i = 0; i < fx->n; i++)
        s += (int64_t)fx->b[i].len;
    return s;
}

/* ---- open, append, offsets ------------------------------------------------------------ */

static void test_plog_open_missing_dir_creates_it_with_empty_first_segment(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    assert_string_equal(rn_plog_dir(fx->plog), fx->pdir);
    assert_int_equal(rn_plog_start_offset(fx->plog), 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), 0);
    assert_int_equal(rn_plog_size_bytes(fx->plog), 0);
    assert_int_equal(rn_plog_segment_count(fx->plog), 1);
    assert_true(lt_seg_exists(fx->pdir, 0, "log"));
    assert_int_equal(lt_seg_size(fx->pdir, 0, "log"), 0);
}

static void test_plog_open_path_that_is_a_file_fails(void **state) {
    fx_t *fx = *state;
    rn_test_write_file(fx->pdir, "x", 1);
    rn_plog_t *p = NULL;
    int rc = rn_plog_open(fx->pdir, &fx->cfg, &fx->env, 0, false, &p);
    if (rc != -ENOTDIR && rc != -EEXIST && rc != RN_ECORRUPT)
        fail_msg("opening a regular file as a partition: %s", rn_errname(rc));
    assert_null(p);
}

static void test_plog_append_assigns_consecutive_offsets(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    assert_int_equal(lt_append(fx, 1, fx->now, 0), 0);
    assert_int_equal(lt_append(fx, 3, fx->now, 0), 1);
    assert_int_equal(lt_append(fx, 5, fx->now, 0), 4);
    assert_int_equal(lt_append(fx, 1, fx->now, 0), 9);
    assert_int_equal(rn_plog_start_offset(fx->plog), 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), 10);
    assert_int_equal(rn_plog_size_bytes(fx->plog), model_bytes(fx));
    assert_int_equal(lt_seg_size(fx->pdir, 0, "log"), model_bytes(fx));
    lt_verify_reads(fx);
}

static void test_plog_append_stamps_base_offset_and_leader_epoch_in_stored_bytes(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    lt_append(fx, 2, fx->now, 3);
    lt_append(fx, 4, fx->now, 3);
    lt_append(fx, 1, fx->now, 9);
    const int64_t bases[] = {0, 2, 6};
    const int32_t epochs[] = {3, 3, 9};
    const int32_t counts[] = {2, 4, 1};
    for (int i = 0; i < 3; i++) {
        rn_plog_read_t res;
        lt_read_ok(fx->plog, bases[i], 1, -1, &res);
        rn_batch_header_t h;
        assert_rc(rn_batch_check(res.data, res.len, &h), 0);
        assert_int_equal(h.base_offset, bases[i]);
        assert_int_equal(h.partition_leader_epoch, epochs[i]);
        assert_int_equal(h.records_count, counts[i]);
        assert_int_equal(h.last_offset_delta, counts[i] - 1);
        assert_int_equal(rn_batch_size(&h), res.len);
        /* The records decode with the stamped offsets. */
        rn_batch_iter_t it;
        assert_rc(rn_batch_iter_init(&it, res.data, res.len), 0);
        rn_record_t rec;
        int64_t want = bases[i];
        while (rn_batch_iter_next(&it, &rec) == 1)
            assert_int_equal(rec.offset, want++);
        assert_int_equal(want, bases[i] + counts[i]);
        rn_batch_iter_deinit(&it);
        rn_plog_read_free(&res);
    }
}

static void test_plog_append_too_large_fails_and_appends_nothing(void **state) {
    fx_t *fx = *state;
    size_t b5 = lt_std_batch_size(5);
    fx->cfg.max_message_bytes = (int32_t)b5;
    lt_fx_open(fx);
    lt_append_std(fx, 5); /* exactly max_message_bytes: accepted */
    size_t len;
    uint8_t *p = lt_std_batch(6, fx->now, &len);
    assert_true(len > b5);
    int64_t base = -7;
    assert_rc(rn_plog_append(fx->plog, p, len, 1, &base), RN_ETOOLARGE);
    rn_free(p);
    assert_int_equal(rn_plog_end_offset(fx->plog), 5);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)b5);
    assert_int_equal(lt_seg_size(fx->pdir, 0, "log"), (long long)b5);
    assert_int_equal(lt_append_std(fx, 2), 5);
    lt_verify_reads(fx);
}

/* ---- segment rolls --------------------------------------------------------------------- */

static void test_plog_append_when_segment_full_rolls(void **state) {
    fx_t *fx = *state;
    size_t b = lt_std_batch_size(5);
    fx->cfg.segment_bytes = (int64_t)(3 * b + b / 2); /* three batches fit, not four */
    fx->cfg.index_interval_bytes = 1;
    lt_fx_open(fx);
    for (int i = 0; i < 10; i++)
        assert_int_equal(lt_append_std(fx, 5), 5 * i);
    assert_int_equal(rn_plog_end_offset(fx->plog), 50);
    assert_int_equal(rn_plog_segment_count(fx->plog), 4);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)(10 * b));
    const int64_t want[] = {0, 15, 30, 45};
    lt_assert_segments(fx->pdir, want, 4);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(lt_seg_size(fx->pdir, want[i], "log"), (long long)(3 * b));
        assert_true(lt_seg_exists(fx->pdir, want[i], "index"));
        assert_true(lt_seg_exists(fx->pdir, want[i], "timeindex"));
    }
    assert_int_equal(lt_seg_size(fx->pdir, 45, "log"), (long long)b);
    lt_verify_reads(fx);
    /* After close every segment, the active one too, has its three files. */
    rn_plog_close(fx->plog);
    fx->plog = NULL;
    for (int i = 0; i < 4; i++) {
        assert_true(lt_seg_exists(fx->pdir, want[i], "log"));
        assert_true(lt_seg_exists(fx->pdir, want[i], "index"));
        assert_true(lt_seg_exists(fx->pdir, want[i], "timeindex"));
    }
}

static void test_plog_append_filling_segment_exactly_rolls_only_at_next_append(void **state) {
    fx_t *fx = *state;
    size_t b = lt_std_batch_size(2);
    fx->cfg.segment_bytes = (int64_t)(2 * b);
    lt_fx_open(fx);
    lt_append_std(fx, 2);
    lt_append_std(fx, 2);
    assert_int_equal(rn_plog_segment_count(fx->plog), 1);
    assert_int_equal(lt_seg_size(fx->pdir, 0, "log"), (long long)(2 * b));
    lt_append_std(fx, 2);
    assert_int_equal(rn_plog_segment_count(fx->plog), 2);
    const int64_t want[] = {0, 4};
    lt_assert_segments(fx->pdir, want, 2);
    lt_verify_reads(fx);
}

static void test_plog_append_when_segment_older_than_segment_ms_rolls(void **state) {
    fx_t *fx = *state;
    fx->cfg.segment_ms = 1000;
    lt_fx_open(fx);
    int64_t t0 = fx->now;
    lt_append_std(fx, 1); /* offset 0: the segment's first append, at t0 */
    fx->now = t0 + 600;
    lt_append_std(fx, 1); /* age 600: no roll */
    assert_int_equal(rn_plog_segment_count(fx->plog), 1);
    fx->now = t0 + 1200;
    lt_append_std(fx, 1); /* first append is 1200 ms old: rolls, though the last is 600 */
    assert_int_equal(rn_plog_segment_count(fx->plog), 2);
    fx->now = t0 + 2100;
    lt_append_std(fx, 1); /* new segment started at t0+1200: 900 ms, no roll */
    assert_int_equal(rn_plog_segment_count(fx->plog), 2);
    fx->now = t0 + 2300;
    lt_append_std(fx, 1); /* 1100 ms: rolls */
    assert_int_equal(rn_plog_segment_count(fx->plog), 3);
    const int64_t want[] = {0, 2, 4};
    lt_assert_segments(fx->pdir, want, 3);
    lt_verify_reads(fx);
}

static void test_plog_empty_segment_never_rolls_by_time(void **state) {
    fx_t *fx = *state;
    fx->cfg.segment_ms = 1000;
    lt_fx_open(fx);
    fx->now += 10 * 1000;
    lt_append_std(fx, 3);
    assert_int_equal(rn_plog_segment_count(fx->plog), 1);
    const int64_t want[] = {0};
    lt_assert_segments(fx->pdir, want, 1);
}

static void test_plog_append_batch_larger_than_segment_bytes_gets_own_segment(void **state) {
    fx_t *fx = *state;
    size_t small = lt_std_batch_size(1);
    size_t big = lt_std_batch_size(20);
    fx->cfg.segment_bytes = (int64_t)(2 * small);
    assert_true(big > 2 * small);
    lt_fx_open(fx);
    /* Into an empty log: it goes into the first segment, no empty segment before it. */
    lt_append_std(fx, 20);
    assert_int_equal(rn_plog_segment_count(fx->plog), 1);
    assert_int_equal(lt_seg_size(fx->pdir, 0, "log"), (long long)big);
    lt_append_std(fx, 1); /* rolls: the segment is already past segment_bytes */
    lt_append_std(fx, 20);
    lt_append_std(fx, 1);
    const int64_t want[] = {0, 20, 21, 41};
    lt_assert_segments(fx->pdir, want, 4);
    assert_int_equal(rn_plog_segment_count(fx->plog), 4);
    assert_int_equal(lt_seg_size(fx->pdir, 20, "log"), (long long)small);
    assert_int_equal(lt_seg_size(fx->pdir, 21, "log"), (long long)big);
    assert_int_equal(lt_seg_size(fx->pdir, 41, "log"), (long long)small);
    lt_verify_reads(fx);
}

static void test_plog_set_config_takes_effect_at_next_append(void **state) {
    fx_t *fx = *state;
    size_t b = lt_std_batch_size(1);
    lt_fx_open(fx);
    lt_append_std(fx, 1);
    lt_append_std(fx, 1);
    rn_log_config_t bad = fx->cfg;
    bad.segment_bytes = 10;
    assert_rc(rn_plog_set_config(fx->plog, &bad), RN_ECONFIG);
    assert_int_equal(rn_plog_config(fx->plog)->segment_bytes, fx->cfg.segment_bytes);
    rn_log_config_t small = fx->cfg;
    small.segment_bytes = (int64_t)(2 * b);
    assert_rc(rn_plog_set_config(fx->plog, &small), 0);
    assert_int_equal(rn_plog_config(fx->plog)->segment_bytes, (int64_t)(2 * b));
    lt_append_std(fx, 1); /* the active segment holds 2b: this one rolls */
    assert_int_equal(rn_plog_segment_count(fx->plog), 2);
    const int64_t want[] = {0, 2};
    lt_assert_segments(fx->pdir, want, 2);
}

/* ---- reads ------------------------------------------------------------------------------- */

static void test_plog_read_at_every_offset_returns_batch_holding_it(void **state) {
    fx_t *fx = *state;
    size_t b = lt_std_batch_size(4);
    fx->cfg.segment_bytes = (int64_t)(5 * b);
    /* sparse index: lookups must scan forward from an entry */
    fx->cfg.index_interval_bytes = (int32_t)(2 * b + 1);
    lt_fx_open(fx);
    for (int i = 0; i < 23; i++)
        lt_append_std(fx, 1 + i % 4);
    assert_true(rn_plog_segment_count(fx->plog) >= 4);
    lt_verify_reads(fx);
}

static void test_plog_read_across_segment_boundaries_walks_every_batch(void **state) {
    fx_t *fx = *state;
    size_t b = lt_std_batch_size(3);
    fx->cfg.segment_bytes = (int64_t)(2 * b);
    lt_fx_open(fx);
    for (int i = 0; i < 9; i++)
        lt_append_std(fx, 3);
    assert_int_equal(rn_plog_segment_count(fx->plog), 5);
    /* The last batch of a segment, then the first of the next, from each side. */
    for (int64_t seg_base = 6; seg_base < 27; seg_base += 6) {
        rn_plog_read_t res;
        lt_read_ok(fx->plog, seg_base - 1, 1 << 20, -1, &res);
        int64_t first = -1, next = -1;
        assert_true(lt_walk(res.data, res.len, &first, &next) >= 1);
        assert_int_equal(first, seg_base - 3);
        assert_int_equal(res.next_offset, next);
        rn_plog_read_free(&res);
        lt_read_ok(fx->plog, seg_base, 1 << 20, -1, &res);
        assert_true(lt_walk(res.data, res.len, &first, &next) >= 1);
        assert_int_equal(first, seg_base);
        rn_plog_read_free(&res);
    }
    lt_verify_reads(fx);
}

static void test_plog_read_respects_max_bytes_but_returns_at_least_one_batch(void **state) {
    fx_t *fx = *state;
    size_t b = lt_std_batch_size(5);
    lt_fx_open(fx);
    for (int i = 0; i < 4; i++)
        lt_append_std(fx, 5);
    rn_plog_read_t res;
    int64_t first, next;
    lt_read_ok(fx->plog, 0, 2 * b + b / 2, -1, &res);
    assert_int_equal(res.len, 2 * b);
    assert_int_equal(lt_walk(res.data, res.len, &first, &next), 2);
    assert_int_equal(res.next_offset, 10);
    rn_plog_read_free(&res);

    lt_read_ok(fx->plog, 0, 2 * b, -1, &res); /* exactly two */
    assert_int_equal(res.len, 2 * b);
    rn_plog_read_free(&res);

    lt_read_ok(fx->plog, 7, 1, -1, &res); /* smaller than one batch: still one */
    assert_int_equal(res.len, b);
    assert_int_equal(lt_walk(res.data, res.len, &first, &next), 1);
    assert_int_equal(first, 5);
    assert_int_equal(res.next_offset, 10);
    rn_plog_read_free(&res);

    lt_read_ok(fx->plog, 0, 0, -1, &res);
    assert_int_equal(res.len, b);
    rn_plog_read_free(&res);

    lt_read_ok(fx->plog, 3, 100 * b, -1, &res);
    assert_int_equal(res.len, 4 * b);
    assert_int_equal(res.next_offset, 20);
    rn_plog_read_free(&res);
}

static void test_plog_read_returns_only_batches_ending_below_upto(void **state) {
    fx_t *fx = *state;
    size_t b = lt_std_batch_size(5);
    lt_fx_open(fx);
    for (int i = 0; i < 4; i++)
        lt_append_std(fx, 5); /* 0-4, 5-9, 10-14, 15-19 */
    rn_plog_read_t res;
    int64_t first, next;
    lt_read_ok(fx->plog, 0, 1 << 20, 10, &res);
    assert_int_equal(res.len, 2 * b);
    assert_int_equal(res.next_offset, 10);
    rn_plog_read_free(&res);

    lt_read_ok(fx->plog, 0, 1 << 20, 9, &res); /* 5-9 does not end below 9 */
    assert_int_equal(res.len, b);
    assert_int_equal(lt_walk(res.data, res.len, &first, &next), 1);
    assert_int_equal(res.next_offset, 5);
    rn_plog_read_free(&res);

    lt_read_ok(fx->plog, 0, 1, 4, &res); /* nothing ends below 4, not even one batch */
    assert_int_equal(res.len, 0);
    rn_plog_read_free(&res);

    lt_read_ok(fx->plog, 5, 1 << 20, 5, &res);
    assert_int_equal(res.len, 0);
    assert_int_equal(res.next_offset, 5);
    rn_plog_read_free(&res);

    lt_read_ok(fx->plog, 12, 1 << 20, 20, &res);
    assert_int_equal(res.len, 2 * b);
    assert_int_equal(lt_walk(res.data, res.len, &first, &next), 2);
    assert_int_equal(first, 10);
    assert_int_equal(res.next_offset, 20);
    rn_plog_read_free(&res);
}

static void test_plog_read_at_log_end_returns_empty(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    rn_plog_read_t res;
    lt_read_ok(fx->plog, 0, 1 << 20, -1, &res); /* empty log */
    assert_int_equal(res.len, 0);
    assert_int_equal(res.next_offset, 0);
    rn_plog_read_free(&res);
    lt_append_std(fx, 3);
    lt_read_ok(fx->plog, 3, 1 << 20, -1, &res);
    assert_int_equal(res.len, 0);
    assert_int_equal(res.next_offset, 3);
    rn_plog_read_free(&res);
}

static void test_plog_read_below_start_or_past_end_is_out_of_range(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    lt_append_std(fx, 3);
    rn_plog_read_t res;
    memset(&res, 0, sizeof res);
    assert_rc(rn_plog_read(fx->plog, 4, 1 << 20, -1, &res), RN_EOFFSETRANGE);
    assert_rc(rn_plog_read(fx->plog, 1000, 1 << 20, -1, &res), RN_EOFFSETRANGE);
    assert_rc(rn_plog_read(fx->plog, -1, 1 << 20, -1, &res), RN_EOFFSETRANGE);
    rn_plog_read_free(&res);
}

/* ---- offset for time ------------------------------------------------------------------- */

static void test_plog_offset_for_time_exact_between_before_and_after(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    /* batch i: 3 records at 1000 + 100 i, offsets 3i..3i+2 */
    for (int i = 0; i < 10; i++)
        lt_append(fx, 3, 1000 + 100 * i, 1);
    int64_t off = -1;
    for (int i = 0; i < 10; i++) {
        assert_rc(rn_plog_offset_for_time(fx->plog, 1000 + 100 * i, &off), 0);
        assert_int_equal(off, 3 * i);
        assert_rc(rn_plog_offset_for_time(fx->plog, 1000 + 100 * i - 50, &off), 0);
        assert_int_equal(off, 3 * i);
    }
    assert_rc(rn_plog_offset_for_time(fx->plog, 0, &off), 0);
    assert_int_equal(off, 0);
    assert_rc(rn_plog_offset_for_time(fx->plog, -1, &off), 0);
    assert_int_equal(off, 0);
    assert_rc(rn_plog_offset_for_time(fx->plog, 1901, &off), RN_EOFFSETRANGE);
    assert_rc(rn_plog_offset_for_time(fx->plog, INT64_MAX, &off), RN_EOFFSETRANGE);
}

static void test_plog_offset_for_time_on_empty_log_is_out_of_range(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    int64_t off = -1;
    assert_rc(rn_plog_offset_for_time(fx->plog, 0, &off), RN_EOFFSETRANGE);
}

static void test_plog_offset_for_time_across_segments(void **state) {
    fx_t *fx = *state;
    size_t b = lt_std_batch_size(2);
    fx->cfg.segment_bytes = (int64_t)(7 * b);
    fx->cfg.index_interval_bytes = 4096; /* sparse: several batches per entry */
    lt_fx_open(fx);
    for (int i = 0; i < 60; i++)
        lt_append(fx, 2, 5000 + 10 * i, 1);
    assert_true(rn_plog_segment_count(fx->plog) >= 8);
    int64_t off = -1;
    for (int i = 0; i < 60; i++) {
        assert_rc(rn_plog_offset_for_time(fx->plog, 5000 + 10 * i, &off), 0);
        assert_int_equal(off, 2 * i);
        assert_rc(rn_plog_offset_for_time(fx->plog, 5000 + 10 * i - 3, &off), 0);
        assert_int_equal(off, 2 * i);
    }
    assert_rc(rn_plog_offset_for_time(fx->plog, 5000 + 10 * 59 + 1, &off), RN_EOFFSETRANGE);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, lt_plog_setup, lt_teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_plog_open_missing_dir_creates_it_with_empty_first_segment),
        T(test_plog_open_path_that_is_a_file_fails),
        T(test_plog_append_assigns_consecutive_offsets),
        T(test_plog_append_stamps_base_offset_and_leader_epoch_in_stored_bytes),
        T(test_plog_append_too_large_fails_and_appends_nothing),
        T(test_plog_append_when_segment_full_rolls),
        T(test_plog_append_filling_segment_exactly_rolls_only_at_next_append),
        T(test_plog_append_when_segment_older_than_segment_ms_rolls),
        T(test_plog_empty_segment_never_rolls_by_time),
        T(test_plog_append_batch_larger_than_segment_bytes_gets_own_segment),
        T(test_plog_set_config_takes_effect_at_next_append),
        T(test_plog_read_at_every_offset_returns_batch_holding_it),
        T(test_plog_read_across_segment_boundaries_walks_every_batch),
        T(test_plog_read_respects_max_bytes_but_returns_at_least_one_batch),
        T(test_plog_read_returns_only_batches_ending_below_upto),
        T(test_plog_read_at_log_end_returns_empty),
        T(test_plog_read_below_start_or_past_end_is_out_of_range),
        T(test_plog_offset_for_time_exact_between_before_and_after),
        T(test_plog_offset_for_time_on_empty_log_is_out_of_range),
        T(test_plog_offset_for_time_across_segments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
