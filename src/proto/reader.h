/*
 * reader.h — a bounds-checked big-endian read cursor over borrowed bytes.
 *
 *   p ──▶ [ consumed ........ | unread ................. ]
 *          0                 pos                        len
 *
 * Every read checks that its bytes are in p[pos..len). A read that does not fit sets
 * the sticky error rd->err = RN_EMALFORMED, returns zero (or NULL) and leaves pos
 * where it was; every later read then fails the same way. So a decoder reads a whole
 * structure straight through and checks rd->err once at the end — there are no hidden
 * jumps. The reader never writes to the buffer.
 *
 * Varints follow varint.h: an overlong varint is RN_EMALFORMED too.
 */
#ifndef RN_PROTO_READER_H
#define RN_PROTO_READER_H

#include <stddef.h>
#include <stdint.h>

typedef struct rn_reader_s {
    const uint8_t *p; /* borrowed */
    size_t len;
    size_t pos;
    int err; /* 0, or the first error (sticky) */
} rn_reader_t;

void rn_reader_init(rn_reader_t *rd, const void *p, size_t len);

/* Bytes left to read (0 after an error). */
size_t rn_reader_remaining(const rn_reader_t *rd);

/* Fixed-width big-endian integers. */
uint8_t rn_reader_u8(rn_reader_t *rd);
int8_t rn_reader_i8(rn_reader_t *rd);
uint16_t rn_reader_u16(rn_reader_t *rd);
int16_t rn_reader_i16(rn_reader_t *rd);
uint32_t rn_reader_u32(rn_reader_t *rd);
int32_t rn_reader_i32(rn_reader_t *rd);
uint64_t rn_reader_u64(rn_reader_t *rd);
int64_t rn_reader_i64(rn_reader_t *rd);

/* Varints (varint.h): unsigned 32-bit, zigzag int32 ("varint"), zigzag int64
 * ("varlong"). */
uint32_t rn_reader_uvarint(rn_reader_t *rd);
int32_t rn_reader_varint(rn_reader_t *rd);
int64_t rn_reader_varlong(rn_reader_t *rd);

/* A view of the next n bytes, then skips them. NULL on error (and for n == 0 the
 * current position, never NULL, unless the reader has already failed). */
const uint8_t *rn_reader_bytes(rn_reader_t *rd, size_t n);

/* Skip n bytes. */
void rn_reader_skip(rn_reader_t *rd, size_t n);

/* Set the sticky error explicitly (a decoder found a bad value, not a short read).
 * The first error wins. */
void rn_reader_fail(rn_reader_t *rd, int err);

#endif
