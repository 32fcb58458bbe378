/*
 * truncate.c — cutting the end of a partition log for replication (a follower whose
 * log diverged from the new leader's). Truncation is the only operation that moves
 * the log end backwards; it moves the recovery point back with it, and bumps
 * plog->truncations so that an fsync still in flight cannot move the recovery point
 * forward over offsets that will be rewritten.
 *
 *   before:  [ seg 0 ][ seg 1 ....|....... ][ seg 2 ]
 *                                 ^ batch holding `offset` starts here
 *   after:   [ seg 0 ][ seg 1 ....]            (seg 2 deleted; seg 1 active again)
 *
 * rn_plog_reset drops everything and starts an empty log at any offset (a follower
 * whose log ends below the leader's log start: Kafka's truncateFullyAndStartAt).
 */
#include "common/errors.h"
#include "log/plog_int.h"

/* Every batch is past `offset`: start over with an empty segment at `offset`. */
static int truncate_fully(rn_plog_t *plog, int64_t offset) {
    int rc = rn__plog_drop(plog, 0, plog->nsegs);
    if (rc != 0)
        return rc;
    rn__segment_t *seg = rn__segment_new(plog->dir, plog->env.fds, offset);
    rn__plog_push(plog, seg);
    plog->start_offset = offset;
    return rn__segment_create(seg);
}

static int truncate_at(rn_plog_t *plog, int64_t offset) {
    int i = rn__plog_find(plog, offset);
    rn__segment_t *seg = plog->segs[i];
    int64_t pos;
    rn_batch_header_t h;
    int rc = rn__segment_locate(seg, offset, plog->cfg.index_interval_bytes, &pos, &h);
    if (rc != 0)
        return rc;
    bool was_active = !seg->closed;
    rc = rn__plog_drop(plog, i + 1, plog->nsegs);
    if (rc == 0)
        rc = rn__segment_truncate(seg, pos, h.base_offset, plog->cfg.index_interval_bytes);
    if (rc != 0)
        return rc;
    if (seg->size == 0)
        seg->first_append_ms = -1;
    else if (!was_active)
        seg->first_append_ms = rn_clock_now_ms(plog->env.clock);
    return 0;
}

int rn_plog_truncate(rn_plog_t *plog, int64_t offset) {
    if (offset >= rn_plog_end_offset(plog))
        return 0;
    if (offset < 0)
        offset = 0;
    plog->truncations++;
    rn__plog_cursors_reset(plog);
    int rc =
        offset < plog->segs[0]->base ? truncate_fully(plog, offset) : truncate_at(plog, offset);
    plog->size_bytes = 0;
    for (int i = 0; i < plog->nsegs; i++)
        plog->size_bytes += plog->segs[i]->size;
    int64_t end = rn_plog_end_offset(plog);
    if (plog->recovery_point > end)
        plog->recovery_point = end;
    if (plog->start_offset > end)
        plog->start_offset = end;
    plog->dir_dirty = true;
    int erc = rn__epochs_truncate(plog, end);
    return rc != 0 ? rc : erc;
}

int rn_plog_reset(rn_plog_t *plog, int64_t offset) {
    if (offset < 0)
        return RN_EOFFSETRANGE;
    plog->truncations++;
    rn__plog_cursors_reset(plog);
    int rc = truncate_fully(plog, offset);
    plog->size_bytes = 0;
    for (int i = 0; i < plog->nsegs; i++)
        plog->size_bytes += plog->segs[i]->size;
    plog->recovery_point = rn_plog_end_offset(plog);
    plog->dir_dirty = true;
    int erc = rn__epochs_truncate(plog, -1); /* the history was about the dropped data */
    return rc != 0 ? rc : erc;
}
