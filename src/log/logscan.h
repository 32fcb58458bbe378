/*
 * logscan.h — walk the record batches of a .log file, one header at a time, through a
 * read window (a few preads for many small batches, never the whole file at once).
 *
 *   pos                      pos + size                  end
 *   | baseOffset | batchLength | ... records ... | next batch ... |
 *   \_______ decoded into hdr ___/
 *
 * In RN__SCAN_CHECK mode each batch is also checked whole with rn_batch_check (CRC
 * and lengths); batches larger than RN__SCAN_MAX_WINDOW are CRC-checked in chunks
 * instead of being held in memory at once. Anything that is not a whole, well-formed
 * batch ending at or before `end` is RN_ECORRUPT, with `why` naming it for the one log
 * line recovery writes ("partial batch", "zero fill", "CRC mismatch", ...).
 */
#ifndef RN_LOG_LOGSCAN_H
#define RN_LOG_LOGSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "proto/batch.h"

#define RN__SCAN_MAX_WINDOW (16u << 20)

typedef enum {
    RN__SCAN_HEADERS, /* trust the bytes: decode headers only */
    RN__SCAN_CHECK,   /* verify each whole batch (recovery, index rebuild) */
} rn__scan_mode_t;

typedef struct rn__logscan_s {
    int fd;
    int64_t end;           /* the scan stops here (the segment's size) */
    int64_t pos;           /* start of the current batch */
    rn_batch_header_t hdr; /* the current batch, after rn__logscan_next returned 1 */
    const char *why;       /* after RN_ECORRUPT: what was wrong */
    uint8_t *buf;          /* read window: file bytes [win_pos, win_pos + win_len) */
    size_t cap;
    int64_t win_pos;
    size_t win_len;
} rn__logscan_t;

void rn__logscan_init(rn__logscan_t *sc, int fd, int64_t start, int64_t end);
void rn__logscan_deinit(rn__logscan_t *sc);

/* Decode (and in CHECK mode verify) the batch at sc->pos. Returns 1 with sc->hdr set,
 * 0 when pos == end, RN_ECORRUPT (sc->why set) or -errno. */
int rn__logscan_next(rn__logscan_t *sc, rn__scan_mode_t mode);

/* Step past the current batch. */
static inline void rn__logscan_advance(rn__logscan_t *sc) {
    sc->pos += (int64_t)rn_batch_size(&sc->hdr);
}

#endif
