/*
 * plog_open.c — opening a partition directory and closing it.
 *
 * Open lists the directory once (readdir + one stat per segment file; no segment file
 * is opened except the active segment's), removes leftovers (*.deleted files, index
 * files without a .log), and builds the segment list. Then:
 *
 *   clean:   read the active segment's last offset index entry and walk the batch
 *            headers after it to the end of the file: that is the log end. Nothing
 *            else is read. Any inconsistency there falls back to recovery of the
 *            active segment.
 *   unclean: recovery.c re-validates every batch at or past the recovery point.
 *
 * Either way a segment whose index file is missing or of impossible size gets its
 * indexes rebuilt. A fresh directory gets an empty first segment at offset 0.
 */
#include "log/plog_int.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "log/logscan.h"
#include "log/offset_index.h"
#include "log/time_index.h"

#define NAME_DIGITS 20

typedef struct found_s {
    int64_t base;
    int kind;
    int64_t size;
} found_t;

typedef struct listing_s {
    found_t *f;
    size_t n, cap;
} listing_t;

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* "<20 digits><suffix>": 1 with *kind and *base set; 0 not a segment file; RN_ECORRUPT when it
 * has a segment suffix but not a valid base offset. */
static int parse_name(const char *name, int *kind, int64_t *base) {
    for (int k = 0; k < RN__SEG_NFILES; k++) {
        const char *suffix = rn__segment_suffix(k);
        if (!ends_with(name, suffix))
            continue;
        if (strlen(name) != NAME_DIGITS + strlen(suffix))
            return RN_ECORRUPT;
        int64_t v = 0;
        for (int i = 0; i < NAME_DIGITS; i++) {
            if (name[i] < '0' || name[i] > '9' || v > (INT64_MAX - 9) / 10)
                return RN_ECORRUPT;
            v = v * 10 + (name[i] - '0');
        }
        *kind = k;
        *base = v;
        return 1;
    }
    return 0;
}

static int cmp_found(const void *a, const void *b) {
    const found_t *x = a, *y = b;
    if (x->base != y->base)
        return x->base < y->base ? -1 : 1;
    return x->kind - y->kind;
}

static int list_entry(int dfd, const char *name, listing_t *ls) {
    if (ends_with(name, ".deleted")) {
        (void)unlinkat(dfd, name, 0); /* a deletion the last run did not finish */
        return 0;
    }
    int kind;
    int64_t base;
    int rc = parse_name(name, &kind, &base);
    if (rc <= 0)
        return rc;
    struct stat st;
    if (fstatat(dfd, name, &st, 0) != 0)
        return -errno;
    if (ls->n == ls->cap) {
        ls->cap = ls->cap ? ls->cap * 2 : 16;
        ls->f = rn_realloc(ls->f, ls->cap * sizeof *ls->f);
    }
    ls->f[ls->n++] = (found_t){base, kind, (int64_t)st.st_size};
    return 0;
}

static int list_dir(const char *dir, listing_t *ls) {
    DIR *d = opendir(dir);
    if (d == NULL)
        return -errno;
    int rc = 0;
    struct dirent *de;
    errno = 0;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (de->d_name[0] != '.')
            rc = list_entry(dirfd(d), de->d_name, ls);
    }
    if (rc == 0 && errno != 0)
        rc = -errno;
    closedir(d);
    if (rc == 0 && ls->n > 1)
        qsort(ls->f, ls->n, sizeof *ls->f, cmp_found);
    return rc;
}

/* Index file sizes that cannot be right (or a missing file): rebuild. */
static bool index_unusable(const found_t *f, size_t from, size_t to, int kind, size_t esize) {
    for (size_t k = from; k < to; k++)
        if (f[k].kind == kind)
            return f[k].size % (int64_t)esize != 0;
    return true;
}

/* Build segs[] from the listing; orphan index files are removed. Sets *rebuild[i]. */
static int build_segments(rn_plog_t *plog, const listing_t *ls, bool **rebuild) {
    *rebuild = rn_calloc(ls->n + 1, sizeof **rebuild);
    for (size_t i = 0; i < ls->n;) {
        size_t j = i;
        while (j < ls->n && ls->f[j].base == ls->f[i].base)
            j++;
        if (ls->f[i].kind != RN__SEG_LOG) {
            rn__segment_t tmp = {.base = ls->f[i].base, .dir = plog->dir};
            char path[RN__SEG_PATH_MAX];
            for (size_t k = i; k < j; k++) {
                rn__segment_path(&tmp, ls->f[k].kind, path);
                (void)unlink(path);
            }
            i = j;
            continue;
        }
        rn__segment_t *seg = rn__segment_new(plog->dir, plog->env.fds, ls->f[i].base);
        seg->size = ls->f[i].size;
        for (size_t k = i; k < j; k++)
            seg->size_hint[ls->f[k].kind] = ls->f[k].size;
        seg->closed = true;
        (*rebuild)[plog->nsegs] =
            index_unusable(ls->f, i + 1, j, RN__SEG_INDEX, RN__OINDEX_ENTRY) ||
            index_unusable(ls->f, i + 1, j, RN__SEG_TIMEINDEX, RN__TINDEX_ENTRY);
        rn__plog_push(plog, seg);
        i = j;
    }
    for (int i = 0; i + 1 < plog->nsegs; i++)
        plog->segs[i]->next_offset = plog->segs[i + 1]->base;
    if (plog->nsegs > 0)
        rn__plog_active(plog)->closed = false;
    return 0;
}

/* Walk the headers after the active segment's last index entry. 1: consistent, log
 * end found; 0: something does not add up (recover instead); -errno. */
static int find_log_end(rn__segment_t *seg) {
    int rc = rn__segment_load_indexes(seg);
    if (rc == RN_ECORRUPT)
        return 0;
    if (rc != 0)
        return rc;
    if (seg->oidx.count > 0 && (int64_t)seg->oidx.last.pos >= seg->size)
        return 0;
    if (seg->size == 0) {
        seg->next_offset = seg->base;
        return 1;
    }
    int fd = rn__segment_pin(seg, RN__SEG_LOG, false);
    if (fd < 0)
        return fd;
    rn__logscan_t sc;
    rn__logscan_init(&sc, fd, seg->oidx.last.pos, seg->size);
    int64_t next = seg->base + seg->oidx.last.rel;
    while ((rc = rn__logscan_next(&sc, RN__SCAN_HEADERS)) == 1 && sc.hdr.base_offset == next) {
        if (sc.hdr.max_timestamp > seg->max_ts) {
            seg->max_ts = sc.hdr.max_timestamp;
            seg->max_ts_offset = sc.hdr.base_offset;
        }
        next = rn_batch_last_offset(&sc.hdr) + 1;
        rn__logscan_advance(&sc);
    }
    rn__logscan_deinit(&sc);
    rn__segment_unpin(seg, RN__SEG_LOG);
    if (rc < 0 && rc != RN_ECORRUPT)
        return rc;
    if (rc != 0)
        return 0;
    seg->next_offset = next;
    return 1;
}

static int open_clean(rn_plog_t *plog, const bool *rebuild) {
    bool stopped = false;
    for (int i = 0; i + 1 < plog->nsegs && !stopped; i++) {
        if (!rebuild[i])
            continue;
        int rc = rn__plog_recover_segment(plog, i, plog->segs[i]->base, &stopped);
        if (rc != 0 || stopped)
            return rc; /* on a stop, segs[i] is now the verified active segment */
    }
    int rc = rebuild[plog->nsegs - 1] ? 0 : find_log_end(rn__plog_active(plog));
    if (rc == 0)
        rc = rn__plog_recover_segment(plog, plog->nsegs - 1, rn__plog_active(plog)->base, &stopped);
    return rc < 0 ? rc : 0;
}

static int create_first(rn_plog_t *plog) {
    rn__segment_t *seg = rn__segment_new(plog->dir, plog->env.fds, 0);
    rn__plog_push(plog, seg);
    plog->dir_dirty = true;
    return rn__segment_create(seg);
}

static int load(rn_plog_t *plog, int64_t recovery_point, bool clean) {
    listing_t ls = {0};
    bool *rebuild = NULL;
    int rc = list_dir(plog->dir, &ls);
    if (rc == 0)
        rc = build_segments(plog, &ls, &rebuild);
    if (rc == 0 && plog->nsegs == 0)
        rc = create_first(plog);
    else if (rc == 0 && clean)
        rc = open_clean(plog, rebuild);
    else if (rc == 0)
        rc = rn__plog_recover(plog, recovery_point, rebuild);
    rn_free(ls.f);
    rn_free(rebuild);
    return rc;
}

static rn_plog_t *plog_new(const char *dir, const rn_log_config_t *cfg, const rn_plog_env_t *env) {
    rn_plog_t *plog = rn_calloc(1, sizeof *plog);
    plog->dir = rn_strdup(dir);
    size_t n = strlen(plog->dir);
    while (n > 1 && plog->dir[n - 1] == '/')
        plog->dir[--n] = '\0';
    const char *slash = strrchr(plog->dir, '/');
    plog->name = slash ? slash + 1 : plog->dir;
    plog->cfg = *cfg;
    plog->env = *env;
    rn__plog_cursors_reset(plog);
    return plog;
}

int rn_plog_open(const char *dir, const rn_log_config_t *cfg, const rn_plog_env_t *env,
                 int64_t recovery_point, bool clean, rn_plog_t **out) {
    assert(env != NULL && env->fds != NULL);
    int rc = rn_log_config_check(cfg);
    if (rc != 0)
        return rc;
    bool created = mkdir(dir, 0755) == 0;
    if (!created && errno != EEXIST)
        return -errno;
    rn_plog_t *plog = plog_new(dir, cfg, env);
    plog->new_dir = created;
    rc = load(plog, recovery_point < 0 ? 0 : recovery_point, clean);
    if (rc != 0) {
        rn_plog_close(plog);
        return rc;
    }
    rn__segment_t *active = rn__plog_active(plog);
    if (active->size > 0)
        active->first_append_ms = rn_clock_now_ms(env->clock);
    plog->start_offset = plog->segs[0]->base;
    plog->size_bytes = 0;
    for (int i = 0; i < plog->nsegs; i++)
        plog->size_bytes += plog->segs[i]->size;
    int64_t end = rn_plog_end_offset(plog);
    plog->recovery_point = recovery_point < 0 ? 0 : recovery_point > end ? end : recovery_point;
    plog->last_flush_ms = rn_clock_now_ms(env->clock);
    rc = rn__epochs_load(plog);
    if (rc != 0) {
        rn_plog_close(plog);
        return rc;
    }
    *out = plog;
    return 0;
}

void rn_plog_close(rn_plog_t *plog) {
    if (plog == NULL)
        return;
    assert(!rn_plog_flush_pending(plog) && "rn_plog_close with a flush in flight");
    for (int i = 0; i < plog->nsegs; i++)
        rn__segment_free(plog->segs[i]);
    rn_free(plog->segs);
    rn_free(plog->epochs);
    rn__trash_deinit(&plog->trash);
    rn_free(plog->next_waiters.w);
    rn_free(plog->dir);
    rn_free(plog);
}

void rn__plog_take_trash(rn_plog_t *plog, rn__trash_t *into) {
    rn__trash_move(into, &plog->trash);
}
