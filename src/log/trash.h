/*
 * trash.h — files and directories renamed *.deleted, waiting to be removed.
 *
 * Deleting a segment on the loop thread is only a rename (the name leaves the log at
 * once); the unlink, which can take long for big files, runs later on libuv's thread
 * pool. A trash list owns its paths. Whatever is still listed at a crash is found by
 * name (*.deleted) and removed at the next open.
 */
#ifndef RN_LOG_TRASH_H
#define RN_LOG_TRASH_H

#include <stddef.h>

#include <uv.h>

typedef struct rn__trash_s {
    char **paths; /* rn_malloc'd, owned */
    size_t n, cap;
} rn__trash_t;

/* Add a path (taken: rn_malloc'd). */
void rn__trash_add(rn__trash_t *trash, char *path);

/* rn__trash_add for callbacks: arg is the rn__trash_t. */
void rn__trash_add_cb(char *path, void *arg);

/* Move every path of `from` to `to`. */
void rn__trash_move(rn__trash_t *to, rn__trash_t *from);

/* Remove everything now, on this thread (files unlinked, directories removed whole),
 * and empty the list. Errors are ignored: a leftover is removed at the next open. */
void rn__trash_empty_now(rn__trash_t *trash);

/* Free the list without touching the files. */
void rn__trash_deinit(rn__trash_t *trash);

/* Remove a file, or a directory and everything below it. 0 or -errno. Thread-safe. */
int rn__remove_tree(const char *path);

/*
 * Move the paths of `trash` (left empty) into a job removed on loop's thread pool;
 * done(arg) runs on the loop thread afterwards. 0, or -errno (the paths stay in trash).
 */
int rn__trash_empty_async(uv_loop_t *loop, rn__trash_t *trash, void (*done)(void *arg), void *arg);

#endif
