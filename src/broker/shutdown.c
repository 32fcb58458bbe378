/*
 * shutdown.c — controlled shutdown (controlled.shutdown.enable, default true): on
 * SIGTERM a broker first has the controller move the leadership of its partitions to
 * other ISR members and take it out of every ISR — the same committed change fencing
 * makes (controller_brokers.c) — and only then stops (broker.c), so that producers and
 * consumers move to the new leaders at once instead of after a session timeout, and no
 * acks=all write waits on a broker that is going away.
 *
 *   rn_broker_stop ──▶ rn__shutdown_begin: worth it? (quorum ready, another live
 *        broker, this one leads a partition or sits in an ISR) ──no──▶ stop now
 *        │ yes: keep serving
 *        ├─ not the controller: heartbeats carry want_shut_down (heartbeat.c); the
 *        │    controller fences this broker and answers should_shut_down once it is
 *        │    (liveness.c) ──▶ rn__shutdown_acked
 *        └─ the controller: proposes its own fencing
 *   tick: the image has this broker fenced and leading nothing, or
 *         broker.session.timeout.ms passed (WARN) ──▶ stop now (broker.c)
 *
 * The broker comes back unfenced at its next start, once caught up, like any fenced
 * broker (liveness.c); leadership returns with the preferred leader election
 * (elect.c). Loop thread only.
 */
#include "broker/broker_int.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/logging.h"

#define MOD "broker"

/* Partitions this broker leads or is an ISR member of, in img. */
static int involved(const rn_meta_image_t *img, int32_t id, bool lead_only) {
    int n = 0;
    for (size_t i = 0; i < img->ntopics; i++)
        for (int32_t p = 0; p < img->topics[i]->npartitions; p++) {
            const rn_meta_partition_t *mp = &img->topics[i]->partitions[p];
            bool in = mp->leader == id;
            for (int32_t k = 0; !lead_only && !in && k < mp->nisr; k++)
                in = mp->isr[k] == id;
            n += in;
        }
    return n;
}

static void finish(rn_broker_t *b, const char *why) {
    if (!b->shutdown.active)
        return;
    b->shutdown.active = false;
    b->hb.want_shut_down = false;
    rn_log(RN_LOG_INFO, MOD, "controlled shutdown: %s", why);
    rn__broker_stop_now(b);
}

static void self_fenced(void *arg, int status) {
    rn_broker_t *b = arg;
    if (status == 0)
        return;
    b->shutdown.proposed = false; /* the next tick tries again (until the deadline) */
    if (status != RN_ECLOSED)
        rn_log(RN_LOG_WARN, MOD, "controlled shutdown: fencing this broker failed: %s",
               rn_strerror(status));
}

/* The controller fences itself (it sends no heartbeats). */
static void propose_own_fencing(rn_broker_t *b) {
    if (rn__propose_fencing(b, b->cfg.broker_id, false, RN_LOG_INFO,
                            "controlled shutdown of the controller", self_fenced, b) == 0)
        b->shutdown.proposed = true;
}

bool rn__shutdown_begin(rn_broker_t *b) {
    const rn_meta_image_t *img = b->quorum != NULL ? rn_broker_image(b) : NULL;
    if (!b->cfg.controlled_shutdown || img == NULL || !b->meta_ready ||
        rn_meta_image_live_brokers(img) < 2)
        return false;
    const rn_meta_broker_t *me = rn_meta_image_broker(img, b->cfg.broker_id);
    int n = involved(img, b->cfg.broker_id, false);
    if (me == NULL || me->fenced || n == 0)
        return false;
    rn_log(RN_LOG_INFO, MOD,
           "controlled shutdown: asking the controller to move %d partitions (leader or "
           "ISR) away from this broker",
           n);
    b->shutdown.active = true;
    b->shutdown.proposed = false;
    b->shutdown.deadline_ms = rn_mono_ms() + b->cfg.broker_session_timeout_ms;
    b->hb.want_shut_down = true;
    b->hb.next_ms = 0; /* tell the controller at the next tick */
    rn__shutdown_tick(b);
    return true;
}

void rn__shutdown_acked(rn_broker_t *b) {
    finish(b, "the controller moved this broker's partitions");
}

void rn__shutdown_tick(rn_broker_t *b) {
    if (!b->shutdown.active)
        return;
    const rn_meta_image_t *img = rn_broker_image(b);
    const rn_meta_broker_t *me = rn_meta_image_broker(img, b->cfg.broker_id);
    if (me != NULL && me->fenced && involved(img, b->cfg.broker_id, true) == 0) {
        finish(b, "this broker is fenced and leads no partition");
        return;
    }
    if (rn_mono_ms() >= b->shutdown.deadline_ms) {
        rn_log(RN_LOG_WARN, MOD,
               "controlled shutdown: not done after %lld ms (broker.session.timeout.ms): "
               "stopping anyway",
               (long long)b->cfg.broker_session_timeout_ms);
        finish(b, "timed out");
        return;
    }
    if (rn_broker_is_controller(b) && !b->shutdown.proposed)
        propose_own_fencing(b);
}
