/*
 * reader.c — bounds-checked big-endian reads with a sticky error (see reader.h).
 *
 *   u16: [b0 b1]            value = b0 << 8 | b1
 *   u32: [b0 b1 b2 b3]      most significant byte first
 *   u64: [b0 .. b7]
 *
 * All fixed-width reads funnel through take(), the one place that checks bounds.
 */
#include "proto/reader.h"

#include "common/errors.h"
#include "proto/varint.h"

void rn_reader_init(rn_reader_t *rd, const void *p, size_t len) {
    static const uint8_t empty[1];
    /* A NULL buffer (len 0) points at `empty`, so that p + pos is always defined. */
    rd->p = p ? p : empty;
    rd->len = len;
    rd->pos = 0;
    rd->err = 0;
}

size_t rn_reader_remaining(const rn_reader_t *rd) {
    return rd->err ? 0 : rd->len - rd->pos;
}

void rn_reader_fail(rn_reader_t *rd, int err) {
    if (rd->err == 0)
        rd->err = err;
}

/* The next n bytes, consumed; NULL (and the sticky error) when they are not there. */
static const uint8_t *take(rn_reader_t *rd, size_t n) {
    if (rd->err)
        return NULL;
    if (n > rd->len - rd->pos) {
        rd->err = RN_EMALFORMED;
        return NULL;
    }
    const uint8_t *q = rd->p + rd->pos;
    rd->pos += n;
    return q;
}

static uint64_t read_be(rn_reader_t *rd, size_t n) {
    const uint8_t *q = take(rd, n);
    uint64_t v = 0;
    if (q == NULL)
        return 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | q[i];
    return v;
}

uint8_t rn_reader_u8(rn_reader_t *rd) {
    return (uint8_t)read_be(rd, 1);
}

int8_t rn_reader_i8(rn_reader_t *rd) {
    return (int8_t)rn_reader_u8(rd);
}

uint16_t rn_reader_u16(rn_reader_t *rd) {
    return (uint16_t)read_be(rd, 2);
}

int16_t rn_reader_i16(rn_reader_t *rd) {
    return (int16_t)rn_reader_u16(rd);
}

uint32_t rn_reader_u32(rn_reader_t *rd) {
    return (uint32_t)read_be(rd, 4);
}

int32_t rn_reader_i32(rn_reader_t *rd) {
    return (int32_t)rn_reader_u32(rd);
}

uint64_t rn_reader_u64(rn_reader_t *rd) {
    return read_be(rd, 8);
}

int64_t rn_reader_i64(rn_reader_t *rd) {
    return (int64_t)rn_reader_u64(rd);
}

uint32_t rn_reader_uvarint(rn_reader_t *rd) {
    uint32_t v = 0;
    size_t used = 0;
    if (rd->err)
        return 0;
    int rc = rn_uvarint32_decode(rd->p + rd->pos, rd->len - rd->pos, &v, &used);
    if (rc != 0) {
        rd->err = rc;
        return 0;
    }
    rd->pos += used;
    return v;
}

int32_t rn_reader_varint(rn_reader_t *rd) {
    return rn_zigzag32_decode(rn_reader_uvarint(rd));
}

int64_t rn_reader_varlong(rn_reader_t *rd) {
    uint64_t v = 0;
    size_t used = 0;
    if (rd->err)
        return 0;
    int rc = rn_uvarint64_decode(rd->p + rd->pos, rd->len - rd->pos, &v, &used);
    if (rc != 0) {
        rd->err = rc;
        return 0;
    }
    rd->pos += used;
    return rn_zigzag64_decode(v);
}

const uint8_t *rn_reader_bytes(rn_reader_t *rd, size_t n) {
    return take(rd, n);
}

void rn_reader_skip(rn_reader_t *rd, size_t n) {
    (void)take(rd, n);
}
