/*
 * epochs.c — the partition's leader-epoch history: for each leader epoch that wrote
 * to the log, the offset of its first batch. Followers use it to find where their log
 * diverged from the leader's (KIP-101/KIP-279): never truncate to a high watermark.
 *
 * On disk, <dir>/leader-epoch-checkpoint, Kafka's text format:
 *
 *   0            version
 *   2            number of entries
 *   0 0          epoch SP start offset, one line each, both strictly increasing
 *   3 1200
 *
 * Rewritten whole (tmp + fsync + rename + directory fsync) on the loop thread each
 * time an epoch is added or truncation drops entries — that is once per leader change
 * per partition, not per append — and always before the batch that introduced the
 * epoch is written, so the file on disk covers every batch of the log. Entries past
 * the log end (a crash lost the tail) are dropped at open; a missing or corrupt file
 * is rebuilt from the batch headers (the only case in which open reads every header).
 */
#include "log/plog_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/logging.h"
#include "log/fileio.h"
#include "log/logscan.h"

#define EPOCH_FILE "leader-epoch-checkpoint"
#define MAX_FILE   (1 << 20)

static void push(rn_plog_t *plog, int32_t epoch, int64_t start) {
    if (plog->nepochs == plog->capepochs) {
        plog->capepochs = plog->capepochs ? plog->capepochs * 2 : 4;
        plog->epochs = rn_realloc(plog->epochs, plog->capepochs * sizeof *plog->epochs);
    }
    plog->epochs[plog->nepochs].epoch = epoch;
    plog->epochs[plog->nepochs].start = start;
    plog->nepochs++;
}

static void path_of(const rn_plog_t *plog, const char *suffix, char *out, size_t cap) {
    snprintf(out, cap, "%s/" EPOCH_FILE "%s", plog->dir, suffix);
}

/* The whole file's text, rn_malloc'd. */
static char *render(const rn_plog_t *plog, size_t *len) {
    size_t cap = 32 + plog->nepochs * 32;
    char *buf = rn_malloc(cap);
    size_t n = (size_t)snprintf(buf, cap, "0\n%zu\n", plog->nepochs);
    for (size_t i = 0; i < plog->nepochs; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%" PRId32 " %" PRId64 "\n", plog->epochs[i].epoch,
                              plog->epochs[i].start);
    *len = n;
    return buf;
}

static int write_file(const rn_plog_t *plog) {
    char tmp[4096], path[4096];
    path_of(plog, ".tmp", tmp, sizeof tmp);
    path_of(plog, "", path, sizeof path);
    size_t len;
    char *text = render(plog, &len);
    int rc = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        rc = -errno;
    if (rc == 0)
        rc = rn__pwrite_full(fd, text, len, 0);
    if (rc == 0 && fsync(fd) != 0)
        rc = -errno;
    if (fd >= 0)
        close(fd);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -errno;
    if (rc == 0)
        rc = rn__fsync_dir(plog->dir);
    else
        (void)unlink(tmp);
    rn_free(text);
    return rc;
}

/* A decimal number in [0, max] filling the whole string. */
static bool parse_num(const char *s, int64_t max, int64_t *v) {
    if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] != '\0'))
        return false;
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || x > max)
        return false;
    *v = x;
    return true;
}

/* Parse buf (NUL-terminated, modified) into plog->epochs; false when corrupt. */
static bool parse(rn_plog_t *plog, char *buf) {
    char *save = NULL;
    char *line = strtok_r(buf, "\n", &save);
    int64_t count, epoch, start;
    if (line == NULL || strcmp(line, "0") != 0)
        return false;
    line = strtok_r(NULL, "\n", &save);
    if (line == NULL || !parse_num(line, 1 << 20, &count))
        return false;
    for (int64_t i = 0; i < count; i++) {
        line = strtok_r(NULL, "\n", &save);
        char *sp = line ? strchr(line, ' ') : NULL;
        if (sp == NULL)
            return false;
        *sp = '\0';
        if (!parse_num(line, INT32_MAX, &epoch) || !parse_num(sp + 1, INT64_MAX, &start))
            return false;
        const rn__epoch_entry_t *last = plog->nepochs ? &plog->epochs[plog->nepochs - 1] : NULL;
        if (last != NULL && (epoch <= last->epoch || start <= last->start))
            return false;
        push(plog, (int32_t)epoch, start);
    }
    return strtok_r(NULL, "\n", &save) == NULL;
}

/* 0 with plog->epochs loaded; -ENOENT; RN_ECORRUPT; -errno. */
static int read_file(rn_plog_t *plog) {
    char path[4096];
    path_of(plog, "", path, sizeof path);
    char *buf = NULL;
    size_t size = 0;
    int rc = rn__read_small_file(path, MAX_FILE, &buf, &size);
    if (rc == 0) {
        bool ok = strlen(buf) == size && size > 0 && buf[size - 1] == '\n';
        if (!ok || !parse(plog, buf))
            rc = RN_ECORRUPT;
    }
    rn_free(buf);
    if (rc != 0)
        plog->nepochs = 0;
    return rc;
}

/* Rebuild the history from the headers of every batch (file missing or corrupt). */
static int rebuild(rn_plog_t *plog) {
    plog->nepochs = 0;
    for (int i = 0; i < plog->nsegs; i++) {
        rn__segment_t *seg = plog->segs[i];
        if (seg->size == 0)
            continue;
        int fd = rn__segment_pin(seg, RN__SEG_LOG, false);
        if (fd < 0)
            return fd;
        rn__logscan_t sc;
        rn__logscan_init(&sc, fd, 0, seg->size);
        int rc;
        while ((rc = rn__logscan_next(&sc, RN__SCAN_HEADERS)) == 1) {
            int32_t e = sc.hdr.partition_leader_epoch;
            if (e >= 0 && (plog->nepochs == 0 || e > plog->epochs[plog->nepochs - 1].epoch))
                push(plog, e, sc.hdr.base_offset);
            rn__logscan_advance(&sc);
        }
        rn__logscan_deinit(&sc);
        rn__segment_unpin(seg, RN__SEG_LOG);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int rn__epochs_load(rn_plog_t *plog) {
    int rc = read_file(plog);
    if (rc == 0)
        return rn__epochs_truncate(plog, rn_plog_end_offset(plog));
    if (rc != -ENOENT && rc != RN_ECORRUPT)
        return rc;
    if (rc == RN_ECORRUPT)
        rn_log(RN_LOG_WARN, "log", "%s: corrupt " EPOCH_FILE ", rebuilding it from the log",
               plog->name);
    rc = rebuild(plog);
    if (rc == 0 && plog->nepochs > 0)
        rc = write_file(plog);
    return rc;
}

int rn__epochs_assign(rn_plog_t *plog, int32_t epoch, int64_t start) {
    if (epoch < 0)
        return 0;
    if (plog->nepochs > 0) {
        const rn__epoch_entry_t *last = &plog->epochs[plog->nepochs - 1];
        if (epoch <= last->epoch)
            return 0;
        if (start < last->start)
            return RN_EBADOFFSET;
        if (start == last->start)
            plog->nepochs--; /* the old epoch wrote nothing: replace it */
    }
    push(plog, epoch, start);
    int rc = write_file(plog);
    if (rc != 0)
        plog->nepochs--;
    return rc;
}

int rn__epochs_truncate(rn_plog_t *plog, int64_t end) {
    size_t n = plog->nepochs;
    while (n > 0 && plog->epochs[n - 1].start >= end)
        n--;
    if (n == plog->nepochs)
        return 0;
    plog->nepochs = n;
    return write_file(plog);
}

int rn__epochs_truncate_start(rn_plog_t *plog, int64_t start) {
    size_t drop = 0; /* entries wholly below start: all but the last that begins <= start */
    while (drop + 1 < plog->nepochs && plog->epochs[drop + 1].start <= start)
        drop++;
    bool move = plog->nepochs > 0 && plog->epochs[drop].start < start;
    if (drop == 0 && !move)
        return 0;
    memmove(plog->epochs, plog->epochs + drop, (plog->nepochs - drop) * sizeof *plog->epochs);
    plog->nepochs -= drop;
    if (move)
        plog->epochs[0].start = start;
    return write_file(plog);
}

int32_t rn_plog_latest_epoch(const rn_plog_t *plog) {
    return plog->nepochs ? plog->epochs[plog->nepochs - 1].epoch : -1;
}

int rn_plog_epoch_end_offset(const rn_plog_t *plog, int32_t epoch, int32_t *found_epoch,
                             int64_t *end_offset) {
    *found_epoch = -1;
    *end_offset = -1;
    size_t n = plog->nepochs;
    if (n == 0 || epoch < 0 || epoch > plog->epochs[n - 1].epoch)
        return 0;
    if (epoch == plog->epochs[n - 1].epoch) {
        *found_epoch = epoch;
        *end_offset = rn_plog_end_offset(plog);
        return 0;
    }
    size_t hi = 0; /* first entry with an epoch above the one asked */
    while (plog->epochs[hi].epoch <= epoch)
        hi++;
    *found_epoch = hi == 0 ? epoch : plog->epochs[hi - 1].epoch;
    *end_offset = plog->epochs[hi].start;
    return 0;
}
