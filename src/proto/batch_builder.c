/*
 * batch_builder.c — accumulate records, then emit one RecordBatch v2.
 *
 * Records are encoded as they are added into the builder's records area (b->buf);
 * finish() writes the 61-byte header with placeholders, appends the records area
 * (gzip-compressed for codec 1), then patches batchLength and the CRC:
 *
 *   [baseOffset][batchLength*][epoch][2][crc*][attributes .. recordsCount][records]
 *                 * reserved, patched once the size and the bytes are known
 *
 * One record, as it sits in the records area:
 *
 *   length         varint    bytes of everything below
 *   attributes     int8      0 (unused in v2)
 *   timestampDelta varlong   timestamp - baseTimestamp
 *   offsetDelta    varint    0, 1, 2, ...
 *   keyLength      varint    -1 = null key
 *   key            bytes
 *   valueLength    varint    -1 = null value
 *   value          bytes
 *   headerCount    varint
 *   headers        headerCount x [keyLength varint][key][valueLength varint][value]
 *
 * Deltas are computed with wrapping arithmetic, as the decoder adds them back, so any
 * int64 timestamp round-trips.
 */
#include <assert.h>
#include <string.h>

#include "common/alloc.h"
#include "common/crc32c.h"
#include "common/errors.h"
#include "proto/batch.h"
#include "proto/compress.h"
#include "proto/varint.h"
#include "proto/writer.h"

/* Largest batchLength, and so the largest records area that still fits beside the
 * header. */
#define MAX_RECORDS_AREA ((size_t)INT32_MAX - (RN_BATCH_HEADER_SIZE - RN_BATCH_LOG_OVERHEAD))

void rn_batch_builder_init(rn_batch_builder_t *b, const rn_batch_opts_t *opts) {
    memset(b, 0, sizeof *b);
    if (opts != NULL)
        b->opts = *opts;
    else
        rn_batch_opts_default(&b->opts);
}

void rn_batch_builder_deinit(rn_batch_builder_t *b) {
    RN_FREE(&b->buf);
    b->len = b->cap = 0;
}

int32_t rn_batch_builder_count(const rn_batch_builder_t *b) {
    return b->count;
}

size_t rn_batch_builder_size(const rn_batch_builder_t *b) {
    return RN_BATCH_HEADER_SIZE + b->len;
}

/* Encoded size of nullable bytes: length varint + the bytes. */
static size_t bytes_size(int32_t len) {
    return rn_varint_size(len) + (len > 0 ? (size_t)len : 0);
}

/* Size of the record body (everything after its length varint). Lengths are each
 * below 2^31, so with at most 2^31 headers the sum fits a 64-bit size_t. */
static size_t record_body_size(int64_t ts_delta, int32_t offset_delta, int32_t key_len,
                               int32_t value_len, const rn_record_header_t *headers,
                               int32_t nheaders) {
    size_t n = 1 + rn_varlong_size(ts_delta) + rn_varint_size(offset_delta);
    n += bytes_size(key_len) + bytes_size(value_len) + rn_varint_size(nheaders);
    for (int32_t i = 0; i < nheaders; i++)
        n += bytes_size(headers[i].key_len) + bytes_size(headers[i].value_len);
    return n;
}

static void write_nullable(rn_writer_t *wr, const void *p, int32_t len) {
    rn_writer_varint(wr, len);
    if (len > 0)
        rn_writer_bytes(wr, p, (size_t)len);
}

static void write_record(rn_writer_t *wr, int32_t body_len, int64_t ts_delta, int32_t offset_delta,
                         const void *key, int32_t key_len, const void *value, int32_t value_len,
                         const rn_record_header_t *headers, int32_t nheaders) {
    rn_writer_varint(wr, body_len);
    rn_writer_i8(wr, 0); /* attributes */
    rn_writer_varlong(wr, ts_delta);
    rn_writer_varint(wr, offset_delta);
    write_nullable(wr, key, key_len);
    write_nullable(wr, value, value_len);
    rn_writer_varint(wr, nheaders);
    for (int32_t i = 0; i < nheaders; i++) {
        write_nullable(wr, headers[i].key, headers[i].key_len);
        write_nullable(wr, headers[i].value, headers[i].value_len);
    }
}

/* Programmer mistakes, not bad input: the caller controls every argument. */
static void assert_args(const void *key, int32_t key_len, const void *value, int32_t value_len,
                        const rn_record_header_t *headers, int32_t nheaders) {
    assert(key_len >= -1 && (key != NULL || key_len <= 0));
    assert(value_len >= -1 && (value != NULL || value_len <= 0));
    assert(nheaders >= 0 && (headers != NULL || nheaders == 0));
    for (int32_t i = 0; i < nheaders; i++) {
        /* A header key is a string: never null. */
        assert(headers[i].key_len >= 0 && (headers[i].key != NULL || headers[i].key_len == 0));
        assert(headers[i].value_len >= -1 &&
               (headers[i].value != NULL || headers[i].value_len <= 0));
    }
    /* Parameters are only read by the asserts, which NDEBUG removes. */
    (void)key;
    (void)key_len;
    (void)value;
    (void)value_len;
    (void)headers;
    (void)nheaders;
}

int rn_batch_builder_add(rn_batch_builder_t *b, int64_t timestamp, const void *key, int32_t key_len,
                         const void *value, int32_t value_len, const rn_record_header_t *headers,
                         int32_t nheaders) {
    assert_args(key, key_len, value, value_len, headers, nheaders);
    if (b->count == INT32_MAX)
        return RN_ETOOLARGE;
    if (b->count == 0)
        b->base_timestamp = b->max_timestamp = timestamp;
    int64_t ts_delta = (int64_t)((uint64_t)timestamp - (uint64_t)b->base_timestamp);
    size_t body = record_body_size(ts_delta, b->count, key_len, value_len, headers, nheaders);
    if (body > INT32_MAX)
        return RN_ETOOLARGE;
    size_t total = rn_varint_size((int32_t)body) + body;
    if (total > MAX_RECORDS_AREA - b->len)
        return RN_ETOOLARGE;

    rn_writer_t wr = {.buf = b->buf, .len = b->len, .cap = b->cap};
    write_record(&wr, (int32_t)body, ts_delta, b->count, key, key_len, value, value_len, headers,
                 nheaders);
    assert(wr.len == b->len + total);
    b->buf = wr.buf;
    b->len = wr.len;
    b->cap = wr.cap;
    b->count++;
    if (timestamp > b->max_timestamp)
        b->max_timestamp = timestamp;
    return 0;
}

/* The 61-byte header with batchLength and crc left as zeros; see batch.h. */
static void write_header(rn_writer_t *wr, const rn_batch_builder_t *b) {
    const rn_batch_opts_t *o = &b->opts;
    rn_writer_i64(wr, o->base_offset);
    rn_writer_reserve(wr, 4); /* batchLength */
    rn_writer_i32(wr, o->partition_leader_epoch);
    rn_writer_i8(wr, RN_BATCH_MAGIC);
    rn_writer_reserve(wr, 4);             /* crc */
    rn_writer_i16(wr, (int16_t)o->codec); /* CreateTime, not transactional, not control */
    rn_writer_i32(wr, b->count - 1);      /* lastOffsetDelta */
    rn_writer_i64(wr, b->base_timestamp);
    rn_writer_i64(wr, b->max_timestamp);
    rn_writer_i64(wr, o->producer_id);
    rn_writer_i16(wr, o->producer_epoch);
    rn_writer_i32(wr, o->base_sequence);
    rn_writer_i32(wr, b->count);
}

int rn_batch_builder_finish(rn_batch_builder_t *b, uint8_t **out, size_t *out_len) {
    assert(b->count > 0);
    int rc = 0;
    rn_writer_t wr;
    if (b->opts.codec != RN_CODEC_NONE && b->opts.codec != RN_CODEC_GZIP)
        return RN_EBADCODEC;

    rn_writer_init(&wr, RN_BATCH_HEADER_SIZE + b->len);
    write_header(&wr, b);
    if (b->opts.codec == RN_CODEC_GZIP)
        rc = rn_gzip_compress(&wr, b->buf, b->len);
    else
        rn_writer_bytes(&wr, b->buf, b->len);
    if (rc == 0 && wr.len - RN_BATCH_LOG_OVERHEAD > INT32_MAX)
        rc = RN_ETOOLARGE;
    if (rc != 0)
        goto done;

    rn_writer_patch_i32(&wr, 8, (int32_t)(wr.len - RN_BATCH_LOG_OVERHEAD));
    rn_writer_patch_u32(&wr, RN_BATCH_CRC_OFFSET,
                        rn_crc32c(wr.buf + RN_BATCH_ATTR_OFFSET, wr.len - RN_BATCH_ATTR_OFFSET));
    *out = rn_writer_take(&wr, out_len);
done:
    rn_writer_deinit(&wr);
    return rc;
}
