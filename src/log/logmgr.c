/*
 * logmgr.c — the log manager: every partition under one log directory (see logmgr.h
 * for the layout). This file holds the lifecycle — open, close, create, delete —
 * and the lookups; logmgr_tasks.c the timers and background work.
 *
 * Open, in order: remove the clean-shutdown marker (fsyncing the directory, so a
 * crash from then on is seen as unclean), read the recovery-point checkpoint (a
 * corrupt one counts as all zeros, with one WARN) and the replication-offset
 * checkpoint (a missing or corrupt one leaves every high watermark at its log start,
 * with one WARN), then open each <topic>-<partition> directory: clean after a clean
 * shutdown, else recovering from its recovery point; its high watermark is set from
 * the checkpoint. Directories named *.deleted are partitions deleted before a crash:
 * removed.
 *
 * Clean close, in order: stop timers and wait for background work, fsync every
 * partition, write both checkpoints, write the marker.
 */
#include "log/logmgr_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/logging.h"
#include "log/fileio.h"
#include "log/plog_int.h"

#define META_DIR "__meta" /* the metadata quorum's Raft log (DESIGN.md §3) */

void rn_logmgr_opts_default(rn_logmgr_opts_t *opts) {
    memset(opts, 0, sizeof *opts);
    opts->dir = "./data";
    rn_log_config_default(&opts->defaults);
    opts->retention_check_ms = 300000;
    opts->max_open_files = 1024;
    opts->clock = NULL;
    opts->checkpoint_ms = 60000;
    opts->hw_checkpoint_ms = 5000;
}

static int mkdir_p(const char *dir) {
    char path[4096];
    int n = snprintf(path, sizeof path, "%s", dir);
    if (n <= 0 || (size_t)n >= sizeof path)
        return -ENAMETOOLONG;
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return -errno;
        *p = '/';
    }
    return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -errno;
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Remove the marker; true when it was there (the last shutdown was clean). */
static bool take_clean_marker(rn_logmgr_t *mgr) {
    char path[4096];
    snprintf(path, sizeof path, "%s/" RN__CLEAN_MARKER, mgr->dir);
    if (unlink(path) != 0)
        return false;
    (void)rn__fsync_dir(mgr->dir); /* a crash from now on must look unclean */
    return true;
}

/* What the two checkpoints said at open. */
typedef struct ckpts_read_s {
    rn__ckpt_entry_t *rp, *hw; /* recovery points, high watermarks */
    size_t nrp, nhw;
    int hw_rc; /* reading the high watermarks: 0, -ENOENT, RN_ECORRUPT, -errno */
} ckpts_read_t;

static int read_checkpoint(rn_logmgr_t *mgr, const char *name, rn__ckpt_entry_t **cp, size_t *ncp,
                           const char *consequence) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", mgr->dir, name);
    *cp = NULL;
    *ncp = 0;
    int rc = rn__checkpoint_read(path, cp, ncp);
    if (rc != 0 && rc != -ENOENT)
        rn_log(RN_LOG_WARN, "log", "%s: unreadable (%s): %s", path, rn_strerror(rc), consequence);
    return rc;
}

static void read_checkpoints(rn_logmgr_t *mgr, ckpts_read_t *r) {
    (void)read_checkpoint(mgr, RN__CHECKPOINT_NAME, &r->rp, &r->nrp,
                          "every partition is recovered from offset 0");
    r->hw_rc = read_checkpoint(mgr, RN__HW_CHECKPOINT_NAME, &r->hw, &r->nhw,
                               "every high watermark starts at the log start");
}

/* Partitions exist but the high-watermark checkpoint does not: say so once. */
static void warn_hw_missing(rn_logmgr_t *mgr, const ckpts_read_t *r) {
    if (r->hw_rc == -ENOENT && mgr->parts.n > 0)
        rn_log(RN_LOG_WARN, "log",
               "%s/" RN__HW_CHECKPOINT_NAME ": missing: every high watermark starts at the "
               "log start",
               mgr->dir);
}

static bool is_dir(DIR *d, const struct dirent *de) {
    if (de->d_type == DT_DIR)
        return true;
    if (de->d_type != DT_UNKNOWN)
        return false;
    struct stat st;
    return fstatat(dirfd(d), de->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

static int open_partition(rn_logmgr_t *mgr, const char *name, bool clean, const ckpts_read_t *cp) {
    char path[4096], topic[RN__TOPIC_MAX + 1];
    snprintf(path, sizeof path, "%s/%s", mgr->dir, name);
    int32_t partition;
    if (!rn__partdir_parse(name, topic, &partition)) {
        rn_log(RN_LOG_ERROR, "log", "%s: not a partition directory (<topic>-<partition>)", path);
        return RN_ECORRUPT;
    }
    int64_t rp = rn__checkpoint_find(cp->rp, cp->nrp, topic, partition);
    int64_t hw = rn__checkpoint_find(cp->hw, cp->nhw, topic, partition);
    rn_plog_t *plog;
    int rc = rn_plog_open(path, &mgr->opts.defaults, &mgr->env, rp < 0 ? 0 : rp, clean, &plog);
    if (rc != 0) {
        rn_log(RN_LOG_ERROR, "log", "%s: cannot open the partition log: %s", path, rn_strerror(rc));
        return rc;
    }
    if (hw >= 0)
        rn_plog_set_hw(plog, hw); /* rn_plog_hw clamps it to the log */
    rn__partmap_put(&mgr->parts, topic, partition, plog);
    return 0;
}

static int open_partitions(rn_logmgr_t *mgr, bool clean, const ckpts_read_t *cp) {
    DIR *d = opendir(mgr->dir);
    if (d == NULL)
        return -errno;
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        if (name[0] == '.' || strcmp(name, META_DIR) == 0 || !is_dir(d, de))
            continue;
        if (ends_with(name, ".deleted")) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", mgr->dir, name);
            rn__trash_add(&mgr->trash, rn_strdup(path));
            continue;
        }
        rc = open_partition(mgr, name, clean, cp);
    }
    closedir(d);
    return rc;
}

static rn_logmgr_t *mgr_new(uv_loop_t *loop, const rn_logmgr_opts_t *opts) {
    rn_logmgr_t *mgr = rn_calloc(1, sizeof *mgr);
    mgr->loop = loop;
    mgr->dir = rn_strdup(opts->dir);
    mgr->opts = *opts;
    mgr->opts.dir = mgr->dir;
    mgr->env.clock = opts->clock;
    mgr->env.loop = loop;
    mgr->env.flush_observer = &mgr->flush_observer;
    mgr->ckpts[RN__CKPT_RECOVERY].period_ms = opts->checkpoint_ms;
    mgr->ckpts[RN__CKPT_RECOVERY].value = rn_plog_recovery_point;
    mgr->ckpts[RN__CKPT_HW].period_ms = opts->hw_checkpoint_ms;
    mgr->ckpts[RN__CKPT_HW].value = rn_plog_hw;
    return mgr;
}

static const char *const ckpt_names[RN__NCKPTS] = {RN__CHECKPOINT_NAME, RN__HW_CHECKPOINT_NAME};

static int writers_init(rn_logmgr_t *mgr) {
    for (int i = 0; i < RN__NCKPTS; i++) {
        int rc = rn__ckpt_writer_init(&mgr->ckpts[i].writer, mgr->dir, ckpt_names[i]);
        if (rc != 0) {
            while (i-- > 0)
                rn__ckpt_writer_deinit(&mgr->ckpts[i].writer);
            return rc;
        }
    }
    return 0;
}

int rn_logmgr_open(uv_loop_t *loop, const rn_logmgr_opts_t *opts, rn_logmgr_t **out) {
    int rc = rn_log_config_check(&opts->defaults);
    if (rc != 0)
        return rc;
    rc = mkdir_p(opts->dir);
    if (rc != 0)
        return rc;
    rn_logmgr_t *mgr = mgr_new(loop, opts);
    rc = rn_fdcache_new(opts->max_open_files > 0 ? opts->max_open_files : 1024, &mgr->fds);
    if (rc != 0) {
        rn_free(mgr->dir);
        rn_free(mgr);
        return rc;
    }
    mgr->env.fds = mgr->fds;
    rc = writers_init(mgr);
    if (rc != 0) {
        rn_fdcache_free(mgr->fds);
        rn_free(mgr->dir);
        rn_free(mgr);
        return rc;
    }
    bool clean = take_clean_marker(mgr);
    ckpts_read_t cp = {0};
    read_checkpoints(mgr, &cp);
    for (int i = 0; i < RN__NCKPTS; i++)
        rn__ckpt_remove_stale(mgr->dir, ckpt_names[i]);
    rc = open_partitions(mgr, clean, &cp);
    if (rc == 0)
        warn_hw_missing(mgr, &cp);
    rn__checkpoint_free(cp.rp, cp.nrp);
    rn__checkpoint_free(cp.hw, cp.nhw);
    if (rc == 0 && loop != NULL)
        rc = rn__logmgr_timers_start(mgr);
    if (rc != 0) {
        (void)rn_logmgr_close(mgr, false);
        return rc;
    }
    rn__logmgr_empty_trash(mgr);
    *out = mgr;
    return 0;
}

static int write_clean_marker(rn_logmgr_t *mgr) {
    char path[4096];
    snprintf(path, sizeof path, "%s/" RN__CLEAN_MARKER, mgr->dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    int rc = fsync(fd) == 0 ? 0 : -errno;
    close(fd);
    return rc == 0 ? rn__fsync_dir(mgr->dir) : rc;
}

static void close_one(rn__part_t *part, void *arg) {
    rn_logmgr_t *mgr = arg;
    rn__plog_take_trash(part->plog, &mgr->trash);
    rn_plog_close(part->plog);
    part->plog = NULL;
}

int rn_logmgr_close(rn_logmgr_t *mgr, bool clean) {
    rn__logmgr_quiesce(mgr);
    int rc = 0;
    if (clean) {
        rc = rn__logmgr_flush_all(mgr);
        if (rc == 0)
            rc = rn_logmgr_checkpoint(mgr);
        if (rc == 0)
            rc = rn_logmgr_hw_checkpoint(mgr);
        if (rc == 0)
            rc = write_clean_marker(mgr);
    }
    rn__partmap_foreach(&mgr->parts, close_one, mgr);
    rn__partmap_deinit(&mgr->parts);
    rn__trash_empty_now(&mgr->trash);
    rn__trash_deinit(&mgr->trash);
    rn_free(mgr->zombies);
    rn_fdcache_free(mgr->fds);
    for (int i = 0; i < RN__NCKPTS; i++)
        rn__ckpt_writer_deinit(&mgr->ckpts[i].writer);
    rn_free(mgr->dir);
    rn_free(mgr);
    return rc;
}

/* An asynchronous close in progress: polls until the manager is idle. */
typedef struct close_job_s {
    uv_timer_t poll;
    rn_logmgr_t *mgr;
    bool clean;
    rn_logmgr_closed_cb cb;
    void *arg;
} close_job_t;

static void close_job_finish(uv_handle_t *handle) {
    close_job_t *job = handle->data;
    /* Idle now: rn_logmgr_close finds nothing to wait for and never runs the loop. */
    int rc = rn_logmgr_close(job->mgr, job->clean);
    job->cb(job->arg, rc);
    rn_free(job);
}

static void close_job_poll(uv_timer_t *timer) {
    close_job_t *job = timer->data;
    if (!rn__logmgr_busy(job->mgr))
        uv_close((uv_handle_t *)timer, close_job_finish);
}

void rn_logmgr_close_async(rn_logmgr_t *mgr, bool clean, rn_logmgr_closed_cb cb, void *arg) {
    if (mgr->loop == NULL) {
        cb(arg, rn_logmgr_close(mgr, clean));
        return;
    }
    close_job_t *job = rn_calloc(1, sizeof *job);
    *job = (close_job_t){.mgr = mgr, .clean = clean, .cb = cb, .arg = arg};
    rn__logmgr_close_timers(mgr);
    uv_timer_init(mgr->loop, &job->poll);
    job->poll.data = job;
    uv_timer_start(&job->poll, close_job_poll, 0, 1);
}

rn_plog_t *rn_logmgr_get(rn_logmgr_t *mgr, const char *topic, int32_t partition) {
    rn__part_t *part = rn__partmap_get(&mgr->parts, topic, partition);
    return part ? part->plog : NULL;
}

int rn_logmgr_create(rn_logmgr_t *mgr, const char *topic, int32_t partition,
                     const rn_log_config_t *cfg, rn_plog_t **out) {
    if (!rn__topic_valid(topic) || partition < 0)
        return RN_ECONFIG;
    rn__part_t *part = rn__partmap_get(&mgr->parts, topic, partition);
    if (part != NULL) {
        *out = part->plog;
        return 0;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s-%" PRId32, mgr->dir, topic, partition);
    rn_plog_t *plog;
    int rc = rn_plog_open(path, cfg ? cfg : &mgr->opts.defaults, &mgr->env, 0, false, &plog);
    if (rc != 0)
        return rc;
    rn__partmap_put(&mgr->parts, topic, partition, plog);
    *out = plog;
    return 0;
}

int rn_logmgr_delete(rn_logmgr_t *mgr, const char *topic, int32_t partition) {
    rn__part_t *part = rn__partmap_get(&mgr->parts, topic, partition);
    if (part == NULL)
        return -ENOENT;
    rn_plog_t *plog = part->plog;
    char dest[4200];
    snprintf(dest, sizeof dest, "%s.%" PRId64 "-%" PRIu64 ".deleted", rn_plog_dir(plog),
             rn_clock_now_ms(NULL), ++mgr->deletions);
    if (rename(rn_plog_dir(plog), dest) != 0)
        return -errno;
    rn_free(rn__partmap_remove(&mgr->parts, topic, partition));
    rn__trash_t stale = {0}; /* paths inside the renamed directory: it goes whole */
    rn__plog_take_trash(plog, &stale);
    rn__trash_deinit(&stale);
    if (rn_plog_flush_pending(plog)) {
        if (mgr->nzombies == mgr->capzombies) {
            mgr->capzombies = mgr->capzombies ? mgr->capzombies * 2 : 4;
            mgr->zombies = rn_realloc(mgr->zombies, (size_t)mgr->capzombies * sizeof *mgr->zombies);
        }
        mgr->zombies[mgr->nzombies++] = plog;
    } else {
        rn_plog_close(plog);
    }
    rn__trash_add(&mgr->trash, rn_strdup(dest));
    rn__logmgr_empty_trash(mgr);
    return 0;
}

void rn_logmgr_set_flush_observer(rn_logmgr_t *mgr, void (*fn)(void *arg, int64_t ns, int status),
                                  void *arg) {
    mgr->flush_observer.fn = fn;
    mgr->flush_observer.arg = arg;
}

int rn_logmgr_partition_count(const rn_logmgr_t *mgr) {
    return (int)mgr->parts.n;
}

typedef struct visit_s {
    rn_logmgr_visit_fn fn;
    void *arg;
} visit_t;

static void visit_one(rn__part_t *part, void *arg) {
    visit_t *v = arg;
    v->fn(part->topic, part->partition, part->plog, v->arg);
}

void rn_logmgr_foreach(rn_logmgr_t *mgr, rn_logmgr_visit_fn fn, void *arg) {
    visit_t v = {fn, arg};
    rn__partmap_foreach(&mgr->parts, visit_one, &v);
}
