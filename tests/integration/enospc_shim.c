/*
 * enospc_shim.c — an LD_PRELOAD library that makes writes into one directory fail
 * with ENOSPC, so that tests can fill a "disk" without privileges (no loop mounts, no
 * quotas). Used by test_disk_full.py:
 *
 *   LD_PRELOAD=BUILD/librn_enospc_shim.so
 *   RN_SHIM_ENOSPC_DIR=/tmp/x/data/orders-0   the directory (a path with a '/', or a
 *                                             bare name matched as a path component)
 *   RN_SHIM_ENOSPC_AFTER=N                    optional: fail once N bytes were written
 *                                             into it (a write crossing N is short)
 *   touch /tmp/x/data/orders-0/enospc         fail from now on (rm: succeed again)
 *
 * open/openat (and their 64 variants) remember each descriptor whose path has the
 * directory as a component; close forgets it. write, pwrite and writev (and pwrite64,
 * pwritev) on a remembered descriptor fail with ENOSPC while the trigger file exists
 * or once the byte budget is used up, and otherwise pass through to libc. Every other
 * descriptor is untouched. The trigger file is looked up next to the directory named
 * by the path the descriptor was opened with, so relative paths work too.
 *
 * Not part of runnel: test scaffolding, built as a shared library next to runneld.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_FDS 65536

static char tracked[MAX_FDS]; /* 1: fd lies in the directory */
static char trigger[PATH_MAX];
static long long used; /* bytes written into the directory so far */

typedef int (*open_fn)(const char *, int, ...);
typedef int (*openat_fn)(int, const char *, int, ...);
typedef int (*close_fn)(int);
typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*writev_fn)(int, const struct iovec *, int);
typedef ssize_t (*pwritev_fn)(int, const struct iovec *, int, off_t);

static void *next(const char *name) {
    void *f = dlsym(RTLD_NEXT, name);
    if (f == NULL) {
        fprintf(stderr, "enospc_shim: no %s\n", name);
        abort();
    }
    return f;
}

/* Where path names the directory: the length of the prefix ending with it, else 0. */
static size_t dir_prefix(const char *path) {
    const char *dir = getenv("RN_SHIM_ENOSPC_DIR");
    if (dir == NULL || *dir == '\0' || path == NULL)
        return 0;
    const char *slash = strrchr(dir, '/');
    const char *name = slash ? slash + 1 : dir;
    size_t n = strlen(name);
    for (const char *p = strstr(path, name); p != NULL; p = strstr(p + 1, name)) {
        bool starts = p == path || p[-1] == '/';
        if (starts && p[n] == '/')
            return (size_t)(p - path) + n;
    }
    return 0;
}

static void remember(int fd, const char *path) {
    if (fd < 0 || fd >= MAX_FDS)
        return;
    size_t n = dir_prefix(path);
    tracked[fd] = n > 0;
    if (n > 0 && trigger[0] == '\0' && n + sizeof "/enospc" <= sizeof trigger) {
        memcpy(trigger, path, n);
        memcpy(trigger + n, "/enospc", sizeof "/enospc");
    }
}

/* How many of len bytes may be written to fd: len when fd is not tracked; 0 when
 * the disk is "full" (errno ENOSPC). */
static size_t allowed(int fd, size_t len) {
    if (fd < 0 || fd >= MAX_FDS || !tracked[fd])
        return len;
    if (trigger[0] != '\0' && access(trigger, F_OK) == 0) {
        errno = ENOSPC;
        return 0;
    }
    const char *after = getenv("RN_SHIM_ENOSPC_AFTER");
    if (after == NULL || *after == '\0')
        return len;
    long long budget = atoll(after) - __atomic_load_n(&used, __ATOMIC_RELAXED);
    if (budget <= 0) {
        errno = ENOSPC;
        return 0;
    }
    return (unsigned long long)budget < len ? (size_t)budget : len;
}

static void account(int fd, ssize_t written) {
    if (written > 0 && fd >= 0 && fd < MAX_FDS && tracked[fd])
        __atomic_add_fetch(&used, (long long)written, __ATOMIC_RELAXED);
}

static mode_t mode_arg(int flags, va_list ap) {
    return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    int fd = ((open_fn)next("open"))(path, flags, mode);
    remember(fd, path);
    return fd;
}

int open64(const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    int fd = ((open_fn)next("open64"))(path, flags, mode);
    remember(fd, path);
    return fd;
}

int openat(int dirfd, const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    int fd = ((openat_fn)next("openat"))(dirfd, path, flags, mode);
    remember(fd, path);
    return fd;
}

int openat64(int dirfd, const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    int fd = ((openat_fn)next("openat64"))(dirfd, path, flags, mode);
    remember(fd, path);
    return fd;
}

int close(int fd) {
    if (fd >= 0 && fd < MAX_FDS)
        tracked[fd] = 0;
    return ((close_fn)next("close"))(fd);
}

ssize_t write(int fd, const void *buf, size_t len) {
    size_t ok = allowed(fd, len);
    if (ok == 0 && len > 0)
        return -1;
    ssize_t w = ((write_fn)next("write"))(fd, buf, ok);
    account(fd, w);
    return w;
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off) {
    size_t ok = allowed(fd, len);
    if (ok == 0 && len > 0)
        return -1;
    ssize_t w = ((pwrite_fn)next("pwrite"))(fd, buf, ok, off);
    account(fd, w);
    return w;
}

ssize_t pwrite64(int fd, const void *buf, size_t len, off_t off) {
    size_t ok = allowed(fd, len);
    if (ok == 0 && len > 0)
        return -1;
    ssize_t w = ((pwrite_fn)next("pwrite64"))(fd, buf, ok, off);
    account(fd, w);
    return w;
}

static size_t iov_len(const struct iovec *iov, int n) {
    size_t total = 0;
    for (int i = 0; i < n; i++)
        total += iov[i].iov_len;
    return total;
}

/* Vectored writes fail whole when they do not fit the budget (no short write). */
ssize_t writev(int fd, const struct iovec *iov, int n) {
    size_t len = iov_len(iov, n);
    if (allowed(fd, len) < len)
        return errno = ENOSPC, -1;
    ssize_t w = ((writev_fn)next("writev"))(fd, iov, n);
    account(fd, w);
    return w;
}

ssize_t pwritev(int fd, const struct iovec *iov, int n, off_t off) {
    size_t len = iov_len(iov, n);
    if (allowed(fd, len) < len)
        return errno = ENOSPC, -1;
    ssize_t w = ((pwritev_fn)next("pwritev"))(fd, iov, n, off);
    account(fd, w);
    return w;
}
