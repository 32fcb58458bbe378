/*
 * test_plog_edit.c — the partition log's contract (src/log/plog.h), second half: what
 * rewrites or reopens a log — truncation, delete_below, follower (replica) appends,
 * reopening. Opening, appends, rolls and reads are in test_plog.c.
 *
 * Every test keeps a model of what it appended (the stamped bytes of each batch) and
 * checks the log against it byte for byte. Time is injected through a manual clock.
 * The fixture, the standard batches and the read checks are in logtest.h.
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

#include "logtest.h"

typedef lt_fx_t fx_t;

/* ---- truncation -------------------------------------------------------------------------- */

static void test_plog_truncate_mid_segment_then_append_continues(void **state) {
    fx_t *fx = *state;
    size_t b = lt_std_batch_size(2);
    fx->cfg.index_interval_bytes = 1;
    lt_fx_open(fx);
    for (int i = 0; i < 6; i++)
        lt_append(fx, 2, 1000 + 10 * i, 1); /* 0-1 2-3 4-5 6-7 8-9 10-11 */
    assert_rc(rn_plog_truncate(fx->plog, 6), 0);
    lt_model_cut(fx, 6);
    assert_int_equal(rn_plog_end_offset(fx->plog), 6);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)(3 * b));
    assert_int_equal(lt_seg_size(fx->pdir, 0, "log"), (long long)(3 * b));
    int64_t off;
    assert_rc(rn_plog_offset_for_time(fx->plog, 1030, &off), RN_EOFFSETRANGE);
    assert_rc(rn_plog_offset_for_time(fx->plog, 1020, &off), 0);
    assert_int_equal(off, 4);
    rn_plog_read_t res;
    memset(&res, 0, sizeof res);
    assert_rc(rn_plog_read(fx->plog, 7, 1 << 20, -1, &res), RN_EOFFSETRANGE);
    /* Appends continue at the new end, with new timestamps found through the index. */
    assert_int_equal(lt_append(fx, 2, 2000, 2), 6);
    assert_int_equal(lt_append(fx, 2, 2010, 2), 8);
    assert_rc(rn_plog_offset_for_time(fx->plog, 1500, &off), 0);
    assert_int_equal(off, 6);
    lt_verify_reads(fx);
}

static void test_plog_truncate_at_segment_boundary_removes_later_segments(void **state) {
    fx_t *fx = *state;
    size_t b = lt_std_batch_size(2);
    fx->cfg.segment_bytes = (int64_t)(2 * b);
    lt_fx_open(fx);
    for (int i = 0; i < 6; i++)
        lt_append_std(fx, 2); /* segments 0, 4, 8 */
    const int64_t before[] = {0, 4, 8};
    lt_assert_segments(fx->pdir, before, 3);
    assert_rc(rn_plog_truncate(fx->plog, 4), 0);
    lt_model_cut(fx, 4);
    assert_int_equal(rn_plog_end_offset(fx->plog), 4);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)(2 * b));
    assert_false(lt_seg_exists(fx->pdir, 8, "log"));
    assert_false(lt_seg_exists(fx->pdir, 8, "index"));
    assert_false(lt_seg_exists(fx->pdir, 8, "timeindex"));
    assert_int_equal(lt_seg_size(fx->pdir, 0, "log"), (long long)(2 * b));
    /* Segment 4 may stay as an empty active segment or go; it holds nothing either way. */
    long long s4 = lt_seg_size(fx->pdir, 4, "log");
    assert_true(s4 == -1 || s4 == 0);
    assert_int_equal(lt_append_std(fx, 2), 4);
    assert_int_equal(lt_append_std(fx, 2), 6);
    assert_int_equal(rn_plog_end_offset(fx->plog), 8);
    lt_verify_reads(fx);
}

static void test_plog_truncate_removing_whole_segments(void **state) {
    fx_t *fx = *state;
    size_t b = lt_std_batch_size(2);
    fx->cfg.segment_bytes = (int64_t)(2 * b);
    lt_fx_open(fx);
    for (int i = 0; i < 8; i++)
        lt_append_std(fx, 2); /* segments 0, 4, 8, 12 */
    assert_rc(rn_plog_truncate(fx->plog, 2), 0);
    lt_model_cut(fx, 2);
    assert_int_equal(rn_plog_end_offset(fx->plog), 2);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)b);
    assert_int_equal(rn_plog_segment_count(fx->plog), 1);
    const int64_t want[] = {0};
    lt_assert_segments(fx->pdir, want, 1);
    for (int64_t base = 4; base <= 12; base += 4) {
        assert_false(lt_seg_exists(fx->pdir, base, "index"));
        assert_false(lt_seg_exists(fx->pdir, base, "timeindex"));
    }
    assert_int_equal(lt_append_std(fx, 2), 2);
    assert_int_equal(lt_append_std(fx, 2), 4); /* segment 0 full again: rolls to 4 */
    const int64_t after[] = {0, 4};
    lt_assert_segments(fx->pdir, after, 2);
    lt_verify_reads(fx);
}

static void test_plog_truncate_to_zero_empties_the_log(void **state) {
    fx_t *fx = *state;
    size_t b = lt_std_batch_size(2);
    fx->cfg.segment_bytes = (int64_t)(2 * b);
    lt_fx_open(fx);
    for (int i = 0; i < 5; i++)
        lt_append_std(fx, 2);
    assert_rc(rn_plog_truncate(fx->plog, 0), 0);
    lt_model_cut(fx, 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), 0);
    assert_int_equal(rn_plog_size_bytes(fx->plog), 0);
    assert_int_equal(rn_plog_segment_count(fx->plog), 1);
    assert_int_equal(lt_append_std(fx, 2), 0);
    lt_verify_reads(fx);
}

static void test_plog_truncate_inside_batch_truncates_to_its_base(void **state) {
    fx_t *fx = *state;
    size_t b = lt_std_batch_size(5);
    lt_fx_open(fx);
    for (int i = 0; i < 4; i++)
        lt_append_std(fx, 5); /* 0-4 5-9 10-14 15-19 */
    assert_rc(rn_plog_truncate(fx->plog, 12), 0);
    lt_model_cut(fx, 10);
    assert_int_equal(rn_plog_end_offset(fx->plog), 10);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)(2 * b));
    assert_int_equal(lt_seg_size(fx->pdir, 0, "log"), (long long)(2 * b));
    assert_int_equal(lt_append_std(fx, 1), 10);
    lt_verify_reads(fx);
}

static void test_plog_truncate_at_or_past_end_is_a_noop(void **state) {
    fx_t *fx = *state;
    size_t b = lt_std_batch_size(5);
    lt_fx_open(fx);
    lt_append_std(fx, 5);
    lt_append_std(fx, 5);
    assert_rc(rn_plog_truncate(fx->plog, 10), 0);
    assert_rc(rn_plog_truncate(fx->plog, 11), 0);
    assert_rc(rn_plog_truncate(fx->plog, 1000000), 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), 10);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)(2 * b));
    assert_int_equal(lt_append_std(fx, 1), 10);
    lt_verify_reads(fx);
}

static void test_plog_truncate_moves_recovery_point_back(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    for (int i = 0; i < 4; i++)
        lt_append_std(fx, 5);
    assert_rc(rn_plog_flush_sync(fx->plog), 0);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 20);
    assert_rc(rn_plog_truncate(fx->plog, 10), 0);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 10);
}

/* ---- delete_below ------------------------------------------------------------------------ */

static void test_plog_delete_below_advances_start_and_drops_whole_segments(void **state) {
    fx_t *fx = *state;
    size_t b = lt_std_batch_size(2);
    fx->cfg.segment_bytes = (int64_t)(2 * b);
    lt_fx_open(fx);
    for (int i = 0; i < 7; i++)
        lt_append_std(fx, 2); /* segments 0 4 8 12, end 14 */
    assert_rc(rn_plog_delete_below(fx->plog, 9), 0);
    assert_int_equal(rn_plog_start_offset(fx->plog), 9);
    assert_int_equal(rn_plog_end_offset(fx->plog), 14);
    assert_int_equal(rn_plog_segment_count(fx->plog), 2);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)(3 * b));
    assert_false(lt_seg_exists(fx->pdir, 0, "log"));
    assert_false(lt_seg_exists(fx->pdir, 4, "log"));
    assert_true(lt_seg_exists(fx->pdir, 8, "log"));
    rn_plog_read_t res;
    memset(&res, 0, sizeof res);
    assert_rc(rn_plog_read(fx->plog, 8, 1 << 20, -1, &res), RN_EOFFSETRANGE);
    assert_rc(rn_plog_read(fx->plog, 0, 1 << 20, -1, &res), RN_EOFFSETRANGE);
    /* At the start itself: the batch holding 9 (8-9). */
    lt_read_ok(fx->plog, 9, 1, -1, &res);
    int64_t first, next;
    assert_int_equal(lt_walk(res.data, res.len, &first, &next), 1);
    assert_int_equal(first, 8);
    rn_plog_read_free(&res);
    /* Up to the log end: every closed segment goes, the active one stays. */
    assert_rc(rn_plog_delete_below(fx->plog, 14), 0);
    assert_int_equal(rn_plog_start_offset(fx->plog), 14);
    assert_true(rn_plog_segment_count(fx->plog) >= 1);
    assert_false(lt_seg_exists(fx->pdir, 8, "log"));
    assert_int_equal(lt_append_std(fx, 2), 14);
    lt_read_ok(fx->plog, 14, 1, -1, &res);
    assert_int_equal(res.len, b);
    rn_plog_read_free(&res);
}

static void test_plog_delete_below_past_end_is_out_of_range(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    lt_append_std(fx, 2);
    assert_rc(rn_plog_delete_below(fx->plog, 3), RN_EOFFSETRANGE);
    assert_int_equal(rn_plog_start_offset(fx->plog), 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), 2);
}

/* ---- follower append --------------------------------------------------------------------- */

/* A batch as a leader would send it: base offset and epoch already stamped. */
static uint8_t *leader_batch(int nrec, int64_t base, int32_t epoch, size_t *len) {
    uint8_t *p = lt_std_batch(nrec, 1234, len);
    rn_batch_stamp(p, base, epoch);
    return p;
}

static void test_plog_append_replica_with_right_base_offset_appends_as_is(void **state) {
    fx_t *fx = *state;
    size_t b = lt_std_batch_size(3);
    fx->cfg.segment_bytes = (int64_t)(2 * b);
    lt_fx_open(fx);
    for (int i = 0; i < 5; i++) {
        size_t len;
        uint8_t *p = leader_batch(3, 3 * i, 7 + i, &len);
        assert_rc(rn_plog_append_replica(fx->plog, p, len), 0);
        lt_model_add(fx, p, len, 3 * i, 3, 1234);
        rn_free(p);
        assert_int_equal(rn_plog_end_offset(fx->plog), 3 * i + 3);
    }
    /* Rolls like leader appends; bytes, offsets and epochs are kept as sent. */
    const int64_t want[] = {0, 6, 12};
    lt_assert_segments(fx->pdir, want, 3);
    lt_verify_reads(fx);
}

static void test_plog_append_replica_with_wrong_base_offset_fails(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    size_t len;
    uint8_t *p = leader_batch(3, 0, 1, &len);
    assert_rc(rn_plog_append_replica(fx->plog, p, len), 0);
    lt_model_add(fx, p, len, 0, 3, 1234);
    rn_free(p);
    const int64_t wrong[] = {0, 2, 4, 100};
    for (int i = 0; i < 4; i++) {
        p = leader_batch(3, wrong[i], 1, &len);
        assert_rc(rn_plog_append_replica(fx->plog, p, len), RN_EBADOFFSET);
        rn_free(p);
    }
    assert_int_equal(rn_plog_end_offset(fx->plog), 3);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)len);
    assert_int_equal(lt_seg_size(fx->pdir, 0, "log"), (long long)len);
    lt_verify_reads(fx);
}

static void test_plog_append_replica_corrupt_batch_fails(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    size_t len;
    uint8_t *p = leader_batch(3, 0, 1, &len);
    p[len - 5] ^= 0x40; /* inside the records: the CRC no longer matches */
    assert_rc(rn_plog_append_replica(fx->plog, p, len), RN_ECORRUPT);
    p[len - 5] ^= 0x40;
    p[RN_BATCH_ATTR_OFFSET + 3] ^= 0x01; /* lastOffsetDelta, covered by the CRC */
    assert_rc(rn_plog_append_replica(fx->plog, p, len), RN_ECORRUPT);
    p[RN_BATCH_ATTR_OFFSET + 3] ^= 0x01;
    /* A batch cut short is not appended either. */
    assert_true(rn_plog_append_replica(fx->plog, p, len - 1) < 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), 0);
    assert_int_equal(rn_plog_size_bytes(fx->plog), 0);
    assert_int_equal(lt_seg_size(fx->pdir, 0, "log"), 0);
    assert_rc(rn_plog_append_replica(fx->plog, p, len), 0);
    lt_model_add(fx, p, len, 0, 3, 1234);
    rn_free(p);
    lt_verify_reads(fx);
}

/* ---- reopen ------------------------------------------------------------------------------- */

static void test_plog_reopen_after_clean_close_keeps_everything(void **state) {
    fx_t *fx = *state;
    size_t b = lt_std_batch_size(3);
    fx->cfg.segment_bytes = (int64_t)(3 * b);
    fx->cfg.index_interval_bytes = (int32_t)b;
    lt_fx_open(fx);
    for (int i = 0; i < 11; i++)
        lt_append(fx, 3, 1000 + i, 4);
    int segs = rn_plog_segment_count(fx->plog);
    int64_t size = rn_plog_size_bytes(fx->plog);
    assert_int_equal(segs, 4);
    assert_rc(rn_plog_flush_sync(fx->plog), 0);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 33);
    lt_fx_reopen(fx, 33, true);
    assert_int_equal(rn_plog_start_offset(fx->plog), 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), 33);
    assert_int_equal(rn_plog_segment_count(fx->plog), segs);
    assert_int_equal(rn_plog_size_bytes(fx->plog), size);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 33);
    lt_verify_reads(fx);
    int64_t off;
    assert_rc(rn_plog_offset_for_time(fx->plog, 1007, &off), 0);
    assert_int_equal(off, 21);
    /* Appends go on in the last segment, then roll. */
    assert_int_equal(lt_append(fx, 3, 2000, 5), 33);
    assert_int_equal(lt_append(fx, 3, 2001, 5), 36);
    assert_int_equal(rn_plog_segment_count(fx->plog), 5);
    const int64_t want[] = {0, 9, 18, 27, 36};
    lt_assert_segments(fx->pdir, want, 5);
    lt_verify_reads(fx);
}

static void test_plog_reopen_keeps_time_index(void **state) {
    fx_t *fx = *state;
    size_t b = lt_std_batch_size(1);
    fx->cfg.segment_bytes = (int64_t)(4 * b);
    lt_fx_open(fx);
    for (int i = 0; i < 10; i++)
        lt_append(fx, 1, 100 * (i + 1), 1);
    assert_rc(rn_plog_flush_sync(fx->plog), 0);
    lt_fx_reopen(fx, 10, true);
    int64_t off;
    for (int i = 0; i < 10; i++) {
        assert_rc(rn_plog_offset_for_time(fx->plog, 100 * (i + 1) - 1, &off), 0);
        assert_int_equal(off, i);
    }
    assert_rc(rn_plog_offset_for_time(fx->plog, 1001, &off), RN_EOFFSETRANGE);
}

static void test_plog_read_after_truncate_and_reappend_sees_new_batches(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    for (int i = 0; i < 10; i++)
        lt_append_std(fx, 3);
    /* A sequential reader walks part of the log (reads may remember positions). */
    int64_t off = 0;
    for (int i = 0; i < 4; i++) {
        rn_plog_read_t res;
        lt_read_ok(fx->plog, off, 1, -1, &res);
        off = res.next_offset;
        rn_plog_read_free(&res);
    }
    assert_int_equal(off, 12);
    /* A follower truncation, then batches of another size at the same offsets. */
    assert_rc(rn_plog_truncate(fx->plog, 6), 0);
    lt_model_cut(fx, 6);
    for (int i = 0; i < 4; i++)
        lt_append_std(fx, 5); /* 6-10 11-15 16-20 21-25 */
    rn_plog_read_t res;
    lt_read_ok(fx->plog, 12, 1, -1, &res);
    int64_t first, next;
    assert_int_equal(lt_walk(res.data, res.len, &first, &next), 1);
    assert_int_equal(first, 11);
    assert_int_equal(res.next_offset, 16);
    rn_plog_read_free(&res);
    lt_read_ok(fx->plog, 6, 1, -1, &res);
    assert_int_equal(lt_walk(res.data, res.len, &first, &next), 1);
    assert_int_equal(first, 6);
    assert_int_equal(next, 11);
    rn_plog_read_free(&res);
    lt_verify_reads(fx);
}

static void test_plog_open_tolerates_other_partition_files(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    lt_append_std(fx, 2);
    assert_rc(rn_plog_flush_sync(fx->plog), 0);
    rn_plog_close(fx->plog);
    fx->plog = NULL;
    rn_plog_close(NULL); /* ignored */
    /* Files other modules keep in the partition directory (DESIGN.md section 3). */
    char path[600];
    snprintf(path, sizeof path, "%s/leader-epoch-checkpoint", fx->pdir);
    rn_test_write_file(path, "0\n1\n0 0\n", strlen("0\n1\n0 0\n"));
    snprintf(path, sizeof path, "%s/partition.metadata", fx->pdir);
    rn_test_write_file(path, "version: 0\ntopic_id: abc\n", strlen("version: 0\ntopic_id: abc\n"));
    lt_fx_reopen(fx, 2, true);
    assert_int_equal(rn_plog_end_offset(fx->plog), 2);
    lt_fx_reopen(fx, 0, false);
    assert_int_equal(rn_plog_end_offset(fx->plog), 2);
    lt_verify_reads(fx);
    assert_int_equal(rn_test_file_size(path), 25);
}

static void test_plog_open_bad_segment_file_name_is_corrupt(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    lt_append_std(fx, 2);
    rn_plog_close(fx->plog);
    fx->plog = NULL;
    char path[600];
    snprintf(path, sizeof path, "%s/0000000000000000000x.log", fx->pdir);
    rn_test_write_file(path, "", 0);
    rn_plog_t *p = NULL;
    assert_rc(rn_plog_open(fx->pdir, &fx->cfg, &fx->env, 0, false, &p), RN_ECORRUPT);
    assert_null(p);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, lt_plog_setup, lt_teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_plog_truncate_mid_segment_then_append_continues),
        T(test_plog_truncate_at_segment_boundary_removes_later_segments),
        T(test_plog_truncate_removing_whole_segments),
        T(test_plog_truncate_to_zero_empties_the_log),
        T(test_plog_truncate_inside_batch_truncates_to_its_base),
        T(test_plog_truncate_at_or_past_end_is_a_noop),
        T(test_plog_truncate_moves_recovery_point_back),
        T(test_plog_delete_below_advances_start_and_drops_whole_segments),
        T(test_plog_delete_below_past_end_is_out_of_range),
        T(test_plog_append_replica_with_right_base_offset_appends_as_is),
        T(test_plog_append_replica_with_wrong_base_offset_fails),
        T(test_plog_append_replica_corrupt_batch_fails),
        T(test_plog_reopen_after_clean_close_keeps_everything),
        T(test_plog_reopen_keeps_time_index),
        T(test_plog_read_after_truncate_and_reappend_sees_new_batches),
        T(test_plog_open_tolerates_other_partition_files),
        T(test_plog_open_bad_segment_file_name_is_corrupt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
