/*
 * wire.c — primitives, frames and headers (see wire.h for the layouts).
 *
 *   string "abc"  ->  [00 03] [61 62 63]        null nstring  ->  [ff ff]
 *   nbytes 0x0102 ->  [00 00 00 02] [01 02]     null nbytes   ->  [ff ff ff ff]
 *   array of int32 {7, 8} -> [00 00 00 02] [00 00 00 07] [00 00 00 08]
 *
 * Every read goes through the reader's sticky error, so the functions here never
 * branch on a failed read except to return early from array sizing.
 */
#include "proto/wire.h"

#include <assert.h>

#include "common/errors.h"

#define STR_MIN  2 /* wire bytes of the smallest string: its length */
#define I32_SIZE 4

bool rn_str_eq(rn_str_t a, rn_str_t b) {
    if (a.len < 0 || b.len < 0)
        return a.len < 0 && b.len < 0;
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, (size_t)a.len) == 0);
}

bool rn_str_eq_c(rn_str_t a, const char *s) {
    return a.len >= 0 && s != NULL && rn_str_eq(a, rn_str(s));
}

/* ---- decoding ----------------------------------------------------------------- */

void rn_wire_dec_init(rn_wire_dec_t *d, const void *p, size_t len, int16_t version,
                      rn_arena_t *arena) {
    rn_reader_init(&d->rd, p, len);
    d->arena = arena;
    d->version = version;
}

int rn_wire_dec_finish(const rn_wire_dec_t *d) {
    if (d->rd.err)
        return d->rd.err;
    return d->rd.pos == d->rd.len ? 0 : RN_EMALFORMED;
}

bool rn_wire_read_bool(rn_wire_dec_t *d) {
    return rn_reader_u8(&d->rd) != 0;
}

/* A string whose length field is n (already read). */
static rn_str_t str_body(rn_wire_dec_t *d, int16_t n, bool nullable) {
    if (n == -1 && nullable)
        return RN_STR_NULL;
    if (n < 0) {
        rn_reader_fail(&d->rd, RN_EMALFORMED);
        return RN_STR_NULL;
    }
    const uint8_t *p = rn_reader_bytes(&d->rd, (size_t)n);
    return p ? (rn_str_t){(const char *)p, n} : RN_STR_NULL;
}

rn_str_t rn_wire_read_str(rn_wire_dec_t *d) {
    return str_body(d, rn_reader_i16(&d->rd), false);
}

rn_str_t rn_wire_read_nstr(rn_wire_dec_t *d) {
    return str_body(d, rn_reader_i16(&d->rd), true);
}

/* Bytes whose length field is n (already read). */
static rn_bytes_t bytes_body(rn_wire_dec_t *d, int32_t n, bool nullable) {
    if (n == -1 && nullable)
        return RN_BYTES_NULL;
    if (n < 0) {
        rn_reader_fail(&d->rd, RN_EMALFORMED);
        return RN_BYTES_NULL;
    }
    const uint8_t *p = rn_reader_bytes(&d->rd, (size_t)n);
    return p ? (rn_bytes_t){p, n} : RN_BYTES_NULL;
}

rn_bytes_t rn_wire_read_bytes(rn_wire_dec_t *d) {
    return bytes_body(d, rn_reader_i32(&d->rd), false);
}

rn_bytes_t rn_wire_read_nbytes(rn_wire_dec_t *d) {
    return bytes_body(d, rn_reader_i32(&d->rd), true);
}

int32_t rn_wire_read_count(rn_wire_dec_t *d, size_t min_elem, bool nullable) {
    assert(min_elem > 0);
    int32_t n = rn_reader_i32(&d->rd);
    if (d->rd.err)
        return 0;
    if (n == -1 && nullable)
        return -1;
    /* The bound that keeps a 4-byte frame from asking for gigabytes. */
    if (n < 0 || (size_t)n > rn_reader_remaining(&d->rd) / min_elem) {
        rn_reader_fail(&d->rd, RN_EMALFORMED);
        return 0;
    }
    return n;
}

void *rn_wire_alloc(rn_wire_dec_t *d, int32_t n, size_t size) {
    if (n <= 0 || d->rd.err)
        return NULL;
    return rn_arena_alloc(d->arena, (size_t)n, size);
}

int32_t *rn_wire_read_i32s(rn_wire_dec_t *d, int32_t *n) {
    *n = rn_wire_read_count(d, I32_SIZE, false);
    int32_t *v = rn_wire_alloc(d, *n, sizeof *v);
    for (int32_t i = 0; i < *n; i++)
        v[i] = rn_reader_i32(&d->rd);
    return v;
}

rn_str_t *rn_wire_read_strs(rn_wire_dec_t *d, int32_t *n, bool nullable) {
    *n = rn_wire_read_count(d, STR_MIN, nullable);
    rn_str_t *v = rn_wire_alloc(d, *n, sizeof *v);
    for (int32_t i = 0; i < *n; i++)
        v[i] = rn_wire_read_str(d);
    return v;
}

/* ---- encoding ----------------------------------------------------------------- */

void rn_wire_enc_init(rn_wire_enc_t *e, rn_writer_t *wr, int16_t version) {
    e->wr = wr;
    e->start = wr->len;
    e->version = version;
    e->err = 0;
}

int rn_wire_enc_finish(rn_wire_enc_t *e) {
    if (e->err)
        e->wr->len = e->start;
    return e->err;
}

static void enc_fail(rn_wire_enc_t *e, int err) {
    if (e->err == 0)
        e->err = err;
}

void rn_wire_write_bool(rn_wire_enc_t *e, bool v) {
    rn_writer_i8(e->wr, v ? 1 : 0);
}

void rn_wire_write_str(rn_wire_enc_t *e, rn_str_t s) {
    if (s.len < 0) {
        enc_fail(e, RN_EMALFORMED);
        return;
    }
    rn_wire_write_nstr(e, s);
}

void rn_wire_write_nstr(rn_wire_enc_t *e, rn_str_t s) {
    if (s.len > INT16_MAX) {
        enc_fail(e, RN_ETOOLARGE);
        return;
    }
    if (s.len < 0) {
        rn_writer_i16(e->wr, -1);
        return;
    }
    rn_writer_i16(e->wr, (int16_t)s.len);
    rn_writer_bytes(e->wr, s.ptr, (size_t)s.len);
}

void rn_wire_write_bytes(rn_wire_enc_t *e, rn_bytes_t b) {
    if (b.len < 0) {
        enc_fail(e, RN_EMALFORMED);
        return;
    }
    rn_wire_write_nbytes(e, b);
}

void rn_wire_write_nbytes(rn_wire_enc_t *e, rn_bytes_t b) {
    if (b.len < 0) {
        rn_writer_i32(e->wr, -1);
        return;
    }
    rn_writer_i32(e->wr, b.len);
    rn_writer_bytes(e->wr, b.ptr, (size_t)b.len);
}

void rn_wire_write_count(rn_wire_enc_t *e, int32_t n, bool nullable) {
    if (n < -1 || (n == -1 && !nullable)) {
        enc_fail(e, RN_EMALFORMED);
        return;
    }
    rn_writer_i32(e->wr, n);
}

void rn_wire_write_i32s(rn_wire_enc_t *e, const int32_t *v, int32_t n) {
    rn_wire_write_count(e, n, false);
    for (int32_t i = 0; i < n; i++)
        rn_writer_i32(e->wr, v[i]);
}

void rn_wire_write_strs(rn_wire_enc_t *e, const rn_str_t *v, int32_t n, bool nullable) {
    rn_wire_write_count(e, n, nullable);
    for (int32_t i = 0; i < n; i++)
        rn_wire_write_str(e, v[i]);
}

/* ---- frames and headers ------------------------------------------------------- */

size_t rn_wire_frame_begin(rn_writer_t *wr) {
    return rn_writer_reserve(wr, RN_WIRE_FRAME_SIZE_LEN);
}

int rn_wire_frame_end(rn_writer_t *wr, size_t at) {
    assert(at + RN_WIRE_FRAME_SIZE_LEN <= wr->len);
    size_t size = wr->len - at - RN_WIRE_FRAME_SIZE_LEN;
    if (size > INT32_MAX)
        return RN_ETOOLARGE;
    rn_writer_patch_i32(wr, at, (int32_t)size);
    return 0;
}

int rn_wire_frame_decode(const uint8_t *p, size_t len, int32_t max_size, const uint8_t **msg,
                         size_t *msg_len) {
    rn_reader_t rd;
    rn_reader_init(&rd, p, len);
    int32_t size = rn_reader_i32(&rd);
    if (rd.err)
        return 0;
    if (size < 0)
        return RN_EMALFORMED;
    if (size > max_size)
        return RN_ETOOLARGE;
    if ((size_t)size > rn_reader_remaining(&rd))
        return 0;
    *msg = p + RN_WIRE_FRAME_SIZE_LEN;
    *msg_len = (size_t)size;
    return 1;
}

int rn_request_header_encode(rn_writer_t *wr, const rn_request_header_t *h) {
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, 0);
    rn_writer_i16(wr, h->api_key);
    rn_writer_i16(wr, h->api_version);
    rn_writer_i32(wr, h->correlation_id);
    rn_wire_write_nstr(&e, h->client_id);
    return rn_wire_enc_finish(&e);
}

int rn_request_header_decode(rn_reader_t *rd, rn_request_header_t *h) {
    rn_wire_dec_t d = {.rd = *rd};
    h->api_key = rn_reader_i16(&d.rd);
    h->api_version = rn_reader_i16(&d.rd);
    h->correlation_id = rn_reader_i32(&d.rd);
    h->client_id = rn_wire_read_nstr(&d);
    *rd = d.rd;
    return rd->err;
}

void rn_response_header_encode(rn_writer_t *wr, int32_t correlation_id) {
    rn_writer_i32(wr, correlation_id);
}

int rn_response_header_decode(rn_reader_t *rd, int32_t *correlation_id) {
    *correlation_id = rn_reader_i32(rd);
    return rd->err;
}
