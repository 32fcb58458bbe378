/*
 * plog_read.c — the read path: whole batches from the one holding an offset, and the
 * offset for a timestamp.
 *
 *   offset ──rn__plog_find──▶ segment ──offset index──▶ position at or before it
 *          ──batch headers──▶ the batch holding offset ──pread──▶ batches, back to back
 *
 * A read copies at most max_bytes (but always the first batch whole) of consecutive
 * batches, crossing into the next segment when one ends, stopping before the first
 * batch that does not end below `upto`. Every batch returned is checked with
 * rn_batch_check on the way out: a batch whose CRC does not match is never served
 * (RN_ECORRUPT when it is the first). Sequential readers skip the index: the position
 * after each read is remembered in a small cursor table keyed by offset.
 */
#include "log/plog_int.h"

#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "log/fileio.h"
#include "log/logscan.h"

typedef struct gather_s {
    uint8_t *data;
    size_t len, cap;
    size_t budget;  /* bytes still allowed after the first batch */
    int64_t offset; /* the offset asked for */
    int64_t limit;  /* only batches with last offset < limit */
    int64_t next;   /* offset after the last batch taken */
    bool done;      /* hit limit, budget, or a bad batch */
} gather_t;

static void reserve(gather_t *g, size_t extra) {
    if (g->len + extra <= g->cap)
        return;
    g->cap = g->len + extra;
    g->data = rn_realloc(g->data, g->cap);
}

/* Take whole batches from the bytes read into g->data[g->len..g->len+n); *used gets
 * their total size. The first batch of the read may need more bytes: *more_needed. */
static int take_batches(gather_t *g, size_t n, size_t *used, size_t *more_needed) {
    const uint8_t *p = g->data + g->len;
    *used = 0;
    *more_needed = 0;
    while (n - *used >= RN_BATCH_HEADER_SIZE) {
        rn_batch_header_t h;
        const uint8_t *b = p + *used;
        if (rn_batch_header_decode(b, n - *used, &h) != 0 || h.last_offset_delta < 0)
            return RN_ECORRUPT;
        bool first = g->len == 0 && *used == 0;
        if (first ? rn_batch_last_offset(&h) < g->offset : h.base_offset != g->next)
            return RN_ECORRUPT;
        if (rn_batch_last_offset(&h) >= g->limit) {
            g->done = true;
            return 0;
        }
        size_t size = rn_batch_size(&h);
        if (size > n - *used) {
            if (first)
                *more_needed = size - (n - *used);
            return 0;
        }
        if (rn_batch_check(b, size, &h) != 0)
            return RN_ECORRUPT;
        g->budget = first ? (g->budget > size ? g->budget - size : 0) : g->budget - size;
        *used += size;
        g->next = rn_batch_last_offset(&h) + 1;
    }
    return 0;
}

/* Read batches of seg from pos. Returns the position after the last batch taken. */
static int gather_segment(rn__segment_t *seg, int64_t pos, gather_t *g, int64_t *end_pos) {
    size_t left = (size_t)(seg->size - pos);
    size_t want =
        g->len == 0 && g->budget < RN_BATCH_HEADER_SIZE ? RN_BATCH_HEADER_SIZE : g->budget;
    if (want > left)
        want = left;
    int fd = rn__segment_pin(seg, RN__SEG_LOG, false);
    if (fd < 0)
        return fd;
    size_t used = 0, more = 0, n = 0;
    int rc = 0;
    for (int round = 0; rc == 0 && round < 2; round++) {
        reserve(g, n + want);
        ssize_t r = rn__pread_full(fd, g->data + g->len + n, want, pos + (int64_t)n);
        if (r < 0 || (size_t)r != want) {
            rc = r < 0 ? (int)r : RN_ECORRUPT;
            break;
        }
        n += want;
        rc = take_batches(g, n, &used, &more);
        if (more > left - n)
            rc = RN_ECORRUPT; /* the batch claims to run past the segment's end */
        if (more == 0 || rc != 0)
            break;
        want = more; /* the first batch is bigger than max_bytes: read the rest of it */
    }
    rn__segment_unpin(seg, RN__SEG_LOG);
    if (rc == RN_ECORRUPT && (g->len > 0 || used > 0)) {
        rc = 0; /* serve what was good; the next read reports the bad batch */
        g->done = true;
    }
    g->len += used;
    *end_pos = pos + (int64_t)used;
    if (used < n && !g->done)
        g->done = true; /* the next batch did not fit the budget */
    return rc;
}

static bool cursor_get(rn_plog_t *plog, int64_t offset, int *i, int64_t *pos) {
    for (int c = 0; c < RN__PLOG_CURSORS; c++) {
        rn__cursor_t *cur = &plog->cursors[c];
        if (cur->offset != offset)
            continue;
        *i = rn__plog_find(plog, offset);
        rn__segment_t *seg = plog->segs[*i];
        if (seg->base != cur->seg_base || cur->pos > seg->size)
            return false;
        *pos = cur->pos;
        if (*pos == seg->size && *i + 1 < plog->nsegs) {
            (*i)++;
            *pos = 0;
        }
        return *pos < plog->segs[*i]->size;
    }
    return false;
}

static void cursor_put(rn_plog_t *plog, int64_t offset, const rn__segment_t *seg, int64_t pos) {
    for (int c = 0; c < RN__PLOG_CURSORS; c++) {
        if (plog->cursors[c].offset == offset) {
            plog->cursors[c] = (rn__cursor_t){offset, seg->base, pos};
            return;
        }
    }
    plog->cursors[plog->cursor_next] = (rn__cursor_t){offset, seg->base, pos};
    plog->cursor_next = (plog->cursor_next + 1) % RN__PLOG_CURSORS;
}

static int gather(rn_plog_t *plog, int i, int64_t pos, gather_t *g) {
    rn__segment_t *seg = plog->segs[i];
    int64_t end_pos = pos;
    for (;;) {
        int rc = gather_segment(seg, pos, g, &end_pos);
        if (rc != 0)
            return rc;
        if (g->done || end_pos < seg->size || i + 1 == plog->nsegs || g->budget == 0)
            break;
        seg = plog->segs[++i];
        pos = 0;
    }
    if (g->len > 0)
        cursor_put(plog, g->next, seg, end_pos);
    return 0;
}

int rn_plog_read(rn_plog_t *plog, int64_t offset, size_t max_bytes, int64_t upto,
                 rn_plog_read_t *res) {
    *res = (rn_plog_read_t){NULL, 0, offset};
    int64_t end = rn_plog_end_offset(plog);
    if (offset < plog->start_offset || offset > end)
        return RN_EOFFSETRANGE;
    int64_t limit = upto < 0 || upto > end ? end : upto;
    if (offset >= limit)
        return 0;
    int i;
    int64_t pos;
    bool cached = cursor_get(plog, offset, &i, &pos);
    for (;;) {
        if (!cached) {
            i = rn__plog_find(plog, offset);
            rn_batch_header_t h;
            int rc =
                rn__segment_locate(plog->segs[i], offset, plog->cfg.index_interval_bytes, &pos, &h);
            if (rc != 0)
                return rc;
        }
        gather_t g = {.budget = max_bytes, .offset = offset, .limit = limit, .next = offset};
        int rc = gather(plog, i, pos, &g);
        if (rc == RN_ECORRUPT && cached) {
            rn_free(g.data);
            rn__plog_cursors_reset(plog);
            cached = false; /* a stale cursor: find the batch through the index */
            continue;
        }
        if (rc != 0 || g.len == 0) {
            rn_free(g.data);
            return rc;
        }
        res->data = g.data;
        res->len = g.len;
        res->next_offset = g.next;
        return 0;
    }
}

void rn_plog_read_free(rn_plog_read_t *res) {
    if (res == NULL)
        return;
    rn_free(res->data);
    res->data = NULL;
    res->len = 0;
}

/* The first batch of seg with max timestamp >= ts and not wholly below the log start. */
static int search_segment(rn_plog_t *plog, rn__segment_t *seg, int64_t ts, int64_t *offset) {
    int rc = seg->loaded ? 0 : rn__segment_load_indexes(seg);
    rn__tentry_t e = {0, 0};
    bool found = false;
    if (rc == 0 && seg->tidx.count > 0) {
        int fd = rn__segment_pin(seg, RN__SEG_TIMEINDEX, false);
        if (fd < 0)
            return fd;
        rc = rn__tindex_lookup(&seg->tidx, fd, ts, &e, &found);
        rn__segment_unpin(seg, RN__SEG_TIMEINDEX);
    }
    int64_t from = found ? seg->base + e.rel : seg->base;
    if (rc != 0 || from < seg->base || from >= seg->next_offset)
        from = seg->base; /* an index we cannot use: walk the whole segment */
    int64_t pos;
    rn_batch_header_t h;
    rc = rn__segment_locate(seg, from, plog->cfg.index_interval_bytes, &pos, &h);
    if (rc != 0)
        return rc;
    int fd = rn__segment_pin(seg, RN__SEG_LOG, false);
    if (fd < 0)
        return fd;
    rn__logscan_t sc;
    rn__logscan_init(&sc, fd, pos, seg->size);
    while ((rc = rn__logscan_next(&sc, RN__SCAN_HEADERS)) == 1) {
        if (sc.hdr.max_timestamp >= ts && rn_batch_last_offset(&sc.hdr) >= plog->start_offset)
            break;
        rn__logscan_advance(&sc);
    }
    if (rc == 1)
        *offset = sc.hdr.base_offset;
    rn__logscan_deinit(&sc);
    rn__segment_unpin(seg, RN__SEG_LOG);
    return rc == 1 ? 0 : rc == 0 ? RN_EOFFSETRANGE : rc;
}

int rn_plog_offset_for_time(rn_plog_t *plog, int64_t ts, int64_t *offset) {
    for (int i = 0; i < plog->nsegs; i++) {
        rn__segment_t *seg = plog->segs[i];
        if (seg->size == 0)
            continue;
        int64_t newest = seg->max_ts;
        int rc = 0;
        if (seg->closed)
            rc = rn__segment_newest_ts(seg, plog->cfg.index_interval_bytes, &newest);
        if (rc != 0)
            return rc;
        if (newest < ts)
            continue;
        rc = search_segment(plog, seg, ts, offset);
        if (rc == RN_EOFFSETRANGE)
            continue;
        if (rc == 0 && *offset < plog->start_offset)
            *offset = plog->start_offset;
        return rc;
    }
    return RN_EOFFSETRANGE;
}
