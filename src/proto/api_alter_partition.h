/*
 * api_alter_partition.h — AlterPartition (key 56): a partition leader asks the
 * controller to change the partition's ISR (expand a caught-up follower, shrink a
 * lagging one). Brokers' internal API.
 *
 *   AlterPartition request v0                AlterPartition response v0
 *   +----------------------------------+     +----------------------------------+
 *   | broker_id        int32           |     | error_code       int16           |
 *   | topics           array of:       |     | topics           array of:       |
 *   |   name           string          |     |   name           string          |
 *   |   partitions     array of:       |     |   partitions     array of:       |
 *   |     index        int32           |     |     index        int32           |
 *   |     leader_epoch int32           |     |     error_code   int16           |
 *   |     new_isr      array of int32  |     |     leader_id    int32           |
 *   +----------------------------------+     |     leader_epoch int32           |
 *                                            |     isr          array of int32  |
 *                                            +----------------------------------+
 *
 * broker_id is the leader asking; leader_epoch the epoch it leads in. The response
 * gives, per partition, the state the controller committed (or, on error, the state
 * it has). Unlike Kafka's, there is no broker epoch and no partition epoch (see
 * docs/metadata.md, "ISR changes"). Codecs follow api.h ("Codec functions").
 */
#ifndef RN_PROTO_API_ALTER_PARTITION_H
#define RN_PROTO_API_ALTER_PARTITION_H

#include "proto/wire.h"
#include "proto/wire_errors.h"

typedef struct rn_alter_partition_part_s {
    int32_t index;
    int32_t leader_epoch;
    int32_t n_new_isr;
    int32_t *new_isr;
} rn_alter_partition_part_t;

typedef struct rn_alter_partition_topic_s {
    rn_str_t name;
    int32_t n_partitions;
    rn_alter_partition_part_t *partitions;
} rn_alter_partition_topic_t;

typedef struct rn_alter_partition_request_s {
    int32_t broker_id;
    int32_t n_topics;
    rn_alter_partition_topic_t *topics;
    rn_arena_t arena; /* decoded messages only */
} rn_alter_partition_request_t;

typedef struct rn_alter_partition_part_result_s {
    int32_t index;
    rn_wire_err_t error_code;
    int32_t leader_id;
    int32_t leader_epoch;
    int32_t n_isr;
    int32_t *isr;
} rn_alter_partition_part_result_t;

typedef struct rn_alter_partition_topic_result_s {
    rn_str_t name;
    int32_t n_partitions;
    rn_alter_partition_part_result_t *partitions;
} rn_alter_partition_topic_result_t;

typedef struct rn_alter_partition_response_s {
    rn_wire_err_t error_code;
    int32_t n_topics;
    rn_alter_partition_topic_result_t *topics;
    rn_arena_t arena; /* decoded messages only */
} rn_alter_partition_response_t;

/* Codecs: the pattern of api.h ("Codec functions"). */
int rn_alter_partition_request_encode(rn_writer_t *wr, int16_t version,
                                      const rn_alter_partition_request_t *req);
int rn_alter_partition_request_decode(const uint8_t *p, size_t len, int16_t version,
                                      rn_alter_partition_request_t *req);
void rn_alter_partition_request_deinit(rn_alter_partition_request_t *req);

int rn_alter_partition_response_encode(rn_writer_t *wr, int16_t version,
                                       const rn_alter_partition_response_t *resp);
int rn_alter_partition_response_decode(const uint8_t *p, size_t len, int16_t version,
                                       rn_alter_partition_response_t *resp);
void rn_alter_partition_response_deinit(rn_alter_partition_response_t *resp);

#endif
