/*
 * vip_partitioner.c — a custom partitioner for librunnel (DESIGN.md §7).
 *
 * Records whose key starts with "vip:" go to 8 of every 10 partitions (0..7 of 10),
 * everything else to the remaining 2 (8 and 9): VIP traffic gets most of the
 * consumers' capacity. Within each group the key's murmur2 hash picks the partition,
 * so one key always lands in the same partition and keeps its order. Keyless
 * records count as ordinary.
 *
 * For a topic with a partition count other than 10 the same split is scaled: the
 * first 80% of the partitions (at least 1) for VIPs, the rest for the others (or all
 * of them when there is only one).
 *
 *   usage: vip_partitioner [-b HOST:PORT] TOPIC [COUNT]
 *
 * produces COUNT records (default 20) with keys alternating between "vip:N" and
 * "user:N" and prints where each landed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runnel/runnel.h"

/* The partitioner: runs on the producer's background thread; keep it pure. */
static int32_t vip_partition(void *opaque, const char *topic, const void *key, int32_t key_len,
                             int32_t partition_count) {
    (void)opaque;
    (void)topic;
    int32_t vip_parts = partition_count * 8 / 10;
    if (vip_parts < 1)
        vip_parts = 1;
    int32_t other_parts = partition_count - vip_parts;
    int vip = key != NULL && key_len >= 4 && memcmp(key, "vip:", 4) == 0;
    if (vip || other_parts == 0)
        return key != NULL ? rn_partition_hash(key, key_len, vip_parts) : 0;
    if (key == NULL)
        return vip_parts; /* keyless: the first ordinary partition */
    return vip_parts + rn_partition_hash(key, key_len, other_parts);
}

static void on_delivery(void *opaque, int err, const char *topic, int32_t partition, int64_t offset,
                        void *msg_opaque) {
    (void)opaque;
    const char *key = msg_opaque;
    if (err != 0)
        fprintf(stderr, "%s: %s: %s\n", topic, key, rn_err_str(err));
    else
        printf("%-10s -> partition %d offset %lld\n", key, partition, (long long)offset);
}

int main(int argc, char **argv) {
    const char *bootstrap = "127.0.0.1:9092";
    int i = 1;
    if (argc > 2 && strcmp(argv[1], "-b") == 0) {
        bootstrap = argv[2];
        i = 3;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: %s [-b HOST:PORT] TOPIC [COUNT]\n", argv[0]);
        return 2;
    }
    const char *topic = argv[i];
    int count = i + 1 < argc ? atoi(argv[i + 1]) : 20;

    char err[256];
    rn_conf_t *conf = rn_conf_new();
    if (rn_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err) != 0 ||
        rn_conf_set(conf, "acks", "all", err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        rn_conf_free(conf);
        return 2;
    }
    rn_conf_set_partitioner(conf, vip_partition, NULL);
    rn_producer_t *p = rn_producer_new(conf, on_delivery, NULL, err, sizeof err);
    if (p == NULL) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    char(*keys)[32] = calloc((size_t)count > 0 ? (size_t)count : 1, sizeof *keys);
    for (int n = 0; n < count; n++) {
        snprintf(keys[n], sizeof keys[n], "%s:%d", n % 2 == 0 ? "vip" : "user", n / 2);
        char value[64];
        int vl = snprintf(value, sizeof value, "record %d", n);
        int rc = rn_producer_send(p, topic, RN_PARTITION_ANY, keys[n], (int32_t)strlen(keys[n]),
                                  value, vl, NULL, 0, 0, keys[n]);
        if (rc != 0)
            fprintf(stderr, "send %s: %s\n", keys[n], rn_err_str(rc));
    }
    int rc = rn_producer_flush(p, 30000);
    rn_producer_free(p);
    free(keys);
    return rc == 0 ? 0 : 1;
}
