/*
 * murmur2.h — the 32-bit MurmurHash2 variant Kafka uses to place keys.
 *
 * Kafka's default partitioner (Java client, and librdkafka's "murmur2" partitioner)
 * sends a keyed record to rn_murmur2_positive(key) % partition_count; runnel's `hash`
 * partitioner and the consumer-group coordinator lookup use the same function so
 * keys land where a Kafka client would put them. Seed 0x9747b28c, little-endian
 * 4-byte blocks, as Kafka's Utils.murmur2.
 */
#ifndef RN_COMMON_MURMUR2_H
#define RN_COMMON_MURMUR2_H

#include <stddef.h>
#include <stdint.h>

/* The raw hash (Kafka's Utils.murmur2 as an unsigned value). key may be NULL if
 * len is 0. */
uint32_t rn_murmur2(const void *key, size_t len);

/* rn_murmur2(key) & 0x7fffffff, Kafka's Utils.toPositive. */
static inline int32_t rn_murmur2_positive(const void *key, size_t len) {
    return (int32_t)(rn_murmur2(key, len) & 0x7fffffff);
}

#endif
