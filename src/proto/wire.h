/*
 * wire.h — the protocol's primitive types, frames and headers, on top of the
 * bounds-checked reader and the growable writer. docs/protocol.md is the spec.
 *
 * Frame (all integers big-endian, two's complement):
 *
 *   +----------------+--------------------------------------------+
 *   | size  int32    | message: header then body (size bytes)     |
 *   +----------------+--------------------------------------------+
 *
 *   request header                         response header
 *   +------------------------+             +------------------------+
 *   | api_key        int16   |             | correlation_id int32   |
 *   | api_version    int16   |             +------------------------+
 *   | correlation_id int32   |
 *   | client_id      nstring |
 *   +------------------------+
 *
 * Primitives (Kafka's classic, non-flexible encoding):
 *
 *   boolean   int8 0 / 1 (any non-zero byte decodes as true)
 *   string    int16 length N >= 0, then N bytes (no terminator)
 *   nstring   int16 length, -1 = null
 *   bytes     int32 length N >= 0, then N bytes
 *   nbytes    int32 length, -1 = null
 *   array     int32 count N >= 0, then N elements; a nullable array allows -1 = null
 *
 * Decoding. A decoder (rn_wire_dec_t) wraps a reader with a sticky error, the message
 * version and the message's arena. Decoded strings and bytes are VIEWS into the input
 * buffer: the input must outlive the decoded message. Arrays are allocated from the
 * arena; before allocating, every count is checked against the bytes left (an element
 * takes at least `min_elem` bytes on the wire), so a tiny frame can never make the
 * decoder allocate more than a small multiple of its own size (about 8x at worst:
 * an empty string is 2 bytes on the wire, a 16-byte rn_str_t in memory).
 *
 * Encoding. An encoder (rn_wire_enc_t) wraps a writer with the version and a sticky
 * error for values that cannot be represented (a string over 32767 bytes, a negative
 * count): the message encoder then rolls the writer back and returns the error.
 *
 * Single-threaded per decoder/encoder; the functions keep no global state.
 */
#ifndef RN_PROTO_WIRE_H
#define RN_PROTO_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "proto/arena.h"
#include "proto/reader.h"
#include "proto/writer.h"

#define RN_WIRE_FRAME_SIZE_LEN 4 /* the int32 size in front of every message */

/* ---- views -------------------------------------------------------------------- */

/* A string view: ptr NULL and len -1 for null; not NUL-terminated. */
typedef struct rn_str_s {
    const char *ptr;
    int32_t len;
} rn_str_t;

/* A bytes view: ptr NULL and len -1 for null. */
typedef struct rn_bytes_s {
    const uint8_t *ptr;
    int32_t len;
} rn_bytes_t;

#define RN_STR_NULL   ((rn_str_t){NULL, -1})
#define RN_BYTES_NULL ((rn_bytes_t){NULL, -1})

/* A view of the C string s (NULL gives the null string). */
static inline rn_str_t rn_str(const char *s) {
    return s ? (rn_str_t){s, (int32_t)strlen(s)} : RN_STR_NULL;
}

static inline rn_bytes_t rn_bytes(const void *p, size_t len) {
    return (rn_bytes_t){(const uint8_t *)p, (int32_t)len};
}

static inline bool rn_str_is_null(rn_str_t s) {
    return s.len < 0;
}

/* Equal contents, null equal only to null. */
bool rn_str_eq(rn_str_t a, rn_str_t b);

/* a equals the C string s (never true for a null a). */
bool rn_str_eq_c(rn_str_t a, const char *s);

/* ---- decoding ----------------------------------------------------------------- */

typedef struct rn_wire_dec_s {
    rn_reader_t rd;
    rn_arena_t *arena; /* borrowed: where arrays go */
    int16_t version;   /* of the message being decoded */
} rn_wire_dec_t;

void rn_wire_dec_init(rn_wire_dec_t *d, const void *p, size_t len, int16_t version,
                      rn_arena_t *arena);

/* The decoder's sticky error, or RN_EMALFORMED when bytes are left over: a message
 * must consume its whole body. */
int rn_wire_dec_finish(const rn_wire_dec_t *d);

bool rn_wire_read_bool(rn_wire_dec_t *d);
rn_str_t rn_wire_read_str(rn_wire_dec_t *d);      /* length -1 is RN_EMALFORMED */
rn_str_t rn_wire_read_nstr(rn_wire_dec_t *d);     /* -1 = null */
rn_bytes_t rn_wire_read_bytes(rn_wire_dec_t *d);  /* length -1 is RN_EMALFORMED */
rn_bytes_t rn_wire_read_nbytes(rn_wire_dec_t *d); /* -1 = null */

/* An array count: -1 when nullable and null; RN_EMALFORMED (and 0) for a count below
 * -1 (or -1 when not nullable) or one whose elements, at min_elem bytes each, cannot
 * fit in the bytes left. */
int32_t rn_wire_read_count(rn_wire_dec_t *d, size_t min_elem, bool nullable);

/* n zeroed elements of size bytes from the arena; NULL when n <= 0. Call only with
 * a count from rn_wire_read_count. */
void *rn_wire_alloc(rn_wire_dec_t *d, int32_t n, size_t size);

/* Arrays of int32 / of strings; *n is the count (-1 for a null string array). */
int32_t *rn_wire_read_i32s(rn_wire_dec_t *d, int32_t *n);
rn_str_t *rn_wire_read_strs(rn_wire_dec_t *d, int32_t *n, bool nullable);

/* ---- encoding ----------------------------------------------------------------- */

typedef struct rn_wire_enc_s {
    rn_writer_t *wr; /* borrowed */
    size_t start;    /* wr->len when the message began: rolled back to on error */
    int16_t version;
    int err; /* sticky: RN_ETOOLARGE / RN_EMALFORMED for an unrepresentable value */
} rn_wire_enc_t;

void rn_wire_enc_init(rn_wire_enc_t *e, rn_writer_t *wr, int16_t version);

/* 0, or the sticky error after truncating the writer back to where it began. */
int rn_wire_enc_finish(rn_wire_enc_t *e);

void rn_wire_write_bool(rn_wire_enc_t *e, bool v);
void rn_wire_write_str(rn_wire_enc_t *e, rn_str_t s);     /* null: RN_EMALFORMED */
void rn_wire_write_nstr(rn_wire_enc_t *e, rn_str_t s);    /* over 32767 bytes: RN_ETOOLARGE */
void rn_wire_write_bytes(rn_wire_enc_t *e, rn_bytes_t b); /* null: RN_EMALFORMED */
void rn_wire_write_nbytes(rn_wire_enc_t *e, rn_bytes_t b);

/* An array count (n == -1 writes a null array when nullable, else RN_EMALFORMED). */
void rn_wire_write_count(rn_wire_enc_t *e, int32_t n, bool nullable);

void rn_wire_write_i32s(rn_wire_enc_t *e, const int32_t *v, int32_t n);
void rn_wire_write_strs(rn_wire_enc_t *e, const rn_str_t *v, int32_t n, bool nullable);

/* ---- frames and headers ------------------------------------------------------- */

/* Reserve the size field of a frame; returns its position for rn_wire_frame_end. */
size_t rn_wire_frame_begin(rn_writer_t *wr);

/* Patch the size of the frame begun at `at` (everything written since). Returns 0,
 * or RN_ETOOLARGE when the message exceeds INT32_MAX bytes. */
int rn_wire_frame_end(rn_writer_t *wr, size_t at);

/*
 * Find one frame at the start of p[0..len), bytes as received from a socket:
 *   1              a whole frame is there: *msg / *msg_len are its message (after
 *                  the size); the frame takes RN_WIRE_FRAME_SIZE_LEN + *msg_len bytes
 *   0              not yet: fewer than 4 bytes, or fewer than the size says
 *   RN_EMALFORMED  the size is negative
 *   RN_ETOOLARGE   the size exceeds max_size (known from the first 4 bytes alone, so
 *                  a receiver never buffers an oversized frame)
 */
int rn_wire_frame_decode(const uint8_t *p, size_t len, int32_t max_size, const uint8_t **msg,
                         size_t *msg_len);

typedef struct rn_request_header_s {
    int16_t api_key;
    int16_t api_version;
    int32_t correlation_id;
    rn_str_t client_id; /* nullable; a view into the frame */
} rn_request_header_t;

/* Append the header. 0, or RN_ETOOLARGE (client_id over 32767 bytes; nothing is
 * written then). */
int rn_request_header_encode(rn_writer_t *wr, const rn_request_header_t *h);

/* Decode the header at the reader's position, leaving the reader at the body.
 * Returns 0 or RN_EMALFORMED. Whatever the result, h->correlation_id is valid when the
 * message had at least 8 bytes (so a broker can still answer a bad client_id). */
int rn_request_header_decode(rn_reader_t *rd, rn_request_header_t *h);

void rn_response_header_encode(rn_writer_t *wr, int32_t correlation_id);

/* 0 or RN_EMALFORMED; leaves the reader at the body. */
int rn_response_header_decode(rn_reader_t *rd, int32_t *correlation_id);

#endif
