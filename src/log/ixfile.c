/*
 * ixfile.c — binary search and chunked walks over files of sorted fixed-size entries
 * (see ixfile.h).
 */
#include "log/ixfile.h"

#include <assert.h>
#include <errno.h>
#include <unistd.h>

#include "common/errors.h"
#include "log/fileio.h"

#define MAX_ESIZE 16

int rn__ixfile_read(int fd, int64_t i, size_t esize, uint8_t *buf) {
    ssize_t r = rn__pread_full(fd, buf, esize, i * (int64_t)esize);
    if (r < 0)
        return (int)r;
    return (size_t)r == esize ? 0 : RN_ECORRUPT;
}

/* Count entries with key <= k among entries [lo, hi) by reading them in one go. */
static int count_in_window(int fd, int64_t lo, int64_t hi, size_t esize, rn__ixkey_fn key,
                           int64_t k, int64_t *n) {
    uint8_t buf[RN__IXFILE_WINDOW * MAX_ESIZE];
    size_t want = (size_t)(hi - lo) * esize;
    ssize_t r = rn__pread_full(fd, buf, want, lo * (int64_t)esize);
    if (r < 0)
        return (int)r;
    if ((size_t)r != want)
        return RN_ECORRUPT;
    int64_t i = 0;
    while (lo + i < hi && key(buf + (size_t)i * esize) <= k)
        i++;
    *n = lo + i;
    return 0;
}

int rn__ixfile_count_le(int fd, int64_t count, size_t esize, rn__ixkey_fn key, int64_t k,
                        int64_t *n) {
    assert(esize <= MAX_ESIZE);
    /* Invariant: entries [0, lo) have key <= k, entries [hi, count) have key > k. */
    int64_t lo = 0, hi = count;
    uint8_t e[MAX_ESIZE];
    while (hi - lo > RN__IXFILE_WINDOW) {
        int64_t mid = lo + (hi - lo) / 2;
        int rc = rn__ixfile_read(fd, mid, esize, e);
        if (rc != 0)
            return rc;
        if (key(e) <= k)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == hi) {
        *n = lo;
        return 0;
    }
    return count_in_window(fd, lo, hi, esize, key, k, n);
}

int rn__ixfile_visit(int fd, int64_t count, size_t esize, rn__ixvisit_fn fn, void *arg) {
    uint8_t buf[RN__IXFILE_WINDOW * MAX_ESIZE];
    for (int64_t i = 0; i < count;) {
        int64_t m = count - i < RN__IXFILE_WINDOW ? count - i : RN__IXFILE_WINDOW;
        size_t want = (size_t)m * esize;
        ssize_t r = rn__pread_full(fd, buf, want, i * (int64_t)esize);
        if (r < 0)
            return (int)r;
        if ((size_t)r != want)
            return RN_ECORRUPT;
        for (int64_t j = 0; j < m; j++, i++) {
            int rc = fn(buf + (size_t)j * esize, i, arg);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

int rn__ixfile_truncate(int fd, int64_t n, size_t esize) {
    return ftruncate(fd, (off_t)(n * (int64_t)esize)) == 0 ? 0 : -errno;
}
