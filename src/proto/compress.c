/*
 * compress.c — gzip via zlib (see compress.h).
 *
 * zlib counts in uInt (32 bits), our buffers in size_t: both loops feed input and
 * offer output in chunks of at most CHUNK_MAX so that nothing is truncated.
 *
 *   windowBits 15 + 16  ->  gzip wrapper (not zlib's, not raw deflate)
 */
#include "proto/compress.h"

#include <limits.h>
#include <string.h>
#include <zlib.h>

#include "common/errors.h"

#define GZIP_WINDOW (15 + 16)
#define CHUNK_MAX   ((size_t)1 << 30)
#define CHUNK_MIN   ((size_t)16 << 10)

static uInt chunk(size_t n) {
    return (uInt)(n < CHUNK_MAX ? n : CHUNK_MAX);
}

int rn_gzip_compress(rn_writer_t *wr, const uint8_t *src, size_t len) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, GZIP_WINDOW, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK)
        return RN_ECOMPRESS;

    int rc = 0;
    size_t in_left = len;
    zs.next_in = (Bytef *)(uintptr_t)src; /* zlib's API is not const-correct */
    for (;;) {
        if (zs.avail_in == 0 && in_left > 0) {
            zs.avail_in = chunk(in_left);
            in_left -= zs.avail_in;
        }
        /* deflateBound of what is left is always enough room to finish. */
        size_t room = deflateBound(&zs, (uLong)(zs.avail_in + in_left));
        room = room < CHUNK_MIN ? CHUNK_MIN : room;
        zs.next_out = rn_writer_ensure(wr, room);
        zs.avail_out = chunk(room);
        int flush = in_left == 0 ? Z_FINISH : Z_NO_FLUSH;
        int zrc = deflate(&zs, flush);
        rn_writer_advance(wr, chunk(room) - zs.avail_out);
        if (zrc == Z_STREAM_END)
            break;
        if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
            rc = RN_ECOMPRESS;
            break;
        }
    }
    deflateEnd(&zs);
    return rc;
}

/* Output space to offer inflate next. Spare capacity first; otherwise grow the
 * buffer geometrically, but never past limit + 1 bytes of output in total, so that
 * "more than limit" is detectable without allocating more. */
static uint8_t *inflate_room(rn_writer_t *wr, size_t start, size_t limit, size_t hint,
                             size_t *room) {
    size_t produced = wr->len - start;
    size_t allowed = limit - produced + 1; /* produced <= limit here */
    size_t spare = wr->buf ? wr->cap - wr->len : 0;
    if (spare == 0) {
        spare = produced > hint ? produced : hint;
        spare = spare < CHUNK_MIN ? CHUNK_MIN : spare;
        spare = spare < allowed ? spare : allowed;
        rn_writer_grow(wr, wr->len + spare);
    }
    *room = chunk(spare < allowed ? spare : allowed);
    return wr->buf + wr->len;
}

int rn_gzip_decompress(rn_writer_t *wr, const uint8_t *src, size_t len, size_t limit) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (limit == SIZE_MAX)
        limit--; /* keep limit + 1 representable */
    if (inflateInit2(&zs, GZIP_WINDOW) != Z_OK)
        return RN_ECOMPRESS;

    int rc = 0;
    size_t start = wr->len, in_left = len;
    size_t hint = len < SIZE_MAX / 4 ? len * 4 : len; /* first guess at the output size */
    zs.next_in = (Bytef *)(uintptr_t)src;
    for (;;) {
        if (zs.avail_in == 0 && in_left > 0) {
            zs.avail_in = chunk(in_left);
            in_left -= zs.avail_in;
        }
        size_t room;
        zs.next_out = inflate_room(wr, start, limit, hint, &room);
        zs.avail_out = (uInt)room;
        int zrc = inflate(&zs, Z_NO_FLUSH);
        rn_writer_advance(wr, room - zs.avail_out);
        if (wr->len - start > limit) {
            rc = RN_ETOOLARGE;
            break;
        }
        int input_done = zs.avail_in == 0 && in_left == 0;
        if (zrc == Z_STREAM_END) {
            if (input_done)
                break;
            /* Another gzip member follows (or garbage, which the reset inflate
             * will refuse as a bad header). */
            if (inflateReset(&zs) != Z_OK) {
                rc = RN_ECOMPRESS;
                break;
            }
            continue;
        }
        /* Z_BUF_ERROR with input left means "no room", which the next round gives;
         * with no input left the stream is truncated. */
        if ((zrc != Z_OK && zrc != Z_BUF_ERROR) || (input_done && zs.avail_out > 0)) {
            rc = RN_ECOMPRESS;
            break;
        }
    }
    inflateEnd(&zs);
    return rc;
}
