/*
 * api_configs.h — DescribeConfigs (key 32) and AlterConfigs (key 33): read and change
 * topic and broker configuration. Layouts and field meanings: api_configs.c and
 * docs/protocol.md. Codecs follow api.h ("Codec functions").
 *
 * Unlike Kafka's AlterConfigs (which replaces a resource's whole set of overrides),
 * runnel's AlterConfigs is incremental: each named config is set, or, with a null
 * value, its override is removed; configs not named are left alone.
 */
#ifndef RN_PROTO_API_CONFIGS_H
#define RN_PROTO_API_CONFIGS_H

#include "proto/wire.h"
#include "proto/wire_errors.h"

#define RN_RESOURCE_TOPIC  2 /* resource_type; resource_name is the topic */
#define RN_RESOURCE_BROKER 4 /* resource_name is the broker id in decimal */

/* ---- DescribeConfigs ------------------------------------------------------------ */

typedef struct rn_describe_configs_resource_s {
    int8_t resource_type;
    rn_str_t resource_name;
    int32_t n_configuration_keys; /* -1: all configs */
    rn_str_t *configuration_keys;
} rn_describe_configs_resource_t;

typedef struct rn_describe_configs_request_s {
    int32_t n_resources;
    rn_describe_configs_resource_t *resources;
    rn_arena_t arena; /* decoded messages only */
} rn_describe_configs_request_t;

typedef struct rn_describe_configs_entry_s {
    rn_str_t name;
    rn_str_t value; /* nullable */
    bool read_only;
    bool is_default;
} rn_describe_configs_entry_t;

typedef struct rn_describe_configs_result_s {
    rn_wire_err_t error_code;
    rn_str_t error_message; /* nullable */
    int8_t resource_type;
    rn_str_t resource_name;
    int32_t n_configs;
    rn_describe_configs_entry_t *configs;
} rn_describe_configs_result_t;

typedef struct rn_describe_configs_response_s {
    rn_wire_err_t error_code;
    int32_t n_results;
    rn_describe_configs_result_t *results;
    rn_arena_t arena; /* decoded messages only */
} rn_describe_configs_response_t;

int rn_describe_configs_request_encode(rn_writer_t *wr, int16_t version,
                                       const rn_describe_configs_request_t *req);
int rn_describe_configs_request_decode(const uint8_t *p, size_t len, int16_t version,
                                       rn_describe_configs_request_t *req);
void rn_describe_configs_request_deinit(rn_describe_configs_request_t *req);

int rn_describe_configs_response_encode(rn_writer_t *wr, int16_t version,
                                        const rn_describe_configs_response_t *resp);
int rn_describe_configs_response_decode(const uint8_t *p, size_t len, int16_t version,
                                        rn_describe_configs_response_t *resp);
void rn_describe_configs_response_deinit(rn_describe_configs_response_t *resp);

/* ---- AlterConfigs --------------------------------------------------------------- */

typedef struct rn_alterable_config_s {
    rn_str_t name;
    rn_str_t value; /* null: remove the override (back to the default) */
} rn_alterable_config_t;

typedef struct rn_alter_configs_resource_s {
    int8_t resource_type;
    rn_str_t resource_name;
    int32_t n_configs;
    rn_alterable_config_t *configs;
} rn_alter_configs_resource_t;

typedef struct rn_alter_configs_request_s {
    int32_t n_resources;
    rn_alter_configs_resource_t *resources;
    bool validate_only;
    rn_arena_t arena; /* decoded messages only */
} rn_alter_configs_request_t;

typedef struct rn_alter_configs_resource_response_s {
    rn_wire_err_t error_code;
    rn_str_t error_message; /* nullable */
    int8_t resource_type;
    rn_str_t resource_name;
} rn_alter_configs_resource_response_t;

typedef struct rn_alter_configs_response_s {
    rn_wire_err_t error_code;
    int32_t n_responses;
    rn_alter_configs_resource_response_t *responses;
    rn_arena_t arena; /* decoded messages only */
} rn_alter_configs_response_t;

int rn_alter_configs_request_encode(rn_writer_t *wr, int16_t version,
                                    const rn_alter_configs_request_t *req);
int rn_alter_configs_request_decode(const uint8_t *p, size_t len, int16_t version,
                                    rn_alter_configs_request_t *req);
void rn_alter_configs_request_deinit(rn_alter_configs_request_t *req);

int rn_alter_configs_response_encode(rn_writer_t *wr, int16_t version,
                                     const rn_alter_configs_response_t *resp);
int rn_alter_configs_response_decode(const uint8_t *p, size_t len, int16_t version,
                                     rn_alter_configs_response_t *resp);
void rn_alter_configs_response_deinit(rn_alter_configs_response_t *resp);

#endif
