/* test_writer.c — the growable writer: big-endian output, reserve and patch, growth. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>

#include "common/alloc.h"
#include "proto/reader.h"
#include "proto/writer.h"

static void test_writer_writes_big_endian(void **state) {
    (void)state;
    rn_writer_t wr;
    rn_writer_init(&wr, 1);
    rn_writer_u8(&wr, 0x01);
    rn_writer_u16(&wr, 0x0203);
    rn_writer_u32(&wr, 0x04050607);
    rn_writer_u64(&wr, 0x08090a0b0c0d0e0fu);
    rn_writer_i16(&wr, -2);
    rn_writer_i8(&wr, -1);
    rn_writer_i32(&wr, -1);
    rn_writer_i64(&wr, INT64_MIN);
    const uint8_t want[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
                            0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0xff, 0xfe, 0xff, 0xff, 0xff,
                            0xff, 0xff, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    assert_int_equal(wr.len, sizeof want);
    assert_memory_equal(wr.buf, want, sizeof want);
    rn_writer_deinit(&wr);
}

static void test_writer_reserve_then_patch(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    size_t len_at = rn_writer_reserve(&wr, 4);
    size_t crc_at = rn_writer_reserve(&wr, 4);
    rn_writer_bytes(&wr, "body", 4);
    /* Grow well past the first allocation so the buffer moves. */
    for (int i = 0; i < 10000; i++)
        rn_writer_u32(&wr, (uint32_t)i);
    rn_writer_patch_i32(&wr, len_at, (int32_t)(wr.len - 4));
    rn_writer_patch_u32(&wr, crc_at, 0xdeadbeef);

    size_t len = 0;
    uint8_t *buf = rn_writer_take(&wr, &len);
    assert_null(wr.buf);
    rn_reader_t rd;
    rn_reader_init(&rd, buf, len);
    assert_int_equal(rn_reader_i32(&rd), (int32_t)(len - 4));
    assert_int_equal(rn_reader_u32(&rd), 0xdeadbeef);
    assert_memory_equal(rn_reader_bytes(&rd, 4), "body", 4);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(rn_reader_u32(&rd), (uint32_t)i);
    assert_int_equal(rd.err, 0);
    assert_int_equal(rn_reader_remaining(&rd), 0);
    rn_free(buf);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_writer_patch_widths(void **state) {
    (void)state;
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    rn_writer_reserve(&wr, 1 + 2 + 8 + 8);
    rn_writer_patch_u8(&wr, 0, 0xaa);
    rn_writer_patch_u16(&wr, 1, 0xbbcc);
    rn_writer_patch_u64(&wr, 3, 0x0102030405060708u);
    rn_writer_patch_i64(&wr, 11, -1);
    rn_reader_t rd;
    rn_reader_init(&rd, wr.buf, wr.len);
    assert_int_equal(rn_reader_u8(&rd), 0xaa);
    assert_int_equal(rn_reader_u16(&rd), 0xbbcc);
    assert_true(rn_reader_u64(&rd) == 0x0102030405060708u);
    assert_true(rn_reader_i64(&rd) == -1);
    rn_writer_deinit(&wr);
}

static void test_writer_varints_roundtrip_through_reader(void **state) {
    (void)state;
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    rn_writer_uvarint(&wr, UINT32_MAX);
    rn_writer_varint(&wr, INT32_MIN);
    rn_writer_varlong(&wr, INT64_MAX);
    rn_writer_varint(&wr, -1);
    assert_int_equal(wr.len, 5 + 5 + 10 + 1);
    rn_reader_t rd;
    rn_reader_init(&rd, wr.buf, wr.len);
    assert_int_equal(rn_reader_uvarint(&rd), UINT32_MAX);
    assert_int_equal(rn_reader_varint(&rd), INT32_MIN);
    assert_true(rn_reader_varlong(&rd) == INT64_MAX);
    assert_int_equal(rn_reader_varint(&rd), -1);
    assert_int_equal(rd.err, 0);
    rn_writer_deinit(&wr);
}

static void test_writer_take_when_empty_is_null(void **state) {
    (void)state;
    rn_writer_t wr;
    size_t len = 99;
    rn_writer_init(&wr, 0);
    assert_null(rn_writer_take(&wr, &len));
    assert_int_equal(len, 0);
    rn_writer_bytes(&wr, NULL, 0); /* allowed, allocates nothing visible */
    assert_int_equal(wr.len, 0);
    rn_writer_deinit(&wr);
}

static void test_writer_ensure_and_advance(void **state) {
    (void)state;
    rn_writer_t wr;
    rn_writer_init(&wr, 2);
    uint8_t *p = rn_writer_ensure(&wr, 1000);
    for (int i = 0; i < 1000; i++)
        p[i] = (uint8_t)i;
    rn_writer_advance(&wr, 1000);
    assert_int_equal(wr.len, 1000);
    assert_true(wr.cap >= 1000);
    assert_int_equal(wr.buf[999], (uint8_t)999);
    rn_writer_deinit(&wr);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writer_writes_big_endian),
        cmocka_unit_test(test_writer_reserve_then_patch),
        cmocka_unit_test(test_writer_patch_widths),
        cmocka_unit_test(test_writer_varints_roundtrip_through_reader),
        cmocka_unit_test(test_writer_take_when_empty_is_null),
        cmocka_unit_test(test_writer_ensure_and_advance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
