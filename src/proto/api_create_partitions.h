/*
 * api_create_partitions.h — CreatePartitions (key 37): grow topics to a new total
 * partition count (`runnel topic alter --partitions N`).
 *
 *   CreatePartitions request v0              CreatePartitions response v0
 *   +--------------------------------+       +--------------------------------+
 *   | topics           array of:     |       | error_code       int16         |
 *   |   name           string        |       | results          array of:     |
 *   |   count          int32         |       |   name           string        |
 *   |   assignments    nullable      |       |   error_code     int16         |
 *   |                  array of:     |       |   error_message  nstring       |
 *   |     broker_ids   array of int32|       +--------------------------------+
 *   | timeout_ms       int32         |
 *   | validate_only    boolean       |
 *   +--------------------------------+
 *
 * count is the new total, not the number added. assignments, when not null, names the
 * replicas of each new partition (Kafka's manual placement); runnel assigns replicas
 * itself and refuses a non-null one (INVALID_REPLICA_ASSIGNMENT) — the codec still
 * carries it, so that a Kafka client's request decodes. Kafka's v0 response starts
 * with throttle_time_ms; runnel's starts with the top-level error_code, as every
 * runnel response does. Codecs follow api.h ("Codec functions").
 */
#ifndef RN_PROTO_API_CREATE_PARTITIONS_H
#define RN_PROTO_API_CREATE_PARTITIONS_H

#include "proto/wire.h"
#include "proto/wire_errors.h"

typedef struct rn_create_partitions_assignment_s {
    int32_t n_broker_ids;
    int32_t *broker_ids;
} rn_create_partitions_assignment_t;

typedef struct rn_create_partitions_topic_s {
    rn_str_t name;
    int32_t count;         /* the new total */
    int32_t n_assignments; /* -1: null (runnel assigns) */
    rn_create_partitions_assignment_t *assignments;
} rn_create_partitions_topic_t;

typedef struct rn_create_partitions_request_s {
    int32_t n_topics;
    rn_create_partitions_topic_t *topics;
    int32_t timeout_ms;
    bool validate_only;
    rn_arena_t arena; /* decoded messages only */
} rn_create_partitions_request_t;

typedef struct rn_create_partitions_result_s {
    rn_str_t name;
    rn_wire_err_t error_code;
    rn_str_t error_message; /* nullable */
} rn_create_partitions_result_t;

typedef struct rn_create_partitions_response_s {
    rn_wire_err_t error_code;
    int32_t n_results;
    rn_create_partitions_result_t *results;
    rn_arena_t arena; /* decoded messages only */
} rn_create_partitions_response_t;

/* Codecs: the pattern of api.h ("Codec functions"). */
int rn_create_partitions_request_encode(rn_writer_t *wr, int16_t version,
                                        const rn_create_partitions_request_t *req);
int rn_create_partitions_request_decode(const uint8_t *p, size_t len, int16_t version,
                                        rn_create_partitions_request_t *req);
void rn_create_partitions_request_deinit(rn_create_partitions_request_t *req);

int rn_create_partitions_response_encode(rn_writer_t *wr, int16_t version,
                                         const rn_create_partitions_response_t *resp);
int rn_create_partitions_response_decode(const uint8_t *p, size_t len, int16_t version,
                                         rn_create_partitions_response_t *resp);
void rn_create_partitions_response_deinit(rn_create_partitions_response_t *resp);

#endif
