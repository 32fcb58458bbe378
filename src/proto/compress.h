/*
 * compress.h — the record batch compression codecs. For now gzip (codec 1) only.
 *
 * Kafka compresses a batch's records area as one stream. gzip means RFC 1952: the
 * deflate stream wrapped in a gzip header and CRC-32/ISIZE trailer, as Java's
 * GZIPOutputStream writes it:
 *
 *   [1f 8b 08 flg mtime(4) xfl os] [deflate blocks ...] [crc32(4) isize(4)]
 *
 * Decompression accepts one or more concatenated gzip members (Java's
 * GZIPInputStream reads them all) and nothing else: trailing bytes that are not a
 * gzip member, a truncated stream or a bad checksum are RN_ECOMPRESS.
 *
 * Decompression bomb guard: the caller passes a limit on the decompressed size.
 * Output that would exceed it stops decompression with RN_ETOOLARGE, having
 * allocated at most limit + 1 bytes. (RN_ETOOLARGE rather than RN_ECOMPRESS because
 * the stream may be perfectly valid, just larger than we accept.)
 *
 * Thread-safe: no shared state.
 */
#ifndef RN_PROTO_COMPRESS_H
#define RN_PROTO_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "proto/writer.h"

/* Append the gzip compression of src[0..len) to wr. Returns 0 or RN_ECOMPRESS
 * (zlib failed; with valid arguments only on exhaustion inside zlib). */
int rn_gzip_compress(rn_writer_t *wr, const uint8_t *src, size_t len);

/* Append the decompression of the gzip stream src[0..len) to wr, producing at most
 * `limit` bytes. Returns 0, RN_ECOMPRESS (not gzip, corrupt, truncated, trailing
 * garbage) or RN_ETOOLARGE (more than limit bytes). On error wr may hold partial
 * output; the caller discards it. */
int rn_gzip_decompress(rn_writer_t *wr, const uint8_t *src, size_t len, size_t limit);

#endif
