/*
 * api_offsets.h — committed offsets: OffsetCommit (key 8) and OffsetFetch (key 9),
 * sent to the group's coordinator (FindCoordinator). Committed offsets are records in
 * __consumer_offsets, so they survive a coordinator failover (DESIGN.md §6).
 *
 *   OffsetCommit request v0                  OffsetCommit response v0
 *   +------------------------------------+   +------------------------------------+
 *   | group_id              string       |   | error_code           int16         |
 *   | generation_id         int32        |   | topics               array of:     |
 *   | member_id             string       |   |   name               string        |
 *   | topics                array of:    |   |   partitions         array of:     |
 *   |   name                string       |   |     partition_index  int32         |
 *   |   partitions          array of:    |   |     error_code       int16         |
 *   |     partition_index   int32        |   +------------------------------------+
 *   |     committed_offset  int64        |
 *   |     committed_metadata nstring     |
 *   +------------------------------------+
 *
 *   OffsetFetch request v0                   OffsetFetch response v0
 *   +------------------------------------+   +------------------------------------+
 *   | group_id              string       |   | error_code           int16         |
 *   | topics                nullable     |   | topics               array of:     |
 *   |                       array of:    |   |   name               string        |
 *   |   name                string       |   |   partitions         array of:     |
 *   |   partition_indexes   array of     |   |     partition_index  int32         |
 *   |                       int32        |   |     committed_offset int64         |
 *   +------------------------------------+   |     metadata         nstring       |
 *                                            |     error_code       int16         |
 *                                            +------------------------------------+
 *
 * OffsetCommit: generation_id -1 (with member_id "") is a simple commit from outside
 * any group membership (a manual assignment, `group reset-offsets`); otherwise the
 * coordinator checks the member and generation (ILLEGAL_GENERATION,
 * UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS). Kafka's v0 has no generation_id /
 * member_id (they are its v1 fields).
 *
 * OffsetFetch: topics null = every partition the group has an offset for (Kafka v2+).
 * committed_offset is -1 (and metadata null) when nothing is committed. Kafka's v2+
 * response carries a top-level error_code last; runnel's is first, as every runnel
 * response. Codecs follow api.h ("Codec functions").
 */
#ifndef RN_PROTO_API_OFFSETS_H
#define RN_PROTO_API_OFFSETS_H

#include "proto/wire.h"
#include "proto/wire_errors.h"

/* ---- OffsetCommit ------------------------------------------------------------------- */

typedef struct rn_offset_commit_part_s {
    int32_t partition_index;
    int64_t committed_offset;    /* the next offset the group will consume */
    rn_str_t committed_metadata; /* nullable; free text kept with the offset */
} rn_offset_commit_part_t;

typedef struct rn_offset_commit_topic_s {
    rn_str_t name;
    int32_t n_partitions;
    rn_offset_commit_part_t *partitions;
} rn_offset_commit_topic_t;

typedef struct rn_offset_commit_request_s {
    rn_str_t group_id;
    int32_t generation_id; /* -1: a simple commit outside group membership */
    rn_str_t member_id;
    int32_t n_topics;
    rn_offset_commit_topic_t *topics;
    rn_arena_t arena; /* decoded messages only */
} rn_offset_commit_request_t;

typedef struct rn_offset_commit_part_result_s {
    int32_t partition_index;
    rn_wire_err_t error_code;
} rn_offset_commit_part_result_t;

typedef struct rn_offset_commit_topic_result_s {
    rn_str_t name;
    int32_t n_partitions;
    rn_offset_commit_part_result_t *partitions;
} rn_offset_commit_topic_result_t;

typedef struct rn_offset_commit_response_s {
    rn_wire_err_t error_code;
    int32_t n_topics;
    rn_offset_commit_topic_result_t *topics; /* same order as the request */
    rn_arena_t arena;                        /* decoded messages only */
} rn_offset_commit_response_t;

int rn_offset_commit_request_encode(rn_writer_t *wr, int16_t version,
                                    const rn_offset_commit_request_t *req);
int rn_offset_commit_request_decode(const uint8_t *p, size_t len, int16_t version,
                                    rn_offset_commit_request_t *req);
void rn_offset_commit_request_deinit(rn_offset_commit_request_t *req);

int rn_offset_commit_response_encode(rn_writer_t *wr, int16_t version,
                                     const rn_offset_commit_response_t *resp);
int rn_offset_commit_response_decode(const uint8_t *p, size_t len, int16_t version,
                                     rn_offset_commit_response_t *resp);
void rn_offset_commit_response_deinit(rn_offset_commit_response_t *resp);

/* ---- OffsetFetch -------------------------------------------------------------------- */

typedef struct rn_offset_fetch_topic_s {
    rn_str_t name;
    int32_t n_partition_indexes;
    int32_t *partition_indexes;
} rn_offset_fetch_topic_t;

typedef struct rn_offset_fetch_request_s {
    rn_str_t group_id;
    int32_t n_topics; /* -1: null, every committed partition of the group */
    rn_offset_fetch_topic_t *topics;
    rn_arena_t arena; /* decoded messages only */
} rn_offset_fetch_request_t;

typedef struct rn_offset_fetch_part_s {
    int32_t partition_index;
    int64_t committed_offset; /* -1: nothing committed */
    rn_str_t metadata;        /* nullable */
    rn_wire_err_t error_code;
} rn_offset_fetch_part_t;

typedef struct rn_offset_fetch_topic_result_s {
    rn_str_t name;
    int32_t n_partitions;
    rn_offset_fetch_part_t *partitions;
} rn_offset_fetch_topic_result_t;

typedef struct rn_offset_fetch_response_s {
    rn_wire_err_t error_code;
    int32_t n_topics;
    rn_offset_fetch_topic_result_t *topics;
    rn_arena_t arena; /* decoded messages only */
} rn_offset_fetch_response_t;

int rn_offset_fetch_request_encode(rn_writer_t *wr, int16_t version,
                                   const rn_offset_fetch_request_t *req);
int rn_offset_fetch_request_decode(const uint8_t *p, size_t len, int16_t version,
                                   rn_offset_fetch_request_t *req);
void rn_offset_fetch_request_deinit(rn_offset_fetch_request_t *req);

int rn_offset_fetch_response_encode(rn_writer_t *wr, int16_t version,
                                    const rn_offset_fetch_response_t *resp);
int rn_offset_fetch_response_decode(const uint8_t *p, size_t len, int16_t version,
                                    rn_offset_fetch_response_t *resp);
void rn_offset_fetch_response_deinit(rn_offset_fetch_response_t *resp);

#endif
