/*
 * api_configs.c — DescribeConfigs (key 32) and AlterConfigs (key 33) codecs.
 *
 *   DescribeConfigs request v0               DescribeConfigs response v0
 *   +---------------------------------+      +---------------------------------+
 *   | resources          array of:    |      | error_code          int16       |
 *   |   resource_type    int8         |      | results             array of:   |
 *   |   resource_name    string       |      |   error_code        int16       |
 *   |   configuration_keys            |      |   error_message     nstring     |
 *   |        nullable array of string |      |   resource_type     int8        |
 *   +---------------------------------+      |   resource_name     string      |
 *                                            |   configs           array of:   |
 *                                            |     name            string      |
 *                                            |     value           nstring     |
 *                                            |     read_only       boolean     |
 *                                            |     is_default      boolean     |
 *                                            +---------------------------------+
 *
 *   AlterConfigs request v0                  AlterConfigs response v0
 *   +---------------------------------+      +---------------------------------+
 *   | resources          array of:    |      | error_code          int16       |
 *   |   resource_type    int8         |      | responses           array of:   |
 *   |   resource_name    string       |      |   error_code        int16       |
 *   |   configs          array of:    |      |   error_message     nstring     |
 *   |     name           string       |      |   resource_type     int8        |
 *   |     value          nstring      |      |   resource_name     string      |
 *   | validate_only      boolean      |      +---------------------------------+
 *   +---------------------------------+
 */
#include "proto/api_configs.h"

#include "common/errors.h"
#include "proto/api.h"

/* Fewest wire bytes of one array element, for bounding counts (wire.h). */
#define RESOURCE_MIN     7  /* resource_type 1 + resource_name 2 + array 4 */
#define RESULT_MIN       11 /* 2 + error_message 2 + 1 + resource_name 2 + configs 4 */
#define ENTRY_MIN        6  /* name 2 + value 2 + read_only 1 + is_default 1 */
#define ALTERABLE_MIN    4  /* name 2 + value 2 */
#define ALTER_RESULT_MIN 7  /* 2 + error_message 2 + 1 + resource_name 2 */

/* ---- DescribeConfigs request -------------------------------------------------- */

int rn_describe_configs_request_encode(rn_writer_t *wr, int16_t version,
                                       const rn_describe_configs_request_t *req) {
    int rc = rn_api_check_version(RN_API_DESCRIBE_CONFIGS, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_wire_write_count(&e, req->n_resources, false);
    for (int32_t i = 0; i < req->n_resources; i++) {
        const rn_describe_configs_resource_t *res = &req->resources[i];
        rn_writer_i8(wr, res->resource_type);
        rn_wire_write_str(&e, res->resource_name);
        rn_wire_write_strs(&e, res->configuration_keys, res->n_configuration_keys, true);
    }
    return rn_wire_enc_finish(&e);
}

int rn_describe_configs_request_decode(const uint8_t *p, size_t len, int16_t version,
                                       rn_describe_configs_request_t *req) {
    memset(req, 0, sizeof *req);
    int rc = rn_api_check_version(RN_API_DESCRIBE_CONFIGS, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &req->arena);
    req->n_resources = rn_wire_read_count(&d, RESOURCE_MIN, false);
    req->resources = rn_wire_alloc(&d, req->n_resources, sizeof *req->resources);
    for (int32_t i = 0; i < req->n_resources; i++) {
        rn_describe_configs_resource_t *res = &req->resources[i];
        res->resource_type = rn_reader_i8(&d.rd);
        res->resource_name = rn_wire_read_str(&d);
        res->configuration_keys = rn_wire_read_strs(&d, &res->n_configuration_keys, true);
    }
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_describe_configs_request_deinit(req);
    return rc;
}

void rn_describe_configs_request_deinit(rn_describe_configs_request_t *req) {
    rn_arena_deinit(&req->arena);
    memset(req, 0, sizeof *req);
}

/* ---- DescribeConfigs response ------------------------------------------------- */

static void encode_result(rn_wire_enc_t *e, const rn_describe_configs_result_t *res) {
    rn_writer_i16(e->wr, res->error_code);
    rn_wire_write_nstr(e, res->error_message);
    rn_writer_i8(e->wr, res->resource_type);
    rn_wire_write_str(e, res->resource_name);
    rn_wire_write_count(e, res->n_configs, false);
    for (int32_t i = 0; i < res->n_configs; i++) {
        rn_wire_write_str(e, res->configs[i].name);
        rn_wire_write_nstr(e, res->configs[i].value);
        rn_wire_write_bool(e, res->configs[i].read_only);
        rn_wire_write_bool(e, res->configs[i].is_default);
    }
}

int rn_describe_configs_response_encode(rn_writer_t *wr, int16_t version,
                                        const rn_describe_configs_response_t *resp) {
    int rc = rn_api_check_version(RN_API_DESCRIBE_CONFIGS, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i16(wr, resp->error_code);
    rn_wire_write_count(&e, resp->n_results, false);
    for (int32_t i = 0; i < resp->n_results; i++)
        encode_result(&e, &resp->results[i]);
    return rn_wire_enc_finish(&e);
}

static void decode_result(rn_wire_dec_t *d, rn_describe_configs_result_t *res) {
    res->error_code = rn_reader_i16(&d->rd);
    res->error_message = rn_wire_read_nstr(d);
    res->resource_type = rn_reader_i8(&d->rd);
    res->resource_name = rn_wire_read_str(d);
    res->n_configs = rn_wire_read_count(d, ENTRY_MIN, false);
    res->configs = rn_wire_alloc(d, res->n_configs, sizeof *res->configs);
    for (int32_t i = 0; i < res->n_configs; i++) {
        res->configs[i].name = rn_wire_read_str(d);
        res->configs[i].value = rn_wire_read_nstr(d);
        res->configs[i].read_only = rn_wire_read_bool(d);
        res->configs[i].is_default = rn_wire_read_bool(d);
    }
}

int rn_describe_configs_response_decode(const uint8_t *p, size_t len, int16_t version,
                                        rn_describe_configs_response_t *resp) {
    memset(resp, 0, sizeof *resp);
    int rc = rn_api_check_version(RN_API_DESCRIBE_CONFIGS, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &resp->arena);
    resp->error_code = rn_reader_i16(&d.rd);
    resp->n_results = rn_wire_read_count(&d, RESULT_MIN, false);
    resp->results = rn_wire_alloc(&d, resp->n_results, sizeof *resp->results);
    for (int32_t i = 0; i < resp->n_results; i++)
        decode_result(&d, &resp->results[i]);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_describe_configs_response_deinit(resp);
    return rc;
}

void rn_describe_configs_response_deinit(rn_describe_configs_response_t *resp) {
    rn_arena_deinit(&resp->arena);
    memset(resp, 0, sizeof *resp);
}

/* ---- AlterConfigs request ----------------------------------------------------- */

int rn_alter_configs_request_encode(rn_writer_t *wr, int16_t version,
                                    const rn_alter_configs_request_t *req) {
    int rc = rn_api_check_version(RN_API_ALTER_CONFIGS, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_wire_write_count(&e, req->n_resources, false);
    for (int32_t i = 0; i < req->n_resources; i++) {
        const rn_alter_configs_resource_t *res = &req->resources[i];
        rn_writer_i8(wr, res->resource_type);
        rn_wire_write_str(&e, res->resource_name);
        rn_wire_write_count(&e, res->n_configs, false);
        for (int32_t j = 0; j < res->n_configs; j++) {
            rn_wire_write_str(&e, res->configs[j].name);
            rn_wire_write_nstr(&e, res->configs[j].value);
        }
    }
    rn_wire_write_bool(&e, req->validate_only);
    return rn_wire_enc_finish(&e);
}

static void decode_alter_resource(rn_wire_dec_t *d, rn_alter_configs_resource_t *res) {
    res->resource_type = rn_reader_i8(&d->rd);
    res->resource_name = rn_wire_read_str(d);
    res->n_configs = rn_wire_read_count(d, ALTERABLE_MIN, false);
    res->configs = rn_wire_alloc(d, res->n_configs, sizeof *res->configs);
    for (int32_t i = 0; i < res->n_configs; i++) {
        res->configs[i].name = rn_wire_read_str(d);
        res->configs[i].value = rn_wire_read_nstr(d);
    }
}

int rn_alter_configs_request_decode(const uint8_t *p, size_t len, int16_t version,
                                    rn_alter_configs_request_t *req) {
    memset(req, 0, sizeof *req);
    int rc = rn_api_check_version(RN_API_ALTER_CONFIGS, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &req->arena);
    req->n_resources = rn_wire_read_count(&d, RESOURCE_MIN, false);
    req->resources = rn_wire_alloc(&d, req->n_resources, sizeof *req->resources);
    for (int32_t i = 0; i < req->n_resources; i++)
        decode_alter_resource(&d, &req->resources[i]);
    req->validate_only = rn_wire_read_bool(&d);
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_alter_configs_request_deinit(req);
    return rc;
}

void rn_alter_configs_request_deinit(rn_alter_configs_request_t *req) {
    rn_arena_deinit(&req->arena);
    memset(req, 0, sizeof *req);
}

/* ---- AlterConfigs response ---------------------------------------------------- */

int rn_alter_configs_response_encode(rn_writer_t *wr, int16_t version,
                                     const rn_alter_configs_response_t *resp) {
    int rc = rn_api_check_version(RN_API_ALTER_CONFIGS, version);
    if (rc)
        return rc;
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, version);
    rn_writer_i16(wr, resp->error_code);
    rn_wire_write_count(&e, resp->n_responses, false);
    for (int32_t i = 0; i < resp->n_responses; i++) {
        const rn_alter_configs_resource_response_t *res = &resp->responses[i];
        rn_writer_i16(wr, res->error_code);
        rn_wire_write_nstr(&e, res->error_message);
        rn_writer_i8(wr, res->resource_type);
        rn_wire_write_str(&e, res->resource_name);
    }
    return rn_wire_enc_finish(&e);
}

int rn_alter_configs_response_decode(const uint8_t *p, size_t len, int16_t version,
                                     rn_alter_configs_response_t *resp) {
    memset(resp, 0, sizeof *resp);
    int rc = rn_api_check_version(RN_API_ALTER_CONFIGS, version);
    if (rc)
        return rc;
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, version, &resp->arena);
    resp->error_code = rn_reader_i16(&d.rd);
    resp->n_responses = rn_wire_read_count(&d, ALTER_RESULT_MIN, false);
    resp->responses = rn_wire_alloc(&d, resp->n_responses, sizeof *resp->responses);
    for (int32_t i = 0; i < resp->n_responses; i++) {
        rn_alter_configs_resource_response_t *res = &resp->responses[i];
        res->error_code = rn_reader_i16(&d.rd);
        res->error_message = rn_wire_read_nstr(&d);
        res->resource_type = rn_reader_i8(&d.rd);
        res->resource_name = rn_wire_read_str(&d);
    }
    rc = rn_wire_dec_finish(&d);
    if (rc)
        rn_alter_configs_response_deinit(resp);
    return rc;
}

void rn_alter_configs_response_deinit(rn_alter_configs_response_t *resp) {
    rn_arena_deinit(&resp->arena);
    memset(resp, 0, sizeof *resp);
}
