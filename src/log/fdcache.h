/*
 * fdcache.h — a bounded LRU of open segment files.
 *
 * A broker may hold 10,000 partitions of several segments each; keeping every
 * segment's .log, .index and .timeindex open would need ~100,000 descriptors (Kafka
 * asks operators for that many). Instead each file is opened on demand through this
 * cache, which keeps at most `max_open` descriptors and closes the least recently
 * used one that is not pinned.
 *
 * A lookup pins the entry (the caller holds the fd); rn_fdcache_unpin returns it.
 * Pinned entries are never closed, so a descriptor handed to a thread-pool fsync stays
 * valid. Loop thread only.
 */
#ifndef RN_LOG_FDCACHE_H
#define RN_LOG_FDCACHE_H

typedef struct rn_fdcache_s rn_fdcache_t;
typedef struct rn_fdentry_s rn_fdentry_t;

/* max_open >= 8. Returns 0 and *out, or RN_ECONFIG. */
int rn_fdcache_new(int max_open, rn_fdcache_t **out);

/* Every entry must be unpinned and released. NULL is ignored. */
void rn_fdcache_free(rn_fdcache_t *cache);

/*
 * Open `path` (flags as open(2), mode 0644 on create) or reuse its open descriptor.
 * `*slot` is the caller's handle for this file: NULL the first time, kept between
 * calls (the cache may close the fd behind it while unpinned and reopen on the next
 * pin). Returns the fd (pinned) or -errno.
 */
int rn_fdcache_pin(rn_fdcache_t *cache, rn_fdentry_t **slot, const char *path, int flags);
void rn_fdcache_unpin(rn_fdcache_t *cache, rn_fdentry_t *entry);

/* Forget the file: close its fd if open and free the slot (set *slot NULL). Call before
 * unlinking or renaming the file. If the entry is still pinned (a thread-pool fsync holds
 * it), it is detached instead: the fd stays valid for the holders and is closed and
 * freed at the last rn_fdcache_unpin. */
void rn_fdcache_release(rn_fdcache_t *cache, rn_fdentry_t **slot);

/* Descriptors open now, and how many opens happened in all (for tests). */
int rn_fdcache_open_count(const rn_fdcache_t *cache);
long rn_fdcache_total_opens(const rn_fdcache_t *cache);

#endif
