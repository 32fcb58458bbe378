/* test_offset_index.c — the sparse offset index: its bytes on disk, lookups at every
 * boundary (exact entry, between entries, before the first, after the last, empty),
 * for small indexes and ones large enough for the binary search, truncation, the
 * sanity check, and failed appends leaving the file as it was. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/errors.h"
#include "log/offset_index.h"
#include "logtest.h"

typedef struct fx_s {
    lt_tmpfile_t file; /* the index file, empty at the start */
    rn__oindex_t idx;
} fx_t;

static int setup(void **state) {
    fx_t *fx = calloc(1, sizeof *fx);
    lt_tmpfile_open(&fx->file, "oindex", "00000000000000000000.index");
    assert_int_equal(rn__oindex_load(&fx->idx, fx->file.fd), 0);
    *state = fx;
    return 0;
}

static int teardown(void **state) {
    fx_t *fx = *state;
    lt_tmpfile_close(&fx->file);
    free(fx);
    return 0;
}

/* Entries (10*i, 100*i) for i = 1..n. */
static void fill(fx_t *fx, int n) {
    for (int i = 1; i <= n; i++) {
        rn__oentry_t e = {(uint32_t)(10 * i), (uint32_t)(100 * i)};
        assert_int_equal(rn__oindex_append(&fx->idx, fx->file.fd, &e, 1), 0);
    }
}

static rn__oentry_t lookup(fx_t *fx, uint32_t rel) {
    rn__oentry_t e = {99, 99};
    assert_int_equal(rn__oindex_lookup(&fx->idx, fx->file.fd, rel, &e), 0);
    return e;
}

static void assert_entry(rn__oentry_t e, uint32_t rel, uint32_t pos) {
    assert_int_equal(e.rel, rel);
    assert_int_equal(e.pos, pos);
}

static void test_oindex_entries_are_8_big_endian_bytes(void **state) {
    fx_t *fx = *state;
    rn__oentry_t e[2] = {{0x01020304, 0x0a0b0c0d}, {0x01020305, 0x0a0b0c0e}};
    assert_int_equal(rn__oindex_append(&fx->idx, fx->file.fd, e, 2), 0);
    size_t len;
    uint8_t *raw = rn_test_read_file(fx->file.path, &len);
    const uint8_t want[] = {1, 2, 3, 4, 10, 11, 12, 13, 1, 2, 3, 5, 10, 11, 12, 14};
    assert_int_equal(len, sizeof want);
    assert_memory_equal(raw, want, sizeof want);
    free(raw);
    rn__oindex_t again;
    assert_int_equal(rn__oindex_load(&again, fx->file.fd), 0);
    assert_int_equal(again.count, 2);
    assert_entry(again.last, 0x01020305, 0x0a0b0c0e);
}

static void test_oindex_lookup_on_empty_index_is_segment_start(void **state) {
    fx_t *fx = *state;
    assert_int_equal(fx->idx.count, 0);
    assert_entry(lookup(fx, 0), 0, 0);
    assert_entry(lookup(fx, 12345), 0, 0);
}

static void check_boundaries(fx_t *fx, int n) {
    fill(fx, n);
    assert_int_equal(fx->idx.count, n);
    assert_entry(lookup(fx, 0), 0, 0);     /* before the first: segment start */
    assert_entry(lookup(fx, 9), 0, 0);     /* just before the first */
    assert_entry(lookup(fx, 10), 10, 100); /* exactly the first */
    for (int i = 1; i <= n; i++) {
        assert_entry(lookup(fx, (uint32_t)(10 * i)), (uint32_t)(10 * i), (uint32_t)(100 * i));
        assert_entry(lookup(fx, (uint32_t)(10 * i + 5)), (uint32_t)(10 * i), (uint32_t)(100 * i));
        assert_entry(lookup(fx, (uint32_t)(10 * i + 9)), (uint32_t)(10 * i), (uint32_t)(100 * i));
    }
    /* after the last */
    assert_entry(lookup(fx, UINT32_MAX), (uint32_t)(10 * n), (uint32_t)(100 * n));
}

static void test_oindex_lookup_boundaries_one_entry(void **state) {
    check_boundaries(*state, 1);
}

static void test_oindex_lookup_boundaries_small_index(void **state) {
    check_boundaries(*state, 37);
}

static void test_oindex_lookup_boundaries_large_index_binary_search(void **state) {
    check_boundaries(*state, 5000); /* well past one read window */
}

static void test_oindex_truncate_drops_entries_at_or_past(void **state) {
    fx_t *fx = *state;
    fill(fx, 1000);
    assert_int_equal(rn__oindex_truncate(&fx->idx, fx->file.fd, 20000), 0); /* after last */
    assert_int_equal(fx->idx.count, 1000);
    assert_int_equal(rn__oindex_truncate(&fx->idx, fx->file.fd, 7005), 0); /* between */
    assert_int_equal(fx->idx.count, 700);
    assert_entry(fx->idx.last, 7000, 70000);
    assert_int_equal(rn__oindex_truncate(&fx->idx, fx->file.fd, 7000), 0); /* exact */
    assert_int_equal(fx->idx.count, 699);
    assert_entry(fx->idx.last, 6990, 69900);
    assert_int_equal(rn_test_file_size(fx->file.path), 699 * 8);
    assert_int_equal(rn__oindex_truncate(&fx->idx, fx->file.fd, 3), 0); /* before first */
    assert_int_equal(fx->idx.count, 0);
    assert_int_equal(rn_test_file_size(fx->file.path), 0);
    assert_entry(lookup(fx, 500), 0, 0);
}

static void test_oindex_load_rejects_partial_entry(void **state) {
    fx_t *fx = *state;
    fill(fx, 3);
    assert_int_equal(ftruncate(fx->file.fd, 3 * 8 + 5), 0);
    rn__oindex_t idx;
    assert_int_equal(rn__oindex_load(&idx, fx->file.fd), RN_ECORRUPT);
}

static void test_oindex_check_catches_disorder_and_positions_past_the_log(void **state) {
    fx_t *fx = *state;
    fill(fx, 50);
    assert_int_equal(rn__oindex_check(&fx->idx, fx->file.fd, 5001), 0);
    assert_int_equal(rn__oindex_check(&fx->idx, fx->file.fd, 5000), RN_ECORRUPT); /* last pos */
    /* Entry 20 (offset 210) overwritten with offset 5: not increasing. */
    const uint8_t bad[8] = {0, 0, 0, 5, 0, 0, 0x08, 0x34};
    assert_int_equal(pwrite(fx->file.fd, bad, 8, 20 * 8), 8);
    assert_int_equal(rn__oindex_check(&fx->idx, fx->file.fd, 1 << 30), RN_ECORRUPT);
    rn__oindex_t empty = {0, {0, 0}};
    assert_int_equal(rn__oindex_check(&empty, fx->file.fd, 0), 0);
}

static void test_oindex_failed_append_leaves_file_unchanged(void **state) {
    fx_t *fx = *state;
    fill(fx, 4);
    int ro = open(fx->file.path, O_RDONLY);
    assert_true(ro >= 0);
    rn__oentry_t e = {1000, 10000};
    assert_true(rn__oindex_append(&fx->idx, ro, &e, 1) < 0);
    close(ro);
    assert_int_equal(fx->idx.count, 4);
    assert_entry(fx->idx.last, 40, 400);
    assert_int_equal(rn_test_file_size(fx->file.path), 4 * 8);
}

static void test_oindex_append_many_at_once(void **state) {
    fx_t *fx = *state;
    rn__oentry_t e[300];
    for (int i = 0; i < 300; i++)
        e[i] = (rn__oentry_t){(uint32_t)(3 * i + 1), (uint32_t)(7 * i + 2)};
    assert_int_equal(rn__oindex_append(&fx->idx, fx->file.fd, e, 300), 0);
    assert_int_equal(fx->idx.count, 300);
    for (int i = 0; i < 300; i++)
        assert_entry(lookup(fx, (uint32_t)(3 * i + 2)), (uint32_t)(3 * i + 1),
                     (uint32_t)(7 * i + 2));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_oindex_entries_are_8_big_endian_bytes),
        T(test_oindex_lookup_on_empty_index_is_segment_start),
        T(test_oindex_lookup_boundaries_one_entry),
        T(test_oindex_lookup_boundaries_small_index),
        T(test_oindex_lookup_boundaries_large_index_binary_search),
        T(test_oindex_truncate_drops_entries_at_or_past),
        T(test_oindex_load_rejects_partial_entry),
        T(test_oindex_check_catches_disorder_and_positions_past_the_log),
        T(test_oindex_failed_append_leaves_file_unchanged),
        T(test_oindex_append_many_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
