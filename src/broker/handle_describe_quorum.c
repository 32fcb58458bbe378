/*
 * handle_describe_quorum.c — DescribeQuorum (key 55): the metadata quorum as this
 * broker knows it (rn_quorum_status). Any broker answers, the controller or not: a
 * broker that does not lead reports the leader and term it has seen, its own log end,
 * and -1 for the others' (only the Raft leader tracks them).
 *
 * Raft indexes and terms are unsigned 64-bit in libraft; the wire carries int64
 * indexes and an int32 epoch, which they fit in for any real cluster (a term past
 * INT32_MAX is clamped).
 */
#include "broker/broker_int.h"
#include "common/alloc.h"
#include "proto/api_describe_quorum.h"

int rn__describe_quorum_encode_error(rn_writer_t *wr, int16_t version, rn_wire_err_t err) {
    rn_describe_quorum_response_t m = {.error_code = err, .leader_id = -1, .high_watermark = -1};
    return rn_describe_quorum_response_encode(wr, version, &m);
}

static int64_t index_to_wire(uint64_t v) {
    return v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* Split the configuration's members into voters and observers (both arrays sized n). */
static void fill_response(rn_describe_quorum_response_t *resp, const rn_quorum_status_t *st,
                          const rn_quorum_member_t *members, size_t n) {
    resp->error_code = RN_WIRE_NONE;
    resp->leader_id = st->leader_id;
    resp->leader_epoch = st->term > (uint64_t)INT32_MAX ? INT32_MAX : (int32_t)st->term;
    resp->high_watermark = index_to_wire(st->commit_index);
    for (size_t i = 0; i < n; i++) {
        rn_quorum_replica_state_t rs = {members[i].id, members[i].log_end};
        if (members[i].voter)
            resp->voters[resp->n_voters++] = rs;
        else
            resp->observers[resp->n_observers++] = rs;
    }
}

void rn_handle_describe_quorum(rn_breq_t *breq) {
    rn_describe_quorum_request_t req;
    if (rn_describe_quorum_request_decode(breq->body, breq->body_len, breq->hdr.api_version,
                                          &req) != 0) {
        rn_breq_respond_invalid(breq);
        return;
    }
    rn_describe_quorum_request_deinit(&req);
    rn_broker_t *b = breq->broker;
    if (b->quorum == NULL) { /* stopping: the quorum is already closed */
        rn_breq_respond_error(breq, RN_WIRE_BROKER_NOT_AVAILABLE);
        return;
    }
    rn_quorum_status_t st;
    size_t n = rn_quorum_status(b->quorum, &st, NULL, 0);
    size_t alloc_n = n > 0 ? n : 1;
    rn_quorum_member_t *members = rn_calloc(alloc_n, sizeof *members);
    rn_quorum_replica_state_t *voters = rn_calloc(alloc_n, sizeof *voters);
    rn_quorum_replica_state_t *observers = rn_calloc(alloc_n, sizeof *observers);
    n = rn_quorum_status(b->quorum, &st, members, n);
    rn_describe_quorum_response_t resp = {.voters = voters, .observers = observers};
    fill_response(&resp, &st, members, n);
    rn_writer_t wr;
    rn_breq_writer_init(breq, &wr, 32 + 12 * n);
    int rc = rn_describe_quorum_response_encode(&wr, breq->hdr.api_version, &resp);
    rn_free(observers);
    rn_free(voters);
    rn_free(members);
    if (rc != 0) {
        rn_writer_deinit(&wr);
        rn_breq_respond_error(breq, RN_WIRE_UNKNOWN_SERVER_ERROR);
        return;
    }
    rn_breq_respond(breq, &wr);
}
