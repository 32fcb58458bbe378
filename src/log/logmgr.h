/*
 * logmgr.h — the log manager: every partition log under one log directory.
 *
 *   <dir>/meta.properties                     (owned by the broker, not here)
 *   <dir>/<topic>-<partition>/                one rn_plog_t each
 *   <dir>/recovery-point-offset-checkpoint    per partition: offset below which data
 *                                             is fsynced (written atomically)
 *   <dir>/replication-offset-checkpoint       per partition: its high watermark, as
 *                                             the broker last set it (rn_plog_set_hw)
 *   <dir>/.clean-shutdown                     present only after a clean close
 *
 * Checkpoint format (both files; text, as Kafka's): a version line "0", a count line,
 * then one "topic partition offset" line per partition.
 *
 * At open the manager reads both checkpoints and the clean-shutdown marker, deletes the
 * marker (so a crash from now on is seen as unclean), and opens each partition
 * directory: after a clean shutdown nothing is scanned; after a crash only the tail
 * past each partition's recovery point is re-validated. Each partition's high
 * watermark (rn_plog_hw) starts at its checkpointed value, clamped to the log end; a
 * missing or corrupt replication-offset-checkpoint (one WARN naming it) or a
 * partition not listed starts at the log start. It owns the shared fd cache,
 * a retention timer (log.retention.check.interval.ms), a flush timer for flush_ms,
 * the two checkpoint timers (checkpoint_ms, hw_checkpoint_ms), and runs unlinks of deleted
 * segments on the thread pool.
 *
 * Loop thread only.
 */
#ifndef RN_LOG_LOGMGR_H
#define RN_LOG_LOGMGR_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "common/clock.h"
#include "log/config.h"
#include "log/plog.h"

typedef struct rn_logmgr_s rn_logmgr_t;

typedef struct rn_logmgr_opts_s {
    const char *dir;            /* created if missing */
    rn_log_config_t defaults;   /* for partitions without overrides */
    int64_t retention_check_ms; /* retention timer period; <= 0: no timer */
    int max_open_files;         /* fd cache size; 0: 1024 */
    const rn_clock_t *clock;    /* NULL: real clock */
    int64_t checkpoint_ms;      /* recovery-point checkpoint timer period; <= 0: none */
    int64_t hw_checkpoint_ms;   /* replication-offset-checkpoint timer period; <= 0: none */
} rn_logmgr_opts_t;

/* dir "./data", DESIGN.md log defaults, retention check every 300000 ms, 1024 open
 * files, the real clock, a recovery-point checkpoint every 60000 ms and a high
 * watermark checkpoint every 5000 ms. */
void rn_logmgr_opts_default(rn_logmgr_opts_t *opts);

/* Open every partition under opts->dir. loop may be NULL (no timers, no background
 * fsync: for tools and tests). Returns 0 and *out or -errno / RN_ECORRUPT with the
 * offending directory logged once. */
int rn_logmgr_open(uv_loop_t *loop, const rn_logmgr_opts_t *opts, rn_logmgr_t **out);

/*
 * Close: stop timers, wait for background fsyncs, and when `clean`, fsync every
 * partition, write both checkpoints and the clean-shutdown marker. Frees mgr.
 * With a loop, it closes its handles and runs the loop (UV_RUN_ONCE) until their
 * close callbacks and every thread-pool job have run — so call it only where uv_run
 * is allowed: NOT from inside a loop callback (libuv's uv_run is not reentrant); use
 * rn_logmgr_close_async there. Returns 0 or -errno (mgr is freed either way).
 */
int rn_logmgr_close(rn_logmgr_t *mgr, bool clean);

/*
 * The same close for code running inside the loop (a callback): closes the timers,
 * waits for them and for background fsyncs by polling from a timer, then finishes as
 * rn_logmgr_close and calls cb(arg, status) from the loop. Without a loop it closes
 * at once and calls cb before returning. mgr must not be used after this call.
 */
typedef void (*rn_logmgr_closed_cb)(void *arg, int status);
void rn_logmgr_close_async(rn_logmgr_t *mgr, bool clean, rn_logmgr_closed_cb cb, void *arg);

/* The partition's log, or NULL. Borrowed. */
rn_plog_t *rn_logmgr_get(rn_logmgr_t *mgr, const char *topic, int32_t partition);

/* Create (or return the existing) partition log with cfg (NULL: defaults).
 * Topic names: 1..249 chars of [A-Za-z0-9._-] (RN_ECONFIG otherwise). */
int rn_logmgr_create(rn_logmgr_t *mgr, const char *topic, int32_t partition,
                     const rn_log_config_t *cfg, rn_plog_t **out);

/* Close and delete the partition's directory and files. RN_... -ENOENT if absent. */
int rn_logmgr_delete(rn_logmgr_t *mgr, const char *topic, int32_t partition);

int rn_logmgr_partition_count(const rn_logmgr_t *mgr);

/* Call fn(arg, duration_ns, status) after every fsync round of every partition (loop
 * thread; also the rounds of a clean close): for metrics. fn NULL: stop. arg must
 * outlive the manager or a later call that replaces it. */
void rn_logmgr_set_flush_observer(rn_logmgr_t *mgr, void (*fn)(void *arg, int64_t ns, int status),
                                  void *arg);

/* Call fn for every partition (order unspecified); fn must not create or delete. */
typedef void (*rn_logmgr_visit_fn)(const char *topic, int32_t partition, rn_plog_t *plog,
                                   void *arg);
void rn_logmgr_foreach(rn_logmgr_t *mgr, rn_logmgr_visit_fn fn, void *arg);

/* Run retention over every partition now (the timer calls this). Returns segments
 * deleted in all, or -errno. */
int rn_logmgr_retention_run(rn_logmgr_t *mgr, int64_t now_ms);

/* Write the recovery-point checkpoint now (tmp file, fsync, rename). 0 or -errno. */
int rn_logmgr_checkpoint(rn_logmgr_t *mgr);

/* Write replication-offset-checkpoint now: every partition's rn_plog_hw (tmp file,
 * fsync, rename). 0 or -errno. */
int rn_logmgr_hw_checkpoint(rn_logmgr_t *mgr);

#endif
