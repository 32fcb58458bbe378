/*
 * trash.c — removal of *.deleted files off the loop thread (see trash.h).
 *
 * The thread-pool job owns its copy of the path list and touches nothing else, so the
 * plog or manager that produced the paths may be gone by the time it runs.
 */
#include "log/trash.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <unistd.h>

#include "common/alloc.h"

void rn__trash_add(rn__trash_t *trash, char *path) {
    if (trash->n == trash->cap) {
        trash->cap = trash->cap ? trash->cap * 2 : 8;
        trash->paths = rn_realloc(trash->paths, trash->cap * sizeof *trash->paths);
    }
    trash->paths[trash->n++] = path;
}

void rn__trash_add_cb(char *path, void *arg) {
    rn__trash_add(arg, path);
}

void rn__trash_move(rn__trash_t *to, rn__trash_t *from) {
    for (size_t i = 0; i < from->n; i++)
        rn__trash_add(to, from->paths[i]);
    from->n = 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : -errno;
}

int rn__remove_tree(const char *path) {
    if (unlink(path) == 0 || errno == ENOENT)
        return 0;
    if (errno != EISDIR && errno != EPERM)
        return -errno;
    return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -errno;
}

static void empty(rn__trash_t *trash, int unlink_them) {
    for (size_t i = 0; i < trash->n; i++) {
        if (unlink_them)
            (void)rn__remove_tree(trash->paths[i]);
        rn_free(trash->paths[i]);
    }
    trash->n = 0;
}

void rn__trash_empty_now(rn__trash_t *trash) {
    empty(trash, 1);
}

void rn__trash_deinit(rn__trash_t *trash) {
    empty(trash, 0);
    rn_free(trash->paths);
    *trash = (rn__trash_t){0};
}

typedef struct job_s {
    uv_work_t req;
    rn__trash_t trash;
    void (*done)(void *arg);
    void *arg;
} job_t;

static void job_work(uv_work_t *req) {
    job_t *job = req->data;
    for (size_t i = 0; i < job->trash.n; i++)
        (void)rn__remove_tree(job->trash.paths[i]);
}

static void job_after(uv_work_t *req, int status) {
    (void)status; /* cancelled jobs leave *.deleted files for the next open */
    job_t *job = req->data;
    rn__trash_deinit(&job->trash);
    if (job->done)
        job->done(job->arg);
    rn_free(job);
}

int rn__trash_empty_async(uv_loop_t *loop, rn__trash_t *trash, void (*done)(void *arg), void *arg) {
    job_t *job = rn_calloc(1, sizeof *job);
    job->req.data = job;
    job->done = done;
    job->arg = arg;
    rn__trash_move(&job->trash, trash);
    int rc = uv_queue_work(loop, &job->req, job_work, job_after);
    if (rc != 0) {
        rn__trash_move(trash, &job->trash);
        rn__trash_deinit(&job->trash);
        rn_free(job);
    }
    return rc;
}
