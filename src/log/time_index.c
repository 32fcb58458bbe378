/*
 * time_index.c — the sparse timestamp -> offset index of one segment (see
 * time_index.h for the entry layout and invariants).
 */
#include "log/time_index.h"

#include "common/errors.h"
#include "log/fileio.h"
#include "log/ixfile.h"

static rn__tentry_t decode(const uint8_t *p) {
    rn__tentry_t e = {rn__get_i64be(p), rn__get_u32be(p + 8)};
    return e;
}

static int64_t key_ts(const uint8_t *p) {
    return rn__get_i64be(p);
}

static int64_t key_rel(const uint8_t *p) {
    return (int64_t)rn__get_u32be(p + 8);
}

static int reload_last(rn__tindex_t *idx, int fd) {
    idx->last = (rn__tentry_t){0, 0};
    if (idx->count == 0)
        return 0;
    uint8_t buf[RN__TINDEX_ENTRY];
    int rc = rn__ixfile_read(fd, idx->count - 1, RN__TINDEX_ENTRY, buf);
    if (rc == 0)
        idx->last = decode(buf);
    return rc;
}

int rn__tindex_load(rn__tindex_t *idx, int fd) {
    int64_t size = rn__file_size(fd);
    if (size < 0)
        return (int)size;
    if (size % RN__TINDEX_ENTRY != 0)
        return RN_ECORRUPT;
    idx->count = size / RN__TINDEX_ENTRY;
    return reload_last(idx, fd);
}

int rn__tindex_maybe_append(rn__tindex_t *idx, int fd, int64_t ts, uint32_t rel) {
    if (idx->count > 0 && ts <= idx->last.ts)
        return 0;
    uint8_t buf[RN__TINDEX_ENTRY];
    rn__put_i64be(buf, ts);
    rn__put_u32be(buf + 8, rel);
    int rc = rn__pwrite_full(fd, buf, sizeof buf, idx->count * RN__TINDEX_ENTRY);
    if (rc != 0) {
        (void)rn__ixfile_truncate(fd, idx->count, RN__TINDEX_ENTRY);
        return rc;
    }
    idx->count++;
    idx->last = (rn__tentry_t){ts, rel};
    return 0;
}

int rn__tindex_lookup(const rn__tindex_t *idx, int fd, int64_t ts, rn__tentry_t *out, bool *found) {
    *found = false;
    if (idx->count == 0)
        return 0;
    if (ts >= idx->last.ts) {
        *out = idx->last;
        *found = true;
        return 0;
    }
    int64_t n;
    int rc = rn__ixfile_count_le(fd, idx->count, RN__TINDEX_ENTRY, key_ts, ts, &n);
    if (rc != 0 || n == 0)
        return rc;
    uint8_t buf[RN__TINDEX_ENTRY];
    rc = rn__ixfile_read(fd, n - 1, RN__TINDEX_ENTRY, buf);
    if (rc == 0) {
        *out = decode(buf);
        *found = true;
    }
    return rc;
}

int rn__tindex_truncate(rn__tindex_t *idx, int fd, uint32_t rel) {
    if (idx->count == 0 || rel > idx->last.rel)
        return 0;
    int64_t n = 0;
    int rc = rel == 0 ? 0
                      : rn__ixfile_count_le(fd, idx->count, RN__TINDEX_ENTRY, key_rel,
                                            (int64_t)rel - 1, &n);
    if (rc != 0)
        return rc;
    rc = rn__ixfile_truncate(fd, n, RN__TINDEX_ENTRY);
    if (rc != 0)
        return rc;
    idx->count = n;
    return reload_last(idx, fd);
}

typedef struct check_s {
    rn__tentry_t prev;
    int64_t rel_limit;
} check_t;

static int check_one(const uint8_t *p, int64_t i, void *arg) {
    check_t *c = arg;
    rn__tentry_t e = decode(p);
    if ((int64_t)e.rel >= c->rel_limit)
        return RN_ECORRUPT;
    if (i > 0 && (e.ts <= c->prev.ts || e.rel < c->prev.rel))
        return RN_ECORRUPT;
    c->prev = e;
    return 0;
}

int rn__tindex_check(const rn__tindex_t *idx, int fd, int64_t rel_limit) {
    check_t c = {{0, 0}, rel_limit};
    return rn__ixfile_visit(fd, idx->count, RN__TINDEX_ENTRY, check_one, &c);
}
