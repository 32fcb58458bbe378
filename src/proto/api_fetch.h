/*
 * api_fetch.h — Fetch (key 1): read record batches, for consumers (replica_id -1) and
 * follower replicas (replica_id = their broker id). Layout and field meanings:
 * api_fetch.c and docs/protocol.md. Codecs follow api.h ("Codec functions").
 */
#ifndef RN_PROTO_API_FETCH_H
#define RN_PROTO_API_FETCH_H

#include "proto/wire.h"
#include "proto/wire_errors.h"

#define RN_FETCH_CONSUMER_REPLICA_ID (-1)
#define RN_READ_UNCOMMITTED          0 /* isolation_level */
#define RN_READ_COMMITTED            1

typedef struct rn_fetch_partition_s {
    int32_t partition;
    int32_t current_leader_epoch; /* -1: not checked */
    int64_t fetch_offset;
    int32_t last_fetched_epoch; /* -1: none (followers send their last batch's epoch) */
    int64_t log_start_offset;   /* followers only; -1 for consumers */
    int32_t partition_max_bytes;
} rn_fetch_partition_t;

typedef struct rn_fetch_topic_s {
    rn_str_t topic;
    int32_t n_partitions;
    rn_fetch_partition_t *partitions;
} rn_fetch_topic_t;

typedef struct rn_fetch_request_s {
    int32_t replica_id; /* RN_FETCH_CONSUMER_REPLICA_ID, or a follower's broker id */
    int32_t max_wait_ms;
    int32_t min_bytes;
    int32_t max_bytes;
    int8_t isolation_level; /* RN_READ_UNCOMMITTED / RN_READ_COMMITTED */
    int32_t n_topics;
    rn_fetch_topic_t *topics;
    rn_arena_t arena; /* decoded messages only */
} rn_fetch_request_t;

/* The leader's end of the follower's last fetched epoch when their logs diverge;
 * epoch -1 and end_offset -1 when they do not. */
typedef struct rn_fetch_epoch_end_offset_s {
    int32_t epoch;
    int64_t end_offset;
} rn_fetch_epoch_end_offset_t;

typedef struct rn_fetch_partition_data_s {
    int32_t partition_index;
    rn_wire_err_t error_code;
    int64_t high_watermark;
    int64_t last_stable_offset;
    int64_t log_start_offset;
    rn_fetch_epoch_end_offset_t diverging_epoch;
    rn_bytes_t records; /* nullable: batches back to back (the last may be partial) */
} rn_fetch_partition_data_t;

typedef struct rn_fetch_topic_response_s {
    rn_str_t topic;
    int32_t n_partitions;
    rn_fetch_partition_data_t *partitions;
} rn_fetch_topic_response_t;

typedef struct rn_fetch_response_s {
    rn_wire_err_t error_code;
    int32_t throttle_time_ms;
    int32_t n_responses;
    rn_fetch_topic_response_t *responses;
    rn_arena_t arena; /* decoded messages only */
} rn_fetch_response_t;

int rn_fetch_request_encode(rn_writer_t *wr, int16_t version, const rn_fetch_request_t *req);
int rn_fetch_request_decode(const uint8_t *p, size_t len, int16_t version, rn_fetch_request_t *req);
void rn_fetch_request_deinit(rn_fetch_request_t *req);

int rn_fetch_response_encode(rn_writer_t *wr, int16_t version, const rn_fetch_response_t *resp);
int rn_fetch_response_decode(const uint8_t *p, size_t len, int16_t version,
                             rn_fetch_response_t *resp);
void rn_fetch_response_deinit(rn_fetch_response_t *resp);

#endif
