/*
 * api_offsets.c — OffsetCommit (key 8) and OffsetFetch (key 9) codecs.
 *
 *   OffsetCommit request v0:   group_id string | generation_id int32 |
 *                              member_id string |
 *                              topics [ name string |
 *                                       partitions [ partition_index int32 |
 *                                                    committed_offset int64 |
 *                                                    committed_metadata nstring ] ]
 *   OffsetCommit response v0:  error_code int16 |
 *                              topics [ name string |
 *                                       partitions [ partition_index int32 |
 *                                                    error_code int16 ] ]
 *   OffsetFetch request v0:    group_id string |
 *                              topics nullable [ name string |
 *                                                partition_indexes [ int32 ] ]
 *   OffsetFetch response v0:   error_code int16 |
 *                              topics [ name string |
 *                                       partitions [ partition_index int32 |
 *                                                    committed_offset int64 |
 *                                                    metadata nstring |
 *                                                    error_code int16 ] ]
 *
 *   e.g. a simple commit of offset 5 for "t"-0 in group "g", no metadata:
 *     00 01 67 | ff ff ff ff | 00 00 | 00 00 00 01 | 00 01 74 | 00 00 00 01 |
 *     00 00 00 00 | 00 00 00 00 00 00 00 05 | ff ff
 */
#include "proto/api_offsets.h"

#include "common/errors.h"
#include "proto/api.h"

/* Fewest wire bytes of one array element, for bounding counts (wire.h). */
#define TOPIC_MIN              6  /* name 2 + an array count 4 */
#define COMMIT_PART_MIN        14 /* partition 4 + offset 8 + metadata 2 */
#define COMMIT_PART_RESULT_MIN 6  /* partition 4 + error 2 */
#define FETCH_PART_MIN         16 /* partition 4 + offset 8 + metadata 2 + error 2 */

/* ---- OffsetCommit request ------------------------------------------------------------ */

static void encode_commit_topic(rn_wire_enc_t *e, const rn_offset_commit_topic_t *t) {
    rn_wire_write_str(e, t->name);
    rn_wire_write_count(e, t->n_partitions, false);
    for (int32_t j = 0; j < t->n_partitions; j++) {
        const rn_offset_commit_part_t *p = &t->partitions[j];
        rn_writer_i32(e->wr, p->partition_index);
        rn_writer_i64(e->wr, p->committed_offset);
        rn_wire_write_nstr(e, p->committed_metadata);
    }
}

int rn_offset_commit_request_encode(rn_writer_t *wr, int16_t version,
                                    const rn_offset_commit_request_t *req) {
    int rc = rn_api_check_version(RN_API_OFFSET_COMMIT, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_wire_write_str(&e, req->group_id);
    rn_writer_i32(wr, req->generation_id);
    rn_wire_write_str(&e, req->member_id);
    rn_wire_write_count(&e, req->n_topics, false);
    for (int32_t i = 0; i < req->n_topics; i++)
        encode_commit_topic(&e, &req->topics[i]);
    return rn_wire_enc_finish(&e);
}

static void decode_commit_topic(rn_wire_dec_t *d, rn_offset_commit_topic_t *t) {
    t->name = rn_wire_read_str(d);
    t->n_partitions = rn_wire_read_count(d, COMMIT_PART_MIN, false);
    t->partitions = rn_wire_alloc(d, t->n_partitions, sizeof *t->partitions);
    for (int32_t j = 0; j < t->n_partitions; j++) {
        rn_offset_commit_part_t *p = &t->partitions[j];
        p->partition_index = rn_reader_i32(&d->rd);
        p->committed_offset = rn_reader_i64(&d->rd);
        p->committed_metadata = rn_wire_read_nstr(d);
    }
}

int rn_offset_commit_request_decode(const uint8_t *p, size_t len, int16_t version,
                                    rn_offset_commit_request_t *req) {
    memset(req, 0, sizeof *req);
    int rc = rn_api_check_version(RN_API_OFFSET_COMMIT, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &req->arena);
    req->group_id = rn_wire_read_str(&d);
    req->generation_id = rn_reader_i32(&d.rd);
    req->member_id = rn_wire_read_str(&d);
    req->n_topics = rn_wire_read_count(&d, TOPIC_MIN, false);
    req->topics = rn_wire_alloc(&d, req->n_topics, sizeof *req->topics);
    for (int32_t i = 0; i < req->n_topics; i++)
        decode_commit_topic(&d, &req->topics[i]);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_offset_commit_request_deinit(req);
    return rc;
}

void rn_offset_commit_request_deinit(rn_offset_commit_request_t *req) {
    rn_arena_deinit(&req->arena);
    memset(req, 0, sizeof *req);
}

/* ---- OffsetCommit response ----------------------------------------------------------- */

int rn_offset_commit_response_encode(rn_writer_t *wr, int16_t version,
                                     const rn_offset_commit_response_t *resp) {
    int rc = rn_api_check_version(RN_API_OFFSET_COMMIT, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i16(wr, resp->error_code);
    rn_wire_write_count(&e, resp->n_topics, false);
    for (int32_t i = 0; i < resp->n_topics; i++) {
        const rn_offset_commit_topic_result_t *t = &resp->topics[i];
        rn_wire_write_str(&e, t->name);
        rn_wire_write_count(&e, t->n_partitions, false);
        for (int32_t j = 0; j < t->n_partitions; j++) {
            rn_writer_i32(wr, t->partitions[j].partition_index);
            rn_writer_i16(wr, t->partitions[j].error_code);
        }
    }
    return rn_wire_enc_finish(&e);
}

static void decode_commit_topic_result(rn_wire_dec_t *d, rn_offset_commit_topic_result_t *t) {
    t->name = rn_wire_read_str(d);
    t->n_partitions = rn_wire_read_count(d, COMMIT_PART_RESULT_MIN, false);
    t->partitions = rn_wire_alloc(d, t->n_partitions, sizeof *t->partitions);
    for (int32_t j = 0; j < t->n_partitions; j++) {
        t->partitions[j].partition_index = rn_reader_i32(&d->rd);
        t->partitions[j].error_code = rn_reader_i16(&d->rd);
    }
}

int rn_offset_commit_response_decode(const uint8_t *p, size_t len, int16_t version,
                                     rn_offset_commit_response_t *resp) {
    memset(resp, 0, sizeof *resp);
    int rc = rn_api_check_version(RN_API_OFFSET_COMMIT, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &resp->arena);
    resp->error_code = rn_reader_i16(&d.rd);
    resp->n_topics = rn_wire_read_count(&d, TOPIC_MIN, false);
    resp->topics = rn_wire_alloc(&d, resp->n_topics, sizeof *resp->topics);
    for (int32_t i = 0; i < resp->n_topics; i++)
        decode_commit_topic_result(&d, &resp->topics[i]);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_offset_commit_response_deinit(resp);
    return rc;
}

void rn_offset_commit_response_deinit(rn_offset_commit_response_t *resp) {
    rn_arena_deinit(&resp->arena);
    memset(resp, 0, sizeof *resp);
}

/* ---- OffsetFetch request ------------------------------------------------------------- */

int rn_offset_fetch_request_encode(rn_writer_t *wr, int16_t version,
                                   const rn_offset_fetch_request_t *req) {
    int rc = rn_api_check_version(RN_API_OFFSET_FETCH, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_wire_write_str(&e, req->group_id);
    rn_wire_write_count(&e, req->n_topics, true);
    for (int32_t i = 0; i < req->n_topics; i++) {
        rn_wire_write_str(&e, req->topics[i].name);
        rn_wire_write_i32s(&e, req->topics[i].partition_indexes,
                           req->topics[i].n_partition_indexes);
    }
    return rn_wire_enc_finish(&e);
}

int rn_offset_fetch_request_decode(const uint8_t *p, size_t len, int16_t version,
                                   rn_offset_fetch_request_t *req) {
    memset(req, 0, sizeof *req);
    int rc = rn_api_check_version(RN_API_OFFSET_FETCH, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &req->arena);
    req->group_id = rn_wire_read_str(&d);
    req->n_topics = rn_wire_read_count(&d, TOPIC_MIN, true);
    req->topics = rn_wire_alloc(&d, req->n_topics, sizeof *req->topics);
    for (int32_t i = 0; i < req->n_topics; i++) {
        req->topics[i].name = rn_wire_read_str(&d);
        req->topics[i].partition_indexes =
            rn_wire_read_i32s(&d, &req->topics[i].n_partition_indexes);
    }
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_offset_fetch_request_deinit(req);
    return rc;
}

void rn_offset_fetch_request_deinit(rn_offset_fetch_request_t *req) {
    rn_arena_deinit(&req->arena);
    memset(req, 0, sizeof *req);
}

/* ---- OffsetFetch response ------------------------------------------------------------ */

static void encode_fetch_topic_result(rn_wire_enc_t *e, const rn_offset_fetch_topic_result_t *t) {
    rn_wire_write_str(e, t->name);
    rn_wire_write_count(e, t->n_partitions, false);
    for (int32_t j = 0; j < t->n_partitions; j++) {
        const rn_offset_fetch_part_t *p = &t->partitions[j];
        rn_writer_i32(e->wr, p->partition_index);
        rn_writer_i64(e->wr, p->committed_offset);
        rn_wire_write_nstr(e, p->metadata);
        rn_writer_i16(e->wr, p->error_code);
    }
}

int rn_offset_fetch_response_encode(rn_writer_t *wr, int16_t version,
                                    const rn_offset_fetch_response_t *resp) {
    int rc = rn_api_check_version(RN_API_OFFSET_FETCH, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i16(wr, resp->error_code);
    rn_wire_write_count(&e, resp->n_topics, false);
    for (int32_t i = 0; i < resp->n_topics; i++)
        encode_fetch_topic_result(&e, &resp->topics[i]);
    return rn_wire_enc_finish(&e);
}

static void decode_fetch_topic_result(rn_wire_dec_t *d, rn_offset_fetch_topic_result_t *t) {
    t->name = rn_wire_read_str(d);
    t->n_partitions = rn_wire_read_count(d, FETCH_PART_MIN, false);
    t->partitions = rn_wire_alloc(d, t->n_partitions, sizeof *t->partitions);
    for (int32_t j = 0; j < t->n_partitions; j++) {
        rn_offset_fetch_part_t *p = &t->partitions[j];
        p->partition_index = rn_reader_i32(&d->rd);
        p->committed_offset = rn_reader_i64(&d->rd);
        p->metadata = rn_wire_read_nstr(d);
        p->error_code = rn_reader_i16(&d->rd);
    }
}

int rn_offset_fetch_response_decode(const uint8_t *p, size_t len, int16_t version,
                                    rn_offset_fetch_response_t *resp) {
    memset(resp, 0, sizeof *resp);
    int rc = rn_api_check_version(RN_API_OFFSET_FETCH, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &resp->arena);
    resp->error_code = rn_reader_i16(&d.rd);
    resp->n_topics = rn_wire_read_count(&d, TOPIC_MIN, false);
    resp->topics = rn_wire_alloc(&d, resp->n_topics, sizeof *resp->topics);
    for (int32_t i = 0; i < resp->n_topics; i++)
        decode_fetch_topic_result(&d, &resp->topics[i]);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_offset_fetch_response_deinit(resp);
    return rc;
}

void rn_offset_fetch_response_deinit(rn_offset_fetch_response_t *resp) {
    rn_arena_deinit(&resp->arena);
    memset(resp, 0, sizeof *resp);
}
