/*
 * partitioner.h — where the producer puts a record (DESIGN.md §7).
 *
 *   default  keyed: hash; keyless: sticky
 *   sticky   one partition per topic until that partition's batch is closed (full or
 *            lingered), then the next one round-robin
 *   hash     murmur2(key) & 0x7fffffff mod count (rn_partition_hash, = Kafka's)
 *   broker   RN_PARTITION_ANY on the wire; the broker routes with the topic's config
 *   user     rn_conf_set_partitioner's function
 *
 * The sticky state lives with each topic of the producer and is touched only on the
 * producer's loop thread (no locks). The same functions serve the broker's routing.
 */
#ifndef RN_CLIENT_PARTITIONER_H
#define RN_CLIENT_PARTITIONER_H

#include <stdint.h>

#include "client/conf.h"

typedef struct rn__sticky_s {
    int32_t current; /* the partition keyless records go to; -1: none chosen yet */
    uint32_t next;   /* round-robin cursor for the next choice */
} rn__sticky_t;

/* A fresh state; seed spreads the first choice of different producers/topics. */
void rn__sticky_init(rn__sticky_t *st, uint32_t seed);

/* The sticky partition for a topic of `count` partitions (chosen now if none). */
int32_t rn__sticky_partition(rn__sticky_t *st, int32_t count);

/* The batch of `partition` was closed: if it was the sticky one, move on. */
void rn__sticky_batch_done(rn__sticky_t *st, int32_t partition);

/*
 * The partition for a record under conf's partitioner (count > 0), or
 * RN_PARTITION_ANY for the broker partitioner, or RN_EINVALIDPARTITIONS when a user
 * function answered outside [0, count).
 */
int32_t rn__partition_choose(const rn_conf_t *conf, rn__sticky_t *st, const char *topic,
                             const void *key, int32_t key_len, int32_t count);

#endif
