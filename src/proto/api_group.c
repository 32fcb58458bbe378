/*
 * api_group.c — JoinGroup (11), SyncGroup (14), Heartbeat (12), LeaveGroup (13)
 * codecs.
 *
 *   JoinGroup request v0:   group_id string | session_timeout_ms int32 |
 *                           rebalance_timeout_ms int32 | member_id string |
 *                           protocol_type string |
 *                           protocols [ name string | metadata bytes ]
 *   JoinGroup response v0:  error_code int16 | generation_id int32 |
 *                           protocol_name string | leader string | member_id string |
 *                           members [ member_id string | metadata bytes ]
 *   SyncGroup request v0:   group_id string | generation_id int32 | member_id string |
 *                           assignments [ member_id string | assignment bytes ]
 *   SyncGroup response v0:  error_code int16 | assignment bytes
 *   Heartbeat request v0:   group_id string | generation_id int32 | member_id string
 *   LeaveGroup request v0:  group_id string | member_id string
 *   Heartbeat / LeaveGroup response v0:  error_code int16
 *
 *   e.g. member "m" of group "g" heartbeats in generation 3:
 *     00 01 67 | 00 00 00 03 | 00 01 6d
 */
#include "proto/api_group.h"

#include "common/errors.h"
#include "proto/api.h"

/* Fewest wire bytes of one array element, for bounding counts (wire.h). */
#define NAMED_BYTES_MIN 6 /* string 2 + bytes 4: protocols, members, assignments */

/* ---- JoinGroup request --------------------------------------------------------------- */

int rn_join_group_request_encode(rn_writer_t *wr, int16_t version,
                                 const rn_join_group_request_t *req) {
    int rc = rn_api_check_version(RN_API_JOIN_GROUP, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_wire_write_str(&e, req->group_id);
    rn_writer_i32(wr, req->session_timeout_ms);
    rn_writer_i32(wr, req->rebalance_timeout_ms);
    rn_wire_write_str(&e, req->member_id);
    rn_wire_write_str(&e, req->protocol_type);
    rn_wire_write_count(&e, req->n_protocols, false);
    for (int32_t i = 0; i < req->n_protocols; i++) {
        rn_wire_write_str(&e, req->protocols[i].name);
        rn_wire_write_bytes(&e, req->protocols[i].metadata);
    }
    return rn_wire_enc_finish(&e);
}

int rn_join_group_request_decode(const uint8_t *p, size_t len, int16_t version,
                                 rn_join_group_request_t *req) {
    memset(req, 0, sizeof *req);
    int rc = rn_api_check_version(RN_API_JOIN_GROUP, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &req->arena);
    req->group_id = rn_wire_read_str(&d);
    req->session_timeout_ms = rn_reader_i32(&d.rd);
    req->rebalance_timeout_ms = rn_reader_i32(&d.rd);
    req->member_id = rn_wire_read_str(&d);
    req->protocol_type = rn_wire_read_str(&d);
    req->n_protocols = rn_wire_read_count(&d, NAMED_BYTES_MIN, false);
    req->protocols = rn_wire_alloc(&d, req->n_protocols, sizeof *req->protocols);
    for (int32_t i = 0; i < req->n_protocols; i++) {
        req->protocols[i].name = rn_wire_read_str(&d);
        req->protocols[i].metadata = rn_wire_read_bytes(&d);
    }
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_join_group_request_deinit(req);
    return rc;
}

void rn_join_group_request_deinit(rn_join_group_request_t *req) {
    rn_arena_deinit(&req->arena);
    memset(req, 0, sizeof *req);
}

/* ---- JoinGroup response -------------------------------------------------------------- */

int rn_join_group_response_encode(rn_writer_t *wr, int16_t version,
                                  const rn_join_group_response_t *resp) {
    int rc = rn_api_check_version(RN_API_JOIN_GROUP, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i16(wr, resp->error_code);
    rn_writer_i32(wr, resp->generation_id);
    rn_wire_write_str(&e, resp->protocol_name);
    rn_wire_write_str(&e, resp->leader);
    rn_wire_write_str(&e, resp->member_id);
    rn_wire_write_count(&e, resp->n_members, false);
    for (int32_t i = 0; i < resp->n_members; i++) {
        rn_wire_write_str(&e, resp->members[i].member_id);
        rn_wire_write_bytes(&e, resp->members[i].metadata);
    }
    return rn_wire_enc_finish(&e);
}

int rn_join_group_response_decode(const uint8_t *p, size_t len, int16_t version,
                                  rn_join_group_response_t *resp) {
    memset(resp, 0, sizeof *resp);
    int rc = rn_api_check_version(RN_API_JOIN_GROUP, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &resp->arena);
    resp->error_code = rn_reader_i16(&d.rd);
    resp->generation_id = rn_reader_i32(&d.rd);
    resp->protocol_name = rn_wire_read_str(&d);
    resp->leader = rn_wire_read_str(&d);
    resp->member_id = rn_wire_read_str(&d);
    resp->n_members = rn_wire_read_count(&d, NAMED_BYTES_MIN, false);
    resp->members = rn_wire_alloc(&d, resp->n_members, sizeof *resp->members);
    for (int32_t i = 0; i < resp->n_members; i++) {
        resp->members[i].member_id = rn_wire_read_str(&d);
        resp->members[i].metadata = rn_wire_read_bytes(&d);
    }
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_join_group_response_deinit(resp);
    return rc;
}

void rn_join_group_response_deinit(rn_join_group_response_t *resp) {
    rn_arena_deinit(&resp->arena);
    memset(resp, 0, sizeof *resp);
}

/* ---- SyncGroup request --------------------------------------------------------------- */

int rn_sync_group_request_encode(rn_writer_t *wr, int16_t version,
                                 const rn_sync_group_request_t *req) {
    int rc = rn_api_check_version(RN_API_SYNC_GROUP, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_wire_write_str(&e, req->group_id);
    rn_writer_i32(wr, req->generation_id);
    rn_wire_write_str(&e, req->member_id);
    rn_wire_write_count(&e, req->n_assignments, false);
    for (int32_t i = 0; i < req->n_assignments; i++) {
        rn_wire_write_str(&e, req->assignments[i].member_id);
        rn_wire_write_bytes(&e, req->assignments[i].assignment);
    }
    return rn_wire_enc_finish(&e);
}

int rn_sync_group_request_decode(const uint8_t *p, size_t len, int16_t version,
                                 rn_sync_group_request_t *req) {
    memset(req, 0, sizeof *req);
    int rc = rn_api_check_version(RN_API_SYNC_GROUP, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &req->arena);
    req->group_id = rn_wire_read_str(&d);
    req->generation_id = rn_reader_i32(&d.rd);
    req->member_id = rn_wire_read_str(&d);
    req->n_assignments = rn_wire_read_count(&d, NAMED_BYTES_MIN, false);
    req->assignments = rn_wire_alloc(&d, req->n_assignments, sizeof *req->assignments);
    for (int32_t i = 0; i < req->n_assignments; i++) {
        req->assignments[i].member_id = rn_wire_read_str(&d);
        req->assignments[i].assignment = rn_wire_read_bytes(&d);
    }
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_sync_group_request_deinit(req);
    return rc;
}

void rn_sync_group_request_deinit(rn_sync_group_request_t *req) {
    rn_arena_deinit(&req->arena);
    memset(req, 0, sizeof *req);
}

/* ---- SyncGroup response -------------------------------------------------------------- */

int rn_sync_group_response_encode(rn_writer_t *wr, int16_t version,
                                  const rn_sync_group_response_t *resp) {
    int rc = rn_api_check_version(RN_API_SYNC_GROUP, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i16(wr, resp->error_code);
    rn_wire_write_bytes(&e, resp->assignment);
    return rn_wire_enc_finish(&e);
}

int rn_sync_group_response_decode(const uint8_t *p, size_t len, int16_t version,
                                  rn_sync_group_response_t *resp) {
    memset(resp, 0, sizeof *resp);
    int rc = rn_api_check_version(RN_API_SYNC_GROUP, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &resp->arena);
    resp->error_code = rn_reader_i16(&d.rd);
    resp->assignment = rn_wire_read_bytes(&d);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_sync_group_response_deinit(resp);
    return rc;
}

void rn_sync_group_response_deinit(rn_sync_group_response_t *resp) {
    rn_arena_deinit(&resp->arena);
    memset(resp, 0, sizeof *resp);
}

/* ---- Heartbeat ----------------------------------------------------------------------- */

int rn_heartbeat_request_encode(rn_writer_t *wr, int16_t version,
                                const rn_heartbeat_request_t *req) {
    int rc = rn_api_check_version(RN_API_HEARTBEAT, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_wire_write_str(&e, req->group_id);
    rn_writer_i32(wr, req->generation_id);
    rn_wire_write_str(&e, req->member_id);
    return rn_wire_enc_finish(&e);
}

int rn_heartbeat_request_decode(const uint8_t *p, size_t len, int16_t version,
                                rn_heartbeat_request_t *req) {
    memset(req, 0, sizeof *req);
    int rc = rn_api_check_version(RN_API_HEARTBEAT, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &req->arena);
    req->group_id = rn_wire_read_str(&d);
    req->generation_id = rn_reader_i32(&d.rd);
    req->member_id = rn_wire_read_str(&d);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_heartbeat_request_deinit(req);
    return rc;
}

void rn_heartbeat_request_deinit(rn_heartbeat_request_t *req) {
    rn_arena_deinit(&req->arena);
    memset(req, 0, sizeof *req);
}

/* Heartbeat and LeaveGroup answer with the error code alone. */
static int encode_error_only(rn_writer_t *wr, int16_t key, int16_t version, rn_wire_err_t err) {
    int rc = rn_api_check_version(key, version);
    if (rc)
        return rc;
    rn_writer_i16(wr, err);
    return 0;
}

static int decode_error_only(const uint8_t *p, size_t len, int16_t key, int16_t version,
                             rn_arena_t *arena, rn_wire_err_t *err) {
    int rc = rn_api_check_version(key, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, arena);
    *err = rn_reader_i16(&d.rd);
    return rn_wire_dec_finish(&d);
}

int rn_heartbeat_response_encode(rn_writer_t *wr, int16_t version,
                                 const rn_heartbeat_response_t *resp) {
    return encode_error_only(wr, RN_API_HEARTBEAT, version, resp->error_code);
}

int rn_heartbeat_response_decode(const uint8_t *p, size_t len, int16_t version,
                                 rn_heartbeat_response_t *resp) {
    memset(resp, 0, sizeof *resp);
    int rc = decode_error_only(p, len, RN_API_HEARTBEAT, version, &resp->arena, &resp->error_code);
    if (rc)
        rn_heartbeat_response_deinit(resp);
    return rc;
}

void rn_heartbeat_response_deinit(rn_heartbeat_response_t *resp) {
    rn_arena_deinit(&resp->arena);
    memset(resp, 0, sizeof *resp);
}

/* ---- LeaveGroup ---------------------------------------------------------------------- */

int rn_leave_group_request_encode(rn_writer_t *wr, int16_t version,
                                  const rn_leave_group_request_t *req) {
    int rc = rn_api_check_version(RN_API_LEAVE_GROUP, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_wire_write_str(&e, req->group_id);
    rn_wire_write_str(&e, req->member_id);
    return rn_wire_enc_finish(&e);
}

int rn_leave_group_request_decode(const uint8_t *p, size_t len, int16_t version,
                                  rn_leave_group_request_t *req) {
    memset(req, 0, sizeof *req);
    int rc = rn_api_check_version(RN_API_LEAVE_GROUP, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &req->arena);
    req->group_id = rn_wire_read_str(&d);
    req->member_id = rn_wire_read_str(&d);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_leave_group_request_deinit(req);
    return rc;
}

void rn_leave_group_request_deinit(rn_leave_group_request_t *req) {
    rn_arena_deinit(&req->arena);
    memset(req, 0, sizeof *req);
}

int rn_leave_group_response_encode(rn_writer_t *wr, int16_t version,
                                   const rn_leave_group_response_t *resp) {
    return encode_error_only(wr, RN_API_LEAVE_GROUP, version, resp->error_code);
}

int rn_leave_group_response_decode(const uint8_t *p, size_t len, int16_t version,
                                   rn_leave_group_response_t *resp) {
    memset(resp, 0, sizeof *resp);
    int rc =
        decode_error_only(p, len, RN_API_LEAVE_GROUP, version, &resp->arena, &resp->error_code);
    if (rc)
        rn_leave_group_response_deinit(resp);
    return rc;
}

void rn_leave_group_response_deinit(rn_leave_group_response_t *resp) {
    rn_arena_deinit(&resp->arena);
    memset(resp, 0, sizeof *resp);
}
