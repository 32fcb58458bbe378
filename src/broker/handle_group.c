/*
 * handle_group.c — JoinGroup (key 11), SyncGroup (14), Heartbeat (12), LeaveGroup (13):
 * decode, find the group on this coordinator (coordinator.h), hand the request to the
 * group state machine (src/group/group.h), answer now or park.
 *
 *   JoinGroup / SyncGroup ──▶ rn_group_join / rn_group_sync
 *        DONE   ──▶ answer now
 *        PARKED ──▶ gwait_t listed on the broker (parked.c); the group answers it
 *                   through rn__group_join_answer / rn__group_sync_answer: end of the
 *                   join phase, the leader's record written, an error, or the group
 *                   dropped (NOT_COORDINATOR: leadership moved, broker stopping)
 *        WRITE  ──▶ (the leader's SyncGroup, parked too) the group record is written
 *                   (acks=all); its outcome goes to rn_group_sync_written, which
 *                   answers every parked SyncGroup
 *   connection closed ──▶ the gwait is forgotten by its group (rn_group_cancel) and
 *                         answered with nothing
 *
 * A gwait is listed on the broker BEFORE the group sees it: the group may answer it
 * inside the call (a join that ends the join phase at once).
 */
#include <stdio.h>
#include <string.h>

#include "broker/coordinator.h"
#include "common/alloc.h"
#include "common/clock.h"
#include "proto/api_group.h"

typedef struct gwait_s {
    rn_parked_t parked;
    rn_breq_t *breq;
    rn_broker_t *b;
    char *group; /* for rn_group_cancel when the connection closes */
} gwait_t;

/* ---- answering ----------------------------------------------------------------------- */

static void gwait_free(gwait_t *w) {
    rn__parked_remove(&w->parked);
    rn_free(w->group);
    rn_free(w);
}

static void send_join(rn_breq_t *breq, const rn_group_join_result_t *res) {
    rn_join_group_response_t resp = {
        .error_code = res->error,
        .generation_id = res->generation,
        .protocol_name = res->protocol.ptr != NULL ? res->protocol : rn_str(""),
        .leader = res->leader.ptr != NULL ? res->leader : rn_str(""),
        .member_id = res->member_id.ptr != NULL ? res->member_id : rn_str(""),
        .n_members = 0,
    };
    rn_join_group_member_t *ms = NULL;
    if (res->n_members > 0) {
        ms = rn_calloc((size_t)res->n_members, sizeof *ms);
        for (int32_t i = 0; i < res->n_members; i++) {
            const rn_group_member_t *m = res->members[i];
            ms[i].member_id = rn_str(m->id);
            ms[i].metadata = rn_bytes(NULL, 0);
            for (int32_t p = 0; p < m->nprotos; p++)
                if (rn_str_eq_c(res->protocol, m->protos[p].name))
                    ms[i].metadata = rn_bytes(m->protos[p].meta, (size_t)m->protos[p].meta_len);
        }
        resp.n_members = res->n_members;
        resp.members = ms;
    }
    rn_writer_t wr;
    rn_breq_writer_init(breq, &wr, 64);
    if (rn_join_group_response_encode(&wr, breq->hdr.api_version, &resp) == 0) {
        rn_breq_respond(breq, &wr);
    } else {
        rn_writer_deinit(&wr);
        rn_breq_respond_error(breq, RN_WIRE_UNKNOWN_SERVER_ERROR);
    }
    rn_free(ms);
}

static void send_sync(rn_breq_t *breq, rn_wire_err_t err, rn_bytes_t assign) {
    rn_sync_group_response_t resp = {
        .error_code = err,
        .assignment = err == RN_WIRE_NONE && assign.len > 0 ? assign : rn_bytes(NULL, 0)};
    if (resp.assignment.ptr == NULL)
        resp.assignment = rn_bytes("", 0);
    rn_writer_t wr;
    rn_breq_writer_init(breq, &wr, 16 + (size_t)(resp.assignment.len));
    if (rn_sync_group_response_encode(&wr, breq->hdr.api_version, &resp) == 0) {
        rn_breq_respond(breq, &wr);
    } else {
        rn_writer_deinit(&wr);
        rn_breq_respond_error(breq, RN_WIRE_UNKNOWN_SERVER_ERROR);
    }
}

void rn__group_join_answer(void *ctx, const rn_group_join_result_t *res) {
    gwait_t *w = ctx;
    send_join(w->breq, res);
    gwait_free(w);
}

void rn__group_sync_answer(void *ctx, rn_wire_err_t err, rn_bytes_t assign) {
    gwait_t *w = ctx;
    send_sync(w->breq, err, assign);
    gwait_free(w);
}

/* The connection closed: the group forgets w, nothing is sent. */
static void gwait_drop(rn_parked_t *p) {
    gwait_t *w = (gwait_t *)p;
    rn_group_t *g =
        w->b->coord != NULL ? rn_coord_group_loaded(w->b->coord, rn_str(w->group), false) : NULL;
    if (g != NULL)
        rn_group_cancel(g, w);
    rn_breq_respond_none(w->breq);
    gwait_free(w);
}

static gwait_t *gwait_new(rn_breq_t *breq, rn_str_t group) {
    gwait_t *w = rn_calloc(1, sizeof *w);
    w->breq = breq;
    w->b = breq->broker;
    w->group = rn_strndup(group.ptr, (size_t)group.len);
    w->parked.conn = breq->conn;
    w->parked.drop = gwait_drop;
    rn__parked_add(w->b, &w->parked);
    return w;
}

/* "/host" of the client (Kafka's client_host), without the port. */
static void client_host(rn_breq_t *breq, char *buf, size_t len) {
    char peer[128] = "";
    rn_conn_peer(breq->conn, peer, sizeof peer);
    char *colon = strrchr(peer, ':');
    if (colon != NULL && strchr(peer, ':') == colon)
        *colon = '\0'; /* IPv4 host:port; IPv6 peers are kept whole */
    snprintf(buf, len, "/%s", peer);
}

static rn_group_t *lookup(rn_breq_t *breq, rn_str_t group, bool create, rn_wire_err_t *err) {
    rn_group_t *g = NULL;
    *err = breq->broker->coord != NULL ? rn_coord_group_for(breq->broker->coord, group, create, &g)
                                       : RN_WIRE_COORDINATOR_NOT_AVAILABLE;
    return g;
}

/* ---- JoinGroup ------------------------------------------------------------------------- */

void rn_handle_join_group(rn_breq_t *breq) {
    rn_join_group_request_t req;
    if (rn_join_group_request_decode(breq->body, breq->body_len, breq->hdr.api_version, &req) !=
        0) {
        rn_join_group_request_deinit(&req);
        rn_breq_respond_invalid(breq);
        return;
    }
    rn_wire_err_t err;
    rn_group_t *g = lookup(breq, req.group_id, true, &err);
    if (g == NULL) {
        rn_group_join_result_t res = {.error =
                                          err != RN_WIRE_NONE ? err : RN_WIRE_UNKNOWN_SERVER_ERROR,
                                      .generation = -1,
                                      .protocol = rn_str(""),
                                      .leader = rn_str(""),
                                      .member_id = req.member_id};
        send_join(breq, &res);
        rn_join_group_request_deinit(&req);
        return;
    }
    int32_t n = req.n_protocols > 0 ? req.n_protocols : 0;
    rn_str_t *names = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *names);
    rn_bytes_t *metas = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *metas);
    for (int32_t i = 0; i < n; i++) {
        names[i] = req.protocols[i].name;
        metas[i] = req.protocols[i].metadata;
    }
    char host[160];
    client_host(breq, host, sizeof host);
    rn_group_join_req_t jr = {
        .member_id = req.member_id,
        .client_id = rn_str_is_null(breq->hdr.client_id) ? rn_str("") : breq->hdr.client_id,
        .client_host = rn_str(host),
        .session_timeout_ms = req.session_timeout_ms,
        .rebalance_timeout_ms = req.rebalance_timeout_ms,
        .protocol_type = req.protocol_type,
        .nprotos = n,
        .proto_names = names,
        .proto_metas = metas,
    };
    rn_broker_t *b = breq->broker;
    gwait_t *w = gwait_new(breq, req.group_id);
    rn_group_join_result_t res;
    if (rn_group_join(g, &jr, w, rn_mono_ms(), &res) == RN_GROUP_DONE) {
        send_join(breq, &res); /* breq is gone after this */
        gwait_free(w);
        rn_coord_group_gc(b->coord, g);
    }
    rn_free(names);
    rn_free(metas);
    rn_join_group_request_deinit(&req);
}

/* ---- SyncGroup --------------------------------------------------------------------------- */

typedef struct sync_write_s {
    rn_coord_write_t w;
    rn_broker_t *b;
    char *group;
    int32_t generation;
} sync_write_t;

static void sync_written(rn_coord_write_t *cw, rn_wire_err_t err) {
    sync_write_t *sw = cw->arg;
    rn_group_t *g =
        sw->b->coord != NULL ? rn_coord_group_loaded(sw->b->coord, rn_str(sw->group), false) : NULL;
    if (g != NULL)
        rn_group_sync_written(g, sw->generation, err, rn_mono_ms());
    rn_free(sw->group);
    rn_free(sw);
}

void rn_handle_sync_group(rn_breq_t *breq) {
    rn_sync_group_request_t req;
    if (rn_sync_group_request_decode(breq->body, breq->body_len, breq->hdr.api_version, &req) !=
        0) {
        rn_sync_group_request_deinit(&req);
        rn_breq_respond_invalid(breq);
        return;
    }
    rn_wire_err_t err;
    rn_group_t *g = lookup(breq, req.group_id, false, &err);
    if (g == NULL) {
        send_sync(breq, err != RN_WIRE_NONE ? err : RN_WIRE_UNKNOWN_MEMBER_ID, rn_bytes(NULL, 0));
        rn_sync_group_request_deinit(&req);
        return;
    }
    int32_t n = req.n_assignments > 0 ? req.n_assignments : 0;
    rn_group_assignment_t *as = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *as);
    for (int32_t i = 0; i < n; i++)
        as[i] =
            (rn_group_assignment_t){req.assignments[i].member_id, req.assignments[i].assignment};
    gwait_t *w = gwait_new(breq, req.group_id);
    rn_bytes_t assign;
    rn_group_outcome_t out =
        rn_group_sync(g, req.generation_id, req.member_id, as, n, w, rn_mono_ms(), &err, &assign);
    rn_free(as);
    if (out == RN_GROUP_DONE) {
        send_sync(breq, err, assign);
        gwait_free(w);
    } else if (out == RN_GROUP_WRITE) {
        /* breq is parked on the group (answered by rn_group_sync_written) */
        sync_write_t *sw = rn_calloc(1, sizeof *sw);
        sw->b = breq->broker;
        sw->group = rn_strdup(g->id);
        sw->generation = g->generation;
        sw->w.done = sync_written;
        sw->w.arg = sw;
        rn_coord_write_group(sw->b->coord, g, true, &sw->w);
    }
    rn_sync_group_request_deinit(&req);
}

/* ---- Heartbeat, LeaveGroup ------------------------------------------------------------------- */

void rn_handle_heartbeat(rn_breq_t *breq) {
    rn_heartbeat_request_t req;
    if (rn_heartbeat_request_decode(breq->body, breq->body_len, breq->hdr.api_version, &req) != 0) {
        rn_heartbeat_request_deinit(&req);
        rn_breq_respond_invalid(breq);
        return;
    }
    rn_wire_err_t err;
    rn_group_t *g = lookup(breq, req.group_id, false, &err);
    if (g != NULL)
        err = rn_group_heartbeat(g, req.generation_id, req.member_id, rn_mono_ms());
    else if (err == RN_WIRE_NONE)
        err = RN_WIRE_UNKNOWN_MEMBER_ID;
    rn_heartbeat_request_deinit(&req);
    rn_heartbeat_response_t resp = {.error_code = err};
    rn_writer_t wr;
    rn_breq_writer_init(breq, &wr, 8);
    if (rn_heartbeat_response_encode(&wr, breq->hdr.api_version, &resp) == 0) {
        rn_breq_respond(breq, &wr);
    } else {
        rn_writer_deinit(&wr);
        rn_breq_respond_error(breq, RN_WIRE_UNKNOWN_SERVER_ERROR);
    }
}

void rn_handle_leave_group(rn_breq_t *breq) {
    rn_leave_group_request_t req;
    if (rn_leave_group_request_decode(breq->body, breq->body_len, breq->hdr.api_version, &req) !=
        0) {
        rn_leave_group_request_deinit(&req);
        rn_breq_respond_invalid(breq);
        return;
    }
    rn_wire_err_t err;
    rn_group_t *g = lookup(breq, req.group_id, false, &err);
    if (g != NULL)
        err = rn_group_leave(g, req.member_id, rn_mono_ms());
    else if (err == RN_WIRE_NONE)
        err = RN_WIRE_UNKNOWN_MEMBER_ID;
    rn_leave_group_request_deinit(&req);
    rn_leave_group_response_t resp = {.error_code = err};
    rn_writer_t wr;
    rn_breq_writer_init(breq, &wr, 8);
    if (rn_leave_group_response_encode(&wr, breq->hdr.api_version, &resp) == 0) {
        rn_breq_respond(breq, &wr);
    } else {
        rn_writer_deinit(&wr);
        rn_breq_respond_error(breq, RN_WIRE_UNKNOWN_SERVER_ERROR);
    }
}
