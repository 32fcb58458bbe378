/*
 * forward.h — the broker's forwarder: Produce entries sent without a partition (-1)
 * whose chosen partition is led by another broker are sent on to that leader
 * (DESIGN.md §7), and its answer comes back to the waiting request.
 *
 *   handle_produce.c ── partition -1 ── route.c ──▶ led here? ──yes──▶ append locally
 *                                                      │ no
 *                                                      ▼
 *   rn_fwd_produce(leader, acks, timeout, topic, chosen index, records, op)
 *        │ encode a one-entry Produce now (the record bytes are copied)
 *        ▼
 *   target[leader] ── one rn_conn_t, opened lazily ── ops by correlation id
 *        │ not connected yet: queued, sent in order once on_connect(0)
 *        ▼
 *   leader's answer (corr) ──▶ op->done(op, NONE, its partition response)
 *   connection lost / refused / leader fenced or gone / broker stopping
 *                          ──▶ op->done(op, NOT_LEADER_OR_FOLLOWER, NULL)
 *
 * An op is the caller's (embedded in its request state) and is on exactly one
 * target's list from a successful rn_fwd_produce until done runs or the caller
 * cancels it (rn_fwd_cancel), whichever comes first; done runs at most once and never
 * from inside rn_fwd_produce. Timeouts are the caller's: it cancels the op and answers
 * REQUEST_TIMED_OUT (a late answer for a cancelled op is ignored). With acks=0 there
 * is no answer and no op: the forwarder keeps the bytes until they are sent.
 *
 * A forwarded request names a real partition, so the leader never forwards it again:
 * a request is forwarded at most once. The forwarder never retries (the request may
 * or may not have been appended when a connection breaks): the client does.
 *
 * Connections go to the broker's client listener (host and port from the metadata
 * image). rn_fwd_tick closes those to brokers the image no longer has or has fenced,
 * and frees idle ones. Loop thread only.
 */
#ifndef RN_BROKER_FORWARD_H
#define RN_BROKER_FORWARD_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/api_produce.h"
#include "proto/wire.h"
#include "proto/wire_errors.h"

typedef struct rn_broker_s rn_broker_t;
typedef struct rn_fwd_s rn_fwd_t;
typedef struct rn_fwd_op_s rn_fwd_op_t;
struct rn_fwd_target_s;

/* A forwarded entry's result: err NONE with pr the leader's partition response (a view,
 * valid during the call; its error_code may be anything the leader answered), or err
 * the forwarder's own error (NOT_LEADER_OR_FOLLOWER) with pr NULL. op is off its list
 * when done runs; done may cancel or submit other ops. */
typedef void (*rn_fwd_done_fn)(rn_fwd_op_t *op, rn_wire_err_t err,
                               const rn_produce_partition_response_t *pr);

/* Embedded in the caller's state; fields are the forwarder's, except done and arg. */
struct rn_fwd_op_s {
    rn_fwd_op_t *next, **pprev;     /* on target->ops; pprev NULL when not listed */
    struct rn_fwd_target_s *target; /* where it is listed */
    uint8_t *bytes;                 /* the encoded request until sent; NULL after */
    size_t len;
    int32_t corr;    /* correlation id on target's connection */
    int16_t version; /* of the forwarded request (and so of its answer) */
    bool owned;      /* acks=0: the forwarder's own, freed once sent */
    rn_fwd_done_fn done;
    void *arg; /* caller's */
};

/* A forwarder for broker b (borrowed: b must outlive it). Cannot fail. */
rn_fwd_t *rn_fwd_new(rn_broker_t *b);

/*
 * Forward one Produce entry: `records` (borrowed; copied) to partition `index` of
 * `topic` at broker `leader`, with the given acks (0, 1 or -1), timeout_ms and
 * request version. For acks != 0, op (not listed; done and arg set) gets the answer
 * later; for acks=0, op must be NULL. Returns 0 (queued or sent), or a negative code
 * and nothing is queued: RN_EUNKNOWNBROKER (leader is -1, this broker, fenced or not
 * in the image), RN_ECLOSED (stopping), UV_ENOBUFS (the connection's output is full),
 * a connect or encode error. The caller answers NOT_LEADER_OR_FOLLOWER for all of them.
 */
int rn_fwd_produce(rn_fwd_t *fw, int32_t leader, int16_t acks, int32_t timeout_ms, int16_t version,
                   rn_str_t topic, int32_t index, rn_bytes_t records, rn_fwd_op_t *op);

/* Take op off its list without calling done (the caller answers by itself). Harmless
 * when op is not listed. */
void rn_fwd_cancel(rn_fwd_op_t *op);

/* Broker tick: drop connections to fenced or unknown brokers (failing their ops),
 * free idle targets. */
void rn_fwd_tick(rn_fwd_t *fw);

/* The broker is stopping: fail every op (done with NOT_LEADER_OR_FOLLOWER), close every
 * connection, refuse new forwards. Idempotent. NULL is a no-op. */
void rn_fwd_stop(rn_fwd_t *fw);

/* Stop (if not yet) and free. Connections still closing free their own state when
 * their close completes. NULL is a no-op. */
void rn_fwd_free(rn_fwd_t *fw);

#endif
