/*
 * segment_recover.h — re-read a segment's batches and rebuild its indexes from them.
 *
 * Used by recovery after an unclean shutdown (verify every batch past the recovery
 * point), by open when an index file is missing or fails its sanity check, and by the
 * read path when an index entry does not match the batch it points at. The walk
 * starts at the last offset index entry at or before `from_offset` (keeping the index
 * entries before it, which are below the recovery point) or at the segment start, and
 * stops at the first batch that is not whole, well-formed, CRC-clean (in
 * RN__SCAN_CHECK mode) and contiguous with the one before.
 */
#ifndef RN_LOG_SEGMENT_RECOVER_H
#define RN_LOG_SEGMENT_RECOVER_H

#include <stdint.h>

#include "log/logscan.h"
#include "log/segment.h"

typedef struct rn__recover_s {
    int64_t start_pos;   /* where the walk began */
    int64_t end_pos;     /* position after the last good batch */
    int64_t next_offset; /* offset after the last good batch */
    int64_t file_size;   /* .log size found on disk */
    const char *why;     /* NULL, or what is wrong with the bytes at end_pos */
} rn__recover_t;

/*
 * Walk the segment's .log from the index entry at or before from_offset to the end of
 * the file, rewriting both indexes past that point (and the closing time index entry
 * of a closed segment). Sets the segment's index state and max_ts; leaves size,
 * next_offset and the .log file alone — when res->why is set the caller cuts the file
 * at res->end_pos (rn__segment_truncate). Returns 0 or -errno.
 */
int rn__segment_recover(rn__segment_t *seg, rn__scan_mode_t mode, int64_t from_offset,
                        int32_t index_interval, rn__recover_t *res);

#endif
