/* test_time_index.c — the sparse time index: its bytes on disk, entries only when the
 * maximum timestamp grows, lookups at every boundary (exact, between, before the
 * first, after the last, empty; small and binary-searched), truncation by offset, and
 * the sanity check. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/errors.h"
#include "log/time_index.h"
#include "logtest.h"

typedef struct fx_s {
    lt_tmpfile_t file; /* the index file, empty at the start */
    rn__tindex_t idx;
} fx_t;

static int setup(void **state) {
    fx_t *fx = calloc(1, sizeof *fx);
    lt_tmpfile_open(&fx->file, "tindex", "00000000000000000000.timeindex");
    assert_int_equal(rn__tindex_load(&fx->idx, fx->file.fd), 0);
    *state = fx;
    return 0;
}

static int teardown(void **state) {
    fx_t *fx = *state;
    lt_tmpfile_close(&fx->file);
    free(fx);
    return 0;
}

/* Entries (T0 + 100*i, 10*i) for i = 1..n. */
static void fill(fx_t *fx, int n) {
    for (int i = 1; i <= n; i++)
        assert_int_equal(
            rn__tindex_maybe_append(&fx->idx, fx->file.fd, T0 + 100 * i, (uint32_t)(10 * i)), 0);
}

/* The entry for ts, or rel -1 when none. */
static int64_t lookup_rel(fx_t *fx, int64_t ts, int64_t *entry_ts) {
    rn__tentry_t e = {0, 0};
    bool found = true;
    assert_int_equal(rn__tindex_lookup(&fx->idx, fx->file.fd, ts, &e, &found), 0);
    if (!found)
        return -1;
    if (entry_ts)
        *entry_ts = e.ts;
    return e.rel;
}

static void test_tindex_entries_are_12_big_endian_bytes(void **state) {
    fx_t *fx = *state;
    assert_int_equal(
        rn__tindex_maybe_append(&fx->idx, fx->file.fd, 0x0102030405060708LL, 0x0a0b0c0d), 0);
    assert_int_equal(
        rn__tindex_maybe_append(&fx->idx, fx->file.fd, -1 + 0x0102030405060709LL + 1, 0x0a0b0c0e),
        0);
    size_t len;
    uint8_t *raw = rn_test_read_file(fx->file.path, &len);
    const uint8_t want[] = {1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13,
                            1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14};
    assert_int_equal(len, sizeof want);
    assert_memory_equal(raw, want, sizeof want);
    free(raw);
    rn__tindex_t again;
    assert_int_equal(rn__tindex_load(&again, fx->file.fd), 0);
    assert_int_equal(again.count, 2);
    assert_int_equal(again.last.ts, 0x0102030405060709LL);
    assert_int_equal(again.last.rel, 0x0a0b0c0e);
}

static void test_tindex_appends_only_when_max_timestamp_grows(void **state) {
    fx_t *fx = *state;
    assert_int_equal(rn__tindex_maybe_append(&fx->idx, fx->file.fd, T0, 0), 0);
    assert_int_equal(rn__tindex_maybe_append(&fx->idx, fx->file.fd, T0, 5), 0);     /* equal */
    assert_int_equal(rn__tindex_maybe_append(&fx->idx, fx->file.fd, T0 - 9, 6), 0); /* older */
    assert_int_equal(fx->idx.count, 1);
    assert_int_equal(rn__tindex_maybe_append(&fx->idx, fx->file.fd, T0 + 1, 7), 0);
    assert_int_equal(fx->idx.count, 2);
    assert_int_equal(rn_test_file_size(fx->file.path), 24);
    /* The first entry is taken whatever its timestamp, even "no timestamp" (-1). */
    rn__tindex_t idx = {0, {0, 0}};
    assert_int_equal(ftruncate(fx->file.fd, 0), 0);
    assert_int_equal(rn__tindex_maybe_append(&idx, fx->file.fd, -1, 0), 0);
    assert_int_equal(idx.count, 1);
}

static void test_tindex_lookup_on_empty_index_finds_nothing(void **state) {
    fx_t *fx = *state;
    assert_int_equal(lookup_rel(fx, T0, NULL), -1);
    assert_int_equal(lookup_rel(fx, INT64_MAX, NULL), -1);
}

static void check_boundaries(fx_t *fx, int n) {
    fill(fx, n);
    int64_t ts = 0;
    assert_int_equal(lookup_rel(fx, T0, NULL), -1);        /* before the first */
    assert_int_equal(lookup_rel(fx, T0 + 99, NULL), -1);   /* just before the first */
    assert_int_equal(lookup_rel(fx, INT64_MIN, NULL), -1); /* far before */
    for (int i = 1; i <= n; i++) {
        assert_int_equal(lookup_rel(fx, T0 + 100 * i, &ts), 10 * i); /* exact */
        assert_int_equal(ts, T0 + 100 * i);
        assert_int_equal(lookup_rel(fx, T0 + 100 * i + 1, NULL), 10 * i); /* between */
        assert_int_equal(lookup_rel(fx, T0 + 100 * i + 99, NULL), 10 * i);
    }
    assert_int_equal(lookup_rel(fx, INT64_MAX, &ts), 10 * n); /* after the last */
    assert_int_equal(ts, T0 + 100 * n);
}

static void test_tindex_lookup_boundaries_one_entry(void **state) {
    check_boundaries(*state, 1);
}

static void test_tindex_lookup_boundaries_small_index(void **state) {
    check_boundaries(*state, 41);
}

static void test_tindex_lookup_boundaries_large_index_binary_search(void **state) {
    check_boundaries(*state, 4000);
}

static void test_tindex_truncate_drops_entries_at_or_past_offset(void **state) {
    fx_t *fx = *state;
    fill(fx, 800);
    assert_int_equal(rn__tindex_truncate(&fx->idx, fx->file.fd, 9000), 0); /* after last */
    assert_int_equal(fx->idx.count, 800);
    assert_int_equal(rn__tindex_truncate(&fx->idx, fx->file.fd, 5005), 0); /* between */
    assert_int_equal(fx->idx.count, 500);
    assert_int_equal(fx->idx.last.rel, 5000);
    assert_int_equal(fx->idx.last.ts, T0 + 50000);
    assert_int_equal(rn__tindex_truncate(&fx->idx, fx->file.fd, 5000), 0); /* exact */
    assert_int_equal(fx->idx.count, 499);
    assert_int_equal(rn_test_file_size(fx->file.path), 499 * 12);
    assert_int_equal(rn__tindex_truncate(&fx->idx, fx->file.fd, 0), 0); /* before first */
    assert_int_equal(fx->idx.count, 0);
    assert_int_equal(lookup_rel(fx, INT64_MAX, NULL), -1);
    /* Appending starts over after a truncation to nothing. */
    assert_int_equal(rn__tindex_maybe_append(&fx->idx, fx->file.fd, T0 - 5, 0), 0);
    assert_int_equal(fx->idx.count, 1);
}

static void test_tindex_load_rejects_partial_entry(void **state) {
    fx_t *fx = *state;
    fill(fx, 2);
    assert_int_equal(ftruncate(fx->file.fd, 2 * 12 + 1), 0);
    rn__tindex_t idx;
    assert_int_equal(rn__tindex_load(&idx, fx->file.fd), RN_ECORRUPT);
}

static void test_tindex_check_catches_disorder_and_offsets_past_segment(void **state) {
    fx_t *fx = *state;
    fill(fx, 30);
    assert_int_equal(rn__tindex_check(&fx->idx, fx->file.fd, 301), 0);
    assert_int_equal(rn__tindex_check(&fx->idx, fx->file.fd, 300), RN_ECORRUPT);
    /* Entry 10's timestamp set back before entry 9's. */
    uint8_t old[12] = {0};
    assert_int_equal(pread(fx->file.fd, old, 12, 0), 12); /* entry 0: (T0 + 100, 10) */
    old[11] = 110;
    assert_int_equal(pwrite(fx->file.fd, old, 12, 10 * 12), 12);
    assert_int_equal(rn__tindex_check(&fx->idx, fx->file.fd, 1000), RN_ECORRUPT);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_tindex_entries_are_12_big_endian_bytes),
        T(test_tindex_appends_only_when_max_timestamp_grows),
        T(test_tindex_lookup_on_empty_index_finds_nothing),
        T(test_tindex_lookup_boundaries_one_entry),
        T(test_tindex_lookup_boundaries_small_index),
        T(test_tindex_lookup_boundaries_large_index_binary_search),
        T(test_tindex_truncate_drops_entries_at_or_past_offset),
        T(test_tindex_load_rejects_partial_entry),
        T(test_tindex_check_catches_disorder_and_offsets_past_segment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
