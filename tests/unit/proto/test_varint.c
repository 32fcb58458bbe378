/* test_varint.c — unsigned varints, zigzag varint/varlong: encodings, boundaries,
 * overlong and truncated input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "common/errors.h"
#include "proto/varint.h"

static void roundtrip_varint(int32_t v) {
    uint8_t buf[RN_VARINT_MAX32 + 3];
    size_t n = rn_varint_encode(buf, v);
    assert_int_equal(n, rn_varint_size(v));
    int32_t got = 0;
    size_t used = 0;
    assert_int_equal(rn_varint_decode(buf, n, &got, &used), 0);
    assert_int_equal(used, n);
    assert_int_equal(got, v);
    /* Trailing bytes are not consumed. */
    memset(buf + n, 0xff, 3);
    assert_int_equal(rn_varint_decode(buf, n + 3, &got, &used), 0);
    assert_int_equal(used, n);
}

static void roundtrip_varlong(int64_t v) {
    uint8_t buf[RN_VARINT_MAX64];
    size_t n = rn_varlong_encode(buf, v);
    assert_int_equal(n, rn_varlong_size(v));
    int64_t got = 0;
    size_t used = 0;
    assert_int_equal(rn_varlong_decode(buf, n, &got, &used), 0);
    assert_int_equal(used, n);
    assert_true(got == v);
}

static void test_varint_known_encodings(void **state) {
    (void)state;
    uint8_t buf[RN_VARINT_MAX64];
    assert_int_equal(rn_uvarint32_encode(buf, 300), 2);
    assert_int_equal(buf[0], 0xac);
    assert_int_equal(buf[1], 0x02);
    /* zigzag: 0, -1, 1, -2 -> 0, 1, 2, 3 */
    assert_int_equal(rn_zigzag32_encode(0), 0);
    assert_int_equal(rn_zigzag32_encode(-1), 1);
    assert_int_equal(rn_zigzag32_encode(1), 2);
    assert_int_equal(rn_zigzag32_encode(-2), 3);
    assert_int_equal(rn_zigzag32_encode(INT32_MAX), 0xfffffffeu);
    assert_int_equal(rn_zigzag32_encode(INT32_MIN), 0xffffffffu);
    assert_true(rn_zigzag64_encode(INT64_MIN) == UINT64_MAX);
    assert_true(rn_zigzag64_encode(INT64_MAX) == UINT64_MAX - 1);
    /* -1 is the null length of Kafka's nullable bytes: one byte 0x01. */
    assert_int_equal(rn_varint_encode(buf, -1), 1);
    assert_int_equal(buf[0], 0x01);
    /* INT32_MIN -> ff ff ff ff 0f */
    assert_int_equal(rn_varint_encode(buf, INT32_MIN), 5);
    const uint8_t want[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
    assert_memory_equal(buf, want, 5);
}

static void test_varint_roundtrips_boundaries(void **state) {
    (void)state;
    const int32_t v32[] = {
        0,          1,         -1,        63,        -64,           64,           -65,
        8191,       -8192,     8192,      1048575,   -1048576,      1048576,      134217727,
        -134217728, 134217728, INT32_MAX, INT32_MIN, INT32_MAX - 1, INT32_MIN + 1};
    for (size_t i = 0; i < sizeof v32 / sizeof v32[0]; i++)
        roundtrip_varint(v32[i]);
    const int64_t v64[] = {0,
                           1,
                           -1,
                           INT32_MAX,
                           INT32_MIN,
                           (int64_t)1 << 62,
                           -((int64_t)1 << 62),
                           INT64_MAX,
                           INT64_MIN,
                           INT64_MAX - 1,
                           INT64_MIN + 1};
    for (size_t i = 0; i < sizeof v64 / sizeof v64[0]; i++)
        roundtrip_varlong(v64[i]);
    /* Every power of two and its neighbours, both signs. */
    for (int s = 0; s < 63; s++) {
        int64_t p = (int64_t)1 << s;
        roundtrip_varlong(p - 1);
        roundtrip_varlong(p);
        roundtrip_varlong(-p);
        if (s < 31) {
            roundtrip_varint((int32_t)p);
            roundtrip_varint((int32_t)-p);
        }
    }
}

static void test_varint_sizes_at_group_boundaries(void **state) {
    (void)state;
    assert_int_equal(rn_uvarint32_size(0), 1);
    assert_int_equal(rn_uvarint32_size(127), 1);
    assert_int_equal(rn_uvarint32_size(128), 2);
    assert_int_equal(rn_uvarint32_size(16383), 2);
    assert_int_equal(rn_uvarint32_size(16384), 3);
    assert_int_equal(rn_uvarint32_size(UINT32_MAX), 5);
    assert_int_equal(rn_uvarint64_size(UINT64_MAX), 10);
    assert_int_equal(rn_varint_size(INT32_MIN), 5);
    assert_int_equal(rn_varlong_size(INT64_MIN), 10);
    assert_int_equal(rn_varlong_size(-64), 1);
    assert_int_equal(rn_varlong_size(-65), 2);
}

static void test_varint_unsigned_max_roundtrips(void **state) {
    (void)state;
    uint8_t buf[RN_VARINT_MAX64];
    uint32_t u32 = 0;
    uint64_t u64 = 0;
    size_t used = 0;
    size_t n = rn_uvarint32_encode(buf, UINT32_MAX);
    assert_int_equal(rn_uvarint32_decode(buf, n, &u32, &used), 0);
    assert_int_equal(u32, UINT32_MAX);
    n = rn_uvarint64_encode(buf, UINT64_MAX);
    assert_int_equal(n, 10);
    assert_int_equal(rn_uvarint64_decode(buf, n, &u64, &used), 0);
    assert_true(u64 == UINT64_MAX);
}

static void test_varint_overlong_is_malformed(void **state) {
    (void)state;
    uint32_t u32 = 7;
    uint64_t u64 = 7;
    int32_t i32 = 7;
    size_t used = 99;
    /* Six bytes for a 32-bit value, even if the value would be 0. */
    const uint8_t six[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    assert_int_equal(rn_uvarint32_decode(six, sizeof six, &u32, &used), RN_EMALFORMED);
    assert_int_equal(rn_varint_decode(six, sizeof six, &i32, &used), RN_EMALFORMED);
    /* Five bytes whose last carries bits beyond 32. */
    const uint8_t wide5[] = {0xff, 0xff, 0xff, 0xff, 0x1f};
    assert_int_equal(rn_uvarint32_decode(wide5, sizeof wide5, &u32, &used), RN_EMALFORMED);
    /* Eleven bytes for a 64-bit value. */
    const uint8_t eleven[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    assert_int_equal(rn_uvarint64_decode(eleven, sizeof eleven, &u64, &used), RN_EMALFORMED);
    /* Ten bytes whose last carries bits beyond 64. */
    const uint8_t wide10[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
    assert_int_equal(rn_uvarint64_decode(wide10, sizeof wide10, &u64, &used), RN_EMALFORMED);
    /* Outputs untouched on error. */
    assert_int_equal(u32, 7);
    assert_true(u64 == 7);
    assert_int_equal(i32, 7);
    assert_int_equal(used, 99);
    /* The widest legal ones decode. */
    const uint8_t max5[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
    assert_int_equal(rn_uvarint32_decode(max5, sizeof max5, &u32, &used), 0);
    assert_int_equal(u32, UINT32_MAX);
    const uint8_t top10[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    assert_int_equal(rn_uvarint64_decode(top10, sizeof top10, &u64, &used), 0);
    assert_true(u64 == (uint64_t)1 << 63);
}

static void test_varint_non_minimal_within_limit_is_accepted(void **state) {
    (void)state;
    const uint8_t zero2[] = {0x80, 0x00};
    uint32_t u32 = 1;
    size_t used = 0;
    assert_int_equal(rn_uvarint32_decode(zero2, sizeof zero2, &u32, &used), 0);
    assert_int_equal(u32, 0);
    assert_int_equal(used, 2);
}

static void test_varint_truncated_at_every_byte_is_malformed(void **state) {
    (void)state;
    uint8_t buf[RN_VARINT_MAX64];
    size_t n = rn_varlong_encode(buf, INT64_MIN);
    for (size_t cut = 0; cut < n; cut++) {
        int64_t v;
        size_t used;
        assert_int_equal(rn_varlong_decode(buf, cut, &v, &used), RN_EMALFORMED);
    }
    n = rn_varint_encode(buf, INT32_MIN);
    for (size_t cut = 0; cut < n; cut++) {
        int32_t v;
        size_t used;
        assert_int_equal(rn_varint_decode(buf, cut, &v, &used), RN_EMALFORMED);
    }
    /* Empty input, NULL pointer. */
    int32_t v;
    size_t used;
    assert_int_equal(rn_varint_decode(NULL, 0, &v, &used), RN_EMALFORMED);
}

static void test_varint_pseudo_random_roundtrips(void **state) {
    (void)state;
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int shift = (int)(x & 63);
        int64_t v = (int64_t)(x >> shift);
        roundtrip_varlong(v);
        roundtrip_varlong((int64_t)(0 - (uint64_t)v));
        roundtrip_varint((int32_t)(uint32_t)v);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_varint_known_encodings),
        cmocka_unit_test(test_varint_roundtrips_boundaries),
        cmocka_unit_test(test_varint_sizes_at_group_boundaries),
        cmocka_unit_test(test_varint_unsigned_max_roundtrips),
        cmocka_unit_test(test_varint_overlong_is_malformed),
        cmocka_unit_test(test_varint_non_minimal_within_limit_is_accepted),
        cmocka_unit_test(test_varint_truncated_at_every_byte_is_malformed),
        cmocka_unit_test(test_varint_pseudo_random_roundtrips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
