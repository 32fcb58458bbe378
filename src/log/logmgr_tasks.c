/*
 * logmgr_tasks.c — the log manager's periodic and background work:
 *
 *   retention timer   (retention_check_ms)  rn_logmgr_retention_run on every partition
 *   flush timer       (re-armed each tick at the smallest flush_ms in use, 10..1000 ms)
 *                     starts a background flush where flush_ms says one is due
 *   checkpoint timers (checkpoint_ms)       write the recovery points, and
 *                     (hw_checkpoint_ms)    the high watermarks, on the thread pool
 *   trash jobs                              unlink segments renamed *.deleted, and
 *                                           deleted partition directories, off the loop
 *
 * Every job owns what it touches (paths, checkpoint text); `pending` counts them so
 * that close can wait for the last one before freeing the manager.
 */
#include "log/logmgr_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/logging.h"
#include "log/plog_int.h"

#define FLUSH_TICK_MAX_MS 1000
#define FLUSH_TICK_MIN_MS 10
#define SYNCFS_MIN_PARTS  16

/* ---- trash ------------------------------------------------------------------------ */

static void take_trash(rn__part_t *part, void *arg) {
    rn__plog_take_trash(part->plog, arg);
}

static void trash_done(void *arg) {
    rn_logmgr_t *mgr = arg;
    mgr->pending--;
}

void rn__logmgr_empty_trash(rn_logmgr_t *mgr) {
    rn__partmap_foreach(&mgr->parts, take_trash, &mgr->trash);
    if (mgr->trash.n == 0)
        return;
    if (mgr->loop != NULL) {
        mgr->pending++;
        if (rn__trash_empty_async(mgr->loop, &mgr->trash, trash_done, mgr) == 0)
            return;
        mgr->pending--;
    }
    rn__trash_empty_now(&mgr->trash);
}

/* ---- retention ----------------------------------------------------------------------- */

typedef struct retention_s {
    int64_t now_ms;
    int total;
    int err;
} retention_t;

static void retain_one(rn__part_t *part, void *arg) {
    retention_t *r = arg;
    int n = rn_plog_retention_run(part->plog, r->now_ms);
    if (n >= 0) {
        r->total += n;
        return;
    }
    rn_log(RN_LOG_ERROR, "log", "%s-%d: retention failed: %s", part->topic, part->partition,
           rn_strerror(n));
    if (r->err == 0)
        r->err = n;
}

int rn_logmgr_retention_run(rn_logmgr_t *mgr, int64_t now_ms) {
    retention_t r = {now_ms, 0, 0};
    rn__partmap_foreach(&mgr->parts, retain_one, &r);
    rn__logmgr_empty_trash(mgr);
    return r.err != 0 ? r.err : r.total;
}

/* ---- flushes ------------------------------------------------------------------------- */

static void flush_failed(rn_plog_t *plog, int status, int64_t flushed, void *arg) {
    (void)flushed;
    (void)arg;
    if (status != 0)
        rn_log(RN_LOG_ERROR, "log", "%s: fsync failed: %s", rn_plog_dir(plog), rn_strerror(status));
}

typedef struct flush_scan_s {
    int64_t now_ms;
    int64_t period;
} flush_scan_t;

static void flush_one(rn__part_t *part, void *arg) {
    flush_scan_t *f = arg;
    rn_plog_t *plog = part->plog;
    int64_t flush_ms = rn_plog_config(plog)->flush_ms;
    if (flush_ms > 0 && flush_ms < f->period)
        f->period = flush_ms;
    if (!rn_plog_flush_due(plog, f->now_ms) || plog->next_requested)
        return;
    int rc = rn_plog_flush(plog, flush_failed, NULL);
    if (rc != 0)
        flush_failed(plog, rc, 0, NULL);
}

void rn__logmgr_reap(rn_logmgr_t *mgr) {
    int kept = 0;
    for (int i = 0; i < mgr->nzombies; i++) {
        if (rn_plog_flush_pending(mgr->zombies[i]))
            mgr->zombies[kept++] = mgr->zombies[i];
        else
            rn_plog_close(mgr->zombies[i]);
    }
    mgr->nzombies = kept;
}

static void flush_tick(uv_timer_t *timer) {
    rn_logmgr_t *mgr = timer->data;
    flush_scan_t f = {rn_clock_now_ms(mgr->opts.clock), FLUSH_TICK_MAX_MS};
    rn__partmap_foreach(&mgr->parts, flush_one, &f);
    rn__logmgr_reap(mgr);
    rn__logmgr_empty_trash(mgr); /* segments deleted by truncation since the last tick */
    uint64_t period = f.period < FLUSH_TICK_MIN_MS ? FLUSH_TICK_MIN_MS : (uint64_t)f.period;
    (void)uv_timer_start(timer, flush_tick, period, 0);
}

typedef struct flush_all_s {
    int rc;
    bool synced; /* the whole file system was synced: only mark */
} flush_all_t;

static void flush_sync_one(rn__part_t *part, void *arg) {
    flush_all_t *f = arg;
    if (f->synced) {
        rn__plog_mark_durable(part->plog);
        return;
    }
    int rc = rn_plog_flush_sync(part->plog);
    if (rc == 0)
        return;
    rn_log(RN_LOG_ERROR, "log", "%s-%d: fsync failed: %s", part->topic, part->partition,
           rn_strerror(rc));
    if (f->rc == 0)
        f->rc = rc;
}

/* One syncfs(2) of the file system holding the log directory. */
static bool sync_file_system(const char *dir) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = syncfs(fd) == 0;
    close(fd);
    return ok;
}

int rn__logmgr_flush_all(rn_logmgr_t *mgr) {
    flush_all_t f = {0, false};
    /* With many partitions, one syncfs beats an fsync per file (3 per segment). */
    if (mgr->parts.n >= SYNCFS_MIN_PARTS)
        f.synced = sync_file_system(mgr->dir);
    rn__partmap_foreach(&mgr->parts, flush_sync_one, &f);
    return f.rc;
}

/* ---- checkpoints --------------------------------------------------------------------- */

typedef struct text_scan_s {
    rn__ckpt_text_t text;
    int64_t (*value)(const rn_plog_t *plog);
} text_scan_t;

static void add_line(rn__part_t *part, void *arg) {
    text_scan_t *t = arg;
    rn__ckpt_text_add(&t->text, part->topic, part->partition, t->value(part->plog));
}

char *rn__logmgr_checkpoint_text(rn_logmgr_t *mgr, int which, size_t *len) {
    text_scan_t t = {.value = mgr->ckpts[which].value};
    rn__partmap_foreach(&mgr->parts, add_line, &t);
    return rn__ckpt_text_finish(&t.text, len);
}

/* Write checkpoint `which` now, on this thread. 0 or -errno. */
static int checkpoint_now(rn_logmgr_t *mgr, int which) {
    rn__logmgr_ckpt_t *c = &mgr->ckpts[which];
    size_t len;
    char *text = rn__logmgr_checkpoint_text(mgr, which, &len);
    int rc = rn__ckpt_write(&c->writer, ++c->seq, text, len);
    rn_free(text);
    return rc;
}

int rn_logmgr_checkpoint(rn_logmgr_t *mgr) {
    return checkpoint_now(mgr, RN__CKPT_RECOVERY);
}

int rn_logmgr_hw_checkpoint(rn_logmgr_t *mgr) {
    return checkpoint_now(mgr, RN__CKPT_HW);
}

typedef struct ckpt_job_s {
    uv_work_t req;
    rn_logmgr_t *mgr;
    rn__ckpt_writer_t *writer;
    uint64_t seq;
    char *text;
    size_t len;
    int status;
} ckpt_job_t;

static void ckpt_work(uv_work_t *req) {
    ckpt_job_t *job = req->data;
    job->status = rn__ckpt_write(job->writer, job->seq, job->text, job->len);
}

static void ckpt_after(uv_work_t *req, int status) {
    ckpt_job_t *job = req->data;
    if (job->status == 0 && status != 0)
        job->status = status;
    if (job->status != 0 && job->status != UV_ECANCELED)
        rn_log(RN_LOG_ERROR, "log", "%s/%s: write failed: %s", job->writer->dir, job->writer->name,
               rn_strerror(job->status));
    job->mgr->pending--;
    rn_free(job->text);
    rn_free(job);
}

/* One checkpoint timer fired: snapshot its values here, write them on the pool. */
static void checkpoint_tick(uv_timer_t *timer) {
    rn_logmgr_t *mgr = timer->data;
    int which = timer == &mgr->ckpts[RN__CKPT_HW].timer ? RN__CKPT_HW : RN__CKPT_RECOVERY;
    ckpt_job_t *job = rn_calloc(1, sizeof *job);
    job->req.data = job;
    job->mgr = mgr;
    job->writer = &mgr->ckpts[which].writer;
    job->seq = ++mgr->ckpts[which].seq;
    job->text = rn__logmgr_checkpoint_text(mgr, which, &job->len);
    mgr->pending++;
    if (uv_queue_work(mgr->loop, &job->req, ckpt_work, ckpt_after) != 0) {
        mgr->pending--;
        rn_free(job->text);
        rn_free(job);
    }
}

/* ---- timers and shutdown --------------------------------------------------------------- */

static void retention_tick(uv_timer_t *timer) {
    rn_logmgr_t *mgr = timer->data;
    (void)rn_logmgr_retention_run(mgr, rn_clock_now_ms(mgr->opts.clock));
}

static int start_timer(rn_logmgr_t *mgr, uv_timer_t *timer, uv_timer_cb cb, uint64_t first,
                       uint64_t repeat) {
    int rc = uv_timer_init(mgr->loop, timer);
    if (rc != 0)
        return rc;
    timer->data = mgr;
    mgr->timers = true;
    return uv_timer_start(timer, cb, first, repeat);
}

/* flush, retention, then one per checkpoint */
#define NTIMERS (2 + RN__NCKPTS)

static void all_timers(rn_logmgr_t *mgr, uv_timer_t **timers) {
    timers[0] = &mgr->flush_timer;
    timers[1] = &mgr->retention_timer;
    for (int i = 0; i < RN__NCKPTS; i++)
        timers[2 + i] = &mgr->ckpts[i].timer;
}

int rn__logmgr_timers_start(rn_logmgr_t *mgr) {
    /* Initialize all first, so close has every handle to close either way. */
    uv_timer_t *timers[NTIMERS];
    all_timers(mgr, timers);
    int rc = start_timer(mgr, &mgr->flush_timer, flush_tick, FLUSH_TICK_MIN_MS, 0);
    for (int i = 1; i < NTIMERS; i++) {
        if (uv_timer_init(mgr->loop, timers[i]) != 0)
            abort(); /* uv_timer_init cannot fail on a live loop */
        timers[i]->data = mgr;
    }
    int64_t ret = mgr->opts.retention_check_ms;
    if (rc == 0 && ret > 0)
        rc = uv_timer_start(&mgr->retention_timer, retention_tick, (uint64_t)ret, (uint64_t)ret);
    for (int i = 0; i < RN__NCKPTS; i++) {
        int64_t ck = mgr->ckpts[i].period_ms;
        if (rc == 0 && ck > 0)
            rc = uv_timer_start(&mgr->ckpts[i].timer, checkpoint_tick, (uint64_t)ck, (uint64_t)ck);
    }
    return rc;
}

static void on_close(uv_handle_t *handle) {
    rn_logmgr_t *mgr = handle->data;
    mgr->closing--;
}

static void any_pending(rn__part_t *part, void *arg) {
    if (rn_plog_flush_pending(part->plog))
        *(bool *)arg = true;
}

bool rn__logmgr_busy(rn_logmgr_t *mgr) {
    bool pending = mgr->closing > 0 || mgr->pending > 0;
    for (int i = 0; i < mgr->nzombies && !pending; i++)
        pending = rn_plog_flush_pending(mgr->zombies[i]);
    if (!pending)
        rn__partmap_foreach(&mgr->parts, any_pending, &pending);
    return pending;
}

void rn__logmgr_close_timers(rn_logmgr_t *mgr) {
    if (mgr->timers) {
        uv_timer_t *timers[NTIMERS];
        all_timers(mgr, timers);
        for (int i = 0; i < NTIMERS; i++) {
            mgr->closing++;
            uv_close((uv_handle_t *)timers[i], on_close);
        }
        mgr->timers = false;
    }
}

void rn__logmgr_quiesce(rn_logmgr_t *mgr) {
    rn__logmgr_close_timers(mgr);
    /* Each iteration blocks until a close callback or a thread-pool completion. If the
     * loop has nothing left to wait for, stop rather than spin. */
    while (mgr->loop != NULL && rn__logmgr_busy(mgr))
        if (uv_run(mgr->loop, UV_RUN_ONCE) == 0 && rn__logmgr_busy(mgr) && mgr->closing == 0)
            break;
    rn__logmgr_reap(mgr);
}
