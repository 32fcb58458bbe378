/*
 * segment.c — one segment's files: append, locate, truncate, close, delete (see
 * segment.h for the layout and invariants).
 *
 * Index density: a batch gets an offset index entry when it starts at least
 * index_interval bytes after the batch of the previous entry (the first at or past
 * index_interval; every batch when the interval is 0). At the same moments the time
 * index gets (max timestamp so far, its batch) if the maximum grew, so the newest
 * time index entry always describes the segment up to the newest offset index entry.
 */
#include "log/segment.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "log/fileio.h"
#include "log/logscan.h"
#include "log/segment_recover.h"

static const char *const suffixes[RN__SEG_NFILES] = {".log", ".index", ".timeindex"};

rn__segment_t *rn__segment_new(const char *dir, rn_fdcache_t *fds, int64_t base) {
    rn__segment_t *seg = rn_calloc(1, sizeof *seg);
    seg->base = base;
    seg->next_offset = base;
    seg->dir = dir;
    seg->fds = fds;
    seg->max_ts = INT64_MIN;
    seg->max_ts_offset = base;
    seg->first_append_ms = -1;
    for (int k = 0; k < RN__SEG_NFILES; k++)
        seg->size_hint[k] = -1;
    return seg;
}

void rn__segment_free(rn__segment_t *seg) {
    if (seg == NULL)
        return;
    for (int k = 0; k < RN__SEG_NFILES; k++)
        rn_fdcache_release(seg->fds, &seg->slot[k]);
    rn_free(seg);
}

const char *rn__segment_suffix(int kind) {
    return suffixes[kind];
}

void rn__segment_path(const rn__segment_t *seg, int kind, char *buf) {
    snprintf(buf, RN__SEG_PATH_MAX, "%s/%020" PRId64 "%s", seg->dir, seg->base, suffixes[kind]);
}

int rn__segment_pin(rn__segment_t *seg, int kind, bool create) {
    char path[RN__SEG_PATH_MAX];
    rn__segment_path(seg, kind, path);
    return rn_fdcache_pin(seg->fds, &seg->slot[kind], path, O_RDWR | (create ? O_CREAT : 0));
}

void rn__segment_unpin(rn__segment_t *seg, int kind) {
    rn_fdcache_unpin(seg->fds, seg->slot[kind]);
}

int rn__segment_create(rn__segment_t *seg) {
    char path[RN__SEG_PATH_MAX];
    for (int k = 0; k < RN__SEG_NFILES; k++) {
        rn__segment_path(seg, k, path);
        int fd = rn_fdcache_pin(seg->fds, &seg->slot[k], path, O_RDWR | O_CREAT | O_TRUNC);
        if (fd < 0)
            return fd;
        rn_fdcache_unpin(seg->fds, seg->slot[k]);
    }
    seg->oidx = (rn__oindex_t){0, {0, 0}};
    seg->tidx = (rn__tindex_t){0, {0, 0}};
    seg->size = 0;
    seg->next_offset = seg->base;
    seg->loaded = true;
    return 0;
}

/* Load one index file's count and last entry; an empty or missing file needs no
 * descriptor (open listed the sizes). */
static int load_one(rn__segment_t *seg, int kind) {
    int64_t hint = seg->size_hint[kind];
    seg->size_hint[kind] = -1;
    if (hint == 0) {
        if (kind == RN__SEG_INDEX)
            seg->oidx = (rn__oindex_t){0, {0, 0}};
        else
            seg->tidx = (rn__tindex_t){0, {0, 0}};
        return 0;
    }
    int fd = rn__segment_pin(seg, kind, false);
    if (fd == -ENOENT) {
        seg->size_hint[kind] = 0; /* missing: as empty */
        return load_one(seg, kind);
    }
    if (fd < 0)
        return fd;
    int rc =
        kind == RN__SEG_INDEX ? rn__oindex_load(&seg->oidx, fd) : rn__tindex_load(&seg->tidx, fd);
    rn__segment_unpin(seg, kind);
    return rc;
}

int rn__segment_load_indexes(rn__segment_t *seg) {
    int rc = load_one(seg, RN__SEG_INDEX);
    if (rc == 0)
        rc = load_one(seg, RN__SEG_TIMEINDEX);
    if (rc != 0)
        return rc;
    seg->loaded = true;
    if (seg->tidx.count > 0 && seg->tidx.last.ts > seg->max_ts) {
        seg->max_ts = seg->tidx.last.ts;
        seg->max_ts_offset = seg->base + seg->tidx.last.rel;
    }
    return 0;
}

static bool index_due(const rn__segment_t *seg, int64_t pos, int32_t interval) {
    if (seg->oidx.count == 0)
        return pos >= interval;
    return pos >= (int64_t)seg->oidx.last.pos + (interval > 0 ? interval : 1);
}

/* Add the index entries for a batch just written at pos; on failure undo them. */
static int index_batch(rn__segment_t *seg, int64_t pos, const rn_batch_header_t *h,
                       int32_t interval) {
    int64_t max_ts = seg->max_ts, max_off = seg->max_ts_offset;
    if (h->max_timestamp > max_ts) {
        max_ts = h->max_timestamp;
        max_off = h->base_offset;
    }
    if (index_due(seg, pos, interval)) {
        rn__oentry_t e = {(uint32_t)(h->base_offset - seg->base), (uint32_t)pos};
        int ifd = rn__segment_pin(seg, RN__SEG_INDEX, true);
        if (ifd < 0)
            return ifd;
        int rc = rn__oindex_append(&seg->oidx, ifd, &e, 1);
        int tfd = rc == 0 ? rn__segment_pin(seg, RN__SEG_TIMEINDEX, true) : 0;
        if (rc == 0 && tfd < 0)
            rc = tfd;
        if (rc == 0) {
            rc = rn__tindex_maybe_append(&seg->tidx, tfd, max_ts, (uint32_t)(max_off - seg->base));
            rn__segment_unpin(seg, RN__SEG_TIMEINDEX);
        }
        if (rc != 0 && seg->oidx.count > 0 && seg->oidx.last.rel == e.rel)
            (void)rn__oindex_truncate(&seg->oidx, ifd, e.rel);
        rn__segment_unpin(seg, RN__SEG_INDEX);
        if (rc != 0)
            return rc;
    }
    seg->max_ts = max_ts;
    seg->max_ts_offset = max_off;
    return 0;
}

int rn__segment_append(rn__segment_t *seg, const uint8_t *batch, size_t len,
                       const rn_batch_header_t *h, int32_t index_interval) {
    int fd = rn__segment_pin(seg, RN__SEG_LOG, false);
    if (fd < 0)
        return fd;
    int rc = rn__pwrite_full(fd, batch, len, seg->size);
    if (rc == 0)
        rc = index_batch(seg, seg->size, h, index_interval);
    if (rc != 0) {
        /* A short or failed write must not leave half a batch behind. */
        (void)ftruncate(fd, (off_t)seg->size);
    } else {
        seg->size += (int64_t)len;
        seg->next_offset = rn_batch_last_offset(h) + 1;
    }
    rn__segment_unpin(seg, RN__SEG_LOG);
    return rc;
}

/* One attempt: index lookup, then walk headers. *stale when the index entry does not
 * match the batch at its position. */
static int locate_once(rn__segment_t *seg, int64_t offset, int64_t *pos, rn_batch_header_t *h,
                       bool *stale) {
    rn__oentry_t e = {0, 0};
    if (!seg->loaded) {
        int rc = rn__segment_load_indexes(seg);
        if (rc != 0) {
            *stale = rc == RN_ECORRUPT;
            return rc;
        }
    }
    if (seg->oidx.count > 0) {
        int ifd = rn__segment_pin(seg, RN__SEG_INDEX, false);
        if (ifd < 0)
            return ifd;
        int rc = rn__oindex_lookup(&seg->oidx, ifd, (uint32_t)(offset - seg->base), &e);
        rn__segment_unpin(seg, RN__SEG_INDEX);
        if (rc != 0) {
            *stale = rc == RN_ECORRUPT;
            return rc;
        }
    }
    int fd = rn__segment_pin(seg, RN__SEG_LOG, false);
    if (fd < 0)
        return fd;
    rn__logscan_t sc;
    rn__logscan_init(&sc, fd, e.pos, seg->size);
    int rc = rn__logscan_next(&sc, RN__SCAN_HEADERS);
    if (rc == 1 && sc.hdr.base_offset != seg->base + e.rel)
        rc = RN_ECORRUPT;
    *stale = rc != 1 && e.pos > 0;
    while (rc == 1 && rn_batch_last_offset(&sc.hdr) < offset) {
        rn__logscan_advance(&sc);
        rc = rn__logscan_next(&sc, RN__SCAN_HEADERS);
    }
    if (rc == 1) {
        *pos = sc.pos;
        *h = sc.hdr;
        rc = 0;
    } else if (rc == 0) {
        rc = RN_EOFFSETRANGE;
    }
    rn__logscan_deinit(&sc);
    rn__segment_unpin(seg, RN__SEG_LOG);
    return rc;
}

int rn__segment_locate(rn__segment_t *seg, int64_t offset, int32_t index_interval, int64_t *pos,
                       rn_batch_header_t *h) {
    if (offset < seg->base || offset >= seg->next_offset)
        return RN_EOFFSETRANGE;
    bool stale = false;
    int rc = locate_once(seg, offset, pos, h, &stale);
    if (!stale)
        return rc;
    rn__recover_t res;
    rc = rn__segment_recover(seg, RN__SCAN_CHECK, seg->base, index_interval, &res);
    if (rc != 0)
        return rc;
    rc = locate_once(seg, offset, pos, h, &stale);
    return stale ? RN_ECORRUPT : rc;
}

int rn__segment_close_active(rn__segment_t *seg) {
    seg->closed = true;
    if (seg->max_ts == INT64_MIN)
        return 0;
    int fd = rn__segment_pin(seg, RN__SEG_TIMEINDEX, true);
    if (fd < 0)
        return fd;
    int rc = rn__tindex_maybe_append(&seg->tidx, fd, seg->max_ts,
                                     (uint32_t)(seg->max_ts_offset - seg->base));
    rn__segment_unpin(seg, RN__SEG_TIMEINDEX);
    return rc;
}

int rn__segment_newest_ts(rn__segment_t *seg, int32_t index_interval, int64_t *ts) {
    int rc = 0;
    if (seg->closed && !seg->loaded)
        rc = rn__segment_load_indexes(seg);
    if ((rc == RN_ECORRUPT || (rc == 0 && seg->tidx.count == 0)) && seg->size > 0) {
        rn__recover_t res;
        rc = rn__segment_recover(seg, RN__SCAN_CHECK, seg->base, index_interval, &res);
    }
    *ts = seg->max_ts;
    return rc;
}

/* Largest batch max timestamp among the batches in [from, to) of the .log. */
static int scan_max_ts(rn__segment_t *seg, int fd, int64_t from, int64_t to) {
    rn__logscan_t sc;
    rn__logscan_init(&sc, fd, from, to);
    int rc;
    while ((rc = rn__logscan_next(&sc, RN__SCAN_HEADERS)) == 1) {
        if (sc.hdr.max_timestamp > seg->max_ts) {
            seg->max_ts = sc.hdr.max_timestamp;
            seg->max_ts_offset = sc.hdr.base_offset;
        }
        rn__logscan_advance(&sc);
    }
    rn__logscan_deinit(&sc);
    return rc;
}

static int truncate_indexes(rn__segment_t *seg, uint32_t rel) {
    int fd = rn__segment_pin(seg, RN__SEG_INDEX, true);
    if (fd < 0)
        return fd;
    int rc = rn__oindex_truncate(&seg->oidx, fd, rel);
    rn__segment_unpin(seg, RN__SEG_INDEX);
    if (rc != 0)
        return rc;
    fd = rn__segment_pin(seg, RN__SEG_TIMEINDEX, true);
    if (fd < 0)
        return fd;
    rc = rn__tindex_truncate(&seg->tidx, fd, rel);
    rn__segment_unpin(seg, RN__SEG_TIMEINDEX);
    return rc;
}

int rn__segment_truncate(rn__segment_t *seg, int64_t pos, int64_t next_offset,
                         int32_t index_interval) {
    int rc = seg->loaded ? 0 : rn__segment_load_indexes(seg);
    if (rc == RN_ECORRUPT) {
        rn__recover_t res;
        rc = rn__segment_recover(seg, RN__SCAN_HEADERS, seg->base, index_interval, &res);
    }
    if (rc != 0)
        return rc;
    int fd = rn__segment_pin(seg, RN__SEG_LOG, false);
    if (fd < 0)
        return fd;
    rc = ftruncate(fd, (off_t)pos) == 0 ? 0 : -errno;
    if (rc == 0)
        rc = truncate_indexes(seg, (uint32_t)(next_offset - seg->base));
    if (rc == 0) {
        /* The time index's last entry covers the log up to the last offset index
         * entry; the batches after it are read for the rest. */
        seg->max_ts = seg->tidx.count ? seg->tidx.last.ts : INT64_MIN;
        seg->max_ts_offset = seg->base + seg->tidx.last.rel;
        rc = scan_max_ts(seg, fd, seg->oidx.count ? seg->oidx.last.pos : 0, pos);
        rc = rc < 0 ? rc : 0;
    }
    if (rc == 0) {
        seg->size = pos;
        seg->next_offset = next_offset;
        seg->closed = false;
    }
    rn__segment_unpin(seg, RN__SEG_LOG);
    return rc;
}

int rn__segment_rename_deleted(rn__segment_t *seg, void (*add)(char *path, void *arg), void *arg) {
    char path[RN__SEG_PATH_MAX], dest[RN__SEG_PATH_MAX + 8];
    for (int k = 0; k < RN__SEG_NFILES; k++) {
        rn_fdcache_release(seg->fds, &seg->slot[k]);
        rn__segment_path(seg, k, path);
        snprintf(dest, sizeof dest, "%s.deleted", path);
        if (rename(path, dest) != 0) {
            if (errno == ENOENT)
                continue;
            return -errno;
        }
        add(rn_strdup(dest), arg);
    }
    return 0;
}
