/*
 * api_elect_leaders.h — ElectLeaders (key 43): ask the controller to elect leaders,
 * moving leadership back to the preferred replica (the first of the assignment) or,
 * unclean, to any live replica when no ISR member is left.
 *
 *   ElectLeaders request v0                  ElectLeaders response v0
 *   +------------------------------------+   +-------------------------------------+
 *   | election_type        int8          |   | error_code             int16        |
 *   | topic_partitions     nullable      |   | replica_election_results array of:  |
 *   |                      array of:     |   |   topic                string       |
 *   |   topic              string        |   |   partition_result     array of:    |
 *   |   partitions         array of int32|   |     partition_id       int32        |
 *   | timeout_ms           int32         |   |     error_code         int16        |
 *   +------------------------------------+   |     error_message      nstring      |
 *                                            +-------------------------------------+
 *
 * election_type: 0 preferred, 1 unclean (Kafka's v1 field, at Kafka's v1 position).
 * topic_partitions null = every partition. Per partition: NONE (the leader moved),
 * ELECTION_NOT_NEEDED (the preferred replica already leads), PREFERRED_LEADER_NOT_
 * AVAILABLE, ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION, ... Kafka's
 * v0 response starts with throttle_time_ms and has no top-level error_code (v1+);
 * runnel's starts with error_code, as every runnel response. Codecs follow api.h
 * ("Codec functions").
 */
#ifndef RN_PROTO_API_ELECT_LEADERS_H
#define RN_PROTO_API_ELECT_LEADERS_H

#include "proto/wire.h"
#include "proto/wire_errors.h"

#define RN_ELECTION_PREFERRED 0
#define RN_ELECTION_UNCLEAN   1

typedef struct rn_elect_leaders_topic_s {
    rn_str_t topic;
    int32_t n_partitions;
    int32_t *partitions;
} rn_elect_leaders_topic_t;

typedef struct rn_elect_leaders_request_s {
    int8_t election_type;
    int32_t n_topic_partitions; /* -1: null, every partition */
    rn_elect_leaders_topic_t *topic_partitions;
    int32_t timeout_ms;
    rn_arena_t arena; /* decoded messages only */
} rn_elect_leaders_request_t;

typedef struct rn_elect_leaders_part_result_s {
    int32_t partition_id;
    rn_wire_err_t error_code;
    rn_str_t error_message; /* nullable */
} rn_elect_leaders_part_result_t;

typedef struct rn_elect_leaders_result_s {
    rn_str_t topic;
    int32_t n_partition_result;
    rn_elect_leaders_part_result_t *partition_result;
} rn_elect_leaders_result_t;

typedef struct rn_elect_leaders_response_s {
    rn_wire_err_t error_code;
    int32_t n_replica_election_results;
    rn_elect_leaders_result_t *replica_election_results;
    rn_arena_t arena; /* decoded messages only */
} rn_elect_leaders_response_t;

int rn_elect_leaders_request_encode(rn_writer_t *wr, int16_t version,
                                    const rn_elect_leaders_request_t *req);
int rn_elect_leaders_request_decode(const uint8_t *p, size_t len, int16_t version,
                                    rn_elect_leaders_request_t *req);
void rn_elect_leaders_request_deinit(rn_elect_leaders_request_t *req);

int rn_elect_leaders_response_encode(rn_writer_t *wr, int16_t version,
                                     const rn_elect_leaders_response_t *resp);
int rn_elect_leaders_response_decode(const uint8_t *p, size_t len, int16_t version,
                                     rn_elect_leaders_response_t *resp);
void rn_elect_leaders_response_deinit(rn_elect_leaders_response_t *resp);

#endif
