/*
 * fileio.c — positioned reads and writes that complete or fail (see fileio.h).
 */
#include "log/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/errors.h"

ssize_t rn__pread_full(int fd, void *buf, size_t n, int64_t off) {
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(fd, (char *)buf + done, n - done, (off_t)(off + (int64_t)done));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (r == 0)
            break;
        done += (size_t)r;
    }
    return (ssize_t)done;
}

int rn__pwrite_full(int fd, const void *buf, size_t n, int64_t off) {
    size_t done = 0;
    while (done < n) {
        ssize_t w = pwrite(fd, (const char *)buf + done, n - done, (off_t)(off + (int64_t)done));
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        done += (size_t)w;
    }
    return 0;
}

int64_t rn__file_size(int fd) {
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -errno;
    return (int64_t)st.st_size;
}

int rn__fsync_dir(const char *path) {
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = fsync(fd) == 0 ? 0 : -errno;
    close(fd);
    return rc;
}

int rn__read_small_file(const char *path, size_t max, char **out, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int64_t size = rn__file_size(fd);
    int rc = size < 0 ? (int)size : (uint64_t)size > max ? RN_ECORRUPT : 0;
    char *buf = NULL;
    if (rc == 0) {
        buf = rn_malloc((size_t)size + 1);
        ssize_t r = rn__pread_full(fd, buf, (size_t)size, 0);
        rc = r < 0 ? (int)r : r != size ? RN_ECORRUPT : 0;
    }
    close(fd);
    if (rc != 0) {
        rn_free(buf);
        return rc;
    }
    buf[size] = '\0';
    *out = buf;
    *len = (size_t)size;
    return 0;
}
