/*
 * group_records.h — the records of __consumer_offsets (docs/groups.md "Records"):
 * Kafka's layouts, big-endian with Kafka's classic primitives (proto/wire.h).
 *
 *   offset commit  key   v1: version int16 | group string | topic string | partition int32
 *                  value v3: version int16 | offset int64 | leader_epoch int32
 *                            | metadata nstring | commit_timestamp int64
 *   group metadata key   v2: version int16 | group string
 *                  value v3: version int16 | protocol_type string | generation int32
 *                            | protocol nstring | leader nstring
 *                            | current_state_timestamp int64 | members array of:
 *                              member_id string | group_instance_id nstring
 *                              | client_id string | client_host string
 *                              | rebalance_timeout int32 | session_timeout int32
 *                              | subscription bytes | assignment bytes
 *   tombstone      the key with a null value: the offset or the group is deleted
 *
 * Decoded strings and bytes are views into the input, which must outlive them; the
 * members array comes from the caller's arena. Every decoder is bounds-checked and
 * must consume its whole input (the bytes are untrusted: fuzz_group_records.c).
 * Pure functions, any thread.
 */
#ifndef RN_GROUP_GROUP_RECORDS_H
#define RN_GROUP_GROUP_RECORDS_H

#include <stdint.h>

#include "proto/arena.h"
#include "proto/wire.h"

#define RN_GREC_OFFSET_KEY_V0   0 /* same layout as v1 */
#define RN_GREC_OFFSET_KEY_V1   1
#define RN_GREC_GROUP_KEY_V2    2
#define RN_GREC_OFFSET_VALUE_V3 3
#define RN_GREC_GROUP_VALUE_V3  3

typedef enum {
    RN_GREC_OFFSET = 1, /* an offset commit */
    RN_GREC_GROUP = 2,  /* group metadata */
} rn_grec_kind_t;

typedef struct rn_grec_key_s {
    rn_grec_kind_t kind;
    rn_str_t group;
    rn_str_t topic;    /* RN_GREC_OFFSET only */
    int32_t partition; /* RN_GREC_OFFSET only */
} rn_grec_key_t;

typedef struct rn_grec_offset_s {
    int64_t offset;       /* the next offset to consume */
    int32_t leader_epoch; /* -1 */
    rn_str_t metadata;    /* nullable */
    int64_t commit_timestamp;
} rn_grec_offset_t;

typedef struct rn_grec_member_s {
    rn_str_t member_id;
    rn_str_t group_instance_id; /* null (no static membership) */
    rn_str_t client_id;
    rn_str_t client_host;
    int32_t rebalance_timeout;
    int32_t session_timeout;
    rn_bytes_t subscription; /* its metadata for the chosen protocol */
    rn_bytes_t assignment;
} rn_grec_member_t;

typedef struct rn_grec_group_s {
    rn_str_t protocol_type; /* "" for a group that never had members */
    int32_t generation;
    rn_str_t protocol; /* nullable */
    rn_str_t leader;   /* nullable */
    int64_t current_state_timestamp;
    int32_t n_members;
    rn_grec_member_t *members;
} rn_grec_group_t;

/* Encoders append to wr. 0, or RN_ETOOLARGE / RN_EMALFORMED for a value the layout
 * cannot carry (a string over 32767 bytes, a null where a string is required);
 * wr is then left as it was. */
int rn_grec_offset_key_encode(rn_writer_t *wr, rn_str_t group, rn_str_t topic, int32_t partition);
int rn_grec_group_key_encode(rn_writer_t *wr, rn_str_t group);
int rn_grec_offset_value_encode(rn_writer_t *wr, const rn_grec_offset_t *v);
int rn_grec_group_value_encode(rn_writer_t *wr, const rn_grec_group_t *v);

/* A key. 0; RN_EBADVERSION for a version other than 0/1 (offset) or 2 (group);
 * RN_EMALFORMED for bytes that do not decode (or are left over). */
int rn_grec_key_decode(const uint8_t *p, size_t len, rn_grec_key_t *key);

/* An offset commit value (v3). 0, RN_EBADVERSION, RN_EMALFORMED. */
int rn_grec_offset_value_decode(const uint8_t *p, size_t len, rn_grec_offset_t *v);

/* A group metadata value (v3); the members array comes from arena. 0,
 * RN_EBADVERSION, RN_EMALFORMED. */
int rn_grec_group_value_decode(const uint8_t *p, size_t len, rn_arena_t *arena, rn_grec_group_t *v);

#endif
