/*
 * accumulator.h — per-partition record batches waiting to be sent.
 *
 *   append ──▶ open batch (rn_batch_builder) ──full (batch.size) or lingered──▶ closed:
 *              finished bytes (gzip'd, CRC'd) in the partition's ready queue, in order
 *              ──▶ taken by the sender (in flight) ──▶ acknowledged / failed / requeued
 *
 * A batch remembers each record's msg_opaque for its delivery report. Order within a
 * partition: batches carry a sequence number; a batch retried after a retriable error
 * goes back into the ready queue at its place, and the head of the queue waits out
 * its retry back-off before anything behind it is sent, so records not yet sent
 * never overtake it.
 *
 * Pure data structure: time comes in as arguments (milliseconds, any monotonic
 * scale), no locks, no I/O. The producer's loop thread owns every instance.
 */
#ifndef RN_CLIENT_ACCUMULATOR_H
#define RN_CLIENT_ACCUMULATOR_H

#include <stddef.h>
#include <stdint.h>

#include "client/partitioner.h"
#include "proto/batch.h"

typedef struct rn__batch_s rn__batch_t;

struct rn__batch_s {
    rn__batch_t *next;
    struct rn__pq_s *pq;
    int32_t count;
    void **opaques; /* count msg_opaques, in record order */
    int32_t cap;
    rn_batch_builder_t bld; /* while open */
    int open;
    uint8_t *bytes; /* once closed: the finished batch (owned) */
    size_t len;
    int64_t seq;
    int64_t created_ms;
    int64_t deadline_ms; /* delivery.timeout.ms after the first record was sent */
    int64_t retry_at;    /* not before this (after a retriable error) */
    int attempts;
    int err;         /* the batch could not be finished (codec error): fail its records */
    uint8_t *key;    /* one_key queues: the key every record of the batch has (owned) */
    int32_t key_len; /* -1: null */
};

/* One topic-partition's queue. */
typedef struct rn__pq_s {
    int32_t partition; /* -1: the broker chooses */
    const char *topic; /* borrowed from the producer's topic */
    rn__sticky_t *sticky;
    rn__batch_t *open;
    rn__batch_t *ready_head, *ready_tail;
    int32_t nready;
    int32_t inflight; /* batches of this partition awaiting a response */
    int64_t next_seq;
    /* Every batch holds records of one key only (a keyless batch: keyless records).
     * For partition -1: the broker routes a whole batch by its first record's key. */
    int one_key;
} rn__pq_t;

typedef struct rn__acc_opts_s {
    int32_t batch_size;
    int32_t max_batch_bytes; /* message.max.bytes */
    int32_t linger_ms;
    rn_codec_t codec;
} rn__acc_opts_t;

void rn__pq_init(rn__pq_t *pq, const char *topic, int32_t partition, rn__sticky_t *sticky);

/* Free every batch (their opaques are dropped: fail them first). */
void rn__pq_deinit(rn__pq_t *pq);

/* Bytes a record adds to a batch, at most (for size checks before appending). */
size_t rn__record_size_bound(int32_t key_len, int32_t value_len, const rn_record_header_t *headers,
                             int32_t nheaders);

/*
 * Append a record. now is when it was queued by the user (for the batch's
 * deadline); deadline_ms when its delivery times out. A full batch is closed first
 * (or right after, when this record filled it). Returns 0, or RN_ETOOLARGE /
 * RN_ECOMPRESS from the batch codec (the record is not added).
 */
int rn__pq_append(rn__pq_t *pq, const rn__acc_opts_t *opts, int64_t now, int64_t deadline_ms,
                  int64_t timestamp, const void *key, int32_t key_len, const void *value,
                  int32_t value_len, const rn_record_header_t *headers, int32_t nheaders,
                  void *opaque);

/* Close the open batch now (flush, linger passed) and queue it as ready. 0, or a
 * codec error, which the batch carries in err (the sender fails its records). */
int rn__pq_close(rn__pq_t *pq);

/* Close the open batch if it has lingered linger_ms (or at once when force). Returns
 * when it will have lingered enough, INT64_MAX without an open batch. */
int64_t rn__pq_linger(rn__pq_t *pq, const rn__acc_opts_t *opts, int64_t now, int force);

/* The batch to send next, if its back-off has passed: the head of the ready queue,
 * unlinked. NULL when nothing is ready. */
rn__batch_t *rn__pq_take(rn__pq_t *pq, int64_t now);

/* Put a batch taken with rn__pq_take back for a retry at retry_at, in sequence
 * order. */
void rn__pq_requeue(rn__pq_t *pq, rn__batch_t *batch, int64_t retry_at);

/* Unlink ready batches whose deadline has passed, in order, into a list (next). */
rn__batch_t *rn__pq_expired(rn__pq_t *pq, int64_t now);

/* The earliest moment something in pq needs attention (retry back-off end,
 * deadline), INT64_MAX if none. Linger is rn__pq_linger's. */
int64_t rn__pq_next_event(const rn__pq_t *pq);

void rn__batch_free(rn__batch_t *batch);

#endif
