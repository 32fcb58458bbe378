/*
 * consumer_int.h — the consumer's internals, shared by consumer.c (API, message
 * queue, assignment) and consumer_fetch.c (ListOffsets, Fetch, decoding on the loop).
 *
 *   loop: Fetch ──▶ decode batches ──▶ cmsg list ──lock──▶ queue ──▶ rn_consumer_poll
 *          ▲ one in flight per broker;        (bounded by queued.max.messages.kbytes:
 *          │ none while the queue is full      the loop stops fetching; poll kicks it
 *          └──────────────────────────────── once the queue has drained to half)
 *
 * Threads and ownership. `lock` guards the queue, its byte count and every cpos_t
 * (the API side of an assignment: position and version). cpart_t (the loop side:
 * fetch offset and state) belongs to the loop thread. A seek bumps the partition's
 * version under the lock and drops its queued messages; the loop tags what it
 * fetches with the version it fetched for, and messages from an older version are
 * dropped when they reach the queue, so nothing from before a seek is returned after
 * it.
 */
#ifndef RN_CLIENT_CONSUMER_INT_H
#define RN_CLIENT_CONSUMER_INT_H

#include <stdint.h>

#include "client/client.h"
#include "client/metadata.h"

/* The API side of one assigned partition (under the consumer's lock). */
typedef struct cpos_s {
    struct cpos_s *next;
    char *topic;
    int32_t partition;
    int64_t position; /* next offset poll returns; logical (-1/-2) until resolved */
    uint32_t version; /* bumped by every assign/seek */
} cpos_t;

/* A fetched message or a partition error on its way to poll. */
typedef struct cmsg_s {
    rn_message_t msg; /* first: rn_message_free frees the cmsg_s */
    struct cmsg_s *next;
    cpos_t *pos;
    uint32_t version;
    int err; /* != 0: an error entry; msg unused */
    size_t bytes;
    char errbuf[256];
} cmsg_t;

typedef enum { CP_NEED_OFFSET, CP_LISTING, CP_FETCHABLE, CP_STOPPED } cpstate_t;

/* The loop side of one assigned partition. */
typedef struct cpart_s {
    struct cpart_s *next;
    cpos_t *pos; /* its API side; topic/partition are read-only after creation */
    rn__mtopic_t *mt;
    int64_t offset; /* next fetch offset, or logical with CP_NEED_OFFSET */
    uint32_t version;
    cpstate_t state;
    rn__broker_t *fetching; /* the broker of the fetch it is in, or NULL */
    int64_t backoff_until;
    int32_t max_bytes; /* partition_max_bytes; grows for a batch larger than it */
} cpart_t;

struct rn_consumer_s {
    rn__client_t cl;
    uv_mutex_t lock; /* queue, qbytes, cpos list, paused */
    uv_cond_t cond;
    cmsg_t *q_head, *q_tail;
    size_t qbytes;
    size_t qlimit;
    int paused; /* the loop stopped fetching for a full queue */
    cpos_t *positions;
    /* ---- loop thread only ---- */
    cpart_t *parts;
};

/* Loop thread: send ListOffsets and Fetch requests that are due. */
int64_t rn__consumer_fetch_serve(struct rn_consumer_s *c, int64_t now);

/* Loop thread: hand a list of cmsgs to poll (drops those of an older version). */
void rn__consumer_enqueue(struct rn_consumer_s *c, cmsg_t *head);

/* An error entry for poll: "topic-partition: what" with code err. */
cmsg_t *rn__cmsg_error(cpart_t *cp, int err, const char *what);

#endif
