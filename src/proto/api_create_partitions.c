/*
 * api_create_partitions.c — CreatePartitions (key 37) codec.
 *
 *   request v0:   topics [ name string | count int32 |
 *                          assignments nullable [ broker_ids [ int32 ] ] ] |
 *                 timeout_ms int32 | validate_only boolean
 *
 *   response v0:  error_code int16 |
 *                 results [ name string | error_code int16 | error_message nstring ]
 *
 *   e.g. grow "t" to 4 partitions, runnel assigning, 5 s, not validate-only:
 *     00 00 00 01 | 00 01 74 | 00 00 00 04 | ff ff ff ff | 00 00 13 88 | 00
 */
#include "proto/api_create_partitions.h"

#include "common/errors.h"
#include "proto/api.h"

/* Fewest wire bytes of one array element, for bounding counts (wire.h). */
#define TOPIC_MIN      10 /* name 2 + count 4 + assignments 4 */
#define ASSIGNMENT_MIN 4  /* broker_ids count 4 */
#define RESULT_MIN     6  /* name 2 + error_code 2 + error_message 2 */

/* ---- request ------------------------------------------------------------------- */

static void encode_topic(rn_wire_enc_t *e, const rn_create_partitions_topic_t *t) {
    rn_wire_write_str(e, t->name);
    rn_writer_i32(e->wr, t->count);
    rn_wire_write_count(e, t->n_assignments, true);
    for (int32_t i = 0; i < t->n_assignments; i++)
        rn_wire_write_i32s(e, t->assignments[i].broker_ids, t->assignments[i].n_broker_ids);
}

int rn_create_partitions_request_encode(rn_writer_t *wr, int16_t version,
                                        const rn_create_partitions_request_t *req) {
    int rc = rn_api_check_version(RN_API_CREATE_PARTITIONS, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_wire_write_count(&e, req->n_topics, false);
    for (int32_t i = 0; i < req->n_topics; i++)
        encode_topic(&e, &req->topics[i]);
    rn_writer_i32(wr, req->timeout_ms);
    rn_wire_write_bool(&e, req->validate_only);
    return rn_wire_enc_finish(&e);
}

static void decode_topic(rn_wire_dec_t *d, rn_create_partitions_topic_t *t) {
    t->name = rn_wire_read_str(d);
    t->count = rn_reader_i32(&d->rd);
    t->n_assignments = rn_wire_read_count(d, ASSIGNMENT_MIN, true);
    t->assignments = rn_wire_alloc(d, t->n_assignments, sizeof *t->assignments);
    for (int32_t i = 0; i < t->n_assignments; i++)
        t->assignments[i].broker_ids = rn_wire_read_i32s(d, &t->assignments[i].n_broker_ids);
}

int rn_create_partitions_request_decode(const uint8_t *p, size_t len, int16_t version,
                                        rn_create_partitions_request_t *req) {
    memset(req, 0, sizeof *req);
    int rc = rn_api_check_version(RN_API_CREATE_PARTITIONS, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &req->arena);
    req->n_topics = rn_wire_read_count(&d, TOPIC_MIN, false);
    req->topics = rn_wire_alloc(&d, req->n_topics, sizeof *req->topics);
    for (int32_t i = 0; i < req->n_topics; i++)
        decode_topic(&d, &req->topics[i]);
    req->timeout_ms = rn_reader_i32(&d.rd);
    req->validate_only = rn_wire_read_bool(&d);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_create_partitions_request_deinit(req);
    return rc;
}

void rn_create_partitions_request_deinit(rn_create_partitions_request_t *req) {
    rn_arena_deinit(&req->arena);
    memset(req, 0, sizeof *req);
}

/* ---- response ------------------------------------------------------------------ */

int rn_create_partitions_response_encode(rn_writer_t *wr, int16_t version,
                                         const rn_create_partitions_response_t *resp) {
    int rc = rn_api_check_version(RN_API_CREATE_PARTITIONS, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i16(wr, resp->error_code);
    rn_wire_write_count(&e, resp->n_results, false);
    for (int32_t i = 0; i < resp->n_results; i++) {
        const rn_create_partitions_result_t *r = &resp->results[i];
        rn_wire_write_str(&e, r->name);
        rn_writer_i16(wr, r->error_code);
        rn_wire_write_nstr(&e, r->error_message);
    }
    return rn_wire_enc_finish(&e);
}

int rn_create_partitions_response_decode(const uint8_t *p, size_t len, int16_t version,
                                         rn_create_partitions_response_t *resp) {
    memset(resp, 0, sizeof *resp);
    int rc = rn_api_check_version(RN_API_CREATE_PARTITIONS, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &resp->arena);
    resp->error_code = rn_reader_i16(&d.rd);
    resp->n_results = rn_wire_read_count(&d, RESULT_MIN, false);
    resp->results = rn_wire_alloc(&d, resp->n_results, sizeof *resp->results);
    for (int32_t i = 0; i < resp->n_results; i++) {
        resp->results[i].name = rn_wire_read_str(&d);
        resp->results[i].error_code = rn_reader_i16(&d.rd);
        resp->results[i].error_message = rn_wire_read_nstr(&d);
    }
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_create_partitions_response_deinit(resp);
    return rc;
}

void rn_create_partitions_response_deinit(rn_create_partitions_response_t *resp) {
    rn_arena_deinit(&resp->arena);
    memset(resp, 0, sizeof *resp);
}
