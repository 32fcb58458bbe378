/*
 * api_metadata.h — Metadata (key 3): brokers, controller and topic/partition layout.
 * Layout and field meanings: api_metadata.c and docs/protocol.md. Codecs follow
 * api.h ("Codec functions").
 */
#ifndef RN_PROTO_API_METADATA_H
#define RN_PROTO_API_METADATA_H

#include "proto/wire.h"
#include "proto/wire_errors.h"

typedef struct rn_metadata_request_s {
    int32_t n_topics; /* -1: all topics */
    rn_str_t *topics; /* topic names */
    bool allow_auto_topic_creation;
    rn_arena_t arena; /* decoded messages only */
} rn_metadata_request_t;

typedef struct rn_metadata_broker_s {
    int32_t node_id;
    rn_str_t host;
    int32_t port;
    bool is_fenced; /* v1 only (v0 lists unfenced brokers only) */
} rn_metadata_broker_t;

typedef struct rn_metadata_partition_s {
    rn_wire_err_t error_code;
    int32_t partition_index;
    int32_t leader_id; /* -1: no leader */
    int32_t leader_epoch;
    int32_t n_replica_nodes;
    int32_t *replica_nodes;
    int32_t n_isr_nodes;
    int32_t *isr_nodes;
} rn_metadata_partition_t;

typedef struct rn_metadata_topic_s {
    rn_wire_err_t error_code;
    rn_str_t name;
    bool is_internal;
    int32_t n_partitions;
    rn_metadata_partition_t *partitions;
} rn_metadata_topic_t;

typedef struct rn_metadata_response_s {
    rn_wire_err_t error_code;
    int32_t n_brokers;
    rn_metadata_broker_t *brokers;
    rn_str_t cluster_id; /* nullable */
    int32_t controller_id;
    int32_t n_topics;
    rn_metadata_topic_t *topics;
    rn_arena_t arena; /* decoded messages only */
} rn_metadata_response_t;

int rn_metadata_request_encode(rn_writer_t *wr, int16_t version, const rn_metadata_request_t *req);
int rn_metadata_request_decode(const uint8_t *p, size_t len, int16_t version,
                               rn_metadata_request_t *req);
void rn_metadata_request_deinit(rn_metadata_request_t *req);

int rn_metadata_response_encode(rn_writer_t *wr, int16_t version,
                                const rn_metadata_response_t *resp);
int rn_metadata_response_decode(const uint8_t *p, size_t len, int16_t version,
                                rn_metadata_response_t *resp);
void rn_metadata_response_deinit(rn_metadata_response_t *resp);

#endif
