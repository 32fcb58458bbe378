/*
 * plog.c — the partition log's write path: append (leader and follower), roll, and
 * the accessors (see plog.h for the contract, plog_int.h for the state).
 *
 * Append order: record a new leader epoch (epochs.c), decide the roll, write(2) the
 * batch at the end of the active .log, add index entries, then advance the log end.
 * A failure at any step cuts the files back (and forgets the new epoch), so the log
 * end only ever covers whole batches.
 *
 * Roll rules, checked before each append into a non-empty active segment:
 *   - size:  active size + batch > segment_bytes (a batch bigger than segment_bytes
 *            still goes alone into a fresh segment: an empty segment takes anything);
 *   - age:   now - first append into the segment > segment_ms (injected clock);
 *   - range: the batch's last offset would not fit the 32-bit relative offsets.
 */
#include "log/plog_int.h"

#include <assert.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "proto/batch.h"

int rn__plog_find(const rn_plog_t *plog, int64_t offset) {
    int lo = 0, hi = plog->nsegs - 1;
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (plog->segs[mid]->base <= offset)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

void rn__plog_push(rn_plog_t *plog, rn__segment_t *seg) {
    if (plog->nsegs == plog->capsegs) {
        plog->capsegs = plog->capsegs ? plog->capsegs * 2 : 4;
        plog->segs = rn_realloc(plog->segs, (size_t)plog->capsegs * sizeof *plog->segs);
    }
    plog->segs[plog->nsegs++] = seg;
}

void rn__plog_cursors_reset(rn_plog_t *plog) {
    for (int i = 0; i < RN__PLOG_CURSORS; i++)
        plog->cursors[i].offset = -1;
}

int rn_plog_set_config(rn_plog_t *plog, const rn_log_config_t *cfg) {
    int rc = rn_log_config_check(cfg);
    if (rc == 0)
        plog->cfg = *cfg;
    return rc;
}

const rn_log_config_t *rn_plog_config(const rn_plog_t *plog) {
    return &plog->cfg;
}

int64_t rn_plog_start_offset(const rn_plog_t *plog) {
    return plog->start_offset;
}

int64_t rn_plog_end_offset(const rn_plog_t *plog) {
    return rn__plog_active(plog)->next_offset;
}

int64_t rn_plog_size_bytes(const rn_plog_t *plog) {
    return plog->size_bytes;
}

int rn_plog_segment_count(const rn_plog_t *plog) {
    return plog->nsegs;
}

int64_t rn_plog_recovery_point(const rn_plog_t *plog) {
    return plog->recovery_point;
}

const char *rn_plog_dir(const rn_plog_t *plog) {
    return plog->dir;
}

void rn_plog_set_hw(rn_plog_t *plog, int64_t hw) {
    plog->hw = hw;
}

int64_t rn_plog_hw(const rn_plog_t *plog) {
    int64_t end = rn_plog_end_offset(plog);
    if (plog->hw > end)
        return end;
    return plog->hw < plog->start_offset ? plog->start_offset : plog->hw;
}

int rn__plog_roll(rn_plog_t *plog, int64_t base) {
    rn__segment_t *old = rn__plog_active(plog);
    rn__segment_t *seg = rn__segment_new(plog->dir, plog->env.fds, base);
    int rc = rn__segment_create(seg);
    if (rc == 0)
        rc = rn__segment_close_active(old);
    if (rc != 0) {
        old->closed = false;
        for (int k = 0; k < RN__SEG_NFILES; k++) {
            char path[RN__SEG_PATH_MAX];
            rn__segment_path(seg, k, path);
            (void)unlink(path);
        }
        rn__segment_free(seg);
        return rc;
    }
    rn__plog_push(plog, seg);
    plog->dir_dirty = true;
    return 0;
}

static bool should_roll(const rn_plog_t *plog, size_t len, const rn_batch_header_t *h,
                        int64_t now) {
    const rn__segment_t *seg = rn__plog_active(plog);
    if (seg->size == 0)
        return false;
    if (seg->size + (int64_t)len > plog->cfg.segment_bytes)
        return true;
    if (seg->first_append_ms >= 0 && now - seg->first_append_ms > plog->cfg.segment_ms)
        return true;
    return rn_batch_last_offset(h) - seg->base > (int64_t)UINT32_MAX;
}

/* Roll if due, write the batch (offsets already final) and account for it. */
static int append_batch(rn_plog_t *plog, const uint8_t *batch, size_t len,
                        const rn_batch_header_t *h) {
    int64_t now = rn_clock_now_ms(plog->env.clock);
    bool rolled = false;
    if (should_roll(plog, len, h, now)) {
        int rc = rn__plog_roll(plog, h->base_offset);
        if (rc != 0)
            return rc;
        rolled = true;
    }
    rn__segment_t *seg = rn__plog_active(plog);
    int rc = rn__segment_append(seg, batch, len, h, plog->cfg.index_interval_bytes);
    if (rc != 0)
        return rc;
    if (seg->first_append_ms < 0)
        seg->first_append_ms = now;
    plog->size_bytes += (int64_t)len;
    plog->unflushed_msgs += h->records_count > 0 ? h->records_count : 1;
    if (rolled)
        rn__plog_flush_on_roll(plog);
    rn__plog_flush_policy(plog, now);
    return 0;
}

/* What every append checks about the bytes: exactly one whole batch. */
static int check_shape(size_t len, const rn_batch_header_t *h) {
    if (rn_batch_size(h) != len || h->last_offset_delta < 0)
        return RN_EMALFORMED;
    return 0;
}

int rn_plog_append(rn_plog_t *plog, uint8_t *batch, size_t len, int32_t leader_epoch,
                   int64_t *base_offset) {
    if (len > (size_t)plog->cfg.max_message_bytes)
        return RN_ETOOLARGE;
    rn_batch_header_t h;
    int rc = rn_batch_header_decode(batch, len, &h);
    if (rc == 0)
        rc = check_shape(len, &h);
    if (rc != 0)
        return rc;
    h.base_offset = rn_plog_end_offset(plog);
    h.partition_leader_epoch = leader_epoch;
    rc = rn__epochs_assign(plog, leader_epoch, h.base_offset);
    if (rc != 0)
        return rc;
    rn_batch_stamp(batch, h.base_offset, leader_epoch);
    rc = append_batch(plog, batch, len, &h);
    if (rc != 0)
        (void)rn__epochs_truncate(plog, h.base_offset);
    if (rc == 0 && base_offset != NULL)
        *base_offset = h.base_offset;
    return rc;
}

int rn_plog_append_replica(rn_plog_t *plog, const uint8_t *batch, size_t len) {
    if (len > (size_t)plog->cfg.max_message_bytes)
        return RN_ETOOLARGE;
    rn_batch_header_t h;
    int rc = rn_batch_check(batch, len, &h);
    if (rc == 0)
        rc = check_shape(len, &h);
    if (rc != 0)
        return rc;
    if (h.base_offset != rn_plog_end_offset(plog))
        return RN_EBADOFFSET;
    rc = rn__epochs_assign(plog, h.partition_leader_epoch, h.base_offset);
    if (rc == 0)
        rc = append_batch(plog, batch, len, &h);
    if (rc != 0)
        (void)rn__epochs_truncate(plog, h.base_offset);
    return rc;
}
