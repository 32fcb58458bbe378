/*
 * handle_find_coordinator.c — FindCoordinator (key 10): the broker coordinating a
 * group is the leader of partition murmur2_positive(group) % N of __consumer_offsets
 * (docs/groups.md). Any broker answers from its metadata image.
 *
 * While the topic does not exist the answer is COORDINATOR_NOT_AVAILABLE (retriable);
 * the controller also proposes the topic's creation (rn_coord_create_offsets_topic),
 * so the first consumer asking the controller creates it. A partition without a live
 * leader is COORDINATOR_NOT_AVAILABLE too.
 */
#include "broker/coordinator.h"
#include "common/errors.h"
#include "proto/api_find_coordinator.h"

static void answer(rn_breq_t *breq, rn_find_coordinator_response_t *resp) {
    rn_writer_t wr;
    rn_breq_writer_init(breq, &wr, 64);
    if (rn_find_coordinator_response_encode(&wr, breq->hdr.api_version, resp) == 0) {
        rn_breq_respond(breq, &wr);
    } else {
        rn_writer_deinit(&wr);
        rn_breq_respond_error(breq, RN_WIRE_UNKNOWN_SERVER_ERROR);
    }
}

static void fail(rn_find_coordinator_response_t *resp, rn_wire_err_t err, const char *msg) {
    resp->error_code = err;
    resp->error_message = rn_str(msg);
    resp->node_id = -1;
    resp->host = rn_str("");
    resp->port = -1;
}

void rn_handle_find_coordinator(rn_breq_t *breq) {
    rn_find_coordinator_request_t req;
    if (rn_find_coordinator_request_decode(breq->body, breq->body_len, breq->hdr.api_version,
                                           &req) != 0) {
        rn_find_coordinator_request_deinit(&req);
        rn_breq_respond_invalid(breq);
        return;
    }
    rn_broker_t *b = breq->broker;
    rn_find_coordinator_response_t resp = {.error_code = RN_WIRE_NONE,
                                           .error_message = RN_STR_NULL};
    const rn_meta_image_t *img = rn_broker_image(b);
    const rn_meta_topic_t *mt = rn_meta_image_topic(img, RN_OFFSETS_TOPIC);
    if (req.key_type != RN_COORDINATOR_KEY_GROUP) {
        fail(&resp, RN_WIRE_INVALID_REQUEST, "key_type must be 0 (a group)");
    } else if (req.key.len <= 0) {
        fail(&resp, RN_WIRE_INVALID_GROUP_ID, "the group id is empty");
    } else if (mt == NULL || mt->npartitions <= 0) {
        int rc = rn_coord_create_offsets_topic(b);
        fail(&resp, RN_WIRE_COORDINATOR_NOT_AVAILABLE,
             rc == 0 ? RN_OFFSETS_TOPIC " is being created"
                     : RN_OFFSETS_TOPIC " does not exist yet; ask the controller");
    } else {
        rn_wire_err_t err;
        int32_t p = rn_coord_partition_of(b->coord, req.key, &err);
        int32_t leader = p >= 0 && p < mt->npartitions ? mt->partitions[p].leader : -1;
        const rn_meta_broker_t *mb = leader >= 0 ? rn_meta_image_broker(img, leader) : NULL;
        if (mb == NULL || mb->fenced) {
            fail(&resp, RN_WIRE_COORDINATOR_NOT_AVAILABLE, "the group's partition has no leader");
        } else {
            resp.node_id = mb->id;
            resp.host = rn_str(mb->host);
            resp.port = mb->port;
        }
    }
    answer(breq, &resp);
    rn_find_coordinator_request_deinit(&req);
}
