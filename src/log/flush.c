/*
 * flush.c — durability: the flush policy, group commit on libuv's thread pool, and
 * the recovery point.
 *
 * An append returns once its bytes are in the page cache. fsync happens:
 *   - when the policy says so (flush_messages records or flush_ms since the last
 *     flush), checked after each append and by rn_logmgr's flush timer;
 *   - when a segment rolls (the closed segment, so recovery never has far to read);
 *   - when a caller asks (rn_plog_flush: acks that need durability; flush_sync).
 *
 * Group commit: at most one fsync round runs per partition. A request that arrives
 * while a round runs joins the *next* round (it may hold bytes the running round
 * missed); when the running round completes, one new round starts for everyone who
 * joined, covering the log end at its start. So N concurrent requests cost at most
 * two rounds, and fsync_count counts rounds.
 *
 *   loop thread                         thread pool
 *   rn_plog_flush ─ pin fds, target=end ─▶ fdatasync .log/.index/.timeindex
 *                                          of segments past the recovery point
 *   after_round ◀──────────────────────── (+ the directory, when files changed)
 *     unpin, recovery point = target, call this round's waiters, start the next
 *
 * The job touches only the descriptors it pinned (and copies of paths); a segment
 * deleted meanwhile keeps its descriptor alive until the job unpins it. How long each
 * round's fsyncs took, and its status, go to env.flush_observer (metrics) when set.
 */
#include "log/plog_int.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/logging.h"
#include "log/fileio.h"

struct rn__flush_job_s {
    uv_work_t req;
    rn_plog_t *plog;
    int *fd;
    rn_fdentry_t **entry;
    int n, cap;
    char *dir;    /* fsync this directory too, when set */
    char *parent; /* and this one (the directory was created) */
    int64_t target;
    uint64_t truncations;
    int status;
    int64_t duration_ns; /* of job_run: what the flush observer is told */
    rn__waiters_t waiters;
};

bool rn_plog_flush_due(const rn_plog_t *plog, int64_t now_ms) {
    if (plog->unflushed_msgs <= 0)
        return false;
    if (plog->cfg.flush_messages > 0 && plog->unflushed_msgs >= plog->cfg.flush_messages)
        return true;
    return plog->cfg.flush_ms > 0 && now_ms - plog->last_flush_ms >= plog->cfg.flush_ms;
}

bool rn_plog_flush_pending(const rn_plog_t *plog) {
    return plog->flushing != NULL || plog->next_requested;
}

uint64_t rn_plog_fsync_count(const rn_plog_t *plog) {
    return plog->fsyncs;
}

static void waiters_add(rn__waiters_t *ws, rn_plog_flush_cb cb, void *arg) {
    if (cb == NULL)
        return;
    if (ws->n == ws->cap) {
        ws->cap = ws->cap ? ws->cap * 2 : 4;
        ws->w = rn_realloc(ws->w, ws->cap * sizeof *ws->w);
    }
    ws->w[ws->n++] = (rn__flush_waiter_t){cb, arg};
}

/* The first segment holding data past the recovery point. */
static int first_unflushed(const rn_plog_t *plog) {
    return rn__plog_find(plog, plog->recovery_point);
}

static int job_pin(rn__flush_job_t *job, rn__segment_t *seg, int kind) {
    int fd = rn__segment_pin(seg, kind, kind != RN__SEG_LOG);
    if (fd < 0)
        return fd;
    if (job->n == job->cap) {
        job->cap = job->cap ? job->cap * 2 : 6;
        job->fd = rn_realloc(job->fd, (size_t)job->cap * sizeof *job->fd);
        job->entry = rn_realloc(job->entry, (size_t)job->cap * sizeof *job->entry);
    }
    job->fd[job->n] = fd;
    job->entry[job->n++] = seg->slot[kind];
    return 0;
}

static void job_free(rn__flush_job_t *job) {
    for (int i = 0; i < job->n; i++)
        rn_fdcache_unpin(job->plog->env.fds, job->entry[i]);
    rn_free(job->fd);
    rn_free(job->entry);
    rn_free(job->dir);
    rn_free(job->parent);
    rn_free(job->waiters.w);
    rn_free(job);
}

/* A job for everything appended so far: its descriptors pinned, the counters reset. */
static int job_new(rn_plog_t *plog, rn__flush_job_t **out) {
    rn__flush_job_t *job = rn_calloc(1, sizeof *job);
    job->req.data = job;
    job->plog = plog;
    job->target = rn_plog_end_offset(plog);
    job->truncations = plog->truncations;
    int rc = 0;
    for (int i = first_unflushed(plog); i < plog->nsegs && rc == 0; i++)
        for (int k = 0; k < RN__SEG_NFILES && rc == 0; k++)
            rc = job_pin(job, plog->segs[i], k);
    if (rc != 0) {
        job_free(job);
        return rc;
    }
    if (plog->dir_dirty)
        job->dir = rn_strdup(plog->dir);
    if (plog->new_dir)
        job->parent = rn_strndup(plog->dir, (size_t)(plog->name - plog->dir));
    plog->dir_dirty = plog->new_dir = false;
    plog->unflushed_msgs = 0;
    plog->last_flush_ms = rn_clock_now_ms(plog->env.clock);
    plog->fsyncs++;
    *out = job;
    return 0;
}

/* Thread pool: only the job's own descriptors and strings. */
static void job_run(rn__flush_job_t *job) {
    int64_t start = rn_mono_ns();
    for (int i = 0; i < job->n && job->status == 0; i++)
        if (fdatasync(job->fd[i]) != 0)
            job->status = -errno;
    if (job->status == 0 && job->dir != NULL)
        job->status = rn__fsync_dir(job->dir);
    if (job->status == 0 && job->parent != NULL)
        job->status = rn__fsync_dir(job->parent[0] ? job->parent : ".");
    job->duration_ns = rn_mono_ns() - start;
}

static void job_done(rn_plog_t *plog, rn__flush_job_t *job) {
    const rn_flush_observer_t *obs = plog->env.flush_observer;
    if (obs != NULL && obs->fn != NULL)
        obs->fn(obs->arg, job->duration_ns, job->status);
    if (job->status == 0 && job->truncations == plog->truncations &&
        job->target > plog->recovery_point)
        plog->recovery_point = job->target;
    if (job->status != 0) {
        plog->dir_dirty |= job->dir != NULL;
        plog->new_dir |= job->parent != NULL;
    }
}

static void work_cb(uv_work_t *req) {
    job_run(req->data);
}

static int start_round(rn_plog_t *plog, rn__waiters_t *waiters);

/* Call and free a list of waiters. A callback may close the plog (when no flush is
 * pending any more), so nothing here or after it touches the plog. */
static void call_waiters(rn_plog_t *plog, rn__waiters_t *ws, int status, int64_t flushed) {
    for (size_t i = 0; i < ws->n; i++)
        ws->w[i].cb(plog, status, flushed, ws->w[i].arg);
    rn_free(ws->w);
}

static void after_cb(uv_work_t *req, int status) {
    rn__flush_job_t *job = req->data;
    rn_plog_t *plog = job->plog;
    if (status != 0)
        job->status = status;
    job_done(plog, job);
    int done_status = job->status;
    rn__waiters_t done = job->waiters;
    job->waiters = (rn__waiters_t){0};
    job_free(job); /* unpins its descriptors while the plog surely lives */
    plog->flushing = NULL;
    rn__waiters_t failed = {0};
    int failed_status = 0;
    if (plog->next_requested) {
        plog->next_requested = false;
        rn__waiters_t next = plog->next_waiters;
        plog->next_waiters = (rn__waiters_t){0};
        failed_status = start_round(plog, &next);
        if (failed_status != 0)
            failed = next;
    }
    int64_t flushed = plog->recovery_point;
    call_waiters(plog, &failed, failed_status, flushed);
    call_waiters(plog, &done, done_status, flushed);
}

/* Start a round now; takes the waiters on success. */
static int start_round(rn_plog_t *plog, rn__waiters_t *waiters) {
    rn__flush_job_t *job;
    int rc = job_new(plog, &job);
    if (rc != 0)
        return rc;
    rc = uv_queue_work(plog->env.loop, &job->req, work_cb, after_cb);
    if (rc != 0) {
        plog->fsyncs--;
        job_free(job);
        return rc;
    }
    job->waiters = *waiters;
    *waiters = (rn__waiters_t){0};
    plog->flushing = job;
    return 0;
}

int rn_plog_flush(rn_plog_t *plog, rn_plog_flush_cb cb, void *arg) {
    if (plog->env.loop == NULL)
        return -EINVAL;
    if (plog->flushing != NULL) {
        waiters_add(&plog->next_waiters, cb, arg);
        plog->next_requested = true;
        return 0;
    }
    rn__waiters_t ws = {0};
    waiters_add(&ws, cb, arg);
    int rc = start_round(plog, &ws);
    rn_free(ws.w);
    return rc;
}

int rn_plog_flush_sync(rn_plog_t *plog) {
    rn__flush_job_t *job;
    int rc = job_new(plog, &job);
    if (rc != 0)
        return rc;
    job_run(job);
    job_done(plog, job);
    rc = job->status;
    job_free(job);
    return rc;
}

void rn__plog_mark_durable(rn_plog_t *plog) {
    plog->recovery_point = rn_plog_end_offset(plog);
    plog->unflushed_msgs = 0;
    plog->last_flush_ms = rn_clock_now_ms(plog->env.clock);
    plog->dir_dirty = plog->new_dir = false;
    plog->fsyncs++;
}

static void policy_cb(rn_plog_t *plog, int status, int64_t flushed, void *arg) {
    (void)flushed;
    (void)arg;
    if (status != 0)
        rn_log(RN_LOG_ERROR, "log", "%s: fsync failed: %s", plog->name, rn_strerror(status));
}

static void flush_now(rn_plog_t *plog) {
    if (plog->flushing != NULL && plog->next_requested)
        return; /* the round already queued will cover these appends */
    int rc = plog->env.loop ? rn_plog_flush(plog, policy_cb, NULL) : rn_plog_flush_sync(plog);
    if (rc != 0)
        rn_log(RN_LOG_ERROR, "log", "%s: fsync failed: %s", plog->name, rn_strerror(rc));
}

void rn__plog_flush_policy(rn_plog_t *plog, int64_t now_ms) {
    if (rn_plog_flush_due(plog, now_ms))
        flush_now(plog);
}

void rn__plog_flush_on_roll(rn_plog_t *plog) {
    if (plog->env.loop != NULL)
        flush_now(plog);
}
