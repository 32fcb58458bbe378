/*
 * topic_ops.c — admin requests waiting for the metadata quorum (topic_ops.h).
 */
#include "broker/topic_ops.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/logging.h"

typedef struct proposal_s {
    rn_topic_op_t *op;
    int32_t item;
} proposal_t;

bool rn_str_to_buf(rn_str_t s, char *buf, size_t len) {
    if (s.len < 0 || (size_t)s.len >= len)
        return false;
    memcpy(buf, s.ptr, (size_t)s.len);
    buf[s.len] = '\0';
    return true;
}

rn_wire_err_t rn_topic_op_wire_err(int rc) {
    /* A proposal cut short by shutdown is retriable elsewhere, like losing leadership. */
    if (rc == RN_ECLOSED)
        return RN_WIRE_NOT_CONTROLLER;
    return rn_wire_err_from(rc);
}

rn_topic_op_t *rn_topic_op_new(rn_breq_t *breq, int32_t n, int32_t timeout_ms,
                               rn_topic_op_answer_fn answer) {
    rn_broker_t *b = breq->broker;
    rn_topic_op_t *op = rn_calloc(1, sizeof *op);
    op->broker = b;
    op->breq = breq;
    op->answer = answer;
    op->deadline_ms = timeout_ms > 0 ? rn_mono_ms() + timeout_ms : 0;
    op->n = n;
    op->items = n > 0 ? rn_calloc((size_t)n, sizeof *op->items) : NULL;
    op->next = b->topic_ops;
    if (op->next != NULL)
        op->next->prev = op;
    b->topic_ops = op;
    return op;
}

void rn_topic_op_fail(rn_topic_op_t *op, int32_t i, rn_wire_err_t err, const char *fmt, ...) {
    rn_topic_op_item_t *it = &op->items[i];
    it->err = err;
    it->msg[0] = '\0';
    if (fmt == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->msg, sizeof it->msg, fmt, ap);
    va_end(ap);
}

static void op_free_if_done(rn_topic_op_t *op) {
    if (op->breq != NULL || op->pending > 0 || !op->started)
        return;
    rn_broker_t *b = op->broker;
    if (op->prev != NULL)
        op->prev->next = op->next;
    else
        b->topic_ops = op->next;
    if (op->next != NULL)
        op->next->prev = op->prev;
    for (int32_t i = 0; i < op->n; i++)
        rn_free(op->items[i].owned_name);
    rn_free(op->items);
    rn_free(op);
}

static void op_answer(rn_topic_op_t *op) {
    if (op->breq == NULL)
        return;
    for (int32_t i = 0; i < op->n; i++) {
        rn_topic_op_item_t *it = &op->items[i];
        if (it->pending && op->deadline_ms != 0)
            rn_topic_op_fail(op, i, RN_WIRE_REQUEST_TIMED_OUT,
                             "not committed to the metadata log in time; it may still be");
    }
    op->answer(op);
    op->breq = NULL;
}

static void proposed(void *arg, int status) {
    proposal_t *p = arg;
    rn_topic_op_t *op = p->op;
    rn_topic_op_item_t *it = &op->items[p->item];
    rn_free(p);
    op->pending--;
    it->pending = false;
    if (op->breq != NULL) {
        if (status == 0)
            it->done_ok = true;
        else
            rn_topic_op_fail(op, (int32_t)(it - op->items), rn_topic_op_wire_err(status), "%s",
                             rn_strerror(status));
        if (op->pending == 0 && op->started)
            op_answer(op);
    }
    op_free_if_done(op);
}

void rn_topic_op_propose(rn_topic_op_t *op, int32_t i, const rn_meta_record_t *recs, size_t n) {
    rn_broker_t *b = op->broker;
    if (b->stopping || b->quorum == NULL) {
        rn_topic_op_fail(op, i, RN_WIRE_NOT_CONTROLLER, "the broker is shutting down");
        return;
    }
    proposal_t *p = rn_malloc(sizeof *p);
    p->op = op;
    p->item = i;
    /* Count it first: a callback fired from inside rn_quorum_propose must find it. */
    op->items[i].pending = true;
    op->pending++;
    int rc = rn_quorum_propose(b->quorum, recs, n, proposed, p);
    if (rc != 0) {
        rn_free(p);
        op->items[i].pending = false;
        op->pending--;
        int32_t leader = rn_broker_controller_id(b);
        if (rc == RN_ENOTLEADER)
            rn_topic_op_fail(op, i, RN_WIRE_NOT_CONTROLLER, "the controller is broker %d",
                             (int)leader);
        else
            rn_topic_op_fail(op, i, rn_topic_op_wire_err(rc), "%s", rn_strerror(rc));
        return;
    }
}

void rn_topic_op_start(rn_topic_op_t *op) {
    op->started = true;
    if (op->pending == 0 || op->deadline_ms == 0)
        op_answer(op);
    op_free_if_done(op);
}

void rn_topic_ops_tick(rn_broker_t *b) {
    int64_t now = rn_mono_ms();
    rn_topic_op_t *op = b->topic_ops;
    while (op != NULL) {
        rn_topic_op_t *next = op->next;
        if (op->breq != NULL && op->started && op->deadline_ms != 0 && now >= op->deadline_ms) {
            op_answer(op);
            op_free_if_done(op);
        }
        op = next;
    }
}

void rn_topic_ops_abort(rn_broker_t *b) {
    rn_topic_op_t *op = b->topic_ops;
    while (op != NULL) {
        rn_topic_op_t *next = op->next;
        if (op->breq != NULL && op->started) {
            op->deadline_ms = op->deadline_ms ? op->deadline_ms : 1;
            op_answer(op);
            op_free_if_done(op);
        }
        op = next;
    }
}
