/*
 * plog_int.h — the partition log's state, shared by the files that implement plog.h:
 *
 *   plog.c        config, accessors, append, roll
 *   plog_open.c   listing the directory, clean open, close
 *   recovery.c    unclean open: re-validate past the recovery point, cut the tail
 *   plog_read.c   read, offset for a timestamp
 *   truncate.c    truncation for replication
 *   retention.c   retention, delete_below, dropping segments
 *   flush.c       flush policy, group commit, recovery point
 *   epochs.c      the leader-epoch history and its leader-epoch-checkpoint file
 *
 * Invariants: segs[] is sorted by base offset, never empty; segs[nsegs-1] is the
 * active segment and the only one with closed == false; a closed segment's
 * next_offset equals the next segment's base; start_offset <= end offset;
 * size_bytes is the sum of the segments' sizes; recovery_point <= end offset.
 */
#ifndef RN_LOG_PLOG_INT_H
#define RN_LOG_PLOG_INT_H

#include "log/plog.h"
#include "log/segment.h"
#include "log/trash.h"

#define RN__PLOG_CURSORS 4

/* Where the batch starting at `offset` lies, remembered from a previous read so that
 * sequential readers skip the index lookup. offset < 0: unused. */
typedef struct rn__cursor_s {
    int64_t offset;
    int64_t seg_base;
    int64_t pos;
} rn__cursor_t;

typedef struct rn__flush_waiter_s {
    rn_plog_flush_cb cb;
    void *arg;
} rn__flush_waiter_t;

typedef struct rn__waiters_s {
    rn__flush_waiter_t *w;
    size_t n, cap;
} rn__waiters_t;

typedef struct rn__flush_job_s rn__flush_job_t;

/* One line of the leader-epoch history: `epoch` led from offset `start` on. */
typedef struct rn__epoch_entry_s {
    int32_t epoch;
    int64_t start;
} rn__epoch_entry_t;

struct rn_plog_s {
    char *dir;
    const char *name; /* last component of dir: "topic-partition", for log lines */
    rn_log_config_t cfg;
    rn_plog_env_t env;
    rn__segment_t **segs;
    int nsegs, capsegs;
    int64_t start_offset;
    int64_t recovery_point;
    int64_t hw; /* high watermark as last set (rn_plog_hw clamps it); 0 at open */
    int64_t size_bytes;
    /* durability (flush.c) */
    int64_t unflushed_msgs; /* records appended since the last flush started */
    int64_t last_flush_ms;  /* clock time the last flush started (or open) */
    uint64_t fsyncs;
    uint64_t truncations; /* bumped by truncate: a flush in flight must not advance
                             the recovery point over rewritten data */
    bool dir_dirty;       /* files were created or renamed since the last flush */
    bool new_dir;         /* open created the directory: fsync its parent too */
    rn__flush_job_t *flushing;
    rn__waiters_t next_waiters; /* served by the fsync after the running one */
    bool next_requested;
    /* segments renamed *.deleted, for rn_logmgr to unlink off the loop */
    rn__trash_t trash;
    rn__cursor_t cursors[RN__PLOG_CURSORS];
    int cursor_next;
    /* leader-epoch history (epochs.c): epochs and starts strictly increasing, every
     * start below the log end; mirrored in <dir>/leader-epoch-checkpoint */
    rn__epoch_entry_t *epochs;
    size_t nepochs, capepochs;
};

static inline rn__segment_t *rn__plog_active(const rn_plog_t *plog) {
    return plog->segs[plog->nsegs - 1];
}

/* Index of the segment holding `offset` (the last with base <= offset); 0 when offset
 * is below the first. */
int rn__plog_find(const rn_plog_t *plog, int64_t offset);

/* Append a segment to segs[] (taken). */
void rn__plog_push(rn_plog_t *plog, rn__segment_t *seg);

/* Start a new, empty active segment at `base` after closing the current one. */
int rn__plog_roll(rn_plog_t *plog, int64_t base);

/* Delete segs[from..to): rename their files *.deleted into plog->trash, free them. */
int rn__plog_drop(rn_plog_t *plog, int from, int to);

/* Forget every read cursor (after truncation or deletion). */
void rn__plog_cursors_reset(rn_plog_t *plog);

/* Unclean open: verify every batch from the recovery point on, and the indexes of the
 * segments below it (rebuild[i]: segment i's index files are missing or misshapen);
 * cut a bad tail with one WARN line. */
int rn__plog_recover(rn_plog_t *plog, int64_t recovery_point, const bool *rebuild);

/* Verify segs[i] from from_offset and rebuild its indexes. When its tail is bad (or the
 * next segment does not continue its offsets) cut it there, delete every later
 * segment, log one WARN line and set *stopped. 0 or -errno. */
int rn__plog_recover_segment(rn_plog_t *plog, int i, int64_t from_offset, bool *stopped);

/* After an append: fsync when the flush policy says so (background with a loop). */
void rn__plog_flush_policy(rn_plog_t *plog, int64_t now_ms);

/* After a roll: flush the closed segment in the background (with a loop). */
void rn__plog_flush_on_roll(rn_plog_t *plog);

/* Everything appended so far is durable (the caller synced the whole file system):
 * advance the recovery point to the log end as a flush would. */
void rn__plog_mark_durable(rn_plog_t *plog);

/* After open: load the leader-epoch checkpoint, or rebuild it from the batch headers
 * when it is missing or corrupt; drop entries at or past the log end. 0 or -errno. */
int rn__epochs_load(rn_plog_t *plog);

/* Before appending a batch stamped `epoch` at `start`: when epoch is newer than the
 * latest, record it and rewrite the checkpoint (durably, before the batch is written,
 * so the file always covers the log). 0 or -errno (nothing recorded). */
int rn__epochs_assign(rn_plog_t *plog, int32_t epoch, int64_t start);

/* After truncation to `end`: drop entries at or past it and rewrite. 0 or -errno. */
int rn__epochs_truncate(rn_plog_t *plog, int64_t end);

/* After the log start moved up to `start` (retention, delete_below): drop the entries
 * wholly below it and move the first remaining one's start up to it (Kafka's
 * truncateFromStart), so the history never names offsets the log no longer has.
 * 0 or -errno. */
int rn__epochs_truncate_start(rn_plog_t *plog, int64_t start);

/* Move the paths of deleted segments to `into` (for rn_logmgr). */
void rn__plog_take_trash(rn_plog_t *plog, rn__trash_t *into);

#endif
