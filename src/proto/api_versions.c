/*
 * api_versions.c — ApiVersions (key 18) codec.
 *
 *   request v0:   (empty)
 *
 *   response v0:  error_code int16
 *                 api_keys   [ api_key int16 | min_version int16 | max_version int16 ]
 *
 *   e.g. NONE, one key (Metadata 0..0):
 *     00 00 | 00 00 00 01 | 00 03 00 00 00 00
 */
#include "proto/api_versions.h"

#include "common/errors.h"
#include "proto/api.h"

#define RANGE_MIN 6 /* api_key + min_version + max_version */

int rn_api_versions_request_encode(rn_writer_t *wr, int16_t version,
                                   const rn_api_versions_request_t *req) {
    (void)wr;
    (void)req;
    return rn_api_check_version(RN_API_API_VERSIONS, version);
}

int rn_api_versions_request_decode(const uint8_t *p, size_t len, int16_t version,
                                   rn_api_versions_request_t *req) {
    memset(req, 0, sizeof *req);
    int rc = rn_api_check_version(RN_API_API_VERSIONS, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &req->arena);
    return rn_wire_dec_finish(&d); /* nothing allocated: no deinit needed on error */
}

void rn_api_versions_request_deinit(rn_api_versions_request_t *req) {
    rn_arena_deinit(&req->arena);
    memset(req, 0, sizeof *req);
}

int rn_api_versions_response_encode(rn_writer_t *wr, int16_t version,
                                    const rn_api_versions_response_t *resp) {
    int rc = rn_api_check_version(RN_API_API_VERSIONS, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i16(wr, resp->error_code);
    rn_wire_write_count(&e, resp->n_api_keys, false);
    for (int32_t i = 0; i < resp->n_api_keys; i++) {
        rn_writer_i16(wr, resp->api_keys[i].api_key);
        rn_writer_i16(wr, resp->api_keys[i].min_version);
        rn_writer_i16(wr, resp->api_keys[i].max_version);
    }
    return rn_wire_enc_finish(&e);
}

int rn_api_versions_response_decode(const uint8_t *p, size_t len, int16_t version,
                                    rn_api_versions_response_t *resp) {
    memset(resp, 0, sizeof *resp);
    int rc = rn_api_check_version(RN_API_API_VERSIONS, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &resp->arena);
    resp->error_code = rn_reader_i16(&d.rd);
    resp->n_api_keys = rn_wire_read_count(&d, RANGE_MIN, false);
    resp->api_keys = rn_wire_alloc(&d, resp->n_api_keys, sizeof *resp->api_keys);
    for (int32_t i = 0; i < resp->n_api_keys; i++) {
        resp->api_keys[i].api_key = rn_reader_i16(&d.rd);
        resp->api_keys[i].min_version = rn_reader_i16(&d.rd);
        resp->api_keys[i].max_version = rn_reader_i16(&d.rd);
    }
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_api_versions_response_deinit(resp);
    return rc;
}

void rn_api_versions_response_deinit(rn_api_versions_response_t *resp) {
    rn_arena_deinit(&resp->arena);
    memset(resp, 0, sizeof *resp);
}
