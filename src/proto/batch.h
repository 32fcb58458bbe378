/*
 * batch.h — Kafka's RecordBatch v2 ("magic 2"): parse, validate, build, iterate.
 *
 * runnel stores, replicates and serves record batches exactly as producers built them
 * (DESIGN.md §2); docs/format.md describes the layout in our own words. All integers
 * are big-endian; records use zigzag varints.
 *
 *   offset  size  field                      covered by CRC
 *        0     8  baseOffset                 no   (stamped by the broker)
 *        8     4  batchLength (bytes after)  no
 *       12     4  partitionLeaderEpoch       no   (stamped by the broker)
 *       16     1  magic (= 2)                no
 *       17     4  crc (CRC32C of 21..end)    -
 *       21     2  attributes                 yes  bits 0-2 codec, 3 timestamp type,
 *       23     4  lastOffsetDelta            yes       4 transactional, 5 control
 *       27     8  baseTimestamp              yes
 *       35     8  maxTimestamp               yes
 *       43     8  producerId                 yes
 *       51     2  producerEpoch              yes
 *       53     4  baseSequence               yes
 *       57     4  recordsCount               yes
 *       61     .  records (compressed as a whole when codec != 0)
 *
 * Because baseOffset and partitionLeaderEpoch sit before the CRC'd range, the broker
 * stamps them (rn_batch_stamp) without recomputing the CRC.
 *
 * Buffers are borrowed: decoded records point into the caller's bytes (or into the
 * iterator's decompression buffer), so copy what must outlive them.
 */
#ifndef RN_PROTO_BATCH_H
#define RN_PROTO_BATCH_H

#include <stddef.h>
#include <stdint.h>

#define RN_BATCH_LOG_OVERHEAD 12 /* baseOffset + batchLength */
#define RN_BATCH_HEADER_SIZE  61 /* everything before the records */
#define RN_BATCH_MAGIC        2
#define RN_BATCH_CRC_OFFSET   17
#define RN_BATCH_ATTR_OFFSET  21

#define RN_BATCH_ATTR_CODEC_MASK      0x07
#define RN_BATCH_ATTR_LOG_APPEND_TIME 0x08
#define RN_BATCH_ATTR_TRANSACTIONAL   0x10
#define RN_BATCH_ATTR_CONTROL         0x20

typedef enum {
    RN_CODEC_NONE = 0,
    RN_CODEC_GZIP = 1,
    RN_CODEC_SNAPPY = 2,
    RN_CODEC_LZ4 = 3,
    RN_CODEC_ZSTD = 4,
} rn_codec_t;

typedef struct rn_batch_header_s {
    int64_t base_offset;
    int32_t batch_length; /* bytes after this field; whole batch = batch_length + 12 */
    int32_t partition_leader_epoch;
    int8_t magic;
    uint32_t crc;
    int16_t attributes;
    int32_t last_offset_delta;
    int64_t base_timestamp;
    int64_t max_timestamp;
    int64_t producer_id;
    int16_t producer_epoch;
    int32_t base_sequence;
    int32_t records_count;
} rn_batch_header_t;

/* Total size in bytes of the batch whose header is h. */
static inline size_t rn_batch_size(const rn_batch_header_t *h) {
    return (size_t)h->batch_length + RN_BATCH_LOG_OVERHEAD;
}

/* Offset of the last record of the batch. */
static inline int64_t rn_batch_last_offset(const rn_batch_header_t *h) {
    /* Wrapping add: both fields come off the wire, and a signed overflow would be
     * undefined behaviour. Equal to base_offset + last_offset_delta otherwise. */
    return (int64_t)((uint64_t)h->base_offset + (uint64_t)(int64_t)h->last_offset_delta);
}

/*
 * Decode the fixed 61-byte header at p; len may extend past the batch. Checks only
 * what the header alone can tell: len >= 61, batchLength >= 49 (a header with no
 * records), magic == 2. Does NOT check that the whole batch is present or its CRC.
 * Returns 0, RN_EMALFORMED or RN_EBADMAGIC. h is filled on 0 only.
 */
int rn_batch_header_decode(const uint8_t *p, size_t len, rn_batch_header_t *h);

/*
 * Header decode + the whole batch is within len + the CRC matches. The cheap check
 * used by recovery, replication and client reads (it does not walk the records).
 * Returns 0, RN_EMALFORMED (short or inconsistent lengths), RN_EBADMAGIC, RN_ECORRUPT
 * (CRC mismatch).
 */
int rn_batch_check(const uint8_t *p, size_t len, rn_batch_header_t *h);

/*
 * Full validation of one batch as received from a producer: p[0..len) must hold
 * exactly one batch. Checks, in order: len <= max_bytes (RN_ETOOLARGE), header and
 * length (RN_EMALFORMED), magic (RN_EBADMAGIC), CRC (RN_ECORRUPT), codec is none or
 * gzip (RN_EBADCODEC), recordsCount >= 1, lastOffsetDelta == recordsCount - 1 and the
 * records found equal recordsCount (RN_EBADCOUNT), offset deltas are 0, 1, 2, ...
 * (RN_EBADOFFSET), and every record's lengths are in bounds with nothing left over
 * (RN_EMALFORMED). Compressed batches are decompressed to walk the records.
 * h is filled on 0. Thread-safe; allocates only for decompression.
 */
int rn_batch_validate(const uint8_t *p, size_t len, size_t max_bytes, rn_batch_header_t *h);

/* Write baseOffset and partitionLeaderEpoch into the batch at p (at least 61 bytes).
 * The CRC stays valid: neither field is covered. */
void rn_batch_stamp(uint8_t *p, int64_t base_offset, int32_t partition_leader_epoch);

/* ---- records ---------------------------------------------------------------- */

/* A record header: key is a string, value nullable bytes (value_len -1 = null). */
typedef struct rn_record_header_s {
    const uint8_t *key;
    int32_t key_len;
    const uint8_t *value;
    int32_t value_len;
} rn_record_header_t;

/* A decoded record: views into the batch (or the iterator's decompressed buffer). */
typedef struct rn_record_s {
    int64_t offset;    /* base_offset + offsetDelta */
    int64_t timestamp; /* base_timestamp + timestampDelta */
    int8_t attributes;
    const uint8_t *key; /* NULL when key_len == -1 */
    int32_t key_len;    /* -1: null key */
    const uint8_t *value;
    int32_t value_len; /* -1: null value */
    int32_t header_count;
    const uint8_t *headers; /* header_count encoded headers, headers_len bytes */
    size_t headers_len;
} rn_record_t;

/*
 * Decode the i-th header of a record, walking from rec->headers. Use:
 *   size_t pos = 0; for (i = 0; i < rec.header_count; i++) rn_record_header_next(&rec, &pos, &hdr);
 * Returns 0 or RN_EMALFORMED (cannot happen for a record the iterator returned).
 */
int rn_record_header_next(const rn_record_t *rec, size_t *pos, rn_record_header_t *hdr);

/* Iterates the records of one batch. Embedded by the caller; deinit frees the
 * decompression buffer, after which records it returned are invalid. */
typedef struct rn_batch_iter_s {
    rn_batch_header_t hdr;
    const uint8_t *p; /* records area (decompressed when the batch is compressed) */
    size_t len;
    size_t pos;
    int32_t index;     /* records returned so far */
    uint8_t *inflated; /* owned; NULL for uncompressed batches */
    int err;           /* sticky error of rn_batch_iter_next; 0 while healthy */
} rn_batch_iter_t;

/* Largest decompressed records area the iterator and rn_batch_validate accept (a
 * decompression bomb guard); a batch inflating past it is RN_ETOOLARGE. */
#define RN_BATCH_MAX_INFLATED ((size_t)64 << 20)

/* rn_batch_check + decompress if needed. On error nothing needs deinit.
 * Returns 0, the rn_batch_check errors, RN_EBADCODEC, RN_ECOMPRESS, RN_ETOOLARGE
 * (decompresses to more than RN_BATCH_MAX_INFLATED bytes). */
int rn_batch_iter_init(rn_batch_iter_t *it, const uint8_t *p, size_t len);

/* 1 and *rec filled; 0 at the end (after exactly recordsCount records);
 * RN_EMALFORMED / RN_EBADCOUNT / RN_EBADOFFSET on bad records (sticky). */
int rn_batch_iter_next(rn_batch_iter_t *it, rn_record_t *rec);

void rn_batch_iter_deinit(rn_batch_iter_t *it);

/* ---- building ----------------------------------------------------------------- */

typedef struct rn_batch_opts_s {
    rn_codec_t codec;               /* RN_CODEC_NONE or RN_CODEC_GZIP */
    int64_t base_offset;            /* usually 0; the broker stamps the real one */
    int32_t partition_leader_epoch; /* usually -1 from producers */
    int64_t producer_id;            /* -1 when not idempotent */
    int16_t producer_epoch;         /* -1 */
    int32_t base_sequence;          /* -1 */
} rn_batch_opts_t;

/* codec none, base offset 0, epoch -1, producer id/epoch/sequence -1 */
void rn_batch_opts_default(rn_batch_opts_t *opts);

/* Accumulates records and produces one batch. baseTimestamp is the first record's
 * timestamp, maxTimestamp the largest. Embedded by the caller. */
typedef struct rn_batch_builder_s {
    rn_batch_opts_t opts;
    uint8_t *buf; /* uncompressed records area */
    size_t len, cap;
    int32_t count;
    int64_t base_timestamp, max_timestamp;
} rn_batch_builder_t;

void rn_batch_builder_init(rn_batch_builder_t *b, const rn_batch_opts_t *opts);

/* Append a record. key/value NULL with len -1 mean null; headers may be NULL when
 * nheaders is 0. Everything is copied. Returns 0 or RN_ETOOLARGE (a length over
 * INT32_MAX or more than INT32_MAX records). */
int rn_batch_builder_add(rn_batch_builder_t *b, int64_t timestamp, const void *key, int32_t key_len,
                         const void *value, int32_t value_len, const rn_record_header_t *headers,
                         int32_t nheaders);

/* Records added so far, and the uncompressed size the batch would have. */
int32_t rn_batch_builder_count(const rn_batch_builder_t *b);
size_t rn_batch_builder_size(const rn_batch_builder_t *b);

/* Produce the batch (compressed per opts, CRC filled in). *out is allocated with
 * rn_malloc and owned by the caller. At least one record must have been added.
 * The builder stays usable only for deinit. Returns 0, RN_ECOMPRESS, RN_EBADCODEC
 * (opts.codec is not none or gzip) or RN_ETOOLARGE (the compressed batch would
 * exceed INT32_MAX bytes). */
int rn_batch_builder_finish(rn_batch_builder_t *b, uint8_t **out, size_t *out_len);

void rn_batch_builder_deinit(rn_batch_builder_t *b);

#endif
