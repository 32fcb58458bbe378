/*
 * consumer_protocol.h — the bytes a consumer puts inside the group protocol: Kafka's
 * ConsumerProtocolSubscription (JoinGroup protocols[].metadata, one per assignor) and
 * ConsumerProtocolAssignment (SyncGroup assignments[].assignment, and the assignment
 * bytes a member gets back). The coordinator never looks inside them; the client
 * library writes and reads them, and `group describe` decodes members' assignments.
 *
 *   ConsumerProtocolSubscription v0        ConsumerProtocolAssignment v0
 *   +----------------------------------+   +----------------------------------+
 *   | version      int16 (0)           |   | version      int16 (0)           |
 *   | topics       array of string     |   | assigned_partitions array of:    |
 *   | user_data    nullable bytes      |   |   topic      string              |
 *   +----------------------------------+   |   partitions array of int32      |
 *                                          | user_data    nullable bytes      |
 *                                          +----------------------------------+
 *
 *   e.g. a subscription to "a" and "b" without user data:
 *     00 00 | 00 00 00 02 | 00 01 61 | 00 01 62 | ff ff ff ff
 *
 * Versions, as Kafka's ConsumerProtocol: later versions only append fields, so a
 * reader takes the v0 fields of any version >= 0 and ignores what follows them when
 * the version is above 0 (a v0 body must end exactly after user_data); a negative
 * version is malformed. The encoders always write version 0.
 *
 * The same conventions as the API codecs (api.h, "Codec functions"): decode views into
 * p (which must outlive the message), arrays come from the message's arena, returns 0
 * or RN_EMALFORMED (left deinit'ed); encode returns 0 or RN_EMALFORMED / RN_ETOOLARGE
 * (writing nothing). Pure functions; any thread.
 */
#ifndef RN_PROTO_CONSUMER_PROTOCOL_H
#define RN_PROTO_CONSUMER_PROTOCOL_H

#include "proto/wire.h"

#define RN_CONSUMER_PROTOCOL_TYPE    "consumer" /* JoinGroup protocol_type */
#define RN_CONSUMER_PROTOCOL_VERSION 0          /* the version the encoders write */

typedef struct rn_consumer_subscription_s {
    int16_t version; /* decoded: as sent; ignored by the encoder */
    int32_t n_topics;
    rn_str_t *topics;
    rn_bytes_t user_data; /* nullable */
    rn_arena_t arena;     /* decoded messages only */
} rn_consumer_subscription_t;

typedef struct rn_consumer_assignment_topic_s {
    rn_str_t topic;
    int32_t n_partitions;
    int32_t *partitions;
} rn_consumer_assignment_topic_t;

typedef struct rn_consumer_assignment_s {
    int16_t version; /* decoded: as sent; ignored by the encoder */
    int32_t n_assigned_partitions;
    rn_consumer_assignment_topic_t *assigned_partitions;
    rn_bytes_t user_data; /* nullable */
    rn_arena_t arena;     /* decoded messages only */
} rn_consumer_assignment_t;

int rn_consumer_subscription_encode(rn_writer_t *wr, const rn_consumer_subscription_t *s);
int rn_consumer_subscription_decode(const uint8_t *p, size_t len, rn_consumer_subscription_t *s);
void rn_consumer_subscription_deinit(rn_consumer_subscription_t *s);

int rn_consumer_assignment_encode(rn_writer_t *wr, const rn_consumer_assignment_t *a);
int rn_consumer_assignment_decode(const uint8_t *p, size_t len, rn_consumer_assignment_t *a);
void rn_consumer_assignment_deinit(rn_consumer_assignment_t *a);

#endif
