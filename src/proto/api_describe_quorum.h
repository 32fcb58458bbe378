/*
 * api_describe_quorum.h — DescribeQuorum (key 55): the metadata quorum's state as one
 * broker knows it (`runnel cluster status` prints it).
 *
 *   DescribeQuorum request v0          (empty body)
 *
 *   DescribeQuorum response v0
 *   +------------------------------------+
 *   | error_code         int16           |   NONE, BROKER_NOT_AVAILABLE (stopping)
 *   | leader_id          int32           |   the Raft leader (the controller), -1 unknown
 *   | leader_epoch       int32           |   the Raft term
 *   | high_watermark     int64           |   the last committed metadata log index
 *   | voters             array of:       |
 *   |   replica_id       int32           |
 *   |   log_end_offset   int64           |   last index known for it, -1 when unknown
 *   | observers          array of:       |   non-voting standbys; may be empty
 *   |   replica_id       int32           |
 *   |   log_end_offset   int64           |
 *   +------------------------------------+
 *
 * Any broker answers: the leader knows every member's log end, another broker knows
 * only its own (the others are -1) and reports the leader and term it has seen.
 * Kafka's v0 nests these fields under topics/partitions (of __cluster_metadata);
 * runnel has one metadata log, so the body is flat. Codecs follow api.h ("Codec
 * functions").
 */
#ifndef RN_PROTO_API_DESCRIBE_QUORUM_H
#define RN_PROTO_API_DESCRIBE_QUORUM_H

#include "proto/wire.h"
#include "proto/wire_errors.h"

typedef struct rn_describe_quorum_request_s {
    rn_arena_t arena; /* decoded messages only */
} rn_describe_quorum_request_t;

typedef struct rn_quorum_replica_state_s {
    int32_t replica_id;
    int64_t log_end_offset; /* -1 unknown */
} rn_quorum_replica_state_t;

typedef struct rn_describe_quorum_response_s {
    rn_wire_err_t error_code;
    int32_t leader_id;    /* -1 unknown */
    int32_t leader_epoch; /* Raft term */
    int64_t high_watermark;
    int32_t n_voters;
    rn_quorum_replica_state_t *voters;
    int32_t n_observers;
    rn_quorum_replica_state_t *observers;
    rn_arena_t arena; /* decoded messages only */
} rn_describe_quorum_response_t;

/* Codecs: the pattern of api.h ("Codec functions"). */
int rn_describe_quorum_request_encode(rn_writer_t *wr, int16_t version,
                                      const rn_describe_quorum_request_t *req);
int rn_describe_quorum_request_decode(const uint8_t *p, size_t len, int16_t version,
                                      rn_describe_quorum_request_t *req);
void rn_describe_quorum_request_deinit(rn_describe_quorum_request_t *req);

int rn_describe_quorum_response_encode(rn_writer_t *wr, int16_t version,
                                       const rn_describe_quorum_response_t *resp);
int rn_describe_quorum_response_decode(const uint8_t *p, size_t len, int16_t version,
                                       rn_describe_quorum_response_t *resp);
void rn_describe_quorum_response_deinit(rn_describe_quorum_response_t *resp);

#endif
