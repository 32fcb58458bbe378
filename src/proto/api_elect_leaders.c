/*
 * api_elect_leaders.c — ElectLeaders (key 43) codec.
 *
 *   request v0:   election_type int8 |
 *                 topic_partitions nullable [ topic string | partitions [ int32 ] ] |
 *                 timeout_ms int32
 *
 *   response v0:  error_code int16 |
 *                 replica_election_results [ topic string |
 *                                            partition_result [ partition_id int32 |
 *                                                               error_code int16 |
 *                                                               error_message nstring ] ]
 *
 *   e.g. preferred election for every partition, 5 s:
 *     00 | ff ff ff ff | 00 00 13 88
 */
#include "proto/api_elect_leaders.h"

#include "common/errors.h"
#include "proto/api.h"

/* Fewest wire bytes of one array element, for bounding counts (wire.h). */
#define TOPIC_MIN       6 /* topic 2 + an array count 4 */
#define PART_RESULT_MIN 8 /* partition 4 + error 2 + message 2 */

/* ---- request ------------------------------------------------------------------- */

int rn_elect_leaders_request_encode(rn_writer_t *wr, int16_t version,
                                    const rn_elect_leaders_request_t *req) {
    int rc = rn_api_check_version(RN_API_ELECT_LEADERS, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i8(wr, req->election_type);
    rn_wire_write_count(&e, req->n_topic_partitions, true);
    for (int32_t i = 0; i < req->n_topic_partitions; i++) {
        rn_wire_write_str(&e, req->topic_partitions[i].topic);
        rn_wire_write_i32s(&e, req->topic_partitions[i].partitions,
                           req->topic_partitions[i].n_partitions);
    }
    rn_writer_i32(wr, req->timeout_ms);
    return rn_wire_enc_finish(&e);
}

int rn_elect_leaders_request_decode(const uint8_t *p, size_t len, int16_t version,
                                    rn_elect_leaders_request_t *req) {
    memset(req, 0, sizeof *req);
    int rc = rn_api_check_version(RN_API_ELECT_LEADERS, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &req->arena);
    req->election_type = rn_reader_i8(&d.rd);
    req->n_topic_partitions = rn_wire_read_count(&d, TOPIC_MIN, true);
    req->topic_partitions =
        rn_wire_alloc(&d, req->n_topic_partitions, sizeof *req->topic_partitions);
    for (int32_t i = 0; i < req->n_topic_partitions; i++) {
        rn_elect_leaders_topic_t *t = &req->topic_partitions[i];
        t->topic = rn_wire_read_str(&d);
        t->partitions = rn_wire_read_i32s(&d, &t->n_partitions);
    }
    req->timeout_ms = rn_reader_i32(&d.rd);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_elect_leaders_request_deinit(req);
    return rc;
}

void rn_elect_leaders_request_deinit(rn_elect_leaders_request_t *req) {
    rn_arena_deinit(&req->arena);
    memset(req, 0, sizeof *req);
}

/* ---- response ------------------------------------------------------------------ */

int rn_elect_leaders_response_encode(rn_writer_t *wr, int16_t version,
                                     const rn_elect_leaders_response_t *resp) {
    int rc = rn_api_check_version(RN_API_ELECT_LEADERS, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i16(wr, resp->error_code);
    rn_wire_write_count(&e, resp->n_replica_election_results, false);
    for (int32_t i = 0; i < resp->n_replica_election_results; i++) {
        const rn_elect_leaders_result_t *r = &resp->replica_election_results[i];
        rn_wire_write_str(&e, r->topic);
        rn_wire_write_count(&e, r->n_partition_result, false);
        for (int32_t j = 0; j < r->n_partition_result; j++) {
            rn_writer_i32(wr, r->partition_result[j].partition_id);
            rn_writer_i16(wr, r->partition_result[j].error_code);
            rn_wire_write_nstr(&e, r->partition_result[j].error_message);
        }
    }
    return rn_wire_enc_finish(&e);
}

static void decode_result(rn_wire_dec_t *d, rn_elect_leaders_result_t *r) {
    r->topic = rn_wire_read_str(d);
    r->n_partition_result = rn_wire_read_count(d, PART_RESULT_MIN, false);
    r->partition_result = rn_wire_alloc(d, r->n_partition_result, sizeof *r->partition_result);
    for (int32_t j = 0; j < r->n_partition_result; j++) {
        rn_elect_leaders_part_result_t *p = &r->partition_result[j];
        p->partition_id = rn_reader_i32(&d->rd);
        p->error_code = rn_reader_i16(&d->rd);
        p->error_message = rn_wire_read_nstr(d);
    }
}

int rn_elect_leaders_response_decode(const uint8_t *p, size_t len, int16_t version,
                                     rn_elect_leaders_response_t *resp) {
    memset(resp, 0, sizeof *resp);
    int rc = rn_api_check_version(RN_API_ELECT_LEADERS, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &resp->arena);
    resp->error_code = rn_reader_i16(&d.rd);
    resp->n_replica_election_results = rn_wire_read_count(&d, TOPIC_MIN, false);
    resp->replica_election_results =
        rn_wire_alloc(&d, resp->n_replica_election_results, sizeof *resp->replica_election_results);
    for (int32_t i = 0; i < resp->n_replica_election_results; i++)
        decode_result(&d, &resp->replica_election_results[i]);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_elect_leaders_response_deinit(resp);
    return rc;
}

void rn_elect_leaders_response_deinit(rn_elect_leaders_response_t *resp) {
    rn_arena_deinit(&resp->arena);
    memset(resp, 0, sizeof *resp);
}
