/*
 * logscan.c — batch-by-batch walk of a .log file through a read window (see
 * logscan.h). Disk bytes are untrusted: every length is checked against the window and
 * the scan end before use.
 */
#include "log/logscan.h"

#include "common/alloc.h"
#include "common/crc32c.h"
#include "common/errors.h"
#include "log/fileio.h"

#define WINDOW (64u << 10)

void rn__logscan_init(rn__logscan_t *sc, int fd, int64_t start, int64_t end) {
    *sc = (rn__logscan_t){.fd = fd, .end = end, .pos = start};
}

void rn__logscan_deinit(rn__logscan_t *sc) {
    rn_free(sc->buf);
    sc->buf = NULL;
}

/* Make file bytes [pos, pos + need) available in the window; need <= end - pos. */
static int ensure(rn__logscan_t *sc, size_t need) {
    if (sc->pos >= sc->win_pos && sc->pos + (int64_t)need <= sc->win_pos + (int64_t)sc->win_len)
        return 0;
    size_t want = need > WINDOW ? need : WINDOW;
    if (want > (size_t)(sc->end - sc->pos))
        want = (size_t)(sc->end - sc->pos);
    if (sc->cap < want) {
        rn_free(sc->buf);
        sc->cap = want > WINDOW ? want : WINDOW;
        sc->buf = rn_malloc(sc->cap);
    }
    ssize_t r = rn__pread_full(sc->fd, sc->buf, want, sc->pos);
    sc->win_pos = sc->pos;
    sc->win_len = r > 0 ? (size_t)r : 0;
    if (r < 0)
        return (int)r;
    if ((size_t)r < need) {
        sc->why = "file shorter than expected";
        return RN_ECORRUPT;
    }
    return 0;
}

static const uint8_t *at_pos(const rn__logscan_t *sc) {
    return sc->buf + (sc->pos - sc->win_pos);
}

static int bad(rn__logscan_t *sc, const char *why) {
    sc->why = why;
    return RN_ECORRUPT;
}

static int is_zero(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

/* CRC32C over the batch's CRC-covered range, read in window-sized chunks. */
static int check_crc_chunked(rn__logscan_t *sc) {
    int64_t from = sc->pos + RN_BATCH_ATTR_OFFSET;
    int64_t to = sc->pos + (int64_t)rn_batch_size(&sc->hdr);
    uint32_t crc = 0;
    while (from < to) {
        size_t n = (size_t)(to - from) < sc->cap ? (size_t)(to - from) : sc->cap;
        ssize_t r = rn__pread_full(sc->fd, sc->buf, n, from);
        sc->win_len = 0; /* the window no longer mirrors the file */
        if (r < 0)
            return (int)r;
        if ((size_t)r != n)
            return bad(sc, "partial batch");
        crc = rn_crc32c_update(crc, sc->buf, n);
        from += (int64_t)n;
    }
    return crc == sc->hdr.crc ? 0 : bad(sc, "CRC mismatch");
}

static int check_whole(rn__logscan_t *sc, size_t size) {
    if (size > RN__SCAN_MAX_WINDOW)
        return check_crc_chunked(sc);
    int rc = ensure(sc, size);
    if (rc != 0)
        return rc;
    rn_batch_header_t h;
    rc = rn_batch_check(at_pos(sc), size, &h);
    if (rc == RN_ECORRUPT)
        return bad(sc, "CRC mismatch");
    return rc == 0 ? 0 : bad(sc, "malformed batch");
}

int rn__logscan_next(rn__logscan_t *sc, rn__scan_mode_t mode) {
    if (sc->pos >= sc->end)
        return 0;
    int64_t left = sc->end - sc->pos;
    size_t head = left < RN_BATCH_HEADER_SIZE ? (size_t)left : RN_BATCH_HEADER_SIZE;
    int rc = ensure(sc, head);
    if (rc != 0)
        return rc;
    if (is_zero(at_pos(sc), head < RN_BATCH_LOG_OVERHEAD ? head : RN_BATCH_LOG_OVERHEAD))
        return bad(sc, "zero fill");
    if (head < RN_BATCH_HEADER_SIZE)
        return bad(sc, "partial batch");
    size_t avail = (size_t)(sc->win_pos + (int64_t)sc->win_len - sc->pos);
    rc = rn_batch_header_decode(at_pos(sc), avail, &sc->hdr);
    if (rc == RN_EBADMAGIC)
        return bad(sc, "bad magic");
    if (rc != 0)
        return bad(sc, "malformed batch header");
    if (sc->hdr.last_offset_delta < 0 || sc->hdr.base_offset < 0)
        return bad(sc, "malformed batch header");
    size_t size = rn_batch_size(&sc->hdr);
    if ((int64_t)size > left)
        return bad(sc, "partial batch");
    if (mode == RN__SCAN_CHECK) {
        rc = check_whole(sc, size);
        if (rc != 0)
            return rc;
    }
    return 1;
}
