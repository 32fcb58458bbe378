/*
 * route.c — partition choice for produce requests without a partition (route.h).
 *
 * Kafka agreement: a keyed record goes to rn_murmur2_positive(key) % partitions,
 * exactly Kafka's default partitioner (tests/unit/broker/test_route.c checks every row
 * of ../shared/vectors/murmur2-partitions.tsv). The sticky choice is the broker's own:
 * deterministic round-robin over batches, so load spreads evenly over the partitions
 * and tests can predict it.
 */
#include "broker/route.h"

#include <string.h>

#include "common/errors.h"
#include "common/murmur2.h"
#include "proto/batch.h"

int rn_partitioner_parse(const char *s, rn_partitioner_t *out) {
    if (s == NULL || strcmp(s, "default") == 0)
        *out = RN_PARTITIONER_DEFAULT;
    else if (strcmp(s, "sticky") == 0)
        *out = RN_PARTITIONER_STICKY;
    else if (strcmp(s, "hash") == 0)
        *out = RN_PARTITIONER_HASH;
    else
        return RN_ECONFIG;
    return 0;
}

int rn_route_batch_key(const uint8_t *p, size_t len, rn_route_key_t *key) {
    rn_batch_iter_t it;
    rn_record_t rec;
    key->has_key = false;
    key->hash = 0;
    int rc = rn_batch_iter_init(&it, p, len);
    if (rc != 0)
        return rc;
    rc = rn_batch_iter_next(&it, &rec);
    if (rc == 1) {
        rc = 0;
        if (rec.key_len >= 0) {
            key->has_key = true;
            key->hash = rn_murmur2_positive(rec.key, (size_t)rec.key_len);
        }
    } else if (rc == 0) {
        rc = RN_EBADCOUNT; /* no record at all */
    }
    rn_batch_iter_deinit(&it);
    return rc;
}

static int32_t sticky_now(const rn_route_sticky_t *st, int32_t partitions) {
    return st->partition >= 0 ? st->partition % partitions : 0;
}

int32_t rn_route_choose(rn_partitioner_t kind, const rn_route_sticky_t *st, int32_t partitions,
                        const rn_route_key_t *key) {
    if (partitions <= 0)
        return -1;
    if (kind != RN_PARTITIONER_STICKY && key->has_key)
        return key->hash % partitions;
    return sticky_now(st, partitions);
}

void rn_route_appended(rn_route_sticky_t *st, int32_t partition, int32_t partitions) {
    if (partitions <= 0)
        return;
    if (partition == sticky_now(st, partitions))
        st->partition = (partition + 1) % partitions;
}
