/*
 * fdcache.c — a bounded LRU of open segment files (see fdcache.h).
 *
 * Each file has one entry, owned through the caller's slot. An entry is in one of
 * three states:
 *
 *   closed (fd -1)  --pin-->  pinned (pins > 0)  --last unpin-->  idle (on the LRU)
 *        ^                                                          |
 *        +------------------- evicted when over max_open -----------+
 *
 * Invariants: an entry is on the LRU list exactly when it is open and unpinned;
 * `open` counts open descriptors, pinned or not; a pinned descriptor is never closed.
 * The cache may exceed max_open while more than max_open entries are pinned at once,
 * and shrinks back as they are unpinned.
 *
 * Releasing a pinned entry (a segment deleted while a thread-pool fsync still holds its
 * descriptor) detaches it from its slot; the descriptor is closed and the entry freed
 * at its last unpin.
 */
#include "log/fdcache.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/errors.h"

struct rn_fdentry_s {
    int fd;                    /* -1 when closed */
    int pins;                  /* callers holding fd */
    bool released;             /* slot forgotten while pinned: close and free at the last unpin */
    rn_fdentry_t *prev, *next; /* LRU links, while open and unpinned */
};

struct rn_fdcache_s {
    int max_open;
    int open;         /* descriptors open now */
    long opens;       /* open(2) calls that succeeded, in all */
    long entries;     /* entries allocated and not yet freed */
    rn_fdentry_t lru; /* sentinel: lru.next is the least recently used */
};

int rn_fdcache_new(int max_open, rn_fdcache_t **out) {
    if (max_open < 8)
        return RN_ECONFIG;
    rn_fdcache_t *cache = rn_calloc(1, sizeof *cache);
    cache->max_open = max_open;
    cache->lru.prev = cache->lru.next = &cache->lru;
    *out = cache;
    return 0;
}

void rn_fdcache_free(rn_fdcache_t *cache) {
    if (cache == NULL)
        return;
    assert(cache->entries == 0 && "every fdcache entry must be released first");
    rn_free(cache);
}

static void lru_unlink(rn_fdentry_t *e) {
    e->prev->next = e->next;
    e->next->prev = e->prev;
    e->prev = e->next = NULL;
}

static void lru_push(rn_fdcache_t *cache, rn_fdentry_t *e) {
    e->prev = cache->lru.prev;
    e->next = &cache->lru;
    cache->lru.prev->next = e;
    cache->lru.prev = e;
}

static void close_entry(rn_fdcache_t *cache, rn_fdentry_t *e) {
    close(e->fd);
    e->fd = -1;
    cache->open--;
}

/* Close the least recently used idle descriptor. false when every open one is pinned. */
static bool evict_one(rn_fdcache_t *cache) {
    rn_fdentry_t *e = cache->lru.next;
    if (e == &cache->lru)
        return false;
    lru_unlink(e);
    close_entry(cache, e);
    return true;
}

static int open_entry(rn_fdcache_t *cache, rn_fdentry_t *e, const char *path, int flags) {
    while (cache->open >= cache->max_open && evict_one(cache))
        ;
    for (;;) {
        int fd = open(path, flags | O_CLOEXEC, 0644);
        if (fd >= 0) {
            e->fd = fd;
            cache->open++;
            cache->opens++;
            return fd;
        }
        /* Out of descriptors process- or system-wide: give back an idle one, retry. */
        if ((errno != EMFILE && errno != ENFILE) || !evict_one(cache))
            return -errno;
    }
}

int rn_fdcache_pin(rn_fdcache_t *cache, rn_fdentry_t **slot, const char *path, int flags) {
    rn_fdentry_t *e = *slot;
    if (e == NULL) {
        e = rn_calloc(1, sizeof *e);
        e->fd = -1;
        cache->entries++;
        *slot = e;
    }
    if (e->fd >= 0) {
        if (e->pins++ == 0)
            lru_unlink(e);
        return e->fd;
    }
    int fd = open_entry(cache, e, path, flags);
    if (fd >= 0)
        e->pins = 1;
    return fd;
}

void rn_fdcache_unpin(rn_fdcache_t *cache, rn_fdentry_t *entry) {
    assert(entry->pins > 0);
    if (--entry->pins > 0)
        return;
    if (entry->released) {
        close_entry(cache, entry);
        cache->entries--;
        rn_free(entry);
        return;
    }
    lru_push(cache, entry);
    while (cache->open > cache->max_open && evict_one(cache))
        ;
}

void rn_fdcache_release(rn_fdcache_t *cache, rn_fdentry_t **slot) {
    rn_fdentry_t *e = *slot;
    if (e == NULL)
        return;
    *slot = NULL;
    if (e->pins > 0) {
        e->released = true; /* closed and freed by the last unpin */
        return;
    }
    if (e->fd >= 0) {
        lru_unlink(e);
        close_entry(cache, e);
    }
    cache->entries--;
    rn_free(e);
}

int rn_fdcache_open_count(const rn_fdcache_t *cache) {
    return cache->open;
}

long rn_fdcache_total_opens(const rn_fdcache_t *cache) {
    return cache->opens;
}
