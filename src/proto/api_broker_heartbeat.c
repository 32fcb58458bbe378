/*
 * api_broker_heartbeat.c — BrokerHeartbeat (key 63) codec.
 *
 *   request v0:   broker_id int32 | host string | port int32 |
 *                 controller_address string | metadata_offset int64
 *   request v1:   v0 | want_shut_down int8
 *   request v2:   v1 | starting int8
 *
 *   response v0:  error_code int16 | is_fenced int8 | metadata_offset int64
 *   response v1:  v0 | should_shut_down int8      (v2: as v1)
 *
 *   e.g. the response NONE, not fenced, offset 7:
 *     00 00 | 00 | 00 00 00 00 00 00 00 07
 */
#include "proto/api_broker_heartbeat.h"

#include "common/errors.h"
#include "proto/api.h"

int rn_broker_heartbeat_request_encode(rn_writer_t *wr, int16_t version,
                                       const rn_broker_heartbeat_request_t *req) {
    int rc = rn_api_check_version(RN_API_BROKER_HEARTBEAT, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i32(wr, req->broker_id);
    rn_wire_write_str(&e, req->host);
    rn_writer_i32(wr, req->port);
    rn_wire_write_str(&e, req->controller_address);
    rn_writer_i64(wr, req->metadata_offset);
    if (version >= 1)
        rn_wire_write_bool(&e, req->want_shut_down);
    if (version >= 2)
        rn_wire_write_bool(&e, req->starting);
    return rn_wire_enc_finish(&e);
}

int rn_broker_heartbeat_request_decode(const uint8_t *p, size_t len, int16_t version,
                                       rn_broker_heartbeat_request_t *req) {
    memset(req, 0, sizeof *req);
    int rc = rn_api_check_version(RN_API_BROKER_HEARTBEAT, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &req->arena);
    req->broker_id = rn_reader_i32(&d.rd);
    req->host = rn_wire_read_str(&d);
    req->port = rn_reader_i32(&d.rd);
    req->controller_address = rn_wire_read_str(&d);
    req->metadata_offset = rn_reader_i64(&d.rd);
    if (version >= 1)
        req->want_shut_down = rn_wire_read_bool(&d);
    if (version >= 2)
        req->starting = rn_wire_read_bool(&d);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_broker_heartbeat_request_deinit(req);
    return rc;
}

void rn_broker_heartbeat_request_deinit(rn_broker_heartbeat_request_t *req) {
    rn_arena_deinit(&req->arena);
    memset(req, 0, sizeof *req);
}

int rn_broker_heartbeat_response_encode(rn_writer_t *wr, int16_t version,
                                        const rn_broker_heartbeat_response_t *resp) {
    int rc = rn_api_check_version(RN_API_BROKER_HEARTBEAT, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i16(wr, resp->error_code);
    rn_wire_write_bool(&e, resp->is_fenced);
    rn_writer_i64(wr, resp->metadata_offset);
    if (version >= 1)
        rn_wire_write_bool(&e, resp->should_shut_down);
    return rn_wire_enc_finish(&e);
}

int rn_broker_heartbeat_response_decode(const uint8_t *p, size_t len, int16_t version,
                                        rn_broker_heartbeat_response_t *resp) {
    memset(resp, 0, sizeof *resp);
    int rc = rn_api_check_version(RN_API_BROKER_HEARTBEAT, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &resp->arena);
    resp->error_code = rn_reader_i16(&d.rd);
    resp->is_fenced = rn_wire_read_bool(&d);
    resp->metadata_offset = rn_reader_i64(&d.rd);
    if (version >= 1)
        resp->should_shut_down = rn_wire_read_bool(&d);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_broker_heartbeat_response_deinit(resp);
    return rc;
}

void rn_broker_heartbeat_response_deinit(rn_broker_heartbeat_response_t *resp) {
    rn_arena_deinit(&resp->arena);
    memset(resp, 0, sizeof *resp);
}
