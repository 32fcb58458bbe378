/*
 * api_describe_quorum.c — DescribeQuorum (key 55) codec.
 *
 *   request v0:   (empty)
 *
 *   response v0:  error_code int16 | leader_id int32 | leader_epoch int32 |
 *                 high_watermark int64 |
 *                 voters    [ replica_id int32 | log_end_offset int64 ] |
 *                 observers [ replica_id int32 | log_end_offset int64 ]
 *
 *   e.g. NONE, leader 1, term 3, HW 57, voter 1 at 57, no observers:
 *     00 00 | 00 00 00 01 | 00 00 00 03 | 00 00 00 00 00 00 00 39 |
 *     00 00 00 01 | 00 00 00 01 00 00 00 00 00 00 00 39 | 00 00 00 00
 */
#include "proto/api_describe_quorum.h"

#include "common/errors.h"
#include "proto/api.h"

#define REPLICA_MIN 12 /* replica_id 4 + log_end_offset 8 */

int rn_describe_quorum_request_encode(rn_writer_t *wr, int16_t version,
                                      const rn_describe_quorum_request_t *req) {
    (void)wr;
    (void)req;
    return rn_api_check_version(RN_API_DESCRIBE_QUORUM, version);
}

int rn_describe_quorum_request_decode(const uint8_t *p, size_t len, int16_t version,
                                      rn_describe_quorum_request_t *req) {
    memset(req, 0, sizeof *req);
    int rc = rn_api_check_version(RN_API_DESCRIBE_QUORUM, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &req->arena);
    return rn_wire_dec_finish(&d); /* nothing allocated: no deinit needed on error */
}

void rn_describe_quorum_request_deinit(rn_describe_quorum_request_t *req) {
    rn_arena_deinit(&req->arena);
    memset(req, 0, sizeof *req);
}

static void encode_replicas(rn_wire_enc_t *e, const rn_quorum_replica_state_t *v, int32_t n) {
    rn_wire_write_count(e, n, false);
    for (int32_t i = 0; i < n; i++) {
        rn_writer_i32(e->wr, v[i].replica_id);
        rn_writer_i64(e->wr, v[i].log_end_offset);
    }
}

int rn_describe_quorum_response_encode(rn_writer_t *wr, int16_t version,
                                       const rn_describe_quorum_response_t *resp) {
    int rc = rn_api_check_version(RN_API_DESCRIBE_QUORUM, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i16(wr, resp->error_code);
    rn_writer_i32(wr, resp->leader_id);
    rn_writer_i32(wr, resp->leader_epoch);
    rn_writer_i64(wr, resp->high_watermark);
    encode_replicas(&e, resp->voters, resp->n_voters);
    encode_replicas(&e, resp->observers, resp->n_observers);
    return rn_wire_enc_finish(&e);
}

static rn_quorum_replica_state_t *decode_replicas(rn_wire_dec_t *d, int32_t *n) {
    *n = rn_wire_read_count(d, REPLICA_MIN, false);
    rn_quorum_replica_state_t *v = rn_wire_alloc(d, *n, sizeof *v);
    for (int32_t i = 0; i < *n; i++) {
        v[i].replica_id = rn_reader_i32(&d->rd);
        v[i].log_end_offset = rn_reader_i64(&d->rd);
    }
    return v;
}

int rn_describe_quorum_response_decode(const uint8_t *p, size_t len, int16_t version,
                                       rn_describe_quorum_response_t *resp) {
    memset(resp, 0, sizeof *resp);
    int rc = rn_api_check_version(RN_API_DESCRIBE_QUORUM, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &resp->arena);
    resp->error_code = rn_reader_i16(&d.rd);
    resp->leader_id = rn_reader_i32(&d.rd);
    resp->leader_epoch = rn_reader_i32(&d.rd);
    resp->high_watermark = rn_reader_i64(&d.rd);
    resp->voters = decode_replicas(&d, &resp->n_voters);
    resp->observers = decode_replicas(&d, &resp->n_observers);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_describe_quorum_response_deinit(resp);
    return rc;
}

void rn_describe_quorum_response_deinit(rn_describe_quorum_response_t *resp) {
    rn_arena_deinit(&resp->arena);
    memset(resp, 0, sizeof *resp);
}
