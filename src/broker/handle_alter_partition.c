/*
 * handle_alter_partition.c — AlterPartition (key 56), the controller's side: a
 * partition leader asks for a new ISR (isr.c sends it).
 *
 *   decode ──▶ not the controller? ──▶ NOT_CONTROLLER for every partition
 *          ──▶ per partition: rn_controller_alter_isr (meta/controller.h) against the
 *              controller's image ──▶ invalid: its error
 *                                 ──▶ a change: propose one PartitionChange (same
 *                                     leader, same epoch) as its own entry
 *                                 ──▶ already so: NONE at once
 *   every proposal committed and applied (or 5 s passed) ──▶ answer with each
 *   partition's state in the image then (leader, epoch, ISR)
 *
 * Built on topic_ops.h: one item per partition. The answer decodes the request body
 * again (still held by the request) to pair items with partition indexes.
 */
#include <string.h>

#include "broker/broker_int.h"
#include "broker/topic_ops.h"
#include "common/alloc.h"
#include "meta/controller.h"
#include "proto/api_alter_partition.h"

#define ALTER_TIMEOUT_MS 5000

static rn_wire_err_t verdict_err(rn_alter_isr_t v) {
    switch (v) {
    case RN_ALTER_ISR_OK:
        return RN_WIRE_NONE;
    case RN_ALTER_ISR_UNKNOWN:
        return RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION;
    case RN_ALTER_ISR_NOT_LEADER:
        return RN_WIRE_NOT_LEADER_OR_FOLLOWER;
    case RN_ALTER_ISR_STALE:
        return RN_WIRE_FENCED_LEADER_EPOCH;
    case RN_ALTER_ISR_INVALID:
    case RN_ALTER_ISR_INELIGIBLE:
        break;
    }
    return RN_WIRE_INVALID_REPLICA_ASSIGNMENT;
}

/* Fill r with partition `index` of `name` as the image has it now. */
static void state_of(rn_broker_t *b, rn_str_t name, int32_t index,
                     rn_alter_partition_part_result_t *r) {
    char buf[RN_META_TOPIC_NAME_MAX + 2];
    r->index = index;
    r->leader_id = -1;
    const rn_meta_topic_t *t =
        rn_str_to_buf(name, buf, sizeof buf) ? rn_meta_image_topic(rn_broker_image(b), buf) : NULL;
    if (t == NULL || index < 0 || index >= t->npartitions)
        return;
    const rn_meta_partition_t *mp = &t->partitions[index];
    r->leader_id = mp->leader;
    r->leader_epoch = mp->leader_epoch;
    r->n_isr = mp->nisr;
    r->isr = mp->isr;
}

static void answer(rn_topic_op_t *op) {
    rn_alter_partition_request_t req;
    rn_breq_t *breq = op->breq;
    if (rn_alter_partition_request_decode(breq->body, breq->body_len, breq->hdr.api_version,
                                          &req) != 0) {
        rn_breq_respond_error(breq, RN_WIRE_UNKNOWN_SERVER_ERROR);
        return;
    }
    rn_alter_partition_response_t resp = {.error_code = RN_WIRE_NONE, .n_topics = req.n_topics};
    resp.topics = rn_calloc((size_t)(req.n_topics > 0 ? req.n_topics : 1), sizeof *resp.topics);
    rn_alter_partition_part_result_t *res = rn_calloc((size_t)(op->n > 0 ? op->n : 1), sizeof *res);
    int32_t k = 0;
    for (int32_t i = 0; i < req.n_topics; i++) {
        resp.topics[i].name = req.topics[i].name;
        resp.topics[i].n_partitions = req.topics[i].n_partitions;
        resp.topics[i].partitions = &res[k];
        for (int32_t j = 0; j < req.topics[i].n_partitions; j++, k++) {
            state_of(op->broker, req.topics[i].name, req.topics[i].partitions[j].index, &res[k]);
            res[k].error_code = op->items[k].err;
        }
    }
    rn_writer_t wr;
    rn_breq_writer_init(breq, &wr, 64 + (size_t)op->n * 32);
    int rc = rn_alter_partition_response_encode(&wr, breq->hdr.api_version, &resp);
    rn_free(res);
    rn_free(resp.topics);
    rn_alter_partition_request_deinit(&req);
    if (rc != 0) {
        rn_writer_deinit(&wr);
        rn_breq_respond_error(breq, RN_WIRE_UNKNOWN_SERVER_ERROR);
        return;
    }
    rn_breq_respond(breq, &wr);
}

/* Judge item k (partition pp of topic name) and propose its change. */
static void alter_one(rn_broker_t *b, rn_topic_op_t *op, int32_t k, int32_t broker_id,
                      rn_str_t name, const rn_alter_partition_part_t *pp) {
    char buf[RN_META_TOPIC_NAME_MAX + 2];
    if (!rn_str_to_buf(name, buf, sizeof buf)) {
        rn_topic_op_fail(op, k, RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION, "no such topic");
        return;
    }
    rn_meta_record_t rec;
    bool changed;
    rn_alter_isr_t v =
        rn_controller_alter_isr(rn_broker_image(b), buf, pp->index, broker_id, pp->leader_epoch,
                                pp->new_isr, pp->n_new_isr, &rec, &changed);
    if (v != RN_ALTER_ISR_OK) {
        rn_topic_op_fail(op, k, verdict_err(v), NULL);
        return;
    }
    if (changed) {
        rn_topic_op_propose(op, k, &rec, 1);
        rn_meta_record_deinit(&rec);
    }
}

void rn_handle_alter_partition(rn_breq_t *breq) {
    rn_broker_t *b = breq->broker;
    rn_alter_partition_request_t req;
    if (rn_alter_partition_request_decode(breq->body, breq->body_len, breq->hdr.api_version,
                                          &req) != 0) {
        rn_breq_respond_invalid(breq);
        return;
    }
    int32_t n = 0;
    for (int32_t i = 0; i < req.n_topics; i++)
        n += req.topics[i].n_partitions;
    rn_topic_op_t *op = rn_topic_op_new(breq, n, ALTER_TIMEOUT_MS, answer);
    bool controller = rn_broker_is_controller(b);
    int32_t k = 0;
    for (int32_t i = 0; i < req.n_topics; i++) {
        for (int32_t j = 0; j < req.topics[i].n_partitions; j++, k++) {
            op->items[k].name = req.topics[i].name;
            if (!controller)
                rn_topic_op_fail(op, k, RN_WIRE_NOT_CONTROLLER, NULL);
            else
                alter_one(b, op, k, req.broker_id, req.topics[i].name,
                          &req.topics[i].partitions[j]);
        }
    }
    rn_alter_partition_request_deinit(&req);
    rn_topic_op_start(op);
}

int rn__alter_partition_encode_error(rn_writer_t *wr, int16_t version, rn_wire_err_t err) {
    rn_alter_partition_response_t m = {.error_code = err};
    return rn_alter_partition_response_encode(wr, version, &m);
}
