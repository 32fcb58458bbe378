/*
 * datapath_int.h — shared by the data path's files (handle_produce.c, produce_wait.c,
 * handle_fetch.c, fetch_wait.c): the state of a Produce or a Fetch that may have to
 * wait, and the functions that wait and answer.
 *
 *   Produce acks=all:  append ──▶ HW < need? ──yes──▶ ent queued on the partition's
 *                       ack list (ack_wait.h) ──HW passes / timeout_ms / gone──▶ answer
 *   Fetch long poll:    read ──▶ < min_bytes? ──yes──▶ a waiter on every partition
 *                       ──append makes min_bytes / max_wait_ms / gone / stop──▶ answer
 *
 * Invariants: a context answers its breq exactly once (rn__produce_finish /
 * rn__fetch_finish or a drop when the connection closed), then frees itself — through
 * its timer's close callback when the timer was initialised. While waiting it is
 * parked on the broker (broker_int.h) and holds registrations that are all removed
 * before it is answered. Loop thread only.
 */
#ifndef RN_BROKER_DATAPATH_INT_H
#define RN_BROKER_DATAPATH_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "broker/ack_wait.h"
#include "broker/broker_int.h"
#include "broker/forward.h"
#include "broker/partitions.h"
#include "proto/api_fetch.h"
#include "proto/api_produce.h"

#define RN_DATAPATH_MOD "broker"

/* The wire error for an internal code from validating, appending or reading record
 * batches: rn_wire_err_from, except that an inflate failure is the data's fault
 * (CORRUPT_MESSAGE) and -errno is a disk error (KAFKA_STORAGE_ERROR). */
rn_wire_err_t rn__datapath_err(int rc);

/* The partition (topic, partition) for a data request, or the wire error to answer:
 * UNKNOWN_TOPIC_OR_PARTITION (no such topic or partition), NOT_LEADER_OR_FOLLOWER (not
 * hosted here, or need_leader and this broker does not lead it), FENCED_LEADER_EPOCH /
 * UNKNOWN_LEADER_EPOCH (current_epoch >= 0 older / newer than the partition's). */
rn_wire_err_t rn__datapath_lookup(rn_broker_t *b, rn_str_t topic, int32_t partition,
                                  int32_t current_epoch, bool need_leader, rn_partition_t **out);

/* ---- Produce ------------------------------------------------------------------- */

struct rn_produce_ctx_s;

/* One partition entry of a Produce waiting: acks=all for the high watermark, or (acks
 * 1 or -1) for the leader a partition -1 entry was forwarded to (forward.h). */
typedef struct rn_produce_ent_s {
    rn_ack_waiter_t aw;                  /* queued on part->acks while waiting */
    rn_partition_t *part;                /* valid while aw is queued */
    rn_produce_partition_response_t *pr; /* where the answer goes */
    struct rn_produce_ctx_s *ctx;
    rn_fwd_op_t fwd; /* listed while the forwarded entry awaits the leader's answer */
    rn_str_t topic;  /* forwarded: the topic (a view into the request) */
} rn_produce_ent_t;

typedef struct rn_produce_ctx_s {
    rn_broker_t *b;
    rn_breq_t *breq;
    rn_produce_request_t req;
    rn_produce_response_t resp; /* arrays rn_calloc'd; names are views into breq */
    rn_produce_ent_t *ents;     /* acks 1 or -1: one per request partition entry */
    int npending;               /* ents still queued or forwarded */
    bool building;              /* the handler is still walking the request */
    rn_parked_t parked;
    uv_timer_t timer; /* timeout_ms for acks=all */
    bool timer_on;    /* initialised: free through uv_close */
} rn_produce_ctx_t;

/* handle_produce.c: encode and send the response (or nothing, for a dropped request),
 * release the request and free ctx. */
void rn__produce_finish(rn_produce_ctx_t *ctx, bool send);

/* produce_wait.c: queue ent until part's HW reaches need. */
void rn__produce_wait(rn_produce_ctx_t *ctx, rn_produce_ent_t *ent, rn_partition_t *part,
                      int64_t need);

/* produce_wait.c: after the handler's walk, with npending > 0: start the timeout and
 * park. */
void rn__produce_wait_start(rn_produce_ctx_t *ctx);

/* produce_wait.c: take every ent off its list, cancel every forward (before
 * answering). */
void rn__produce_wait_cancel(rn_produce_ctx_t *ctx);

/* ---- Fetch ---------------------------------------------------------------------- */

typedef struct rn_fetch_ctx_s rn_fetch_ctx_t;

/* One partition of a waiting fetch. */
typedef struct rn_fetch_ent_s {
    rn_part_waiter_t w; /* registered while waiting; w.arg = this entry */
    rn_fetch_ctx_t *ctx;
    rn_str_t topic;                 /* view into the request */
    const rn_fetch_partition_t *fp; /* the request's entry (in ctx->req) */
} rn_fetch_ent_t;

struct rn_fetch_ctx_s {
    rn_broker_t *b;
    rn_breq_t *breq;
    rn_fetch_request_t req;
    rn_fetch_ent_t *ents; /* one per request partition entry, flattened */
    int32_t nents;
    bool answering; /* answer scheduled or in progress: ignore further wakes */
    rn_parked_t parked;
    uv_timer_t timer; /* max_wait_ms, or 0 ms to answer from a clean stack */
    bool timer_on;
};

/* handle_fetch.c: read what the request asks for. Returns the record bytes gathered
 * (*out filled, *reads owned by the caller: rn__fetch_reads_free). */
typedef struct rn_fetch_result_s {
    rn_fetch_response_t resp; /* arrays rn_calloc'd */
    rn_plog_read_t *reads;    /* one per partition entry */
    int32_t nreads;
    int64_t bytes;  /* record bytes gathered */
    bool any_error; /* some partition has an error code */
} rn_fetch_result_t;

void rn__fetch_build(rn_fetch_ctx_t *ctx, rn_fetch_result_t *res);
void rn__fetch_result_free(rn_fetch_result_t *res);

/* handle_fetch.c: build (unless res is given), send, release, free ctx. send false:
 * the connection closed; answer with nothing. */
void rn__fetch_finish(rn_fetch_ctx_t *ctx, rn_fetch_result_t *res, bool send);

/* fetch_wait.c: park ctx until min_bytes are available or max_wait_ms pass. Returns 0,
 * or a negative libuv code (nothing parked: answer now). */
int rn__fetch_park(rn_fetch_ctx_t *ctx);

/* fetch_wait.c: remove every waiter and unpark (before answering). */
void rn__fetch_unpark(rn_fetch_ctx_t *ctx);

#endif
