/*
 * time_index.h — a segment's sparse time index (<base>.timeindex): from a timestamp to
 * the batch where the segment's maximum timestamp first reached it.
 *
 *   entry (12 bytes, big-endian):
 *   +-----------------------------+----------------------+
 *   | max timestamp so far    i64 | relative offset  u32 |
 *   +-----------------------------+----------------------+
 *     largest batch maxTimestamp    base offset of the batch that set it,
 *     in the segment up to here     minus the segment base offset
 *
 * An entry (T, R) says: the batch at R has max timestamp T and every earlier batch of
 * the segment has a smaller one. Entries are written only when the maximum grows
 * (at offset index points, and once more when the segment closes), so timestamps
 * strictly increase and relative offsets increase. The last entry of a closed segment
 * holds the segment's newest timestamp: retention reads it there.
 */
#ifndef RN_LOG_TIME_INDEX_H
#define RN_LOG_TIME_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RN__TINDEX_ENTRY 12

typedef struct rn__tentry_s {
    int64_t ts;   /* max timestamp of the segment up to and including this batch */
    uint32_t rel; /* batch base offset - segment base offset */
} rn__tentry_t;

typedef struct rn__tindex_s {
    int64_t count;
    rn__tentry_t last; /* valid when count > 0 */
} rn__tindex_t;

/* Learn count and last entry from the file. RN_ECORRUPT when its size is not a whole
 * number of entries; -errno. */
int rn__tindex_load(rn__tindex_t *idx, int fd);

/* Append (ts, rel) when the index is empty or ts is newer than the last entry; a no-op
 * otherwise. On failure the file is cut back. 0 or -errno. */
int rn__tindex_maybe_append(rn__tindex_t *idx, int fd, int64_t ts, uint32_t rel);

/* The last entry with timestamp <= ts; *found false when every entry is newer (or
 * there are none). 0, -errno or RN_ECORRUPT. */
int rn__tindex_lookup(const rn__tindex_t *idx, int fd, int64_t ts, rn__tentry_t *out, bool *found);

/* Drop every entry with rel >= `rel`. 0 or -errno. */
int rn__tindex_truncate(rn__tindex_t *idx, int fd, uint32_t rel);

/* Sanity check: timestamps strictly increasing, offsets non-decreasing and below
 * rel_limit. 0, RN_ECORRUPT or -errno. */
int rn__tindex_check(const rn__tindex_t *idx, int fd, int64_t rel_limit);

#endif
