/*
 * api_topics.c — CreateTopics (key 19) and DeleteTopics (key 20) codecs.
 *
 *   CreateTopics request v0                 CreateTopics response v0
 *   +------------------------------+        +------------------------------+
 *   | topics           array of:   |        | error_code       int16       |
 *   |   name           string      |        | topics           array of:   |
 *   |   num_partitions int32       |        |   name           string      |
 *   |   replication_factor int16   |        |   error_code     int16       |
 *   |   configs        array of:   |        |   error_message  nstring     |
 *   |     name         string      |        +------------------------------+
 *   |     value        nstring     |
 *   | timeout_ms       int32       |
 *   | validate_only    boolean     |
 *   +------------------------------+
 *
 *   DeleteTopics request v0                 DeleteTopics response v0
 *   +------------------------------+        +------------------------------+
 *   | topic_names  array of string |        | error_code       int16       |
 *   | timeout_ms       int32       |        | responses        array of:   |
 *   +------------------------------+        |   name           string      |
 *                                           |   error_code     int16       |
 *                                           |   error_message  nstring     |
 *                                           +------------------------------+
 */
#include "proto/api_topics.h"

#include "common/errors.h"
#include "proto/api.h"

/* Fewest wire bytes of one array element, for bounding counts (wire.h). */
#define CONFIG_MIN 4  /* name 2 + value 2 */
#define TOPIC_MIN  12 /* name 2 + num_partitions 4 + replication_factor 2 + configs 4 */
#define RESULT_MIN 6  /* name 2 + error_code 2 + error_message 2 */

/* The result entries of both responses share one layout. */
static void encode_result(rn_wire_enc_t *e, rn_str_t name, rn_wire_err_t error_code,
                          rn_str_t error_message) {
    rn_wire_write_str(e, name);
    rn_writer_i16(e->wr, error_code);
    rn_wire_write_nstr(e, error_message);
}

/* ---- CreateTopics request ----------------------------------------------------- */

static void encode_creatable(rn_wire_enc_t *e, const rn_creatable_topic_t *topic) {
    rn_wire_write_str(e, topic->name);
    rn_writer_i32(e->wr, topic->num_partitions);
    rn_writer_i16(e->wr, topic->replication_factor);
    rn_wire_write_count(e, topic->n_configs, false);
    for (int32_t i = 0; i < topic->n_configs; i++) {
        rn_wire_write_str(e, topic->configs[i].name);
        rn_wire_write_nstr(e, topic->configs[i].value);
    }
}

int rn_create_topics_request_encode(rn_writer_t *wr, int16_t version,
                                    const rn_create_topics_request_t *req) {
    int rc = rn_api_check_version(RN_API_CREATE_TOPICS, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_wire_write_count(&e, req->n_topics, false);
    for (int32_t i = 0; i < req->n_topics; i++)
        encode_creatable(&e, &req->topics[i]);
    rn_writer_i32(wr, req->timeout_ms);
    rn_wire_write_bool(&e, req->validate_only);
    return rn_wire_enc_finish(&e);
}

static void decode_creatable(rn_wire_dec_t *d, rn_creatable_topic_t *topic) {
    topic->name = rn_wire_read_str(d);
    topic->num_partitions = rn_reader_i32(&d->rd);
    topic->replication_factor = rn_reader_i16(&d->rd);
    topic->n_configs = rn_wire_read_count(d, CONFIG_MIN, false);
    topic->configs = rn_wire_alloc(d, topic->n_configs, sizeof *topic->configs);
    for (int32_t i = 0; i < topic->n_configs; i++) {
        topic->configs[i].name = rn_wire_read_str(d);
        topic->configs[i].value = rn_wire_read_nstr(d);
    }
}

int rn_create_topics_request_decode(const uint8_t *p, size_t len, int16_t version,
                                    rn_create_topics_request_t *req) {
    memset(req, 0, sizeof *req);
    int rc = rn_api_check_version(RN_API_CREATE_TOPICS, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &req->arena);
    req->n_topics = rn_wire_read_count(&d, TOPIC_MIN, false);
    req->topics = rn_wire_alloc(&d, req->n_topics, sizeof *req->topics);
    for (int32_t i = 0; i < req->n_topics; i++)
        decode_creatable(&d, &req->topics[i]);
    req->timeout_ms = rn_reader_i32(&d.rd);
    req->validate_only = rn_wire_read_bool(&d);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_create_topics_request_deinit(req);
    return rc;
}

void rn_create_topics_request_deinit(rn_create_topics_request_t *req) {
    rn_arena_deinit(&req->arena);
    memset(req, 0, sizeof *req);
}

/* ---- CreateTopics response ---------------------------------------------------- */

int rn_create_topics_response_encode(rn_writer_t *wr, int16_t version,
                                     const rn_create_topics_response_t *resp) {
    int rc = rn_api_check_version(RN_API_CREATE_TOPICS, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i16(wr, resp->error_code);
    rn_wire_write_count(&e, resp->n_topics, false);
    for (int32_t i = 0; i < resp->n_topics; i++) {
        const rn_creatable_topic_result_t *t = &resp->topics[i];
        encode_result(&e, t->name, t->error_code, t->error_message);
    }
    return rn_wire_enc_finish(&e);
}

int rn_create_topics_response_decode(const uint8_t *p, size_t len, int16_t version,
                                     rn_create_topics_response_t *resp) {
    memset(resp, 0, sizeof *resp);
    int rc = rn_api_check_version(RN_API_CREATE_TOPICS, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &resp->arena);
    resp->error_code = rn_reader_i16(&d.rd);
    resp->n_topics = rn_wire_read_count(&d, RESULT_MIN, false);
    resp->topics = rn_wire_alloc(&d, resp->n_topics, sizeof *resp->topics);
    for (int32_t i = 0; i < resp->n_topics; i++) {
        resp->topics[i].name = rn_wire_read_str(&d);
        resp->topics[i].error_code = rn_reader_i16(&d.rd);
        resp->topics[i].error_message = rn_wire_read_nstr(&d);
    }
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_create_topics_response_deinit(resp);
    return rc;
}

void rn_create_topics_response_deinit(rn_create_topics_response_t *resp) {
    rn_arena_deinit(&resp->arena);
    memset(resp, 0, sizeof *resp);
}

/* ---- DeleteTopics request ----------------------------------------------------- */

int rn_delete_topics_request_encode(rn_writer_t *wr, int16_t version,
                                    const rn_delete_topics_request_t *req) {
    int rc = rn_api_check_version(RN_API_DELETE_TOPICS, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_wire_write_strs(&e, req->topic_names, req->n_topic_names, false);
    rn_writer_i32(wr, req->timeout_ms);
    return rn_wire_enc_finish(&e);
}

int rn_delete_topics_request_decode(const uint8_t *p, size_t len, int16_t version,
                                    rn_delete_topics_request_t *req) {
    memset(req, 0, sizeof *req);
    int rc = rn_api_check_version(RN_API_DELETE_TOPICS, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &req->arena);
    req->topic_names = rn_wire_read_strs(&d, &req->n_topic_names, false);
    req->timeout_ms = rn_reader_i32(&d.rd);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_delete_topics_request_deinit(req);
    return rc;
}

void rn_delete_topics_request_deinit(rn_delete_topics_request_t *req) {
    rn_arena_deinit(&req->arena);
    memset(req, 0, sizeof *req);
}

/* ---- DeleteTopics response ---------------------------------------------------- */

int rn_delete_topics_response_encode(rn_writer_t *wr, int16_t version,
                                     const rn_delete_topics_response_t *resp) {
    int rc = rn_api_check_version(RN_API_DELETE_TOPICS, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i16(wr, resp->error_code);
    rn_wire_write_count(&e, resp->n_responses, false);
    for (int32_t i = 0; i < resp->n_responses; i++) {
        const rn_deletable_topic_result_t *t = &resp->responses[i];
        encode_result(&e, t->name, t->error_code, t->error_message);
    }
    return rn_wire_enc_finish(&e);
}

int rn_delete_topics_response_decode(const uint8_t *p, size_t len, int16_t version,
                                     rn_delete_topics_response_t *resp) {
    memset(resp, 0, sizeof *resp);
    int rc = rn_api_check_version(RN_API_DELETE_TOPICS, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &resp->arena);
    resp->error_code = rn_reader_i16(&d.rd);
    resp->n_responses = rn_wire_read_count(&d, RESULT_MIN, false);
    resp->responses = rn_wire_alloc(&d, resp->n_responses, sizeof *resp->responses);
    for (int32_t i = 0; i < resp->n_responses; i++) {
        resp->responses[i].name = rn_wire_read_str(&d);
        resp->responses[i].error_code = rn_reader_i16(&d.rd);
        resp->responses[i].error_message = rn_wire_read_nstr(&d);
    }
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_delete_topics_response_deinit(resp);
    return rc;
}

void rn_delete_topics_response_deinit(rn_delete_topics_response_t *resp) {
    rn_arena_deinit(&resp->arena);
    memset(resp, 0, sizeof *resp);
}
