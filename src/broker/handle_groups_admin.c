/*
 * handle_groups_admin.c — ListGroups (key 16) and DescribeGroups (key 15): the groups
 * this broker coordinates, from the coordinator's memory (`runnel group list` asks
 * every broker; `group describe` asks the group's coordinator).
 *
 * A group with only committed offsets is listed Empty with protocol_type "". An
 * unknown group is described NONE / "Dead" (as Kafka does); one this broker does not
 * coordinate NOT_COORDINATOR, and so on (rn_coord_group_for).
 */
#include <string.h>

#include "broker/coordinator.h"
#include "common/alloc.h"
#include "proto/api_groups_admin.h"

void rn_handle_list_groups(rn_breq_t *breq) {
    rn_list_groups_request_t req;
    if (rn_list_groups_request_decode(breq->body, breq->body_len, breq->hdr.api_version, &req) !=
        0) {
        rn_list_groups_request_deinit(&req);
        rn_breq_respond_invalid(breq);
        return;
    }
    rn_list_groups_request_deinit(&req);
    rn_broker_t *b = breq->broker;
    if (b->coord != NULL)
        rn_coord_tick(b->coord); /* partitions led since the last tick are loaded */
    rn_group_t **groups = NULL;
    int32_t n = b->coord != NULL ? rn_coord_groups(b->coord, &groups) : 0;
    rn_list_groups_response_t resp = {.error_code = RN_WIRE_NONE, .n_groups = n};
    resp.groups = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *resp.groups);
    for (int32_t i = 0; i < n; i++)
        resp.groups[i] = (rn_list_groups_group_t){
            .group_id = rn_str(groups[i]->id),
            .protocol_type = rn_str(groups[i]->protocol_type ? groups[i]->protocol_type : ""),
            .group_state = rn_str(rn_group_state_name(groups[i]->state)),
        };
    rn_writer_t wr;
    rn_breq_writer_init(breq, &wr, 32 + (size_t)n * 48);
    if (rn_list_groups_response_encode(&wr, breq->hdr.api_version, &resp) == 0) {
        rn_breq_respond(breq, &wr);
    } else {
        rn_writer_deinit(&wr);
        rn_breq_respond_error(breq, RN_WIRE_UNKNOWN_SERVER_ERROR);
    }
    rn_free(resp.groups);
}

static void describe_one(rn_broker_t *b, rn_str_t id, rn_arena_t *arena,
                         rn_describe_groups_group_t *out) {
    rn_group_t *g = NULL;
    rn_wire_err_t err = b->coord != NULL ? rn_coord_group_for(b->coord, id, false, &g)
                                         : RN_WIRE_COORDINATOR_NOT_AVAILABLE;
    *out = (rn_describe_groups_group_t){.error_code = err,
                                        .group_id = id,
                                        .group_state = rn_str("Dead"),
                                        .protocol_type = rn_str(""),
                                        .protocol_data = rn_str("")};
    if (g == NULL)
        return;
    out->group_state = rn_str(rn_group_state_name(g->state));
    out->protocol_type = rn_str(g->protocol_type ? g->protocol_type : "");
    out->protocol_data = rn_str(g->protocol ? g->protocol : "");
    out->n_members = g->nmembers;
    out->members =
        rn_arena_alloc(arena, (size_t)(g->nmembers > 0 ? g->nmembers : 1), sizeof *out->members);
    for (int32_t i = 0; i < g->nmembers; i++) {
        const rn_group_member_t *m = g->members[i];
        rn_bytes_t meta = rn_bytes("", 0);
        for (int32_t p = 0; g->protocol != NULL && p < m->nprotos; p++)
            if (strcmp(m->protos[p].name, g->protocol) == 0)
                meta = rn_bytes(m->protos[p].meta ? m->protos[p].meta : (const uint8_t *)"",
                                (size_t)m->protos[p].meta_len);
        out->members[i] = (rn_describe_groups_member_t){
            .member_id = rn_str(m->id),
            .client_id = rn_str(m->client_id),
            .client_host = rn_str(m->client_host),
            .member_metadata = meta,
            .member_assignment = rn_bytes(m->assignment ? m->assignment : (const uint8_t *)"",
                                          (size_t)m->assignment_len),
        };
    }
}

void rn_handle_describe_groups(rn_breq_t *breq) {
    rn_describe_groups_request_t req;
    if (rn_describe_groups_request_decode(breq->body, breq->body_len, breq->hdr.api_version,
                                          &req) != 0) {
        rn_describe_groups_request_deinit(&req);
        rn_breq_respond_invalid(breq);
        return;
    }
    rn_arena_t arena;
    rn_arena_init(&arena);
    int32_t n = req.n_groups > 0 ? req.n_groups : 0;
    rn_describe_groups_response_t resp = {.error_code = RN_WIRE_NONE, .n_groups = n};
    resp.groups = rn_arena_alloc(&arena, (size_t)(n > 0 ? n : 1), sizeof *resp.groups);
    for (int32_t i = 0; i < n; i++)
        describe_one(breq->broker, req.groups[i], &arena, &resp.groups[i]);
    rn_writer_t wr;
    rn_breq_writer_init(breq, &wr, 128);
    if (rn_describe_groups_response_encode(&wr, breq->hdr.api_version, &resp) == 0) {
        rn_breq_respond(breq, &wr);
    } else {
        rn_writer_deinit(&wr);
        rn_breq_respond_error(breq, RN_WIRE_UNKNOWN_SERVER_ERROR);
    }
    rn_arena_deinit(&arena);
    rn_describe_groups_request_deinit(&req);
}
