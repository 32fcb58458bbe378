/* test_logscan.c — walking a .log file batch by batch: headers through the window,
 * whole-batch checks, each kind of bad tail named, a batch bigger than the window
 * checked in chunks, and every cut of a batch detected. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log/logscan.h"
#include "logtest.h"

/* The .log file under test, empty at the start. */
typedef lt_tmpfile_t fx_t;

static int setup(void **state) {
    fx_t *fx = calloc(1, sizeof *fx);
    lt_tmpfile_open(fx, "logscan", "00000000000000000000.log");
    *state = fx;
    return 0;
}

static int teardown(void **state) {
    lt_tmpfile_close(*state);
    free(*state);
    return 0;
}

/* nrec records of vlen zero bytes stamped 1000, 1001, ..., stamped at base. */
static uint8_t *make_batch(int64_t base, int nrec, size_t vlen, size_t *len) {
    rn_batch_builder_t b;
    lt_builder_init(&b);
    char *val = calloc(1, vlen + 1);
    for (int i = 0; i < nrec; i++)
        assert_int_equal(rn_batch_builder_add(&b, 1000 + i, NULL, -1, val, (int32_t)vlen, NULL, 0),
                         0);
    free(val);
    uint8_t *out = lt_builder_finish(&b, len);
    rn_batch_stamp(out, base, 0);
    return out;
}

/* Write n batches of 3 records back to back; returns the file size. */
static int64_t write_batches(fx_t *fx, int n, size_t vlen) {
    int64_t pos = 0;
    for (int i = 0; i < n; i++) {
        size_t len;
        uint8_t *p = make_batch(3 * i, 3, vlen, &len);
        assert_int_equal(pwrite(fx->fd, p, len, pos), (ssize_t)len);
        pos += (int64_t)len;
        rn_free(p);
    }
    return pos;
}

static int count(fx_t *fx, int64_t end, rn__scan_mode_t mode, int *rc_out, const char **why) {
    rn__logscan_t sc;
    rn__logscan_init(&sc, fx->fd, 0, end);
    int n = 0, rc;
    int64_t next = 0;
    while ((rc = rn__logscan_next(&sc, mode)) == 1) {
        assert_int_equal(sc.hdr.base_offset, next);
        next = rn_batch_last_offset(&sc.hdr) + 1;
        rn__logscan_advance(&sc);
        n++;
    }
    *rc_out = rc;
    *why = sc.why;
    rn__logscan_deinit(&sc);
    return n;
}

static void test_logscan_walks_every_header_to_the_end(void **state) {
    fx_t *fx = *state;
    int64_t size = write_batches(fx, 2000, 50); /* ~ several windows */
    int rc;
    const char *why;
    assert_int_equal(count(fx, size, RN__SCAN_HEADERS, &rc, &why), 2000);
    assert_int_equal(rc, 0);
    assert_int_equal(count(fx, size, RN__SCAN_CHECK, &rc, &why), 2000);
    assert_int_equal(rc, 0);
}

static void test_logscan_empty_file_ends_at_once(void **state) {
    fx_t *fx = *state;
    int rc;
    const char *why;
    assert_int_equal(count(fx, 0, RN__SCAN_CHECK, &rc, &why), 0);
    assert_int_equal(rc, 0);
}

static void test_logscan_every_cut_of_the_last_batch_is_partial(void **state) {
    fx_t *fx = *state;
    int64_t one = write_batches(fx, 1, 20);
    int64_t size = write_batches(fx, 2, 20);
    for (int64_t end = one + 1; end < size; end++) {
        int rc;
        const char *why;
        assert_int_equal(count(fx, end, RN__SCAN_CHECK, &rc, &why), 1);
        assert_int_equal(rc, RN_ECORRUPT);
        assert_non_null(why);
    }
}

static void test_logscan_names_zero_fill_crc_and_magic(void **state) {
    fx_t *fx = *state;
    int64_t size = write_batches(fx, 3, 20);
    int64_t one = size / 3;
    int rc;
    const char *why;
    uint8_t zeros[100] = {0};
    assert_int_equal(pwrite(fx->fd, zeros, sizeof zeros, size), 100);
    assert_int_equal(count(fx, size + 100, RN__SCAN_CHECK, &rc, &why), 3);
    assert_string_equal(why, "zero fill");
    uint8_t b = 0;
    assert_int_equal(pread(fx->fd, &b, 1, 2 * one - 3), 1);
    b ^= 0xff;
    assert_int_equal(pwrite(fx->fd, &b, 1, 2 * one - 3), 1);
    assert_int_equal(count(fx, size, RN__SCAN_HEADERS, &rc, &why), 3); /* headers are fine */
    assert_int_equal(count(fx, size, RN__SCAN_CHECK, &rc, &why), 1);
    assert_string_equal(why, "CRC mismatch");
    uint8_t magic = 7;
    assert_int_equal(pwrite(fx->fd, &magic, 1, one + 16), 1);
    assert_int_equal(count(fx, size, RN__SCAN_HEADERS, &rc, &why), 1);
    assert_string_equal(why, "bad magic");
}

static void test_logscan_batch_bigger_than_window_is_checked_in_chunks(void **state) {
    fx_t *fx = *state;
    size_t len;
    uint8_t *p = make_batch(0, 1, RN__SCAN_MAX_WINDOW + 1000, &len);
    assert_int_equal(pwrite(fx->fd, p, len, 0), (ssize_t)len);
    int rc;
    const char *why;
    assert_int_equal(count(fx, (int64_t)len, RN__SCAN_CHECK, &rc, &why), 1);
    assert_int_equal(rc, 0);
    p[len - 1] ^= 1;
    assert_int_equal(pwrite(fx->fd, p + len - 1, 1, (off_t)len - 1), 1);
    assert_int_equal(count(fx, (int64_t)len, RN__SCAN_CHECK, &rc, &why), 0);
    assert_string_equal(why, "CRC mismatch");
    rn_free(p);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_logscan_walks_every_header_to_the_end),
        T(test_logscan_empty_file_ends_at_once),
        T(test_logscan_every_cut_of_the_last_batch_is_partial),
        T(test_logscan_names_zero_fill_crc_and_magic),
        T(test_logscan_batch_bigger_than_window_is_checked_in_chunks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
