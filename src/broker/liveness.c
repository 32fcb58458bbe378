/*
 * liveness.c — the controller's side of broker liveness: one session per broker,
 * refreshed by its BrokerHeartbeat; registration, standby membership, fencing and
 * unfencing, each proposed as one metadata entry.
 *
 *   heartbeat from B ──▶ session(B).last = now (a new session: catch-up target =
 *        the controller's applied index now)
 *        ├─ B unknown or moved ──▶ RegisterBroker{B, address, fenced}
 *        ├─ B wants to shut down (v1), or has just started (v2) ──▶ fence it now, the
 *        │    same change as for a silent broker; a stopping one gets should_shut_down
 *        │    once it is fenced (shutdown.c), a starting one is unfenced once caught up
 *        ├─ B fenced and B applied ≥ target ──▶ UnfenceBroker + re-elect offline
 *        │                                      partitions (controller_brokers.c)
 *        └─ B not in the Raft configuration (not a voter) ──▶ add it as a standby
 *             at its controller_address (quorum.h), so it receives the log
 *   tick (100 ms) ──▶ every unfenced broker but the controller silent for longer than
 *        broker.session.timeout.ms ──▶ FenceBroker + PartitionChanges, one entry
 *
 * Sessions start when this broker becomes the controller (every registered broker
 * gets a full session timeout of grace, except the previous controller: it sent no
 * heartbeats, and its silence counts from when this broker, then its Raft follower,
 * last heard from it — so a dead controller's partitions move about
 * broker.session.timeout.ms after it died, not after the election) and are dropped
 * when it stops being one. At
 * most one proposal per broker is in flight (busy). Loop thread only.
 */
#include <stdio.h>
#include <string.h>

#include "broker/broker_int.h"
#include "common/alloc.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/logging.h"
#include "meta/controller.h"

#define MOD "controller"

typedef struct session_s {
    int32_t id;
    int64_t last_ms;
    uint64_t target; /* caught up once the broker has applied this index */
    bool busy;       /* a proposal about this broker is in flight */
} session_t;

struct rn_liveness_s {
    session_t *v;
    size_t n, cap;
    bool active; /* this broker is the controller and tracks sessions */
};

typedef struct change_s {
    rn_broker_t *b;
    int32_t id;
    const char *what;
} change_t;

static session_t *find(rn_liveness_t *lv, int32_t id) {
    for (size_t i = 0; i < lv->n; i++)
        if (lv->v[i].id == id)
            return &lv->v[i];
    return NULL;
}

static session_t *find_or_add(rn_broker_t *b, int32_t id) {
    rn_liveness_t *lv = b->liveness;
    session_t *s = find(lv, id);
    if (s != NULL)
        return s;
    if (lv->n == lv->cap) {
        lv->cap = lv->cap ? 2 * lv->cap : 8;
        lv->v = rn_realloc(lv->v, lv->cap * sizeof *lv->v);
    }
    s = &lv->v[lv->n++];
    *s = (session_t){id, rn_mono_ms(), rn_quorum_applied_index(b->quorum), false};
    uint64_t silent;
    if (id == rn_quorum_last_contact(b->quorum, &silent)) /* the controller before us: */
        s->last_ms -= (int64_t)silent;                    /* silent since we lost it */
    return s;
}

static void change_done(void *arg, int status) {
    change_t *ch = arg;
    rn_broker_t *b = ch->b;
    session_t *s = b->liveness != NULL ? find(b->liveness, ch->id) : NULL;
    if (s != NULL)
        s->busy = false;
    if (status != 0 && status != RN_ECLOSED)
        rn_log(RN_LOG_WARN, MOD, "%s broker %d failed: %s", ch->what, (int)ch->id,
               rn_strerror(status));
    rn_free(ch);
}

static void propose(rn_broker_t *b, session_t *s, const char *what, const rn_meta_record_t *recs,
                    size_t n) {
    change_t *ch = rn_malloc(sizeof *ch);
    *ch = (change_t){b, s->id, what};
    if (rn_quorum_propose(b->quorum, recs, n, change_done, ch) == 0)
        s->busy = true;
    else
        rn_free(ch);
}

int rn__propose_fencing(rn_broker_t *b, int32_t id, bool unclean_default, rn_log_level_t level,
                        const char *why, rn_quorum_propose_cb cb, void *arg) {
    rn_meta_record_t *recs;
    size_t n;
    int unclean;
    int rc =
        rn_controller_fence_broker(rn_broker_image(b), id, unclean_default, &recs, &n, &unclean);
    if (rc != 0)
        return rc;
    rn_log(level, MOD, "%s: fencing broker %d (%zu partitions change leader or ISR)", why, (int)id,
           n - 1);
    if (unclean > 0)
        rn_log(RN_LOG_WARN, MOD,
               "unclean leader election for %d partitions of broker %d: data may be lost", unclean,
               (int)id);
    rc = rn_quorum_propose(b->quorum, recs, n, cb, arg);
    rn_controller_records_free(recs, n);
    return rc;
}

/* Fence the session's broker (at most one proposal in flight per session). */
static void fence(rn_broker_t *b, session_t *s, bool unclean_default, rn_log_level_t level,
                  const char *why) {
    change_t *ch = rn_malloc(sizeof *ch);
    *ch = (change_t){b, s->id, "fencing"};
    if (rn__propose_fencing(b, s->id, unclean_default, level, why, change_done, ch) == 0)
        s->busy = true;
    else
        rn_free(ch);
}

static void fence_silent(rn_broker_t *b, session_t *s, int64_t silent_ms) {
    char why[64];
    snprintf(why, sizeof why, "silent for %lld ms", (long long)silent_ms);
    fence(b, s, b->cfg.unclean_leader_election, RN_LOG_WARN, why);
}

/* Controlled shutdown (shutdown.c), or a broker process that has just started (it may
 * have lost what it had: a kill -9 before an fsync, a replaced disk): the same change
 * as fencing a silent broker. The latter is unfenced once caught up, as usual. */
static void fence_stopping_or_starting(rn_broker_t *b, session_t *s, bool starting) {
    fence(b, s, false, RN_LOG_INFO, starting ? "restarted" : "shutting down");
    s->target = rn_quorum_applied_index(b->quorum); /* caught up past this to unfence */
}

static void unfence(rn_broker_t *b, session_t *s) {
    rn_meta_record_t *recs;
    size_t n;
    if (rn_controller_unfence_broker(rn_broker_image(b), s->id, &recs, &n) != 0)
        return;
    rn_log(RN_LOG_INFO, MOD,
           "broker %d is back and caught up: unfencing it (%zu partitions "
           "regain a leader)",
           (int)s->id, n - 1);
    propose(b, s, "unfencing", recs, n);
    rn_controller_records_free(recs, n);
}

void rn__liveness_tick(rn_broker_t *b) {
    if (b->liveness == NULL)
        b->liveness = rn_calloc(1, sizeof *b->liveness);
    rn_liveness_t *lv = b->liveness;
    if (b->stopping || b->quorum == NULL || !rn_broker_is_controller(b)) {
        lv->n = 0; /* a later term starts afresh, with grace for everyone */
        lv->active = false;
        return;
    }
    if (!lv->active) {
        lv->active = true;
        rn_log(RN_LOG_INFO, MOD, "tracking broker sessions: fencing after %lld ms of silence",
               (long long)b->cfg.broker_session_timeout_ms);
    }
    const rn_meta_image_t *img = rn_broker_image(b);
    int64_t now = rn_mono_ms();
    for (size_t i = 0; i < img->nbrokers; i++) {
        const rn_meta_broker_t *mb = &img->brokers[i];
        if (mb->fenced || mb->id == b->cfg.broker_id)
            continue;
        session_t *s = find_or_add(b, mb->id);
        int64_t silent = now - s->last_ms;
        if (!s->busy && silent > b->cfg.broker_session_timeout_ms)
            fence_silent(b, s, silent);
    }
}

/* A heartbeat's fields, checked: every input is untrusted. */
static bool valid(const rn_broker_t *b, const rn_broker_heartbeat_request_t *req) {
    return req->broker_id > 0 && req->broker_id != b->cfg.broker_id && req->host.len > 0 &&
           req->host.len < RN_HOST_MAX && req->port > 0 && req->port <= 65535 &&
           req->controller_address.len > 0 && req->controller_address.len < RN_HOST_MAX + 8 &&
           req->metadata_offset >= 0;
}

static void keep_registered(rn_broker_t *b, session_t *s, const rn_broker_heartbeat_request_t *req,
                            const char *host) {
    const rn_meta_broker_t *mb = rn_meta_image_broker(rn_broker_image(b), s->id);
    if (s->busy)
        return;
    if (mb == NULL || strcmp(mb->host, host) != 0 || mb->port != req->port) {
        rn_meta_record_t rec = {.type = RN_MREC_REGISTER_BROKER};
        rec.register_broker.broker_id = s->id;
        rec.register_broker.host = (char *)host;
        rec.register_broker.port = (uint16_t)req->port;
        rec.register_broker.fenced = mb != NULL ? mb->fenced : true;
        propose(b, s, "registering", &rec, 1);
    } else if (req->want_shut_down || req->starting) {
        if (!mb->fenced)
            fence_stopping_or_starting(b, s, req->starting);
    } else if (mb->fenced && (uint64_t)req->metadata_offset >= s->target) {
        unfence(b, s);
    }
}

void rn__liveness_heartbeat(rn_broker_t *b, const rn_broker_heartbeat_request_t *req,
                            rn_broker_heartbeat_response_t *resp) {
    *resp = (rn_broker_heartbeat_response_t){
        .error_code = RN_WIRE_NOT_CONTROLLER, .is_fenced = true, .metadata_offset = -1};
    if (!rn_broker_is_controller(b))
        return;
    if (!valid(b, req)) {
        resp->error_code = RN_WIRE_INVALID_REQUEST;
        return;
    }
    char host[RN_HOST_MAX];
    rn_str_to_buf(req->host, host, sizeof host);
    rn__liveness_tick(b); /* make sure sessions are active */
    session_t *s = find_or_add(b, req->broker_id);
    s->last_ms = rn_mono_ms();
    keep_registered(b, s, req, host);
    char caddr[RN_HOST_MAX + 8];
    rn_str_to_buf(req->controller_address, caddr, sizeof caddr);
    /* Usually 0 at once (a voter, or a standby already); RN_EBUSY: the next heartbeat
     * tries again; other errors are logged by the quorum. */
    (void)rn_quorum_add_standby(b->quorum, s->id, caddr);
    const rn_meta_broker_t *mb = rn_meta_image_broker(rn_broker_image(b), s->id);
    resp->error_code = RN_WIRE_NONE;
    resp->is_fenced = mb == NULL || mb->fenced;
    resp->should_shut_down = req->want_shut_down && resp->is_fenced;
    resp->metadata_offset = (int64_t)rn_quorum_applied_index(b->quorum);
}

void rn__liveness_free(rn_broker_t *b) {
    if (b->liveness == NULL)
        return;
    rn_free(b->liveness->v);
    rn_free(b->liveness);
    b->liveness = NULL;
}
