/*
 * test_plog.c — the partition log's contract (src/log/plog.h): offsets, segment rolls,
 * reads, offset-for-time, truncation, delete_below, follower appends, reopen.
 *
 * Every test keeps a model of what it appended (the stamped bytes of each batch) and
 * checks the log against it byte for byte. Time is injected through a manual clock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/errors.h"
#include "log/config.h"
#include "log/fdcache.h"
#include "log/plog.h"
#include "proto/batch.h"
#include "testutil.h"

#define assert_rc(expr, want)                                                                      \
    do {                                                                                           \
        int rc_ = (expr);                                                                          \
        int want_ = (want);                                                                        \
        if (rc_ != want_)                                                                          \
            fail_msg("%s: got %s (%d), want %s (%d)", #expr, rn_errname(rc_), rc_,                 \
                     rn_errname(want_), want_);                                                    \
    } while (0)

#define VLEN 100 /* value bytes per record in the standard test batch */

/* ---- the model: every batch appended, as stamped ---------------------------------- */

typedef struct tbatch_s {
    uint8_t *bytes;
    size_t len;
    int64_t base;
    int32_t count;
    int64_t ts;
} tbatch_t;

typedef struct fx_s {
    char *root;
    char pdir[512];
    int64_t now;
    rn_clock_t clk;
    rn_fdcache_t *fds;
    rn_plog_env_t env;
    rn_log_config_t cfg;
    rn_plog_t *plog;
    tbatch_t *b;
    int n, cap;
} fx_t;

/* One batch of `nrec` records, all with timestamp ts and VLEN-byte values, null keys. */
static uint8_t *make_batch(int nrec, int64_t ts, size_t vlen, size_t *len) {
    rn_batch_opts_t opts;
    rn_batch_opts_default(&opts);
    rn_batch_builder_t bld;
    rn_batch_builder_init(&bld, &opts);
    uint8_t *val = malloc(vlen + 1);
    for (size_t i = 0; i < vlen; i++)
        val[i] = (uint8_t)('a' + i % 26);
    for (int i = 0; i < nrec; i++) {
        val[0] = (uint8_t)i;
        assert_rc(rn_batch_builder_add(&bld, ts, NULL, -1, val, (int32_t)vlen, NULL, 0), 0);
    }
    free(val);
    uint8_t *out = NULL;
    assert_rc(rn_batch_builder_finish(&bld, &out, len), 0);
    rn_batch_builder_deinit(&bld);
    return out;
}

/* Size of the standard batch of nrec records. */
static size_t batch_size(int nrec) {
    size_t len;
    uint8_t *p = make_batch(nrec, 0, VLEN, &len);
    rn_free(p);
    return len;
}

static void model_add(fx_t *fx, const uint8_t *p, size_t len, int64_t base, int32_t count,
                      int64_t ts) {
    if (fx->n == fx->cap) {
        fx->cap = fx->cap ? fx->cap * 2 : 64;
        fx->b = realloc(fx->b, (size_t)fx->cap * sizeof *fx->b);
    }
    tbatch_t *t = &fx->b[fx->n++];
    t->bytes = malloc(len);
    memcpy(t->bytes, p, len);
    t->len = len;
    t->base = base;
    t->count = count;
    t->ts = ts;
}

/* Drop model batches at or past `end` (after a truncation). */
static void model_cut(fx_t *fx, int64_t end) {
    while (fx->n > 0 && fx->b[fx->n - 1].base >= end) {
        free(fx->b[fx->n - 1].bytes);
        fx->n--;
    }
}

static const tbatch_t *model_find(const fx_t *fx, int64_t off) {
    for (int i = 0; i < fx->n; i++)
        if (off >= fx->b[i].base && off < fx->b[i].base + fx->b[i].count)
            return &fx->b[i];
    return NULL;
}

/* Append a standard batch at the current clock; returns its base offset. */
static int64_t append_n(fx_t *fx, int nrec, int64_t ts, int32_t epoch) {
    size_t len;
    uint8_t *p = make_batch(nrec, ts, VLEN, &len);
    int64_t end = rn_plog_end_offset(fx->plog);
    int64_t base = -1;
    assert_rc(rn_plog_append(fx->plog, p, len, epoch, &base), 0);
    assert_int_equal(base, end);
    assert_int_equal(rn_plog_end_offset(fx->plog), end + nrec);
    /* The caller's buffer carries the stamped offset and epoch. */
    rn_batch_header_t h;
    assert_rc(rn_batch_check(p, len, &h), 0);
    assert_int_equal(h.base_offset, base);
    assert_int_equal(h.partition_leader_epoch, epoch);
    model_add(fx, p, len, base, nrec, ts);
    rn_free(p);
    return base;
}

static int64_t append_std(fx_t *fx, int nrec) {
    return append_n(fx, nrec, fx->now, 1);
}

static void seg_path(char *out, size_t n, const char *dir, int64_t base, const char *ext) {
    snprintf(out, n, "%s/%020" PRId64 ".%s", dir, base, ext);
}

static bool seg_exists(const char *dir, int64_t base, const char *ext) {
    char path[600];
    seg_path(path, sizeof path, dir, base, ext);
    return rn_test_file_size(path) >= 0;
}

static long long seg_size(const char *dir, int64_t base) {
    char path[600];
    seg_path(path, sizeof path, dir, base, "log");
    return rn_test_file_size(path);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Base offsets of the NNNNNNNNNNNNNNNNNNNN.log files in dir, sorted. */
static int list_segments(const char *dir, int64_t *bases, int max) {
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *s = de->d_name;
        if (strlen(s) != 24 || strcmp(s + 20, ".log") != 0)
            continue;
        bool digits = true;
        for (int i = 0; i < 20; i++)
            digits = digits && s[i] >= '0' && s[i] <= '9';
        if (!digits)
            continue;
        assert_true(n < max);
        bases[n++] = strtoll(s, NULL, 10);
    }
    closedir(d);
    qsort(bases, (size_t)n, sizeof *bases, cmp_i64);
    return n;
}

static void assert_segments(const char *dir, const int64_t *want, int nwant) {
    int64_t got[256];
    int n = list_segments(dir, got, 256);
    if (n != nwant)
        fail_msg("%d segment files in %s, want %d", n, dir, nwant);
    for (int i = 0; i < n; i++)
        if (got[i] != want[i])
            fail_msg("segment %d has base %" PRId64 ", want %" PRId64, i, got[i], want[i]);
}

static void read_ok(rn_plog_t *plog, int64_t off, size_t max, int64_t upto, rn_plog_read_t *res) {
    memset(res, 0, sizeof *res);
    assert_rc(rn_plog_read(plog, off, max, upto, res), 0);
}

/* Walk the batches of a read result: each passes rn_batch_check, offsets are dense.
 * Returns the number of batches; *first and *next are the first base and the end. */
static int walk(const uint8_t *p, size_t len, int64_t *first, int64_t *next) {
    int n = 0;
    size_t pos = 0;
    while (pos < len) {
        rn_batch_header_t h;
        assert_rc(rn_batch_check(p + pos, len - pos, &h), 0);
        if (n == 0)
            *first = h.base_offset;
        else
            assert_int_equal(h.base_offset, *next);
        *next = rn_batch_last_offset(&h) + 1;
        pos += rn_batch_size(&h);
        n++;
    }
    assert_int_equal(pos, len);
    return n;
}

/* Every offset in [start, end) reads back (max_bytes 1: exactly one batch) as the model's
 * batch holding it, and walking by next_offset yields every batch exactly once. */
static void verify_reads(fx_t *fx) {
    int64_t start = rn_plog_start_offset(fx->plog);
    int64_t end = rn_plog_end_offset(fx->plog);
    for (int64_t o = start; o < end; o++) {
        const tbatch_t *t = model_find(fx, o);
        assert_non_null(t);
        rn_plog_read_t res;
        read_ok(fx->plog, o, 1, -1, &res);
        if (res.len != t->len)
            fail_msg("read at %" PRId64 ": %zu bytes, want %zu (batch %" PRId64 ")", o, res.len,
                     t->len, t->base);
        assert_memory_equal(res.data, t->bytes, t->len);
        assert_int_equal(res.next_offset, t->base + t->count);
        rn_plog_read_free(&res);
    }
    int64_t off = start;
    int i = 0;
    while (i < fx->n && fx->b[i].base + fx->b[i].count <= start)
        i++;
    while (off < end) {
        rn_plog_read_t res;
        read_ok(fx->plog, off, 1 << 20, -1, &res);
        assert_true(res.len > 0);
        int64_t first = -1, next = -1;
        walk(res.data, res.len, &first, &next);
        assert_int_equal(res.next_offset, next);
        size_t pos = 0;
        while (pos < res.len) {
            assert_true(i < fx->n);
            assert_memory_equal(res.data + pos, fx->b[i].bytes, fx->b[i].len);
            pos += fx->b[i].len;
            i++;
        }
        off = res.next_offset;
        rn_plog_read_free(&res);
    }
    assert_int_equal(off, end);
    assert_int_equal(i, fx->n);
}

static int64_t model_bytes(const fx_t *fx) {
    int64_t s = 0;
    for (int i = 0; i < fx->n; i++)
        s += (int64_t)fx->b[i].len;
    return s;
}

/* ---- fixture ------------------------------------------------------------------------ */

static int setup(void **state) {
    fx_t *fx = calloc(1, sizeof *fx);
    fx->root = rn_test_tmpdir("plog");
    snprintf(fx->pdir, sizeof fx->pdir, "%s/orders-0", fx->root);
    fx->now = 1700000000000;
    fx->clk.now_ms = rn_clock_manual_now;
    fx->clk.arg = &fx->now;
    assert_rc(rn_fdcache_new(64, &fx->fds), 0);
    fx->env.fds = fx->fds;
    fx->env.clock = &fx->clk;
    fx->env.loop = NULL;
    rn_log_config_default(&fx->cfg);
    *state = fx;
    return 0;
}

static int teardown(void **state) {
    fx_t *fx = *state;
    rn_plog_close(fx->plog);
    rn_fdcache_free(fx->fds);
    for (int i = 0; i < fx->n; i++)
        free(fx->b[i].bytes);
    free(fx->b);
    rn_test_rmtree(fx->root);
    free(fx->root);
    free(fx);
    return 0;
}

static void fx_open(fx_t *fx) {
    assert_rc(rn_plog_open(fx->pdir, &fx->cfg, &fx->env, 0, false, &fx->plog), 0);
}

static void fx_reopen(fx_t *fx, int64_t rp, bool clean) {
    rn_plog_close(fx->plog);
    fx->plog = NULL;
    assert_rc(rn_plog_open(fx->pdir, &fx->cfg, &fx->env, rp, clean, &fx->plog), 0);
}

/* ---- open, append, offsets ------------------------------------------------------------ */

static void test_plog_open_missing_dir_creates_it_with_empty_first_segment(void **state) {
    fx_t *fx = *state;
    fx_open(fx);
    assert_string_equal(rn_plog_dir(fx->plog), fx->pdir);
    assert_int_equal(rn_plog_start_offset(fx->plog), 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), 0);
    assert_int_equal(rn_plog_size_bytes(fx->plog), 0);
    assert_int_equal(rn_plog_segment_count(fx->plog), 1);
    assert_true(seg_exists(fx->pdir, 0, "log"));
    assert_int_equal(seg_size(fx->pdir, 0), 0);
}

static void test_plog_append_assigns_consecutive_offsets(void **state) {
    fx_t *fx = *state;
    fx_open(fx);
    assert_int_equal(append_n(fx, 1, fx->now, 0), 0);
    assert_int_equal(append_n(fx, 3, fx->now, 0), 1);
    assert_int_equal(append_n(fx, 5, fx->now, 0), 4);
    assert_int_equal(append_n(fx, 1, fx->now, 0), 9);
    assert_int_equal(rn_plog_start_offset(fx->plog), 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), 10);
    assert_int_equal(rn_plog_size_bytes(fx->plog), model_bytes(fx));
    assert_int_equal(seg_size(fx->pdir, 0), model_bytes(fx));
    verify_reads(fx);
}

static void test_plog_append_stamps_base_offset_and_leader_epoch_in_stored_bytes(void **state) {
    fx_t *fx = *state;
    fx_open(fx);
    append_n(fx, 2, fx->now, 3);
    append_n(fx, 4, fx->now, 3);
    append_n(fx, 1, fx->now, 9);
    const int64_t bases[] = {0, 2, 6};
    const int32_t epochs[] = {3, 3, 9};
    const int32_t counts[] = {2, 4, 1};
    for (int i = 0; i < 3; i++) {
        rn_plog_read_t res;
        read_ok(fx->plog, bases[i], 1, -1, &res);
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
    size_t b5 = batch_size(5);
    fx->cfg.max_message_bytes = (int32_t)b5;
    fx_open(fx);
    append_std(fx, 5); /* exactly max_message_bytes: accepted */
    size_t len;
    uint8_t *p = make_batch(6, fx->now, VLEN, &len);
    assert_true(len > b5);
    int64_t base = -7;
    assert_rc(rn_plog_append(fx->plog, p, len, 1, &base), RN_ETOOLARGE);
    rn_free(p);
    assert_int_equal(rn_plog_end_offset(fx->plog), 5);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)b5);
    assert_int_equal(seg_size(fx->pdir, 0), (long long)b5);
    assert_int_equal(append_std(fx, 2), 5);
    verify_reads(fx);
}

/* ---- segment rolls --------------------------------------------------------------------- */

static void test_plog_append_when_segment_full_rolls(void **state) {
    fx_t *fx = *state;
    size_t b = batch_size(5);
    fx->cfg.segment_bytes = (int64_t)(3 * b + b / 2); /* three batches fit, not four */
    fx->cfg.index_interval_bytes = 1;
    fx_open(fx);
    for (int i = 0; i < 10; i++)
        assert_int_equal(append_std(fx, 5), 5 * i);
    assert_int_equal(rn_plog_end_offset(fx->plog), 50);
    assert_int_equal(rn_plog_segment_count(fx->plog), 4);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)(10 * b));
    const int64_t want[] = {0, 15, 30, 45};
    assert_segments(fx->pdir, want, 4);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(seg_size(fx->pdir, want[i]), (long long)(3 * b));
        assert_true(seg_exists(fx->pdir, want[i], "index"));
        assert_true(seg_exists(fx->pdir, want[i], "timeindex"));
    }
    assert_int_equal(seg_size(fx->pdir, 45), (long long)b);
    verify_reads(fx);
    /* After close every segment, the active one too, has its three files. */
    rn_plog_close(fx->plog);
    fx->plog = NULL;
    for (int i = 0; i < 4; i++) {
        assert_true(seg_exists(fx->pdir, want[i], "log"));
        assert_true(seg_exists(fx->pdir, want[i], "index"));
        assert_true(seg_exists(fx->pdir, want[i], "timeindex"));
    }
}

static void test_plog_append_filling_segment_exactly_rolls_only_at_next_append(void **state) {
    fx_t *fx = *state;
    size_t b = batch_size(2);
    fx->cfg.segment_bytes = (int64_t)(2 * b);
    fx_open(fx);
    append_std(fx, 2);
    append_std(fx, 2);
    assert_int_equal(rn_plog_segment_count(fx->plog), 1);
    assert_int_equal(seg_size(fx->pdir, 0), (long long)(2 * b));
    append_std(fx, 2);
    assert_int_equal(rn_plog_segment_count(fx->plog), 2);
    const int64_t want[] = {0, 4};
    assert_segments(fx->pdir, want, 2);
    verify_reads(fx);
}

static void test_plog_append_when_segment_older_than_segment_ms_rolls(void **state) {
    fx_t *fx = *state;
    fx->cfg.segment_ms = 1000;
    fx_open(fx);
    int64_t t0 = fx->now;
    append_std(fx, 1); /* offset 0: the segment's first append, at t0 */
    fx->now = t0 + 600;
    append_std(fx, 1); /* age 600: no roll */
    assert_int_equal(rn_plog_segment_count(fx->plog), 1);
    fx->now = t0 + 1200;
    append_std(fx, 1); /* first append is 1200 ms old: rolls, though the last is 600 */
    assert_int_equal(rn_plog_segment_count(fx->plog), 2);
    fx->now = t0 + 2100;
    append_std(fx, 1); /* new segment started at t0+1200: 900 ms, no roll */
    assert_int_equal(rn_plog_segment_count(fx->plog), 2);
    fx->now = t0 + 2300;
    append_std(fx, 1); /* 1100 ms: rolls */
    assert_int_equal(rn_plog_segment_count(fx->plog), 3);
    const int64_t want[] = {0, 2, 4};
    assert_segments(fx->pdir, want, 3);
    verify_reads(fx);
}

static void test_plog_empty_segment_never_rolls_by_time(void **state) {
    fx_t *fx = *state;
    fx->cfg.segment_ms = 1000;
    fx_open(fx);
    fx->now += 10 * 1000;
    append_std(fx, 3);
    assert_int_equal(rn_plog_segment_count(fx->plog), 1);
    const int64_t want[] = {0};
    assert_segments(fx->pdir, want, 1);
}

static void test_plog_append_batch_larger_than_segment_bytes_gets_own_segment(void **state) {
    fx_t *fx = *state;
    size_t small = batch_size(1);
    size_t big = batch_size(20);
    fx->cfg.segment_bytes = (int64_t)(2 * small);
    assert_true(big > 2 * small);
    fx_open(fx);
    /* Into an empty log: it goes into the first segment, no empty segment before it. */
    append_std(fx, 20);
    assert_int_equal(rn_plog_segment_count(fx->plog), 1);
    assert_int_equal(seg_size(fx->pdir, 0), (long long)big);
    append_std(fx, 1); /* rolls: the segment is already past segment_bytes */
    append_std(fx, 20);
    append_std(fx, 1);
    const int64_t want[] = {0, 20, 21, 41};
    assert_segments(fx->pdir, want, 4);
    assert_int_equal(rn_plog_segment_count(fx->plog), 4);
    assert_int_equal(seg_size(fx->pdir, 20), (long long)small);
    assert_int_equal(seg_size(fx->pdir, 21), (long long)big);
    assert_int_equal(seg_size(fx->pdir, 41), (long long)small);
    verify_reads(fx);
}

static void test_plog_set_config_takes_effect_at_next_append(void **state) {
    fx_t *fx = *state;
    size_t b = batch_size(1);
    fx_open(fx);
    append_std(fx, 1);
    append_std(fx, 1);
    rn_log_config_t bad = fx->cfg;
    bad.segment_bytes = 10;
    assert_rc(rn_plog_set_config(fx->plog, &bad), RN_ECONFIG);
    assert_int_equal(rn_plog_config(fx->plog)->segment_bytes, fx->cfg.segment_bytes);
    rn_log_config_t small = fx->cfg;
    small.segment_bytes = (int64_t)(2 * b);
    assert_rc(rn_plog_set_config(fx->plog, &small), 0);
    assert_int_equal(rn_plog_config(fx->plog)->segment_bytes, (int64_t)(2 * b));
    append_std(fx, 1); /* the active segment holds 2b: this one rolls */
    assert_int_equal(rn_plog_segment_count(fx->plog), 2);
    const int64_t want[] = {0, 2};
    assert_segments(fx->pdir, want, 2);
}

/* ---- reads ------------------------------------------------------------------------------- */

static void test_plog_read_at_every_offset_returns_batch_holding_it(void **state) {
    fx_t *fx = *state;
    size_t b = batch_size(4);
    fx->cfg.segment_bytes = (int64_t)(5 * b);
    /* sparse index: lookups must scan forward from an entry */
    fx->cfg.index_interval_bytes = (int32_t)(2 * b + 1);
    fx_open(fx);
    for (int i = 0; i < 23; i++)
        append_std(fx, 1 + i % 4);
    assert_true(rn_plog_segment_count(fx->plog) >= 4);
    verify_reads(fx);
}

static void test_plog_read_across_segment_boundaries_walks_every_batch(void **state) {
    fx_t *fx = *state;
    size_t b = batch_size(3);
    fx->cfg.segment_bytes = (int64_t)(2 * b);
    fx_open(fx);
    for (int i = 0; i < 9; i++)
        append_std(fx, 3);
    assert_int_equal(rn_plog_segment_count(fx->plog), 5);
    /* The last batch of a segment, then the first of the next, from each side. */
    for (int64_t seg_base = 6; seg_base < 27; seg_base += 6) {
        rn_plog_read_t res;
        read_ok(fx->plog, seg_base - 1, 1 << 20, -1, &res);
        int64_t first = -1, next = -1;
        assert_true(walk(res.data, res.len, &first, &next) >= 1);
        assert_int_equal(first, seg_base - 3);
        assert_int_equal(res.next_offset, next);
        rn_plog_read_free(&res);
        read_ok(fx->plog, seg_base, 1 << 20, -1, &res);
        assert_true(walk(res.data, res.len, &first, &next) >= 1);
        assert_int_equal(first, seg_base);
        rn_plog_read_free(&res);
    }
    verify_reads(fx);
}

static void test_plog_read_respects_max_bytes_but_returns_at_least_one_batch(void **state) {
    fx_t *fx = *state;
    size_t b = batch_size(5);
    fx_open(fx);
    for (int i = 0; i < 4; i++)
        append_std(fx, 5);
    rn_plog_read_t res;
    int64_t first, next;
    read_ok(fx->plog, 0, 2 * b + b / 2, -1, &res);
    assert_int_equal(res.len, 2 * b);
    assert_int_equal(walk(res.data, res.len, &first, &next), 2);
    assert_int_equal(res.next_offset, 10);
    rn_plog_read_free(&res);

    read_ok(fx->plog, 0, 2 * b, -1, &res); /* exactly two */
    assert_int_equal(res.len, 2 * b);
    rn_plog_read_free(&res);

    read_ok(fx->plog, 7, 1, -1, &res); /* smaller than one batch: still one */
    assert_int_equal(res.len, b);
    assert_int_equal(walk(res.data, res.len, &first, &next), 1);
    assert_int_equal(first, 5);
    assert_int_equal(res.next_offset, 10);
    rn_plog_read_free(&res);

    read_ok(fx->plog, 0, 0, -1, &res);
    assert_int_equal(res.len, b);
    rn_plog_read_free(&res);

    read_ok(fx->plog, 3, 100 * b, -1, &res);
    assert_int_equal(res.len, 4 * b);
    assert_int_equal(res.next_offset, 20);
    rn_plog_read_free(&res);
}

static void test_plog_read_returns_only_batches_ending_below_upto(void **state) {
    fx_t *fx = *state;
    size_t b = batch_size(5);
    fx_open(fx);
    for (int i = 0; i < 4; i++)
        append_std(fx, 5); /* 0-4, 5-9, 10-14, 15-19 */
    rn_plog_read_t res;
    int64_t first, next;
    read_ok(fx->plog, 0, 1 << 20, 10, &res);
    assert_int_equal(res.len, 2 * b);
    assert_int_equal(res.next_offset, 10);
    rn_plog_read_free(&res);

    read_ok(fx->plog, 0, 1 << 20, 9, &res); /* 5-9 does not end below 9 */
    assert_int_equal(res.len, b);
    assert_int_equal(walk(res.data, res.len, &first, &next), 1);
    assert_int_equal(res.next_offset, 5);
    rn_plog_read_free(&res);

    read_ok(fx->plog, 0, 1, 4, &res); /* nothing ends below 4, not even one batch */
    assert_int_equal(res.len, 0);
    rn_plog_read_free(&res);

    read_ok(fx->plog, 5, 1 << 20, 5, &res);
    assert_int_equal(res.len, 0);
    assert_int_equal(res.next_offset, 5);
    rn_plog_read_free(&res);

    read_ok(fx->plog, 12, 1 << 20, 20, &res);
    assert_int_equal(res.len, 2 * b);
    assert_int_equal(walk(res.data, res.len, &first, &next), 2);
    assert_int_equal(first, 10);
    assert_int_equal(res.next_offset, 20);
    rn_plog_read_free(&res);
}

static void test_plog_read_at_log_end_returns_empty(void **state) {
    fx_t *fx = *state;
    fx_open(fx);
    rn_plog_read_t res;
    read_ok(fx->plog, 0, 1 << 20, -1, &res); /* empty log */
    assert_int_equal(res.len, 0);
    assert_int_equal(res.next_offset, 0);
    rn_plog_read_free(&res);
    append_std(fx, 3);
    read_ok(fx->plog, 3, 1 << 20, -1, &res);
    assert_int_equal(res.len, 0);
    assert_int_equal(res.next_offset, 3);
    rn_plog_read_free(&res);
}

static void test_plog_read_below_start_or_past_end_is_out_of_range(void **state) {
    fx_t *fx = *state;
    fx_open(fx);
    append_std(fx, 3);
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
    fx_open(fx);
    /* batch i: 3 records at 1000 + 100 i, offsets 3i..3i+2 */
    for (int i = 0; i < 10; i++)
        append_n(fx, 3, 1000 + 100 * i, 1);
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
    fx_open(fx);
    int64_t off = -1;
    assert_rc(rn_plog_offset_for_time(fx->plog, 0, &off), RN_EOFFSETRANGE);
}

static void test_plog_offset_for_time_across_segments(void **state) {
    fx_t *fx = *state;
    size_t b = batch_size(2);
    fx->cfg.segment_bytes = (int64_t)(7 * b);
    fx->cfg.index_interval_bytes = 4096; /* sparse: several batches per entry */
    fx_open(fx);
    for (int i = 0; i < 60; i++)
        append_n(fx, 2, 5000 + 10 * i, 1);
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

/* ---- truncation -------------------------------------------------------------------------- */

static void test_plog_truncate_mid_segment_then_append_continues(void **state) {
    fx_t *fx = *state;
    size_t b = batch_size(2);
    fx->cfg.index_interval_bytes = 1;
    fx_open(fx);
    for (int i = 0; i < 6; i++)
        append_n(fx, 2, 1000 + 10 * i, 1); /* 0-1 2-3 4-5 6-7 8-9 10-11 */
    assert_rc(rn_plog_truncate(fx->plog, 6), 0);
    model_cut(fx, 6);
    assert_int_equal(rn_plog_end_offset(fx->plog), 6);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)(3 * b));
    assert_int_equal(seg_size(fx->pdir, 0), (long long)(3 * b));
    int64_t off;
    assert_rc(rn_plog_offset_for_time(fx->plog, 1030, &off), RN_EOFFSETRANGE);
    assert_rc(rn_plog_offset_for_time(fx->plog, 1020, &off), 0);
    assert_int_equal(off, 4);
    rn_plog_read_t res;
    memset(&res, 0, sizeof res);
    assert_rc(rn_plog_read(fx->plog, 7, 1 << 20, -1, &res), RN_EOFFSETRANGE);
    /* Appends continue at the new end, with new timestamps found through the index. */
    assert_int_equal(append_n(fx, 2, 2000, 2), 6);
    assert_int_equal(append_n(fx, 2, 2010, 2), 8);
    assert_rc(rn_plog_offset_for_time(fx->plog, 1500, &off), 0);
    assert_int_equal(off, 6);
    verify_reads(fx);
}

static void test_plog_truncate_at_segment_boundary_removes_later_segments(void **state) {
    fx_t *fx = *state;
    size_t b = batch_size(2);
    fx->cfg.segment_bytes = (int64_t)(2 * b);
    fx_open(fx);
    for (int i = 0; i < 6; i++)
        append_std(fx, 2); /* segments 0, 4, 8 */
    const int64_t before[] = {0, 4, 8};
    assert_segments(fx->pdir, before, 3);
    assert_rc(rn_plog_truncate(fx->plog, 4), 0);
    model_cut(fx, 4);
    assert_int_equal(rn_plog_end_offset(fx->plog), 4);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)(2 * b));
    assert_false(seg_exists(fx->pdir, 8, "log"));
    assert_false(seg_exists(fx->pdir, 8, "index"));
    assert_false(seg_exists(fx->pdir, 8, "timeindex"));
    assert_int_equal(seg_size(fx->pdir, 0), (long long)(2 * b));
    /* Segment 4 may stay as an empty active segment or go; it holds nothing either way. */
    long long s4 = seg_size(fx->pdir, 4);
    assert_true(s4 == -1 || s4 == 0);
    assert_int_equal(append_std(fx, 2), 4);
    assert_int_equal(append_std(fx, 2), 6);
    assert_int_equal(rn_plog_end_offset(fx->plog), 8);
    verify_reads(fx);
}

static void test_plog_truncate_removing_whole_segments(void **state) {
    fx_t *fx = *state;
    size_t b = batch_size(2);
    fx->cfg.segment_bytes = (int64_t)(2 * b);
    fx_open(fx);
    for (int i = 0; i < 8; i++)
        append_std(fx, 2); /* segments 0, 4, 8, 12 */
    assert_rc(rn_plog_truncate(fx->plog, 2), 0);
    model_cut(fx, 2);
    assert_int_equal(rn_plog_end_offset(fx->plog), 2);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)b);
    assert_int_equal(rn_plog_segment_count(fx->plog), 1);
    const int64_t want[] = {0};
    assert_segments(fx->pdir, want, 1);
    for (int64_t base = 4; base <= 12; base += 4) {
        assert_false(seg_exists(fx->pdir, base, "index"));
        assert_false(seg_exists(fx->pdir, base, "timeindex"));
    }
    assert_int_equal(append_std(fx, 2), 2);
    assert_int_equal(append_std(fx, 2), 4); /* segment 0 full again: rolls to 4 */
    const int64_t after[] = {0, 4};
    assert_segments(fx->pdir, after, 2);
    verify_reads(fx);
}

static void test_plog_truncate_to_zero_empties_the_log(void **state) {
    fx_t *fx = *state;
    size_t b = batch_size(2);
    fx->cfg.segment_bytes = (int64_t)(2 * b);
    fx_open(fx);
    for (int i = 0; i < 5; i++)
        append_std(fx, 2);
    assert_rc(rn_plog_truncate(fx->plog, 0), 0);
    model_cut(fx, 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), 0);
    assert_int_equal(rn_plog_size_bytes(fx->plog), 0);
    assert_int_equal(rn_plog_segment_count(fx->plog), 1);
    assert_int_equal(append_std(fx, 2), 0);
    verify_reads(fx);
}

static void test_plog_truncate_inside_batch_truncates_to_its_base(void **state) {
    fx_t *fx = *state;
    size_t b = batch_size(5);
    fx_open(fx);
    for (int i = 0; i < 4; i++)
        append_std(fx, 5); /* 0-4 5-9 10-14 15-19 */
    assert_rc(rn_plog_truncate(fx->plog, 12), 0);
    model_cut(fx, 10);
    assert_int_equal(rn_plog_end_offset(fx->plog), 10);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)(2 * b));
    assert_int_equal(seg_size(fx->pdir, 0), (long long)(2 * b));
    assert_int_equal(append_std(fx, 1), 10);
    verify_reads(fx);
}

static void test_plog_truncate_at_or_past_end_is_a_noop(void **state) {
    fx_t *fx = *state;
    size_t b = batch_size(5);
    fx_open(fx);
    append_std(fx, 5);
    append_std(fx, 5);
    assert_rc(rn_plog_truncate(fx->plog, 10), 0);
    assert_rc(rn_plog_truncate(fx->plog, 11), 0);
    assert_rc(rn_plog_truncate(fx->plog, 1000000), 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), 10);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)(2 * b));
    assert_int_equal(append_std(fx, 1), 10);
    verify_reads(fx);
}

static void test_plog_truncate_moves_recovery_point_back(void **state) {
    fx_t *fx = *state;
    fx_open(fx);
    for (int i = 0; i < 4; i++)
        append_std(fx, 5);
    assert_rc(rn_plog_flush_sync(fx->plog), 0);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 20);
    assert_rc(rn_plog_truncate(fx->plog, 10), 0);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 10);
}

/* ---- delete_below ------------------------------------------------------------------------ */

static void test_plog_delete_below_advances_start_and_drops_whole_segments(void **state) {
    fx_t *fx = *state;
    size_t b = batch_size(2);
    fx->cfg.segment_bytes = (int64_t)(2 * b);
    fx_open(fx);
    for (int i = 0; i < 7; i++)
        append_std(fx, 2); /* segments 0 4 8 12, end 14 */
    assert_rc(rn_plog_delete_below(fx->plog, 9), 0);
    assert_int_equal(rn_plog_start_offset(fx->plog), 9);
    assert_int_equal(rn_plog_end_offset(fx->plog), 14);
    assert_int_equal(rn_plog_segment_count(fx->plog), 2);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)(3 * b));
    assert_false(seg_exists(fx->pdir, 0, "log"));
    assert_false(seg_exists(fx->pdir, 4, "log"));
    assert_true(seg_exists(fx->pdir, 8, "log"));
    rn_plog_read_t res;
    memset(&res, 0, sizeof res);
    assert_rc(rn_plog_read(fx->plog, 8, 1 << 20, -1, &res), RN_EOFFSETRANGE);
    assert_rc(rn_plog_read(fx->plog, 0, 1 << 20, -1, &res), RN_EOFFSETRANGE);
    /* At the start itself: the batch holding 9 (8-9). */
    read_ok(fx->plog, 9, 1, -1, &res);
    int64_t first, next;
    assert_int_equal(walk(res.data, res.len, &first, &next), 1);
    assert_int_equal(first, 8);
    rn_plog_read_free(&res);
    /* Up to the log end: every closed segment goes, the active one stays. */
    assert_rc(rn_plog_delete_below(fx->plog, 14), 0);
    assert_int_equal(rn_plog_start_offset(fx->plog), 14);
    assert_true(rn_plog_segment_count(fx->plog) >= 1);
    assert_false(seg_exists(fx->pdir, 8, "log"));
    assert_int_equal(append_std(fx, 2), 14);
    read_ok(fx->plog, 14, 1, -1, &res);
    assert_int_equal(res.len, b);
    rn_plog_read_free(&res);
}

static void test_plog_delete_below_past_end_is_out_of_range(void **state) {
    fx_t *fx = *state;
    fx_open(fx);
    append_std(fx, 2);
    assert_rc(rn_plog_delete_below(fx->plog, 3), RN_EOFFSETRANGE);
    assert_int_equal(rn_plog_start_offset(fx->plog), 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), 2);
}

/* ---- follower append --------------------------------------------------------------------- */

/* A batch as a leader would send it: base offset and epoch already stamped. */
static uint8_t *leader_batch(int nrec, int64_t base, int32_t epoch, size_t *len) {
    uint8_t *p = make_batch(nrec, 1234, VLEN, len);
    rn_batch_stamp(p, base, epoch);
    return p;
}

static void test_plog_append_replica_with_right_base_offset_appends_as_is(void **state) {
    fx_t *fx = *state;
    size_t b = batch_size(3);
    fx->cfg.segment_bytes = (int64_t)(2 * b);
    fx_open(fx);
    for (int i = 0; i < 5; i++) {
        size_t len;
        uint8_t *p = leader_batch(3, 3 * i, 7 + i, &len);
        assert_rc(rn_plog_append_replica(fx->plog, p, len), 0);
        model_add(fx, p, len, 3 * i, 3, 1234);
        rn_free(p);
        assert_int_equal(rn_plog_end_offset(fx->plog), 3 * i + 3);
    }
    /* Rolls like leader appends; bytes, offsets and epochs are kept as sent. */
    const int64_t want[] = {0, 6, 12};
    assert_segments(fx->pdir, want, 3);
    verify_reads(fx);
}

static void test_plog_append_replica_with_wrong_base_offset_fails(void **state) {
    fx_t *fx = *state;
    fx_open(fx);
    size_t len;
    uint8_t *p = leader_batch(3, 0, 1, &len);
    assert_rc(rn_plog_append_replica(fx->plog, p, len), 0);
    model_add(fx, p, len, 0, 3, 1234);
    rn_free(p);
    const int64_t wrong[] = {0, 2, 4, 100};
    for (int i = 0; i < 4; i++) {
        p = leader_batch(3, wrong[i], 1, &len);
        assert_rc(rn_plog_append_replica(fx->plog, p, len), RN_EBADOFFSET);
        rn_free(p);
    }
    assert_int_equal(rn_plog_end_offset(fx->plog), 3);
    assert_int_equal(rn_plog_size_bytes(fx->plog), (int64_t)len);
    assert_int_equal(seg_size(fx->pdir, 0), (long long)len);
    verify_reads(fx);
}

static void test_plog_append_replica_corrupt_batch_fails(void **state) {
    fx_t *fx = *state;
    fx_open(fx);
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
    assert_int_equal(seg_size(fx->pdir, 0), 0);
    assert_rc(rn_plog_append_replica(fx->plog, p, len), 0);
    model_add(fx, p, len, 0, 3, 1234);
    rn_free(p);
    verify_reads(fx);
}

/* ---- reopen ------------------------------------------------------------------------------- */

static void test_plog_reopen_after_clean_close_keeps_everything(void **state) {
    fx_t *fx = *state;
    size_t b = batch_size(3);
    fx->cfg.segment_bytes = (int64_t)(3 * b);
    fx->cfg.index_interval_bytes = (int32_t)b;
    fx_open(fx);
    for (int i = 0; i < 11; i++)
        append_n(fx, 3, 1000 + i, 4);
    int segs = rn_plog_segment_count(fx->plog);
    int64_t size = rn_plog_size_bytes(fx->plog);
    assert_int_equal(segs, 4);
    assert_rc(rn_plog_flush_sync(fx->plog), 0);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 33);
    fx_reopen(fx, 33, true);
    assert_int_equal(rn_plog_start_offset(fx->plog), 0);
    assert_int_equal(rn_plog_end_offset(fx->plog), 33);
    assert_int_equal(rn_plog_segment_count(fx->plog), segs);
    assert_int_equal(rn_plog_size_bytes(fx->plog), size);
    assert_int_equal(rn_plog_recovery_point(fx->plog), 33);
    verify_reads(fx);
    int64_t off;
    assert_rc(rn_plog_offset_for_time(fx->plog, 1007, &off), 0);
    assert_int_equal(off, 21);
    /* Appends go on in the last segment, then roll. */
    assert_int_equal(append_n(fx, 3, 2000, 5), 33);
    assert_int_equal(append_n(fx, 3, 2001, 5), 36);
    assert_int_equal(rn_plog_segment_count(fx->plog), 5);
    const int64_t want[] = {0, 9, 18, 27, 36};
    assert_segments(fx->pdir, want, 5);
    verify_reads(fx);
}

static void test_plog_reopen_keeps_time_index(void **state) {
    fx_t *fx = *state;
    size_t b = batch_size(1);
    fx->cfg.segment_bytes = (int64_t)(4 * b);
    fx_open(fx);
    for (int i = 0; i < 10; i++)
        append_n(fx, 1, 100 * (i + 1), 1);
    assert_rc(rn_plog_flush_sync(fx->plog), 0);
    fx_reopen(fx, 10, true);
    int64_t off;
    for (int i = 0; i < 10; i++) {
        assert_rc(rn_plog_offset_for_time(fx->plog, 100 * (i + 1) - 1, &off), 0);
        assert_int_equal(off, i);
    }
    assert_rc(rn_plog_offset_for_time(fx->plog, 1001, &off), RN_EOFFSETRANGE);
}

static void test_plog_read_after_truncate_and_reappend_sees_new_batches(void **state) {
    fx_t *fx = *state;
    fx_open(fx);
    for (int i = 0; i < 10; i++)
        append_std(fx, 3);
    /* A sequential reader walks part of the log (reads may remember positions). */
    int64_t off = 0;
    for (int i = 0; i < 4; i++) {
        rn_plog_read_t res;
        read_ok(fx->plog, off, 1, -1, &res);
        off = res.next_offset;
        rn_plog_read_free(&res);
    }
    assert_int_equal(off, 12);
    /* A follower truncation, then batches of another size at the same offsets. */
    assert_rc(rn_plog_truncate(fx->plog, 6), 0);
    model_cut(fx, 6);
    for (int i = 0; i < 4; i++)
        append_std(fx, 5); /* 6-10 11-15 16-20 21-25 */
    rn_plog_read_t res;
    read_ok(fx->plog, 12, 1, -1, &res);
    int64_t first, next;
    assert_int_equal(walk(res.data, res.len, &first, &next), 1);
    assert_int_equal(first, 11);
    assert_int_equal(res.next_offset, 16);
    rn_plog_read_free(&res);
    read_ok(fx->plog, 6, 1, -1, &res);
    assert_int_equal(walk(res.data, res.len, &first, &next), 1);
    assert_int_equal(first, 6);
    assert_int_equal(next, 11);
    rn_plog_read_free(&res);
    verify_reads(fx);
}

static void test_plog_open_tolerates_other_partition_files(void **state) {
    fx_t *fx = *state;
    fx_open(fx);
    append_std(fx, 2);
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
    fx_reopen(fx, 2, true);
    assert_int_equal(rn_plog_end_offset(fx->plog), 2);
    fx_reopen(fx, 0, false);
    assert_int_equal(rn_plog_end_offset(fx->plog), 2);
    verify_reads(fx);
    assert_int_equal(rn_test_file_size(path), 25);
}

static void test_plog_open_bad_segment_file_name_is_corrupt(void **state) {
    fx_t *fx = *state;
    fx_open(fx);
    append_std(fx, 2);
    rn_plog_close(fx->plog);
    fx->plog = NULL;
    char path[600];
    snprintf(path, sizeof path, "%s/0000000000000000000x.log", fx->pdir);
    rn_test_write_file(path, "", 0);
    rn_plog_t *p = NULL;
    assert_rc(rn_plog_open(fx->pdir, &fx->cfg, &fx->env, 0, false, &p), RN_ECORRUPT);
    assert_null(p);
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

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_plog_open_missing_dir_creates_it_with_empty_first_segment),
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
        T(test_plog_open_path_that_is_a_file_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
