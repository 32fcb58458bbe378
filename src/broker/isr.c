/*
 * isr.c — the leader's side of the ISR: decide expansions and shrinks, ask the
 * controller (AlterPartition), keep the maximal ISR while a change is in flight.
 *
 *   follower fetch (partitions.c) ──▶ position, caught-up time, HW over the maximal ISR
 *   tick (100 ms), no request in flight ──▶ for every partition this broker leads:
 *        wanted = committed ISR
 *                 + replicas not in it whose last fetch reached the HW (caught up)
 *                 - members (not the leader) not caught up to the log end for
 *                   replica.lag.time.max.ms (counted from the leadership's start)
 *        wanted ≠ committed ──▶ part->want = wanted (the maximal ISR is now
 *                                committed ∪ want) ──▶ one AlterPartition for all
 *   answer per partition:
 *        NONE, ISR as wanted ──▶ keep want until the PartitionChange applies here
 *                                (partitions.c drops it then)
 *        NONE otherwise, or a refusal ──▶ drop want (re-decided at the next tick)
 *        REQUEST_TIMED_OUT / NOT_CONTROLLER / connection lost ──▶ keep want, send
 *                                again (it may have committed: the maximal ISR must
 *                                keep covering it)
 *
 * One AlterPartition in flight per broker (so at most one per partition), over one
 * connection to the controller's client listener (to itself when it is the
 * controller). A want is never replaced while it is set. Loop thread only.
 */
#include <stdio.h>
#include <string.h>

#include "broker/broker_int.h"
#include "broker/partitions.h"
#include "common/alloc.h"
#include "common/clock.h"
#include "common/logging.h"
#include "net/client_conn.h"
#include "proto/api.h"
#include "proto/api_alter_partition.h"
#include "proto/reader.h"

#define MOD               "isr"
#define ANSWER_TIMEOUT_MS 10000

static bool has(const int32_t *v, int32_t n, int32_t id) {
    for (int32_t i = 0; i < n; i++)
        if (v[i] == id)
            return true;
    return false;
}

static void drop_conn(rn_broker_t *b) {
    rn_isrc_t *c = &b->isrc;
    if (c->conn != NULL)
        rn_conn_close(c->conn);
    c->conn = NULL;
    c->connected = false;
    c->inflight = false;
}

/* ---- deciding ------------------------------------------------------------------------- */

static int64_t caught_up_ms(const rn_partition_t *part, int32_t id, int64_t *log_end) {
    for (int32_t i = 0; i < part->nfollowers; i++) {
        if (part->followers[i].replica_id == id) {
            *log_end = part->followers[i].log_end;
            return part->followers[i].caught_up_ms;
        }
    }
    *log_end = -1;
    return part->leader_since_ms;
}

/* Broker id may join an ISR: registered and not fenced in this broker's image (the
 * controller refuses others: asking would only be refused again every tick). */
static bool eligible(const rn_meta_image_t *img, int32_t id) {
    const rn_meta_broker_t *mb = rn_meta_image_broker(img, id);
    return mb != NULL && !mb->fenced;
}

/* The ISR this leader wants now, into out (nreplicas entries). Returns its size. */
static int32_t wanted(const rn_partition_t *part, const rn_meta_image_t *img, int64_t lag_max,
                      int64_t now, int32_t *out) {
    int32_t n = 0;
    for (int32_t i = 0; i < part->nreplicas; i++) {
        int32_t id = part->replicas[i];
        int64_t end;
        int64_t cu = caught_up_ms(part, id, &end);
        bool in = has(part->isr, part->nisr, id);
        if (id == part->leader_id)
            out[n++] = id;
        else if (in && now - cu <= lag_max)
            out[n++] = id;
        else if (!in && end >= 0 && end >= part->high_watermark && now - cu <= lag_max &&
                 eligible(img, id))
            out[n++] = id;
    }
    return n;
}

static bool same_set(const int32_t *a, int32_t na, const int32_t *b, int32_t nb) {
    if (na != nb)
        return false;
    for (int32_t i = 0; i < na; i++)
        if (!has(b, nb, a[i]))
            return false;
    return true;
}

typedef struct collect_s {
    rn_broker_t *b;
    int64_t now;
    rn_partition_t **v;
    int32_t n;
} collect_t;

static void consider(rn_partition_t *part, void *arg) {
    collect_t *c = arg;
    if (part->hw_dirty)
        rn_partition_flush_hw(part); /* a fetch moved it after its answer was built */
    if (!part->is_leader || part->nreplicas < 2)
        return;
    if (part->want == NULL) {
        int32_t *w = rn_malloc((size_t)part->nreplicas * sizeof *w);
        int32_t n =
            wanted(part, rn_broker_image(c->b), c->b->cfg.replica_lag_time_max_ms, c->now, w);
        if (same_set(w, n, part->isr, part->nisr)) {
            rn_free(w);
            return;
        }
        char name[RN_META_TOPIC_NAME_MAX + 16];
        rn_log(RN_LOG_INFO, MOD, "%s: asking the controller to %s the ISR (%d -> %d members)",
               rn_partition_name(part, name, sizeof name), n > part->nisr ? "expand" : "change",
               (int)part->nisr, (int)n);
        part->want = w;
        part->nwant = n;
    }
    if (part->want_sent)
        return;
    c->v = rn_realloc(c->v, (size_t)(c->n + 1) * sizeof *c->v);
    c->v[c->n++] = part;
}

/* ---- the request ---------------------------------------------------------------------- */

/* Group the partitions by topic (they come topic by topic from the registry). */
static int send_request(rn_broker_t *b, rn_partition_t **v, int32_t n) {
    rn_alter_partition_topic_t *topics = rn_calloc((size_t)n, sizeof *topics);
    rn_alter_partition_part_t *pp = rn_calloc((size_t)n, sizeof *pp);
    int32_t nt = 0;
    for (int32_t i = 0; i < n; i++) {
        if (nt == 0 || v[i]->topic != v[i - 1]->topic) {
            topics[nt].name = rn_str(v[i]->topic->name);
            topics[nt].partitions = &pp[i];
            nt++;
        }
        topics[nt - 1].n_partitions++;
        pp[i] =
            (rn_alter_partition_part_t){v[i]->index, v[i]->leader_epoch, v[i]->nwant, v[i]->want};
    }
    rn_alter_partition_request_t req = {b->cfg.broker_id, nt, topics, {0}};
    rn_request_header_t h = {RN_API_ALTER_PARTITION, 0, ++b->isrc.corr, rn_str("runneld")};
    rn_writer_t wr;
    rn_writer_init(&wr, 128);
    int rc = rn_request_header_encode(&wr, &h);
    if (rc == 0)
        rc = rn_alter_partition_request_encode(&wr, 0, &req);
    rn_free(topics);
    rn_free(pp);
    size_t len;
    uint8_t *bytes = rn_writer_take(&wr, &len);
    if (rc == 0)
        return rn_conn_send(b->isrc.conn, bytes, len); /* takes bytes */
    rn_free(bytes);
    return rc;
}

/* ---- the answer ----------------------------------------------------------------------- */

static void settle(rn_broker_t *b, rn_str_t topic, const rn_alter_partition_part_result_t *r) {
    rn_partition_t *part =
        rn_partitions_get(b->parts, topic.ptr, (size_t)(topic.len > 0 ? topic.len : 0), r->index);
    if (part == NULL || part->want == NULL || !part->want_sent)
        return;
    part->want_sent = false;
    if (r->error_code == RN_WIRE_REQUEST_TIMED_OUT || r->error_code == RN_WIRE_NOT_CONTROLLER)
        return; /* may have committed, or not: ask again */
    char name[RN_META_TOPIC_NAME_MAX + 16];
    if (r->error_code != RN_WIRE_NONE)
        rn_log(RN_LOG_INFO, MOD, "%s: ISR change refused: %s",
               rn_partition_name(part, name, sizeof name), rn_wire_err_name(r->error_code));
    if (r->error_code == RN_WIRE_NONE && same_set(r->isr, r->n_isr, part->want, part->nwant))
        return; /* committed: partitions.c drops want when it applies here */
    rn_free(part->want);
    part->want = NULL;
    part->nwant = 0;
}

static void unsend_all(rn_partition_t *part, void *arg) {
    (void)arg;
    part->want_sent = false;
}

static void on_frame(rn_conn_t *conn, uint8_t *frame, size_t len, void *arg) {
    rn_broker_t *b = arg;
    rn_isrc_t *c = &b->isrc;
    rn_reader_t rd;
    int32_t corr = 0;
    rn_reader_init(&rd, frame, len);
    rn_alter_partition_response_t resp;
    int rc = rn_response_header_decode(&rd, &corr);
    if (rc == 0)
        rc = rn_alter_partition_response_decode(frame + rd.pos, len - rd.pos, 0, &resp);
    if (conn != c->conn || rc != 0 || corr != c->corr) {
        if (rc == 0)
            rn_alter_partition_response_deinit(&resp);
        rn_free(frame);
        if (conn != c->conn)
            return;
        rn_log(RN_LOG_WARN, MOD, "bad AlterPartition answer from the controller");
        drop_conn(b);
        rn_partitions_each(b->parts, unsend_all, NULL);
        return;
    }
    c->inflight = false;
    for (int32_t i = 0; i < resp.n_topics; i++)
        for (int32_t j = 0; j < resp.topics[i].n_partitions; j++)
            settle(b, resp.topics[i].name, &resp.topics[i].partitions[j]);
    if (resp.error_code != RN_WIRE_NONE) {
        drop_conn(b); /* NOT_CONTROLLER: reconnect to the new one */
        rn_partitions_each(b->parts, unsend_all, NULL);
    }
    rn_alter_partition_response_deinit(&resp); /* its names point into frame */
    rn_free(frame);
}

static void on_connect(rn_conn_t *conn, int status, void *arg) {
    rn_broker_t *b = arg;
    if (conn == b->isrc.conn && status == 0)
        b->isrc.connected = true;
}

static void on_close(rn_conn_t *conn, int status, void *arg) {
    (void)status;
    rn_broker_t *b = arg;
    if (conn != b->isrc.conn)
        return;
    b->isrc.conn = NULL;
    b->isrc.connected = false;
    b->isrc.inflight = false;
    if (!b->stopping)
        rn_partitions_each(b->parts, unsend_all, NULL);
}

/* ---- tick ----------------------------------------------------------------------------- */

/* Keep a connection to the controller; false when it is not usable yet. */
static bool controller_conn(rn_broker_t *b, int64_t now) {
    rn_isrc_t *c = &b->isrc;
    int32_t ctl = rn_quorum_leader_id(b->quorum);
    if (c->conn != NULL &&
        (c->target != ctl || (c->inflight && now - c->sent_ms > ANSWER_TIMEOUT_MS))) {
        drop_conn(b);
        rn_partitions_each(b->parts, unsend_all, NULL);
    }
    if (c->conn != NULL)
        return c->connected;
    const rn_meta_broker_t *mb = ctl < 0 ? NULL : rn_meta_image_broker(rn_broker_image(b), ctl);
    if (mb == NULL)
        return false;
    rn_conn_cbs_t cbs = {.on_connect = on_connect, .on_frame = on_frame, .on_close = on_close};
    rn_net_opts_t opts = {0};
    opts.connect_timeout_ms = 1000;
    if (rn_conn_connect(b->loop, mb->host, mb->port, &opts, &cbs, b, &c->conn) != 0)
        c->conn = NULL;
    c->target = ctl;
    return false;
}

void rn__isr_tick(rn_broker_t *b) {
    if (b->stopping || b->quorum == NULL)
        return;
    collect_t col = {b, rn_mono_ms(), NULL, 0};
    rn_partitions_each(b->parts, consider, &col);
    if (col.n == 0 || b->isrc.inflight || !controller_conn(b, col.now)) {
        rn_free(col.v);
        return;
    }
    if (send_request(b, col.v, col.n) != 0) {
        drop_conn(b);
        rn_free(col.v);
        return;
    }
    for (int32_t i = 0; i < col.n; i++)
        col.v[i]->want_sent = true;
    b->isrc.inflight = true;
    b->isrc.sent_ms = col.now;
    rn_free(col.v);
}

void rn__isr_stop(rn_broker_t *b) {
    drop_conn(b);
}

/* ---- metrics -------------------------------------------------------------------------- */

void rn__isr_count_change(rn_broker_t *b, const char *topic, int32_t partition) {
    if (b->parts == NULL)
        return;
    rn_partition_t *part = rn_partitions_get(b->parts, topic, strlen(topic), partition);
    const rn_meta_topic_t *t = rn_meta_image_topic(rn_broker_image(b), topic);
    if (part == NULL || t == NULL || partition < 0 || partition >= t->npartitions)
        return;
    const rn_meta_partition_t *mp = &t->partitions[partition];
    if (!part->is_leader || mp->leader != b->cfg.broker_id)
        return; /* counted by the leader only, as Kafka's IsrShrinks/IsrExpands */
    bool added = false, removed = false;
    for (int32_t i = 0; i < mp->nisr; i++)
        added = added || !has(part->isr, part->nisr, mp->isr[i]);
    for (int32_t i = 0; i < part->nisr; i++)
        removed = removed || !has(mp->isr, mp->nisr, part->isr[i]);
    b->metrics.isr_expands += added;
    b->metrics.isr_shrinks += removed;
}
