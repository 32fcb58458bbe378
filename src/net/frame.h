/*
 * frame.h — incremental reassembly of length-prefixed frames from a byte stream.
 *
 * TCP delivers a stream cut at arbitrary places; the protocol (docs/protocol.md,
 * "Frames") is a sequence of frames:
 *
 *   +---------------+------------------------------------------+
 *   | size   int32  | message                    (size bytes)  |
 *   +---------------+------------------------------------------+
 *     big-endian, counts the bytes after it
 *
 * A frame reader is a two-state machine fed with whatever chunks arrive:
 *
 *           4 size bytes seen,                   size body bytes seen
 *           0 <= size <= max                     (frame handed out)
 *   [SIZE] ─────────────────────▶ [BODY] ─────────────────────────▶ [SIZE]
 *      │ size < 0: RN_EMALFORMED
 *      │ size > max: RN_ETOOLARGE        (sticky; nothing allocated)
 *      ▼
 *   [ERROR]
 *
 * Invariants: the size is checked before the body is allocated, so a peer can never
 * make the reader hold more than max_frame_bytes for one frame; a failed reader stays
 * failed (the stream has lost its framing and can only be closed). Pure: no libuv, no
 * I/O, no logging; single-threaded per reader.
 */
#ifndef RN_NET_FRAME_H
#define RN_NET_FRAME_H

#include <stddef.h>
#include <stdint.h>

/* Size of the length prefix in front of every frame. */
#define RN_FRAME_PREFIX 4

typedef struct rn_frame_rd_s {
    size_t max_frame_bytes; /* largest accepted message size (prefix excluded) */
    uint8_t prefix[RN_FRAME_PREFIX];
    size_t prefix_have; /* bytes of the prefix seen so far (state SIZE) */
    uint8_t *body;      /* rn_malloc'd once the size is known (state BODY) */
    size_t body_len;
    size_t body_have;
    int err; /* sticky: 0, RN_EMALFORMED or RN_ETOOLARGE */
} rn_frame_rd_t;

/* Initialise an embedded reader. max_frame_bytes must be <= INT32_MAX. */
void rn_frame_rd_init(rn_frame_rd_t *frd, size_t max_frame_bytes);

/* Free a partly received body, if any. The reader may be re-initialised after. */
void rn_frame_rd_deinit(rn_frame_rd_t *frd);

/*
 * Consume bytes from data[0..len) until one frame completes or the input runs out.
 * *used is set to the bytes consumed (always, also on error).
 *
 * Returns 1 when a frame completed: *frame is an rn_malloc'd buffer of *frame_len
 * bytes that the caller now owns (rn_free it); there may be input left (len - *used).
 * Returns 0 when all the input was consumed without completing a frame.
 * Returns RN_EMALFORMED (size < 0) or RN_ETOOLARGE (size > max_frame_bytes), and
 * keeps returning it on every later call.
 */
int rn_frame_rd_feed(rn_frame_rd_t *frd, const uint8_t *data, size_t len, size_t *used,
                     uint8_t **frame, size_t *frame_len);

/* Write the 4-byte big-endian size prefix for a message of len bytes (len <= INT32_MAX). */
void rn_frame_put_prefix(uint8_t out[RN_FRAME_PREFIX], size_t len);

#endif
