/*
 * broker_meta.c — the broker's side of the metadata quorum: registration, readiness,
 * and turning applied records into partition changes and log lines.
 *
 * Readiness. While the quorum replays its log at start, the image passes through
 * every old state (a topic created, deleted, created again under the same name). The
 * registry must not act on those: deleting "the" log of a topic deleted an hour ago
 * would delete the data of today's topic of that name. So applies are ignored until
 * the broker's own RegisterBroker record — proposed once it leads the quorum — has
 * been committed and applied: everything committed before it has been applied too, and
 * the registry then syncs once with the whole image and follows each record after.
 * That is the controller's path.
 *
 * A broker that is not the controller cannot propose: its BrokerHeartbeat asks the
 * controller to register it (heartbeat.c, liveness.c), and the answer says how far the
 * controller's log had been applied. The broker is ready once its registration is in
 * its image and it has applied that far (rn__broker_check_ready): same guarantee.
 */
#include <stdio.h>
#include <string.h>

#include "broker/broker_int.h"
#include "broker/meta_props.h"
#include "broker/partitions.h"
#include "common/alloc.h"
#include "common/errors.h"
#include "common/logging.h"
#include "meta/controller.h"

#define MOD "broker"

const rn_meta_image_t *rn_broker_image(const rn_broker_t *b) {
    return rn_quorum_image(b->quorum);
}

bool rn_broker_is_controller(const rn_broker_t *b) {
    return b->quorum != NULL && !b->stopping && b->meta_ready && rn_quorum_is_leader(b->quorum);
}

int32_t rn_broker_controller_id(const rn_broker_t *b) {
    if (b->quorum == NULL)
        return -1;
    int32_t id = rn_quorum_leader_id(b->quorum);
    if (id == b->cfg.broker_id && !rn_broker_is_controller(b))
        return -1; /* leading, but not ready to decide yet */
    return id;
}

const char *rn_broker_explicit_value(const rn_broker_t *b, const char *key) {
    size_t klen = strlen(key);
    for (size_t i = b->nexplicit; i-- > 0;) {
        const char *kv = b->explicit_kv[i];
        if (strncmp(kv, key, klen) == 0 && kv[klen] == '=')
            return kv + klen + 1;
    }
    return NULL;
}

/* ---- cluster id ------------------------------------------------------------------- */

static void hex(const uint8_t *id, char *out) {
    for (int i = 0; i < RN_META_ID_LEN; i++)
        snprintf(out + 2 * i, 3, "%02x", id[i]);
}

static int unhex(const char *s, uint8_t *id) {
    if (strlen(s) != 2 * RN_META_ID_LEN)
        return RN_EMALFORMED;
    for (int i = 0; i < RN_META_ID_LEN; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1)
            return RN_EMALFORMED;
        id[i] = (uint8_t)v;
    }
    return 0;
}

/* The image's cluster id is the truth; meta.properties follows it. */
static void adopt_cluster_id(rn_broker_t *b, const rn_meta_image_t *img) {
    if (!img->has_cluster_id)
        return;
    char h[2 * RN_META_ID_LEN + 1];
    hex(img->cluster_id, h);
    if (strcmp(h, b->cluster_id_str) == 0)
        return;
    /* A fresh directory's random id yields to the cluster's (INFO); a directory that
     * knew another cluster is worth a WARN. */
    if (b->cluster_id_str[0] != '\0')
        rn_log(b->cluster_id_new ? RN_LOG_INFO : RN_LOG_WARN, MOD,
               "%s/meta.properties: cluster.id %s differs from the metadata "
               "log's %s: rewritten",
               b->cfg.log_dirs[0], b->cluster_id_str, h);
    memcpy(b->cluster_id, img->cluster_id, RN_META_ID_LEN);
    memcpy(b->cluster_id_str, h, sizeof h);
    rn_meta_props_t props = {.version = 0, .broker_id = b->cfg.broker_id};
    snprintf(props.cluster_id, sizeof props.cluster_id, "%s", h);
    int rc = rn_meta_props_write(b->cfg.log_dirs[0], &props);
    if (rc != 0)
        rn_log(RN_LOG_ERROR, MOD, "%s/meta.properties: cannot write: %s", b->cfg.log_dirs[0],
               rn_strerror(rc));
}

/* Called by broker.c at start with meta.properties' id (may be ""). */
void rn__broker_set_cluster_id(rn_broker_t *b, const char *id_hex) {
    if (unhex(id_hex, b->cluster_id) == 0)
        snprintf(b->cluster_id_str, sizeof b->cluster_id_str, "%s", id_hex);
}

/* ---- registration and readiness ------------------------------------------------------ */

/* The image is caught up: sync the registry with it once, then follow every apply. */
static void become_ready(rn_broker_t *b, const char *why) {
    if (b->stopping || b->meta_ready)
        return;
    b->meta_ready = true;
    const rn_meta_image_t *img = rn_broker_image(b);
    adopt_cluster_id(b, img);
    int rc = rn_partitions_sync(b->parts, img, true);
    rn_log(RN_LOG_INFO, MOD, "%s; metadata ready: %zu topics, %d partitions here%s", why,
           img->ntopics, rn_partitions_count(b->parts), rc ? " (some logs failed to open)" : "");
}

void rn__broker_check_ready(rn_broker_t *b) {
    if (b->meta_ready || b->stopping || b->quorum == NULL || b->ready_offset < 0)
        return;
    if (rn_meta_image_broker(rn_broker_image(b), b->cfg.broker_id) == NULL)
        return; /* our registration is not applied yet */
    if ((int64_t)rn_quorum_applied_index(b->quorum) >= b->ready_offset)
        become_ready(b, "caught up with the controller's metadata log");
}

static void registered(void *arg, int status) {
    rn_broker_t *b = arg;
    b->registering = false;
    if (status != 0) {
        if (status != RN_ECLOSED)
            rn_log(RN_LOG_WARN, MOD, "registering broker %d failed: %s (will retry)",
                   (int)b->cfg.broker_id, rn_strerror(status));
        return;
    }
    rn__broker_register(b); /* now registered and unfenced: ready */
}

static void cluster_id_proposed(void *arg, int status) {
    (void)arg;
    if (status != 0 && status != RN_ECLOSED)
        rn_log(RN_LOG_WARN, MOD, "setting the cluster id failed: %s", rn_strerror(status));
}

/* The controller registers itself (no heartbeat to send): once it leads, everything
 * committed before is applied, so it is caught up as soon as its own registration is
 * in the image, unfenced at its current address. */
static void register_self(rn_broker_t *b, const rn_meta_broker_t *mb) {
    const rn_meta_image_t *img = rn_broker_image(b);
    if (mb != NULL && mb->fenced) {
        rn_meta_record_t *recs;
        size_t n;
        if (rn_controller_unfence_broker(img, b->cfg.broker_id, &recs, &n) != 0)
            return;
        if (rn_quorum_propose(b->quorum, recs, n, registered, b) == 0)
            b->registering = true;
        rn_controller_records_free(recs, n);
        return;
    }
    if (!img->has_cluster_id) {
        rn_meta_record_t cid = {.type = RN_MREC_SET_CLUSTER_ID};
        if (b->cluster_id_str[0] == '\0' || unhex(b->cluster_id_str, cid.cluster_id.id) != 0)
            (void)rn_controller_random_id(cid.cluster_id.id);
        (void)rn_quorum_propose(b->quorum, &cid, 1, cluster_id_proposed, NULL);
    }
    rn_meta_record_t rec = {.type = RN_MREC_REGISTER_BROKER};
    rec.register_broker.broker_id = b->cfg.broker_id;
    rec.register_broker.host = b->cfg.listener.host;
    rec.register_broker.port = b->cfg.listener.port;
    rec.register_broker.fenced = mb != NULL && mb->fenced;
    if (rn_quorum_propose(b->quorum, &rec, 1, registered, b) == 0)
        b->registering = true;
}

/* This process has just started and the image has it unfenced: it may have lost what it
 * had (kill -9 before an fsync, a replaced disk), so it gives up its leaderships and
 * ISR memberships first, as the controller makes any restarted broker do (liveness.c);
 * the next ticks unfence it (register_self), electing it where it is the only ISR
 * member left. */
static void fence_self_at_start(rn_broker_t *b) {
    b->hb.starting = false;
    if (rn__propose_fencing(b, b->cfg.broker_id, false, RN_LOG_INFO, "the controller restarted",
                            registered, b) == 0)
        b->registering = true;
}

void rn__broker_register(rn_broker_t *b) {
    /* Not while a controlled shutdown fences this broker on purpose (shutdown.c). */
    if (b->stopping || b->shutdown.active || b->registering || b->quorum == NULL ||
        !rn_quorum_is_leader(b->quorum))
        return;
    const rn_meta_broker_t *mb = rn_meta_image_broker(rn_broker_image(b), b->cfg.broker_id);
    bool same = mb != NULL && strcmp(mb->host, b->cfg.listener.host) == 0 &&
                mb->port == b->cfg.listener.port;
    if (same && !mb->fenced && b->hb.starting) {
        fence_self_at_start(b); /* as the controller does to any restarted broker */
        return;
    }
    if (same && !mb->fenced) {
        b->registered = true;
        become_ready(b, "became controller");
        return;
    }
    register_self(b, same ? mb : NULL);
}

/* ---- quorum callbacks -------------------------------------------------------------- */

static void log_record(const rn_meta_record_t *rec, const rn_meta_image_t *img) {
    switch (rec->type) {
    case RN_MREC_CREATE_TOPIC: {
        const rn_meta_topic_t *t = rn_meta_image_topic(img, rec->create_topic.name);
        rn_log(RN_LOG_INFO, MOD, "created topic %s: %d partitions, replication factor %d",
               rec->create_topic.name, (int)rec->create_topic.npartitions,
               t && t->npartitions > 0 ? (int)t->partitions[0].nreplicas : 0);
        break;
    }
    case RN_MREC_DELETE_TOPIC:
        rn_log(RN_LOG_INFO, MOD, "deleted topic %s", rec->delete_topic.name);
        break;
    case RN_MREC_CREATE_PARTITIONS:
        rn_log(RN_LOG_INFO, MOD, "topic %s grew from %d to %d partitions",
               rec->create_partitions.name, (int)rec->create_partitions.first,
               (int)(rec->create_partitions.first + rec->create_partitions.npartitions));
        break;
    case RN_MREC_SET_TOPIC_CONFIG:
        rn_log(RN_LOG_INFO, MOD, "topic %s: %s %s%s", rec->set_config.name, rec->set_config.key,
               rec->set_config.value ? "= " : "reset to default",
               rec->set_config.value ? rec->set_config.value : "");
        break;
    case RN_MREC_REGISTER_BROKER:
        rn_log(RN_LOG_INFO, MOD, "broker %d registered at %s:%u",
               (int)rec->register_broker.broker_id, rec->register_broker.host,
               (unsigned)rec->register_broker.port);
        break;
    case RN_MREC_FENCE_BROKER:
    case RN_MREC_UNFENCE_BROKER:
        rn_log(RN_LOG_INFO, MOD, "broker %d %s", (int)rec->fence.broker_id,
               rec->type == RN_MREC_FENCE_BROKER ? "fenced" : "unfenced");
        break;
    case RN_MREC_PARTITION_CHANGE:
        rn_log(RN_LOG_INFO, MOD, "%s-%d: leader %d, leader epoch %d, ISR of %d",
               rec->partition_change.name, (int)rec->partition_change.partition,
               (int)rec->partition_change.leader, (int)rec->partition_change.leader_epoch,
               (int)rec->partition_change.nisr);
        break;
    default:
        break;
    }
}

static const char *record_topic(const rn_meta_record_t *rec) {
    switch (rec->type) {
    case RN_MREC_CREATE_TOPIC:
        return rec->create_topic.name;
    case RN_MREC_DELETE_TOPIC:
        return rec->delete_topic.name;
    case RN_MREC_PARTITION_CHANGE:
        return rec->partition_change.name;
    case RN_MREC_SET_TOPIC_CONFIG:
        return rec->set_config.name;
    case RN_MREC_CREATE_PARTITIONS:
        return rec->create_partitions.name;
    default:
        return NULL;
    }
}

void rn__broker_on_apply(void *arg, const rn_meta_record_t *rec) {
    rn_broker_t *b = arg;
    if (b->quorum == NULL)
        return; /* a snapshot restored inside rn_quorum_start: replay, see above */
    const rn_meta_image_t *img = rn_broker_image(b);
    if (rec == NULL || rec->type == RN_MREC_SET_CLUSTER_ID) {
        if (b->meta_ready)
            adopt_cluster_id(b, img);
        if (rec != NULL || !b->meta_ready)
            return;
        (void)rn_partitions_sync(b->parts, img, true);
        return;
    }
    if (!b->meta_ready)
        return; /* replay: see the file comment */
    log_record(rec, img);
    if (rec->type == RN_MREC_PARTITION_CHANGE) /* the registry still has the old ISR */
        rn__isr_count_change(b, rec->partition_change.name, rec->partition_change.partition);
    const char *topic = record_topic(rec);
    if (topic != NULL)
        (void)rn_partitions_sync_topic(b->parts, img, topic, true);
}

void rn__broker_on_leader(void *arg, int32_t leader_id, bool is_self) {
    rn_broker_t *b = arg;
    (void)leader_id;
    if (is_self)
        rn__broker_register(b);
}
