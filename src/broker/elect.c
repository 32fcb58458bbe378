/*
 * elect.c — the controller's leader elections beside fencing (liveness.c): the
 * periodic preferred leader election (auto.leader.rebalance.enable, every
 * leader.imbalance.check.interval.ms) and the reconciliation of fenced brokers that a
 * partition still names (controller_elect.c says why that can happen), checked every
 * second. Each round proposes at most one metadata entry and waits for it before the
 * next. The on-demand election (ElectLeaders) is handle_elect_leaders.c.
 *
 *   tick (100 ms), controller only
 *     ├─ reconcile due and nothing in flight ──▶ PartitionChanges (one entry)
 *     └─ rebalance due and nothing in flight ──▶ PartitionChanges to the preferred
 *                                                 replicas (at most RN_ELECT_MAX)
 *
 * Loop thread only.
 */
#include "broker/broker_int.h"
#include "common/alloc.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/logging.h"
#include "meta/controller.h"

#define MOD "controller"

/* Most PartitionChanges in one periodic entry (the rest wait for the next round). */
#define RN_ELECT_MAX    1000
#define RN_RECONCILE_MS 1000

static void round_done(void *arg, int status) {
    rn_broker_t *b = arg;
    b->elect.busy = false;
    if (status != 0 && status != RN_ECLOSED)
        rn_log(RN_LOG_WARN, MOD, "leader election round failed: %s", rn_strerror(status));
}

static void propose(rn_broker_t *b, rn_meta_record_t *recs, size_t n, const char *what) {
    if (n > 0) {
        rn_log(RN_LOG_INFO, MOD, "%s: %zu partitions change leader or ISR", what, n);
        if (rn_quorum_propose(b->quorum, recs, n, round_done, b) == 0)
            b->elect.busy = true;
    }
    rn_controller_records_free(recs, n);
}

void rn__elect_tick(rn_broker_t *b) {
    if (b->quorum == NULL || !rn_broker_is_controller(b)) {
        b->elect.next_rebalance_ms = 0; /* a new controller waits a full interval */
        return;
    }
    int64_t now = rn_mono_ms();
    if (b->elect.next_rebalance_ms == 0)
        b->elect.next_rebalance_ms = now + b->cfg.leader_imbalance_check_ms;
    if (b->elect.busy)
        return;
    rn_meta_record_t *recs;
    size_t n;
    if (now >= b->elect.next_reconcile_ms) {
        b->elect.next_reconcile_ms = now + RN_RECONCILE_MS;
        rn_controller_reconcile_fenced(rn_broker_image(b), &recs, &n);
        propose(b, recs, n, "fenced brokers still named in partitions");
        if (b->elect.busy)
            return;
    }
    if (b->cfg.auto_leader_rebalance && now >= b->elect.next_rebalance_ms) {
        b->elect.next_rebalance_ms = now + b->cfg.leader_imbalance_check_ms;
        rn_controller_elect_all_preferred(rn_broker_image(b), RN_ELECT_MAX, &recs, &n);
        propose(b, recs, n, "preferred leader election");
    }
}
