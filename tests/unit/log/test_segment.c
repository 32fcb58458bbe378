/* test_segment.c — one segment's files: create, append with index density, locating
 * every offset, a stale index rebuilt on use, closing (the time index's final entry),
 * truncation, a failed index write cutting the batch back, renaming for deletion, and
 * rebuilding indexes from the log (from scratch, resumed, and stopping at a bad tail). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log/segment.h"
#include "log/segment_recover.h"
#include "logtest.h"

#define BASE 1000

typedef struct fx_s {
    char *dir;
    rn_fdcache_t *fds;
    rn__segment_t *seg;
    int64_t pos[64]; /* position of batch i */
    size_t len[64];
    int n;
} fx_t;

static int setup(void **state) {
    fx_t *fx = calloc(1, sizeof *fx);
    fx->dir = rn_test_tmpdir("segment");
    assert_int_equal(rn_fdcache_new(8, &fx->fds), 0);
    fx->seg = rn__segment_new(fx->dir, fx->fds, BASE);
    assert_int_equal(rn__segment_create(fx->seg), 0);
    *state = fx;
    return 0;
}

static int teardown(void **state) {
    fx_t *fx = *state;
    rn__segment_free(fx->seg);
    rn_fdcache_free(fx->fds);
    rn_test_rmtree(fx->dir);
    free(fx->dir);
    free(fx);
    return 0;
}

static char *path_of(fx_t *fx, int kind) {
    static char buf[RN__SEG_PATH_MAX];
    rn__segment_path(fx->seg, kind, buf);
    return buf;
}

/* A batch of nrec records with timestamp ts, stamped at base. */
static uint8_t *make_batch(int64_t base, int nrec, int64_t ts, size_t *len) {
    uint8_t *out = lt_batch(nrec, ts, "k", 1, "some value", 10, len);
    rn_batch_stamp(out, base, 1);
    return out;
}

/* Append batch n (2 records, offsets BASE+2n, BASE+2n+1) with timestamp ts. */
static int append_ts(fx_t *fx, int64_t ts, int32_t interval) {
    size_t len;
    int64_t base = fx->seg->next_offset;
    uint8_t *p = make_batch(base, 2, ts, &len);
    rn_batch_header_t h;
    assert_int_equal(rn_batch_check(p, len, &h), 0);
    fx->pos[fx->n] = fx->seg->size;
    fx->len[fx->n] = len;
    int rc = rn__segment_append(fx->seg, p, len, &h, interval);
    if (rc == 0)
        fx->n++;
    rn_free(p);
    return rc;
}

static void fill(fx_t *fx, int n, int32_t interval) {
    for (int i = 0; i < n; i++)
        assert_int_equal(append_ts(fx, T0 + 10 * i, interval), 0);
}

static void locate_all(fx_t *fx, int32_t interval) {
    for (int i = 0; i < fx->n; i++) {
        for (int k = 0; k < 2; k++) {
            int64_t pos = -1;
            rn_batch_header_t h;
            assert_int_equal(rn__segment_locate(fx->seg, BASE + 2 * i + k, interval, &pos, &h), 0);
            assert_int_equal(pos, fx->pos[i]);
            assert_int_equal(h.base_offset, BASE + 2 * i);
        }
    }
    int64_t pos;
    rn_batch_header_t h;
    assert_int_equal(rn__segment_locate(fx->seg, BASE + 2 * fx->n, interval, &pos, &h),
                     RN_EOFFSETRANGE);
    assert_int_equal(rn__segment_locate(fx->seg, BASE - 1, interval, &pos, &h), RN_EOFFSETRANGE);
}

static void test_segment_create_makes_three_empty_files(void **state) {
    fx_t *fx = *state;
    for (int k = 0; k < RN__SEG_NFILES; k++)
        assert_int_equal(rn_test_file_size(path_of(fx, k)), 0);
    assert_non_null(strstr(path_of(fx, RN__SEG_TIMEINDEX), "00000000000000001000.timeindex"));
    assert_int_equal(fx->seg->next_offset, BASE);
}

static void test_segment_append_with_interval_zero_indexes_every_batch(void **state) {
    fx_t *fx = *state;
    fill(fx, 10, 0);
    assert_int_equal(fx->seg->next_offset, BASE + 20);
    assert_int_equal(rn_test_file_size(path_of(fx, RN__SEG_LOG)), fx->seg->size);
    assert_int_equal(fx->seg->oidx.count, 10);
    assert_int_equal(rn_test_file_size(path_of(fx, RN__SEG_INDEX)), 80);
    /* Timestamps grow with every batch: one time entry each. */
    assert_int_equal(fx->seg->tidx.count, 10);
    assert_int_equal(fx->seg->max_ts, T0 + 90);
    locate_all(fx, 0);
}

static void test_segment_append_index_is_sparse_by_interval(void **state) {
    fx_t *fx = *state;
    fill(fx, 1, 0);
    int32_t interval = (int32_t)(fx->len[0] * 5 / 2); /* an entry every 3rd batch */
    fill(fx, 20, interval);
    /* Entries exactly where a batch starts >= interval bytes after the previous one. */
    int64_t last = 0;
    int want = 1;
    for (int i = 1; i < fx->n; i++)
        if (fx->pos[i] >= last + interval) {
            last = fx->pos[i];
            want++;
        }
    assert_int_equal(fx->seg->oidx.count, want);
    assert_true(want < fx->n / 2);
    locate_all(fx, interval);
}

static void test_segment_time_index_only_when_max_grows(void **state) {
    fx_t *fx = *state;
    const int64_t ts[] = {T0 + 50, T0 + 10, T0 + 50, T0 + 60, T0 + 20, T0 + 60};
    for (int i = 0; i < 6; i++)
        assert_int_equal(append_ts(fx, ts[i], 0), 0);
    assert_int_equal(fx->seg->oidx.count, 6);
    assert_int_equal(fx->seg->tidx.count, 2); /* T0+50 at batch 0, T0+60 at batch 3 */
    assert_int_equal(fx->seg->tidx.last.ts, T0 + 60);
    assert_int_equal(fx->seg->tidx.last.rel, 6);
    assert_int_equal(fx->seg->max_ts, T0 + 60);
    assert_int_equal(fx->seg->max_ts_offset, BASE + 6);
}

static void test_segment_close_adds_final_time_entry_read_back_as_newest(void **state) {
    fx_t *fx = *state;
    fill(fx, 1, 0);
    fill(fx, 6, 1 << 20); /* no index entries after the first batch */
    assert_int_equal(fx->seg->tidx.count, 1);
    assert_int_equal(rn__segment_close_active(fx->seg), 0);
    assert_true(fx->seg->closed);
    assert_int_equal(fx->seg->tidx.count, 2);
    assert_int_equal(fx->seg->tidx.last.ts, T0 + 50);
    /* A fresh object for the same files learns it from the file alone. */
    rn__segment_t *again = rn__segment_new(fx->dir, fx->fds, BASE);
    again->size = fx->seg->size;
    again->next_offset = fx->seg->next_offset;
    again->closed = true;
    int64_t ts = 0;
    assert_int_equal(rn__segment_newest_ts(again, 0, &ts), 0);
    assert_int_equal(ts, T0 + 50);
    rn__segment_free(again);
}

static void test_segment_locate_rebuilds_a_stale_index(void **state) {
    fx_t *fx = *state;
    fill(fx, 12, 0);
    /* Point entry 5 at batch 4's position: the batch there does not start at offset 10. */
    uint8_t e[8] = {0, 0, 0, 10, 0, 0, 0, 0};
    e[6] = (uint8_t)(fx->pos[4] >> 8);
    e[7] = (uint8_t)fx->pos[4];
    FILE *f = fopen(path_of(fx, RN__SEG_INDEX), "r+b");
    fseek(f, 5 * 8, SEEK_SET);
    fwrite(e, 1, 8, f);
    fclose(f);
    locate_all(fx, 0);
    /* The rebuilt index is right again, entry for entry. */
    rn__oindex_t idx = fx->seg->oidx;
    assert_int_equal(idx.count, 12);
    size_t len;
    uint8_t *raw = rn_test_read_file(path_of(fx, RN__SEG_INDEX), &len);
    assert_int_equal(raw[5 * 8 + 3], 10);
    assert_int_equal((raw[5 * 8 + 6] << 8) | raw[5 * 8 + 7], fx->pos[5]);
    free(raw);
}

static void test_segment_truncate_cuts_log_and_indexes(void **state) {
    fx_t *fx = *state;
    fill(fx, 10, 0);
    assert_int_equal(rn__segment_truncate(fx->seg, fx->pos[6], BASE + 12, 0), 0);
    assert_int_equal(fx->seg->size, fx->pos[6]);
    assert_int_equal(fx->seg->next_offset, BASE + 12);
    assert_int_equal(rn_test_file_size(path_of(fx, RN__SEG_LOG)), fx->pos[6]);
    assert_int_equal(fx->seg->oidx.count, 6);
    assert_int_equal(fx->seg->tidx.count, 6);
    assert_int_equal(fx->seg->max_ts, T0 + 50);
    fx->n = 6;
    /* Appends go on from the cut with the index consistent. */
    fill(fx, 3, 0);
    assert_int_equal(fx->seg->next_offset, BASE + 18);
    locate_all(fx, 0);
}

static void test_segment_truncate_recomputes_max_past_last_index_entry(void **state) {
    fx_t *fx = *state;
    fill(fx, 1, 0);
    fill(fx, 5, 1 << 20); /* batches 1..5 unindexed, timestamps up to T0+50 */
    assert_int_equal(rn__segment_truncate(fx->seg, fx->pos[4], BASE + 8, 0), 0);
    /* Batches 0..3 stay (timestamps T0, T0, T0+10, T0+20): the newest, batch 3, is
     * found by walking the log after the only index entry. */
    assert_int_equal(fx->seg->max_ts, T0 + 20);
    assert_int_equal(fx->seg->max_ts_offset, BASE + 6);
}

static void test_segment_failed_index_write_cuts_batch_back(void **state) {
    fx_t *fx = *state;
    fill(fx, 3, 0);
    int64_t size = fx->seg->size;
    /* Make the index unwritable: replace the file by a directory. */
    rn_fdcache_release(fx->fds, &fx->seg->slot[RN__SEG_INDEX]);
    assert_int_equal(unlink(path_of(fx, RN__SEG_INDEX)), 0);
    assert_int_equal(mkdir(path_of(fx, RN__SEG_INDEX), 0755), 0);
    assert_true(append_ts(fx, T0 + 999, 0) < 0);
    assert_int_equal(fx->seg->size, size);
    assert_int_equal(fx->seg->next_offset, BASE + 6);
    assert_int_equal(rn_test_file_size(path_of(fx, RN__SEG_LOG)), size);
    assert_int_equal(fx->seg->max_ts, T0 + 20);
    rmdir(path_of(fx, RN__SEG_INDEX));
}

static void add_path(char *path, void *arg) {
    char **paths = arg;
    for (int i = 0; i < 3; i++) {
        if (paths[i] == NULL) {
            paths[i] = path;
            return;
        }
    }
    fail();
}

static void test_segment_rename_deleted_renames_all_three(void **state) {
    fx_t *fx = *state;
    fill(fx, 2, 0);
    char *paths[3] = {NULL, NULL, NULL};
    assert_int_equal(rn__segment_rename_deleted(fx->seg, add_path, paths), 0);
    for (int k = 0; k < RN__SEG_NFILES; k++) {
        assert_int_equal(rn_test_file_size(path_of(fx, k)), -1);
        assert_non_null(paths[k]);
        assert_non_null(strstr(paths[k], ".deleted"));
        assert_true(rn_test_file_size(paths[k]) >= 0);
        rn_free(paths[k]);
    }
}

static size_t std_len(void) {
    size_t len;
    rn_free(make_batch(0, 2, T0, &len));
    return len;
}

static void test_segment_recover_from_scratch_rebuilds_identical_indexes(void **state) {
    fx_t *fx = *state;
    int32_t interval = (int32_t)std_len() * 2;
    fill(fx, 31, interval);
    assert_int_equal(rn__segment_close_active(fx->seg), 0);
    size_t ilen, tlen;
    uint8_t *idx = rn_test_read_file(path_of(fx, RN__SEG_INDEX), &ilen);
    uint8_t *tim = rn_test_read_file(path_of(fx, RN__SEG_TIMEINDEX), &tlen);
    rn_test_write_file(path_of(fx, RN__SEG_INDEX), "garbage", 7);
    assert_int_equal(unlink(path_of(fx, RN__SEG_TIMEINDEX)), 0);
    rn_fdcache_release(fx->fds, &fx->seg->slot[RN__SEG_INDEX]);
    rn_fdcache_release(fx->fds, &fx->seg->slot[RN__SEG_TIMEINDEX]);
    rn__recover_t res;
    assert_int_equal(rn__segment_recover(fx->seg, RN__SCAN_CHECK, BASE, interval, &res), 0);
    assert_null(res.why);
    assert_int_equal(res.end_pos, fx->seg->size);
    assert_int_equal(res.next_offset, BASE + 62);
    size_t len;
    uint8_t *got = rn_test_read_file(path_of(fx, RN__SEG_INDEX), &len);
    assert_int_equal(len, ilen);
    assert_memory_equal(got, idx, ilen);
    free(got);
    got = rn_test_read_file(path_of(fx, RN__SEG_TIMEINDEX), &len);
    assert_int_equal(len, tlen);
    assert_memory_equal(got, tim, tlen);
    free(got);
    free(idx);
    free(tim);
}

static void test_segment_recover_resumes_at_index_entry_keeping_earlier_ones(void **state) {
    fx_t *fx = *state;
    fill(fx, 20, 0);
    /* Damage entries before the resume point: kept as they are (below the recovery
     * point they are trusted); entries after it are rewritten. */
    size_t len;
    uint8_t *before = rn_test_read_file(path_of(fx, RN__SEG_INDEX), &len);
    rn__recover_t res;
    assert_int_equal(rn__segment_recover(fx->seg, RN__SCAN_CHECK, BASE + 25, 0, &res), 0);
    assert_int_equal(res.start_pos, fx->pos[12]); /* batch 12 holds offset 1024-1025 */
    assert_null(res.why);
    assert_int_equal(res.next_offset, BASE + 40);
    uint8_t *after = rn_test_read_file(path_of(fx, RN__SEG_INDEX), &len);
    assert_memory_equal(after, before, len);
    assert_int_equal(fx->seg->tidx.count, 20);
    free(before);
    free(after);
}

/* Damage the log after batch `keep` and check recover stops there with `why`. */
static void check_bad_tail(fx_t *fx, int keep, const char *why) {
    rn__recover_t res;
    assert_int_equal(rn__segment_recover(fx->seg, RN__SCAN_CHECK, BASE, 0, &res), 0);
    assert_non_null(res.why);
    if (strstr(res.why, why) == NULL)
        fail_msg("why \"%s\", want \"%s\"", res.why, why);
    assert_int_equal(res.end_pos, fx->pos[keep]);
    assert_int_equal(res.next_offset, BASE + 2 * keep);
    assert_int_equal(fx->seg->oidx.count, keep);
}

static void append_raw(fx_t *fx, const void *p, size_t n) {
    FILE *f = fopen(path_of(fx, RN__SEG_LOG), "ab");
    fwrite(p, 1, n, f);
    fclose(f);
}

static void test_segment_recover_stops_at_partial_batch(void **state) {
    fx_t *fx = *state;
    fill(fx, 5, 0);
    assert_int_equal(truncate(path_of(fx, RN__SEG_LOG), fx->pos[4] + 30), 0);
    check_bad_tail(fx, 4, "partial batch");
}

static void test_segment_recover_stops_at_zero_fill(void **state) {
    fx_t *fx = *state;
    fill(fx, 5, 0);
    uint8_t zeros[4096] = {0};
    append_raw(fx, zeros, sizeof zeros);
    fx->pos[5] = fx->seg->size;
    check_bad_tail(fx, 5, "zero fill");
}

static void test_segment_recover_stops_at_crc_mismatch(void **state) {
    fx_t *fx = *state;
    fill(fx, 5, 0);
    FILE *f = fopen(path_of(fx, RN__SEG_LOG), "r+b");
    fseek(f, (long)(fx->pos[3] + fx->len[3] - 2), SEEK_SET);
    fputc(0x5a, f);
    fclose(f);
    check_bad_tail(fx, 3, "CRC mismatch");
}

static void test_segment_recover_stops_at_offset_gap(void **state) {
    fx_t *fx = *state;
    fill(fx, 4, 0);
    size_t len;
    uint8_t *p = make_batch(BASE + 100, 2, T0, &len); /* whole and CRC-clean, wrong offset */
    append_raw(fx, p, len);
    rn_free(p);
    fx->pos[4] = fx->seg->size;
    check_bad_tail(fx, 4, "contiguous");
}

static void test_segment_recover_stops_at_garbage(void **state) {
    fx_t *fx = *state;
    fill(fx, 3, 0);
    uint8_t junk[200];
    memset(junk, 0xab, sizeof junk);
    append_raw(fx, junk, sizeof junk);
    fx->pos[3] = fx->seg->size;
    rn__recover_t res;
    assert_int_equal(rn__segment_recover(fx->seg, RN__SCAN_CHECK, BASE, 0, &res), 0);
    assert_non_null(res.why);
    assert_int_equal(res.end_pos, fx->pos[3]);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_segment_create_makes_three_empty_files),
        T(test_segment_append_with_interval_zero_indexes_every_batch),
        T(test_segment_append_index_is_sparse_by_interval),
        T(test_segment_time_index_only_when_max_grows),
        T(test_segment_close_adds_final_time_entry_read_back_as_newest),
        T(test_segment_locate_rebuilds_a_stale_index),
        T(test_segment_truncate_cuts_log_and_indexes),
        T(test_segment_truncate_recomputes_max_past_last_index_entry),
        T(test_segment_failed_index_write_cuts_batch_back),
        T(test_segment_rename_deleted_renames_all_three),
        T(test_segment_recover_from_scratch_rebuilds_identical_indexes),
        T(test_segment_recover_resumes_at_index_entry_keeping_earlier_ones),
        T(test_segment_recover_stops_at_partial_batch),
        T(test_segment_recover_stops_at_zero_fill),
        T(test_segment_recover_stops_at_crc_mismatch),
        T(test_segment_recover_stops_at_offset_gap),
        T(test_segment_recover_stops_at_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
