/*
 * segment_recover.c — verify a segment's batches and rebuild its indexes (see
 * segment_recover.h). Everything read here is untrusted: index entries are only
 * starting hints, checked against the batch they point at.
 */
#include "log/segment_recover.h"

#include <errno.h>
#include <unistd.h>

#include "common/errors.h"
#include "log/fileio.h"

#define OBUF 64

typedef struct walk_s {
    rn__segment_t *seg;
    int fd[RN__SEG_NFILES];
    int32_t interval;
    int64_t last_index_pos; /* position of the last offset index entry, -1: none */
    rn__oentry_t obuf[OBUF];
    size_t nobuf;
} walk_t;

static int pin_all(rn__segment_t *seg, int fd[RN__SEG_NFILES]) {
    for (int k = 0; k < RN__SEG_NFILES; k++) {
        fd[k] = rn__segment_pin(seg, k, k != RN__SEG_LOG);
        if (fd[k] < 0) {
            int rc = fd[k];
            while (k-- > 0)
                rn__segment_unpin(seg, k);
            return rc;
        }
    }
    return 0;
}

static void unpin_all(rn__segment_t *seg) {
    for (int k = 0; k < RN__SEG_NFILES; k++)
        rn__segment_unpin(seg, k);
}

static int reset_indexes(walk_t *w) {
    rn__segment_t *seg = w->seg;
    if (ftruncate(w->fd[RN__SEG_INDEX], 0) != 0 || ftruncate(w->fd[RN__SEG_TIMEINDEX], 0) != 0)
        return -errno;
    seg->oidx = (rn__oindex_t){0, {0, 0}};
    seg->tidx = (rn__tindex_t){0, {0, 0}};
    return 0;
}

/* Pick the walk's start: the last index entry at or before from_offset, when the
 * indexes load and that entry is inside the file; else the segment start. */
static int choose_start(walk_t *w, int64_t from_offset, rn__recover_t *res) {
    rn__segment_t *seg = w->seg;
    res->start_pos = 0;
    res->next_offset = seg->base;
    int rc = rn__oindex_load(&seg->oidx, w->fd[RN__SEG_INDEX]);
    if (rc == 0)
        rc = rn__tindex_load(&seg->tidx, w->fd[RN__SEG_TIMEINDEX]);
    if (rc != 0 && rc != RN_ECORRUPT)
        return rc;
    rn__oentry_t e = {0, 0};
    if (rc == 0 && from_offset > seg->base) {
        int64_t rel = from_offset - seg->base;
        rc = rn__oindex_lookup(&seg->oidx, w->fd[RN__SEG_INDEX],
                               rel > UINT32_MAX ? UINT32_MAX : (uint32_t)rel, &e);
        if (rc != 0 && rc != RN_ECORRUPT)
            return rc;
    }
    if (rc != 0 || e.pos == 0 || e.pos >= res->file_size || e.rel == UINT32_MAX)
        return reset_indexes(w);
    rc = rn__oindex_truncate(&seg->oidx, w->fd[RN__SEG_INDEX], e.rel + 1);
    if (rc == 0)
        rc = rn__tindex_truncate(&seg->tidx, w->fd[RN__SEG_TIMEINDEX], e.rel + 1);
    res->start_pos = e.pos;
    res->next_offset = seg->base + e.rel;
    return rc;
}

static int flush_obuf(walk_t *w) {
    int rc = rn__oindex_append(&w->seg->oidx, w->fd[RN__SEG_INDEX], w->obuf, w->nobuf);
    w->nobuf = 0;
    return rc;
}

/* Account one good batch at pos: max timestamp, and index entries when due. */
static int index_one(walk_t *w, int64_t pos, const rn_batch_header_t *h) {
    rn__segment_t *seg = w->seg;
    if (h->max_timestamp > seg->max_ts) {
        seg->max_ts = h->max_timestamp;
        seg->max_ts_offset = h->base_offset;
    }
    int32_t step = w->interval > 0 ? w->interval : 1;
    int64_t due = w->last_index_pos < 0 ? w->interval : w->last_index_pos + step;
    if (pos < due)
        return 0;
    w->obuf[w->nobuf++] = (rn__oentry_t){(uint32_t)(h->base_offset - seg->base), (uint32_t)pos};
    w->last_index_pos = pos;
    int rc = w->nobuf == OBUF ? flush_obuf(w) : 0;
    if (rc == 0)
        rc = rn__tindex_maybe_append(&seg->tidx, w->fd[RN__SEG_TIMEINDEX], seg->max_ts,
                                     (uint32_t)(seg->max_ts_offset - seg->base));
    return rc;
}

static int walk(walk_t *w, rn__scan_mode_t mode, rn__recover_t *res) {
    rn__segment_t *seg = w->seg;
    seg->max_ts = seg->tidx.count ? seg->tidx.last.ts : INT64_MIN;
    seg->max_ts_offset = seg->base + seg->tidx.last.rel;
    w->last_index_pos = seg->oidx.count ? (int64_t)seg->oidx.last.pos : -1;
    rn__logscan_t sc;
    rn__logscan_init(&sc, w->fd[RN__SEG_LOG], res->start_pos, res->file_size);
    int rc;
    res->why = NULL;
    while ((rc = rn__logscan_next(&sc, mode)) == 1) {
        if (sc.hdr.base_offset != res->next_offset) {
            res->why = "offsets not contiguous";
            break;
        }
        if (rn_batch_last_offset(&sc.hdr) - seg->base > UINT32_MAX) {
            res->why = "offset beyond the segment's range";
            break;
        }
        rc = index_one(w, sc.pos, &sc.hdr);
        if (rc != 0)
            break;
        res->next_offset = rn_batch_last_offset(&sc.hdr) + 1;
        rn__logscan_advance(&sc);
    }
    if (rc == RN_ECORRUPT) {
        res->why = sc.why;
        rc = 0;
    }
    res->end_pos = sc.pos;
    rn__logscan_deinit(&sc);
    if (rc == 1)
        rc = 0;
    if (rc == 0 && w->nobuf > 0)
        rc = flush_obuf(w);
    return rc;
}

int rn__segment_recover(rn__segment_t *seg, rn__scan_mode_t mode, int64_t from_offset,
                        int32_t index_interval, rn__recover_t *res) {
    walk_t w = {.seg = seg, .interval = index_interval};
    for (int k = 0; k < RN__SEG_NFILES; k++)
        seg->size_hint[k] = -1; /* the files are about to change */
    int rc = pin_all(seg, w.fd);
    if (rc != 0)
        return rc;
    res->file_size = rn__file_size(w.fd[RN__SEG_LOG]);
    rc = res->file_size < 0 ? (int)res->file_size : choose_start(&w, from_offset, res);
    if (rc == 0)
        rc = walk(&w, mode, res);
    if (rc == 0 && res->why != NULL && res->start_pos > 0 && res->end_pos == res->start_pos) {
        /* The index entry we resumed from does not match the log: start over. */
        rc = reset_indexes(&w);
        res->start_pos = 0;
        res->next_offset = seg->base;
        if (rc == 0)
            rc = walk(&w, mode, res);
    }
    if (rc == 0 && seg->closed && seg->max_ts != INT64_MIN)
        rc = rn__tindex_maybe_append(&seg->tidx, w.fd[RN__SEG_TIMEINDEX], seg->max_ts,
                                     (uint32_t)(seg->max_ts_offset - seg->base));
    if (rc == 0)
        seg->loaded = true;
    unpin_all(seg);
    return rc;
}
