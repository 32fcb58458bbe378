/*
 * api_metadata.c — Metadata (key 3) codec.
 *
 *   Metadata request v0
 *   +-------------------------------+----------------------------------------------+
 *   | topics       nullable array   | of string (topic names); null = all topics   |
 *   | allow_auto_topic_creation     | boolean                                      |
 *   +-------------------------------+----------------------------------------------+
 *
 *   Metadata response v0
 *   +---------------------------------------------+
 *   | error_code             int16                |
 *   | brokers                array of:            |
 *   |   node_id              int32                |
 *   |   host                 string               |
 *   |   port                 int32                |
 *   |   is_fenced            boolean (v1 only)    |
 *   | cluster_id             nullable string      |
 *   | controller_id          int32 (-1 unknown)   |
 *   | topics                 array of:            |
 *   |   error_code           int16                |
 *   |   name                 string               |
 *   |   is_internal          boolean              |
 *   |   partitions           array of:            |
 *   |     error_code         int16                |
 *   |     partition_index    int32                |
 *   |     leader_id          int32 (-1 none)      |
 *   |     leader_epoch       int32                |
 *   |     replica_nodes      array of int32       |
 *   |     isr_nodes          array of int32       |
 *   +---------------------------------------------+
 *
 *   v1: the request is v0's; the response's brokers carry is_fenced, and a broker
 *   lists every registered broker (fenced ones flagged) where v0 lists only the
 *   unfenced ones. `runnel cluster status` asks v1; clients that route requests ask v0.
 */
#include "proto/api_metadata.h"

#include "common/errors.h"
#include "proto/api.h"

/* Fewest wire bytes of one array element, for bounding counts (wire.h). */
#define BROKER_MIN    10 /* node_id 4 + host 2 + port 4 */
#define TOPIC_MIN     9  /* error_code 2 + name 2 + is_internal 1 + partitions 4 */
#define PARTITION_MIN 22 /* 2 + 4 + 4 + 4 + replica_nodes 4 + isr_nodes 4 */

/* ---- request ------------------------------------------------------------------ */

int rn_metadata_request_encode(rn_writer_t *wr, int16_t version, const rn_metadata_request_t *req) {
    int rc = rn_api_check_version(RN_API_METADATA, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_wire_write_strs(&e, req->topics, req->n_topics, true);
    rn_wire_write_bool(&e, req->allow_auto_topic_creation);
    return rn_wire_enc_finish(&e);
}

int rn_metadata_request_decode(const uint8_t *p, size_t len, int16_t version,
                               rn_metadata_request_t *req) {
    memset(req, 0, sizeof *req);
    int rc = rn_api_check_version(RN_API_METADATA, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &req->arena);
    req->topics = rn_wire_read_strs(&d, &req->n_topics, true);
    req->allow_auto_topic_creation = rn_wire_read_bool(&d);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_metadata_request_deinit(req);
    return rc;
}

void rn_metadata_request_deinit(rn_metadata_request_t *req) {
    rn_arena_deinit(&req->arena);
    memset(req, 0, sizeof *req);
}

/* ---- response ----------------------------------------------------------------- */

static void encode_partition(rn_wire_enc_t *e, const rn_metadata_partition_t *part) {
    rn_writer_i16(e->wr, part->error_code);
    rn_writer_i32(e->wr, part->partition_index);
    rn_writer_i32(e->wr, part->leader_id);
    rn_writer_i32(e->wr, part->leader_epoch);
    rn_wire_write_i32s(e, part->replica_nodes, part->n_replica_nodes);
    rn_wire_write_i32s(e, part->isr_nodes, part->n_isr_nodes);
}

static void encode_topic(rn_wire_enc_t *e, const rn_metadata_topic_t *topic) {
    rn_writer_i16(e->wr, topic->error_code);
    rn_wire_write_str(e, topic->name);
    rn_wire_write_bool(e, topic->is_internal);
    rn_wire_write_count(e, topic->n_partitions, false);
    for (int32_t i = 0; i < topic->n_partitions; i++)
        encode_partition(e, &topic->partitions[i]);
}

int rn_metadata_response_encode(rn_writer_t *wr, int16_t version,
                                const rn_metadata_response_t *resp) {
    int rc = rn_api_check_version(RN_API_METADATA, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i16(wr, resp->error_code);
    rn_wire_write_count(&e, resp->n_brokers, false);
    for (int32_t i = 0; i < resp->n_brokers; i++) {
        rn_writer_i32(wr, resp->brokers[i].node_id);
        rn_wire_write_str(&e, resp->brokers[i].host);
        rn_writer_i32(wr, resp->brokers[i].port);
        if (version >= 1)
            rn_wire_write_bool(&e, resp->brokers[i].is_fenced);
    }
    rn_wire_write_nstr(&e, resp->cluster_id);
    rn_writer_i32(wr, resp->controller_id);
    rn_wire_write_count(&e, resp->n_topics, false);
    for (int32_t i = 0; i < resp->n_topics; i++)
        encode_topic(&e, &resp->topics[i]);
    return rn_wire_enc_finish(&e);
}

static void decode_partition(rn_wire_dec_t *d, rn_metadata_partition_t *part) {
    part->error_code = rn_reader_i16(&d->rd);
    part->partition_index = rn_reader_i32(&d->rd);
    part->leader_id = rn_reader_i32(&d->rd);
    part->leader_epoch = rn_reader_i32(&d->rd);
    part->replica_nodes = rn_wire_read_i32s(d, &part->n_replica_nodes);
    part->isr_nodes = rn_wire_read_i32s(d, &part->n_isr_nodes);
}

static void decode_topic(rn_wire_dec_t *d, rn_metadata_topic_t *topic) {
    topic->error_code = rn_reader_i16(&d->rd);
    topic->name = rn_wire_read_str(d);
    topic->is_internal = rn_wire_read_bool(d);
    topic->n_partitions = rn_wire_read_count(d, PARTITION_MIN, false);
    topic->partitions = rn_wire_alloc(d, topic->n_partitions, sizeof *topic->partitions);
    for (int32_t i = 0; i < topic->n_partitions; i++)
        decode_partition(d, &topic->partitions[i]);
}

int rn_metadata_response_decode(const uint8_t *p, size_t len, int16_t version,
                                rn_metadata_response_t *resp) {
    memset(resp, 0, sizeof *resp);
    int rc = rn_api_check_version(RN_API_METADATA, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &resp->arena);
    resp->error_code = rn_reader_i16(&d.rd);
    resp->n_brokers = rn_wire_read_count(&d, BROKER_MIN, false);
    resp->brokers = rn_wire_alloc(&d, resp->n_brokers, sizeof *resp->brokers);
    for (int32_t i = 0; i < resp->n_brokers; i++) {
        resp->brokers[i].node_id = rn_reader_i32(&d.rd);
        resp->brokers[i].host = rn_wire_read_str(&d);
        resp->brokers[i].port = rn_reader_i32(&d.rd);
        if (version >= 1)
            resp->brokers[i].is_fenced = rn_wire_read_bool(&d);
    }
    resp->cluster_id = rn_wire_read_nstr(&d);
    resp->controller_id = rn_reader_i32(&d.rd);
    resp->n_topics = rn_wire_read_count(&d, TOPIC_MIN, false);
    resp->topics = rn_wire_alloc(&d, resp->n_topics, sizeof *resp->topics);
    for (int32_t i = 0; i < resp->n_topics; i++)
        decode_topic(&d, &resp->topics[i]);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_metadata_response_deinit(resp);
    return rc;
}

void rn_metadata_response_deinit(rn_metadata_response_t *resp) {
    rn_arena_deinit(&resp->arena);
    memset(resp, 0, sizeof *resp);
}
