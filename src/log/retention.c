/*
 * retention.c — removing whole segments from the front of a partition log: by time
 * and size (rn_plog_retention_run, from the manager's timer) and by request
 * (rn_plog_delete_below). The active segment is never removed.
 *
 *   [ seg 0 ][ seg 1 ][ seg 2 ][ active ]
 *    \____ deletable: newest timestamp older than retention_ms, then the oldest while
 *          the partition is over retention_bytes (always a prefix)
 *
 * Deleting is a rename to *.deleted on the loop thread (the segment leaves the log at
 * once; its descriptors are released, or detached while a thread-pool fsync still
 * holds them) and an unlink later, off the loop, by rn_logmgr (or at the next open).
 */
#include "log/plog_int.h"

#include <string.h>

#include "common/errors.h"

int rn__plog_drop(rn_plog_t *plog, int from, int to) {
    int rc = 0, i = from;
    for (; i < to && rc == 0; i++) {
        rn__segment_t *seg = plog->segs[i];
        rc = rn__segment_rename_deleted(seg, rn__trash_add_cb, &plog->trash);
        if (rc != 0)
            break;
        plog->size_bytes -= seg->size;
        rn__segment_free(seg);
    }
    memmove(plog->segs + from, plog->segs + i, (size_t)(plog->nsegs - i) * sizeof *plog->segs);
    plog->nsegs -= i - from;
    plog->dir_dirty = true;
    rn__plog_cursors_reset(plog);
    return rc;
}

/* How many segments from the front are past retention_ms at now_ms. */
static int expired_by_time(rn_plog_t *plog, int64_t now_ms, int *n) {
    *n = 0;
    if (plog->cfg.retention_ms < 0)
        return 0;
    int64_t cutoff = now_ms - plog->cfg.retention_ms; /* older: newest ts < cutoff */
    while (*n < plog->nsegs - 1) {
        int64_t ts;
        int rc = rn__segment_newest_ts(plog->segs[*n], plog->cfg.index_interval_bytes, &ts);
        if (rc != 0)
            return rc;
        if (ts != INT64_MIN && ts >= cutoff)
            break;
        (*n)++;
    }
    return 0;
}

int rn_plog_retention_run(rn_plog_t *plog, int64_t now_ms) {
    int n;
    int rc = expired_by_time(plog, now_ms, &n);
    if (rc != 0)
        return rc;
    if (plog->cfg.retention_bytes >= 0) {
        int64_t size = plog->size_bytes;
        for (int i = 0; i < n; i++)
            size -= plog->segs[i]->size;
        while (n < plog->nsegs - 1 && size > plog->cfg.retention_bytes)
            size -= plog->segs[n++]->size;
    }
    if (n == 0)
        return 0;
    rc = rn__plog_drop(plog, 0, n);
    if (plog->start_offset < plog->segs[0]->base)
        plog->start_offset = plog->segs[0]->base;
    int erc = rn__epochs_truncate_start(plog, plog->start_offset);
    return rc != 0 ? rc : erc != 0 ? erc : n;
}

int rn_plog_delete_below(rn_plog_t *plog, int64_t offset) {
    if (offset > rn_plog_end_offset(plog))
        return RN_EOFFSETRANGE;
    if (offset <= plog->start_offset)
        return 0;
    plog->start_offset = offset;
    int n = 0;
    while (n < plog->nsegs - 1 && plog->segs[n]->next_offset <= offset)
        n++;
    int rc = n > 0 ? rn__plog_drop(plog, 0, n) : 0;
    int erc = rn__epochs_truncate_start(plog, offset);
    return rc != 0 ? rc : erc;
}
