/*
 * fileio.h — positioned file I/O that completes or fails, and the big-endian fields
 * of runnel's on-disk index entries.
 *
 * Invariants: rn__pwrite_full either writes every byte or returns -errno (bytes may
 * have reached the file: the caller cuts them back with ftruncate); rn__pread_full
 * returns fewer bytes than asked only at end of file. Neither logs.
 */
#ifndef RN_LOG_FILEIO_H
#define RN_LOG_FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Read up to n bytes at off, retrying short reads. Returns bytes read (< n only at end
 * of file) or -errno. */
ssize_t rn__pread_full(int fd, void *buf, size_t n, int64_t off);

/* Write all n bytes at off, retrying short writes. Returns 0 or -errno. */
int rn__pwrite_full(int fd, const void *buf, size_t n, int64_t off);

/* fstat size, or -errno. */
int64_t rn__file_size(int fd);

/* fsync the directory at path (after creating, renaming or unlinking in it). 0/-errno. */
int rn__fsync_dir(const char *path);

/* Read the whole file at path (at most max bytes) into an rn_malloc'd, NUL-terminated
 * buffer (*out, *len without the NUL). 0, -errno, or RN_ECORRUPT when larger than max
 * or shorter than its size said. */
int rn__read_small_file(const char *path, size_t max, char **out, size_t *len);

static inline void rn__put_u32be(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline uint32_t rn__get_u32be(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline void rn__put_i64be(uint8_t *p, int64_t v) {
    rn__put_u32be(p, (uint32_t)((uint64_t)v >> 32));
    rn__put_u32be(p + 4, (uint32_t)v);
}

static inline int64_t rn__get_i64be(const uint8_t *p) {
    return (int64_t)((uint64_t)rn__get_u32be(p) << 32 | rn__get_u32be(p + 4));
}

#endif
