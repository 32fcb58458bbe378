/*
 * partitioner.c — the built-in partitioners and the dispatch to a user's one
 * (partitioner.h). Pure functions over a per-topic sticky state: no clock, no
 * locks, so the unit tests drive them directly.
 */
#include "client/partitioner.h"

#include "common/errors.h"
#include "common/murmur2.h"

RN_API int32_t rn_partition_hash(const void *key, int32_t key_len, int32_t partition_count) {
    if (partition_count <= 0)
        return 0;
    if (key == NULL || key_len < 0)
        return 0;
    return rn_murmur2_positive(key, (size_t)key_len) % partition_count;
}

void rn__sticky_init(rn__sticky_t *st, uint32_t seed) {
    st->current = -1;
    st->next = seed;
}

int32_t rn__sticky_partition(rn__sticky_t *st, int32_t count) {
    if (st->current < 0 || st->current >= count) {
        st->current = (int32_t)(st->next % (uint32_t)count);
        st->next = (uint32_t)st->current + 1;
    }
    return st->current;
}

void rn__sticky_batch_done(rn__sticky_t *st, int32_t partition) {
    if (partition == st->current)
        st->current = -1; /* the next keyless record picks the next partition */
}

int32_t rn__partition_choose(const rn_conf_t *conf, rn__sticky_t *st, const char *topic,
                             const void *key, int32_t key_len, int32_t count) {
    int keyed = key != NULL && key_len >= 0;
    switch (conf->partitioner) {
    case RN__PART_BROKER:
        return RN_PARTITION_ANY;
    case RN__PART_HASH:
        return rn_partition_hash(key, key_len, count);
    case RN__PART_STICKY:
        return rn__sticky_partition(st, count);
    case RN__PART_USER: {
        int32_t p = conf->part_fn(conf->part_opaque, topic, keyed ? key : NULL,
                                  keyed ? key_len : -1, count);
        return p >= 0 && p < count ? p : RN_EINVALIDPARTITIONS;
    }
    case RN__PART_DEFAULT:
        break;
    }
    return keyed ? rn_partition_hash(key, key_len, count) : rn__sticky_partition(st, count);
}
