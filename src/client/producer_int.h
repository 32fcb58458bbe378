/*
 * producer_int.h — the producer's internals, shared by producer.c (API, intake,
 * batching by topic) and producer_send.c (Produce requests and their responses).
 *
 * Threads. rn_producer_send runs on API threads: it copies the record into one
 * allocation (pmsg_t) and posts it to the loop; `outstanding` (atomic) counts records
 * from send until their delivery report. Everything else below "loop thread only" —
 * topics, partition queues, batches, requests — belongs to the loop thread. flush
 * waits on `cond` under `lock`, woken when outstanding reaches 0.
 */
#ifndef RN_CLIENT_PRODUCER_INT_H
#define RN_CLIENT_PRODUCER_INT_H

#include <stdatomic.h>
#include <stdint.h>

#include "client/accumulator.h"
#include "client/client.h"
#include "client/metadata.h"
#include "client/partitioner.h"

typedef struct pmsg_s pmsg_t;

/* One record from rn_producer_send to its place in a batch (then freed). */
struct pmsg_s {
    rn__cmd_t cmd; /* posted to the loop */
    pmsg_t *next;  /* in its topic's wait list */
    struct rn_producer_s *p;
    char *topic;
    int32_t partition; /* as sent: RN_PARTITION_ANY or a partition */
    int64_t timestamp;
    int64_t deadline_ms; /* uv_hrtime scale, ms */
    void *key;
    int32_t key_len;
    void *value;
    int32_t value_len;
    rn_record_header_t *headers;
    int32_t nheaders;
    void *opaque;
};

typedef struct ptopic_s {
    struct ptopic_s *next;
    char *name;
    rn__mtopic_t *mt; /* the metadata cache's entry (lives as long as the client) */
    rn__sticky_t sticky;
    uint8_t *avail;     /* npq entries: the partition has a leader (the sticky choice) */
    uint32_t avail_gen; /* mt->gen avail was computed from; avail NULL: not yet */
    int32_t npq;
    rn__pq_t *pqs;                 /* one per partition, grown with the partition count */
    rn__pq_t any_pq;               /* partition -1: the broker partitioner */
    pmsg_t *wait_head, *wait_tail; /* records waiting for metadata */
} ptopic_t;

struct rn_producer_s {
    rn__client_t cl;
    rn_delivery_fn dr;
    void *dr_opaque;
    rn__acc_opts_t acc;
    atomic_llong outstanding;
    atomic_int flushing;
    uv_mutex_t lock; /* with cond: flush waiters */
    uv_cond_t cond;
    /* ---- loop thread only ---- */
    ptopic_t *topics;
    int stopping;
};

/* Report the outcome of every record of batch and free it (loop thread). */
void rn__producer_batch_done(struct rn_producer_s *p, rn__batch_t *batch, int err,
                             int32_t partition, int64_t base_offset);

/* Send what is ready on every broker that has room (loop thread). */
void rn__producer_send_ready(struct rn_producer_s *p, int64_t now);

/* The broker a partition queue sends to, or NULL while its leader is unknown. */
rn__broker_t *rn__producer_pq_broker(struct rn_producer_s *p, ptopic_t *t, rn__pq_t *pq);

#endif
