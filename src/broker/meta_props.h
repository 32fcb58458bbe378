/*
 * meta_props.h — <log.dirs[0]>/meta.properties: which broker and cluster a data
 * directory belongs to (DESIGN.md §3), in Kafka's format:
 *
 *   # written by runneld; do not edit
 *   version=0
 *   broker.id=1
 *   cluster.id=<32 hex digits>
 *
 * Written atomically (temporary file, fsync, rename) on the first start; a broker
 * started on a directory holding another broker.id refuses to start.
 */
#ifndef RN_BROKER_META_PROPS_H
#define RN_BROKER_META_PROPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rn_meta_props_s {
    int32_t version;
    int32_t broker_id;
    char cluster_id[64]; /* "" when absent */
} rn_meta_props_t;

/* Read <dir>/meta.properties. 0; -ENOENT when there is none; RN_ECONFIG when it is
 * unreadable as such (err says why). */
int rn_meta_props_read(const char *dir, rn_meta_props_t *out, char *err, size_t errlen);

/* Write it atomically. 0 or -errno. */
int rn_meta_props_write(const char *dir, const rn_meta_props_t *props);

#endif
