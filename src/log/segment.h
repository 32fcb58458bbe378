/*
 * segment.h — one segment of a partition log: three files named by its base offset.
 *
 *   <dir>/00000000000000004096.log        record batches, back to back
 *   <dir>/00000000000000004096.index      sparse offset index   (offset_index.h)
 *   <dir>/00000000000000004096.timeindex  sparse time index     (time_index.h)
 *
 * Invariants: `size` bytes of .log are whole batches with offsets base..next_offset-1,
 * dense and increasing; index entries point only below `size`; only the last segment
 * of a plog is appended to (closed == false). Descriptors come from the shared fd
 * cache and are pinned only for the duration of a call (or of a thread-pool fsync), so
 * an idle segment holds no descriptor. Nothing is read at construction: a segment
 * listed at open learns its index state lazily (rn__segment_load_indexes).
 */
#ifndef RN_LOG_SEGMENT_H
#define RN_LOG_SEGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log/fdcache.h"
#include "log/offset_index.h"
#include "log/time_index.h"
#include "proto/batch.h"

enum { RN__SEG_LOG, RN__SEG_INDEX, RN__SEG_TIMEINDEX, RN__SEG_NFILES };

/* "00000000000000004096.timeindex.deleted" plus the directory. */
#define RN__SEG_PATH_MAX 4096

typedef struct rn__segment_s {
    int64_t base;        /* offset of its first batch; the file names */
    int64_t size;        /* bytes of whole batches in .log */
    int64_t next_offset; /* offset after its last batch (the next segment's base) */
    const char *dir;     /* borrowed from the plog */
    rn_fdcache_t *fds;   /* borrowed */
    rn_fdentry_t *slot[RN__SEG_NFILES];
    rn__oindex_t oidx;
    rn__tindex_t tidx;
    int64_t max_ts;                    /* largest batch maxTimestamp seen; INT64_MIN: none */
    int64_t max_ts_offset;             /* base offset of the batch that set max_ts */
    int64_t first_append_ms;           /* clock time of the first append since open; -1: none */
    int64_t size_hint[RN__SEG_NFILES]; /* sizes listed at open, until first use; -1 */
    bool loaded; /* oidx, tidx (and for the active segment max_ts) are known */
    bool closed; /* rolled: never appended to again */
} rn__segment_t;

/* A segment object for files that exist (or are about to); opens nothing. */
rn__segment_t *rn__segment_new(const char *dir, rn_fdcache_t *fds, int64_t base);

/* Release its descriptors and free it. Files stay. NULL is ignored. */
void rn__segment_free(rn__segment_t *seg);

/* "<dir>/<base, 20 digits><.log|.index|.timeindex>" into buf (RN__SEG_PATH_MAX). */
void rn__segment_path(const rn__segment_t *seg, int kind, char *buf);

/* File name suffix of a kind: ".log", ".index", ".timeindex". */
const char *rn__segment_suffix(int kind);

/* Pin one of its files (opened read-write, created when `create`). fd or -errno. */
int rn__segment_pin(rn__segment_t *seg, int kind, bool create);
void rn__segment_unpin(rn__segment_t *seg, int kind);

/* Create (or empty) the three files of a new segment. 0 or -errno. */
int rn__segment_create(rn__segment_t *seg);

/* Learn the index files' entry counts and last entries (cheap: fstat + one pread
 * each). A missing index file counts as empty. 0, RN_ECORRUPT or -errno. */
int rn__segment_load_indexes(rn__segment_t *seg);

/* Append one whole batch (len bytes, header h) at the end, adding index entries when
 * index_interval bytes have passed. On failure nothing remains: the .log and the
 * indexes are cut back. 0 or -errno. */
int rn__segment_append(rn__segment_t *seg, const uint8_t *batch, size_t len,
                       const rn_batch_header_t *h, int32_t index_interval);

/* Find the batch holding `offset` (base <= offset < next_offset): its position and
 * header. An index entry that does not match the batch it points to gets the indexes
 * rebuilt. 0, RN_ECORRUPT, RN_EOFFSETRANGE or -errno. */
int rn__segment_locate(rn__segment_t *seg, int64_t offset, int32_t index_interval, int64_t *pos,
                       rn_batch_header_t *h);

/* The segment is done with: add the time index entry for its newest timestamp. */
int rn__segment_close_active(rn__segment_t *seg);

/* Newest timestamp of a closed segment, from the last time index entry (rebuilding the
 * time index when it is empty). INT64_MIN when the segment has no batch. */
int rn__segment_newest_ts(rn__segment_t *seg, int32_t index_interval, int64_t *ts);

/* Cut the segment to its first `pos` bytes, where the batch with base offset
 * `next_offset` starts (or pos == size): .log, both indexes and max_ts follow, and it
 * becomes appendable again. 0 or -errno. */
int rn__segment_truncate(rn__segment_t *seg, int64_t pos, int64_t next_offset,
                         int32_t index_interval);

/* Rename the files to <name>.deleted (releasing their descriptors) and hand the new
 * paths to `add(path, arg)` (path is rn_malloc'd; add takes it). 0 or -errno; a file
 * that does not exist is skipped. */
int rn__segment_rename_deleted(rn__segment_t *seg, void (*add)(char *path, void *arg), void *arg);

#endif
