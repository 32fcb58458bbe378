/*
 * batch_testutil.h — helpers shared by the proto batch tests (header-only: the test
 * glob builds one executable per test_*.c, so shared code lives in static inlines).
 *
 * Include after cmocka.h.
 */
#ifndef RN_TEST_BATCH_TESTUTIL_H
#define RN_TEST_BATCH_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/crc32c.h"
#include "common/errors.h"
#include "proto/batch.h"
#include "proto/writer.h"
#include "testutil.h"

/* Assert two runnel codes are equal, printing both names on failure. */
#define assert_rc(got, want)                                                                       \
    do {                                                                                           \
        int got_ = (got), want_ = (want);                                                          \
        if (got_ != want_)                                                                         \
            fail_msg("%s: got %s, want %s", #got, rn_errname(got_), rn_errname(want_));            \
    } while (0)

/* Big-endian loads/stores for poking at headers in tests. */
static inline uint32_t tb_get32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void tb_put32(uint8_t *p, uint32_t v) {
    rn_put_be(p, v, 4);
}

static inline void tb_put16(uint8_t *p, uint16_t v) {
    rn_put_be(p, v, 2);
}

/* Recompute batchLength from len and the CRC over attributes..end. */
static inline void tb_fix(uint8_t *p, size_t len) {
    tb_put32(p + 8, (uint32_t)(len - RN_BATCH_LOG_OVERHEAD));
    tb_put32(p + RN_BATCH_CRC_OFFSET,
             rn_crc32c(p + RN_BATCH_ATTR_OFFSET, len - RN_BATCH_ATTR_OFFSET));
}

/* A batch around a hand-written records area, independent of the builder:
 * base offset 0, epoch -1, timestamps 1000, producer fields -1. Free with rn_free. */
static inline uint8_t *tb_wrap(const uint8_t *area, size_t area_len, int32_t count,
                               int32_t last_delta, int16_t attributes, size_t *out_len) {
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    rn_writer_i64(&wr, 0);
    rn_writer_reserve(&wr, 4);
    rn_writer_i32(&wr, -1);
    rn_writer_i8(&wr, RN_BATCH_MAGIC);
    rn_writer_reserve(&wr, 4);
    rn_writer_i16(&wr, attributes);
    rn_writer_i32(&wr, last_delta);
    rn_writer_i64(&wr, 1000);
    rn_writer_i64(&wr, 1000);
    rn_writer_i64(&wr, -1);
    rn_writer_i16(&wr, -1);
    rn_writer_i32(&wr, -1);
    rn_writer_i32(&wr, count);
    rn_writer_bytes(&wr, area, area_len);
    uint8_t *p = rn_writer_take(&wr, out_len);
    tb_fix(p, *out_len);
    return p;
}

/* Append one record with the given raw fields (no headers) to a records area. */
static inline void tb_record(rn_writer_t *wr, int32_t offset_delta, int32_t key_len,
                             int32_t value_len) {
    rn_writer_t body;
    rn_writer_init(&body, 0);
    rn_writer_i8(&body, 0);
    rn_writer_varlong(&body, 0);
    rn_writer_varint(&body, offset_delta);
    rn_writer_varint(&body, key_len);
    for (int32_t i = 0; i < key_len; i++)
        rn_writer_u8(&body, 'k');
    rn_writer_varint(&body, value_len);
    for (int32_t i = 0; i < value_len; i++)
        rn_writer_u8(&body, 'v');
    rn_writer_varint(&body, 0);
    rn_writer_varint(wr, (int32_t)body.len);
    rn_writer_bytes(wr, body.buf, body.len);
    rn_writer_deinit(&body);
}

/* Build a batch of n records "key-i" / "value-i", timestamp 1000 + i, one header
 * "h" = "v", with the codec given. Free with rn_free. */
static inline uint8_t *tb_build(int n, rn_codec_t codec, size_t *len) {
    rn_batch_opts_t opts;
    rn_batch_builder_t b;
    rn_batch_opts_default(&opts);
    opts.codec = codec;
    rn_batch_builder_init(&b, &opts);
    rn_record_header_t hdr = {(const uint8_t *)"h", 1, (const uint8_t *)"v", 1};
    for (int i = 0; i < n; i++) {
        char key[32], value[32];
        int kl = snprintf(key, sizeof key, "key-%d", i);
        int vl = snprintf(value, sizeof value, "value-%d", i);
        assert_int_equal(rn_batch_builder_add(&b, 1000 + i, key, kl, value, vl, &hdr, 1), 0);
    }
    uint8_t *out = NULL;
    assert_int_equal(rn_batch_builder_finish(&b, &out, len), 0);
    rn_batch_builder_deinit(&b);
    return out;
}

/* Read a vector file into an rn_malloc'd buffer. */
static inline uint8_t *tb_vector(const char *name, size_t *len) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", RN_VECTORS_DIR, name);
    uint8_t *raw = rn_test_read_file(path, len);
    uint8_t *p = rn_malloc(*len);
    memcpy(p, raw, *len);
    free(raw);
    return p;
}

#endif
