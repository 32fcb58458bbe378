/*
 * recovery.c — making a partition log consistent after an unclean shutdown.
 *
 *   segs:  [ 0 ][ 1 ][ 2 .......... ][ 3 (active) ]
 *                        ^ recovery point: everything below is known fsynced
 *          indexes        every batch from the index entry at or before the recovery
 *          sanity-        point to the end is re-read: whole, CRC-clean, offsets
 *          checked        contiguous (each base offset = previous last offset + 1)
 *
 * The first batch that fails ends the log: its segment is cut there (ftruncate), every
 * later segment is deleted, and exactly one WARN line names the file, the position,
 * the offset and the reason. Indexes past the recovery point are rebuilt from the
 * batches; below it they are kept when they pass a cheap sanity check (size a
 * multiple of the entry size, entries increasing, positions within the .log).
 * This file is the boundary that handles corrupt disk data: it logs, nobody below it
 * does.
 */
#include "log/plog_int.h"

#include <inttypes.h>
#include <string.h>

#include "common/errors.h"
#include "common/logging.h"
#include "log/segment_recover.h"

static void warn_truncated(const rn_plog_t *plog, const rn__segment_t *seg,
                           const rn__recover_t *res, const char *why, int64_t dropped, int later) {
    char path[RN__SEG_PATH_MAX];
    rn__segment_path(seg, RN__SEG_LOG, path);
    const char *file = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    rn_log(RN_LOG_WARN, "log",
           "%s@%" PRId64 ": %s at position %" PRId64 " of %s: truncated the log there "
           "(%" PRId64 " bytes dropped, %d later segment%s deleted)",
           plog->name, res->next_offset, why, res->end_pos, file, dropped, later,
           later == 1 ? "" : "s");
}

int rn__plog_recover_segment(rn_plog_t *plog, int i, int64_t from_offset, bool *stopped) {
    rn__segment_t *seg = plog->segs[i];
    int32_t interval = plog->cfg.index_interval_bytes;
    rn__recover_t res;
    int rc = rn__segment_recover(seg, RN__SCAN_CHECK, from_offset, interval, &res);
    if (rc != 0)
        return rc;
    const char *why = res.why;
    bool last = i == plog->nsegs - 1;
    if (why == NULL && !last && res.next_offset != plog->segs[i + 1]->base)
        why = "the next segment does not continue the offsets";
    if (why == NULL) {
        seg->size = res.end_pos;
        seg->next_offset = res.next_offset;
        return 0;
    }
    int64_t dropped = res.file_size - res.end_pos;
    for (int j = i + 1; j < plog->nsegs; j++)
        dropped += plog->segs[j]->size;
    int later = plog->nsegs - 1 - i;
    rc = rn__plog_drop(plog, i + 1, plog->nsegs);
    if (rc == 0)
        rc = rn__segment_truncate(seg, res.end_pos, res.next_offset, interval);
    if (rc != 0)
        return rc;
    warn_truncated(plog, seg, &res, why, dropped, later);
    *stopped = true;
    return 0;
}

/* Cheap sanity check of a segment's indexes below the recovery point. */
static int indexes_sane(rn__segment_t *seg, bool *sane) {
    *sane = false;
    int rc = rn__segment_load_indexes(seg);
    if (rc == RN_ECORRUPT)
        return 0;
    if (rc != 0)
        return rc;
    int fd = rn__segment_pin(seg, RN__SEG_INDEX, true);
    if (fd < 0)
        return fd;
    rc = rn__oindex_check(&seg->oidx, fd, seg->size);
    rn__segment_unpin(seg, RN__SEG_INDEX);
    if (rc == 0) {
        fd = rn__segment_pin(seg, RN__SEG_TIMEINDEX, true);
        if (fd < 0)
            return fd;
        rc = rn__tindex_check(&seg->tidx, fd, seg->next_offset - seg->base);
        rn__segment_unpin(seg, RN__SEG_TIMEINDEX);
    }
    *sane = rc == 0 && !(seg->size > 0 && seg->tidx.count == 0);
    return rc == RN_ECORRUPT ? 0 : rc;
}

int rn__plog_recover(rn_plog_t *plog, int64_t recovery_point, const bool *rebuild) {
    int first = rn__plog_find(plog, recovery_point);
    bool stopped = false;
    for (int i = 0; i < first; i++) {
        bool sane = false;
        int rc = rebuild[i] ? 0 : indexes_sane(plog->segs[i], &sane);
        if (rc == 0 && !sane)
            rc = rn__plog_recover_segment(plog, i, plog->segs[i]->base, &stopped);
        if (rc != 0 || stopped)
            return rc;
    }
    for (int i = first; i < plog->nsegs && !stopped; i++) {
        int64_t from = plog->segs[i]->base;
        if (i == first && recovery_point > from)
            from = recovery_point;
        int rc = rn__plog_recover_segment(plog, i, from, &stopped);
        if (rc != 0)
            return rc;
    }
    return 0;
}
