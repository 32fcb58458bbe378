/*
 * route.h — the broker's partition choice for a Produce whose partition is -1
 * (DESIGN.md §7): the topic's `partitioner` config picks one of
 *
 *   hash     rn_murmur2_positive(key) % partitions — where Kafka's default
 *            partitioner puts a keyed record; a keyless record falls back to sticky
 *   sticky   one partition per topic until a batch has been appended there, then the
 *            next one, round-robin
 *   default  hash for a keyed record, sticky for a keyless one
 *
 * The key is the first record's key of the (first) batch; a null key (length -1) is
 * keyless. An empty key (length 0) is a key, as in Kafka.
 *
 * Invariant: the sticky partition is taken modulo the partition count whenever it is
 * used (a negative value counts as 0), so a topic whose partition count changed never
 * routes out of range. Pure logic, no I/O; the loop thread owns each state.
 */
#ifndef RN_BROKER_ROUTE_H
#define RN_BROKER_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum rn_partitioner_e {
    RN_PARTITIONER_DEFAULT = 0,
    RN_PARTITIONER_STICKY = 1,
    RN_PARTITIONER_HASH = 2,
} rn_partitioner_t;

/* "default", "sticky", "hash" (NULL: default). 0, or RN_ECONFIG for anything else. */
int rn_partitioner_parse(const char *s, rn_partitioner_t *out);

/* Per-topic sticky state; embed it; zero-initialised is valid (starts at 0). */
typedef struct rn_route_sticky_s {
    int32_t partition; /* the partition keyless batches go to now */
} rn_route_sticky_t;

/* The routing key of a batch: has_key false for a null key. */
typedef struct rn_route_key_s {
    bool has_key;
    int32_t hash; /* rn_murmur2_positive of the key, when has_key */
} rn_route_key_t;

/*
 * The routing key of the first record of the batch at p[0..len) (len may extend past
 * the batch). The CRC is checked and gzip batches are inflated to read it
 * (rn_batch_iter_init). Returns 0, or the rn_batch_iter_* error for a batch that does
 * not decode (key->has_key false then).
 */
int rn_route_batch_key(const uint8_t *p, size_t len, rn_route_key_t *key);

/* The partition for a batch with routing key `key` on a topic with `partitions`
 * partitions; -1 when partitions <= 0. Does not move the sticky state: call
 * rn_route_appended once the batch has been appended. */
int32_t rn_route_choose(rn_partitioner_t kind, const rn_route_sticky_t *st, int32_t partitions,
                        const rn_route_key_t *key);

/* A batch was appended to `partition` of a topic with `partitions` partitions: when
 * that is the sticky partition, the state moves on to the next one. */
void rn_route_appended(rn_route_sticky_t *st, int32_t partition, int32_t partitions);

#endif
