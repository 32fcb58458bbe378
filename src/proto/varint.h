/*
 * varint.h — Kafka's (= protobuf's) variable-length integers.
 *
 * An unsigned varint stores 7 bits per byte, least significant group first; the high
 * bit of each byte says "another byte follows":
 *
 *   300 = 0b1_0010_1100  ->  [1|010 1100] [0|000 0010]  =  0xAC 0x02
 *
 * Signed values (record lengths, deltas) are zigzag-mapped first so that small
 * magnitudes of either sign stay short: 0->0, -1->1, 1->2, -2->3, ...
 *
 *   zigzag32(n) = (n << 1) ^ (n >> 31)        zigzag64(n) = (n << 1) ^ (n >> 63)
 *
 * A 32-bit value takes at most 5 bytes, a 64-bit value at most 10. Decoding refuses
 * anything longer, and a last byte whose bits do not fit the type (5th byte > 0x0f,
 * 10th byte > 0x01): both are RN_EMALFORMED. Non-minimal encodings within the length
 * limit (0x80 0x00 for 0) are accepted, as Kafka accepts them.
 *
 * Pure functions on caller buffers; thread-safe.
 */
#ifndef RN_PROTO_VARINT_H
#define RN_PROTO_VARINT_H

#include <stddef.h>
#include <stdint.h>

#define RN_VARINT_MAX32 5  /* longest encoding of a 32-bit value */
#define RN_VARINT_MAX64 10 /* longest encoding of a 64-bit value */

/* Zigzag mapping between signed and unsigned. */
uint32_t rn_zigzag32_encode(int32_t v);
int32_t rn_zigzag32_decode(uint32_t v);
uint64_t rn_zigzag64_encode(int64_t v);
int64_t rn_zigzag64_decode(uint64_t v);

/* Bytes the encoding of v takes (1..5 / 1..10). */
size_t rn_uvarint32_size(uint32_t v);
size_t rn_uvarint64_size(uint64_t v);
size_t rn_varint_size(int32_t v);  /* zigzag int32 */
size_t rn_varlong_size(int64_t v); /* zigzag int64 */

/* Encode v into out, which must have room for RN_VARINT_MAX32 / _MAX64 bytes.
 * Return the number of bytes written. */
size_t rn_uvarint32_encode(uint8_t *out, uint32_t v);
size_t rn_uvarint64_encode(uint8_t *out, uint64_t v);
size_t rn_varint_encode(uint8_t *out, int32_t v);
size_t rn_varlong_encode(uint8_t *out, int64_t v);

/* Decode from p[0..len). On 0, *v holds the value and *used the bytes consumed.
 * RN_EMALFORMED when the input ends inside the varint, it is longer than 5 / 10
 * bytes, or its value does not fit the type; *v and *used are then untouched. */
int rn_uvarint32_decode(const uint8_t *p, size_t len, uint32_t *v, size_t *used);
int rn_uvarint64_decode(const uint8_t *p, size_t len, uint64_t *v, size_t *used);
int rn_varint_decode(const uint8_t *p, size_t len, int32_t *v, size_t *used);
int rn_varlong_decode(const uint8_t *p, size_t len, int64_t *v, size_t *used);

#endif
