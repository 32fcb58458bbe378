/*
 * offset_index.c — the sparse offset -> position index of one segment (see
 * offset_index.h for the entry layout and invariants).
 */
#include "log/offset_index.h"

#include <assert.h>
#include <stdbool.h>

#include "common/errors.h"
#include "log/fileio.h"
#include "log/ixfile.h"

static void encode(uint8_t *p, const rn__oentry_t *e) {
    rn__put_u32be(p, e->rel);
    rn__put_u32be(p + 4, e->pos);
}

static rn__oentry_t decode(const uint8_t *p) {
    rn__oentry_t e = {rn__get_u32be(p), rn__get_u32be(p + 4)};
    return e;
}

static int64_t key_rel(const uint8_t *p) {
    return (int64_t)rn__get_u32be(p);
}

static int reload_last(rn__oindex_t *idx, int fd) {
    idx->last = (rn__oentry_t){0, 0};
    if (idx->count == 0)
        return 0;
    uint8_t buf[RN__OINDEX_ENTRY];
    int rc = rn__ixfile_read(fd, idx->count - 1, RN__OINDEX_ENTRY, buf);
    if (rc == 0)
        idx->last = decode(buf);
    return rc;
}

int rn__oindex_load(rn__oindex_t *idx, int fd) {
    int64_t size = rn__file_size(fd);
    if (size < 0)
        return (int)size;
    if (size % RN__OINDEX_ENTRY != 0)
        return RN_ECORRUPT;
    idx->count = size / RN__OINDEX_ENTRY;
    return reload_last(idx, fd);
}

int rn__oindex_append(rn__oindex_t *idx, int fd, const rn__oentry_t *e, size_t n) {
    uint8_t buf[64 * RN__OINDEX_ENTRY];
    rn__oentry_t last = idx->last;
    int64_t count = idx->count;
    size_t i = 0;
    while (i < n) {
        size_t m = 0;
        for (; i < n && m < 64; i++, m++) {
            assert(count + (int64_t)m == 0 || (e[i].rel > last.rel && e[i].pos > last.pos));
            encode(buf + m * RN__OINDEX_ENTRY, &e[i]);
            last = e[i];
        }
        int rc = rn__pwrite_full(fd, buf, m * RN__OINDEX_ENTRY, count * RN__OINDEX_ENTRY);
        if (rc != 0) {
            (void)rn__ixfile_truncate(fd, idx->count, RN__OINDEX_ENTRY);
            return rc;
        }
        count += (int64_t)m;
    }
    idx->count = count;
    idx->last = last;
    return 0;
}

int rn__oindex_lookup(const rn__oindex_t *idx, int fd, uint32_t rel, rn__oentry_t *out) {
    *out = (rn__oentry_t){0, 0};
    if (idx->count == 0)
        return 0;
    if (rel >= idx->last.rel) {
        *out = idx->last; /* the common case: reading near the end */
        return 0;
    }
    int64_t n;
    int rc = rn__ixfile_count_le(fd, idx->count, RN__OINDEX_ENTRY, key_rel, rel, &n);
    if (rc != 0 || n == 0)
        return rc;
    uint8_t buf[RN__OINDEX_ENTRY];
    rc = rn__ixfile_read(fd, n - 1, RN__OINDEX_ENTRY, buf);
    if (rc == 0)
        *out = decode(buf);
    return rc;
}

int rn__oindex_truncate(rn__oindex_t *idx, int fd, uint32_t rel) {
    if (idx->count == 0 || rel > idx->last.rel)
        return 0;
    int64_t n = 0;
    int rc = rel == 0 ? 0
                      : rn__ixfile_count_le(fd, idx->count, RN__OINDEX_ENTRY, key_rel,
                                            (int64_t)rel - 1, &n);
    if (rc != 0)
        return rc;
    rc = rn__ixfile_truncate(fd, n, RN__OINDEX_ENTRY);
    if (rc != 0)
        return rc;
    idx->count = n;
    return reload_last(idx, fd);
}

typedef struct check_s {
    rn__oentry_t prev;
    int64_t log_size;
} check_t;

static int check_one(const uint8_t *p, int64_t i, void *arg) {
    check_t *c = arg;
    rn__oentry_t e = decode(p);
    if ((int64_t)e.pos >= c->log_size)
        return RN_ECORRUPT;
    if (i > 0 && (e.rel <= c->prev.rel || e.pos <= c->prev.pos))
        return RN_ECORRUPT;
    c->prev = e;
    return 0;
}

int rn__oindex_check(const rn__oindex_t *idx, int fd, int64_t log_size) {
    check_t c = {{0, 0}, log_size};
    return rn__ixfile_visit(fd, idx->count, RN__OINDEX_ENTRY, check_one, &c);
}
