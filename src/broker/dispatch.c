/*
 * dispatch.c — the broker's API table and request plumbing (dispatch.h, broker_int.h):
 * decode a frame's request header, route it to the API's handler, and answer requests
 * (response header + body, "no response", INVALID_REQUEST, UNSUPPORTED_VERSION).
 *
 * Invariants: an rn_breq_t is created here for every frame whose header decodes and
 * whose (key, version) is in the table, and freed by exactly one rn_breq_respond*
 * call; b->inflight counts those alive. Frames that never become an rn_breq_t are
 * answered (UNSUPPORTED_VERSION) or the connection is closed here.
 */
#include "broker/dispatch.h"

#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/logging.h"
#include "proto/api.h"
#include "proto/api_broker_heartbeat.h"
#include "proto/api_configs.h"
#include "proto/api_fetch.h"
#include "proto/api_find_coordinator.h"
#include "proto/api_group.h"
#include "proto/api_groups_admin.h"
#include "proto/api_list_offsets.h"
#include "proto/api_metadata.h"
#include "proto/api_offsets.h"
#include "proto/api_produce.h"
#include "proto/api_topics.h"
#include "proto/api_versions.h"

#define MOD "broker"

/* ---- error bodies: the API's response with only a request-level error_code ------ */

static int err_produce(rn_writer_t *wr, int16_t v, rn_wire_err_t err) {
    rn_produce_response_t m = {.error_code = err};
    return rn_produce_response_encode(wr, v, &m);
}

static int err_fetch(rn_writer_t *wr, int16_t v, rn_wire_err_t err) {
    rn_fetch_response_t m = {.error_code = err};
    return rn_fetch_response_encode(wr, v, &m);
}

static int err_list_offsets(rn_writer_t *wr, int16_t v, rn_wire_err_t err) {
    rn_list_offsets_response_t m = {.error_code = err};
    return rn_list_offsets_response_encode(wr, v, &m);
}

static int err_metadata(rn_writer_t *wr, int16_t v, rn_wire_err_t err) {
    rn_metadata_response_t m = {.error_code = err, .cluster_id = RN_STR_NULL};
    return rn_metadata_response_encode(wr, v, &m);
}

static int err_api_versions(rn_writer_t *wr, int16_t v, rn_wire_err_t err) {
    (void)v; /* ApiVersions always answers with v0 */
    rn_dispatch_encode_versions(wr, err);
    return 0;
}

static int err_create_topics(rn_writer_t *wr, int16_t v, rn_wire_err_t err) {
    rn_create_topics_response_t m = {.error_code = err};
    return rn_create_topics_response_encode(wr, v, &m);
}

static int err_delete_topics(rn_writer_t *wr, int16_t v, rn_wire_err_t err) {
    rn_delete_topics_response_t m = {.error_code = err};
    return rn_delete_topics_response_encode(wr, v, &m);
}

static int err_describe_configs(rn_writer_t *wr, int16_t v, rn_wire_err_t err) {
    rn_describe_configs_response_t m = {.error_code = err};
    return rn_describe_configs_response_encode(wr, v, &m);
}

static int err_alter_configs(rn_writer_t *wr, int16_t v, rn_wire_err_t err) {
    rn_alter_configs_response_t m = {.error_code = err};
    return rn_alter_configs_response_encode(wr, v, &m);
}

static int err_broker_heartbeat(rn_writer_t *wr, int16_t v, rn_wire_err_t err) {
    rn_broker_heartbeat_response_t m = {
        .error_code = err, .is_fenced = true, .metadata_offset = -1};
    return rn_broker_heartbeat_response_encode(wr, v, &m);
}

static int err_offset_commit(rn_writer_t *wr, int16_t v, rn_wire_err_t err) {
    rn_offset_commit_response_t m = {.error_code = err};
    return rn_offset_commit_response_encode(wr, v, &m);
}

static int err_offset_fetch(rn_writer_t *wr, int16_t v, rn_wire_err_t err) {
    rn_offset_fetch_response_t m = {.error_code = err};
    return rn_offset_fetch_response_encode(wr, v, &m);
}

static int err_find_coordinator(rn_writer_t *wr, int16_t v, rn_wire_err_t err) {
    rn_find_coordinator_response_t m = {.error_code = err,
                                        .error_message = RN_STR_NULL,
                                        .node_id = -1,
                                        .host = {"", 0},
                                        .port = -1};
    return rn_find_coordinator_response_encode(wr, v, &m);
}

static int err_join_group(rn_writer_t *wr, int16_t v, rn_wire_err_t err) {
    rn_join_group_response_t m = {.error_code = err,
                                  .generation_id = -1,
                                  .protocol_name = {"", 0},
                                  .leader = {"", 0},
                                  .member_id = {"", 0}};
    return rn_join_group_response_encode(wr, v, &m);
}

static int err_heartbeat(rn_writer_t *wr, int16_t v, rn_wire_err_t err) {
    rn_heartbeat_response_t m = {.error_code = err};
    return rn_heartbeat_response_encode(wr, v, &m);
}

static int err_leave_group(rn_writer_t *wr, int16_t v, rn_wire_err_t err) {
    rn_leave_group_response_t m = {.error_code = err};
    return rn_leave_group_response_encode(wr, v, &m);
}

static int err_sync_group(rn_writer_t *wr, int16_t v, rn_wire_err_t err) {
    rn_sync_group_response_t m = {.error_code = err, .assignment = {(const uint8_t *)"", 0}};
    return rn_sync_group_response_encode(wr, v, &m);
}

static int err_describe_groups(rn_writer_t *wr, int16_t v, rn_wire_err_t err) {
    rn_describe_groups_response_t m = {.error_code = err};
    return rn_describe_groups_response_encode(wr, v, &m);
}

static int err_list_groups(rn_writer_t *wr, int16_t v, rn_wire_err_t err) {
    rn_list_groups_response_t m = {.error_code = err};
    return rn_list_groups_response_encode(wr, v, &m);
}

/* ---- the table ------------------------------------------------------------------------ */

/* The one place that lists what the broker speaks, in key order. */
static const rn_dispatch_entry_t table[] = {
    {RN_API_PRODUCE, 0, 0, rn_handle_produce, err_produce},
    {RN_API_FETCH, 0, 0, rn_handle_fetch, err_fetch},
    {RN_API_LIST_OFFSETS, 0, 0, rn_handle_list_offsets, err_list_offsets},
    {RN_API_METADATA, 0, 1, rn_handle_metadata, err_metadata},
    {RN_API_OFFSET_COMMIT, 0, 0, rn_handle_offset_commit, err_offset_commit},
    {RN_API_OFFSET_FETCH, 0, 0, rn_handle_offset_fetch, err_offset_fetch},
    {RN_API_FIND_COORDINATOR, 0, 0, rn_handle_find_coordinator, err_find_coordinator},
    {RN_API_JOIN_GROUP, 0, 0, rn_handle_join_group, err_join_group},
    {RN_API_HEARTBEAT, 0, 0, rn_handle_heartbeat, err_heartbeat},
    {RN_API_LEAVE_GROUP, 0, 0, rn_handle_leave_group, err_leave_group},
    {RN_API_SYNC_GROUP, 0, 0, rn_handle_sync_group, err_sync_group},
    {RN_API_DESCRIBE_GROUPS, 0, 0, rn_handle_describe_groups, err_describe_groups},
    {RN_API_LIST_GROUPS, 0, 0, rn_handle_list_groups, err_list_groups},
    {RN_API_API_VERSIONS, 0, 0, rn_handle_api_versions, err_api_versions},
    {RN_API_CREATE_TOPICS, 0, 0, rn_handle_create_topics, err_create_topics},
    {RN_API_DELETE_TOPICS, 0, 0, rn_handle_delete_topics, err_delete_topics},
    {RN_API_DESCRIBE_CONFIGS, 0, 0, rn_handle_describe_configs, err_describe_configs},
    {RN_API_ALTER_CONFIGS, 0, 0, rn_handle_alter_configs, err_alter_configs},
    {RN_API_CREATE_PARTITIONS, 0, 0, rn_handle_create_partitions,
     rn__create_partitions_encode_error},
    {RN_API_ELECT_LEADERS, 0, 0, rn_handle_elect_leaders, rn__elect_leaders_encode_error},
    {RN_API_DESCRIBE_QUORUM, 0, 0, rn_handle_describe_quorum, rn__describe_quorum_encode_error},
    {RN_API_ALTER_PARTITION, 0, 0, rn_handle_alter_partition, rn__alter_partition_encode_error},
    {RN_API_BROKER_HEARTBEAT, 0, 2, rn_handle_broker_heartbeat, err_broker_heartbeat},
};

#define NTABLE ((int)(sizeof table / sizeof table[0]))

const rn_dispatch_entry_t *rn_dispatch_lookup(int16_t api_key) {
    for (int i = 0; i < NTABLE; i++)
        if (table[i].api_key == api_key)
            return &table[i];
    return NULL;
}

const rn_dispatch_entry_t *rn_dispatch_table(int *count) {
    *count = NTABLE;
    return table;
}

void rn_dispatch_encode_versions(rn_writer_t *wr, rn_wire_err_t err) {
    rn_api_version_range_t ranges[sizeof table / sizeof table[0]];
    for (int i = 0; i < NTABLE; i++)
        ranges[i] =
            (rn_api_version_range_t){table[i].api_key, table[i].min_version, table[i].max_version};
    rn_api_versions_response_t m = {.error_code = err, .n_api_keys = NTABLE, .api_keys = ranges};
    int rc = rn_api_versions_response_encode(wr, 0, &m);
    (void)rc;
}

/* ---- answering -------------------------------------------------------------------------- */

void rn_breq_writer_init(rn_breq_t *breq, rn_writer_t *wr, size_t hint) {
    rn_writer_init(wr, hint ? hint + 4 : 0);
    rn_response_header_encode(wr, breq->hdr.correlation_id);
}

/* failed: the answer carries an error (metrics.h: rn_metrics_response_failed). */
static void breq_free(rn_breq_t *breq, bool failed) {
    rn_broker_t *b = breq->broker;
    b->inflight--;
    b->counters.responses++;
    rn_metrics_answered(&b->metrics, breq->hdr.api_key, rn_mono_ns() - breq->received_ns, failed);
    rn_free(breq);
}

int rn_breq_respond(rn_breq_t *breq, rn_writer_t *wr) {
    size_t len;
    uint8_t *bytes = rn_writer_take(wr, &len);
    /* the body follows the response header, the correlation id */
    bool failed = len < 4 || rn_metrics_response_failed(breq->hdr.api_key, breq->hdr.api_version,
                                                        bytes + 4, len - 4);
    int rc = rn_conn_respond(breq->conn, breq->nreq, bytes, len);
    breq_free(breq, failed);
    return rc;
}

int rn_breq_respond_none(rn_breq_t *breq) {
    int rc = rn_conn_respond_none(breq->conn, breq->nreq);
    breq_free(breq, false);
    return rc;
}

int rn_breq_respond_error(rn_breq_t *breq, rn_wire_err_t err) {
    const rn_dispatch_entry_t *e = rn_dispatch_lookup(breq->hdr.api_key);
    rn_writer_t wr;
    rn_breq_writer_init(breq, &wr, 64);
    if (e == NULL || e->encode_error(&wr, breq->hdr.api_version, err) != 0) {
        /* Not reachable for table entries at their versions; fall back to the body every
         * client can read (docs/protocol.md: any response starts with error_code). */
        rn_writer_deinit(&wr);
        rn_breq_writer_init(breq, &wr, 64);
        rn_dispatch_encode_versions(&wr, err);
    }
    return rn_breq_respond(breq, &wr);
}

int rn_breq_respond_invalid(rn_breq_t *breq) {
    char what[96];
    snprintf(what, sizeof what, "%s v%d request body does not decode",
             rn_api_name(breq->hdr.api_key), (int)breq->hdr.api_version);
    rn_broker_log_bad_input(breq->broker, breq->conn, what);
    breq->broker->counters.invalid++;
    return rn_breq_respond_error(breq, RN_WIRE_INVALID_REQUEST);
}

void rn_broker_log_bad_input(rn_broker_t *b, rn_conn_t *conn, const char *what) {
    int64_t now = rn_mono_ms();
    if (b->bad_log_ms != 0 && now - b->bad_log_ms < 1000) {
        b->bad_log_suppressed++;
        return;
    }
    char peer[64] = "?";
    if (conn != NULL)
        rn_conn_peer(conn, peer, sizeof peer);
    if (b->bad_log_suppressed > 0)
        rn_log(RN_LOG_DEBUG, MOD, "%s: %s (%llu similar lines suppressed)", peer, what,
               (unsigned long long)b->bad_log_suppressed);
    else
        rn_log(RN_LOG_DEBUG, MOD, "%s: %s", peer, what);
    b->bad_log_ms = now;
    b->bad_log_suppressed = 0;
}

/* ---- dispatch ----------------------------------------------------------------------------- */

/* Answer a frame that will not reach a handler with the ApiVersions v0 body. */
static void answer_versions(rn_conn_t *conn, rn_net_req_t *nreq, int32_t correlation_id,
                            rn_wire_err_t err) {
    rn_writer_t wr;
    rn_writer_init(&wr, 64);
    rn_response_header_encode(&wr, correlation_id);
    rn_dispatch_encode_versions(&wr, err);
    size_t len;
    uint8_t *bytes = rn_writer_take(&wr, &len);
    (void)rn_conn_respond(conn, nreq, bytes, len);
}

void rn_dispatch_frame(rn_broker_t *b, rn_conn_t *conn, const uint8_t *frame, size_t len,
                       rn_net_req_t *nreq) {
    b->counters.requests++;
    rn_reader_t rd;
    rn_request_header_t hdr;
    rn_reader_init(&rd, frame, len);
    if (rn_request_header_decode(&rd, &hdr) != 0) {
        b->counters.bad_frames++;
        rn_broker_log_bad_input(b, conn, "request header does not decode: closing");
        (void)rn_conn_respond_none(conn, nreq);
        rn_conn_close(conn);
        return;
    }
    const rn_dispatch_entry_t *e = rn_dispatch_lookup(hdr.api_key);
    if (e == NULL || hdr.api_version < e->min_version || hdr.api_version > e->max_version) {
        /* ApiVersions at a version we do not know still gets its v0 answer, NONE. */
        bool av = e != NULL && hdr.api_key == RN_API_API_VERSIONS;
        if (!av) {
            b->counters.unsupported++;
            char what[96];
            snprintf(what, sizeof what, "unsupported api key %d version %d", (int)hdr.api_key,
                     (int)hdr.api_version);
            rn_broker_log_bad_input(b, conn, what);
        }
        answer_versions(conn, nreq, hdr.correlation_id,
                        av ? RN_WIRE_NONE : RN_WIRE_UNSUPPORTED_VERSION);
        return;
    }
    rn_breq_t *breq = rn_calloc(1, sizeof *breq);
    breq->broker = b;
    breq->conn = conn;
    breq->nreq = nreq;
    breq->hdr = hdr;
    breq->body = frame + rd.pos;
    breq->body_len = len - rd.pos;
    breq->received_ns = rn_mono_ns();
    b->inflight++;
    rn_metrics_request(&b->metrics, hdr.api_key);
    e->handler(breq);
}
