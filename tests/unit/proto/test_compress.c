/* test_compress.c — gzip round trips, the decompression limit, broken streams. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "proto/compress.h"

#define LIMIT ((size_t)64 << 20)

/* Deterministic filler: half compressible text, half noise. */
static uint8_t *filler(size_t n) {
    uint8_t *p = rn_malloc(n);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (i / 4096) % 2 ? (uint8_t)x : (uint8_t)("runnel "[i % 7]);
    }
    return p;
}

static void gzip(const uint8_t *src, size_t len, rn_writer_t *out) {
    rn_writer_init(out, 0);
    assert_int_equal(rn_gzip_compress(out, src, len), 0);
}

static void roundtrip(size_t n) {
    uint8_t *src = filler(n);
    rn_writer_t z, plain;
    gzip(src, n, &z);
    assert_true(z.len >= 18);
    assert_int_equal(z.buf[0], 0x1f); /* gzip magic */
    assert_int_equal(z.buf[1], 0x8b);
    rn_writer_init(&plain, 0);
    assert_int_equal(rn_gzip_decompress(&plain, z.buf, z.len, LIMIT), 0);
    assert_int_equal(plain.len, n);
    if (n > 0)
        assert_memory_equal(plain.buf, src, n);
    rn_writer_deinit(&plain);
    rn_writer_deinit(&z);
    rn_free(src);
}

static void test_gzip_roundtrips(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    const size_t sizes[] = {0, 1, 100, 16384, 16385, 100000, 3 << 20};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        roundtrip(sizes[i]);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_gzip_appends_after_existing_bytes(void **state) {
    (void)state;
    rn_writer_t wr, out;
    rn_writer_init(&wr, 0);
    rn_writer_bytes(&wr, "HDR", 3);
    assert_int_equal(rn_gzip_compress(&wr, (const uint8_t *)"hello", 5), 0);
    rn_writer_init(&out, 0);
    rn_writer_bytes(&out, "x", 1);
    assert_int_equal(rn_gzip_decompress(&out, wr.buf + 3, wr.len - 3, 100), 0);
    assert_int_equal(out.len, 6);
    assert_memory_equal(out.buf, "xhello", 6);
    rn_writer_deinit(&wr);
    rn_writer_deinit(&out);
}

static void test_gzip_limit_is_exact(void **state) {
    (void)state;
    size_t n = 50000;
    uint8_t *src = filler(n);
    rn_writer_t z, out;
    gzip(src, n, &z);
    rn_writer_init(&out, 0);
    assert_int_equal(rn_gzip_decompress(&out, z.buf, z.len, n), 0);
    assert_int_equal(out.len, n);
    rn_writer_deinit(&out);
    rn_writer_init(&out, 0);
    assert_int_equal(rn_gzip_decompress(&out, z.buf, z.len, n - 1), RN_ETOOLARGE);
    rn_writer_deinit(&out);
    rn_writer_deinit(&z);
    rn_free(src);
}

static void test_gzip_bomb_stops_at_limit(void **state) {
    (void)state;
    /* 256 MiB of zeros compress to ~250 KB; the limit must stop inflation early
     * and bound the allocation. */
    size_t n = (size_t)256 << 20, limit = (size_t)1 << 20;
    uint8_t *zeros = rn_calloc(n, 1);
    rn_writer_t z, out;
    gzip(zeros, n, &z);
    rn_free(zeros);
    assert_true(z.len < n / 500);
    rn_writer_init(&out, 0);
    assert_int_equal(rn_gzip_decompress(&out, z.buf, z.len, limit), RN_ETOOLARGE);
    assert_true(out.cap <= limit + 1);
    rn_writer_deinit(&out);
    rn_writer_deinit(&z);
}

static void test_gzip_truncated_at_every_byte_fails(void **state) {
    (void)state;
    uint8_t *src = filler(3000);
    rn_writer_t z;
    gzip(src, 3000, &z);
    for (size_t cut = 0; cut < z.len; cut++) {
        rn_writer_t out;
        rn_writer_init(&out, 0);
        assert_int_equal(rn_gzip_decompress(&out, z.buf, cut, LIMIT), RN_ECOMPRESS);
        rn_writer_deinit(&out);
    }
    rn_writer_deinit(&z);
    rn_free(src);
}

static void test_gzip_corrupt_trailer_fails(void **state) {
    (void)state;
    rn_writer_t z, out;
    gzip((const uint8_t *)"some text to compress", 21, &z);
    z.buf[z.len - 5] ^= 0x01; /* the CRC-32 of the trailer */
    rn_writer_init(&out, 0);
    assert_int_equal(rn_gzip_decompress(&out, z.buf, z.len, LIMIT), RN_ECOMPRESS);
    rn_writer_deinit(&out);
    z.buf[z.len - 5] ^= 0x01;
    z.buf[z.len - 1] ^= 0x01; /* ISIZE */
    rn_writer_init(&out, 0);
    assert_int_equal(rn_gzip_decompress(&out, z.buf, z.len, LIMIT), RN_ECOMPRESS);
    rn_writer_deinit(&out);
    rn_writer_deinit(&z);
}

static void test_gzip_not_gzip_fails(void **state) {
    (void)state;
    rn_writer_t out;
    rn_writer_init(&out, 0);
    assert_int_equal(rn_gzip_decompress(&out, (const uint8_t *)"plain text", 10, LIMIT),
                     RN_ECOMPRESS);
    assert_int_equal(rn_gzip_decompress(&out, NULL, 0, LIMIT), RN_ECOMPRESS);
    rn_writer_deinit(&out);
}

static void test_gzip_concatenated_members_decode_in_order(void **state) {
    (void)state;
    rn_writer_t z, out;
    gzip((const uint8_t *)"first,", 6, &z);
    assert_int_equal(rn_gzip_compress(&z, (const uint8_t *)"second", 6), 0);
    rn_writer_init(&out, 0);
    assert_int_equal(rn_gzip_decompress(&out, z.buf, z.len, LIMIT), 0);
    assert_int_equal(out.len, 12);
    assert_memory_equal(out.buf, "first,second", 12);
    rn_writer_deinit(&out);
    rn_writer_deinit(&z);
}

static void test_gzip_trailing_garbage_fails(void **state) {
    (void)state;
    rn_writer_t z, out;
    gzip((const uint8_t *)"payload", 7, &z);
    rn_writer_bytes(&z, "junk", 4);
    rn_writer_init(&out, 0);
    assert_int_equal(rn_gzip_decompress(&out, z.buf, z.len, LIMIT), RN_ECOMPRESS);
    rn_writer_deinit(&out);
    rn_writer_deinit(&z);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gzip_roundtrips),
        cmocka_unit_test(test_gzip_appends_after_existing_bytes),
        cmocka_unit_test(test_gzip_limit_is_exact),
        cmocka_unit_test(test_gzip_bomb_stops_at_limit),
        cmocka_unit_test(test_gzip_truncated_at_every_byte_fails),
        cmocka_unit_test(test_gzip_corrupt_trailer_fails),
        cmocka_unit_test(test_gzip_not_gzip_fails),
        cmocka_unit_test(test_gzip_concatenated_members_decode_in_order),
        cmocka_unit_test(test_gzip_trailing_garbage_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
