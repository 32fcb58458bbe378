/*
 * writer.h — a growable big-endian write buffer that can reserve fields and patch
 * them later (lengths and CRCs that are known only once the rest is written).
 *
 *   buf ──▶ [ written ............................ | spare ......... ]
 *            0                                     len              cap
 *
 *   size_t at = rn_writer_reserve(&wr, 4);   // [?? ?? ?? ??] for now
 *   ... write the body ...
 *   rn_writer_patch_u32(&wr, at, len);       // fill it in
 *
 * Memory comes from rn_malloc/rn_realloc, which abort on exhaustion, so writes cannot
 * fail. Positions (not pointers) name reserved fields because the buffer moves as it
 * grows. One owner; not thread-safe.
 */
#ifndef RN_PROTO_WRITER_H
#define RN_PROTO_WRITER_H

#include <stddef.h>
#include <stdint.h>

typedef struct rn_writer_s {
    uint8_t *buf; /* owned; NULL until the first write */
    size_t len;
    size_t cap;
} rn_writer_t;

/* An empty writer that will allocate `hint` bytes at its first write (0: a default). */
void rn_writer_init(rn_writer_t *wr, size_t hint);

/* Free the buffer. The writer may be initialised again afterwards. */
void rn_writer_deinit(rn_writer_t *wr);

/* Hand the buffer to the caller (free with rn_free) and leave the writer empty.
 * Returns NULL when nothing was written. */
uint8_t *rn_writer_take(rn_writer_t *wr, size_t *len);

/* Make room for at least n more bytes; returns a pointer to the spare space, valid
 * until the next write. Use with rn_writer_advance to write in place. */
uint8_t *rn_writer_ensure(rn_writer_t *wr, size_t n);

/* Make the capacity at least cap bytes, exactly (no doubling): for callers that must
 * bound their memory. Returns the spare space, as rn_writer_ensure. */
uint8_t *rn_writer_grow(rn_writer_t *wr, size_t cap);

/* Count n bytes written directly into the space rn_writer_ensure returned. */
void rn_writer_advance(rn_writer_t *wr, size_t n);

void rn_writer_u8(rn_writer_t *wr, uint8_t v);
void rn_writer_i8(rn_writer_t *wr, int8_t v);
void rn_writer_u16(rn_writer_t *wr, uint16_t v);
void rn_writer_i16(rn_writer_t *wr, int16_t v);
void rn_writer_u32(rn_writer_t *wr, uint32_t v);
void rn_writer_i32(rn_writer_t *wr, int32_t v);
void rn_writer_u64(rn_writer_t *wr, uint64_t v);
void rn_writer_i64(rn_writer_t *wr, int64_t v);

/* Varints (varint.h). */
void rn_writer_uvarint(rn_writer_t *wr, uint32_t v);
void rn_writer_varint(rn_writer_t *wr, int32_t v);
void rn_writer_varlong(rn_writer_t *wr, int64_t v);

/* Append n bytes from p (p may be NULL when n is 0). */
void rn_writer_bytes(rn_writer_t *wr, const void *p, size_t n);

/* Append n zero bytes and return their position, to be patched later. */
size_t rn_writer_reserve(rn_writer_t *wr, size_t n);

/* Overwrite an already written field at position at (at + width <= len). */
void rn_writer_patch_u8(rn_writer_t *wr, size_t at, uint8_t v);
void rn_writer_patch_u16(rn_writer_t *wr, size_t at, uint16_t v);
void rn_writer_patch_u32(rn_writer_t *wr, size_t at, uint32_t v);
void rn_writer_patch_i32(rn_writer_t *wr, size_t at, int32_t v);
void rn_writer_patch_u64(rn_writer_t *wr, size_t at, uint64_t v);
void rn_writer_patch_i64(rn_writer_t *wr, size_t at, int64_t v);

/* Store v big-endian into p[0..width): the one encoder the writer and in-place
 * stamping share. */
void rn_put_be(uint8_t *p, uint64_t v, size_t width);

#endif
