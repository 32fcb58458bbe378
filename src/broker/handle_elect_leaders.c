/*
 * handle_elect_leaders.c — ElectLeaders (key 43): preferred leader election on
 * demand (`runnel cluster elect-leaders`). The periodic election is elect.c.
 *
 * Only the controller judges: another broker answers a top-level NOT_CONTROLLER and
 * no results (the admin client follows it to the controller). Every partition named
 * (or, for a null list, every partition of every topic) is one item of a topic op
 * (topic_ops.h): controller_elect.c decides it against the image; a partition whose
 * preferred replica can lead is proposed as its own PartitionChange entry and answered
 * NONE once committed, the others at once:
 *
 *   preferred replica leads already            ELECTION_NOT_NEEDED
 *   it is fenced, unregistered or out of ISR   PREFERRED_LEADER_NOT_AVAILABLE
 *   no such topic or partition                 UNKNOWN_TOPIC_OR_PARTITION
 *   election_type unclean (1)                  INVALID_REQUEST: runnel elects out-of-
 *                                              sync replicas only through the topic's
 *                                              unclean.leader.election.enable
 *
 * Results are grouped by topic in the order the items were listed.
 */
#include <string.h>

#include "broker/broker_int.h"
#include "broker/topic_ops.h"
#include "common/alloc.h"
#include "meta/controller.h"
#include "proto/api_elect_leaders.h"

int rn__elect_leaders_encode_error(rn_writer_t *wr, int16_t version, rn_wire_err_t err) {
    rn_elect_leaders_response_t m = {.error_code = err};
    return rn_elect_leaders_response_encode(wr, version, &m);
}

static void respond(rn_breq_t *breq, const rn_elect_leaders_response_t *resp, size_t hint) {
    rn_writer_t wr;
    rn_breq_writer_init(breq, &wr, 64 + hint);
    if (rn_elect_leaders_response_encode(&wr, breq->hdr.api_version, resp) != 0) {
        rn_writer_deinit(&wr);
        rn_breq_respond_error(breq, RN_WIRE_UNKNOWN_SERVER_ERROR);
        return;
    }
    rn_breq_respond(breq, &wr);
}

static void answer(rn_topic_op_t *op) {
    int32_t n = op->n;
    rn_elect_leaders_result_t *res = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *res);
    rn_elect_leaders_part_result_t *pr = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *pr);
    int32_t nres = 0;
    for (int32_t i = 0; i < n; i++) {
        rn_topic_op_item_t *it = &op->items[i];
        if (nres == 0 || !rn_str_eq(res[nres - 1].topic, it->name)) {
            res[nres].topic = it->name;
            res[nres].partition_result = &pr[i];
            nres++;
        }
        res[nres - 1].n_partition_result++;
        pr[i].partition_id = it->partition;
        pr[i].error_code = it->err;
        pr[i].error_message = it->msg[0] ? rn_str(it->msg) : RN_STR_NULL;
    }
    rn_elect_leaders_response_t resp = {.error_code = RN_WIRE_NONE,
                                        .n_replica_election_results = nres,
                                        .replica_election_results = res};
    respond(op->breq, &resp, (size_t)n * 48);
    rn_free(pr);
    rn_free(res);
}

static void elect_one(rn_broker_t *b, rn_topic_op_t *op, int32_t i, int8_t type) {
    rn_topic_op_item_t *it = &op->items[i];
    if (type != RN_ELECTION_PREFERRED) {
        rn_topic_op_fail(op, i, RN_WIRE_INVALID_REQUEST,
                         "only preferred election is offered; unclean election follows "
                         "unclean.leader.election.enable");
        return;
    }
    char name[RN_META_TOPIC_NAME_MAX + 2];
    rn_meta_record_t rec;
    rn_elect_t e =
        rn_str_to_buf(it->name, name, sizeof name)
            ? rn_controller_elect_preferred(rn_broker_image(b), name, it->partition, &rec)
            : RN_ELECT_UNKNOWN;
    switch (e) {
    case RN_ELECT_DONE:
        rn_topic_op_propose(op, i, &rec, 1);
        rn_meta_record_deinit(&rec);
        break;
    case RN_ELECT_NOT_NEEDED:
        rn_topic_op_fail(op, i, RN_WIRE_ELECTION_NOT_NEEDED, NULL);
        break;
    case RN_ELECT_NOT_AVAILABLE:
        rn_topic_op_fail(op, i, RN_WIRE_PREFERRED_LEADER_NOT_AVAILABLE,
                         "the preferred replica is not alive and in sync");
        break;
    default:
        rn_topic_op_fail(op, i, RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION, "no such topic or partition");
    }
}

/* Items for every partition of every topic in the image (names copied: the image may
 * drop a topic before the answer). */
static rn_topic_op_t *op_for_all(rn_breq_t *breq, const rn_meta_image_t *img, int32_t timeout) {
    int32_t n = 0;
    for (size_t t = 0; t < img->ntopics; t++)
        n += img->topics[t]->npartitions;
    rn_topic_op_t *op = rn_topic_op_new(breq, n, timeout, answer);
    int32_t i = 0;
    for (size_t t = 0; t < img->ntopics; t++)
        for (int32_t p = 0; p < img->topics[t]->npartitions; p++, i++) {
            op->items[i].owned_name = rn_strdup(img->topics[t]->name);
            op->items[i].name = rn_str(op->items[i].owned_name);
            op->items[i].partition = p;
        }
    return op;
}

static rn_topic_op_t *op_for_list(rn_breq_t *breq, const rn_elect_leaders_request_t *req) {
    int64_t n = 0;
    for (int32_t t = 0; t < req->n_topic_partitions; t++)
        n += req->topic_partitions[t].n_partitions;
    rn_topic_op_t *op = rn_topic_op_new(breq, (int32_t)n, req->timeout_ms, answer);
    int32_t i = 0;
    for (int32_t t = 0; t < req->n_topic_partitions; t++)
        for (int32_t k = 0; k < req->topic_partitions[t].n_partitions; k++, i++) {
            op->items[i].name = req->topic_partitions[t].topic;
            op->items[i].partition = req->topic_partitions[t].partitions[k];
        }
    return op;
}

void rn_handle_elect_leaders(rn_breq_t *breq) {
    rn_broker_t *b = breq->broker;
    rn_elect_leaders_request_t req;
    if (rn_elect_leaders_request_decode(breq->body, breq->body_len, breq->hdr.api_version, &req) !=
        0) {
        rn_breq_respond_invalid(breq);
        return;
    }
    if (!rn_broker_is_controller(b)) {
        rn_elect_leaders_request_deinit(&req);
        rn_elect_leaders_response_t resp = {.error_code = RN_WIRE_NOT_CONTROLLER};
        respond(breq, &resp, 0);
        return;
    }
    rn_topic_op_t *op = req.n_topic_partitions < 0
                            ? op_for_all(breq, rn_broker_image(b), req.timeout_ms)
                            : op_for_list(breq, &req);
    for (int32_t i = 0; i < op->n; i++)
        elect_one(b, op, i, req.election_type);
    rn_elect_leaders_request_deinit(&req);
    rn_topic_op_start(op);
}
