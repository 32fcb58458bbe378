/*
 * api_group.h — group membership: JoinGroup (key 11), SyncGroup (14), Heartbeat (12)
 * and LeaveGroup (13), sent by consumers to their group's coordinator (FindCoordinator).
 *
 *   JoinGroup request v0                     JoinGroup response v0
 *   +-----------------------------------+    +-----------------------------------+
 *   | group_id             string       |    | error_code         int16          |
 *   | session_timeout_ms   int32        |    | generation_id      int32          |
 *   | rebalance_timeout_ms int32        |    | protocol_name      string         |
 *   | member_id            string       |    | leader             string         |
 *   | protocol_type        string       |    | member_id          string         |
 *   | protocols            array of:    |    | members            array of:      |
 *   |   name               string       |    |   member_id        string         |
 *   |   metadata           bytes        |    |   metadata         bytes          |
 *   +-----------------------------------+    +-----------------------------------+
 *
 *   SyncGroup request v0                     SyncGroup response v0
 *   +-----------------------------------+    +-----------------------------------+
 *   | group_id             string       |    | error_code         int16          |
 *   | generation_id        int32        |    | assignment         bytes          |
 *   | member_id            string       |    +-----------------------------------+
 *   | assignments          array of:    |
 *   |   member_id          string       |
 *   |   assignment         bytes        |
 *   +-----------------------------------+
 *
 *   Heartbeat request v0                     Heartbeat / LeaveGroup response v0
 *   +-----------------------------------+    +-----------------------------------+
 *   | group_id             string       |    | error_code         int16          |
 *   | generation_id        int32        |    +-----------------------------------+
 *   | member_id            string       |
 *   +-----------------------------------+
 *
 *   LeaveGroup request v0
 *   +-----------------------------------+
 *   | group_id             string       |
 *   | member_id            string       |
 *   +-----------------------------------+
 *
 * The rebalance: every member sends JoinGroup (member_id "" the first time: the
 * coordinator answers MEMBER_ID_REQUIRED with the id to use in member_id); once all
 * have joined, each gets the generation, the chosen protocol and the leader's member
 * id, and the leader alone gets `members` with every member's metadata. The leader
 * computes the assignment and sends it in SyncGroup; every member's SyncGroup answer
 * carries its own assignment. Heartbeats keep the session alive; REBALANCE_IN_PROGRESS
 * in one means rejoin. For protocol_type "consumer", protocol metadata and assignment
 * bytes are ConsumerProtocolSubscription / ConsumerProtocolAssignment
 * (consumer_protocol.h); the codecs here carry them as opaque bytes.
 *
 * Kafka differences: rebalance_timeout_ms is Kafka's JoinGroup v1 field; each runnel
 * response starts with error_code (Kafka's v0 has no throttle_time_ms either). Codecs
 * follow api.h ("Codec functions").
 */
#ifndef RN_PROTO_API_GROUP_H
#define RN_PROTO_API_GROUP_H

#include "proto/wire.h"
#include "proto/wire_errors.h"

/* ---- JoinGroup ---------------------------------------------------------------------- */

typedef struct rn_join_group_protocol_s {
    rn_str_t name;       /* an assignor, e.g. "range" */
    rn_bytes_t metadata; /* ConsumerProtocolSubscription for "consumer" */
} rn_join_group_protocol_t;

typedef struct rn_join_group_request_s {
    rn_str_t group_id;
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms;
    rn_str_t member_id;     /* "" when joining for the first time */
    rn_str_t protocol_type; /* "consumer" */
    int32_t n_protocols;
    rn_join_group_protocol_t *protocols; /* in the member's order of preference */
    rn_arena_t arena;                    /* decoded messages only */
} rn_join_group_request_t;

typedef struct rn_join_group_member_s {
    rn_str_t member_id;
    rn_bytes_t metadata; /* its metadata for the chosen protocol */
} rn_join_group_member_t;

typedef struct rn_join_group_response_s {
    rn_wire_err_t error_code;
    int32_t generation_id; /* -1 with an error */
    rn_str_t protocol_name;
    rn_str_t leader;    /* the leader's member id */
    rn_str_t member_id; /* the receiver's own member id */
    int32_t n_members;
    rn_join_group_member_t *members; /* the leader only; empty for the others */
    rn_arena_t arena;                /* decoded messages only */
} rn_join_group_response_t;

int rn_join_group_request_encode(rn_writer_t *wr, int16_t version,
                                 const rn_join_group_request_t *req);
int rn_join_group_request_decode(const uint8_t *p, size_t len, int16_t version,
                                 rn_join_group_request_t *req);
void rn_join_group_request_deinit(rn_join_group_request_t *req);

int rn_join_group_response_encode(rn_writer_t *wr, int16_t version,
                                  const rn_join_group_response_t *resp);
int rn_join_group_response_decode(const uint8_t *p, size_t len, int16_t version,
                                  rn_join_group_response_t *resp);
void rn_join_group_response_deinit(rn_join_group_response_t *resp);

/* ---- SyncGroup ---------------------------------------------------------------------- */

typedef struct rn_sync_group_assignment_s {
    rn_str_t member_id;
    rn_bytes_t assignment; /* ConsumerProtocolAssignment for "consumer" */
} rn_sync_group_assignment_t;

typedef struct rn_sync_group_request_s {
    rn_str_t group_id;
    int32_t generation_id;
    rn_str_t member_id;
    int32_t n_assignments;
    rn_sync_group_assignment_t *assignments; /* the leader only; empty for the others */
    rn_arena_t arena;                        /* decoded messages only */
} rn_sync_group_request_t;

typedef struct rn_sync_group_response_s {
    rn_wire_err_t error_code;
    rn_bytes_t assignment; /* the receiver's own; empty with an error */
    rn_arena_t arena;      /* decoded messages only */
} rn_sync_group_response_t;

int rn_sync_group_request_encode(rn_writer_t *wr, int16_t version,
                                 const rn_sync_group_request_t *req);
int rn_sync_group_request_decode(const uint8_t *p, size_t len, int16_t version,
                                 rn_sync_group_request_t *req);
void rn_sync_group_request_deinit(rn_sync_group_request_t *req);

int rn_sync_group_response_encode(rn_writer_t *wr, int16_t version,
                                  const rn_sync_group_response_t *resp);
int rn_sync_group_response_decode(const uint8_t *p, size_t len, int16_t version,
                                  rn_sync_group_response_t *resp);
void rn_sync_group_response_deinit(rn_sync_group_response_t *resp);

/* ---- Heartbeat ---------------------------------------------------------------------- */

typedef struct rn_heartbeat_request_s {
    rn_str_t group_id;
    int32_t generation_id;
    rn_str_t member_id;
    rn_arena_t arena; /* decoded messages only */
} rn_heartbeat_request_t;

typedef struct rn_heartbeat_response_s {
    rn_wire_err_t error_code; /* REBALANCE_IN_PROGRESS: rejoin */
    rn_arena_t arena;         /* decoded messages only */
} rn_heartbeat_response_t;

int rn_heartbeat_request_encode(rn_writer_t *wr, int16_t version,
                                const rn_heartbeat_request_t *req);
int rn_heartbeat_request_decode(const uint8_t *p, size_t len, int16_t version,
                                rn_heartbeat_request_t *req);
void rn_heartbeat_request_deinit(rn_heartbeat_request_t *req);

int rn_heartbeat_response_encode(rn_writer_t *wr, int16_t version,
                                 const rn_heartbeat_response_t *resp);
int rn_heartbeat_response_decode(const uint8_t *p, size_t len, int16_t version,
                                 rn_heartbeat_response_t *resp);
void rn_heartbeat_response_deinit(rn_heartbeat_response_t *resp);

/* ---- LeaveGroup --------------------------------------------------------------------- */

typedef struct rn_leave_group_request_s {
    rn_str_t group_id;
    rn_str_t member_id;
    rn_arena_t arena; /* decoded messages only */
} rn_leave_group_request_t;

typedef struct rn_leave_group_response_s {
    rn_wire_err_t error_code;
    rn_arena_t arena; /* decoded messages only */
} rn_leave_group_response_t;

int rn_leave_group_request_encode(rn_writer_t *wr, int16_t version,
                                  const rn_leave_group_request_t *req);
int rn_leave_group_request_decode(const uint8_t *p, size_t len, int16_t version,
                                  rn_leave_group_request_t *req);
void rn_leave_group_request_deinit(rn_leave_group_request_t *req);

int rn_leave_group_response_encode(rn_writer_t *wr, int16_t version,
                                   const rn_leave_group_response_t *resp);
int rn_leave_group_response_decode(const uint8_t *p, size_t len, int16_t version,
                                   rn_leave_group_response_t *resp);
void rn_leave_group_response_deinit(rn_leave_group_response_t *resp);

#endif
