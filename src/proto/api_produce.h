/*
 * api_produce.h — Produce (key 0): append record batches to partitions. Layout and
 * field meanings: api_produce.c and docs/protocol.md. Codecs follow api.h ("Codec
 * functions"); `records` are views into the request buffer, not validated here (the
 * broker runs rn_batch_validate on each batch).
 */
#ifndef RN_PROTO_API_PRODUCE_H
#define RN_PROTO_API_PRODUCE_H

#include "proto/wire.h"
#include "proto/wire_errors.h"

#define RN_PRODUCE_ANY_PARTITION (-1) /* index: let the broker choose (DESIGN.md §7) */

typedef struct rn_produce_partition_data_s {
    int32_t index;      /* partition, or RN_PRODUCE_ANY_PARTITION */
    rn_bytes_t records; /* nullable: RecordBatch v2 batches back to back */
} rn_produce_partition_data_t;

typedef struct rn_produce_topic_data_s {
    rn_str_t name;
    int32_t n_partition_data;
    rn_produce_partition_data_t *partition_data;
} rn_produce_topic_data_t;

typedef struct rn_produce_request_s {
    rn_str_t transactional_id; /* nullable; always null for now */
    int16_t acks;              /* 0, 1, or -1 (all) */
    int32_t timeout_ms;
    int32_t n_topic_data;
    rn_produce_topic_data_t *topic_data;
    rn_arena_t arena; /* decoded messages only */
} rn_produce_request_t;

typedef struct rn_produce_partition_response_s {
    int32_t index; /* the partition written (the one chosen, for a request with -1) */
    rn_wire_err_t error_code;
    int64_t base_offset;        /* offset of the first record appended; -1 on error */
    int64_t log_append_time_ms; /* -1 unless the topic uses LogAppendTime */
    int64_t log_start_offset;
    rn_str_t error_message; /* nullable */
} rn_produce_partition_response_t;

typedef struct rn_produce_topic_response_s {
    rn_str_t name;
    int32_t n_partition_responses;
    rn_produce_partition_response_t *partition_responses;
} rn_produce_topic_response_t;

typedef struct rn_produce_response_s {
    rn_wire_err_t error_code;
    int32_t n_responses;
    rn_produce_topic_response_t *responses;
    int32_t throttle_time_ms;
    rn_arena_t arena; /* decoded messages only */
} rn_produce_response_t;

int rn_produce_request_encode(rn_writer_t *wr, int16_t version, const rn_produce_request_t *req);
int rn_produce_request_decode(const uint8_t *p, size_t len, int16_t version,
                              rn_produce_request_t *req);
void rn_produce_request_deinit(rn_produce_request_t *req);

int rn_produce_response_encode(rn_writer_t *wr, int16_t version, const rn_produce_response_t *resp);
int rn_produce_response_decode(const uint8_t *p, size_t len, int16_t version,
                               rn_produce_response_t *resp);
void rn_produce_response_deinit(rn_produce_response_t *resp);

#endif
