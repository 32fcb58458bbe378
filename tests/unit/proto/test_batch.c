/* test_batch.c — RecordBatch v2 header decode, check, stamp and validate, against
 * batches we build and the two vectors written by librdkafka. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "batch_testutil.h"
#include "proto/batch.h"

#define MAX_BYTES (1 << 20)
#define TS0       1700000000000LL

/* ---- the librdkafka vectors --------------------------------------------------- */

/* Both vectors hold key-i/value-i with header h=v for i < 3, then a record with null
 * key and value and no headers; timestamps TS0 + i, offsets i. */
static void expect_vector_records(const uint8_t *p, size_t len) {
    rn_batch_iter_t it;
    rn_record_t rec;
    assert_rc(rn_batch_iter_init(&it, p, len), 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(rn_batch_iter_next(&it, &rec), 1);
        assert_true(rec.offset == i);
        assert_true(rec.timestamp == TS0 + i);
        assert_int_equal(rec.attributes, 0);
        if (i == 3) {
            assert_null(rec.key);
            assert_int_equal(rec.key_len, -1);
            assert_null(rec.value);
            assert_int_equal(rec.value_len, -1);
            assert_int_equal(rec.header_count, 0);
            continue;
        }
        char key[8], value[8];
        snprintf(key, sizeof key, "key-%d", i);
        snprintf(value, sizeof value, "value-%d", i);
        assert_int_equal(rec.key_len, 5);
        assert_memory_equal(rec.key, key, 5);
        assert_int_equal(rec.value_len, 7);
        assert_memory_equal(rec.value, value, 7);
        assert_int_equal(rec.header_count, 1);
        rn_record_header_t hdr;
        size_t pos = 0;
        assert_rc(rn_record_header_next(&rec, &pos, &hdr), 0);
        assert_int_equal(hdr.key_len, 1);
        assert_memory_equal(hdr.key, "h", 1);
        assert_int_equal(hdr.value_len, 1);
        assert_memory_equal(hdr.value, "v", 1);
        assert_int_equal(pos, rec.headers_len);
    }
    assert_int_equal(rn_batch_iter_next(&it, &rec), 0);
    assert_int_equal(rn_batch_iter_next(&it, &rec), 0); /* stays at the end */
    rn_batch_iter_deinit(&it);
}

static void expect_vector_header(const rn_batch_header_t *h, int16_t attributes, uint32_t crc) {
    assert_true(h->base_offset == 0);
    assert_int_equal(h->partition_leader_epoch, 0);
    assert_int_equal(h->magic, 2);
    assert_int_equal(h->crc, crc);
    assert_int_equal(h->attributes, attributes);
    assert_int_equal(h->last_offset_delta, 3);
    assert_true(h->base_timestamp == TS0);
    assert_true(h->max_timestamp == TS0 + 3);
    assert_true(h->producer_id == -1);
    assert_int_equal(h->producer_epoch, -1);
    assert_int_equal(h->base_sequence, -1);
    assert_int_equal(h->records_count, 4);
}

static void test_batch_vector_plain_decodes_to_the_four_records(void **state) {
    (void)state;
    size_t len;
    uint8_t *p = tb_vector("batch-v2-plain.bin", &len);
    rn_batch_header_t h;
    assert_int_equal(len, 137);
    assert_rc(rn_batch_validate(p, len, MAX_BYTES, &h), 0);
    expect_vector_header(&h, 0, 0x5731af89u);
    assert_int_equal(tb_get32(p + RN_BATCH_CRC_OFFSET), 0x5731af89u);
    assert_int_equal(rn_batch_size(&h), len);
    assert_true(rn_batch_last_offset(&h) == 3);
    expect_vector_records(p, len);
    rn_free(p);
}

static void test_batch_vector_gzip_decodes_to_the_four_records(void **state) {
    (void)state;
    size_t len;
    uint8_t *p = tb_vector("batch-v2-gzip.bin", &len);
    rn_batch_header_t h;
    assert_int_equal(len, 132);
    assert_rc(rn_batch_validate(p, len, MAX_BYTES, &h), 0);
    expect_vector_header(&h, RN_CODEC_GZIP, 0x13a44143u);
    assert_int_equal(tb_get32(p + RN_BATCH_CRC_OFFSET), 0x13a44143u);
    expect_vector_records(p, len);
    rn_free(p);
}

static void test_batch_building_the_vector_records_reproduces_plain_bytes(void **state) {
    (void)state;
    size_t len;
    uint8_t *want = tb_vector("batch-v2-plain.bin", &len);
    rn_batch_opts_t opts;
    rn_batch_opts_default(&opts);
    opts.partition_leader_epoch = 0; /* as the vector's broker stamped it */
    rn_batch_builder_t b;
    rn_batch_builder_init(&b, &opts);
    rn_record_header_t hdr = {(const uint8_t *)"h", 1, (const uint8_t *)"v", 1};
    for (int i = 0; i < 3; i++) {
        char key[8], value[8];
        snprintf(key, sizeof key, "key-%d", i);
        snprintf(value, sizeof value, "value-%d", i);
        assert_rc(rn_batch_builder_add(&b, TS0 + i, key, 5, value, 7, &hdr, 1), 0);
    }
    assert_rc(rn_batch_builder_add(&b, TS0 + 3, NULL, -1, NULL, -1, NULL, 0), 0);
    assert_int_equal(rn_batch_builder_size(&b), len);
    uint8_t *got = NULL;
    size_t got_len = 0;
    assert_rc(rn_batch_builder_finish(&b, &got, &got_len), 0);
    rn_batch_builder_deinit(&b);
    assert_int_equal(got_len, len);
    assert_memory_equal(got, want, len);
    rn_free(got);
    rn_free(want);
}

/* ---- truncation and corruption -------------------------------------------------- */

/* Every proper prefix is RN_EMALFORMED for check, validate and iteration. */
static void expect_every_cut_malformed(const uint8_t *full, size_t len) {
    for (size_t cut = 0; cut < len; cut++) {
        /* A fresh copy of exactly `cut` bytes so ASan sees any over-read. */
        uint8_t *p = rn_malloc(cut);
        memcpy(p, full, cut);
        rn_batch_header_t h;
        rn_batch_iter_t it;
        assert_rc(rn_batch_check(p, cut, &h), RN_EMALFORMED);
        assert_rc(rn_batch_validate(p, cut, MAX_BYTES, &h), RN_EMALFORMED);
        assert_rc(rn_batch_iter_init(&it, p, cut), RN_EMALFORMED);
        if (cut < RN_BATCH_HEADER_SIZE)
            assert_rc(rn_batch_header_decode(p, cut, &h), RN_EMALFORMED);
        rn_free(p);
    }
}

static void test_batch_cut_at_every_length_is_malformed(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    const char *vectors[] = {"batch-v2-plain.bin", "batch-v2-gzip.bin"};
    for (int v = 0; v < 2; v++) {
        size_t len;
        uint8_t *p = tb_vector(vectors[v], &len);
        expect_every_cut_malformed(p, len);
        rn_free(p);
    }
    size_t len;
    uint8_t *p = tb_build(20, RN_CODEC_GZIP, &len);
    expect_every_cut_malformed(p, len);
    rn_free(p);
    assert_int_equal(rn_alloc_live(), live);
}

/* Flip each bit pattern in turn at every CRC'd byte (and in the CRC itself). */
static void expect_every_flip_corrupt(uint8_t *p, size_t len) {
    for (size_t i = RN_BATCH_CRC_OFFSET; i < len; i++) {
        rn_batch_header_t h;
        rn_batch_iter_t it;
        p[i] ^= 0x5a;
        assert_rc(rn_batch_check(p, len, &h), RN_ECORRUPT);
        assert_rc(rn_batch_validate(p, len, MAX_BYTES, &h), RN_ECORRUPT);
        assert_rc(rn_batch_iter_init(&it, p, len), RN_ECORRUPT);
        p[i] ^= 0x5a;
    }
}

static void test_batch_flipped_byte_in_crc_range_is_corrupt(void **state) {
    (void)state;
    size_t len;
    uint8_t *p = tb_vector("batch-v2-plain.bin", &len);
    expect_every_flip_corrupt(p, len);
    rn_free(p);
    p = tb_vector("batch-v2-gzip.bin", &len);
    expect_every_flip_corrupt(p, len);
    rn_free(p);
    p = tb_build(5, RN_CODEC_NONE, &len);
    expect_every_flip_corrupt(p, len);
    rn_free(p);
}

static void test_batch_check_allows_bytes_after_the_batch(void **state) {
    (void)state;
    size_t len;
    uint8_t *one = tb_build(3, RN_CODEC_NONE, &len);
    uint8_t *two = rn_malloc(2 * len);
    memcpy(two, one, len);
    memcpy(two + len, one, len);
    rn_batch_header_t h;
    /* check: the first batch of a log segment; validate: exactly one batch. */
    assert_rc(rn_batch_check(two, 2 * len, &h), 0);
    assert_int_equal(rn_batch_size(&h), len);
    assert_rc(rn_batch_validate(two, 2 * len, MAX_BYTES, &h), RN_EMALFORMED);
    assert_rc(rn_batch_validate(two, len, MAX_BYTES, &h), 0);
    rn_free(two);
    rn_free(one);
}

/* ---- stamping ------------------------------------------------------------------- */

static void test_batch_stamp_keeps_crc_valid(void **state) {
    (void)state;
    size_t len;
    uint8_t *p = tb_vector("batch-v2-gzip.bin", &len);
    rn_batch_header_t h;
    rn_batch_stamp(p, 1234567890123LL, 42);
    assert_rc(rn_batch_validate(p, len, MAX_BYTES, &h), 0);
    assert_true(h.base_offset == 1234567890123LL);
    assert_int_equal(h.partition_leader_epoch, 42);
    assert_int_equal(h.crc, 0x13a44143u);
    assert_true(rn_batch_last_offset(&h) == 1234567890126LL);

    rn_batch_iter_t it;
    rn_record_t rec;
    assert_rc(rn_batch_iter_init(&it, p, len), 0);
    for (int64_t i = 0; rn_batch_iter_next(&it, &rec) == 1; i++)
        assert_true(rec.offset == 1234567890123LL + i);
    rn_batch_iter_deinit(&it);

    rn_batch_stamp(p, -1, INT32_MIN);
    assert_rc(rn_batch_check(p, len, &h), 0);
    assert_true(h.base_offset == -1);
    assert_int_equal(h.partition_leader_epoch, INT32_MIN);
    rn_free(p);
}

/* ---- header decode ---------------------------------------------------------------- */

static void test_batch_header_decode_bad_magic(void **state) {
    (void)state;
    size_t len;
    uint8_t *p = tb_build(1, RN_CODEC_NONE, &len);
    rn_batch_header_t h;
    const int8_t magics[] = {0, 1, 3, -1};
    for (size_t i = 0; i < sizeof magics; i++) {
        p[16] = (uint8_t)magics[i];
        assert_rc(rn_batch_header_decode(p, len, &h), RN_EBADMAGIC);
        assert_rc(rn_batch_check(p, len, &h), RN_EBADMAGIC);
        assert_rc(rn_batch_validate(p, len, MAX_BYTES, &h), RN_EBADMAGIC);
    }
    /* An old-format message shorter than a v2 header is still a magic problem. */
    assert_rc(rn_batch_header_decode(p, 30, &h), RN_EBADMAGIC);
    rn_free(p);
}

static void test_batch_header_decode_short_batch_length_is_malformed(void **state) {
    (void)state;
    size_t len;
    uint8_t *p = tb_build(1, RN_CODEC_NONE, &len);
    rn_batch_header_t h;
    const int32_t lengths[] = {48, 0, -1, INT32_MIN};
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        tb_put32(p + 8, (uint32_t)lengths[i]);
        assert_rc(rn_batch_header_decode(p, len, &h), RN_EMALFORMED);
        assert_rc(rn_batch_check(p, len, &h), RN_EMALFORMED);
    }
    /* A length past the buffer: the header decodes, the batch does not fit. */
    tb_put32(p + 8, (uint32_t)(len - RN_BATCH_LOG_OVERHEAD + 1));
    assert_rc(rn_batch_header_decode(p, len, &h), 0);
    assert_rc(rn_batch_check(p, len, &h), RN_EMALFORMED);
    tb_put32(p + 8, INT32_MAX);
    assert_rc(rn_batch_check(p, len, &h), RN_EMALFORMED);
    rn_free(p);
}

static void test_batch_last_offset_does_not_overflow(void **state) {
    (void)state;
    rn_batch_header_t h = {.base_offset = INT64_MAX, .last_offset_delta = 1};
    (void)rn_batch_last_offset(&h); /* wraps instead of undefined behaviour */
    h.base_offset = 10;
    h.last_offset_delta = 5;
    assert_true(rn_batch_last_offset(&h) == 15);
}

/* ---- validate: one distinct error per problem ------------------------------------ */

static void test_batch_validate_too_large(void **state) {
    (void)state;
    size_t len;
    uint8_t *p = tb_build(10, RN_CODEC_NONE, &len);
    rn_batch_header_t h;
    assert_rc(rn_batch_validate(p, len, len, &h), 0);
    assert_rc(rn_batch_validate(p, len, len - 1, &h), RN_ETOOLARGE);
    rn_free(p);
}

static void test_batch_validate_bad_codec(void **state) {
    (void)state;
    size_t len;
    uint8_t *p = tb_build(2, RN_CODEC_NONE, &len);
    rn_batch_header_t h;
    rn_batch_iter_t it;
    for (int codec = 2; codec <= 7; codec++) { /* snappy, lz4, zstd, undefined */
        tb_put16(p + RN_BATCH_ATTR_OFFSET, (uint16_t)codec);
        tb_fix(p, len);
        assert_rc(rn_batch_check(p, len, &h), 0); /* check does not look at the codec */
        assert_rc(rn_batch_validate(p, len, MAX_BYTES, &h), RN_EBADCODEC);
        assert_rc(rn_batch_iter_init(&it, p, len), RN_EBADCODEC);
    }
    rn_free(p);
}

static void test_batch_validate_other_attribute_bits_are_accepted(void **state) {
    (void)state;
    size_t len;
    uint8_t *p = tb_build(2, RN_CODEC_NONE, &len);
    rn_batch_header_t h;
    tb_put16(p + RN_BATCH_ATTR_OFFSET, RN_BATCH_ATTR_LOG_APPEND_TIME);
    tb_fix(p, len);
    assert_rc(rn_batch_validate(p, len, MAX_BYTES, &h), 0);
    assert_int_equal(h.attributes, RN_BATCH_ATTR_LOG_APPEND_TIME);
    rn_free(p);
}

/* Rewrite recordsCount / lastOffsetDelta of a 4-record batch, then validate. */
static int validate_with_counts(int32_t count, int32_t last_delta) {
    size_t len;
    uint8_t *p = tb_vector("batch-v2-plain.bin", &len);
    tb_put32(p + 57, (uint32_t)count);
    tb_put32(p + 23, (uint32_t)last_delta);
    tb_fix(p, len);
    rn_batch_header_t h;
    int rc = rn_batch_validate(p, len, MAX_BYTES, &h);
    rn_free(p);
    return rc;
}

static void test_batch_validate_bad_record_count(void **state) {
    (void)state;
    assert_rc(validate_with_counts(4, 3), 0);
    assert_rc(validate_with_counts(3, 2), RN_EBADCOUNT); /* one record too many */
    assert_rc(validate_with_counts(5, 4), RN_EBADCOUNT); /* one record missing */
    assert_rc(validate_with_counts(0, -1), RN_EBADCOUNT);
    assert_rc(validate_with_counts(-1, -2), RN_EBADCOUNT);
    assert_rc(validate_with_counts(INT32_MAX, INT32_MAX - 1), RN_EBADCOUNT);
    assert_rc(validate_with_counts(INT32_MIN, INT32_MAX), RN_EBADCOUNT);
    assert_rc(validate_with_counts(4, 4), RN_EBADCOUNT); /* lastOffsetDelta disagrees */
    assert_rc(validate_with_counts(4, 2), RN_EBADCOUNT);
}

static int validate_area(const rn_writer_t *area, int32_t count) {
    size_t len;
    uint8_t *p = tb_wrap(area->buf, area->len, count, count - 1, 0, &len);
    rn_batch_header_t h;
    int rc = rn_batch_validate(p, len, MAX_BYTES, &h);
    rn_free(p);
    return rc;
}

static void test_batch_validate_bad_offset_deltas(void **state) {
    (void)state;
    const int32_t cases[][3] = {{0, 2, 3}, {1, 2, 3}, {0, 0, 1}, {0, 1, 1}, {0, -1, 2}, {2, 1, 0}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        rn_writer_t area;
        rn_writer_init(&area, 0);
        for (int i = 0; i < 3; i++)
            tb_record(&area, cases[c][i], 1, 1);
        assert_rc(validate_area(&area, 3), RN_EBADOFFSET);
        rn_writer_deinit(&area);
    }
    rn_writer_t area;
    rn_writer_init(&area, 0);
    for (int i = 0; i < 3; i++)
        tb_record(&area, i, 1, 1);
    assert_rc(validate_area(&area, 3), 0);
    rn_writer_deinit(&area);
}

static void test_batch_validate_trailing_garbage_is_malformed(void **state) {
    (void)state;
    rn_writer_t area;
    rn_writer_init(&area, 0);
    tb_record(&area, 0, 2, 2);
    rn_writer_u8(&area, 0x7f); /* a record length of -64: not a record */
    assert_rc(validate_area(&area, 1), RN_EMALFORMED);
    rn_writer_deinit(&area);
}

static void test_batch_validate_record_lengths_out_of_bounds(void **state) {
    (void)state;
    /* A record whose length claims more than the area holds. */
    rn_writer_t area;
    rn_writer_init(&area, 0);
    tb_record(&area, 0, 2, 2);
    area.buf[0] = 0x7e; /* length 63 */
    assert_rc(validate_area(&area, 1), RN_EMALFORMED);
    /* A record whose fields end before its length: one spare byte inside. */
    rn_writer_deinit(&area);
    rn_writer_init(&area, 0);
    tb_record(&area, 0, 2, 2);
    area.buf[0] += 2; /* zigzag: length + 1 */
    rn_writer_u8(&area, 0);
    assert_rc(validate_area(&area, 1), RN_EMALFORMED);
    rn_writer_deinit(&area);
    /* A key longer than the record. */
    rn_writer_init(&area, 0);
    tb_record(&area, 0, 2, 2);
    area.buf[4] = 0x10; /* key length 8 in a 10-byte body */
    assert_rc(validate_area(&area, 1), RN_EMALFORMED);
    rn_writer_deinit(&area);
    /* A key length below -1. */
    rn_writer_init(&area, 0);
    tb_record(&area, 0, -1, -1);
    area.buf[4] = 0x03; /* -2 */
    assert_rc(validate_area(&area, 1), RN_EMALFORMED);
    rn_writer_deinit(&area);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_vector_plain_decodes_to_the_four_records),
        cmocka_unit_test(test_batch_vector_gzip_decodes_to_the_four_records),
        cmocka_unit_test(test_batch_building_the_vector_records_reproduces_plain_bytes),
        cmocka_unit_test(test_batch_cut_at_every_length_is_malformed),
        cmocka_unit_test(test_batch_flipped_byte_in_crc_range_is_corrupt),
        cmocka_unit_test(test_batch_check_allows_bytes_after_the_batch),
        cmocka_unit_test(test_batch_stamp_keeps_crc_valid),
        cmocka_unit_test(test_batch_header_decode_bad_magic),
        cmocka_unit_test(test_batch_header_decode_short_batch_length_is_malformed),
        cmocka_unit_test(test_batch_last_offset_does_not_overflow),
        cmocka_unit_test(test_batch_validate_too_large),
        cmocka_unit_test(test_batch_validate_bad_codec),
        cmocka_unit_test(test_batch_validate_other_attribute_bits_are_accepted),
        cmocka_unit_test(test_batch_validate_bad_record_count),
        cmocka_unit_test(test_batch_validate_bad_offset_deltas),
        cmocka_unit_test(test_batch_validate_trailing_garbage_is_malformed),
        cmocka_unit_test(test_batch_validate_record_lengths_out_of_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
