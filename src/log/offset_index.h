/*
 * offset_index.h — a segment's sparse offset index (<base>.index): which file position
 * holds the batch starting at an offset.
 *
 *   entry (8 bytes, big-endian), one per indexed batch:
 *   +----------------------+----------------------+
 *   | relative offset  u32 | file position    u32 |
 *   +----------------------+----------------------+
 *     batch base offset      where that batch starts
 *     minus segment base     in <base>.log
 *
 * The index is sparse: the segment adds an entry for a batch that starts at least
 * index_interval_bytes after the previous entry's batch. Invariants: both fields
 * strictly increase from entry to entry; every position is below the .log size; the
 * file size is exactly count * 8. An entry is only ever a hint to start scanning at:
 * readers check that the batch found there starts at the entry's offset.
 *
 * Functions work on a descriptor the caller pinned; `idx` mirrors the file's entry
 * count and last entry so appends need no read.
 */
#ifndef RN_LOG_OFFSET_INDEX_H
#define RN_LOG_OFFSET_INDEX_H

#include <stddef.h>
#include <stdint.h>

#define RN__OINDEX_ENTRY 8

typedef struct rn__oentry_s {
    uint32_t rel; /* batch base offset - segment base offset */
    uint32_t pos; /* file position of that batch */
} rn__oentry_t;

typedef struct rn__oindex_s {
    int64_t count;     /* entries in the file */
    rn__oentry_t last; /* the last entry; {0, 0} when count == 0 */
} rn__oindex_t;

/* Learn count and last entry from the file. RN_ECORRUPT when its size is not a whole
 * number of entries; -errno. */
int rn__oindex_load(rn__oindex_t *idx, int fd);

/* Append n entries, each greater than the last in both fields (asserted). On failure
 * the file is cut back to its previous entries. 0 or -errno. */
int rn__oindex_append(rn__oindex_t *idx, int fd, const rn__oentry_t *e, size_t n);

/* The last entry with rel <= `rel`, or {0, 0} (the segment start) when there is none.
 * 0, -errno or RN_ECORRUPT (file shorter than idx says). */
int rn__oindex_lookup(const rn__oindex_t *idx, int fd, uint32_t rel, rn__oentry_t *out);

/* Drop every entry with rel >= `rel`. 0 or -errno. */
int rn__oindex_truncate(rn__oindex_t *idx, int fd, uint32_t rel);

/* Sanity check of the whole file: fields strictly increasing, every position below
 * log_size. 0, RN_ECORRUPT or -errno. */
int rn__oindex_check(const rn__oindex_t *idx, int fd, int64_t log_size);

#endif
