/*
 * test_recovery.c — reopening a partition log after an unclean stop (rn_plog_open with
 * clean=false): a torn, corrupt or padded tail is truncated after the last intact
 * batch with one WARN line naming the file and offset; missing or corrupt indexes are
 * rebuilt; a clean reopen rewrites nothing.
 *
 * The standard log: 11 batches of 3 records (offsets 0..32), batch i stamped
 * 1000 + 10 i, segments of four batches: 0 (0-11), 12 (12-23), 24 (24-32, active).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/logging.h"
#include "logtest.h"

#define VLEN   100
#define NREC   3
#define NBATCH 11
#define LAST   24 /* base offset of the last (active) segment */
#define END    33
#define TS(i)  (1000 + 10 * (int64_t)(i))

typedef lt_fx_t fx_t;

/* The standard batch: records keyed "key" with VLEN-byte values. */
static uint8_t *make_batch(int nrec, int64_t ts, size_t *len) {
    return lt_numbered_batch(nrec, ts, "key", 3, 'A', VLEN, len);
}

/* Append a standard batch at epoch 2 and record it in the model. */
static int64_t append(fx_t *fx, int64_t ts) {
    size_t len;
    uint8_t *p = make_batch(NREC, ts, &len);
    int64_t base = -1;
    assert_rc(rn_plog_append(fx->plog, p, len, 2, &base), 0);
    lt_model_add(fx, p, len, base, NREC, ts);
    rn_free(p);
    return base;
}

/* ---- damage ------------------------------------------------------------------------- */

static void file_cut(const char *dir, int64_t base, const char *ext, long long size) {
    char path[600];
    lt_seg_path(path, sizeof path, dir, base, ext);
    assert_int_equal(truncate(path, size), 0);
}

static void file_flip(const char *dir, int64_t base, const char *ext, long long pos) {
    char path[600];
    lt_seg_path(path, sizeof path, dir, base, ext);
    size_t len;
    uint8_t *p = rn_test_read_file(path, &len);
    assert_true((size_t)pos < len);
    p[pos] ^= 0x5a;
    rn_test_write_file(path, p, len);
    free(p);
}

static void file_append(const char *dir, int64_t base, const char *ext, const void *data,
                        size_t n) {
    char path[600];
    lt_seg_path(path, sizeof path, dir, base, ext);
    lt_file_append(path, data, n);
}

static void file_remove(const char *dir, int64_t base, const char *ext) {
    char path[600];
    lt_seg_path(path, sizeof path, dir, base, ext);
    assert_int_equal(unlink(path), 0);
}

/* Deterministic garbage. */
static void garbage(uint8_t *p, size_t n, uint32_t seed) {
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (uint8_t)(x >> 16);
    }
}

static size_t garble_len(const char *path) {
    long long sz = rn_test_file_size(path);
    assert_true(sz >= 0);
    return sz < 64 ? 64 : (size_t)sz;
}

/* Overwrite a file with garbage of the same length (at least 64 bytes). */
static void file_garble(const char *dir, int64_t base, const char *ext, uint32_t seed) {
    char path[600];
    lt_seg_path(path, sizeof path, dir, base, ext);
    size_t n = garble_len(path);
    uint8_t *p = malloc(n);
    garbage(p, n, seed);
    rn_test_write_file(path, p, n);
    free(p);
}

/* After a repair the file no longer starts with the garbage file_garble wrote. */
static void assert_not_garbage(const char *dir, int64_t base, const char *ext, uint32_t seed) {
    char path[600];
    lt_seg_path(path, sizeof path, dir, base, ext);
    size_t len;
    uint8_t *got = rn_test_read_file(path, &len);
    uint8_t junk[64];
    garbage(junk, sizeof junk, seed);
    if (len >= 16 && memcmp(got, junk, 16) == 0)
        fail_msg("%s still holds the garbage written into it: not rebuilt", path);
    free(got);
}

/* ---- checks ------------------------------------------------------------------------- */

/* Every offset reads back as the model's batch holding it (through the index), every
 * returned batch passes rn_batch_check, and a walk by next_offset covers the model. */
static void verify_reads(fx_t *fx) {
    int64_t start = rn_plog_start_offset(fx->plog);
    int64_t end = rn_plog_end_offset(fx->plog);
    for (int64_t o = start; o < end; o++) {
        const lt_mbatch_t *t = lt_model_find(fx, o);
        assert_non_null(t);
        rn_plog_read_t res;
        lt_read_ok(fx->plog, o, 1, -1, &res);
        if (res.len != t->len || memcmp(res.data, t->bytes, t->len) != 0)
            fail_msg("read at %" PRId64 ": %zu bytes, not batch %" PRId64 " (%zu bytes)", o,
                     res.len, t->base, t->len);
        rn_batch_header_t h;
        assert_rc(rn_batch_check(res.data, res.len, &h), 0);
        rn_plog_read_free(&res);
    }
    int64_t off = start;
    int i = 0;
    while (off < end) {
        rn_plog_read_t res;
        lt_read_ok(fx->plog, off, 1 << 20, -1, &res);
        assert_true(res.len > 0);
        size_t pos = 0;
        while (pos < res.len) {
            rn_batch_header_t h;
            assert_rc(rn_batch_check(res.data + pos, res.len - pos, &h), 0);
            assert_true(i < fx->n);
            assert_int_equal(h.base_offset, fx->b[i].base);
            assert_memory_equal(res.data + pos, fx->b[i].bytes, fx->b[i].len);
            pos += rn_batch_size(&h);
            i++;
        }
        off = res.next_offset;
        rn_plog_read_free(&res);
    }
    assert_int_equal(off, end);
    assert_int_equal(i, fx->n);
    rn_plog_read_t res;
    lt_read_ok(fx->plog, end, 1 << 20, -1, &res);
    assert_int_equal(res.len, 0);
    rn_plog_read_free(&res);
}

/* offset_for_time finds every batch of the model through the time index. */
static void verify_times(fx_t *fx) {
    for (int i = 0; i < fx->n; i++) {
        int64_t off = -1;
        assert_rc(rn_plog_offset_for_time(fx->plog, fx->b[i].ts, &off), 0);
        assert_int_equal(off, fx->b[i].base);
        assert_rc(rn_plog_offset_for_time(fx->plog, fx->b[i].ts - 5, &off), 0);
        assert_int_equal(off, fx->b[i].base);
    }
    int64_t off;
    assert_rc(rn_plog_offset_for_time(fx->plog, fx->b[fx->n - 1].ts + 1, &off), RN_EOFFSETRANGE);
}

/* Appends continue right after the recovered end, and survive another unclean reopen. */
static void verify_appends_continue(fx_t *fx) {
    int64_t end = rn_plog_end_offset(fx->plog);
    int64_t ts = fx->b[fx->n - 1].ts + 100;
    assert_int_equal(append(fx, ts), end);
    assert_int_equal(append(fx, ts + 10), end + NREC);
    assert_int_equal(rn_plog_end_offset(fx->plog), end + 2 * NREC);
    verify_reads(fx);
    verify_times(fx);
    lt_fx_reopen(fx, 0, false);
    assert_int_equal(rn_plog_end_offset(fx->plog), end + 2 * NREC);
    verify_reads(fx);
}

static int count_warns(void) {
    int n = 0;
    const char *s = rn_test_captured();
    while (*s) {
        if (s[0] == '0' + RN_LOG_WARN && s[1] == ' ')
            n++;
        const char *nl = strchr(s, '\n');
        if (nl == NULL)
            break;
        s = nl + 1;
    }
    return n;
}

/* True when `line` holds v as a whole decimal number. */
static bool has_number(const char *line, long long v) {
    char num[32];
    snprintf(num, sizeof num, "%lld", v);
    size_t nl = strlen(num);
    for (const char *p = strstr(line, num); p != NULL; p = strstr(p + 1, num)) {
        bool left = p == line || p[-1] < '0' || p[-1] > '9';
        bool right = p[nl] < '0' || p[nl] > '9';
        if (left && right)
            return true;
    }
    return false;
}

/*
 * Exactly one WARN line, naming the segment file (its 20-digit name) and the offset where
 * the log was cut: the log offset or the byte position in the file (either is a fair
 * reading of "names the file and offset"). The directory path is removed first so its
 * digits cannot match.
 */
static void assert_one_warn(fx_t *fx, int64_t seg_base, int64_t log_off, long long pos) {
    if (count_warns() != 1)
        fail_msg("want exactly one WARN line, got %d:\n%s", count_warns(), rn_test_captured());
    const char *s = rn_test_captured();
    const char *w = s;
    while (!(w[0] == '0' + RN_LOG_WARN && w[1] == ' '))
        w = strchr(w, '\n') + 1;
    const char *nl = strchr(w, '\n');
    size_t n = nl ? (size_t)(nl - w) : strlen(w);
    char line[2048];
    snprintf(line, sizeof line, "%.*s", (int)n, w);
    /* blank out the directory path */
    char *d;
    while ((d = strstr(line, fx->root)) != NULL)
        memset(d, '/', strlen(fx->root));
    char name[32];
    snprintf(name, sizeof name, "%020" PRId64, seg_base);
    if (strstr(line, name) == NULL)
        fail_msg("WARN line does not name segment %s: %s", name, line);
    /* the 20-digit name itself must not count as the offset */
    while ((d = strstr(line, name)) != NULL)
        memset(d, '_', strlen(name));
    if (!has_number(line, log_off) && !has_number(line, pos))
        fail_msg("WARN line names neither offset %" PRId64 " nor position %lld: %s", log_off, pos,
                 line);
}

/* ---- fixture ------------------------------------------------------------------------- */

static int setup(void **state) {
    fx_t *fx = lt_fx_new("recovery", "payments-3", 16);
    size_t len;
    rn_free(make_batch(NREC, 0, &len));
    fx->bsize = len;
    fx->cfg.segment_bytes = (int64_t)(4 * len);
    fx->cfg.index_interval_bytes = (int32_t)len; /* about one entry every other batch */
    *state = fx;
    return 0;
}

static int teardown(void **state) {
    rn_log_set_sink(NULL, NULL);
    return lt_teardown(state);
}

/* Write the standard log and close without flushing. */
static void write_log(fx_t *fx) {
    lt_fx_open(fx);
    for (int i = 0; i < NBATCH; i++)
        assert_int_equal(append(fx, TS(i)), NREC * i);
    assert_int_equal(rn_plog_segment_count(fx->plog), 3);
    assert_int_equal(lt_seg_size(fx->pdir, LAST, "log"), (long long)(3 * fx->bsize));
    rn_plog_close(fx->plog);
    fx->plog = NULL;
}

/* Write the standard log and flush it; the plog stays open. */
static void write_log_flushed(fx_t *fx) {
    lt_fx_open(fx);
    for (int i = 0; i < NBATCH; i++)
        append(fx, TS(i));
    assert_rc(rn_plog_flush_sync(fx->plog), 0);
}

/* Reopen unclean from recovery point rp, capturing log lines. */
static void reopen_unclean(fx_t *fx, int64_t rp) {
    rn_test_capture_logs();
    assert_rc(rn_plog_open(fx->pdir, &fx->cfg, &fx->env, rp, false, &fx->plog), 0);
    rn_log_set_sink(NULL, NULL);
}

/* The last segment's last batch (offsets 30-32) is damaged: end 30, file cut at 2b. */
static void expect_last_batch_dropped(fx_t *fx) {
    assert_int_equal(rn_plog_end_offset(fx->plog), 30);
    assert_int_equal(lt_seg_size(fx->pdir, LAST, "log"), (long long)(2 * fx->bsize));
    assert_one_warn(fx, LAST, 30, (long long)(2 * fx->bsize));
    lt_model_cut(fx, 30);
    verify_reads(fx);
    verify_times(fx);
    verify_appends_continue(fx);
}

/* Bytes after the last whole batch are cut off and every batch is kept: end END,
 * the last segment back at 3b. */
static void expect_tail_cut_off(fx_t *fx) {
    assert_int_equal(rn_plog_end_offset(fx->plog), END);
    assert_int_equal(lt_seg_size(fx->pdir, LAST, "log"), 3 * (long long)fx->bsize);
    assert_one_warn(fx, LAST, END, 3 * (long long)fx->bsize);
    verify_reads(fx);
    verify_times(fx);
    verify_appends_continue(fx);
}

/* ---- torn and corrupt tails --------------------------------------------------------- */

static void test_recovery_truncated_tail_mid_batch_cut_after_last_whole_batch(void **state) {
    fx_t *fx = *state;
    write_log(fx);
    file_cut(fx->pdir, LAST, "log", (long long)(3 * fx->bsize) - 17);
    reopen_unclean(fx, 0);
    expect_last_batch_dropped(fx);
}

static void test_recovery_truncated_tail_at_every_cut_point(void **state) {
    fx_t *fx = *state;
    write_log(fx);
    char *tmpl = rn_test_tmpdir("recovery-tmpl");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cp -a '%s/.' '%s/'", fx->pdir, tmpl);
    assert_int_equal(system(cmd), 0);
    /* Cuts inside the last batch: in baseOffset, batchLength, the CRC, the header, the records. */
    long long b = (long long)fx->bsize;
    const long long cuts[] = {1, 11, 12, 17, 21, 60, 61, b / 2, b - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        rn_test_rmtree(fx->pdir);
        snprintf(cmd, sizeof cmd, "mkdir '%s' && cp -a '%s/.' '%s/'", fx->pdir, tmpl, fx->pdir);
        assert_int_equal(system(cmd), 0);
        file_cut(fx->pdir, LAST, "log", 2 * b + cuts[i]);
        reopen_unclean(fx, 0);
        if (rn_plog_end_offset(fx->plog) != 30)
            fail_msg("cut %lld bytes into the last batch: end %" PRId64 ", want 30", cuts[i],
                     rn_plog_end_offset(fx->plog));
        assert_int_equal(lt_seg_size(fx->pdir, LAST, "log"), 2 * b);
        assert_one_warn(fx, LAST, 30, 2 * b);
        rn_plog_close(fx->plog);
        fx->plog = NULL;
    }
    rn_test_rmtree(tmpl);
    free(tmpl);
    reopen_unclean(fx, 0);
    lt_model_cut(fx, 30);
    verify_reads(fx);
    verify_appends_continue(fx);
}

static void test_recovery_cut_inside_first_batch_of_last_segment_leaves_it_empty(void **state) {
    fx_t *fx = *state;
    write_log(fx);
    file_cut(fx->pdir, LAST, "log", 40);
    reopen_unclean(fx, 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), LAST);
    assert_one_warn(fx, LAST, LAST, 0);
    long long sz = lt_seg_size(fx->pdir, LAST, "log");
    assert_true(sz == 0 || sz == -1);
    lt_model_cut(fx, LAST);
    verify_reads(fx);
    verify_appends_continue(fx);
}

static void test_recovery_flipped_byte_in_last_batch_drops_it(void **state) {
    fx_t *fx = *state;
    write_log(fx);
    /* a byte inside the records of the last batch: CRC mismatch */
    file_flip(fx->pdir, LAST, "log", (long long)(2 * fx->bsize) + 80);
    reopen_unclean(fx, 0);
    expect_last_batch_dropped(fx);
}

static void test_recovery_flipped_crc_field_drops_batch(void **state) {
    fx_t *fx = *state;
    write_log(fx);
    file_flip(fx->pdir, LAST, "log", (long long)(2 * fx->bsize) + RN_BATCH_CRC_OFFSET + 1);
    reopen_unclean(fx, 0);
    expect_last_batch_dropped(fx);
}

static void test_recovery_bad_base_offset_in_last_batch_drops_it(void **state) {
    fx_t *fx = *state;
    write_log(fx);
    /* baseOffset is outside the CRC: 30 -> 30 ^ (0x5a << 8); offsets must stay dense */
    file_flip(fx->pdir, LAST, "log", (long long)(2 * fx->bsize) + 6);
    reopen_unclean(fx, 0);
    expect_last_batch_dropped(fx);
}

static void test_recovery_corrupt_middle_batch_drops_it_and_everything_after(void **state) {
    fx_t *fx = *state;
    write_log(fx);
    file_flip(fx->pdir, LAST, "log", (long long)fx->bsize + 70); /* batch 27-29 */
    reopen_unclean(fx, 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), 27);
    assert_int_equal(lt_seg_size(fx->pdir, LAST, "log"), (long long)fx->bsize);
    assert_one_warn(fx, LAST, 27, (long long)fx->bsize);
    lt_model_cut(fx, 27);
    verify_reads(fx);
    verify_times(fx);
    verify_appends_continue(fx);
}

static void test_recovery_corrupt_batch_in_earlier_segment_drops_later_segments(void **state) {
    fx_t *fx = *state;
    write_log(fx);
    file_flip(fx->pdir, 12, "log", 2 * (long long)fx->bsize + 70); /* batch 18-20 */
    reopen_unclean(fx, 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), 18);
    assert_int_equal(lt_seg_size(fx->pdir, 12, "log"), 2 * (long long)fx->bsize);
    assert_int_equal(lt_seg_size(fx->pdir, LAST, "log"), -1);
    assert_int_equal(lt_seg_size(fx->pdir, LAST, "index"), -1);
    assert_int_equal(lt_seg_size(fx->pdir, LAST, "timeindex"), -1);
    assert_int_equal(rn_plog_segment_count(fx->plog), 2);
    assert_one_warn(fx, 12, 18, 2 * (long long)fx->bsize);
    lt_model_cut(fx, 18);
    verify_reads(fx);
    verify_times(fx);
    verify_appends_continue(fx);
}

static void test_recovery_zero_filled_tail_is_cut_off(void **state) {
    fx_t *fx = *state;
    write_log(fx);
    uint8_t zeros[4096];
    memset(zeros, 0, sizeof zeros);
    file_append(fx->pdir, LAST, "log", zeros, sizeof zeros);
    reopen_unclean(fx, 0);
    expect_tail_cut_off(fx);
}

static void test_recovery_garbage_tail_is_cut_off(void **state) {
    fx_t *fx = *state;
    write_log(fx);
    uint8_t junk[777];
    garbage(junk, sizeof junk, 7);
    file_append(fx->pdir, LAST, "log", junk, sizeof junk);
    reopen_unclean(fx, 0);
    expect_tail_cut_off(fx);
}

static void test_recovery_from_recovery_point_inside_last_segment(void **state) {
    fx_t *fx = *state;
    write_log(fx);
    file_cut(fx->pdir, LAST, "log", (long long)(3 * fx->bsize) - 1);
    reopen_unclean(fx, 27);
    expect_last_batch_dropped(fx);
}

static void test_recovery_intact_log_is_unchanged(void **state) {
    fx_t *fx = *state;
    write_log(fx);
    reopen_unclean(fx, 0);
    assert_int_equal(count_warns(), 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), END);
    assert_int_equal(rn_plog_segment_count(fx->plog), 3);
    verify_reads(fx);
    verify_times(fx);
}

/* ---- indexes ---------------------------------------------------------------------------- */

static void test_recovery_missing_index_is_rebuilt(void **state) {
    fx_t *fx = *state;
    write_log(fx);
    file_remove(fx->pdir, LAST, "index");
    file_remove(fx->pdir, 12, "index");
    reopen_unclean(fx, 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), END);
    verify_reads(fx);
    verify_appends_continue(fx);
    rn_plog_close(fx->plog);
    fx->plog = NULL;
    assert_true(lt_seg_size(fx->pdir, 12, "index") >= 0);
    assert_true(lt_seg_size(fx->pdir, LAST, "index") >= 0);
}

static void test_recovery_corrupt_index_is_rebuilt(void **state) {
    fx_t *fx = *state;
    write_log(fx);
    file_garble(fx->pdir, LAST, "index", 1);
    file_garble(fx->pdir, 12, "index", 2);
    reopen_unclean(fx, 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), END);
    verify_reads(fx);
    verify_times(fx);
    verify_appends_continue(fx);
    rn_plog_close(fx->plog);
    fx->plog = NULL;
    assert_not_garbage(fx->pdir, LAST, "index", 1);
    assert_not_garbage(fx->pdir, 12, "index", 2);
}

static void test_recovery_missing_time_index_is_rebuilt(void **state) {
    fx_t *fx = *state;
    write_log(fx);
    file_remove(fx->pdir, LAST, "timeindex");
    file_remove(fx->pdir, 12, "timeindex");
    reopen_unclean(fx, 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), END);
    verify_times(fx);
    verify_reads(fx);
    verify_appends_continue(fx);
    rn_plog_close(fx->plog);
    fx->plog = NULL;
    assert_true(lt_seg_size(fx->pdir, LAST, "timeindex") >= 0);
}

static void test_recovery_corrupt_time_index_is_rebuilt(void **state) {
    fx_t *fx = *state;
    write_log(fx);
    file_garble(fx->pdir, LAST, "timeindex", 3);
    reopen_unclean(fx, 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), END);
    verify_times(fx);
    verify_reads(fx);
}

static void test_recovery_torn_tail_and_missing_index_together(void **state) {
    fx_t *fx = *state;
    write_log(fx);
    file_remove(fx->pdir, LAST, "index");
    file_remove(fx->pdir, LAST, "timeindex");
    file_cut(fx->pdir, LAST, "log", (long long)(3 * fx->bsize) - 30);
    reopen_unclean(fx, 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), 30);
    assert_int_equal(lt_seg_size(fx->pdir, LAST, "log"), (long long)(2 * fx->bsize));
    lt_model_cut(fx, 30);
    verify_reads(fx);
    verify_times(fx);
    verify_appends_continue(fx);
}

static void test_recovery_corrupt_index_below_recovery_point_is_repaired(void **state) {
    fx_t *fx = *state;
    write_log_flushed(fx);
    assert_int_equal(rn_plog_recovery_point(fx->plog), END);
    rn_plog_close(fx->plog);
    fx->plog = NULL;
    /* Segment 0 is closed and entirely below the recovery point. */
    file_garble(fx->pdir, 0, "index", 11);
    file_garble(fx->pdir, 0, "timeindex", 12);
    file_remove(fx->pdir, 12, "index");
    reopen_unclean(fx, END);
    assert_int_equal(rn_plog_start_offset(fx->plog), 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), END);
    verify_reads(fx);
    verify_times(fx);
    verify_appends_continue(fx);
    rn_plog_close(fx->plog);
    fx->plog = NULL;
    assert_not_garbage(fx->pdir, 0, "index", 11);
    assert_not_garbage(fx->pdir, 0, "timeindex", 12);
    assert_true(lt_seg_size(fx->pdir, 12, "index") >= 0);
}

/* An index that is well formed but belongs to another log (batches of another size):
 * its entries point into the middle of our batches. Lookups must not trust it. */
static void
test_recovery_plausible_but_wrong_index_below_recovery_point_is_not_trusted(void **state) {
    fx_t *fx = *state;
    char other[600];
    snprintf(other, sizeof other, "%s/other-0", fx->root);
    rn_plog_t *op = NULL;
    assert_rc(rn_plog_open(other, &fx->cfg, &fx->env, 0, false, &op), 0);
    for (int i = 0; i < 30; i++) {
        size_t len;
        uint8_t *p = make_batch(1, TS(i), &len);
        int64_t base;
        assert_rc(rn_plog_append(op, p, len, 2, &base), 0);
        rn_free(p);
    }
    assert_true(rn_plog_segment_count(op) >= 2);
    assert_rc(rn_plog_flush_sync(op), 0);
    rn_plog_close(op);

    write_log_flushed(fx);
    rn_plog_close(fx->plog);
    fx->plog = NULL;
    char from[700], to[700];
    lt_seg_path(from, sizeof from, other, 0, "index");
    lt_seg_path(to, sizeof to, fx->pdir, 0, "index");
    size_t len;
    uint8_t *idx = rn_test_read_file(from, &len);
    assert_true(len > 0);
    rn_test_write_file(to, idx, len);
    free(idx);
    reopen_unclean(fx, END);
    assert_int_equal(rn_plog_end_offset(fx->plog), END);
    verify_reads(fx);
    verify_times(fx);
}

static void test_recovery_missing_index_after_clean_shutdown_is_rebuilt(void **state) {
    fx_t *fx = *state;
    write_log_flushed(fx);
    rn_plog_close(fx->plog);
    fx->plog = NULL;
    file_remove(fx->pdir, LAST, "index");
    file_remove(fx->pdir, 0, "index");
    assert_rc(rn_plog_open(fx->pdir, &fx->cfg, &fx->env, END, true, &fx->plog), 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), END);
    verify_reads(fx);
}

/* ---- clean reopen -------------------------------------------------------------------- */

typedef struct snap_s {
    int n;
    char name[64][NAME_MAX + 1]; /* any directory entry's name fits */
    uint8_t *data[64];
    size_t len[64];
    struct timespec mtime[64];
} snap_t;

static int cmp_name(const void *a, const void *b) {
    return strcmp((const char *)a, (const char *)b);
}

static void snap_take(const char *dir, snap_t *s) {
    memset(s, 0, sizeof *s);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        assert_true(s->n < 64);
        snprintf(s->name[s->n++], sizeof s->name[0], "%s", de->d_name);
    }
    closedir(d);
    qsort(s->name, (size_t)s->n, sizeof s->name[0], cmp_name);
    for (int i = 0; i < s->n; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, s->name[i]);
        s->data[i] = rn_test_read_file(path, &s->len[i]);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        s->mtime[i] = st.st_mtim;
    }
}

static void snap_free(snap_t *s) {
    for (int i = 0; i < s->n; i++)
        free(s->data[i]);
}

static void set_old_mtimes(const char *dir) {
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    struct timespec ts[2] = {{1000000000, 0}, {1000000000, 0}};
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        assert_int_equal(utimensat(dirfd(d), de->d_name, ts, 0), 0);
    }
    closedir(d);
}

/* A clean open and close leave every file as it was: same names, bytes and mtimes. */
static void clean_reopen_rewrites_nothing(fx_t *fx, int64_t rp) {
    set_old_mtimes(fx->pdir);
    snap_t *before = malloc(sizeof *before), *after = malloc(sizeof *after);
    snap_take(fx->pdir, before);
    rn_test_capture_logs();
    assert_rc(rn_plog_open(fx->pdir, &fx->cfg, &fx->env, rp, true, &fx->plog), 0);
    rn_log_set_sink(NULL, NULL);
    assert_int_equal(count_warns(), 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), END);
    assert_int_equal(rn_plog_segment_count(fx->plog), 3);
    verify_reads(fx);
    verify_times(fx);
    rn_plog_close(fx->plog);
    fx->plog = NULL;
    snap_take(fx->pdir, after);
    assert_int_equal(after->n, before->n);
    for (int i = 0; i < before->n; i++) {
        assert_string_equal(after->name[i], before->name[i]);
        if (after->len[i] != before->len[i] ||
            memcmp(after->data[i], before->data[i], before->len[i]) != 0)
            fail_msg("%s was rewritten by a clean open/close (recovery point %" PRId64 ")",
                     before->name[i], rp);
        if (after->mtime[i].tv_sec != before->mtime[i].tv_sec)
            fail_msg("%s was modified (mtime) by a clean open/close (recovery point %" PRId64 ")",
                     before->name[i], rp);
    }
    snap_free(before);
    snap_free(after);
    free(before);
    free(after);
}

static void test_recovery_clean_reopen_rewrites_nothing(void **state) {
    fx_t *fx = *state;
    write_log_flushed(fx);
    rn_plog_close(fx->plog);
    fx->plog = NULL;
    clean_reopen_rewrites_nothing(fx, END);
    /* clean means clean, whatever the checkpoint said (e.g. it was lost): no scan */
    clean_reopen_rewrites_nothing(fx, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_recovery_truncated_tail_mid_batch_cut_after_last_whole_batch),
        T(test_recovery_truncated_tail_at_every_cut_point),
        T(test_recovery_cut_inside_first_batch_of_last_segment_leaves_it_empty),
        T(test_recovery_flipped_byte_in_last_batch_drops_it),
        T(test_recovery_flipped_crc_field_drops_batch),
        T(test_recovery_bad_base_offset_in_last_batch_drops_it),
        T(test_recovery_corrupt_middle_batch_drops_it_and_everything_after),
        T(test_recovery_corrupt_batch_in_earlier_segment_drops_later_segments),
        T(test_recovery_zero_filled_tail_is_cut_off),
        T(test_recovery_garbage_tail_is_cut_off),
        T(test_recovery_from_recovery_point_inside_last_segment),
        T(test_recovery_intact_log_is_unchanged),
        T(test_recovery_missing_index_is_rebuilt),
        T(test_recovery_corrupt_index_is_rebuilt),
        T(test_recovery_missing_time_index_is_rebuilt),
        T(test_recovery_corrupt_time_index_is_rebuilt),
        T(test_recovery_torn_tail_and_missing_index_together),
        T(test_recovery_corrupt_index_below_recovery_point_is_repaired),
        T(test_recovery_plausible_but_wrong_index_below_recovery_point_is_not_trusted),
        T(test_recovery_missing_index_after_clean_shutdown_is_rebuilt),
        T(test_recovery_clean_reopen_rewrites_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
