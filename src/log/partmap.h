/*
 * partmap.h — the partitions of a log directory by (topic, partition), and the
 * directory names that hold them.
 *
 *   <dir>/<topic>-<partition>     e.g. orders-0, click-stream.eu-west-12
 *
 * Topic names are 1..249 characters of [A-Za-z0-9._-]; since they may contain '-',
 * a directory name splits at its LAST '-'. The partition is a decimal int32 >= 0
 * written without a sign or leading zeros.
 *
 * The map is a chained hash table that grows with its contents; lookups are O(1) so
 * 10,000 partitions cost nothing per request. Loop thread only.
 */
#ifndef RN_LOG_PARTMAP_H
#define RN_LOG_PARTMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log/plog.h"

#define RN__TOPIC_MAX 249

typedef struct rn__part_s {
    struct rn__part_s *next;
    uint64_t hash;
    int32_t partition;
    rn_plog_t *plog;
    char topic[]; /* NUL-terminated */
} rn__part_t;

typedef struct rn__partmap_s {
    rn__part_t **buckets;
    size_t nbuckets, n;
} rn__partmap_t;

/* A legal topic name. */
bool rn__topic_valid(const char *topic);

/* Split "<topic>-<partition>" at the last '-' into topic (buf of RN__TOPIC_MAX + 1)
 * and partition. false when the name is not a partition directory name. */
bool rn__partdir_parse(const char *name, char *topic, int32_t *partition);

rn__part_t *rn__partmap_get(const rn__partmap_t *map, const char *topic, int32_t partition);

/* Insert (topic, partition) -> plog; the pair must not be present. */
rn__part_t *rn__partmap_put(rn__partmap_t *map, const char *topic, int32_t partition,
                            rn_plog_t *plog);

/* Unlink and return the entry (the caller rn_free's it), or NULL. */
rn__part_t *rn__partmap_remove(rn__partmap_t *map, const char *topic, int32_t partition);

/* Call fn on every entry; fn must not insert or remove. */
void rn__partmap_foreach(const rn__partmap_t *map, void (*fn)(rn__part_t *part, void *arg),
                         void *arg);

/* Free the entries (not their plogs) and the table. */
void rn__partmap_deinit(rn__partmap_t *map);

#endif
