/*
 * meta_testutil.h — builders for metadata records shared by the meta unit tests
 * (header-only; each test includes cmocka first).
 */
#ifndef RN_META_TESTUTIL_H
#define RN_META_TESTUTIL_H

#include <string.h>

#include "common/alloc.h"
#include "meta/records.h"

static inline void mt_id(uint8_t id[RN_META_ID_LEN], uint8_t seed) {
    for (int i = 0; i < RN_META_ID_LEN; i++)
        id[i] = (uint8_t)(seed + i * 7);
}

static inline rn_meta_record_t mt_register(int32_t id, const char *host, uint16_t port,
                                           bool fenced) {
    rn_meta_record_t rec = {.type = RN_MREC_REGISTER_BROKER};
    rec.register_broker.broker_id = id;
    rec.register_broker.host = rn_strdup(host);
    rec.register_broker.port = port;
    rec.register_broker.fenced = fenced;
    return rec;
}

static inline rn_meta_record_t mt_fence(int32_t id, bool fence) {
    rn_meta_record_t rec = {.type = fence ? RN_MREC_FENCE_BROKER : RN_MREC_UNFENCE_BROKER};
    rec.fence.broker_id = id;
    return rec;
}

/* A topic of np partitions, partition p replicated on brokers 1..rf shifted by p,
 * led by the first replica at epoch 0, all in the ISR; one config override. */
static inline rn_meta_record_t mt_create(const char *name, uint8_t seed, int32_t np, int32_t rf) {
    rn_meta_record_t rec = {.type = RN_MREC_CREATE_TOPIC};
    rec.create_topic.name = rn_strdup(name);
    mt_id(rec.create_topic.topic_id, seed);
    rec.create_topic.npartitions = np;
    rec.create_topic.partitions = rn_calloc((size_t)np + 1, sizeof(rn_meta_partition_t));
    for (int32_t p = 0; p < np; p++) {
        rn_meta_partition_t *part = &rec.create_topic.partitions[p];
        part->nreplicas = part->nisr = rf;
        part->replicas = rn_malloc((size_t)rf * sizeof(int32_t));
        part->isr = rn_malloc((size_t)rf * sizeof(int32_t));
        for (int32_t j = 0; j < rf; j++)
            part->replicas[j] = part->isr[j] = 1 + (p + j) % rf;
        part->leader = part->replicas[0];
        part->leader_epoch = 0;
    }
    rec.create_topic.nconfigs = 1;
    rec.create_topic.configs = rn_calloc(2, sizeof(rn_meta_kv_t));
    rec.create_topic.configs[0].key = rn_strdup("retention.ms");
    rec.create_topic.configs[0].value = rn_strdup("1000");
    return rec;
}

/* Grow topic name (id seed) by n partitions starting at first, placed as mt_create
 * would place partitions first.. (replicas 1..rf shifted by the index). */
static inline rn_meta_record_t mt_grow(const char *name, uint8_t seed, int32_t first, int32_t n,
                                       int32_t rf) {
    rn_meta_record_t rec = {.type = RN_MREC_CREATE_PARTITIONS};
    rec.create_partitions.name = rn_strdup(name);
    mt_id(rec.create_partitions.topic_id, seed);
    rec.create_partitions.first = first;
    rec.create_partitions.npartitions = n;
    rec.create_partitions.partitions = rn_calloc((size_t)n + 1, sizeof(rn_meta_partition_t));
    for (int32_t i = 0; i < n; i++) {
        rn_meta_partition_t *part = &rec.create_partitions.partitions[i];
        part->nreplicas = rf;
        part->nisr = 1;
        part->replicas = rn_malloc((size_t)rf * sizeof(int32_t));
        part->isr = rn_malloc(sizeof(int32_t));
        for (int32_t j = 0; j < rf; j++)
            part->replicas[j] = 1 + (first + i + j) % rf;
        part->leader = part->isr[0] = part->replicas[0];
        part->leader_epoch = 0;
    }
    return rec;
}

static inline rn_meta_record_t mt_delete(const char *name, uint8_t seed) {
    rn_meta_record_t rec = {.type = RN_MREC_DELETE_TOPIC};
    rec.delete_topic.name = rn_strdup(name);
    mt_id(rec.delete_topic.topic_id, seed);
    return rec;
}

static inline rn_meta_record_t mt_change(const char *name, uint8_t seed, int32_t partition,
                                         int32_t leader, int32_t epoch, const int32_t *isr,
                                         int32_t nisr) {
    rn_meta_record_t rec = {.type = RN_MREC_PARTITION_CHANGE};
    rec.partition_change.name = rn_strdup(name);
    mt_id(rec.partition_change.topic_id, seed);
    rec.partition_change.partition = partition;
    rec.partition_change.leader = leader;
    rec.partition_change.leader_epoch = epoch;
    rec.partition_change.nisr = nisr;
    if (nisr > 0) {
        rec.partition_change.isr = rn_malloc((size_t)nisr * sizeof(int32_t));
        memcpy(rec.partition_change.isr, isr, (size_t)nisr * sizeof(int32_t));
    }
    return rec;
}

static inline rn_meta_record_t mt_config(const char *name, const char *key, const char *value) {
    rn_meta_record_t rec = {.type = RN_MREC_SET_TOPIC_CONFIG};
    rec.set_config.name = rn_strdup(name);
    rec.set_config.key = rn_strdup(key);
    rec.set_config.value = value ? rn_strdup(value) : NULL;
    return rec;
}

static inline rn_meta_record_t mt_cluster(uint8_t seed) {
    rn_meta_record_t rec = {.type = RN_MREC_SET_CLUSTER_ID};
    mt_id(rec.cluster_id.id, seed);
    return rec;
}

/* Apply rec to img, free rec, return apply's result. */
static inline int mt_apply(rn_meta_image_t *img, rn_meta_record_t rec) {
    int rc = rn_meta_image_apply(img, &rec);
    rn_meta_record_deinit(&rec);
    return rc;
}

#endif
