/*
 * checkpoint.h — the per-partition offset checkpoint files of a log directory, in
 * Kafka's text format. Two files share this code:
 *
 *   recovery-point-offset-checkpoint   offset below which a partition's data is fsynced
 *   replication-offset-checkpoint      a partition's high watermark, as the broker set it
 *
 * Both hold, byte for byte:
 *
 *   0                        version
 *   3                        number of entries
 *   orders 0 1200            topic SP partition SP offset, one line each
 *   orders 1 0
 *   click-stream.eu-west 12 77
 *
 * Written whole to a temporary file, fsynced, renamed over the old one and the
 * directory fsynced: a crash leaves the old file or the new one, never a mix. Writes
 * may run on the thread pool; a sequence number taken on the loop thread keeps an
 * older snapshot from replacing a newer one when two writes overlap.
 * Anything that is not exactly this format is corrupt.
 */
#ifndef RN_LOG_CHECKPOINT_H
#define RN_LOG_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#define RN__CHECKPOINT_NAME    "recovery-point-offset-checkpoint"
#define RN__HW_CHECKPOINT_NAME "replication-offset-checkpoint"

typedef struct rn__ckpt_entry_s {
    char *topic;
    int32_t partition;
    int64_t offset;
} rn__ckpt_entry_t;

/* Parse the checkpoint at path. 0 with *entries (sorted; rn__checkpoint_free) and *n;
 * -ENOENT when there is none; RN_ECORRUPT when it is not the format; -errno. */
int rn__checkpoint_read(const char *path, rn__ckpt_entry_t **entries, size_t *n);
void rn__checkpoint_free(rn__ckpt_entry_t *entries, size_t n);

/* The offset recorded for (topic, partition), or -1. */
int64_t rn__checkpoint_find(const rn__ckpt_entry_t *entries, size_t n, const char *topic,
                            int32_t partition);

/* The text of a checkpoint, built line by line. */
typedef struct rn__ckpt_text_s {
    char *buf;
    size_t len, cap;
    size_t count;
} rn__ckpt_text_t;

void rn__ckpt_text_add(rn__ckpt_text_t *text, const char *topic, int32_t partition, int64_t offset);
/* The whole file (header and lines), rn_malloc'd; text is reset. */
char *rn__ckpt_text_finish(rn__ckpt_text_t *text, size_t *len);

/* Serializes renames of one checkpoint file (<dir>/<name>) across threads. */
typedef struct rn__ckpt_writer_s {
    char *dir;
    char *name; /* RN__CHECKPOINT_NAME, RN__HW_CHECKPOINT_NAME */
    uv_mutex_t lock;
    uint64_t written; /* sequence number of the snapshot on disk */
} rn__ckpt_writer_t;

int rn__ckpt_writer_init(rn__ckpt_writer_t *w, const char *dir, const char *name);
void rn__ckpt_writer_deinit(rn__ckpt_writer_t *w);

/* Write snapshot `seq` (text, len bytes) atomically; skipped (0) when a newer one is
 * already on disk. Thread-safe. 0 or -errno. */
int rn__ckpt_write(rn__ckpt_writer_t *w, uint64_t seq, const char *text, size_t len);

/* Remove the temporary files of checkpoint `name` that a crash left behind. */
void rn__ckpt_remove_stale(const char *dir, const char *name);

#endif
