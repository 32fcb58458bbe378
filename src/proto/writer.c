/*
 * writer.c — growable big-endian writer with reserve-and-patch (see writer.h).
 *
 *   u32 0x0102_0304  ->  [01 02 03 04]      (most significant byte first)
 *
 * The buffer doubles when full, so n appends cost O(n) amortised.
 */
#include "proto/writer.h"

#include <assert.h>
#include <string.h>

#include "common/alloc.h"
#include "proto/varint.h"

#define DEFAULT_HINT 256

void rn_writer_init(rn_writer_t *wr, size_t hint) {
    wr->buf = NULL;
    wr->len = 0;
    wr->cap = hint ? hint : DEFAULT_HINT;
}

void rn_writer_deinit(rn_writer_t *wr) {
    RN_FREE(&wr->buf);
    wr->len = 0;
    wr->cap = 0;
}

uint8_t *rn_writer_take(rn_writer_t *wr, size_t *len) {
    uint8_t *buf = wr->buf;
    *len = wr->len;
    wr->buf = NULL;
    wr->len = 0;
    wr->cap = 0;
    return buf;
}

uint8_t *rn_writer_ensure(rn_writer_t *wr, size_t n) {
    assert(n <= SIZE_MAX - wr->len);
    size_t need = wr->len + n;
    if (wr->buf == NULL || need > wr->cap) {
        size_t cap = wr->cap ? wr->cap : DEFAULT_HINT;
        while (cap < need)
            cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        wr->buf = rn_realloc(wr->buf, cap);
        wr->cap = cap;
    }
    return wr->buf + wr->len;
}

uint8_t *rn_writer_grow(rn_writer_t *wr, size_t cap) {
    if (wr->buf == NULL || cap > wr->cap) {
        cap = cap > wr->len ? cap : wr->len;
        wr->buf = rn_realloc(wr->buf, cap);
        wr->cap = cap;
    }
    return wr->buf + wr->len;
}

void rn_writer_advance(rn_writer_t *wr, size_t n) {
    assert(n <= wr->cap - wr->len);
    wr->len += n;
}

void rn_put_be(uint8_t *p, uint64_t v, size_t width) {
    for (size_t i = width; i > 0; i--) {
        p[i - 1] = (uint8_t)v;
        v >>= 8;
    }
}

static void put(rn_writer_t *wr, uint64_t v, size_t width) {
    rn_put_be(rn_writer_ensure(wr, width), v, width);
    wr->len += width;
}

void rn_writer_u8(rn_writer_t *wr, uint8_t v) {
    put(wr, v, 1);
}

void rn_writer_i8(rn_writer_t *wr, int8_t v) {
    put(wr, (uint8_t)v, 1);
}

void rn_writer_u16(rn_writer_t *wr, uint16_t v) {
    put(wr, v, 2);
}

void rn_writer_i16(rn_writer_t *wr, int16_t v) {
    put(wr, (uint16_t)v, 2);
}

void rn_writer_u32(rn_writer_t *wr, uint32_t v) {
    put(wr, v, 4);
}

void rn_writer_i32(rn_writer_t *wr, int32_t v) {
    put(wr, (uint32_t)v, 4);
}

void rn_writer_u64(rn_writer_t *wr, uint64_t v) {
    put(wr, v, 8);
}

void rn_writer_i64(rn_writer_t *wr, int64_t v) {
    put(wr, (uint64_t)v, 8);
}

void rn_writer_uvarint(rn_writer_t *wr, uint32_t v) {
    wr->len += rn_uvarint32_encode(rn_writer_ensure(wr, RN_VARINT_MAX32), v);
}

void rn_writer_varint(rn_writer_t *wr, int32_t v) {
    wr->len += rn_varint_encode(rn_writer_ensure(wr, RN_VARINT_MAX32), v);
}

void rn_writer_varlong(rn_writer_t *wr, int64_t v) {
    wr->len += rn_varlong_encode(rn_writer_ensure(wr, RN_VARINT_MAX64), v);
}

void rn_writer_bytes(rn_writer_t *wr, const void *p, size_t n) {
    uint8_t *dst = rn_writer_ensure(wr, n);
    if (n > 0)
        memcpy(dst, p, n);
    wr->len += n;
}

size_t rn_writer_reserve(rn_writer_t *wr, size_t n) {
    size_t at = wr->len;
    uint8_t *dst = rn_writer_ensure(wr, n);
    memset(dst, 0, n);
    wr->len += n;
    return at;
}

static void patch(rn_writer_t *wr, size_t at, uint64_t v, size_t width) {
    assert(at <= wr->len && width <= wr->len - at);
    rn_put_be(wr->buf + at, v, width);
}

void rn_writer_patch_u8(rn_writer_t *wr, size_t at, uint8_t v) {
    patch(wr, at, v, 1);
}

void rn_writer_patch_u16(rn_writer_t *wr, size_t at, uint16_t v) {
    patch(wr, at, v, 2);
}

void rn_writer_patch_u32(rn_writer_t *wr, size_t at, uint32_t v) {
    patch(wr, at, v, 4);
}

void rn_writer_patch_i32(rn_writer_t *wr, size_t at, int32_t v) {
    patch(wr, at, (uint32_t)v, 4);
}

void rn_writer_patch_u64(rn_writer_t *wr, size_t at, uint64_t v) {
    patch(wr, at, v, 8);
}

void rn_writer_patch_i64(rn_writer_t *wr, size_t at, int64_t v) {
    patch(wr, at, (uint64_t)v, 8);
}
