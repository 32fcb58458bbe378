/*
 * api_topics.h — CreateTopics (key 19) and DeleteTopics (key 20). Layouts and field
 * meanings: api_topics.c and docs/protocol.md. Codecs follow api.h ("Codec
 * functions").
 */
#ifndef RN_PROTO_API_TOPICS_H
#define RN_PROTO_API_TOPICS_H

#include "proto/wire.h"
#include "proto/wire_errors.h"

/* ---- CreateTopics --------------------------------------------------------------- */

typedef struct rn_creatable_topic_config_s {
    rn_str_t name;
    rn_str_t value; /* nullable */
} rn_creatable_topic_config_t;

typedef struct rn_creatable_topic_s {
    rn_str_t name;
    int32_t num_partitions;     /* -1: the broker's num.partitions */
    int16_t replication_factor; /* -1: the broker's default.replication.factor */
    int32_t n_configs;
    rn_creatable_topic_config_t *configs;
} rn_creatable_topic_t;

typedef struct rn_create_topics_request_s {
    int32_t n_topics;
    rn_creatable_topic_t *topics;
    int32_t timeout_ms;
    bool validate_only;
    rn_arena_t arena; /* decoded messages only */
} rn_create_topics_request_t;

typedef struct rn_creatable_topic_result_s {
    rn_str_t name;
    rn_wire_err_t error_code;
    rn_str_t error_message; /* nullable */
} rn_creatable_topic_result_t;

typedef struct rn_create_topics_response_s {
    rn_wire_err_t error_code;
    int32_t n_topics;
    rn_creatable_topic_result_t *topics;
    rn_arena_t arena; /* decoded messages only */
} rn_create_topics_response_t;

int rn_create_topics_request_encode(rn_writer_t *wr, int16_t version,
                                    const rn_create_topics_request_t *req);
int rn_create_topics_request_decode(const uint8_t *p, size_t len, int16_t version,
                                    rn_create_topics_request_t *req);
void rn_create_topics_request_deinit(rn_create_topics_request_t *req);

int rn_create_topics_response_encode(rn_writer_t *wr, int16_t version,
                                     const rn_create_topics_response_t *resp);
int rn_create_topics_response_decode(const uint8_t *p, size_t len, int16_t version,
                                     rn_create_topics_response_t *resp);
void rn_create_topics_response_deinit(rn_create_topics_response_t *resp);

/* ---- DeleteTopics --------------------------------------------------------------- */

typedef struct rn_delete_topics_request_s {
    int32_t n_topic_names;
    rn_str_t *topic_names;
    int32_t timeout_ms;
    rn_arena_t arena; /* decoded messages only */
} rn_delete_topics_request_t;

typedef struct rn_deletable_topic_result_s {
    rn_str_t name;
    rn_wire_err_t error_code;
    rn_str_t error_message; /* nullable */
} rn_deletable_topic_result_t;

typedef struct rn_delete_topics_response_s {
    rn_wire_err_t error_code;
    int32_t n_responses;
    rn_deletable_topic_result_t *responses;
    rn_arena_t arena; /* decoded messages only */
} rn_delete_topics_response_t;

int rn_delete_topics_request_encode(rn_writer_t *wr, int16_t version,
                                    const rn_delete_topics_request_t *req);
int rn_delete_topics_request_decode(const uint8_t *p, size_t len, int16_t version,
                                    rn_delete_topics_request_t *req);
void rn_delete_topics_request_deinit(rn_delete_topics_request_t *req);

int rn_delete_topics_response_encode(rn_writer_t *wr, int16_t version,
                                     const rn_delete_topics_response_t *resp);
int rn_delete_topics_response_decode(const uint8_t *p, size_t len, int16_t version,
                                     rn_delete_topics_response_t *resp);
void rn_delete_topics_response_deinit(rn_delete_topics_response_t *resp);

#endif
