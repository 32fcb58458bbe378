/*
 * api_versions.h — ApiVersions (key 18): which API keys and versions the broker speaks.
 *
 *   ApiVersions request v0          (empty body)
 *
 *   ApiVersions response v0
 *   +--------------------------------+
 *   | error_code      int16          |   NONE, or UNSUPPORTED_VERSION (see below)
 *   | api_keys        array of:      |
 *   |   api_key       int16          |
 *   |   min_version   int16          |
 *   |   max_version   int16          |
 *   +--------------------------------+
 *
 * ApiVersions v0 is answerable by every broker, whatever the request's version: a
 * request with an api key or version the broker does not speak is answered with this
 * body (error_code UNSUPPORTED_VERSION) under the request's correlation id. Because
 * every runnel response body begins with its int16 error_code, a client can read
 * UNSUPPORTED_VERSION from any response before decoding the rest.
 */
#ifndef RN_PROTO_API_VERSIONS_H
#define RN_PROTO_API_VERSIONS_H

#include "proto/wire.h"
#include "proto/wire_errors.h"

typedef struct rn_api_versions_request_s {
    rn_arena_t arena; /* decoded messages only */
} rn_api_versions_request_t;

typedef struct rn_api_version_range_s {
    int16_t api_key;
    int16_t min_version;
    int16_t max_version;
} rn_api_version_range_t;

typedef struct rn_api_versions_response_s {
    rn_wire_err_t error_code;
    int32_t n_api_keys;
    rn_api_version_range_t *api_keys;
    rn_arena_t arena; /* decoded messages only */
} rn_api_versions_response_t;

/* Codecs: the pattern of api.h ("Codec functions"). */
int rn_api_versions_request_encode(rn_writer_t *wr, int16_t version,
                                   const rn_api_versions_request_t *req);
int rn_api_versions_request_decode(const uint8_t *p, size_t len, int16_t version,
                                   rn_api_versions_request_t *req);
void rn_api_versions_request_deinit(rn_api_versions_request_t *req);

int rn_api_versions_response_encode(rn_writer_t *wr, int16_t version,
                                    const rn_api_versions_response_t *resp);
int rn_api_versions_response_decode(const uint8_t *p, size_t len, int16_t version,
                                    rn_api_versions_response_t *resp);
void rn_api_versions_response_deinit(rn_api_versions_response_t *resp);

#endif
