/*
 * api_find_coordinator.h — FindCoordinator (key 10): which broker coordinates a
 * consumer group. Any broker answers; the coordinator of group G is the leader of
 * partition murmur2(G) mod offsets.topic.num.partitions of __consumer_offsets
 * (DESIGN.md §6).
 *
 *   FindCoordinator request v0               FindCoordinator response v0
 *   +--------------------------------+       +--------------------------------+
 *   | key              string        |       | error_code       int16         |
 *   | key_type         int8          |       | error_message    nstring       |
 *   +--------------------------------+       | node_id          int32         |
 *                                            | host             string        |
 *                                            | port             int32         |
 *                                            +--------------------------------+
 *
 * key is the group id; key_type 0 is a group (Kafka's 1, transactional ids, is not
 * used by runnel). Kafka's v0 request has only `group_id`; key / key_type are its v1
 * fields, and error_message its v1 response field (runnel's v0 is that subset, with
 * error_code first as every runnel response). node_id is -1, host empty and port -1
 * with an error (COORDINATOR_NOT_AVAILABLE while __consumer_offsets is being created
 * or its partition has no leader). Codecs follow api.h ("Codec functions").
 */
#ifndef RN_PROTO_API_FIND_COORDINATOR_H
#define RN_PROTO_API_FIND_COORDINATOR_H

#include "proto/wire.h"
#include "proto/wire_errors.h"

#define RN_COORDINATOR_KEY_GROUP 0 /* key_type: key is a consumer group id */

typedef struct rn_find_coordinator_request_s {
    rn_str_t key; /* the group id */
    int8_t key_type;
    rn_arena_t arena; /* decoded messages only */
} rn_find_coordinator_request_t;

typedef struct rn_find_coordinator_response_s {
    rn_wire_err_t error_code;
    rn_str_t error_message; /* nullable */
    int32_t node_id;        /* -1 with an error */
    rn_str_t host;
    int32_t port;
    rn_arena_t arena; /* decoded messages only */
} rn_find_coordinator_response_t;

int rn_find_coordinator_request_encode(rn_writer_t *wr, int16_t version,
                                       const rn_find_coordinator_request_t *req);
int rn_find_coordinator_request_decode(const uint8_t *p, size_t len, int16_t version,
                                       rn_find_coordinator_request_t *req);
void rn_find_coordinator_request_deinit(rn_find_coordinator_request_t *req);

int rn_find_coordinator_response_encode(rn_writer_t *wr, int16_t version,
                                        const rn_find_coordinator_response_t *resp);
int rn_find_coordinator_response_decode(const uint8_t *p, size_t len, int16_t version,
                                        rn_find_coordinator_response_t *resp);
void rn_find_coordinator_response_deinit(rn_find_coordinator_response_t *resp);

#endif
