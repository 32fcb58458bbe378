/*
 * handle_metadata.c — Metadata (key 3): the live brokers, the cluster id, the
 * controller, and topics with their partitions (leader, leader epoch, replicas, ISR),
 * all read from the metadata image.
 *
 * A requested topic the image does not have is auto-created when the request allows
 * it and auto.create.topics.enable is set (answered LEADER_NOT_AVAILABLE, retriable:
 * the client asks again once it is committed), else UNKNOWN_TOPIC_OR_PARTITION; an
 * invalid name is INVALID_TOPIC_EXCEPTION. This broker is always listed among the
 * brokers, even before its registration is committed, so a client can bootstrap.
 * Every broker answers from its own copy of the image, so all give the same view once
 * they have applied the same log.
 *
 * A broker that has not caught up with the metadata log yet holds Metadata requests
 * until it has (at most 5 s), so that no client learns from it that a topic does not
 * exist. The response's arrays borrow from the image and the request; it is encoded
 * before returning, while both are stable.
 */
#include <string.h>

#include "broker/broker_int.h"
#include "broker/coordinator.h"
#include "common/alloc.h"
#include "common/clock.h"
#include "common/errors.h"
#include "meta/controller.h"
#include "proto/api_metadata.h"

/* v0 lists the unfenced brokers (where clients may send requests); v1 lists every
 * registered broker with its fenced flag (for `runnel cluster status`). */
static void fill_brokers(rn_broker_t *b, const rn_meta_image_t *img, int16_t version,
                         rn_arena_t *arena, rn_metadata_response_t *resp) {
    resp->brokers = rn_arena_alloc(arena, img->nbrokers + 1, sizeof *resp->brokers);
    int32_t n = 0;
    for (size_t i = 0; i < img->nbrokers; i++) {
        const rn_meta_broker_t *mb = &img->brokers[i];
        if (mb->fenced && version < 1)
            continue;
        resp->brokers[n++] = (rn_metadata_broker_t){mb->id, rn_str(mb->host), mb->port, mb->fenced};
    }
    if (rn_meta_image_broker(img, b->cfg.broker_id) == NULL)
        resp->brokers[n++] = (rn_metadata_broker_t){b->cfg.broker_id, rn_str(b->cfg.listener.host),
                                                    b->cfg.listener.port, false};
    resp->n_brokers = n;
}

static void fill_topic(const rn_meta_topic_t *mt, rn_arena_t *arena, rn_metadata_topic_t *out) {
    out->error_code = RN_WIRE_NONE;
    out->name = rn_str(mt->name);
    out->is_internal = strcmp(mt->name, RN_OFFSETS_TOPIC) == 0;
    out->n_partitions = mt->npartitions;
    out->partitions = rn_arena_alloc(arena, (size_t)mt->npartitions, sizeof *out->partitions);
    for (int32_t p = 0; p < mt->npartitions; p++) {
        const rn_meta_partition_t *mp = &mt->partitions[p];
        rn_metadata_partition_t *op = &out->partitions[p];
        op->error_code = mp->leader < 0 ? RN_WIRE_LEADER_NOT_AVAILABLE : RN_WIRE_NONE;
        op->partition_index = p;
        op->leader_id = mp->leader;
        op->leader_epoch = mp->leader_epoch;
        op->n_replica_nodes = mp->nreplicas;
        op->replica_nodes = mp->replicas;
        op->n_isr_nodes = mp->nisr;
        op->isr_nodes = mp->isr;
    }
}

/* A named topic the image lacks: auto-create or report. */
static void missing_topic(rn_broker_t *b, rn_str_t name, bool allow, rn_metadata_topic_t *out) {
    out->name = name;
    char buf[RN_META_TOPIC_NAME_MAX + 2];
    if (!rn_str_to_buf(name, buf, sizeof buf) || rn_controller_check_topic_name(buf) != 0) {
        out->error_code = RN_WIRE_INVALID_TOPIC_EXCEPTION;
        return;
    }
    out->error_code = RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION;
    if (allow && rn_broker_auto_create_topic(b, name) == 0)
        out->error_code = RN_WIRE_LEADER_NOT_AVAILABLE;
}

static void fill_topics(rn_broker_t *b, const rn_meta_image_t *img,
                        const rn_metadata_request_t *req, rn_arena_t *arena,
                        rn_metadata_response_t *resp) {
    if (req->n_topics < 0) {
        resp->n_topics = (int32_t)img->ntopics;
        resp->topics = rn_arena_alloc(arena, img->ntopics, sizeof *resp->topics);
        for (size_t i = 0; i < img->ntopics; i++)
            fill_topic(img->topics[i], arena, &resp->topics[i]);
        return;
    }
    resp->n_topics = req->n_topics;
    resp->topics = rn_arena_alloc(arena, (size_t)req->n_topics, sizeof *resp->topics);
    for (int32_t i = 0; i < req->n_topics; i++) {
        char buf[RN_META_TOPIC_NAME_MAX + 2];
        const rn_meta_topic_t *mt = NULL;
        if (rn_str_to_buf(req->topics[i], buf, sizeof buf))
            mt = rn_meta_image_topic(img, buf);
        if (mt != NULL)
            fill_topic(mt, arena, &resp->topics[i]);
        else
            missing_topic(b, req->topics[i], req->allow_auto_topic_creation, &resp->topics[i]);
    }
}

/* ---- before this broker has caught up -------------------------------------------
 * A broker that has just started replays and then catches up on the metadata log; until
 * it is ready (broker_meta.c) its image may lack topics, and an answer from it would
 * tell a client that they do not exist. So its Metadata requests wait until it is
 * ready (checked every tick), for RN_METADATA_WAIT_MS at most (then it answers what it
 * has), or until the broker stops or the connection closes. */

#define RN_METADATA_WAIT_MS 5000

struct rn_md_wait_s {
    rn_parked_t parked; /* first: drop() gets it */
    rn_breq_t *breq;
    int64_t deadline_ms;
    rn_md_wait_t *next;
};

static void answer(rn_breq_t *breq);

static void unlist(rn_broker_t *b, rn_md_wait_t *w) {
    for (rn_md_wait_t **pp = &b->md_waiting; *pp != NULL; pp = &(*pp)->next)
        if (*pp == w) {
            *pp = w->next;
            return;
        }
}

static void md_drop(rn_parked_t *p) {
    rn_md_wait_t *w = (rn_md_wait_t *)p;
    rn_broker_t *b = w->breq->broker;
    unlist(b, w);
    rn_breq_respond_none(w->breq);
    rn_free(w);
}

void rn__metadata_tick(rn_broker_t *b) {
    int64_t now = rn_mono_ms();
    rn_md_wait_t **pp = &b->md_waiting;
    while (*pp != NULL) {
        rn_md_wait_t *w = *pp;
        if (!b->meta_ready && !b->stopping && now < w->deadline_ms) {
            pp = &w->next;
            continue;
        }
        *pp = w->next;
        rn__parked_remove(&w->parked);
        answer(w->breq);
        rn_free(w);
    }
}

void rn_handle_metadata(rn_breq_t *breq) {
    rn_broker_t *b = breq->broker;
    if (b->meta_ready || b->stopping) {
        answer(breq);
        return;
    }
    rn_md_wait_t *w = rn_calloc(1, sizeof *w);
    w->breq = breq;
    w->deadline_ms = rn_mono_ms() + RN_METADATA_WAIT_MS;
    w->parked.conn = breq->conn;
    w->parked.drop = md_drop;
    w->next = b->md_waiting;
    b->md_waiting = w;
    rn__parked_add(b, &w->parked);
}

static void answer(rn_breq_t *breq) {
    rn_broker_t *b = breq->broker;
    rn_metadata_request_t req;
    if (rn_metadata_request_decode(breq->body, breq->body_len, breq->hdr.api_version, &req) != 0) {
        rn_breq_respond_invalid(breq);
        return;
    }
    const rn_meta_image_t *img = rn_broker_image(b);
    rn_arena_t arena;
    rn_arena_init(&arena);
    rn_metadata_response_t resp = {.error_code = RN_WIRE_NONE};
    fill_brokers(b, img, breq->hdr.api_version, &arena, &resp);
    resp.cluster_id = b->cluster_id_str[0] ? rn_str(b->cluster_id_str) : RN_STR_NULL;
    resp.controller_id = rn_broker_controller_id(b);
    fill_topics(b, img, &req, &arena, &resp);
    rn_writer_t wr;
    rn_breq_writer_init(breq, &wr, 256 + (size_t)resp.n_topics * 128);
    int rc = rn_metadata_response_encode(&wr, breq->hdr.api_version, &resp);
    rn_arena_deinit(&arena);
    rn_metadata_request_deinit(&req);
    if (rc != 0) {
        rn_writer_deinit(&wr);
        rn_breq_respond_error(breq, RN_WIRE_UNKNOWN_SERVER_ERROR);
        return;
    }
    rn_breq_respond(breq, &wr);
}
