/*
 * api_find_coordinator.c — FindCoordinator (key 10) codec.
 *
 *   request v0:   key string | key_type int8
 *
 *   response v0:  error_code int16 | error_message nstring | node_id int32 |
 *                 host string | port int32
 *
 *   e.g. the coordinator of group "g":
 *     00 01 67 | 00
 *   answered: broker 2 at "h":9092
 *     00 00 | ff ff | 00 00 00 02 | 00 01 68 | 00 00 23 84
 */
#include "proto/api_find_coordinator.h"

#include "common/errors.h"
#include "proto/api.h"

/* ---- request ------------------------------------------------------------------- */

int rn_find_coordinator_request_encode(rn_writer_t *wr, int16_t version,
                                       const rn_find_coordinator_request_t *req) {
    int rc = rn_api_check_version(RN_API_FIND_COORDINATOR, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_wire_write_str(&e, req->key);
    rn_writer_i8(wr, req->key_type);
    return rn_wire_enc_finish(&e);
}

int rn_find_coordinator_request_decode(const uint8_t *p, size_t len, int16_t version,
                                       rn_find_coordinator_request_t *req) {
    memset(req, 0, sizeof *req);
    int rc = rn_api_check_version(RN_API_FIND_COORDINATOR, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &req->arena);
    req->key = rn_wire_read_str(&d);
    req->key_type = rn_reader_i8(&d.rd);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_find_coordinator_request_deinit(req);
    return rc;
}

void rn_find_coordinator_request_deinit(rn_find_coordinator_request_t *req) {
    rn_arena_deinit(&req->arena);
    memset(req, 0, sizeof *req);
}

/* ---- response ------------------------------------------------------------------ */

int rn_find_coordinator_response_encode(rn_writer_t *wr, int16_t version,
                                        const rn_find_coordinator_response_t *resp) {
    int rc = rn_api_check_version(RN_API_FIND_COORDINATOR, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i16(wr, resp->error_code);
    rn_wire_write_nstr(&e, resp->error_message);
    rn_writer_i32(wr, resp->node_id);
    rn_wire_write_str(&e, resp->host);
    rn_writer_i32(wr, resp->port);
    return rn_wire_enc_finish(&e);
}

int rn_find_coordinator_response_decode(const uint8_t *p, size_t len, int16_t version,
                                        rn_find_coordinator_response_t *resp) {
    memset(resp, 0, sizeof *resp);
    int rc = rn_api_check_version(RN_API_FIND_COORDINATOR, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &resp->arena);
    resp->error_code = rn_reader_i16(&d.rd);
    resp->error_message = rn_wire_read_nstr(&d);
    resp->node_id = rn_reader_i32(&d.rd);
    resp->host = rn_wire_read_str(&d);
    resp->port = rn_reader_i32(&d.rd);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_find_coordinator_response_deinit(resp);
    return rc;
}

void rn_find_coordinator_response_deinit(rn_find_coordinator_response_t *resp) {
    rn_arena_deinit(&resp->arena);
    memset(resp, 0, sizeof *resp);
}
