/*
 * api_alter_partition.c — AlterPartition (key 56) codec.
 *
 *   request v0:   broker_id int32 |
 *                 topics [ name string |
 *                          partitions [ index int32 | leader_epoch int32 |
 *                                       new_isr [ int32 ] ] ]
 *
 *   response v0:  error_code int16 |
 *                 topics [ name string |
 *                          partitions [ index int32 | error_code int16 |
 *                                       leader_id int32 | leader_epoch int32 |
 *                                       isr [ int32 ] ] ]
 *
 *   e.g. broker 1 asks for ISR {1,2} of "t"-0 at leader epoch 3:
 *     00 00 00 01 | 00 00 00 01 | 00 01 74 | 00 00 00 01 |
 *     00 00 00 00 | 00 00 00 03 | 00 00 00 02 | 00 00 00 01 | 00 00 00 02
 */
#include "proto/api_alter_partition.h"

#include "common/errors.h"
#include "proto/api.h"

/* Fewest wire bytes of one array element, for bounding counts (wire.h). */
#define TOPIC_MIN       6  /* name 2 + partitions count 4 */
#define PART_MIN        12 /* index 4 + leader_epoch 4 + new_isr count 4 */
#define PART_RESULT_MIN 18 /* index 4 + error 2 + leader 4 + epoch 4 + isr count 4 */

/* ---- request ------------------------------------------------------------------- */

int rn_alter_partition_request_encode(rn_writer_t *wr, int16_t version,
                                      const rn_alter_partition_request_t *req) {
    int rc = rn_api_check_version(RN_API_ALTER_PARTITION, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i32(wr, req->broker_id);
    rn_wire_write_count(&e, req->n_topics, false);
    for (int32_t i = 0; i < req->n_topics; i++) {
        const rn_alter_partition_topic_t *t = &req->topics[i];
        rn_wire_write_str(&e, t->name);
        rn_wire_write_count(&e, t->n_partitions, false);
        for (int32_t j = 0; j < t->n_partitions; j++) {
            const rn_alter_partition_part_t *p = &t->partitions[j];
            rn_writer_i32(wr, p->index);
            rn_writer_i32(wr, p->leader_epoch);
            rn_wire_write_i32s(&e, p->new_isr, p->n_new_isr);
        }
    }
    return rn_wire_enc_finish(&e);
}

static void decode_topic(rn_wire_dec_t *d, rn_alter_partition_topic_t *t) {
    t->name = rn_wire_read_str(d);
    t->n_partitions = rn_wire_read_count(d, PART_MIN, false);
    t->partitions = rn_wire_alloc(d, t->n_partitions, sizeof *t->partitions);
    for (int32_t j = 0; j < t->n_partitions; j++) {
        rn_alter_partition_part_t *p = &t->partitions[j];
        p->index = rn_reader_i32(&d->rd);
        p->leader_epoch = rn_reader_i32(&d->rd);
        p->new_isr = rn_wire_read_i32s(d, &p->n_new_isr);
    }
}

int rn_alter_partition_request_decode(const uint8_t *p, size_t len, int16_t version,
                                      rn_alter_partition_request_t *req) {
    memset(req, 0, sizeof *req);
    int rc = rn_api_check_version(RN_API_ALTER_PARTITION, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &req->arena);
    req->broker_id = rn_reader_i32(&d.rd);
    req->n_topics = rn_wire_read_count(&d, TOPIC_MIN, false);
    req->topics = rn_wire_alloc(&d, req->n_topics, sizeof *req->topics);
    for (int32_t i = 0; i < req->n_topics; i++)
        decode_topic(&d, &req->topics[i]);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_alter_partition_request_deinit(req);
    return rc;
}

void rn_alter_partition_request_deinit(rn_alter_partition_request_t *req) {
    rn_arena_deinit(&req->arena);
    memset(req, 0, sizeof *req);
}

/* ---- response ------------------------------------------------------------------ */

int rn_alter_partition_response_encode(rn_writer_t *wr, int16_t version,
                                       const rn_alter_partition_response_t *resp) {
    int rc = rn_api_check_version(RN_API_ALTER_PARTITION, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i16(wr, resp->error_code);
    rn_wire_write_count(&e, resp->n_topics, false);
    for (int32_t i = 0; i < resp->n_topics; i++) {
        const rn_alter_partition_topic_result_t *t = &resp->topics[i];
        rn_wire_write_str(&e, t->name);
        rn_wire_write_count(&e, t->n_partitions, false);
        for (int32_t j = 0; j < t->n_partitions; j++) {
            const rn_alter_partition_part_result_t *p = &t->partitions[j];
            rn_writer_i32(wr, p->index);
            rn_writer_i16(wr, p->error_code);
            rn_writer_i32(wr, p->leader_id);
            rn_writer_i32(wr, p->leader_epoch);
            rn_wire_write_i32s(&e, p->isr, p->n_isr);
        }
    }
    return rn_wire_enc_finish(&e);
}

static void decode_topic_result(rn_wire_dec_t *d, rn_alter_partition_topic_result_t *t) {
    t->name = rn_wire_read_str(d);
    t->n_partitions = rn_wire_read_count(d, PART_RESULT_MIN, false);
    t->partitions = rn_wire_alloc(d, t->n_partitions, sizeof *t->partitions);
    for (int32_t j = 0; j < t->n_partitions; j++) {
        rn_alter_partition_part_result_t *p = &t->partitions[j];
        p->index = rn_reader_i32(&d->rd);
        p->error_code = rn_reader_i16(&d->rd);
        p->leader_id = rn_reader_i32(&d->rd);
        p->leader_epoch = rn_reader_i32(&d->rd);
        p->isr = rn_wire_read_i32s(d, &p->n_isr);
    }
}

int rn_alter_partition_response_decode(const uint8_t *p, size_t len, int16_t version,
                                       rn_alter_partition_response_t *resp) {
    memset(resp, 0, sizeof *resp);
    int rc = rn_api_check_version(RN_API_ALTER_PARTITION, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &resp->arena);
    resp->error_code = rn_reader_i16(&d.rd);
    resp->n_topics = rn_wire_read_count(&d, TOPIC_MIN, false);
    resp->topics = rn_wire_alloc(&d, resp->n_topics, sizeof *resp->topics);
    for (int32_t i = 0; i < resp->n_topics; i++)
        decode_topic_result(&d, &resp->topics[i]);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_alter_partition_response_deinit(resp);
    return rc;
}

void rn_alter_partition_response_deinit(rn_alter_partition_response_t *resp) {
    rn_arena_deinit(&resp->arena);
    memset(resp, 0, sizeof *resp);
}
