/*
 * topic_ops.h — admin requests that wait for the metadata quorum: CreateTopics,
 * DeleteTopics and AlterConfigs validate each item, propose its records
 * (rn_quorum_propose) and answer once every proposal has committed and applied, or at
 * the request's timeout, whichever comes first.
 *
 *   handler ── rn_topic_op_new(breq, n items) ── per item: set err, or propose ──┐
 *                                                                                │
 *   quorum cb(status) per proposal ──▶ item err ──▶ all done? ──▶ answer(op) ◀───┘
 *   broker tick (100 ms) ──▶ deadline passed? ──▶ pending items REQUEST_TIMED_OUT,
 *                                                 answer(op)
 *
 * Invariants: the op lives until it has answered AND every proposal callback has
 * fired (the quorum calls each exactly once, also at shutdown); the request is
 * answered exactly once. Items' names are views into the request body, valid until
 * the answer. Loop thread only.
 */
#ifndef RN_BROKER_TOPIC_OPS_H
#define RN_BROKER_TOPIC_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "broker/broker_int.h"
#include "meta/records.h"

#define RN_TOPIC_OP_MSG_MAX 256

typedef struct rn_topic_op_item_s {
    rn_str_t name;                 /* topic (or resource) name: view into the request */
    char *owned_name;              /* set when name views a copy the op owns (freed with it) */
    int32_t partition;             /* ElectLeaders only */
    int8_t resource_type;          /* AlterConfigs only */
    rn_wire_err_t err;             /* NONE until something fails */
    char msg[RN_TOPIC_OP_MSG_MAX]; /* "" for none */
    bool pending;                  /* proposal in flight */
    bool done_ok;                  /* proposal committed and applied */
} rn_topic_op_item_t;

/* Encode and send the response for op (rn_breq_respond on op->breq). */
typedef void (*rn_topic_op_answer_fn)(rn_topic_op_t *op);

struct rn_topic_op_s {
    rn_broker_t *broker;
    rn_breq_t *breq; /* NULL once answered */
    rn_topic_op_answer_fn answer;
    int64_t deadline_ms; /* monotonic ms; 0: answer as soon as proposed */
    int pending;         /* proposals whose callback has not fired */
    bool started;
    int32_t n;
    rn_topic_op_item_t *items;
    rn_topic_op_t *prev, *next; /* b->topic_ops */
};

/* A new op answering breq with `answer` once its n items are settled; timeout_ms <= 0
 * answers right after proposing (the proposals still complete in the background). */
rn_topic_op_t *rn_topic_op_new(rn_breq_t *breq, int32_t n, int32_t timeout_ms,
                               rn_topic_op_answer_fn answer);

/* Fail item i with err and a message (printf-style; may be NULL). */
void rn_topic_op_fail(rn_topic_op_t *op, int32_t i, rn_wire_err_t err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Propose recs (borrowed) as one entry for item i; a refusal fails the item. */
void rn_topic_op_propose(rn_topic_op_t *op, int32_t i, const rn_meta_record_t *recs, size_t n);

/* All items are set up: answer now if nothing is pending (or no wait was asked). */
void rn_topic_op_start(rn_topic_op_t *op);

/* Broker tick: answer ops past their deadline. */
void rn_topic_ops_tick(rn_broker_t *b);

/* Shutdown: answer every op still holding its request (pending items
 * REQUEST_TIMED_OUT). The ops themselves go when their proposals' callbacks fire. */
void rn_topic_ops_abort(rn_broker_t *b);

/* The wire error for an internal code from the controller or the quorum. */
rn_wire_err_t rn_topic_op_wire_err(int rc);

#endif
