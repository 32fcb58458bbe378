/*
 * api_produce.c — Produce (key 0) codec.
 *
 *   Produce request v0                       Produce response v0
 *   +---------------------------------+      +-----------------------------------+
 *   | transactional_id  nstring       |      | error_code          int16         |
 *   | acks              int16         |      | responses           array of:     |
 *   | timeout_ms        int32         |      |   name              string        |
 *   | topic_data        array of:     |      |   partition_responses array of:   |
 *   |   name            string        |      |     index           int32         |
 *   |   partition_data  array of:     |      |     error_code      int16         |
 *   |     index         int32 (-1 any)|      |     base_offset     int64         |
 *   |     records       nbytes        |      |     log_append_time_ms int64      |
 *   +---------------------------------+      |     log_start_offset int64        |
 *                                            |     error_message   nstring       |
 *                                            | throttle_time_ms    int32         |
 *                                            +-----------------------------------+
 *
 * `records` holds RecordBatch v2 batches back to back (docs/format.md); the codec
 * passes them through as a view.
 */
#include "proto/api_produce.h"

#include "common/errors.h"
#include "proto/api.h"

/* Fewest wire bytes of one array element, for bounding counts (wire.h). */
#define TOPIC_MIN          6  /* name 2 + partition_data 4 */
#define PARTITION_MIN      8  /* index 4 + records 4 */
#define TOPIC_RESP_MIN     6  /* name 2 + partition_responses 4 */
#define PARTITION_RESP_MIN 32 /* 4 + 2 + 8 + 8 + 8 + error_message 2 */

/* ---- request ------------------------------------------------------------------ */

static void encode_topic_data(rn_wire_enc_t *e, const rn_produce_topic_data_t *topic) {
    rn_wire_write_str(e, topic->name);
    rn_wire_write_count(e, topic->n_partition_data, false);
    for (int32_t i = 0; i < topic->n_partition_data; i++) {
        rn_writer_i32(e->wr, topic->partition_data[i].index);
        rn_wire_write_nbytes(e, topic->partition_data[i].records);
    }
}

int rn_produce_request_encode(rn_writer_t *wr, int16_t version, const rn_produce_request_t *req) {
    int rc = rn_api_check_version(RN_API_PRODUCE, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_wire_write_nstr(&e, req->transactional_id);
    rn_writer_i16(wr, req->acks);
    rn_writer_i32(wr, req->timeout_ms);
    rn_wire_write_count(&e, req->n_topic_data, false);
    for (int32_t i = 0; i < req->n_topic_data; i++)
        encode_topic_data(&e, &req->topic_data[i]);
    return rn_wire_enc_finish(&e);
}

static void decode_topic_data(rn_wire_dec_t *d, rn_produce_topic_data_t *topic) {
    topic->name = rn_wire_read_str(d);
    topic->n_partition_data = rn_wire_read_count(d, PARTITION_MIN, false);
    topic->partition_data =
        rn_wire_alloc(d, topic->n_partition_data, sizeof *topic->partition_data);
    for (int32_t i = 0; i < topic->n_partition_data; i++) {
        topic->partition_data[i].index = rn_reader_i32(&d->rd);
        topic->partition_data[i].records = rn_wire_read_nbytes(d);
    }
}

int rn_produce_request_decode(const uint8_t *p, size_t len, int16_t version,
                              rn_produce_request_t *req) {
    memset(req, 0, sizeof *req);
    int rc = rn_api_check_version(RN_API_PRODUCE, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &req->arena);
    req->transactional_id = rn_wire_read_nstr(&d);
    req->acks = rn_reader_i16(&d.rd);
    req->timeout_ms = rn_reader_i32(&d.rd);
    req->n_topic_data = rn_wire_read_count(&d, TOPIC_MIN, false);
    req->topic_data = rn_wire_alloc(&d, req->n_topic_data, sizeof *req->topic_data);
    for (int32_t i = 0; i < req->n_topic_data; i++)
        decode_topic_data(&d, &req->topic_data[i]);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_produce_request_deinit(req);
    return rc;
}

void rn_produce_request_deinit(rn_produce_request_t *req) {
    rn_arena_deinit(&req->arena);
    memset(req, 0, sizeof *req);
}

/* ---- response ----------------------------------------------------------------- */

static void encode_partition_response(rn_wire_enc_t *e, const rn_produce_partition_response_t *pr) {
    rn_writer_i32(e->wr, pr->index);
    rn_writer_i16(e->wr, pr->error_code);
    rn_writer_i64(e->wr, pr->base_offset);
    rn_writer_i64(e->wr, pr->log_append_time_ms);
    rn_writer_i64(e->wr, pr->log_start_offset);
    rn_wire_write_nstr(e, pr->error_message);
}

int rn_produce_response_encode(rn_writer_t *wr, int16_t version,
                               const rn_produce_response_t *resp) {
    int rc = rn_api_check_version(RN_API_PRODUCE, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i16(wr, resp->error_code);
    rn_wire_write_count(&e, resp->n_responses, false);
    for (int32_t i = 0; i < resp->n_responses; i++) {
        const rn_produce_topic_response_t *topic = &resp->responses[i];
        rn_wire_write_str(&e, topic->name);
        rn_wire_write_count(&e, topic->n_partition_responses, false);
        for (int32_t j = 0; j < topic->n_partition_responses; j++)
            encode_partition_response(&e, &topic->partition_responses[j]);
    }
    rn_writer_i32(wr, resp->throttle_time_ms);
    return rn_wire_enc_finish(&e);
}

static void decode_topic_response(rn_wire_dec_t *d, rn_produce_topic_response_t *topic) {
    topic->name = rn_wire_read_str(d);
    topic->n_partition_responses = rn_wire_read_count(d, PARTITION_RESP_MIN, false);
    topic->partition_responses =
        rn_wire_alloc(d, topic->n_partition_responses, sizeof *topic->partition_responses);
    for (int32_t i = 0; i < topic->n_partition_responses; i++) {
        rn_produce_partition_response_t *pr = &topic->partition_responses[i];
        pr->index = rn_reader_i32(&d->rd);
        pr->error_code = rn_reader_i16(&d->rd);
        pr->base_offset = rn_reader_i64(&d->rd);
        pr->log_append_time_ms = rn_reader_i64(&d->rd);
        pr->log_start_offset = rn_reader_i64(&d->rd);
        pr->error_message = rn_wire_read_nstr(d);
    }
}

int rn_produce_response_decode(const uint8_t *p, size_t len, int16_t version,
                               rn_produce_response_t *resp) {
    memset(resp, 0, sizeof *resp);
    int rc = rn_api_check_version(RN_API_PRODUCE, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &resp->arena);
    resp->error_code = rn_reader_i16(&d.rd);
    resp->n_responses = rn_wire_read_count(&d, TOPIC_RESP_MIN, false);
    resp->responses = rn_wire_alloc(&d, resp->n_responses, sizeof *resp->responses);
    for (int32_t i = 0; i < resp->n_responses; i++)
        decode_topic_response(&d, &resp->responses[i]);
    resp->throttle_time_ms = rn_reader_i32(&d.rd);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_produce_response_deinit(resp);
    return rc;
}

void rn_produce_response_deinit(rn_produce_response_t *resp) {
    rn_arena_deinit(&resp->arena);
    memset(resp, 0, sizeof *resp);
}
