/*
 * api_list_offsets.c — ListOffsets (key 2) codec.
 *
 *   ListOffsets request v0                   ListOffsets response v0
 *   +---------------------------------+      +---------------------------------+
 *   | replica_id         int32        |      | error_code          int16       |
 *   | isolation_level    int8         |      | topics              array of:   |
 *   | topics             array of:    |      |   name              string      |
 *   |   name             string       |      |   partitions        array of:   |
 *   |   partitions       array of:    |      |     partition_index int32       |
 *   |     partition_index int32      |      |     error_code      int16       |
 *   |     current_leader_epoch int32 |      |     timestamp       int64       |
 *   |     timestamp      int64        |      |     offset          int64       |
 *   +---------------------------------+      |     leader_epoch    int32       |
 *                                            +---------------------------------+
 */
#include "proto/api_list_offsets.h"

#include "common/errors.h"
#include "proto/api.h"

/* Fewest wire bytes of one array element, for bounding counts (wire.h). */
#define TOPIC_MIN          6  /* name 2 + partitions 4 */
#define PARTITION_MIN      16 /* 4 + 4 + 8 */
#define PARTITION_RESP_MIN 26 /* 4 + 2 + 8 + 8 + 4 */

/* ---- request ------------------------------------------------------------------ */

int rn_list_offsets_request_encode(rn_writer_t *wr, int16_t version,
                                   const rn_list_offsets_request_t *req) {
    int rc = rn_api_check_version(RN_API_LIST_OFFSETS, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i32(wr, req->replica_id);
    rn_writer_i8(wr, req->isolation_level);
    rn_wire_write_count(&e, req->n_topics, false);
    for (int32_t i = 0; i < req->n_topics; i++) {
        const rn_list_offsets_topic_t *topic = &req->topics[i];
        rn_wire_write_str(&e, topic->name);
        rn_wire_write_count(&e, topic->n_partitions, false);
        for (int32_t j = 0; j < topic->n_partitions; j++) {
            rn_writer_i32(wr, topic->partitions[j].partition_index);
            rn_writer_i32(wr, topic->partitions[j].current_leader_epoch);
            rn_writer_i64(wr, topic->partitions[j].timestamp);
        }
    }
    return rn_wire_enc_finish(&e);
}

static void decode_topic(rn_wire_dec_t *d, rn_list_offsets_topic_t *topic) {
    topic->name = rn_wire_read_str(d);
    topic->n_partitions = rn_wire_read_count(d, PARTITION_MIN, false);
    topic->partitions = rn_wire_alloc(d, topic->n_partitions, sizeof *topic->partitions);
    for (int32_t i = 0; i < topic->n_partitions; i++) {
        topic->partitions[i].partition_index = rn_reader_i32(&d->rd);
        topic->partitions[i].current_leader_epoch = rn_reader_i32(&d->rd);
        topic->partitions[i].timestamp = rn_reader_i64(&d->rd);
    }
}

int rn_list_offsets_request_decode(const uint8_t *p, size_t len, int16_t version,
                                   rn_list_offsets_request_t *req) {
    memset(req, 0, sizeof *req);
    int rc = rn_api_check_version(RN_API_LIST_OFFSETS, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &req->arena);
    req->replica_id = rn_reader_i32(&d.rd);
    req->isolation_level = rn_reader_i8(&d.rd);
    req->n_topics = rn_wire_read_count(&d, TOPIC_MIN, false);
    req->topics = rn_wire_alloc(&d, req->n_topics, sizeof *req->topics);
    for (int32_t i = 0; i < req->n_topics; i++)
        decode_topic(&d, &req->topics[i]);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_list_offsets_request_deinit(req);
    return rc;
}

void rn_list_offsets_request_deinit(rn_list_offsets_request_t *req) {
    rn_arena_deinit(&req->arena);
    memset(req, 0, sizeof *req);
}

/* ---- response ----------------------------------------------------------------- */

static void encode_topic_response(rn_wire_enc_t *e, const rn_list_offsets_topic_response_t *topic) {
    rn_wire_write_str(e, topic->name);
    rn_wire_write_count(e, topic->n_partitions, false);
    for (int32_t i = 0; i < topic->n_partitions; i++) {
        const rn_list_offsets_partition_response_t *part = &topic->partitions[i];
        rn_writer_i32(e->wr, part->partition_index);
        rn_writer_i16(e->wr, part->error_code);
        rn_writer_i64(e->wr, part->timestamp);
        rn_writer_i64(e->wr, part->offset);
        rn_writer_i32(e->wr, part->leader_epoch);
    }
}

int rn_list_offsets_response_encode(rn_writer_t *wr, int16_t version,
                                    const rn_list_offsets_response_t *resp) {
    int rc = rn_api_check_version(RN_API_LIST_OFFSETS, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i16(wr, resp->error_code);
    rn_wire_write_count(&e, resp->n_topics, false);
    for (int32_t i = 0; i < resp->n_topics; i++)
        encode_topic_response(&e, &resp->topics[i]);
    return rn_wire_enc_finish(&e);
}

static void decode_topic_response(rn_wire_dec_t *d, rn_list_offsets_topic_response_t *topic) {
    topic->name = rn_wire_read_str(d);
    topic->n_partitions = rn_wire_read_count(d, PARTITION_RESP_MIN, false);
    topic->partitions = rn_wire_alloc(d, topic->n_partitions, sizeof *topic->partitions);
    for (int32_t i = 0; i < topic->n_partitions; i++) {
        rn_list_offsets_partition_response_t *part = &topic->partitions[i];
        part->partition_index = rn_reader_i32(&d->rd);
        part->error_code = rn_reader_i16(&d->rd);
        part->timestamp = rn_reader_i64(&d->rd);
        part->offset = rn_reader_i64(&d->rd);
        part->leader_epoch = rn_reader_i32(&d->rd);
    }
}

int rn_list_offsets_response_decode(const uint8_t *p, size_t len, int16_t version,
                                    rn_list_offsets_response_t *resp) {
    memset(resp, 0, sizeof *resp);
    int rc = rn_api_check_version(RN_API_LIST_OFFSETS, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &resp->arena);
    resp->error_code = rn_reader_i16(&d.rd);
    resp->n_topics = rn_wire_read_count(&d, TOPIC_MIN, false);
    resp->topics = rn_wire_alloc(&d, resp->n_topics, sizeof *resp->topics);
    for (int32_t i = 0; i < resp->n_topics; i++)
        decode_topic_response(&d, &resp->topics[i]);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_list_offsets_response_deinit(resp);
    return rc;
}

void rn_list_offsets_response_deinit(rn_list_offsets_response_t *resp) {
    rn_arena_deinit(&resp->arena);
    memset(resp, 0, sizeof *resp);
}
