/*
 * partitioner.h — where the producer puts a record (DESIGN.md §7).
 *
 *   default  keyed: hash; keyless: sticky
 *   sticky   one partition per topic until that partition's batch is closed (full or
 *            lingered) or the partition loses its leader, then the next one
 *            round-robin among the partitions that have a leader (all of them when
 *            none has: the records wait for one, as Kafka's producer does)
 *   hash     murmur2(key) & 0x7fffffff mod count (rn_partition_hash, = Kafka's)
 *   broker   RN_PARTITION_ANY on the wire; the broker routes with the topic's config
 *   user     rn_conf_set_partitioner's function
 *
 * Availability. `avail` (count entries, NULL: all available) says which partitions
 * have a leader now. Only the sticky choice of keyless records looks at it: keyed
 * records hash over every partition, offline or not, so a key's partition never
 * moves while a broker is down (its records wait, or fail at delivery.timeout.ms).
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

/* The sticky partition for a topic of `count` partitions: the current one while it
 * is available, else one chosen now among the available ones (avail as above). */
int32_t rn__sticky_partition(rn__sticky_t *st, int32_t count, const uint8_t *avail);

/* The batch of `partition` was closed: if it was the sticky one, move on. */
void rn__sticky_batch_done(rn__sticky_t *st, int32_t partition);

/*
 * The partition for a record under conf's partitioner (count > 0), or
 * RN_PARTITION_ANY for the broker partitioner, or RN_EINVALIDPARTITIONS when a user
 * function answered outside [0, count). avail (NULL: all) steers only the sticky
 * choice; hash and user partitioners ignore it.
 */
int32_t rn__partition_choose(const rn_conf_t *conf, rn__sticky_t *st, const char *topic,
                             const void *key, int32_t key_len, int32_t count, const uint8_t *avail);

#endif
