/*
 * logmgr_int.h — the log manager's state, shared by logmgr.c (open, close, create,
 * delete, lookups) and logmgr_tasks.c (timers, retention, flushes, checkpoints and the
 * thread-pool jobs that remove deleted files).
 *
 * Invariants: every plog in `parts` was opened with `env`; `pending` counts thread-pool
 * jobs and `closing` handles whose close callbacks have not run yet — the manager is
 * freed only when both are zero and no plog (live or zombie) has a flush in flight.
 * A zombie is a deleted partition whose plog still had a flush in flight; it is
 * closed once that flush completes.
 */
#ifndef RN_LOG_LOGMGR_INT_H
#define RN_LOG_LOGMGR_INT_H

#include "log/checkpoint.h"
#include "log/logmgr.h"
#include "log/partmap.h"
#include "log/trash.h"

#define RN__CLEAN_MARKER ".clean-shutdown"

/* The checkpoint files the manager keeps (index into mgr->ckpts). */
enum { RN__CKPT_RECOVERY = 0, RN__CKPT_HW = 1, RN__NCKPTS = 2 };

/* One checkpoint file: its writer, the sequence number of the latest snapshot taken,
 * its timer, and what each partition's line records. */
typedef struct rn__logmgr_ckpt_s {
    rn__ckpt_writer_t writer;
    uint64_t seq;
    uv_timer_t timer;
    int64_t period_ms; /* <= 0: no timer */
    int64_t (*value)(const rn_plog_t *plog);
} rn__logmgr_ckpt_t;

struct rn_logmgr_s {
    uv_loop_t *loop; /* NULL: no timers, everything inline */
    char *dir;
    rn_logmgr_opts_t opts; /* opts.dir points at dir */
    rn_fdcache_t *fds;
    rn_plog_env_t env;
    rn__partmap_t parts;
    uv_timer_t retention_timer, flush_timer; /* and one timer per checkpoint */
    bool timers;
    int closing; /* handles closing */
    int pending; /* thread-pool jobs running */
    rn_plog_t **zombies;
    int nzombies, capzombies;
    uint64_t deletions; /* names deleted partition directories uniquely */
    rn__trash_t trash;
    rn__logmgr_ckpt_t ckpts[RN__NCKPTS];
    rn_flush_observer_t flush_observer; /* env.flush_observer points here */
};

/* Start the timers (loop set). 0 or a libuv error. */
int rn__logmgr_timers_start(rn_logmgr_t *mgr);

/* Close the timers and run the loop until they, every thread-pool job and every
 * flush in flight are done; then close the zombies. */
void rn__logmgr_quiesce(rn_logmgr_t *mgr);

/* Close the timers (their close callbacks decrement mgr->closing). */
void rn__logmgr_close_timers(rn_logmgr_t *mgr);

/* True while a handle is closing, a thread-pool job runs or a flush is pending. */
bool rn__logmgr_busy(rn_logmgr_t *mgr);

/* Remove everything in mgr->trash (and the plogs' trash): on the thread pool with a
 * loop, else now. */
void rn__logmgr_empty_trash(rn_logmgr_t *mgr);

/* Close the zombies whose flushes are done. */
void rn__logmgr_reap(rn_logmgr_t *mgr);

/* The text of checkpoint `which` (RN__CKPT_*) for every partition now. */
char *rn__logmgr_checkpoint_text(rn_logmgr_t *mgr, int which, size_t *len);

/* Flush every partition for a clean shutdown. 0 or -errno. */
int rn__logmgr_flush_all(rn_logmgr_t *mgr);

#endif
