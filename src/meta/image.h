/*
 * image.h — the metadata image: what every broker knows about the cluster, rebuilt by
 * applying the committed metadata records (records.h) in log order.
 *
 *   image ── cluster id (16 bytes, set once)
 *         ── brokers[]  sorted by id:   id, host, port, fenced
 *         ── topics[]   sorted by name: name, topic id, configs[] (sorted by key),
 *                                       partitions[0..n): replicas[], leader,
 *                                       leader_epoch, isr[]
 *
 * Invariants: topic names are unique and topics[] stays sorted by name (binary search,
 * so thousands of topics cost O(log n) per lookup and O(n) pointer moves per create);
 * broker ids are unique and brokers[] stays sorted by id; config keys are unique per
 * topic and sorted. A partition's leader is -1 (offline) or one of its replicas.
 *
 * The image is pure data. rn_meta_image_apply is deterministic: the same records in the
 * same order give the same image on every broker. A record that cannot apply (create an
 * existing topic, change an unknown partition, ...) leaves the image unchanged and
 * returns an error; the caller (the quorum's FSM) logs it and moves on, so every
 * broker skips the same committed record identically.
 *
 * One owner; not thread-safe. Everything returned by the lookups is borrowed from the
 * image and valid until the next apply or free.
 */
#ifndef RN_META_IMAGE_H
#define RN_META_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RN_META_ID_LEN         16  /* topic ids and the cluster id: 16 random bytes */
#define RN_META_TOPIC_NAME_MAX 249 /* Kafka's limit */

typedef struct rn_meta_kv_s {
    char *key;   /* owned, NUL-terminated */
    char *value; /* owned, NUL-terminated; NULL only in a "remove" request */
} rn_meta_kv_t;

typedef struct rn_meta_partition_s {
    int32_t *replicas; /* owned; nreplicas broker ids, the preferred leader first */
    int32_t nreplicas;
    int32_t *isr; /* owned; nisr broker ids, each one a replica */
    int32_t nisr;
    int32_t leader; /* broker id, or -1 when offline */
    int32_t leader_epoch;
} rn_meta_partition_t;

typedef struct rn_meta_topic_s {
    char *name; /* owned */
    uint8_t id[RN_META_ID_LEN];
    rn_meta_partition_t *partitions; /* owned; npartitions entries */
    int32_t npartitions;
    rn_meta_kv_t *configs; /* owned; overrides only, sorted by key */
    int32_t nconfigs;
} rn_meta_topic_t;

typedef struct rn_meta_broker_s {
    int32_t id;
    char *host; /* owned */
    uint16_t port;
    bool fenced;
} rn_meta_broker_t;

typedef struct rn_meta_image_s {
    bool has_cluster_id;
    uint8_t cluster_id[RN_META_ID_LEN];
    rn_meta_broker_t *brokers; /* sorted by id */
    size_t nbrokers;
    size_t brokers_cap;
    rn_meta_topic_t **topics; /* sorted by name */
    size_t ntopics;
    size_t topics_cap;
} rn_meta_image_t;

struct rn_meta_record_s;

/* An empty image. Cannot fail (allocation aborts). Free with rn_meta_image_free. */
rn_meta_image_t *rn_meta_image_new(void);

/* Free the image and everything in it. NULL is a no-op. */
void rn_meta_image_free(rn_meta_image_t *img);

/* A deep copy, sharing nothing with img. */
rn_meta_image_t *rn_meta_image_copy(const rn_meta_image_t *img);

/* True when a and b hold the same data (for tests and snapshot checks). */
bool rn_meta_image_equal(const rn_meta_image_t *a, const rn_meta_image_t *b);

/* Apply one decoded record. 0, or (image unchanged):
 *   RN_ETOPICEXISTS     CreateTopic of an existing name
 *   RN_EUNKNOWNTOPIC    the named topic does not exist, or has another topic id
 *   RN_EINVALIDPARTITIONS  PartitionChange of a partition the topic does not have;
 *                       CreatePartitions that adds none or does not start at the
 *                       topic's current count
 *   RN_EUNKNOWNBROKER   Fence/Unfence of an unregistered broker
 *   RN_EMALFORMED       the record's content is inconsistent (a leader that is not a
 *                       replica, an ISR member that is not a replica, duplicates,
 *                       an epoch going backwards, a second cluster id, ...)
 *   RN_EBADVERSION      an unknown record type */
int rn_meta_image_apply(rn_meta_image_t *img, const struct rn_meta_record_s *rec);

/* Lookups: borrowed pointers, NULL when absent. */
const rn_meta_topic_t *rn_meta_image_topic(const rn_meta_image_t *img, const char *name);
const rn_meta_topic_t *rn_meta_image_topic_by_id(const rn_meta_image_t *img,
                                                 const uint8_t id[RN_META_ID_LEN]);
const rn_meta_broker_t *rn_meta_image_broker(const rn_meta_image_t *img, int32_t id);

/* A topic's override for key, or NULL when the topic does not set it. */
const char *rn_meta_topic_config(const rn_meta_topic_t *topic, const char *key);

/* Registered brokers that are not fenced. */
size_t rn_meta_image_live_brokers(const rn_meta_image_t *img);

/* Helpers for the record and image code: deep-copy or free one partition / kv. */
void rn_meta_partition_copy(rn_meta_partition_t *dst, const rn_meta_partition_t *src);
void rn_meta_partition_deinit(rn_meta_partition_t *part);
void rn_meta_kv_deinit(rn_meta_kv_t *kv);

#endif
