/*
 * fetch_wait.c — the long poll: a Fetch with fewer than min_bytes available waits for
 * appends on its partitions, at most max_wait_ms.
 *
 *   park: a registry waiter on every partition of the request that this broker
 *         leads + a uv timer (max_wait_ms) + listed as parked (connection close)
 *
 *   APPEND on a partition ─▶ is data past fetch_offset visible now (HW for consumers,
 *                            log end for followers)? min_bytes <= 1: answer; else
 *                            build and answer only if min_bytes are there
 *   GONE (deleted / moved) ─▶ answer on the next loop turn (0 ms timer): the registry
 *                            is mid-change while it wakes us
 *   STOP (broker stopping) ─▶ answer now (the registry is intact while it wakes)
 *   timer                  ─▶ answer with whatever is there
 *   connection closed      ─▶ drop: unregister, answer with nothing, free
 *
 * An idle consumer thus costs one timer and a few list links; nothing polls. Invariant:
 * once `answering` is set no wake answers again; rn__fetch_unpark removes every
 * registration before the one answer.
 */
#include <stddef.h>

#include "broker/datapath_int.h"

static void on_timer(uv_timer_t *t) {
    rn__fetch_finish(t->data, NULL, true);
}

/* Is there data past the entry's fetch offset that this fetcher may see? */
static bool visible(const rn_fetch_ctx_t *ctx, const rn_fetch_ent_t *ent,
                    const rn_partition_t *part) {
    int64_t bound = ctx->req.replica_id < 0 ? part->high_watermark : rn_plog_end_offset(part->plog);
    return bound > ent->fp->fetch_offset;
}

static void on_append(rn_fetch_ctx_t *ctx, rn_fetch_ent_t *ent, rn_partition_t *part) {
    if (!visible(ctx, ent, part))
        return;
    if (ctx->req.min_bytes <= 1) {
        ctx->answering = true;
        rn__fetch_finish(ctx, NULL, true);
        return;
    }
    rn_fetch_result_t res;
    rn__fetch_build(ctx, &res);
    if (res.bytes >= ctx->req.min_bytes || res.any_error) {
        ctx->answering = true;
        rn__fetch_finish(ctx, &res, true);
    } else {
        rn__fetch_result_free(&res);
    }
}

static void on_wake(rn_part_waiter_t *w, rn_partition_t *part, rn_part_wake_t why) {
    rn_fetch_ent_t *ent = w->arg;
    rn_fetch_ctx_t *ctx = ent->ctx;
    if (ctx->answering)
        return;
    switch (why) {
    case RN_PART_WAKE_APPEND:
        on_append(ctx, ent, part);
        break;
    case RN_PART_WAKE_STOP:
        ctx->answering = true;
        rn__fetch_finish(ctx, NULL, true);
        break;
    case RN_PART_WAKE_GONE:
    default:
        ctx->answering = true;
        uv_timer_stop(&ctx->timer);
        uv_timer_start(&ctx->timer, on_timer, 0, 0);
        break;
    }
}

static void on_conn_closed(rn_parked_t *p) {
    rn_fetch_ctx_t *ctx = (rn_fetch_ctx_t *)((char *)p - offsetof(rn_fetch_ctx_t, parked));
    ctx->answering = true;
    rn__fetch_finish(ctx, NULL, false);
}

int rn__fetch_park(rn_fetch_ctx_t *ctx) {
    int rc = uv_timer_init(ctx->b->loop, &ctx->timer);
    if (rc != 0)
        return rc;
    ctx->timer.data = ctx;
    ctx->timer_on = true;
    for (int32_t k = 0; k < ctx->nents; k++) {
        rn_fetch_ent_t *ent = &ctx->ents[k];
        rn_partition_t *part;
        if (rn__datapath_lookup(ctx->b, ent->topic, ent->fp->partition, -1, true, &part) !=
            RN_WIRE_NONE)
            continue; /* cannot happen: the build found no error */
        ent->w.fn = on_wake;
        ent->w.arg = ent;
        rn_partition_wait(part, &ent->w);
    }
    uv_timer_start(&ctx->timer, on_timer, (uint64_t)ctx->req.max_wait_ms, 0);
    ctx->parked.conn = ctx->breq->conn;
    ctx->parked.drop = on_conn_closed;
    rn__parked_add(ctx->b, &ctx->parked);
    return 0;
}

void rn__fetch_unpark(rn_fetch_ctx_t *ctx) {
    for (int32_t k = 0; k < ctx->nents; k++)
        rn_part_waiter_remove(&ctx->ents[k].w);
    rn__parked_remove(&ctx->parked);
}
