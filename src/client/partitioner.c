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

int32_t rn__sticky_partition(rn__sticky_t *st, int32_t count, const uint8_t *avail) {
    int has_current = st->current >= 0 && st->current < count;
    if (has_current && (avail == NULL || avail[st->current]))
        return st->current;
    /* Round-robin from the cursor to the first available partition. */
    int32_t start = (int32_t)(st->next % (uint32_t)count);
    int32_t pick = avail == NULL ? start : -1;
    for (int32_t i = 0; pick < 0 && i < count; i++)
        if (avail[(start + i) % count])
            pick = (start + i) % count;
    if (pick < 0) { /* none has a leader: stay (or start) where we are and wait there */
        if (has_current)
            return st->current;
        pick = start;
    }
    st->current = pick;
    st->next = (uint32_t)pick + 1;
    return st->current;
}

void rn__sticky_batch_done(rn__sticky_t *st, int32_t partition) {
    if (partition == st->current)
        st->current = -1; /* the next keyless record picks the next partition */
}

int32_t rn__partition_choose(const rn_conf_t *conf, rn__sticky_t *st, const char *topic,
                             const void *key, int32_t key_len, int32_t count,
                             const uint8_t *avail) {
    int keyed = key != NULL && key_len >= 0;
    switch (conf->partitioner) {
    case RN__PART_BROKER:
        return RN_PARTITION_ANY;
    case RN__PART_HASH:
        return rn_partition_hash(key, key_len, count);
    case RN__PART_STICKY:
        return rn__sticky_partition(st, count, avail);
    case RN__PART_USER: {
        int32_t p = conf->part_fn(conf->part_opaque, topic, keyed ? key : NULL,
                                  keyed ? key_len : -1, count);
        return p >= 0 && p < count ? p : RN_EINVALIDPARTITIONS;
    }
    case RN__PART_DEFAULT:
        break;
    }
    return keyed ? rn_partition_hash(key, key_len, count) : rn__sticky_partition(st, count, avail);
}
