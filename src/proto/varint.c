/*
 * varint.c — unsigned varints and zigzag varint/varlong (see varint.h).
 *
 *   byte:  [c|b6 b5 b4 b3 b2 b1 b0]   c = 1: more bytes follow
 *   value = group0 | group1 << 7 | group2 << 14 | ...
 *
 * One decoder does all widths: it accepts at most `max_bytes` bytes and checks that
 * the last one carries no bits above the type's width.
 */
#include "proto/varint.h"

#include "common/errors.h"

uint32_t rn_zigzag32_encode(int32_t v) {
    /* Shift as unsigned: left-shifting a negative int is undefined. The arithmetic
     * right shift of a negative value is implementation-defined; spell it out. */
    uint32_t u = (uint32_t)v;
    uint32_t sign = (v < 0) ? UINT32_MAX : 0;
    return (u << 1) ^ sign;
}

int32_t rn_zigzag32_decode(uint32_t v) {
    uint32_t u = (v >> 1) ^ (0u - (v & 1u));
    return (int32_t)u; /* two's complement conversion, as every target we build on */
}

uint64_t rn_zigzag64_encode(int64_t v) {
    uint64_t u = (uint64_t)v;
    uint64_t sign = (v < 0) ? UINT64_MAX : 0;
    return (u << 1) ^ sign;
}

int64_t rn_zigzag64_decode(uint64_t v) {
    uint64_t u = (v >> 1) ^ (0u - (v & 1u));
    return (int64_t)u;
}

size_t rn_uvarint64_size(uint64_t v) {
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

size_t rn_uvarint32_size(uint32_t v) {
    return rn_uvarint64_size(v);
}

size_t rn_varint_size(int32_t v) {
    return rn_uvarint64_size(rn_zigzag32_encode(v));
}

size_t rn_varlong_size(int64_t v) {
    return rn_uvarint64_size(rn_zigzag64_encode(v));
}

size_t rn_uvarint64_encode(uint8_t *out, uint64_t v) {
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

size_t rn_uvarint32_encode(uint8_t *out, uint32_t v) {
    return rn_uvarint64_encode(out, v);
}

size_t rn_varint_encode(uint8_t *out, int32_t v) {
    return rn_uvarint64_encode(out, rn_zigzag32_encode(v));
}

size_t rn_varlong_encode(uint8_t *out, int64_t v) {
    return rn_uvarint64_encode(out, rn_zigzag64_encode(v));
}

/* Decode an unsigned varint of `bits` (32 or 64) width, at most max_bytes long. */
static int decode(const uint8_t *p, size_t len, unsigned bits, size_t max_bytes, uint64_t *v,
                  size_t *used) {
    uint64_t value = 0;
    for (size_t i = 0; i < max_bytes && i < len; i++) {
        uint64_t group = p[i] & 0x7f;
        unsigned shift = (unsigned)(7 * i);
        /* The last allowed byte may only carry the bits that remain of the type. */
        if (i == max_bytes - 1 && (p[i] & 0x80 || group >> (bits - shift) != 0))
            return RN_EMALFORMED;
        value |= group << shift;
        if ((p[i] & 0x80) == 0) {
            *v = value;
            *used = i + 1;
            return 0;
        }
    }
    return RN_EMALFORMED; /* ran out of input inside the varint */
}

int rn_uvarint64_decode(const uint8_t *p, size_t len, uint64_t *v, size_t *used) {
    return decode(p, len, 64, RN_VARINT_MAX64, v, used);
}

int rn_uvarint32_decode(const uint8_t *p, size_t len, uint32_t *v, size_t *used) {
    uint64_t wide;
    int rc = decode(p, len, 32, RN_VARINT_MAX32, &wide, used);
    if (rc == 0)
        *v = (uint32_t)wide;
    return rc;
}

int rn_varint_decode(const uint8_t *p, size_t len, int32_t *v, size_t *used) {
    uint32_t u;
    int rc = rn_uvarint32_decode(p, len, &u, used);
    if (rc == 0)
        *v = rn_zigzag32_decode(u);
    return rc;
}

int rn_varlong_decode(const uint8_t *p, size_t len, int64_t *v, size_t *used) {
    uint64_t u;
    int rc = rn_uvarint64_decode(p, len, &u, used);
    if (rc == 0)
        *v = rn_zigzag64_decode(u);
    return rc;
}
