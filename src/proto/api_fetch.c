/*
 * api_fetch.c — Fetch (key 1) codec.
 *
 *   Fetch request v0                         Fetch response v0
 *   +----------------------------------+     +-----------------------------------+
 *   | replica_id         int32         |     | error_code          int16         |
 *   | max_wait_ms        int32         |     | throttle_time_ms    int32         |
 *   | min_bytes          int32         |     | responses           array of:     |
 *   | max_bytes          int32         |     |   topic             string        |
 *   | isolation_level    int8          |     |   partitions        array of:     |
 *   | topics             array of:     |     |     partition_index int32         |
 *   |   topic            string        |     |     error_code      int16         |
 *   |   partitions       array of:     |     |     high_watermark  int64         |
 *   |     partition      int32         |     |     last_stable_offset int64      |
 *   |     current_leader_epoch int32    |     |     log_start_offset int64        |
 *   |     fetch_offset   int64         |     |     diverging_epoch:              |
 *   |     last_fetched_epoch int32     |     |       epoch         int32         |
 *   |     log_start_offset int64       |     |       end_offset    int64         |
 *   |     partition_max_bytes int32    |     |     records         nbytes        |
 *   +----------------------------------+     +-----------------------------------+
 */
#include "proto/api_fetch.h"

#include "common/errors.h"
#include "proto/api.h"

/* Fewest wire bytes of one array element, for bounding counts (wire.h). */
#define TOPIC_MIN          6  /* topic 2 + partitions 4 */
#define PARTITION_MIN      32 /* 4 + 4 + 8 + 4 + 8 + 4 */
#define PARTITION_RESP_MIN 46 /* 4 + 2 + 8 + 8 + 8 + epoch 4 + end_offset 8 + records 4 */

/* ---- request ------------------------------------------------------------------ */

static void encode_topic(rn_wire_enc_t *e, const rn_fetch_topic_t *topic) {
    rn_wire_write_str(e, topic->topic);
    rn_wire_write_count(e, topic->n_partitions, false);
    for (int32_t i = 0; i < topic->n_partitions; i++) {
        const rn_fetch_partition_t *part = &topic->partitions[i];
        rn_writer_i32(e->wr, part->partition);
        rn_writer_i32(e->wr, part->current_leader_epoch);
        rn_writer_i64(e->wr, part->fetch_offset);
        rn_writer_i32(e->wr, part->last_fetched_epoch);
        rn_writer_i64(e->wr, part->log_start_offset);
        rn_writer_i32(e->wr, part->partition_max_bytes);
    }
}

int rn_fetch_request_encode(rn_writer_t *wr, int16_t version, const rn_fetch_request_t *req) {
    int rc = rn_api_check_version(RN_API_FETCH, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i32(wr, req->replica_id);
    rn_writer_i32(wr, req->max_wait_ms);
    rn_writer_i32(wr, req->min_bytes);
    rn_writer_i32(wr, req->max_bytes);
    rn_writer_i8(wr, req->isolation_level);
    rn_wire_write_count(&e, req->n_topics, false);
    for (int32_t i = 0; i < req->n_topics; i++)
        encode_topic(&e, &req->topics[i]);
    return rn_wire_enc_finish(&e);
}

static void decode_topic(rn_wire_dec_t *d, rn_fetch_topic_t *topic) {
    topic->topic = rn_wire_read_str(d);
    topic->n_partitions = rn_wire_read_count(d, PARTITION_MIN, false);
    topic->partitions = rn_wire_alloc(d, topic->n_partitions, sizeof *topic->partitions);
    for (int32_t i = 0; i < topic->n_partitions; i++) {
        rn_fetch_partition_t *part = &topic->partitions[i];
        part->partition = rn_reader_i32(&d->rd);
        part->current_leader_epoch = rn_reader_i32(&d->rd);
        part->fetch_offset = rn_reader_i64(&d->rd);
        part->last_fetched_epoch = rn_reader_i32(&d->rd);
        part->log_start_offset = rn_reader_i64(&d->rd);
        part->partition_max_bytes = rn_reader_i32(&d->rd);
    }
}

int rn_fetch_request_decode(const uint8_t *p, size_t len, int16_t version,
                            rn_fetch_request_t *req) {
    memset(req, 0, sizeof *req);
    int rc = rn_api_check_version(RN_API_FETCH, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &req->arena);
    req->replica_id = rn_reader_i32(&d.rd);
    req->max_wait_ms = rn_reader_i32(&d.rd);
    req->min_bytes = rn_reader_i32(&d.rd);
    req->max_bytes = rn_reader_i32(&d.rd);
    req->isolation_level = rn_reader_i8(&d.rd);
    req->n_topics = rn_wire_read_count(&d, TOPIC_MIN, false);
    req->topics = rn_wire_alloc(&d, req->n_topics, sizeof *req->topics);
    for (int32_t i = 0; i < req->n_topics; i++)
        decode_topic(&d, &req->topics[i]);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_fetch_request_deinit(req);
    return rc;
}

void rn_fetch_request_deinit(rn_fetch_request_t *req) {
    rn_arena_deinit(&req->arena);
    memset(req, 0, sizeof *req);
}

/* ---- response ----------------------------------------------------------------- */

static void encode_topic_response(rn_wire_enc_t *e, const rn_fetch_topic_response_t *topic) {
    rn_wire_write_str(e, topic->topic);
    rn_wire_write_count(e, topic->n_partitions, false);
    for (int32_t i = 0; i < topic->n_partitions; i++) {
        const rn_fetch_partition_data_t *part = &topic->partitions[i];
        rn_writer_i32(e->wr, part->partition_index);
        rn_writer_i16(e->wr, part->error_code);
        rn_writer_i64(e->wr, part->high_watermark);
        rn_writer_i64(e->wr, part->last_stable_offset);
        rn_writer_i64(e->wr, part->log_start_offset);
        rn_writer_i32(e->wr, part->diverging_epoch.epoch);
        rn_writer_i64(e->wr, part->diverging_epoch.end_offset);
        rn_wire_write_nbytes(e, part->records);
    }
}

int rn_fetch_response_encode(rn_writer_t *wr, int16_t version, const rn_fetch_response_t *resp) {
    int rc = rn_api_check_version(RN_API_FETCH, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i16(wr, resp->error_code);
    rn_writer_i32(wr, resp->throttle_time_ms);
    rn_wire_write_count(&e, resp->n_responses, false);
    for (int32_t i = 0; i < resp->n_responses; i++)
        encode_topic_response(&e, &resp->responses[i]);
    return rn_wire_enc_finish(&e);
}

static void decode_topic_response(rn_wire_dec_t *d, rn_fetch_topic_response_t *topic) {
    topic->topic = rn_wire_read_str(d);
    topic->n_partitions = rn_wire_read_count(d, PARTITION_RESP_MIN, false);
    topic->partitions = rn_wire_alloc(d, topic->n_partitions, sizeof *topic->partitions);
    for (int32_t i = 0; i < topic->n_partitions; i++) {
        rn_fetch_partition_data_t *part = &topic->partitions[i];
        part->partition_index = rn_reader_i32(&d->rd);
        part->error_code = rn_reader_i16(&d->rd);
        part->high_watermark = rn_reader_i64(&d->rd);
        part->last_stable_offset = rn_reader_i64(&d->rd);
        part->log_start_offset = rn_reader_i64(&d->rd);
        part->diverging_epoch.epoch = rn_reader_i32(&d->rd);
        part->diverging_epoch.end_offset = rn_reader_i64(&d->rd);
        part->records = rn_wire_read_nbytes(d);
    }
}

int rn_fetch_response_decode(const uint8_t *p, size_t len, int16_t version,
                             rn_fetch_response_t *resp) {
    memset(resp, 0, sizeof *resp);
    int rc = rn_api_check_version(RN_API_FETCH, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &resp->arena);
    resp->error_code = rn_reader_i16(&d.rd);
    resp->throttle_time_ms = rn_reader_i32(&d.rd);
    resp->n_responses = rn_wire_read_count(&d, TOPIC_MIN, false);
    resp->responses = rn_wire_alloc(&d, resp->n_responses, sizeof *resp->responses);
    for (int32_t i = 0; i < resp->n_responses; i++)
        decode_topic_response(&d, &resp->responses[i]);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_fetch_response_deinit(resp);
    return rc;
}

void rn_fetch_response_deinit(rn_fetch_response_t *resp) {
    rn_arena_deinit(&resp->arena);
    memset(resp, 0, sizeof *resp);
}
