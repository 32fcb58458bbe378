/*
 * fuzz_batch.c — libFuzzer target for the RecordBatch v2 codec.
 *
 * Each input is tried three ways, so that mutations get past the CRC:
 *
 *   1. as is              header decode, check, validate, iterate (+ headers)
 *   2. CRC fixed up       batchLength := len - 12, crc := CRC32C(21..end), then 1.
 *   3. gzip wrapped       bytes 61.. gzip-compressed as the records area of a codec-1
 *                         batch with the input's header, lengths and CRC fixed, then 1.
 *
 * Beyond "no crash, no sanitizer report, no leak" it checks the codec's promises and
 * aborts when one breaks:
 *   - validate OK  =>  check OK, and iteration yields exactly recordsCount records
 *                      with offsets base + i, then 0;
 *   - check OK     =>  header decode OK and the batch fits in the input;
 *   - every record the iterator returns has headers rn_record_header_next can walk;
 *   - a valid batch rebuilt record by record with the builder validates and yields
 *     the same records (keys, values, timestamps, headers).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/crc32c.h"
#include "proto/batch.h"
#include "proto/compress.h"
#include "proto/writer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void expect(int cond) {
    if (!cond)
        abort();
}

static int same_bytes(const uint8_t *a, int32_t alen, const uint8_t *b, int32_t blen) {
    if (alen != blen)
        return 0;
    return alen <= 0 || memcmp(a, b, (size_t)alen) == 0;
}

/* Walk a record's headers; each must decode; return a checksum touching every byte. */
static unsigned walk_headers(const rn_record_t *rec) {
    unsigned sum = 0;
    size_t pos = 0;
    for (int32_t i = 0; i < rec->header_count; i++) {
        rn_record_header_t hdr;
        expect(rn_record_header_next(rec, &pos, &hdr) == 0);
        for (int32_t k = 0; k < hdr.key_len; k++)
            sum += hdr.key[k];
        for (int32_t k = 0; k < hdr.value_len; k++)
            sum += hdr.value[k];
    }
    expect(pos == rec->headers_len);
    return sum;
}

static unsigned touch(const rn_record_t *rec) {
    unsigned sum = walk_headers(rec);
    for (int32_t k = 0; k < rec->key_len; k++)
        sum += rec->key[k];
    for (int32_t k = 0; k < rec->value_len; k++)
        sum += rec->value[k];
    return sum;
}

/* Headers compared decoded: the original may use non-minimal varints. */
static int same_headers(const rn_record_t *a, const rn_record_t *b) {
    size_t apos = 0, bpos = 0;
    if (a->header_count != b->header_count)
        return 0;
    for (int32_t i = 0; i < a->header_count; i++) {
        rn_record_header_t ah, bh;
        expect(rn_record_header_next(a, &apos, &ah) == 0);
        expect(rn_record_header_next(b, &bpos, &bh) == 0);
        if (!same_bytes(ah.key, ah.key_len, bh.key, bh.key_len) ||
            !same_bytes(ah.value, ah.value_len, bh.value, bh.value_len))
            return 0;
    }
    return 1;
}

static int same_records(const rn_record_t *a, const rn_record_t *b) {
    return a->offset == b->offset && a->timestamp == b->timestamp &&
           same_bytes(a->key, a->key_len, b->key, b->key_len) &&
           same_bytes(a->value, a->value_len, b->value, b->value_len) && same_headers(a, b);
}

/* Rebuild the valid batch p record by record; the copy must read back the same. */
static void rebuild(const uint8_t *p, size_t len, const rn_batch_header_t *h) {
    rn_batch_opts_t opts = {
        .codec = (rn_codec_t)(h->attributes & RN_BATCH_ATTR_CODEC_MASK),
        .base_offset = h->base_offset,
        .partition_leader_epoch = h->partition_leader_epoch,
        .producer_id = h->producer_id,
        .producer_epoch = h->producer_epoch,
        .base_sequence = h->base_sequence,
    };
    rn_batch_builder_t b;
    rn_batch_iter_t it, copy_it;
    rn_record_t rec, copy_rec;
    rn_batch_builder_init(&b, &opts);
    expect(rn_batch_iter_init(&it, p, len) == 0);
    while (rn_batch_iter_next(&it, &rec) == 1) {
        rn_record_header_t hdrs[8];
        size_t pos = 0;
        int32_t n = rec.header_count < 8 ? rec.header_count : 0;
        for (int32_t i = 0; i < n; i++)
            expect(rn_record_header_next(&rec, &pos, &hdrs[i]) == 0);
        if (rec.header_count >= 8) /* too many to copy here: skip the comparison */
            goto out;
        expect(rn_batch_builder_add(&b, rec.timestamp, rec.key, rec.key_len, rec.value,
                                    rec.value_len, hdrs, n) == 0);
    }
    uint8_t *copy;
    size_t copy_len;
    rn_batch_header_t ch;
    expect(rn_batch_builder_finish(&b, &copy, &copy_len) == 0);
    expect(rn_batch_validate(copy, copy_len, SIZE_MAX, &ch) == 0);
    expect(ch.records_count == h->records_count && ch.base_offset == h->base_offset);
    expect(rn_batch_iter_init(&copy_it, copy, copy_len) == 0);
    rn_batch_iter_deinit(&it);
    expect(rn_batch_iter_init(&it, p, len) == 0);
    while (rn_batch_iter_next(&it, &rec) == 1) {
        expect(rn_batch_iter_next(&copy_it, &copy_rec) == 1);
        expect(same_records(&rec, &copy_rec));
    }
    expect(rn_batch_iter_next(&copy_it, &copy_rec) == 0);
    rn_batch_iter_deinit(&copy_it);
    rn_free(copy);
out:
    rn_batch_iter_deinit(&it);
    rn_batch_builder_deinit(&b);
}

/* Iterate p; return the iterator's final result (0, or an error) and count. */
static int iterate(const uint8_t *p, size_t len, const rn_batch_header_t *h, int32_t *count) {
    rn_batch_iter_t it;
    rn_record_t rec;
    volatile unsigned sink = 0;
    int rc = rn_batch_iter_init(&it, p, len);
    *count = 0;
    if (rc != 0)
        return rc;
    expect(it.hdr.crc == h->crc);
    while ((rc = rn_batch_iter_next(&it, &rec)) == 1) {
        expect(rec.offset == (int64_t)((uint64_t)h->base_offset + (uint64_t)*count));
        sink += touch(&rec);
        (*count)++;
    }
    expect(rn_batch_iter_next(&it, &rec) == rc); /* the end and errors are sticky */
    rn_batch_iter_deinit(&it);
    (void)sink;
    return rc;
}

static void run(const uint8_t *p, size_t len) {
    rn_batch_header_t dh, ch, vh;
    int drc = rn_batch_header_decode(p, len, &dh);
    int crc = rn_batch_check(p, len, &ch);
    int vrc = rn_batch_validate(p, len, SIZE_MAX, &vh);
    if (crc == 0) {
        expect(drc == 0 && dh.crc == ch.crc && rn_batch_size(&ch) <= len);
        int32_t count;
        int irc = iterate(p, len, &ch, &count);
        if (vrc == 0)
            expect(irc == 0 && count == ch.records_count);
    }
    if (vrc == 0) {
        expect(crc == 0 && rn_batch_size(&vh) == len);
        (void)rn_batch_last_offset(&vh);
        rebuild(p, len, &vh);
    }
}

/* Input with batchLength and CRC made consistent; attributes' codec set to codec
 * and the records area replaced by its gzip when codec is gzip. */
static void run_fixed(const uint8_t *data, size_t size, int gzip) {
    rn_writer_t wr;
    rn_writer_init(&wr, size + 64);
    rn_writer_bytes(&wr, data, RN_BATCH_HEADER_SIZE);
    if (gzip) {
        wr.buf[RN_BATCH_ATTR_OFFSET + 1] =
            (uint8_t)((wr.buf[RN_BATCH_ATTR_OFFSET + 1] & ~RN_BATCH_ATTR_CODEC_MASK) |
                      RN_CODEC_GZIP);
        expect(rn_gzip_compress(&wr, data + RN_BATCH_HEADER_SIZE, size - RN_BATCH_HEADER_SIZE) ==
               0);
    } else {
        rn_writer_bytes(&wr, data + RN_BATCH_HEADER_SIZE, size - RN_BATCH_HEADER_SIZE);
    }
    wr.buf[16] = RN_BATCH_MAGIC;
    rn_writer_patch_u32(&wr, 8, (uint32_t)(wr.len - RN_BATCH_LOG_OVERHEAD));
    rn_writer_patch_u32(&wr, RN_BATCH_CRC_OFFSET,
                        rn_crc32c(wr.buf + RN_BATCH_ATTR_OFFSET, wr.len - RN_BATCH_ATTR_OFFSET));
    /* An exact-size copy, so that ASan catches any read past the batch. */
    uint8_t *p = malloc(wr.len);
    memcpy(p, wr.buf, wr.len);
    run(p, wr.len);
    free(p);
    rn_writer_deinit(&wr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    run(data, size);
    if (size >= RN_BATCH_HEADER_SIZE) {
        run_fixed(data, size, 0);
        run_fixed(data, size, 1);
    }
    return 0;
}
