/*
 * api_list_offsets.h — ListOffsets (key 2): a partition's earliest or latest offset,
 * or the first offset at or after a timestamp. Layout and field meanings:
 * api_list_offsets.c and docs/protocol.md. Codecs follow api.h ("Codec functions").
 */
#ifndef RN_PROTO_API_LIST_OFFSETS_H
#define RN_PROTO_API_LIST_OFFSETS_H

#include "proto/wire.h"
#include "proto/wire_errors.h"

#define RN_LIST_OFFSETS_LATEST   (-1) /* timestamp: the end (high watermark for consumers) */
#define RN_LIST_OFFSETS_EARLIEST (-2) /* timestamp: the log start offset */
#define RN_LIST_OFFSETS_DEBUG_ID (-2) /* replica_id: like a replica, LATEST = log end offset */

typedef struct rn_list_offsets_partition_s {
    int32_t partition_index;
    int32_t current_leader_epoch; /* -1: not checked */
    int64_t timestamp;            /* LATEST, EARLIEST, or ms since the epoch */
} rn_list_offsets_partition_t;

typedef struct rn_list_offsets_topic_s {
    rn_str_t name;
    int32_t n_partitions;
    rn_list_offsets_partition_t *partitions;
} rn_list_offsets_topic_t;

typedef struct rn_list_offsets_request_s {
    int32_t replica_id;     /* -1 consumer, -2 debug, else a broker id */
    int8_t isolation_level; /* 0 read_uncommitted, 1 read_committed */
    int32_t n_topics;
    rn_list_offsets_topic_t *topics;
    rn_arena_t arena; /* decoded messages only */
} rn_list_offsets_request_t;

typedef struct rn_list_offsets_partition_response_s {
    int32_t partition_index;
    rn_wire_err_t error_code;
    int64_t timestamp; /* of the record found; -1 for EARLIEST / LATEST */
    int64_t offset;    /* -1 when no record is at or after the timestamp */
    int32_t leader_epoch;
} rn_list_offsets_partition_response_t;

typedef struct rn_list_offsets_topic_response_s {
    rn_str_t name;
    int32_t n_partitions;
    rn_list_offsets_partition_response_t *partitions;
} rn_list_offsets_topic_response_t;

typedef struct rn_list_offsets_response_s {
    rn_wire_err_t error_code;
    int32_t n_topics;
    rn_list_offsets_topic_response_t *topics;
    rn_arena_t arena; /* decoded messages only */
} rn_list_offsets_response_t;

int rn_list_offsets_request_encode(rn_writer_t *wr, int16_t version,
                                   const rn_list_offsets_request_t *req);
int rn_list_offsets_request_decode(const uint8_t *p, size_t len, int16_t version,
                                   rn_list_offsets_request_t *req);
void rn_list_offsets_request_deinit(rn_list_offsets_request_t *req);

int rn_list_offsets_response_encode(rn_writer_t *wr, int16_t version,
                                    const rn_list_offsets_response_t *resp);
int rn_list_offsets_response_decode(const uint8_t *p, size_t len, int16_t version,
                                    rn_list_offsets_response_t *resp);
void rn_list_offsets_response_deinit(rn_list_offsets_response_t *resp);

#endif
