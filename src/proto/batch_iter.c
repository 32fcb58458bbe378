/*
 * batch_iter.c — walk the records of one batch, and the headers of one record.
 *
 * The records area (decompressed first when the codec says so) is a plain sequence
 * of length-prefixed records; a record's fields must fill its length exactly:
 *
 *   records area: [len|body][len|body] ... recordsCount times, nothing after
 *   body:         attributes int8 | timestampDelta varlong | offsetDelta varint |
 *                 keyLength varint | key | valueLength varint | value |
 *                 headerCount varint | headers
 *   header:       keyLength varint (>= 0) | key | valueLength varint (>= -1) | value
 *
 * What the iterator refuses (sticky, returned again by every later call):
 *   RN_EMALFORMED  a length out of bounds or negative, an overlong varint, a record
 *                  whose fields do not fill its length, bytes after the last record
 *                  that do not form a record
 *   RN_EBADCOUNT   fewer records than recordsCount, or more (a whole record after the
 *                  last one), or a negative recordsCount
 *   RN_EBADOFFSET  the i-th record's offsetDelta is not i
 *
 * Offsets and timestamps are base + delta with wrapping arithmetic: the fields come
 * off the wire and a signed overflow would be undefined behaviour.
 */
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "proto/batch.h"
#include "proto/batch_int.h"
#include "proto/compress.h"
#include "proto/reader.h"
#include "proto/writer.h"

static int64_t wrap_add(int64_t a, int64_t b) {
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* A nullable byte string: length varint (-1 = null, below that malformed), bytes. */
static const uint8_t *read_nullable(rn_reader_t *rd, int32_t *len) {
    *len = rn_reader_varint(rd);
    if (*len < -1) {
        rn_reader_fail(rd, RN_EMALFORMED);
        return NULL;
    }
    if (*len == -1)
        return NULL;
    return rn_reader_bytes(rd, (size_t)*len);
}

static void read_header(rn_reader_t *rd, rn_record_header_t *hdr) {
    hdr->key = read_nullable(rd, &hdr->key_len);
    if (hdr->key_len < 0)
        rn_reader_fail(rd, RN_EMALFORMED); /* a header key is a string, never null */
    hdr->value = read_nullable(rd, &hdr->value_len);
}

int rn_record_header_next(const rn_record_t *rec, size_t *pos, rn_record_header_t *hdr) {
    rn_reader_t rd;
    rn_record_header_t tmp;
    if (*pos > rec->headers_len)
        return RN_EMALFORMED;
    rn_reader_init(&rd, rec->headers, rec->headers_len);
    rn_reader_skip(&rd, *pos);
    read_header(&rd, &tmp);
    if (rd.err)
        return rd.err;
    *pos = rd.pos;
    *hdr = tmp;
    return 0;
}

/* Decode the body of one record (rd spans exactly the body). Offset/timestamp are
 * still deltas here. */
static void read_body(rn_reader_t *rd, rn_record_t *rec, int32_t *offset_delta) {
    rec->attributes = rn_reader_i8(rd);
    rec->timestamp = rn_reader_varlong(rd);
    *offset_delta = rn_reader_varint(rd);
    rec->key = read_nullable(rd, &rec->key_len);
    rec->value = read_nullable(rd, &rec->value_len);
    rec->header_count = rn_reader_varint(rd);
    if (rec->header_count < 0)
        rn_reader_fail(rd, RN_EMALFORMED);
    size_t start = rd->pos;
    rec->headers = rd->p + start;
    for (int32_t i = 0; i < rec->header_count && rd->err == 0; i++) {
        rn_record_header_t hdr;
        read_header(rd, &hdr);
    }
    rec->headers_len = rd->pos - start;
    if (rn_reader_remaining(rd) != 0)
        rn_reader_fail(rd, RN_EMALFORMED); /* fields must fill the record exactly */
}

/* Decode the record at rd's position: its length, then its body. */
static int read_record(rn_reader_t *rd, rn_record_t *rec, int32_t *offset_delta) {
    int32_t len = rn_reader_varint(rd);
    if (len < 0)
        rn_reader_fail(rd, RN_EMALFORMED);
    const uint8_t *body = rn_reader_bytes(rd, len < 0 ? 0 : (size_t)len);
    if (rd->err)
        return rd->err;
    rn_reader_t brd;
    rn_reader_init(&brd, body, (size_t)len);
    read_body(&brd, rec, offset_delta);
    return brd.err;
}

/* After recordsCount records: bytes left over are a surplus record (RN_EBADCOUNT) if
 * they parse as one, else garbage (RN_EMALFORMED). */
static int check_tail(const rn_batch_iter_t *it) {
    rn_reader_t rd;
    rn_record_t rec;
    int32_t delta;
    if (it->pos == it->len)
        return 0;
    rn_reader_init(&rd, it->p + it->pos, it->len - it->pos);
    return read_record(&rd, &rec, &delta) == 0 ? RN_EBADCOUNT : RN_EMALFORMED;
}

static int fail(rn_batch_iter_t *it, int err) {
    it->err = err;
    return err;
}

int rn_batch_iter_next(rn_batch_iter_t *it, rn_record_t *rec) {
    if (it->err)
        return it->err;
    if (it->hdr.records_count < 0)
        return fail(it, RN_EBADCOUNT);
    if (it->index == it->hdr.records_count) {
        int rc = check_tail(it);
        return rc ? fail(it, rc) : 0;
    }
    if (it->pos == it->len)
        return fail(it, RN_EBADCOUNT); /* clean end, but records are missing */

    rn_reader_t rd;
    rn_record_t tmp;
    int32_t offset_delta;
    rn_reader_init(&rd, it->p + it->pos, it->len - it->pos);
    int rc = read_record(&rd, &tmp, &offset_delta);
    if (rc != 0)
        return fail(it, rc);
    if (offset_delta != it->index)
        return fail(it, RN_EBADOFFSET);
    tmp.offset = wrap_add(it->hdr.base_offset, offset_delta);
    tmp.timestamp = wrap_add(it->hdr.base_timestamp, tmp.timestamp);
    it->pos += rd.pos;
    it->index++;
    *rec = tmp;
    return 1;
}

int rn__batch_iter_start(rn_batch_iter_t *it, const uint8_t *p, const rn_batch_header_t *h,
                         size_t max_inflated) {
    int codec = h->attributes & RN_BATCH_ATTR_CODEC_MASK;
    const uint8_t *records = p + RN_BATCH_HEADER_SIZE;
    size_t len = rn_batch_size(h) - RN_BATCH_HEADER_SIZE;
    memset(it, 0, sizeof *it);
    it->hdr = *h;
    if (codec == RN_CODEC_NONE) {
        it->p = records;
        it->len = len;
        return 0;
    }
    if (codec != RN_CODEC_GZIP)
        return RN_EBADCODEC;

    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    int rc = rn_gzip_decompress(&wr, records, len, max_inflated);
    if (rc != 0) {
        rn_writer_deinit(&wr);
        return rc;
    }
    it->inflated = rn_writer_take(&wr, &it->len);
    it->p = it->inflated;
    return 0;
}

int rn_batch_iter_init(rn_batch_iter_t *it, const uint8_t *p, size_t len) {
    rn_batch_header_t h;
    memset(it, 0, sizeof *it); /* so that a stray deinit after a failed init is harmless */
    int rc = rn_batch_check(p, len, &h);
    if (rc != 0)
        return rc;
    return rn__batch_iter_start(it, p, &h, RN_BATCH_MAX_INFLATED);
}

void rn_batch_iter_deinit(rn_batch_iter_t *it) {
    RN_FREE(&it->inflated);
    it->p = NULL;
    it->len = it->pos = 0;
}
