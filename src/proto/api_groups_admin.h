/*
 * api_groups_admin.h — ListGroups (key 16) and DescribeGroups (key 15): the groups a
 * coordinator holds and their members (`runnel group list` / `group describe`).
 *
 *   ListGroups request v0                    ListGroups response v0
 *   +------------------------------------+   +------------------------------------+
 *   | (empty)                            |   | error_code           int16         |
 *   +------------------------------------+   | groups               array of:     |
 *                                            |   group_id           string        |
 *                                            |   protocol_type      string        |
 *                                            |   group_state        string        |
 *                                            +------------------------------------+
 *
 *   DescribeGroups request v0                DescribeGroups response v0
 *   +------------------------------------+   +------------------------------------+
 *   | groups       array of string       |   | error_code           int16         |
 *   +------------------------------------+   | groups               array of:     |
 *                                            |   error_code         int16         |
 *                                            |   group_id           string        |
 *                                            |   group_state        string        |
 *                                            |   protocol_type      string        |
 *                                            |   protocol_data      string        |
 *                                            |   members            array of:     |
 *                                            |     member_id        string        |
 *                                            |     client_id        string        |
 *                                            |     client_host      string        |
 *                                            |     member_metadata  bytes         |
 *                                            |     member_assignment bytes        |
 *                                            +------------------------------------+
 *
 * Each broker answers ListGroups for the groups it coordinates (a client asks every
 * broker); DescribeGroups is sent to each group's coordinator. group_state is Kafka's
 * name: "Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead";
 * protocol_data is the chosen protocol (the assignor). group_state in ListGroups is
 * Kafka's v4 field; runnel's responses start with error_code. Codecs follow api.h
 * ("Codec functions").
 */
#ifndef RN_PROTO_API_GROUPS_ADMIN_H
#define RN_PROTO_API_GROUPS_ADMIN_H

#include "proto/wire.h"
#include "proto/wire_errors.h"

/* ---- ListGroups --------------------------------------------------------------------- */

typedef struct rn_list_groups_request_s {
    rn_arena_t arena; /* decoded messages only */
} rn_list_groups_request_t;

typedef struct rn_list_groups_group_s {
    rn_str_t group_id;
    rn_str_t protocol_type; /* "consumer"; "" for a group with only committed offsets */
    rn_str_t group_state;
} rn_list_groups_group_t;

typedef struct rn_list_groups_response_s {
    rn_wire_err_t error_code;
    int32_t n_groups;
    rn_list_groups_group_t *groups;
    rn_arena_t arena; /* decoded messages only */
} rn_list_groups_response_t;

int rn_list_groups_request_encode(rn_writer_t *wr, int16_t version,
                                  const rn_list_groups_request_t *req);
int rn_list_groups_request_decode(const uint8_t *p, size_t len, int16_t version,
                                  rn_list_groups_request_t *req);
void rn_list_groups_request_deinit(rn_list_groups_request_t *req);

int rn_list_groups_response_encode(rn_writer_t *wr, int16_t version,
                                   const rn_list_groups_response_t *resp);
int rn_list_groups_response_decode(const uint8_t *p, size_t len, int16_t version,
                                   rn_list_groups_response_t *resp);
void rn_list_groups_response_deinit(rn_list_groups_response_t *resp);

/* ---- DescribeGroups ----------------------------------------------------------------- */

typedef struct rn_describe_groups_request_s {
    int32_t n_groups;
    rn_str_t *groups; /* group ids */
    rn_arena_t arena; /* decoded messages only */
} rn_describe_groups_request_t;

typedef struct rn_describe_groups_member_s {
    rn_str_t member_id;
    rn_str_t client_id;
    rn_str_t client_host;
    rn_bytes_t member_metadata;   /* its JoinGroup metadata for the chosen protocol */
    rn_bytes_t member_assignment; /* its SyncGroup assignment */
} rn_describe_groups_member_t;

typedef struct rn_describe_groups_group_s {
    rn_wire_err_t error_code; /* NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, ... */
    rn_str_t group_id;
    rn_str_t group_state; /* "Dead" for an unknown group (as Kafka answers) */
    rn_str_t protocol_type;
    rn_str_t protocol_data; /* the chosen protocol, e.g. "range" */
    int32_t n_members;
    rn_describe_groups_member_t *members;
} rn_describe_groups_group_t;

typedef struct rn_describe_groups_response_s {
    rn_wire_err_t error_code;
    int32_t n_groups;
    rn_describe_groups_group_t *groups; /* one per requested group, same order */
    rn_arena_t arena;                   /* decoded messages only */
} rn_describe_groups_response_t;

int rn_describe_groups_request_encode(rn_writer_t *wr, int16_t version,
                                      const rn_describe_groups_request_t *req);
int rn_describe_groups_request_decode(const uint8_t *p, size_t len, int16_t version,
                                      rn_describe_groups_request_t *req);
void rn_describe_groups_request_deinit(rn_describe_groups_request_t *req);

int rn_describe_groups_response_encode(rn_writer_t *wr, int16_t version,
                                       const rn_describe_groups_response_t *resp);
int rn_describe_groups_response_decode(const uint8_t *p, size_t len, int16_t version,
                                       rn_describe_groups_response_t *resp);
void rn_describe_groups_response_deinit(rn_describe_groups_response_t *resp);

#endif
