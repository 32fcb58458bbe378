/*
 * metadata.c — the client's metadata cache and its refreshes (metadata.h).
 *
 * A refresh asks for exactly the wanted topics (none: brokers only) from any
 * reachable broker. A response replaces each described topic's partition table
 * whole; topics not described keep their entry. Counts and ids come from the
 * network: partitions are placed by their partition_index only when it is inside
 * [0, count), and a topic whose indexes do not cover 0..count-1 exactly is treated
 * as LEADER_NOT_AVAILABLE until a later response is whole.
 */
#include "client/metadata.h"

#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "proto/api.h"

void rn__metadata_init(rn__client_t *cl, int allow_auto_create) {
    rn__metadata_t *md = rn_calloc(1, sizeof *md);
    md->allow_auto_create = allow_auto_create;
    md->controller_id = -1;
    md->last_request = INT64_MIN / 2;
    cl->md = md;
}

void rn__metadata_free(rn__client_t *cl) {
    rn__metadata_t *md = cl->md;
    if (md == NULL)
        return;
    rn__mtopic_t *t = md->topics;
    while (t != NULL) {
        rn__mtopic_t *next = t->next;
        rn_free(t->name);
        rn_free(t->parts);
        rn_free(t);
        t = next;
    }
    rn_free(md);
    cl->md = NULL;
}

rn__mtopic_t *rn__metadata_find(rn__client_t *cl, const char *topic) {
    for (rn__mtopic_t *t = cl->md->topics; t != NULL; t = t->next)
        if (strcmp(t->name, topic) == 0)
            return t;
    return NULL;
}

rn__mtopic_t *rn__metadata_want(rn__client_t *cl, const char *topic) {
    rn__mtopic_t *t = rn__metadata_find(cl, topic);
    if (t != NULL)
        return t;
    t = rn_calloc(1, sizeof *t);
    t->name = rn_strdup(topic);
    t->next = cl->md->topics;
    cl->md->topics = t;
    cl->md->needed = 1;
    /* A new topic should not wait out the back-off of an unrelated refresh. */
    cl->md->last_request = INT64_MIN / 2;
    return t;
}

void rn__metadata_refresh(rn__client_t *cl) {
    cl->md->needed = 1;
}

int rn__metadata_stale_err(int err) {
    switch (err) {
    case RN_WIRE_NOT_LEADER_OR_FOLLOWER:
    case RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION:
    case RN_WIRE_LEADER_NOT_AVAILABLE:
    case RN_WIRE_FENCED_LEADER_EPOCH:
    case RN_WIRE_UNKNOWN_LEADER_EPOCH:
    case RN_WIRE_REPLICA_NOT_AVAILABLE:
    case RN_WIRE_NOT_ENOUGH_REPLICAS:
        return 1;
    default:
        return err < 0; /* connection problems */
    }
}

static void apply_topic(rn__mtopic_t *t, const rn_metadata_topic_t *mt) {
    t->known = 1;
    t->err = mt->error_code;
    int32_t n = mt->n_partitions > 0 ? mt->n_partitions : 0;
    rn__mpart_t *parts = n > 0 ? rn_calloc((size_t)n, sizeof *parts) : NULL;
    int32_t placed = 0;
    for (int32_t i = 0; i < n; i++)
        parts[i].leader = -2; /* not described */
    for (int32_t i = 0; i < n; i++) {
        const rn_metadata_partition_t *mp = &mt->partitions[i];
        int32_t idx = mp->partition_index;
        if (idx < 0 || idx >= n || parts[idx].leader != -2)
            continue;
        parts[idx].leader = mp->leader_id >= 0 ? mp->leader_id : -1;
        parts[idx].leader_epoch = mp->leader_epoch;
        parts[idx].err = mp->error_code;
        placed++;
    }
    rn_free(t->parts);
    t->parts = parts;
    t->npart = n;
    t->gen++;
    if (placed != n) {
        for (int32_t i = 0; i < n; i++)
            if (parts[i].leader == -2)
                parts[i].leader = -1;
        if (t->err == RN_WIRE_NONE)
            t->err = RN_WIRE_LEADER_NOT_AVAILABLE;
    }
    if (t->err == RN_WIRE_NONE && n == 0)
        t->err = RN_WIRE_LEADER_NOT_AVAILABLE;
}

void rn__metadata_apply(rn__client_t *cl, const rn_metadata_response_t *resp) {
    for (int32_t i = 0; i < resp->n_brokers; i++) {
        const rn_metadata_broker_t *mb = &resp->brokers[i];
        if (mb->node_id >= 0 && mb->port > 0 && mb->port <= 65535 && mb->host.len > 0)
            rn__client_broker_update(cl, mb->node_id, mb->host, mb->port);
    }
    cl->md->controller_id = resp->controller_id;
    for (int32_t i = 0; i < resp->n_topics; i++) {
        const rn_metadata_topic_t *mt = &resp->topics[i];
        for (rn__mtopic_t *t = cl->md->topics; t != NULL; t = t->next) {
            if (rn_str_eq_c(mt->name, t->name)) {
                apply_topic(t, mt);
                break;
            }
        }
    }
}

static void on_metadata(rn__client_t *cl, rn__broker_t *b, int err, const uint8_t *body, size_t len,
                        void *arg) {
    (void)b;
    (void)arg;
    rn__metadata_t *md = cl->md;
    md->inflight = 0;
    if (err == 0) {
        rn_metadata_response_t resp;
        err = rn_metadata_response_decode(body, len, 0, &resp);
        if (err == 0) {
            if (resp.error_code != RN_WIRE_NONE) {
                err = resp.error_code;
            } else {
                rn__metadata_apply(cl, &resp);
                md->last_ok = (int64_t)uv_now(&cl->loop);
            }
            rn_metadata_response_deinit(&resp);
        } else {
            err = rn__resp_error_code(body, len);
        }
    }
    md->last_err = err;
    if (err != 0)
        md->needed = 1;
    /* Partitions still without a leader: look again after the back-off. */
    for (rn__mtopic_t *t = md->topics; t != NULL; t = t->next)
        if (!t->known || rn_wire_err_retriable(t->err))
            md->needed = 1;
    rn__client_kick(cl);
}

static void send_refresh(rn__client_t *cl, int64_t now) {
    rn__metadata_t *md = cl->md;
    int32_t n = 0;
    for (rn__mtopic_t *t = md->topics; t != NULL; t = t->next)
        n++;
    rn_str_t *names = n > 0 ? rn_malloc((size_t)n * sizeof *names) : NULL;
    int32_t i = 0;
    for (rn__mtopic_t *t = md->topics; t != NULL; t = t->next)
        names[i++] = rn_str(t->name);
    rn_metadata_request_t req = {
        .n_topics = n,
        .topics = names,
        .allow_auto_topic_creation = md->allow_auto_create != 0,
    };
    rn_writer_t wr;
    rn_writer_init(&wr, 256);
    int32_t corr = rn__client_frame_begin(cl, &wr, RN_API_METADATA);
    int rc = rn_metadata_request_encode(&wr, 0, &req);
    rn_free(names);
    if (rc < 0) { /* a topic name the wire cannot carry: the owner validates names */
        rn_writer_deinit(&wr);
        return;
    }
    size_t len;
    uint8_t *frame = rn_writer_take(&wr, &len);
    md->inflight = 1;
    md->needed = 0;
    md->last_request = now;
    rn__client_send(cl, NULL, frame, len, corr, 1, cl->conf->request_timeout_ms, on_metadata, NULL);
}

int64_t rn__metadata_serve(rn__client_t *cl, int64_t now) {
    rn__metadata_t *md = cl->md;
    if (md->topics != NULL && now - md->last_ok >= cl->conf->metadata_max_age_ms)
        md->needed = 1;
    if (!md->needed || md->inflight)
        return INT64_MAX;
    int64_t due = md->last_request + cl->conf->retry_backoff_ms;
    if (now < due)
        return due;
    send_refresh(cl, now);
    return INT64_MAX;
}
