/* test_checkpoint.c — the offset checkpoints (recovery points, high watermarks) in
 * Kafka's text format: exact
 * bytes, round trip, every truncation and a list of malformed files rejected, an
 * older snapshot never replacing a newer one, and stale temporary files removed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "log/checkpoint.h"
#include "testutil.h"

typedef struct fx_s {
    char *dir;
    char path[600];
    rn__ckpt_writer_t w;
} fx_t;

static int setup(void **state) {
    fx_t *fx = calloc(1, sizeof *fx);
    fx->dir = rn_test_tmpdir("checkpoint");
    snprintf(fx->path, sizeof fx->path, "%s/" RN__CHECKPOINT_NAME, fx->dir);
    assert_int_equal(rn__ckpt_writer_init(&fx->w, fx->dir, RN__CHECKPOINT_NAME), 0);
    *state = fx;
    return 0;
}

static int teardown(void **state) {
    fx_t *fx = *state;
    rn__ckpt_writer_deinit(&fx->w);
    rn_test_rmtree(fx->dir);
    free(fx->dir);
    free(fx);
    return 0;
}

static const char SAMPLE[] = "0\n3\norders 0 1200\nclick-stream.eu-west 12 77\na-b 10 0\n";

static void write_sample(fx_t *fx, uint64_t seq) {
    rn__ckpt_text_t t = {0};
    rn__ckpt_text_add(&t, "orders", 0, 1200);
    rn__ckpt_text_add(&t, "click-stream.eu-west", 12, 77);
    rn__ckpt_text_add(&t, "a-b", 10, 0);
    size_t len;
    char *text = rn__ckpt_text_finish(&t, &len);
    assert_int_equal(rn__ckpt_write(&fx->w, seq, text, len), 0);
    rn_free(text);
}

static void test_checkpoint_written_in_kafka_text_format(void **state) {
    fx_t *fx = *state;
    write_sample(fx, 1);
    size_t len;
    uint8_t *raw = rn_test_read_file(fx->path, &len);
    assert_int_equal(len, strlen(SAMPLE));
    assert_memory_equal(raw, SAMPLE, len);
    free(raw);
}

static void test_checkpoint_round_trip_and_lookup(void **state) {
    fx_t *fx = *state;
    write_sample(fx, 1);
    rn__ckpt_entry_t *e;
    size_t n;
    assert_int_equal(rn__checkpoint_read(fx->path, &e, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(rn__checkpoint_find(e, n, "orders", 0), 1200);
    assert_int_equal(rn__checkpoint_find(e, n, "click-stream.eu-west", 12), 77);
    assert_int_equal(rn__checkpoint_find(e, n, "a-b", 10), 0);
    assert_int_equal(rn__checkpoint_find(e, n, "a-b", 1), -1);
    assert_int_equal(rn__checkpoint_find(e, n, "a", 10), -1);
    rn__checkpoint_free(e, n);
}

static void test_checkpoint_empty_list_round_trips(void **state) {
    fx_t *fx = *state;
    rn__ckpt_text_t t = {0};
    size_t len;
    char *text = rn__ckpt_text_finish(&t, &len);
    assert_string_equal(text, "0\n0\n");
    assert_int_equal(rn__ckpt_write(&fx->w, 1, text, len), 0);
    rn_free(text);
    rn__ckpt_entry_t *e;
    size_t n;
    assert_int_equal(rn__checkpoint_read(fx->path, &e, &n), 0);
    assert_int_equal(n, 0);
    rn__checkpoint_free(e, n);
}

static void test_checkpoint_missing_file_is_enoent(void **state) {
    fx_t *fx = *state;
    rn__ckpt_entry_t *e;
    size_t n;
    assert_int_equal(rn__checkpoint_read(fx->path, &e, &n), -ENOENT);
}

static int read_text(fx_t *fx, const void *text, size_t len) {
    rn_test_write_file(fx->path, text, len);
    rn__ckpt_entry_t *e = NULL;
    size_t n = 0;
    int rc = rn__checkpoint_read(fx->path, &e, &n);
    if (rc == 0)
        rn__checkpoint_free(e, n);
    return rc;
}

static void test_checkpoint_every_truncation_is_corrupt(void **state) {
    fx_t *fx = *state;
    for (size_t cut = 0; cut < strlen(SAMPLE); cut++)
        if (read_text(fx, SAMPLE, cut) != RN_ECORRUPT)
            fail_msg("a checkpoint cut to %zu bytes was accepted", cut);
    assert_int_equal(read_text(fx, SAMPLE, strlen(SAMPLE)), 0);
}

static void test_checkpoint_malformed_files_are_corrupt(void **state) {
    fx_t *fx = *state;
    static const char *const bad[] = {
        "1\n0\n",                          /* version */
        "0\n-1\n",                         /* negative count */
        "0\n01\nt 0 1\n",                  /* leading zero */
        "0\n1\nt 0 1\nextra 0 1\n",        /* more lines than the count */
        "0\n1\nt 0 -1\n",                  /* negative offset */
        "0\n1\nt -1 5\n",                  /* negative partition */
        "0\n1\nt 2147483648 5\n",          /* partition past int32 */
        "0\n1\nt 0 9223372036854775808\n", /* offset past int64 */
        "0\n1\nt 0\n",                     /* missing field */
        "0\n1\nt 0 1 2\n",                 /* extra field */
        "0\n1\nt  0 1\n",                  /* double space */
        "0\n1\nbad/topic 0 1\n",           /* illegal topic */
        "0\r\n0\r\n",                      /* CRLF */
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (read_text(fx, bad[i], strlen(bad[i])) != RN_ECORRUPT)
            fail_msg("accepted \"%s\"", bad[i]);
    assert_int_equal(read_text(fx, "0\n1\nt\0x 0 1\n", 12), RN_ECORRUPT); /* NUL byte */
}

static void test_checkpoint_older_snapshot_never_replaces_newer(void **state) {
    fx_t *fx = *state;
    assert_int_equal(rn__ckpt_write(&fx->w, 5, "0\n1\nnew 0 9\n", 12), 0);
    assert_int_equal(rn__ckpt_write(&fx->w, 4, "0\n1\nold 0 1\n", 12), 0);
    size_t len;
    uint8_t *raw = rn_test_read_file(fx->path, &len);
    assert_memory_equal(raw, "0\n1\nnew 0 9\n", 12);
    free(raw);
    /* Neither write left a temporary file behind. */
    char tmp[700];
    snprintf(tmp, sizeof tmp, "%s/" RN__CHECKPOINT_NAME ".tmp.4", fx->dir);
    assert_int_equal(rn_test_file_size(tmp), -1);
}

static void test_checkpoint_stale_temporary_files_are_removed(void **state) {
    fx_t *fx = *state;
    char tmp[700], other[700];
    snprintf(tmp, sizeof tmp, "%s/" RN__CHECKPOINT_NAME ".tmp.17", fx->dir);
    snprintf(other, sizeof other, "%s/meta.properties", fx->dir);
    rn_test_write_file(tmp, "0\n", 2);
    rn_test_write_file(other, "x", 1);
    rn__ckpt_remove_stale(fx->dir, RN__CHECKPOINT_NAME);
    assert_int_equal(rn_test_file_size(tmp), -1);
    assert_int_equal(rn_test_file_size(other), 1);
}

/* The high-watermark file shares the code under its own name: its writes and its
 * stale temporary files are its own. */
static void test_checkpoint_second_file_name_is_independent(void **state) {
    fx_t *fx = *state;
    rn__ckpt_writer_t hw;
    assert_int_equal(rn__ckpt_writer_init(&hw, fx->dir, RN__HW_CHECKPOINT_NAME), 0);
    assert_int_equal(rn__ckpt_write(&hw, 1, "0\n1\nt 0 5\n", 10), 0);
    write_sample(fx, 1);
    char path[700], tmp_hw[700], tmp_rp[700];
    snprintf(path, sizeof path, "%s/" RN__HW_CHECKPOINT_NAME, fx->dir);
    rn__ckpt_entry_t *e;
    size_t n;
    assert_int_equal(rn__checkpoint_read(path, &e, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rn__checkpoint_find(e, n, "t", 0), 5);
    rn__checkpoint_free(e, n);
    assert_int_equal(rn__checkpoint_read(fx->path, &e, &n), 0);
    assert_int_equal(n, 3);
    rn__checkpoint_free(e, n);
    snprintf(tmp_hw, sizeof tmp_hw, "%s/" RN__HW_CHECKPOINT_NAME ".tmp.3", fx->dir);
    snprintf(tmp_rp, sizeof tmp_rp, "%s/" RN__CHECKPOINT_NAME ".tmp.3", fx->dir);
    rn_test_write_file(tmp_hw, "0\n", 2);
    rn_test_write_file(tmp_rp, "0\n", 2);
    rn__ckpt_remove_stale(fx->dir, RN__HW_CHECKPOINT_NAME);
    assert_int_equal(rn_test_file_size(tmp_hw), -1);
    assert_int_equal(rn_test_file_size(tmp_rp), 2);
    rn__ckpt_writer_deinit(&hw);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_checkpoint_written_in_kafka_text_format),
        T(test_checkpoint_round_trip_and_lookup),
        T(test_checkpoint_empty_list_round_trips),
        T(test_checkpoint_missing_file_is_enoent),
        T(test_checkpoint_every_truncation_is_corrupt),
        T(test_checkpoint_malformed_files_are_corrupt),
        T(test_checkpoint_older_snapshot_never_replaces_newer),
        T(test_checkpoint_stale_temporary_files_are_removed),
        T(test_checkpoint_second_file_name_is_independent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
