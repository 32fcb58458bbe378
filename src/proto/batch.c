/*
 * batch.c — the RecordBatch v2 header: decode, check, stamp, validate.
 *
 *   0        8          12          16    17    21                          61
 *   +--------+-----------+-----------+-----+-----+---------------------------+---------
 *   |baseOff |batchLength|leaderEpoch|magic| crc | attributes .. recordsCount| records
 *   +--------+-----------+-----------+-----+-----+---------------------------+---------
 *    stamped   bytes after             = 2   CRC32C over [21, 12 + batchLength)
 *              this field
 *
 * The full table is in batch.h and docs/format.md. rn_batch_check is the cheap test
 * (lengths, magic, CRC) that recovery and replication use; rn_batch_validate adds
 * the producer-facing checks and walks every record through the iterator
 * (batch_iter.c), so the two cannot disagree on what a well-formed record is.
 */
#include "proto/batch.h"

#include "common/crc32c.h"
#include "common/errors.h"
#include "proto/batch_int.h"
#include "proto/reader.h"
#include "proto/writer.h"

/* batchLength counts everything after itself: a batch without records has 49. */
#define MIN_BATCH_LENGTH (RN_BATCH_HEADER_SIZE - RN_BATCH_LOG_OVERHEAD)
#define MAGIC_OFFSET     16

int rn_batch_header_decode(const uint8_t *p, size_t len, rn_batch_header_t *h) {
    /* Check the magic before the length: batches of older formats (v0/v1 message
     * sets) keep their magic byte at the same offset but may be shorter than 61. */
    if (len <= MAGIC_OFFSET)
        return RN_EMALFORMED;
    if (p[MAGIC_OFFSET] != RN_BATCH_MAGIC)
        return RN_EBADMAGIC;
    if (len < RN_BATCH_HEADER_SIZE)
        return RN_EMALFORMED;

    rn_reader_t rd;
    rn_batch_header_t tmp;
    rn_reader_init(&rd, p, RN_BATCH_HEADER_SIZE);
    tmp.base_offset = rn_reader_i64(&rd);
    tmp.batch_length = rn_reader_i32(&rd);
    tmp.partition_leader_epoch = rn_reader_i32(&rd);
    tmp.magic = rn_reader_i8(&rd);
    tmp.crc = rn_reader_u32(&rd);
    tmp.attributes = rn_reader_i16(&rd);
    tmp.last_offset_delta = rn_reader_i32(&rd);
    tmp.base_timestamp = rn_reader_i64(&rd);
    tmp.max_timestamp = rn_reader_i64(&rd);
    tmp.producer_id = rn_reader_i64(&rd);
    tmp.producer_epoch = rn_reader_i16(&rd);
    tmp.base_sequence = rn_reader_i32(&rd);
    tmp.records_count = rn_reader_i32(&rd);
    if (rd.err)
        return rd.err; /* cannot happen: 61 bytes are there */
    if (tmp.batch_length < MIN_BATCH_LENGTH)
        return RN_EMALFORMED;
    *h = tmp;
    return 0;
}

/* CRC32C over attributes..end of the batch whose header h is at p. */
static uint32_t batch_crc(const uint8_t *p, const rn_batch_header_t *h) {
    return rn_crc32c(p + RN_BATCH_ATTR_OFFSET, rn_batch_size(h) - RN_BATCH_ATTR_OFFSET);
}

int rn_batch_check(const uint8_t *p, size_t len, rn_batch_header_t *h) {
    rn_batch_header_t tmp;
    int rc = rn_batch_header_decode(p, len, &tmp);
    if (rc != 0)
        return rc;
    if (rn_batch_size(&tmp) > len)
        return RN_EMALFORMED;
    if (batch_crc(p, &tmp) != tmp.crc)
        return RN_ECORRUPT;
    *h = tmp;
    return 0;
}

void rn_batch_stamp(uint8_t *p, int64_t base_offset, int32_t partition_leader_epoch) {
    rn_put_be(p, (uint64_t)base_offset, 8);
    rn_put_be(p + 12, (uint32_t)partition_leader_epoch, 4);
}

/* The checks of the header fields alone, after the CRC matched. */
static int validate_header(const rn_batch_header_t *h) {
    int codec = h->attributes & RN_BATCH_ATTR_CODEC_MASK;
    if (codec != RN_CODEC_NONE && codec != RN_CODEC_GZIP)
        return RN_EBADCODEC;
    if (h->records_count < 1 || h->last_offset_delta != h->records_count - 1)
        return RN_EBADCOUNT;
    return 0;
}

/* Walk every record; the iterator enforces offsets, lengths and the count. */
static int validate_records(const uint8_t *p, const rn_batch_header_t *h) {
    rn_batch_iter_t it;
    rn_record_t rec;
    int rc = rn__batch_iter_start(&it, p, h, RN_BATCH_MAX_INFLATED);
    if (rc != 0)
        return rc;
    while ((rc = rn_batch_iter_next(&it, &rec)) == 1)
        ;
    rn_batch_iter_deinit(&it);
    return rc;
}

int rn_batch_validate(const uint8_t *p, size_t len, size_t max_bytes, rn_batch_header_t *h) {
    rn_batch_header_t tmp;
    if (len > max_bytes)
        return RN_ETOOLARGE;
    int rc = rn_batch_header_decode(p, len, &tmp);
    if (rc == 0 && rn_batch_size(&tmp) != len)
        rc = RN_EMALFORMED; /* exactly one batch, nothing before or after it */
    if (rc == 0)
        rc = rn_batch_check(p, len, &tmp);
    if (rc == 0)
        rc = validate_header(&tmp);
    if (rc == 0)
        rc = validate_records(p, &tmp);
    if (rc == 0)
        *h = tmp;
    return rc;
}

void rn_batch_opts_default(rn_batch_opts_t *opts) {
    opts->codec = RN_CODEC_NONE;
    opts->base_offset = 0;
    opts->partition_leader_epoch = -1;
    opts->producer_id = -1;
    opts->producer_epoch = -1;
    opts->base_sequence = -1;
}
