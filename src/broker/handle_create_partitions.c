/*
 * handle_create_partitions.c — CreatePartitions (key 37): grow topics.
 *
 * As CreateTopics (handle_topics.c): each topic is validated against the controller's
 * image (meta/controller.h) and proposed as its own Raft entry, a CreatePartitions
 * record; the answer waits for the commits (topic_ops.h) up to timeout_ms. When the
 * record applies, every broker's registry creates the logs of the new partitions it
 * hosts (partitions.c grows the topic in rn_partitions_sync_topic), and Metadata,
 * Produce and ListOffsets see the new count from then on.
 *
 * A broker that is not the controller (or not ready) answers NOT_CONTROLLER for
 * every topic without judging any: only the controller's image knows the counts.
 * Manual replica assignments are refused (INVALID_REPLICA_ASSIGNMENT): runnel places
 * replicas itself. A topic named twice is refused for every occurrence.
 */
#include <string.h>

#include "broker/broker_int.h"
#include "broker/topic_ops.h"
#include "common/alloc.h"
#include "common/errors.h"
#include "meta/controller.h"
#include "proto/api_create_partitions.h"

int rn__create_partitions_encode_error(rn_writer_t *wr, int16_t version, rn_wire_err_t err) {
    rn_create_partitions_response_t m = {.error_code = err};
    return rn_create_partitions_response_encode(wr, version, &m);
}

static void answer(rn_topic_op_t *op) {
    rn_create_partitions_response_t resp = {.error_code = RN_WIRE_NONE, .n_results = op->n};
    rn_create_partitions_result_t *res = rn_calloc((size_t)(op->n > 0 ? op->n : 1), sizeof *res);
    for (int32_t i = 0; i < op->n; i++) {
        rn_topic_op_item_t *it = &op->items[i];
        res[i].name = it->name;
        res[i].error_code = it->err;
        res[i].error_message = it->msg[0] ? rn_str(it->msg) : RN_STR_NULL;
    }
    resp.results = res;
    rn_writer_t wr;
    rn_breq_writer_init(op->breq, &wr, 64 + (size_t)op->n * 64);
    int rc = rn_create_partitions_response_encode(&wr, op->breq->hdr.api_version, &resp);
    rn_free(res);
    if (rc != 0) {
        rn_writer_deinit(&wr);
        rn_breq_respond_error(op->breq, RN_WIRE_UNKNOWN_SERVER_ERROR);
        return;
    }
    rn_breq_respond(op->breq, &wr);
}

static bool named_twice(const rn_create_partitions_request_t *req, int32_t i) {
    for (int32_t j = 0; j < req->n_topics; j++)
        if (j != i && rn_str_eq(req->topics[i].name, req->topics[j].name))
            return true;
    return false;
}

/* Judge topic i on the controller; propose it unless validate_only. */
static void grow_one(rn_broker_t *b, rn_topic_op_t *op, int32_t i,
                     const rn_create_partitions_topic_t *t, bool validate_only) {
    char name[RN_META_TOPIC_NAME_MAX + 2];
    if (!rn_str_to_buf(t->name, name, sizeof name)) {
        rn_topic_op_fail(op, i, RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION, "no such topic");
        return;
    }
    if (t->n_assignments >= 0) {
        rn_topic_op_fail(op, i, RN_WIRE_INVALID_REPLICA_ASSIGNMENT,
                         "runnel assigns replicas itself: leave assignments null");
        return;
    }
    rn_meta_record_t rec;
    char err[RN_TOPIC_OP_MSG_MAX] = "";
    int rc =
        rn_controller_create_partitions(rn_broker_image(b), name, t->count, &rec, err, sizeof err);
    if (rc != 0) {
        rn_topic_op_fail(op, i, rn_topic_op_wire_err(rc), "%s", err[0] ? err : rn_strerror(rc));
        return;
    }
    if (!validate_only)
        rn_topic_op_propose(op, i, &rec, 1);
    rn_meta_record_deinit(&rec);
}

void rn_handle_create_partitions(rn_breq_t *breq) {
    rn_broker_t *b = breq->broker;
    rn_create_partitions_request_t req;
    if (rn_create_partitions_request_decode(breq->body, breq->body_len, breq->hdr.api_version,
                                            &req) != 0) {
        rn_breq_respond_invalid(breq);
        return;
    }
    rn_topic_op_t *op = rn_topic_op_new(breq, req.n_topics, req.timeout_ms, answer);
    bool controller = rn_broker_is_controller(b);
    for (int32_t i = 0; i < req.n_topics; i++) {
        op->items[i].name = req.topics[i].name;
        if (named_twice(&req, i))
            rn_topic_op_fail(op, i, RN_WIRE_INVALID_REQUEST, "topic named more than once");
        else if (!controller)
            rn_topic_op_fail(op, i, RN_WIRE_NOT_CONTROLLER, "the controller is broker %d",
                             (int)rn_broker_controller_id(b));
        else
            grow_one(b, op, i, &req.topics[i], req.validate_only);
    }
    rn_create_partitions_request_deinit(&req);
    rn_topic_op_start(op);
}
