/*
 * ixfile.h — a file of fixed-size entries sorted by a key: the common ground of the
 * offset index and the time index.
 *
 *   +---------+---------+---------+-- ... --+
 *   | entry 0 | entry 1 | entry 2 |         |   size = count * esize, nothing else
 *   +---------+---------+---------+-- ... --+
 *
 * Nothing is memory-mapped or cached: a lookup binary-searches the file with pread
 * (the page cache keeps hot indexes in memory), reading single entries until the
 * range is at most RN__IXFILE_WINDOW entries and then that window in one read.
 * Invariant the callers keep: keys are non-decreasing in file order.
 */
#ifndef RN_LOG_IXFILE_H
#define RN_LOG_IXFILE_H

#include <stddef.h>
#include <stdint.h>

#define RN__IXFILE_WINDOW 512

/* The sort key of one encoded entry. */
typedef int64_t (*rn__ixkey_fn)(const uint8_t *entry);

/* How many of the first `count` entries have key <= k. Returns 0 and *n, -errno, or
 * RN_ECORRUPT when the file holds fewer than `count` entries. */
int rn__ixfile_count_le(int fd, int64_t count, size_t esize, rn__ixkey_fn key, int64_t k,
                        int64_t *n);

/* Read entry i (esize bytes) into buf. 0, -errno, or RN_ECORRUPT past the end. */
int rn__ixfile_read(int fd, int64_t i, size_t esize, uint8_t *buf);

/* Call fn on entries 0..count-1 in order (read in chunks); stops at the first non-zero
 * return and returns it. -errno / RN_ECORRUPT on a short file. */
typedef int (*rn__ixvisit_fn)(const uint8_t *entry, int64_t i, void *arg);
int rn__ixfile_visit(int fd, int64_t count, size_t esize, rn__ixvisit_fn fn, void *arg);

/* Cut the file to n entries. 0 or -errno. */
int rn__ixfile_truncate(int fd, int64_t n, size_t esize);

#endif
