/*
 * plog.h — the partition log: one append-only, totally ordered log of record batches,
 * stored as a directory of segments (DESIGN.md §3):
 *
 *   <dir>/00000000000000000000.log         record batches, back to back
 *   <dir>/00000000000000000000.index       sparse offset -> file position
 *   <dir>/00000000000000000000.timeindex   sparse timestamp -> offset
 *   <dir>/00000000000000004096.log ...     next segment: its base offset in the name
 *
 * Invariants: offsets are dense and increasing across segments; only the last
 * (active) segment is appended to; a batch is never split across segments; every
 * byte below the log end is a whole batch whose CRC was checked when it arrived (or
 * at recovery). log start <= every served offset < log end.
 *
 * Threading: every function is for the broker's loop thread (or a test's single
 * thread) unless it says otherwise. Blocking work — fsync, unlinking deleted segments —
 * runs on libuv's thread pool via rn_plog_flush and rn_logmgr.
 */
#ifndef RN_LOG_PLOG_H
#define RN_LOG_PLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "common/clock.h"
#include "log/config.h"
#include "log/fdcache.h"

typedef struct rn_plog_s rn_plog_t;

/* Told of every fsync round (rn_plog_flush, rn_plog_flush_sync), on the loop thread,
 * with the time the fsyncs took and the round's status: for metrics. */
typedef struct rn_flush_observer_s {
    void (*fn)(void *arg, int64_t duration_ns, int status); /* NULL: nobody listens */
    void *arg;
} rn_flush_observer_t;

/* Shared by the partitions of one log directory; borrowed, must outlive the plog. */
typedef struct rn_plog_env_s {
    rn_fdcache_t *fds;       /* bounded cache of open segment files; required */
    const rn_clock_t *clock; /* NULL: the real clock */
    uv_loop_t *loop;         /* for background fsync; NULL: flush policy runs inline */
    const rn_flush_observer_t *flush_observer; /* NULL: none (read at each round) */
} rn_plog_env_t;

/*
 * Open the partition directory `dir`, creating it (and an empty first segment) when
 * missing. `recovery_point` is the offset below which the data is known to be on
 * disk (from the recovery-point checkpoint; 0 when unknown). When `clean` is true (the
 * last shutdown was clean) nothing is re-validated: the log end comes from the last
 * index entry and the tail after it. Otherwise every batch at or past the recovery
 * point is re-validated and a torn or corrupt tail is truncated, with one WARN log line
 * naming the file and offset. Missing or corrupt indexes are rebuilt.
 * Returns 0 and *out, or -errno / RN_ECORRUPT (unreadable directory, bad file names).
 */
int rn_plog_open(const char *dir, const rn_log_config_t *cfg, const rn_plog_env_t *env,
                 int64_t recovery_point, bool clean, rn_plog_t **out);

/* Close files and free. Does not fsync: call rn_plog_flush_sync first for a clean
 * shutdown. Must not be called while a background flush is in flight
 * (rn_plog_flush_pending). NULL is ignored. */
void rn_plog_close(rn_plog_t *plog);

/* Replace the config (topic config change); takes effect at the next append or
 * retention run. Returns 0 or RN_ECONFIG (nothing changed). */
int rn_plog_set_config(rn_plog_t *plog, const rn_log_config_t *cfg);
const rn_log_config_t *rn_plog_config(const rn_plog_t *plog);

/*
 * Leader append: `batch` (len bytes) must have passed rn_batch_validate. Stamps the
 * next offset and `leader_epoch` into the caller's buffer, rolls the segment if it is
 * full or old, writes the bytes with write(2) and returns the base offset in
 * *base_offset. Runs the flush policy (may start a background fsync).
 * Returns 0, RN_ETOOLARGE (over max_message_bytes), or -errno (nothing appended:
 * a short write is cut back off the file).
 */
int rn_plog_append(rn_plog_t *plog, uint8_t *batch, size_t len, int32_t leader_epoch,
                   int64_t *base_offset);

/*
 * Follower append: `batch` already carries its offsets and epoch (from the leader);
 * its base offset must equal the log end (RN_EBADOFFSET otherwise). Checks the CRC
 * (RN_ECORRUPT). Otherwise as rn_plog_append.
 */
int rn_plog_append_replica(rn_plog_t *plog, const uint8_t *batch, size_t len);

/* The result of a read: whole batches, back to back. data is rn_malloc'd, owned by
 * the caller (rn_plog_read_free). len 0 when there is nothing to return. */
typedef struct rn_plog_read_s {
    uint8_t *data;
    size_t len;
    int64_t next_offset; /* offset after the last batch returned (= start if none) */
} rn_plog_read_t;

/*
 * Read whole batches starting with the one holding `offset`, up to `max_bytes` — but
 * always at least one batch when any is available, so a consumer can make progress
 * past a batch bigger than its limit. Only batches that end below `upto` are returned
 * (`upto` < 0: the log end) — the high watermark for consumers.
 * Returns 0, or RN_EOFFSETRANGE when offset < log start or > log end, or -errno.
 * Reading at exactly the log end returns 0 with len 0.
 */
int rn_plog_read(rn_plog_t *plog, int64_t offset, size_t max_bytes, int64_t upto,
                 rn_plog_read_t *res);
void rn_plog_read_free(rn_plog_read_t *res);

int64_t rn_plog_start_offset(const rn_plog_t *plog); /* first offset still kept */
int64_t rn_plog_end_offset(const rn_plog_t *plog);   /* offset the next record gets */
int64_t rn_plog_size_bytes(const rn_plog_t *plog);   /* sum of segment sizes */
int rn_plog_segment_count(const rn_plog_t *plog);
int64_t rn_plog_recovery_point(const rn_plog_t *plog); /* everything below is fsynced */
const char *rn_plog_dir(const rn_plog_t *plog);

/*
 * The partition's high watermark, kept with its log so that the log manager can write
 * it to <logdir>/replication-offset-checkpoint. The broker records every move with
 * rn_plog_set_hw. rn_plog_hw returns the last value set clamped to [log start, log
 * end] (so a truncation below it lowers it); before any set it is what rn_logmgr_open
 * read from the checkpoint, or the log start when the partition was not listed there.
 */
void rn_plog_set_hw(rn_plog_t *plog, int64_t hw);
int64_t rn_plog_hw(const rn_plog_t *plog);

/*
 * Offset for a timestamp (ListOffsets by time): the first offset whose batch has a
 * max timestamp >= ts, found through the time indexes. Returns 0 and *offset, or
 * RN_EOFFSETRANGE when no record is that new.
 */
int rn_plog_offset_for_time(rn_plog_t *plog, int64_t ts, int64_t *offset);

/*
 * Truncate for replication: remove every batch at or past `offset`, so the log end
 * becomes `offset` when it is a batch boundary, else the base offset of the batch
 * holding it. Segments entirely past it are deleted; indexes are cut to match. The
 * recovery point moves back if it was past the new end. Offsets >= the log end are a
 * no-op. Returns 0 or -errno.
 */
int rn_plog_truncate(rn_plog_t *plog, int64_t offset);

/*
 * Drop every batch and start the log afresh, empty, at `offset` (log start = log end =
 * offset; the leader-epoch history is cleared, the HW clamps to it): for a follower
 * whose log ends below the leader's log start, so that it can copy from there.
 * Returns 0, RN_EOFFSETRANGE (offset < 0) or -errno.
 */
int rn_plog_reset(rn_plog_t *plog, int64_t offset);

/* ---- leader epochs -------------------------------------------------------------- */

/* The newest leader epoch of any batch in the log, or -1 when there is none. */
int32_t rn_plog_latest_epoch(const rn_plog_t *plog);

/*
 * Kafka's OffsetForLeaderEpoch on this log's epoch history (the leader-epoch-checkpoint
 * file, see docs/storage.md): *found_epoch is the largest epoch <= `epoch` and
 * *end_offset the start offset of the next higher epoch, or the log end when it is the
 * latest. An epoch below every known one gives (epoch, start of the first); an epoch
 * above the latest, or an empty history, gives (-1, -1). Always returns 0.
 */
int rn_plog_epoch_end_offset(const rn_plog_t *plog, int32_t epoch, int32_t *found_epoch,
                             int64_t *end_offset);

/*
 * Advance the log start offset to `offset` (<= log end) and delete the segments that
 * lie entirely below it (never the active one). Reads below the new start fail with
 * RN_EOFFSETRANGE. Returns 0, RN_EOFFSETRANGE (offset past the log end) or -errno.
 */
int rn_plog_delete_below(rn_plog_t *plog, int64_t offset);

/*
 * Retention, run from a timer, never from append: delete whole closed segments whose
 * newest record is older than retention_ms at `now_ms`, then the oldest closed
 * segments while the partition is over retention_bytes. The active segment is never
 * deleted. The log start offset advances to the first remaining segment. Files are
 * renamed to *.deleted here and unlinked by rn_logmgr on the thread pool (or by the
 * next rn_plog_open). Returns the number of segments deleted, or -errno.
 */
int rn_plog_retention_run(rn_plog_t *plog, int64_t now_ms);

/* ---- durability ---------------------------------------------------------------- */

/* True when the flush policy (flush_messages / flush_ms) asks for an fsync now. */
bool rn_plog_flush_due(const rn_plog_t *plog, int64_t now_ms);

/* fsync every segment with unflushed data, now, on the calling thread; the recovery
 * point becomes the log end. For shutdown and tests. Returns 0 or -errno. */
int rn_plog_flush_sync(rn_plog_t *plog);

/*
 * Called on the loop thread once the data below `flushed` is durable
 * (status 0, recovery point advanced) or the fsync failed (status -errno).
 */
typedef void (*rn_plog_flush_cb)(rn_plog_t *plog, int status, int64_t flushed, void *arg);

/*
 * Group commit: ask for everything appended so far to be made durable, on the thread
 * pool of env->loop (required). If an fsync is already running, the request waits
 * for the next one, and that single fsync serves every request that arrived while the
 * previous ran. cb may be NULL. Returns 0 or -errno (cb not called).
 */
int rn_plog_flush(rn_plog_t *plog, rn_plog_flush_cb cb, void *arg);

/* True while a background fsync is running or queued. */
bool rn_plog_flush_pending(const rn_plog_t *plog);

/* fsyncs issued so far (for tests of group commit and for metrics). */
uint64_t rn_plog_fsync_count(const rn_plog_t *plog);

#endif
