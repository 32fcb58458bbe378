/*
 * produce_wait.c — acks=all produces waiting for the high watermark.
 *
 *   rn_partition_t.acks ──▶ rn_ack_part_t { registry waiter, rn_ack_list_t (by offset) }
 *                                 │ APPEND wake (the HW may have moved): release up to HW
 *                                 │ GONE / STOP wake: abort everything
 *                                 ▼
 *                           rn_produce_ent_t of some request ──▶ its ctx: npending--,
 *                                                                answered at 0
 *
 * One rn_ack_part_t per partition with waiting produces: it is the only registry
 * waiter acks=all needs, so a HW advance costs O(released), not O(waiting requests).
 * It is created by the first wait and freed when its list is empty at a wake.
 *
 * The request's own timer (timeout_ms) answers REQUEST_TIMED_OUT for the entries still
 * waiting — for the HW or for the leader they were forwarded to (handle_produce.c,
 * forward.h), whose answer is then ignored; a closed connection drops the request
 * (parked.c). A forwarded entry is given at least FWD_MIN_WAIT_MS: a round trip to
 * another broker cannot fit in a timeout of 0.
 *
 * The HW moves with the followers' fetches (partitions.h, isr.c); when it passes a
 * batch, the maximal ISR must still have min.insync.replicas members, else
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND.
 */
#include <stddef.h>

#include "broker/datapath_int.h"
#include "common/alloc.h"

#define FWD_MIN_WAIT_MS 1000

typedef struct rn_ack_part_s {
    rn_part_waiter_t w; /* on the partition's waiter list while this exists */
    rn_ack_list_t list;
    int32_t epoch; /* the leader epoch its waiters' batches were appended in */
} rn_ack_part_t;

/* Still the leader of the epoch the waiters' batches were appended in? Else a later
 * HW says nothing about them (they may have been truncated away). */
static bool same_leadership(const rn_ack_part_t *ap, const rn_partition_t *part) {
    return part->is_leader && part->leader_epoch == ap->epoch;
}

static void ack_part_wake(rn_part_waiter_t *w, rn_partition_t *part, rn_part_wake_t why) {
    rn_ack_part_t *ap = w->arg;
    if (why == RN_PART_WAKE_APPEND && same_leadership(ap, part))
        rn_ack_list_release(&ap->list, part->high_watermark);
    else
        rn_ack_list_abort(&ap->list);
    if (rn_ack_list_empty(&ap->list)) {
        rn_part_waiter_remove(w); /* no-op after GONE / STOP */
        part->acks = NULL;
        rn_free(ap);
    }
}

static void ent_done(rn_ack_waiter_t *aw, rn_ack_result_t result) {
    rn_produce_ent_t *ent = aw->arg;
    rn_produce_ctx_t *ctx = ent->ctx;
    rn_produce_partition_response_t *pr = ent->pr;
    rn_wire_err_t err = RN_WIRE_NONE;
    if (result == RN_ACK_ABORTED)
        err = RN_WIRE_NOT_LEADER_OR_FOLLOWER; /* partition gone or broker stopping */
    else if (!rn_partition_max_isr_ok(ent->part))
        err = RN_WIRE_NOT_ENOUGH_REPLICAS_AFTER_APPEND; /* the ISR shrank meanwhile */
    if (err != RN_WIRE_NONE) {
        pr->error_code = err;
        pr->base_offset = -1;
    }
    ent->part = NULL;
    if (--ctx->npending == 0 && !ctx->building)
        rn__produce_finish(ctx, true);
}

void rn__produce_wait(rn_produce_ctx_t *ctx, rn_produce_ent_t *ent, rn_partition_t *part,
                      int64_t need) {
    rn_ack_part_t *ap = part->acks;
    if (ap != NULL && !same_leadership(ap, part)) {
        rn_part_waiter_remove(&ap->w);
        part->acks = NULL;
        rn_ack_list_abort(&ap->list);
        rn_free(ap);
        ap = NULL;
    }
    if (ap == NULL) {
        ap = rn_calloc(1, sizeof *ap);
        ap->epoch = part->leader_epoch;
        rn_ack_list_init(&ap->list);
        ap->w.fn = ack_part_wake;
        ap->w.arg = ap;
        rn_partition_wait(part, &ap->w);
        part->acks = ap;
    }
    ent->ctx = ctx;
    ent->part = part;
    ent->aw.fn = ent_done;
    ent->aw.arg = ent;
    rn_ack_list_add(&ap->list, &ent->aw, need);
    ctx->npending++;
}

void rn__produce_wait_cancel(rn_produce_ctx_t *ctx) {
    if (ctx->ents == NULL)
        return;
    int32_t k = 0;
    for (int32_t i = 0; i < ctx->req.n_topic_data; i++)
        k += ctx->req.topic_data[i].n_partition_data;
    for (int32_t i = 0; i < k; i++) {
        /* An emptied list stays registered until its partition's next wake frees it. */
        rn_ack_waiter_remove(&ctx->ents[i].aw);
        rn_fwd_cancel(&ctx->ents[i].fwd);
        ctx->ents[i].part = NULL;
    }
    ctx->npending = 0;
}

static void on_timeout(uv_timer_t *t) {
    rn_produce_ctx_t *ctx = t->data;
    int32_t k = 0;
    for (int32_t i = 0; i < ctx->req.n_topic_data; i++) {
        for (int32_t j = 0; j < ctx->req.topic_data[i].n_partition_data; j++, k++) {
            rn_produce_ent_t *ent = &ctx->ents[k];
            if (!rn_ack_waiter_queued(&ent->aw) && ent->fwd.pprev == NULL)
                continue;
            ent->pr->error_code = RN_WIRE_REQUEST_TIMED_OUT;
            ent->pr->base_offset = -1;
        }
    }
    rn__produce_finish(ctx, true);
}

static void on_conn_closed(rn_parked_t *p) {
    rn_produce_ctx_t *ctx = (rn_produce_ctx_t *)((char *)p - offsetof(rn_produce_ctx_t, parked));
    rn__produce_finish(ctx, false);
}

void rn__produce_wait_start(rn_produce_ctx_t *ctx) {
    int32_t timeout = ctx->req.timeout_ms > 0 ? ctx->req.timeout_ms : 0;
    int32_t n = 0;
    for (int32_t i = 0; i < ctx->req.n_topic_data; i++)
        n += ctx->req.topic_data[i].n_partition_data;
    for (int32_t i = 0; i < n && timeout < FWD_MIN_WAIT_MS; i++)
        if (ctx->ents[i].fwd.pprev != NULL)
            timeout = FWD_MIN_WAIT_MS;
    uv_timer_init(ctx->b->loop, &ctx->timer);
    ctx->timer.data = ctx;
    ctx->timer_on = true;
    uv_timer_start(&ctx->timer, on_timeout, (uint64_t)timeout, 0);
    ctx->parked.conn = ctx->breq->conn;
    ctx->parked.drop = on_conn_closed;
    rn__parked_add(ctx->b, &ctx->parked);
}
