/*
 * api_groups_admin.c — ListGroups (key 16) and DescribeGroups (key 15) codecs.
 *
 *   ListGroups request v0:       (empty)
 *   ListGroups response v0:      error_code int16 |
 *                                groups [ group_id string | protocol_type string |
 *                                         group_state string ]
 *   DescribeGroups request v0:   groups [ string ]
 *   DescribeGroups response v0:  error_code int16 |
 *                                groups [ error_code int16 | group_id string |
 *                                         group_state string | protocol_type string |
 *                                         protocol_data string |
 *                                         members [ member_id string |
 *                                                   client_id string |
 *                                                   client_host string |
 *                                                   member_metadata bytes |
 *                                                   member_assignment bytes ] ]
 *
 *   e.g. one stable consumer group "g":
 *     00 00 | 00 00 00 01 | 00 01 67 | 00 08 "consumer" | 00 06 "Stable"
 */
#include "proto/api_groups_admin.h"

#include "common/errors.h"
#include "proto/api.h"

/* Fewest wire bytes of one array element, for bounding counts (wire.h). */
#define LIST_GROUP_MIN 6  /* three strings of 2 */
#define GROUP_MIN      14 /* error 2 + four strings 8 + members count 4 */
#define MEMBER_MIN     14 /* three strings 6 + two bytes 8 */

/* ---- ListGroups ---------------------------------------------------------------------- */

int rn_list_groups_request_encode(rn_writer_t *wr, int16_t version,
                                  const rn_list_groups_request_t *req) {
    (void)req;
    (void)wr;
    return rn_api_check_version(RN_API_LIST_GROUPS, version);
}

int rn_list_groups_request_decode(const uint8_t *p, size_t len, int16_t version,
                                  rn_list_groups_request_t *req) {
    memset(req, 0, sizeof *req);
    int rc = rn_api_check_version(RN_API_LIST_GROUPS, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &req->arena);
    return rn_wire_dec_finish(&d); /* the body must be empty */
}

void rn_list_groups_request_deinit(rn_list_groups_request_t *req) {
    rn_arena_deinit(&req->arena);
    memset(req, 0, sizeof *req);
}

int rn_list_groups_response_encode(rn_writer_t *wr, int16_t version,
                                   const rn_list_groups_response_t *resp) {
    int rc = rn_api_check_version(RN_API_LIST_GROUPS, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i16(wr, resp->error_code);
    rn_wire_write_count(&e, resp->n_groups, false);
    for (int32_t i = 0; i < resp->n_groups; i++) {
        rn_wire_write_str(&e, resp->groups[i].group_id);
        rn_wire_write_str(&e, resp->groups[i].protocol_type);
        rn_wire_write_str(&e, resp->groups[i].group_state);
    }
    return rn_wire_enc_finish(&e);
}

int rn_list_groups_response_decode(const uint8_t *p, size_t len, int16_t version,
                                   rn_list_groups_response_t *resp) {
    memset(resp, 0, sizeof *resp);
    int rc = rn_api_check_version(RN_API_LIST_GROUPS, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &resp->arena);
    resp->error_code = rn_reader_i16(&d.rd);
    resp->n_groups = rn_wire_read_count(&d, LIST_GROUP_MIN, false);
    resp->groups = rn_wire_alloc(&d, resp->n_groups, sizeof *resp->groups);
    for (int32_t i = 0; i < resp->n_groups; i++) {
        resp->groups[i].group_id = rn_wire_read_str(&d);
        resp->groups[i].protocol_type = rn_wire_read_str(&d);
        resp->groups[i].group_state = rn_wire_read_str(&d);
    }
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_list_groups_response_deinit(resp);
    return rc;
}

void rn_list_groups_response_deinit(rn_list_groups_response_t *resp) {
    rn_arena_deinit(&resp->arena);
    memset(resp, 0, sizeof *resp);
}

/* ---- DescribeGroups request ---------------------------------------------------------- */

int rn_describe_groups_request_encode(rn_writer_t *wr, int16_t version,
                                      const rn_describe_groups_request_t *req) {
    int rc = rn_api_check_version(RN_API_DESCRIBE_GROUPS, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_wire_write_strs(&e, req->groups, req->n_groups, false);
    return rn_wire_enc_finish(&e);
}

int rn_describe_groups_request_decode(const uint8_t *p, size_t len, int16_t version,
                                      rn_describe_groups_request_t *req) {
    memset(req, 0, sizeof *req);
    int rc = rn_api_check_version(RN_API_DESCRIBE_GROUPS, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &req->arena);
    req->groups = rn_wire_read_strs(&d, &req->n_groups, false);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_describe_groups_request_deinit(req);
    return rc;
}

void rn_describe_groups_request_deinit(rn_describe_groups_request_t *req) {
    rn_arena_deinit(&req->arena);
    memset(req, 0, sizeof *req);
}

/* ---- DescribeGroups response --------------------------------------------------------- */

static void encode_group(rn_wire_enc_t *e, const rn_describe_groups_group_t *g) {
    rn_writer_i16(e->wr, g->error_code);
    rn_wire_write_str(e, g->group_id);
    rn_wire_write_str(e, g->group_state);
    rn_wire_write_str(e, g->protocol_type);
    rn_wire_write_str(e, g->protocol_data);
    rn_wire_write_count(e, g->n_members, false);
    for (int32_t j = 0; j < g->n_members; j++) {
        const rn_describe_groups_member_t *m = &g->members[j];
        rn_wire_write_str(e, m->member_id);
        rn_wire_write_str(e, m->client_id);
        rn_wire_write_str(e, m->client_host);
        rn_wire_write_bytes(e, m->member_metadata);
        rn_wire_write_bytes(e, m->member_assignment);
    }
}

int rn_describe_groups_response_encode(rn_writer_t *wr, int16_t version,
                                       const rn_describe_groups_response_t *resp) {
    int rc = rn_api_check_version(RN_API_DESCRIBE_GROUPS, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i16(wr, resp->error_code);
    rn_wire_write_count(&e, resp->n_groups, false);
    for (int32_t i = 0; i < resp->n_groups; i++)
        encode_group(&e, &resp->groups[i]);
    return rn_wire_enc_finish(&e);
}

static void decode_group(rn_wire_dec_t *d, rn_describe_groups_group_t *g) {
    g->error_code = rn_reader_i16(&d->rd);
    g->group_id = rn_wire_read_str(d);
    g->group_state = rn_wire_read_str(d);
    g->protocol_type = rn_wire_read_str(d);
    g->protocol_data = rn_wire_read_str(d);
    g->n_members = rn_wire_read_count(d, MEMBER_MIN, false);
    g->members = rn_wire_alloc(d, g->n_members, sizeof *g->members);
    for (int32_t j = 0; j < g->n_members; j++) {
        rn_describe_groups_member_t *m = &g->members[j];
        m->member_id = rn_wire_read_str(d);
        m->client_id = rn_wire_read_str(d);
        m->client_host = rn_wire_read_str(d);
        m->member_metadata = rn_wire_read_bytes(d);
        m->member_assignment = rn_wire_read_bytes(d);
    }
}

int rn_describe_groups_response_decode(const uint8_t *p, size_t len, int16_t version,
                                       rn_describe_groups_response_t *resp) {
    memset(resp, 0, sizeof *resp);
    int rc = rn_api_check_version(RN_API_DESCRIBE_GROUPS, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &resp->arena);
    resp->error_code = rn_reader_i16(&d.rd);
    resp->n_groups = rn_wire_read_count(&d, GROUP_MIN, false);
    resp->groups = rn_wire_alloc(&d, resp->n_groups, sizeof *resp->groups);
    for (int32_t i = 0; i < resp->n_groups; i++)
        decode_group(&d, &resp->groups[i]);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_describe_groups_response_deinit(resp);
    return rc;
}

void rn_describe_groups_response_deinit(rn_describe_groups_response_t *resp) {
    rn_arena_deinit(&resp->arena);
    memset(resp, 0, sizeof *resp);
}
