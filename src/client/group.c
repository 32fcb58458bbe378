/*
 * group.c — the group consumer's membership (group.h has the state machine):
 * FindCoordinator, JoinGroup, the leader's assignment, SyncGroup and heartbeats.
 * Commits, OffsetFetch and the public API are group_offsets.c's.
 *
 * Every answer is checked against the epoch it was sent in: a rejoin, a lost
 * coordinator or close bumps the epoch, and an answer from before only clears its
 * in-flight flag.
 */
#include "client/group_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "client/assignor.h"
#include "common/alloc.h"
#include "common/errors.h"
#include "proto/api.h"
#include "proto/api_find_coordinator.h"
#include "proto/api_group.h"
#include "proto/consumer_protocol.h"

#define FATAL_BACKOFF_MS 1000 /* between retries after an error that needs a fix */
#define JOIN_SLACK_MS    5000 /* JoinGroup / SyncGroup wait past the rebalance timeout */

/* The broker entry of the coordinator node n: an id no broker has, so that the group's
 * requests get a connection of their own (Kafka's Integer.MAX_VALUE - id). */
#define RN__COORD_ID(n) (INT32_MAX - (n))

/* ---- helpers ----------------------------------------------------------------------- */

static char *strndup_s(rn_str_t s) {
    return rn_strndup(s.ptr != NULL ? s.ptr : "", s.len > 0 ? (size_t)s.len : 0);
}

static void strs_free(char **v, int32_t n) {
    for (int32_t i = 0; v != NULL && i < n; i++)
        rn_free(v[i]);
    rn_free(v);
}

greq_t *rn__greq_new(rn__group_t *g) {
    greq_t *r = rn_calloc(1, sizeof *r);
    r->g = g;
    r->epoch = g->epoch;
    return r;
}

void rn__greq_free(greq_t *r) {
    rn_free(r->topics);
    rn_free(r->partitions);
    rn_free(r->offsets);
    rn_free(r->poss);
    rn_free(r);
}

/* A request's timeout: request.timeout.ms, or for JoinGroup / SyncGroup (parked by
 * the coordinator up to the rebalance timeout) that plus some slack. */
int rn__group_timeout(const rn__group_t *g, int join) {
    const rn_conf_t *conf = g->c->cl.conf;
    if (!join)
        return conf->request_timeout_ms;
    int64_t t = (int64_t)conf->max_poll_interval_ms + JOIN_SLACK_MS;
    if (t < conf->request_timeout_ms)
        t = conf->request_timeout_ms;
    return t > INT32_MAX ? INT32_MAX : (int)t;
}

/* 1 when err means the coordinator must be found again. */
int rn__group_coord_err(int err) {
    return err < 0 || err == RN_WIRE_NOT_COORDINATOR || err == RN_WIRE_COORDINATOR_NOT_AVAILABLE;
}

static int64_t loop_now(const rn__group_t *g) {
    return (int64_t)uv_now(&g->c->cl.loop);
}

void rn__group_coord_lost(rn__group_t *g) {
    if (g->state == G_CLOSING || g->state == G_DEAD)
        return;
    if (g->state != G_FIND)
        g->resume = g->state == G_STABLE || g->state == G_OFFSETS || g->state == G_REVOKE ? g->state
                                                                                          : G_JOIN;
    g->state = G_FIND;
    g->coord_id = -1;
    g->epoch++;
    g->next_try = loop_now(g) + g->c->cl.conf->retry_backoff_ms;
    rn__metadata_refresh(&g->c->cl); /* the controller may have moved too */
    rn__client_kick(&g->c->cl);
}

/* Join again: err says why (ILLEGAL_GENERATION forgets the generation,
 * UNKNOWN_MEMBER_ID the member id too, as Kafka's client does). Partitions held
 * are revoked first. */
void rn__group_rejoin(rn__group_t *g, int err) {
    if (g->state == G_CLOSING || g->state == G_DEAD)
        return;
    if (err == RN_WIRE_UNKNOWN_MEMBER_ID) {
        rn_free(g->member_id);
        g->member_id = rn_strdup("");
    }
    if (err == RN_WIRE_UNKNOWN_MEMBER_ID || err == RN_WIRE_ILLEGAL_GENERATION)
        g->generation = -1;
    g->epoch++;
    if (g->state == G_FIND)
        g->resume = g->has_assignment ? G_REVOKE : G_JOIN;
    else if (g->state != G_REVOKE && g->state != G_REVOKING)
        g->state = g->has_assignment ? G_REVOKE : G_JOIN;
    rn__client_kick(&g->c->cl);
}

/* An error the application must hear about (once per distinct error). */
void rn__group_fatal(rn__group_t *g, int err, const char *what) {
    if (g->last_fatal != err) {
        char buf[512];
        snprintf(buf, sizeof buf, "group %s: %s: %s", g->group_id, what, rn_err_str(err));
        rn__consumer_push_error(g->c, err, buf);
    }
    g->last_fatal = err;
    g->next_try = loop_now(g) + FATAL_BACKOFF_MS;
}

void rn__group_send(rn__group_t *g, rn_writer_t *wr, int32_t corr, int timeout_ms, rn__resp_fn cb,
                    greq_t *r) {
    rn__broker_t *b = rn__client_broker(&g->c->cl, g->coord_id);
    if (b == NULL) {
        rn_writer_deinit(wr);
        cb(&g->c->cl, NULL, RN_EUNKNOWNBROKER, NULL, 0, r);
        return;
    }
    size_t len;
    uint8_t *frame = rn_writer_take(wr, &len);
    rn__client_send(&g->c->cl, b, frame, len, corr, 1, timeout_ms, cb, r);
}

void rn__group_push_rebalance(rn__group_t *g, cevkind_t kind) {
    cevent_t *ev = rn_calloc(1, sizeof *ev);
    ev->kind = kind;
    ev->n = g->n_asg;
    ev->topics = rn_calloc((size_t)(g->n_asg > 0 ? g->n_asg : 1), sizeof *ev->topics);
    ev->partitions = rn_calloc((size_t)(g->n_asg > 0 ? g->n_asg : 1), sizeof *ev->partitions);
    for (int32_t i = 0; i < g->n_asg; i++) {
        ev->topics[i] = rn_strdup(g->asg_topics[i]);
        ev->partitions[i] = g->asg_parts[i];
    }
    rn__consumer_push_event(g->c, ev);
}

/* A response that cannot be decoded: its error code, or a malformed-answer error. */
static int decode_failed(const uint8_t *body, size_t len) {
    return rn__resp_error_code(body, len);
}

/* Common handling of an answer: 1 when it is stale or the group is closing (the
 * caller only cleans up). */
static int stale(const greq_t *r) {
    const rn__group_t *g = r->g;
    return r->epoch != g->epoch || g->state == G_CLOSING || g->state == G_DEAD || g->c->cl.stopping;
}

/* ---- FindCoordinator --------------------------------------------------------------- */

static void on_find(rn__client_t *cl, rn__broker_t *b, int err, const uint8_t *body, size_t len,
                    void *arg) {
    (void)b;
    greq_t *r = arg;
    rn__group_t *g = r->g;
    g->main_inflight = 0;
    int is_stale = stale(r);
    rn__greq_free(r);
    if (is_stale)
        return;
    rn_find_coordinator_response_t resp;
    int32_t node = -1;
    if (err == 0) {
        if (rn_find_coordinator_response_decode(body, len, 0, &resp) < 0) {
            err = decode_failed(body, len);
        } else {
            err = resp.error_code;
            if (err == 0 &&
                (resp.node_id < 0 || resp.port <= 0 || resp.port > 65535 || resp.host.len <= 0))
                err = RN_WIRE_COORDINATOR_NOT_AVAILABLE;
            if (err == 0) {
                /* Its own connection, as Kafka's consumer does: requests on one
                 * connection are answered in order, so a commit or heartbeat behind a
                 * long-polling Fetch (or a Fetch behind a parked JoinGroup) would wait. */
                node = RN__COORD_ID(resp.node_id);
                rn__client_broker_update(cl, node, resp.host, resp.port);
            }
            rn_find_coordinator_response_deinit(&resp);
        }
    }
    int64_t now = (int64_t)uv_now(&cl->loop);
    if (err != 0) {
        if (err < 0 || rn_err_retriable(err)) {
            rn__metadata_refresh(cl);
            g->next_try = now + cl->conf->retry_backoff_ms;
        } else {
            rn__group_fatal(g, err, "FindCoordinator");
        }
        rn__client_kick(cl);
        return;
    }
    g->coord_id = node;
    g->state = g->resume;
    g->next_hb = now; /* a resumed member checks in at once */
    g->next_try = 0;
    rn__client_kick(cl);
}

/* To the controller, which creates __consumer_offsets on first use; while it is not
 * known, to any broker (a retriable COORDINATOR_NOT_AVAILABLE at worst). */
static void send_find(rn__group_t *g) {
    rn__client_t *cl = &g->c->cl;
    rn__broker_t *b = NULL;
    if (cl->md->controller_id >= 0)
        b = rn__client_broker(cl, cl->md->controller_id);
    if (b == NULL)
        rn__metadata_refresh(cl);
    rn_find_coordinator_request_t req = {.key = rn_str(g->group_id),
                                         .key_type = RN_COORDINATOR_KEY_GROUP};
    rn_writer_t wr;
    rn_writer_init(&wr, 128);
    int32_t corr = rn__client_frame_begin(cl, &wr, RN_API_FIND_COORDINATOR);
    greq_t *r = rn__greq_new(g);
    g->main_inflight = 1;
    if (rn_find_coordinator_request_encode(&wr, 0, &req) < 0) {
        rn_writer_deinit(&wr);
        on_find(cl, NULL, -EINVAL, NULL, 0, r);
        return;
    }
    size_t len;
    uint8_t *frame = rn_writer_take(&wr, &len);
    rn__client_send(cl, b, frame, len, corr, 1, rn__group_timeout(g, 0), on_find, r);
}

/* ---- JoinGroup ----------------------------------------------------------------------- */

static void members_free(rn__group_t *g) {
    for (int32_t i = 0; i < g->n_members; i++) {
        rn_free(g->members[i].id);
        rn_free(g->members[i].meta);
    }
    rn_free(g->members);
    g->members = NULL;
    g->n_members = 0;
    strs_free(g->union_topics, g->n_union);
    g->union_topics = NULL;
    g->n_union = 0;
}

static void sync_free(rn__group_t *g) {
    strs_free(g->sync_ids, g->n_sync);
    for (int32_t i = 0; i < g->n_sync; i++)
        rn_free(g->sync_bytes[i]);
    rn_free(g->sync_bytes);
    rn_free(g->sync_lens);
    g->sync_ids = NULL;
    g->sync_bytes = NULL;
    g->sync_lens = NULL;
    g->n_sync = 0;
}

static void add_union(rn__group_t *g, rn_str_t t) {
    for (int32_t i = 0; i < g->n_union; i++)
        if (rn_str_eq_c(t, g->union_topics[i]))
            return;
    g->union_topics = rn_realloc(g->union_topics, (size_t)(g->n_union + 1) * sizeof(char *));
    g->union_topics[g->n_union++] = strndup_s(t);
}

/* The leader keeps every member's subscription and asks for fresh metadata of
 * every topic any of them wants. */
static void leader_prepare(rn__group_t *g, const rn_join_group_response_t *resp) {
    members_free(g);
    g->members = rn_calloc((size_t)(resp->n_members > 0 ? resp->n_members : 1), sizeof *g->members);
    for (int32_t i = 0; i < resp->n_members; i++) {
        const rn_join_group_member_t *m = &resp->members[i];
        gmember_t *gm = &g->members[g->n_members++];
        gm->id = strndup_s(m->member_id);
        gm->meta_len = m->metadata.len > 0 ? m->metadata.len : 0;
        gm->meta = rn_malloc((size_t)gm->meta_len + 1);
        if (gm->meta_len > 0)
            memcpy(gm->meta, m->metadata.ptr, (size_t)gm->meta_len);
        rn_consumer_subscription_t sub;
        if (rn_consumer_subscription_decode(gm->meta, (size_t)gm->meta_len, &sub) == 0) {
            for (int32_t k = 0; k < sub.n_topics; k++)
                if (sub.topics[k].len > 0 && sub.topics[k].len <= 249)
                    add_union(g, sub.topics[k]);
            rn_consumer_subscription_deinit(&sub);
        }
    }
    for (int32_t i = 0; i < g->n_union; i++)
        rn__metadata_want(&g->c->cl, g->union_topics[i]);
    rn__metadata_refresh(&g->c->cl);
    g->assign_since = loop_now(g);
}

static void on_join(rn__client_t *cl, rn__broker_t *b, int err, const uint8_t *body, size_t len,
                    void *arg) {
    (void)b;
    greq_t *r = arg;
    rn__group_t *g = r->g;
    g->main_inflight = 0;
    int is_stale = stale(r) || g->state != G_JOIN;
    rn__greq_free(r);
    if (is_stale)
        return;
    int64_t now = (int64_t)uv_now(&cl->loop);
    rn_join_group_response_t resp;
    int decoded = 0;
    if (err == 0) {
        if (rn_join_group_response_decode(body, len, 0, &resp) < 0) {
            err = decode_failed(body, len);
        } else {
            decoded = 1;
            err = resp.error_code;
        }
    }
    if (err == RN_WIRE_MEMBER_ID_REQUIRED && decoded && resp.member_id.len > 0) {
        rn_free(g->member_id);
        g->member_id = strndup_s(resp.member_id); /* join again at once with it */
    } else if (err == 0) {
        rn_free(g->member_id);
        g->member_id = strndup_s(resp.member_id);
        rn_free(g->protocol);
        g->protocol = strndup_s(resp.protocol_name);
        g->generation = resp.generation_id;
        g->is_leader = rn_str_eq_c(resp.leader, g->member_id);
        g->last_fatal = 0;
        sync_free(g);
        if (g->is_leader) {
            leader_prepare(g, &resp);
            g->state = G_ASSIGN;
        } else {
            g->state = G_SYNC;
        }
    } else if (rn__group_coord_err(err)) {
        rn__group_coord_lost(g);
    } else if (err == RN_WIRE_UNKNOWN_MEMBER_ID || err == RN_WIRE_ILLEGAL_GENERATION) {
        rn__group_rejoin(g, err);
    } else if (rn_err_retriable(err) || err == RN_WIRE_REBALANCE_IN_PROGRESS) {
        g->next_try = now + cl->conf->retry_backoff_ms;
    } else {
        rn__group_fatal(g, err, "JoinGroup");
    }
    if (decoded)
        rn_join_group_response_deinit(&resp);
    rn__client_kick(cl);
}

static void send_join(rn__group_t *g) {
    rn__client_t *cl = &g->c->cl;
    const rn_conf_t *conf = cl->conf;
    rn_str_t *topics = rn_malloc((size_t)g->n_topics * sizeof *topics);
    for (int32_t i = 0; i < g->n_topics; i++)
        topics[i] = rn_str(g->topics[i]);
    rn_consumer_subscription_t sub = {
        .n_topics = g->n_topics, .topics = topics, .user_data = {NULL, -1}};
    rn_writer_t mw;
    rn_writer_init(&mw, 128);
    int rc = rn_consumer_subscription_encode(&mw, &sub);
    rn_free(topics);
    /* One protocol per assignor, in order of preference, each with the subscription. */
    rn_join_group_protocol_t protos[8];
    char names[8][32];
    int32_t np = 0;
    for (const char *p = conf->assignment_strategy; *p != '\0' && np < 8;) {
        size_t l = strcspn(p, ",");
        snprintf(names[np], sizeof names[np], "%.*s", (int)l, p);
        protos[np] = (rn_join_group_protocol_t){.name = rn_str(names[np]),
                                                .metadata = rn_bytes(mw.buf, mw.len)};
        np++;
        p += l + (p[l] == ',');
    }
    rn_join_group_request_t req = {
        .group_id = rn_str(g->group_id),
        .session_timeout_ms = conf->session_timeout_ms,
        .rebalance_timeout_ms = conf->max_poll_interval_ms,
        .member_id = rn_str(g->member_id),
        .protocol_type = rn_str(RN_CONSUMER_PROTOCOL_TYPE),
        .n_protocols = np,
        .protocols = protos,
    };
    rn_writer_t wr;
    rn_writer_init(&wr, 256 + mw.len * (size_t)np);
    int32_t corr = rn__client_frame_begin(cl, &wr, RN_API_JOIN_GROUP);
    if (rc == 0)
        rc = rn_join_group_request_encode(&wr, 0, &req);
    rn_writer_deinit(&mw);
    greq_t *r = rn__greq_new(g);
    g->main_inflight = 1;
    if (rc < 0) {
        rn_writer_deinit(&wr);
        g->main_inflight = 0;
        rn__greq_free(r);
        rn__group_fatal(g, rc, "cannot encode JoinGroup");
        return;
    }
    rn__group_send(g, &wr, corr, rn__group_timeout(g, 1), on_join, r);
}

/* ---- the leader's assignment -------------------------------------------------------- */

/* 1 when the metadata describes every topic the members want (or waiting has lasted
 * request.timeout.ms: assign with what is known). As Kafka's leader, it assigns with
 * the metadata it has (leader_prepare asked for a refresh; a topic that grew meanwhile
 * is caught by counts_changed, which rejoins) rather than waiting for that refresh: the
 * Metadata request queues behind a long-polling Fetch on the same connection, which
 * added up to fetch.max.wait.ms to every rebalance of a caught-up group. */
static int assign_ready(rn__group_t *g, int64_t now) {
    rn__client_t *cl = &g->c->cl;
    if (now - g->assign_since >= cl->conf->request_timeout_ms)
        return 1;
    for (int32_t i = 0; i < g->n_union; i++) {
        const rn__mtopic_t *mt = rn__metadata_find(cl, g->union_topics[i]);
        if (mt == NULL || !mt->known)
            return 0;
    }
    return 1;
}

/* One member's assignment (sorted by topic) as ConsumerProtocolAssignment bytes. */
static uint8_t *encode_assignment(const rn__asg_member_t *m, int32_t *out_len) {
    rn_consumer_assignment_topic_t *ts =
        rn_calloc((size_t)(m->n_assigned > 0 ? m->n_assigned : 1), sizeof *ts);
    int32_t nt = 0;
    for (int32_t i = 0; i < m->n_assigned; i++) {
        if (nt == 0 || strcmp(m->asg_topics[i], m->asg_topics[i - 1]) != 0) {
            ts[nt].topic = rn_str(m->asg_topics[i]);
            ts[nt].partitions = &m->asg_parts[i];
            nt++;
        }
        ts[nt - 1].n_partitions++;
    }
    rn_consumer_assignment_t a = {
        .n_assigned_partitions = nt, .assigned_partitions = ts, .user_data = {NULL, -1}};
    rn_writer_t wr;
    rn_writer_init(&wr, 64);
    int rc = rn_consumer_assignment_encode(&wr, &a);
    rn_free(ts);
    size_t len = 0;
    uint8_t *p = rc == 0 ? rn_writer_take(&wr, &len) : NULL;
    rn_writer_deinit(&wr);
    *out_len = (int32_t)len;
    return p;
}

/* Run the chosen assignor over the members' subscriptions. */
/* ---- partition growth ------------------------------------------------------------------
 * As Kafka's leader does: remember the partition counts the assignment was computed
 * with, and when metadata (refreshed at least every metadata.max.age.ms) shows a topic
 * with more partitions, rejoin so that the group rebalances onto them. */

static void counts_free(rn__group_t *g) {
    strs_free(g->counted_topics, g->n_counted);
    rn_free(g->counted_parts);
    g->counted_topics = NULL;
    g->counted_parts = NULL;
    g->n_counted = 0;
}

static void remember_counts(rn__group_t *g, const rn__asg_topic_t *ts, int32_t n) {
    counts_free(g);
    g->counted_topics = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *g->counted_topics);
    g->counted_parts = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *g->counted_parts);
    for (int32_t i = 0; i < n; i++) {
        g->counted_topics[i] = rn_strdup(ts[i].name);
        g->counted_parts[i] = ts[i].npart;
    }
    g->n_counted = n;
}

/* The leader sees a subscribed topic's partition count changed since it assigned. */
static int counts_changed(rn__group_t *g) {
    if (!g->is_leader)
        return 0;
    for (int32_t i = 0; i < g->n_counted; i++) {
        const rn__mtopic_t *mt = rn__metadata_find(&g->c->cl, g->counted_topics[i]);
        if (mt != NULL && mt->known && mt->err == RN_WIRE_NONE && mt->npart != g->counted_parts[i])
            return 1;
    }
    return 0;
}

static void leader_assign(rn__group_t *g) {
    rn__client_t *cl = &g->c->cl;
    int32_t n = g->n_members;
    rn__asg_member_t *ms = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *ms);
    rn_consumer_subscription_t *subs = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *subs);
    char ***names = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *names);
    for (int32_t i = 0; i < n; i++) {
        ms[i].member_id = g->members[i].id;
        if (rn_consumer_subscription_decode(g->members[i].meta, (size_t)g->members[i].meta_len,
                                            &subs[i]) < 0)
            continue; /* an undecodable subscription gets nothing */
        names[i] = rn_calloc((size_t)(subs[i].n_topics > 0 ? subs[i].n_topics : 1), sizeof(char *));
        for (int32_t k = 0; k < subs[i].n_topics; k++)
            names[i][k] = strndup_s(subs[i].topics[k]);
        ms[i].n_subs = subs[i].n_topics;
        ms[i].subs = (const char *const *)names[i];
        rn_consumer_subscription_deinit(&subs[i]);
    }
    rn__asg_topic_t *ts = rn_calloc((size_t)(g->n_union > 0 ? g->n_union : 1), sizeof *ts);
    for (int32_t i = 0; i < g->n_union; i++) {
        const rn__mtopic_t *mt = rn__metadata_find(cl, g->union_topics[i]);
        ts[i].name = g->union_topics[i];
        ts[i].npart = mt != NULL && mt->known && mt->err == RN_WIRE_NONE ? mt->npart : 0;
    }
    remember_counts(g, ts, g->n_union);
    int rc = rn__assign(g->protocol, ms, n, ts, g->n_union);
    if (rc < 0) /* the coordinator chose a protocol we did not offer */
        rn__group_fatal(g, RN_WIRE_INCONSISTENT_GROUP_PROTOCOL, g->protocol);
    sync_free(g);
    g->sync_ids = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *g->sync_ids);
    g->sync_bytes = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *g->sync_bytes);
    g->sync_lens = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *g->sync_lens);
    for (int32_t i = 0; i < n; i++) {
        g->sync_ids[i] = rn_strdup(ms[i].member_id);
        g->sync_bytes[i] = encode_assignment(&ms[i], &g->sync_lens[i]);
        g->n_sync++;
    }
    rn__assign_free(ms, n);
    for (int32_t i = 0; i < n; i++)
        strs_free(names[i], ms[i].n_subs);
    rn_free(names);
    rn_free(subs);
    rn_free(ms);
    rn_free(ts);
    members_free(g);
}

/* ---- SyncGroup ------------------------------------------------------------------------ */

static void asg_free(rn__group_t *g) {
    strs_free(g->asg_topics, g->n_asg);
    rn_free(g->asg_parts);
    g->asg_topics = NULL;
    g->asg_parts = NULL;
    g->n_asg = 0;
}

/* The assignment SyncGroup gave this member. 0 or RN_EMALFORMED. */
static int take_assignment(rn__group_t *g, rn_bytes_t bytes) {
    asg_free(g);
    if (bytes.len <= 0)
        return 0; /* nothing for this member */
    rn_consumer_assignment_t a;
    int rc = rn_consumer_assignment_decode(bytes.ptr, (size_t)bytes.len, &a);
    if (rc < 0)
        return rc;
    int32_t n = 0;
    for (int32_t t = 0; t < a.n_assigned_partitions; t++)
        n += a.assigned_partitions[t].n_partitions;
    g->asg_topics = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *g->asg_topics);
    g->asg_parts = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *g->asg_parts);
    for (int32_t t = 0; t < a.n_assigned_partitions; t++) {
        const rn_consumer_assignment_topic_t *at = &a.assigned_partitions[t];
        if (at->topic.len <= 0 || at->topic.len > 249)
            continue;
        for (int32_t k = 0; k < at->n_partitions; k++) {
            int dup = at->partitions[k] < 0; /* a negative or repeated entry: skipped */
            for (int32_t i = 0; i < g->n_asg && !dup; i++)
                dup = g->asg_parts[i] == at->partitions[k] &&
                      rn_str_eq_c(at->topic, g->asg_topics[i]);
            if (dup)
                continue;
            g->asg_topics[g->n_asg] = strndup_s(at->topic);
            g->asg_parts[g->n_asg] = at->partitions[k];
            g->n_asg++;
        }
    }
    rn_consumer_assignment_deinit(&a);
    return 0;
}

static void on_sync(rn__client_t *cl, rn__broker_t *b, int err, const uint8_t *body, size_t len,
                    void *arg) {
    (void)b;
    greq_t *r = arg;
    rn__group_t *g = r->g;
    g->main_inflight = 0;
    int is_stale = stale(r) || g->state != G_SYNC;
    rn__greq_free(r);
    if (is_stale)
        return;
    int64_t now = (int64_t)uv_now(&cl->loop);
    if (err == 0) {
        rn_sync_group_response_t resp;
        if (rn_sync_group_response_decode(body, len, 0, &resp) < 0) {
            err = decode_failed(body, len);
        } else {
            err = resp.error_code;
            if (err == 0 && take_assignment(g, resp.assignment) < 0)
                err = RN_EMALFORMED;
            rn_sync_group_response_deinit(&resp);
        }
    }
    sync_free(g);
    if (err == 0) {
        g->state = G_OFFSETS;
        g->next_hb = now + cl->conf->heartbeat_interval_ms;
    } else if (rn__group_coord_err(err)) {
        rn__group_coord_lost(g);
    } else if (err == RN_WIRE_REBALANCE_IN_PROGRESS || err == RN_WIRE_UNKNOWN_MEMBER_ID ||
               err == RN_WIRE_ILLEGAL_GENERATION) {
        rn__group_rejoin(g, err);
        g->state = G_JOIN;
    } else {
        rn__group_fatal(g, err, "SyncGroup");
        g->state = G_JOIN;
    }
    rn__client_kick(cl);
}

static void send_sync(rn__group_t *g) {
    rn__client_t *cl = &g->c->cl;
    rn_sync_group_assignment_t *as = rn_calloc((size_t)(g->n_sync > 0 ? g->n_sync : 1), sizeof *as);
    for (int32_t i = 0; i < g->n_sync; i++)
        as[i] = (rn_sync_group_assignment_t){
            .member_id = rn_str(g->sync_ids[i]),
            .assignment = rn_bytes(g->sync_bytes[i], (size_t)g->sync_lens[i])};
    rn_sync_group_request_t req = {
        .group_id = rn_str(g->group_id),
        .generation_id = g->generation,
        .member_id = rn_str(g->member_id),
        .n_assignments = g->n_sync,
        .assignments = as,
    };
    rn_writer_t wr;
    rn_writer_init(&wr, 256);
    int32_t corr = rn__client_frame_begin(cl, &wr, RN_API_SYNC_GROUP);
    int rc = rn_sync_group_request_encode(&wr, 0, &req);
    rn_free(as);
    greq_t *r = rn__greq_new(g);
    g->main_inflight = 1;
    if (rc < 0) {
        rn_writer_deinit(&wr);
        on_sync(cl, NULL, rc, NULL, 0, r);
        return;
    }
    rn__group_send(g, &wr, corr, rn__group_timeout(g, 1), on_sync, r);
}

/* ---- Heartbeat ----------------------------------------------------------------------- */

static void on_heartbeat(rn__client_t *cl, rn__broker_t *b, int err, const uint8_t *body,
                         size_t len, void *arg) {
    (void)b;
    greq_t *r = arg;
    rn__group_t *g = r->g;
    g->hb_inflight = 0;
    int is_stale = stale(r);
    rn__greq_free(r);
    if (is_stale)
        return;
    if (err == 0) {
        rn_heartbeat_response_t resp;
        if (rn_heartbeat_response_decode(body, len, 0, &resp) < 0) {
            err = decode_failed(body, len);
        } else {
            err = resp.error_code;
            rn_heartbeat_response_deinit(&resp);
        }
    }
    if (err == 0)
        return;
    if (rn__group_coord_err(err))
        rn__group_coord_lost(g);
    else if (err == RN_WIRE_REBALANCE_IN_PROGRESS || err == RN_WIRE_UNKNOWN_MEMBER_ID ||
             err == RN_WIRE_ILLEGAL_GENERATION)
        rn__group_rejoin(g, err);
    /* anything else (a coordinator still loading): the next heartbeat will tell */
    rn__client_kick(cl);
}

static void send_heartbeat(rn__group_t *g, int64_t now) {
    rn__client_t *cl = &g->c->cl;
    rn_heartbeat_request_t req = {.group_id = rn_str(g->group_id),
                                  .generation_id = g->generation,
                                  .member_id = rn_str(g->member_id)};
    rn_writer_t wr;
    rn_writer_init(&wr, 128);
    int32_t corr = rn__client_frame_begin(cl, &wr, RN_API_HEARTBEAT);
    if (rn_heartbeat_request_encode(&wr, 0, &req) < 0) {
        rn_writer_deinit(&wr);
        return;
    }
    g->hb_inflight = 1;
    g->next_hb = now + cl->conf->heartbeat_interval_ms;
    int timeout = cl->conf->request_timeout_ms;
    if (cl->conf->session_timeout_ms < timeout)
        timeout = cl->conf->session_timeout_ms;
    rn__group_send(g, &wr, corr, timeout, on_heartbeat, rn__greq_new(g));
}

/* ---- serve ------------------------------------------------------------------------------ */

static int64_t min64(int64_t a, int64_t b) {
    return a < b ? a : b;
}

int64_t rn__group_serve(rn__group_t *g, int64_t now) {
    const rn_conf_t *conf = g->c->cl.conf;
    int64_t next = INT64_MAX;
    if (g->state == G_CLOSING || g->state == G_DEAD)
        return next;
    if (g->state == G_STABLE || g->state == G_OFFSETS) {
        if (!g->hb_inflight && now >= g->next_hb)
            send_heartbeat(g, now);
        next = min64(next, g->next_hb);
    }
    if (g->state == G_STABLE && counts_changed(g)) {
        counts_free(g);
        rn__group_rejoin(g, 0); /* partitions were added: rebalance onto them */
    }
    if (g->state == G_STABLE && conf->enable_auto_commit) {
        if (!g->auto_inflight && now >= g->next_auto)
            rn__group_auto_commit(g, now);
        next = min64(next, g->next_auto);
    }
    if (g->main_inflight)
        return next;
    if (now < g->next_try)
        return min64(next, g->next_try);
    switch (g->state) {
    case G_FIND:
        send_find(g);
        break;
    case G_REVOKE:
        rn__group_revoke(g);
        break;
    case G_JOIN:
        send_join(g);
        break;
    case G_ASSIGN:
        if (assign_ready(g, now)) {
            leader_assign(g);
            g->state = G_SYNC;
            send_sync(g);
        } else {
            next = min64(next, g->assign_since + conf->request_timeout_ms);
        }
        break;
    case G_SYNC:
        send_sync(g);
        break;
    case G_OFFSETS:
        rn__group_send_offset_fetch(g);
        break;
    default:
        break;
    }
    return next;
}

void rn__group_on_stop(rn__group_t *g) {
    g->state = G_DEAD;
}

void rn__group_free(rn__group_t *g) {
    if (g == NULL)
        return;
    members_free(g);
    sync_free(g);
    asg_free(g);
    counts_free(g);
    strs_free(g->topics, g->n_topics);
    rn_free(g->group_id);
    rn_free(g->member_id);
    rn_free(g->protocol);
    rn_free(g);
}
