/* test_batch_iter.c — walking records and headers: sticky errors, bad lengths and
 * counts inside a batch whose CRC is valid, compressed payload problems. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "batch_testutil.h"
#include "proto/batch.h"
#include "proto/compress.h"

#define MAX_BYTES ((size_t)64 << 20)

/* Iterate the whole batch; return the first non-1 result and count records. */
static int walk(const uint8_t *p, size_t len, int *records) {
    rn_batch_iter_t it;
    rn_record_t rec;
    int rc = rn_batch_iter_init(&it, p, len);
    *records = 0;
    if (rc != 0)
        return rc;
    while ((rc = rn_batch_iter_next(&it, &rec)) == 1)
        (*records)++;
    rn_batch_iter_deinit(&it);
    return rc;
}

static void test_iter_errors_are_sticky(void **state) {
    (void)state;
    rn_writer_t area;
    rn_writer_init(&area, 0);
    tb_record(&area, 0, 1, 1);
    tb_record(&area, 5, 1, 1); /* bad offset delta */
    tb_record(&area, 2, 1, 1);
    size_t len;
    uint8_t *p = tb_wrap(area.buf, area.len, 3, 2, 0, &len);
    rn_batch_iter_t it;
    rn_record_t rec;
    assert_rc(rn_batch_iter_init(&it, p, len), 0);
    assert_int_equal(rn_batch_iter_next(&it, &rec), 1);
    assert_rc(rn_batch_iter_next(&it, &rec), RN_EBADOFFSET);
    assert_rc(rn_batch_iter_next(&it, &rec), RN_EBADOFFSET);
    assert_rc(rn_batch_iter_next(&it, &rec), RN_EBADOFFSET);
    rn_batch_iter_deinit(&it);
    rn_free(p);
    rn_writer_deinit(&area);
}

/* Cut the records area at every length and fix up the CRC: the batch is then intact
 * as far as rn_batch_check can tell, and only the record walk can notice. */
static void test_iter_records_area_cut_at_every_length(void **state) {
    (void)state;
    size_t full_len;
    uint8_t *full = tb_vector("batch-v2-plain.bin", &full_len);
    /* Record boundaries in the vector: 61, 84, 107, 130, 137. */
    for (size_t cut = RN_BATCH_HEADER_SIZE; cut < full_len; cut++) {
        uint8_t *p = rn_malloc(cut);
        memcpy(p, full, cut);
        tb_fix(p, cut);
        rn_batch_header_t h;
        int records;
        int want =
            (cut == 61 || cut == 84 || cut == 107 || cut == 130) ? RN_EBADCOUNT : RN_EMALFORMED;
        assert_rc(rn_batch_check(p, cut, &h), 0);
        assert_rc(rn_batch_validate(p, cut, MAX_BYTES, &h), want);
        assert_rc(walk(p, cut, &records), want);
        rn_free(p);
    }
    rn_free(full);
}

static void test_iter_negative_record_count(void **state) {
    (void)state;
    size_t len;
    uint8_t *p = tb_wrap(NULL, 0, -1, 0, 0, &len);
    int records;
    assert_rc(walk(p, len, &records), RN_EBADCOUNT);
    rn_free(p);
    /* A zero-record batch iterates to an immediate end, but is not valid to append. */
    p = tb_wrap(NULL, 0, 0, -1, 0, &len);
    rn_batch_header_t h;
    assert_rc(walk(p, len, &records), 0);
    assert_int_equal(records, 0);
    assert_rc(rn_batch_validate(p, len, MAX_BYTES, &h), RN_EBADCOUNT);
    rn_free(p);
}

/* One record with hand-written body bytes. */
static int walk_body(const uint8_t *body, size_t n) {
    rn_writer_t area;
    rn_writer_init(&area, 0);
    rn_writer_varint(&area, (int32_t)n);
    rn_writer_bytes(&area, body, n);
    size_t len;
    uint8_t *p = tb_wrap(area.buf, area.len, 1, 0, 0, &len);
    int records;
    int rc = walk(p, len, &records);
    rn_free(p);
    rn_writer_deinit(&area);
    return rc;
}

static void test_iter_bad_record_bodies(void **state) {
    (void)state;
    /* attributes, ts delta, offset delta, key, value, header count, headers */
    const uint8_t ok[] = {0, 0, 0, 0x02, 'k', 0x02, 'v', 0x02, 0x02, 'h', 0x02, 'x'};
    assert_rc(walk_body(ok, sizeof ok), 0);
    const uint8_t null_header_value[] = {0, 0, 0, 0x02, 'k', 0x02, 'v', 0x02, 0x02, 'h', 0x01};
    assert_rc(walk_body(null_header_value, sizeof null_header_value), 0);

    const uint8_t null_header_key[] = {0, 0, 0, 0x02, 'k', 0x02, 'v', 0x02, 0x01, 0x02, 'x'};
    assert_rc(walk_body(null_header_key, sizeof null_header_key), RN_EMALFORMED);
    const uint8_t header_value_below_null[] = {0,   0,    0,    0x02, 'k', 0x02,
                                               'v', 0x02, 0x02, 'h',  0x03};
    assert_rc(walk_body(header_value_below_null, sizeof header_value_below_null), RN_EMALFORMED);
    const uint8_t negative_header_count[] = {0, 0, 0, 0x02, 'k', 0x02, 'v', 0x01};
    assert_rc(walk_body(negative_header_count, sizeof negative_header_count), RN_EMALFORMED);
    const uint8_t too_many_headers[] = {0, 0, 0, 0x02, 'k', 0x02, 'v', 0x04, 0x02, 'h', 0x02, 'x'};
    assert_rc(walk_body(too_many_headers, sizeof too_many_headers), RN_EMALFORMED);
    const uint8_t huge_header_count[] = {0, 0, 0, 0x01, 0x01, 0xfe, 0xff, 0xff, 0xff, 0x0f};
    assert_rc(walk_body(huge_header_count, sizeof huge_header_count), RN_EMALFORMED);
    const uint8_t value_below_null[] = {0, 0, 0, 0x02, 'k', 0x05, 0x00};
    assert_rc(walk_body(value_below_null, sizeof value_below_null), RN_EMALFORMED);
    const uint8_t overlong_ts[] = {0,    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                   0x80, 0x80, 0x80, 0x00, 0,    0x01, 0x01, 0x00};
    assert_rc(walk_body(overlong_ts, sizeof overlong_ts), RN_EMALFORMED);
    const uint8_t missing_header_count[] = {0, 0, 0, 0x01, 0x01};
    assert_rc(walk_body(missing_header_count, sizeof missing_header_count), RN_EMALFORMED);
    assert_rc(walk_body(NULL, 0), RN_EMALFORMED);
}

static void test_iter_negative_record_length(void **state) {
    (void)state;
    const uint8_t area[] = {0x01, 0, 0, 0, 0x01, 0x01, 0x00}; /* length -1 */
    size_t len;
    uint8_t *p = tb_wrap(area, sizeof area, 1, 0, 0, &len);
    int records;
    assert_rc(walk(p, len, &records), RN_EMALFORMED);
    rn_free(p);
}

static void test_iter_header_next_checks_bounds(void **state) {
    (void)state;
    const uint8_t hdrs[] = {0x02, 'h', 0x02, 'v', 0x02, 'k'}; /* second header cut short */
    rn_record_t rec = {.header_count = 2, .headers = hdrs, .headers_len = sizeof hdrs};
    rn_record_header_t hdr;
    size_t pos = 0;
    assert_rc(rn_record_header_next(&rec, &pos, &hdr), 0);
    assert_int_equal(pos, 4);
    assert_rc(rn_record_header_next(&rec, &pos, &hdr), RN_EMALFORMED);
    assert_int_equal(pos, 4); /* unchanged on error */
    pos = 99;
    assert_rc(rn_record_header_next(&rec, &pos, &hdr), RN_EMALFORMED);
}

/* A gzip batch around an arbitrary payload (the compressed bytes given as is). */
static uint8_t *gzip_batch(const uint8_t *payload, size_t n, int32_t count, size_t *len) {
    return tb_wrap(payload, n, count, count - 1, RN_CODEC_GZIP, len);
}

static void test_iter_gzip_payload_that_is_not_gzip(void **state) {
    (void)state;
    size_t len;
    uint8_t *p = gzip_batch((const uint8_t *)"definitely not gzip", 19, 1, &len);
    int records;
    rn_batch_header_t h;
    assert_rc(rn_batch_check(p, len, &h), 0);
    assert_rc(walk(p, len, &records), RN_ECOMPRESS);
    assert_rc(rn_batch_validate(p, len, MAX_BYTES, &h), RN_ECOMPRESS);
    rn_free(p);
}

static void test_iter_gzip_bomb_is_too_large(void **state) {
    (void)state;
    /* A valid gzip stream inflating to one byte more than the limit. */
    size_t n = RN_BATCH_MAX_INFLATED + 1;
    uint8_t *zeros = rn_calloc(n, 1);
    rn_writer_t z;
    rn_writer_init(&z, 0);
    assert_rc(rn_gzip_compress(&z, zeros, n), 0);
    rn_free(zeros);
    size_t len;
    uint8_t *p = gzip_batch(z.buf, z.len, 1, &len);
    rn_writer_deinit(&z);
    int records;
    rn_batch_header_t h;
    assert_rc(walk(p, len, &records), RN_ETOOLARGE);
    assert_rc(rn_batch_validate(p, len, MAX_BYTES, &h), RN_ETOOLARGE);
    rn_free(p);
}

static void test_iter_gzip_records_are_checked_like_plain_ones(void **state) {
    (void)state;
    rn_writer_t area, z;
    rn_writer_init(&area, 0);
    tb_record(&area, 0, 3, 3);
    tb_record(&area, 7, 3, 3);
    rn_writer_init(&z, 0);
    assert_rc(rn_gzip_compress(&z, area.buf, area.len), 0);
    size_t len;
    uint8_t *p = gzip_batch(z.buf, z.len, 2, &len);
    int records;
    rn_batch_header_t h;
    assert_rc(walk(p, len, &records), RN_EBADOFFSET);
    assert_int_equal(records, 1);
    assert_rc(rn_batch_validate(p, len, MAX_BYTES, &h), RN_EBADOFFSET);
    rn_free(p);
    rn_writer_deinit(&z);
    rn_writer_deinit(&area);
}

static void test_iter_offsets_near_int64_max_wrap_without_ub(void **state) {
    (void)state;
    size_t len;
    uint8_t *p = tb_build(3, RN_CODEC_NONE, &len);
    rn_batch_stamp(p, INT64_MAX - 1, 0);
    rn_batch_iter_t it;
    rn_record_t rec;
    assert_rc(rn_batch_iter_init(&it, p, len), 0);
    assert_int_equal(rn_batch_iter_next(&it, &rec), 1);
    assert_true(rec.offset == INT64_MAX - 1);
    assert_int_equal(rn_batch_iter_next(&it, &rec), 1);
    assert_true(rec.offset == INT64_MAX);
    assert_int_equal(rn_batch_iter_next(&it, &rec), 1); /* wraps; no trap */
    assert_int_equal(rn_batch_iter_next(&it, &rec), 0);
    rn_batch_iter_deinit(&it);
    rn_free(p);
}

static void test_iter_deinit_frees_inflated_buffer(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    size_t len;
    uint8_t *p = tb_vector("batch-v2-gzip.bin", &len);
    rn_batch_iter_t it;
    assert_rc(rn_batch_iter_init(&it, p, len), 0);
    assert_non_null(it.inflated);
    rn_batch_iter_deinit(&it);
    rn_free(p);
    assert_int_equal(rn_alloc_live(), live);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iter_errors_are_sticky),
        cmocka_unit_test(test_iter_records_area_cut_at_every_length),
        cmocka_unit_test(test_iter_negative_record_count),
        cmocka_unit_test(test_iter_bad_record_bodies),
        cmocka_unit_test(test_iter_negative_record_length),
        cmocka_unit_test(test_iter_header_next_checks_bounds),
        cmocka_unit_test(test_iter_gzip_payload_that_is_not_gzip),
        cmocka_unit_test(test_iter_gzip_bomb_is_too_large),
        cmocka_unit_test(test_iter_gzip_records_are_checked_like_plain_ones),
        cmocka_unit_test(test_iter_offsets_near_int64_max_wrap_without_ub),
        cmocka_unit_test(test_iter_deinit_frees_inflated_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
