/* test_reader.c — the bounds-checked read cursor: big-endian values, sticky errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>

#include "common/errors.h"
#include "proto/reader.h"

static const uint8_t bytes[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
                                0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0xff, 0xfe};

static void test_reader_reads_big_endian(void **state) {
    (void)state;
    rn_reader_t rd;
    rn_reader_init(&rd, bytes, sizeof bytes);
    assert_int_equal(rn_reader_u8(&rd), 0x01);
    assert_int_equal(rn_reader_u16(&rd), 0x0203);
    assert_int_equal(rn_reader_u32(&rd), 0x04050607);
    assert_true(rn_reader_u64(&rd) == 0x08090a0b0c0d0e0fu);
    assert_int_equal(rn_reader_i16(&rd), -2); /* ff fe */
    assert_int_equal(rn_reader_remaining(&rd), 0);
    assert_int_equal(rd.err, 0);
}

static void test_reader_signed_values(void **state) {
    (void)state;
    const uint8_t neg[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80};
    rn_reader_t rd;
    rn_reader_init(&rd, neg, sizeof neg);
    assert_true(rn_reader_i64(&rd) == -1);
    assert_int_equal(rn_reader_i8(&rd), -128);
    rn_reader_init(&rd, neg, 4);
    assert_int_equal(rn_reader_i32(&rd), -1);
}

static void test_reader_short_read_is_sticky(void **state) {
    (void)state;
    rn_reader_t rd;
    rn_reader_init(&rd, bytes, 3);
    assert_int_equal(rn_reader_u16(&rd), 0x0102);
    assert_int_equal(rn_reader_u32(&rd), 0); /* only one byte left */
    assert_int_equal(rd.err, RN_EMALFORMED);
    assert_int_equal(rd.pos, 2); /* the failed read consumed nothing */
    /* Everything after fails the same way, even reads that would fit. */
    assert_int_equal(rn_reader_u8(&rd), 0);
    assert_null(rn_reader_bytes(&rd, 0));
    assert_int_equal(rn_reader_remaining(&rd), 0);
    assert_int_equal(rd.err, RN_EMALFORMED);
}

static void test_reader_bytes_are_views(void **state) {
    (void)state;
    rn_reader_t rd;
    rn_reader_init(&rd, bytes, sizeof bytes);
    const uint8_t *v = rn_reader_bytes(&rd, 4);
    assert_ptr_equal(v, bytes);
    assert_ptr_equal(rn_reader_bytes(&rd, 0), bytes + 4);
    rn_reader_skip(&rd, sizeof bytes - 4);
    assert_int_equal(rd.err, 0);
    assert_non_null(rn_reader_bytes(&rd, 0)); /* at the end, zero bytes still fit */
    assert_null(rn_reader_bytes(&rd, 1));
    assert_int_equal(rd.err, RN_EMALFORMED);
}

static void test_reader_huge_length_does_not_wrap(void **state) {
    (void)state;
    rn_reader_t rd;
    rn_reader_init(&rd, bytes, sizeof bytes);
    rn_reader_skip(&rd, 1);
    assert_null(rn_reader_bytes(&rd, SIZE_MAX));
    assert_int_equal(rd.err, RN_EMALFORMED);
}

static void test_reader_null_empty_buffer(void **state) {
    (void)state;
    rn_reader_t rd;
    rn_reader_init(&rd, NULL, 0);
    assert_int_equal(rn_reader_remaining(&rd), 0);
    assert_non_null(rn_reader_bytes(&rd, 0));
    assert_int_equal(rn_reader_varint(&rd), 0);
    assert_int_equal(rd.err, RN_EMALFORMED);
}

static void test_reader_varints(void **state) {
    (void)state;
    /* 300 unsigned, -1 zigzag, INT64_MIN zigzag (ten bytes) */
    const uint8_t in[] = {0xac, 0x02, 0x01, 0xff, 0xff, 0xff, 0xff,
                          0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x80};
    rn_reader_t rd;
    rn_reader_init(&rd, in, sizeof in);
    assert_int_equal(rn_reader_uvarint(&rd), 300);
    assert_int_equal(rn_reader_varint(&rd), -1);
    assert_true(rn_reader_varlong(&rd) == INT64_MIN);
    assert_int_equal(rd.err, 0);
    assert_int_equal(rn_reader_varint(&rd), 0); /* 0x80 then nothing */
    assert_int_equal(rd.err, RN_EMALFORMED);
    assert_int_equal(rd.pos, sizeof in - 1);
}

static void test_reader_overlong_varint_is_malformed(void **state) {
    (void)state;
    const uint8_t in[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    rn_reader_t rd;
    rn_reader_init(&rd, in, sizeof in);
    (void)rn_reader_varint(&rd);
    assert_int_equal(rd.err, RN_EMALFORMED);
}

static void test_reader_fail_keeps_first_error(void **state) {
    (void)state;
    rn_reader_t rd;
    rn_reader_init(&rd, bytes, sizeof bytes);
    rn_reader_fail(&rd, RN_EBADCOUNT);
    rn_reader_fail(&rd, RN_EMALFORMED);
    assert_int_equal(rd.err, RN_EBADCOUNT);
    assert_int_equal(rn_reader_u8(&rd), 0);
    assert_int_equal(rd.err, RN_EBADCOUNT);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader_reads_big_endian),
        cmocka_unit_test(test_reader_signed_values),
        cmocka_unit_test(test_reader_short_read_is_sticky),
        cmocka_unit_test(test_reader_bytes_are_views),
        cmocka_unit_test(test_reader_huge_length_does_not_wrap),
        cmocka_unit_test(test_reader_null_empty_buffer),
        cmocka_unit_test(test_reader_varints),
        cmocka_unit_test(test_reader_overlong_varint_is_malformed),
        cmocka_unit_test(test_reader_fail_keeps_first_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
