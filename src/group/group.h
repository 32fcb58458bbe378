/*
 * group.h — a consumer group as its coordinator holds it (docs/groups.md): the
 * classic rebalance state machine and the group's committed offsets. Pure logic: the
 * broker (src/broker/coordinator.c) feeds it requests with the time (now_ms, a
 * monotonic clock) and carries out what it asks — answering parked JoinGroup /
 * SyncGroup requests, writing the group's record — so the whole protocol is
 * unit-testable without I/O.
 *
 *        join (new member)            every member joined / rebalance timeout
 *   Empty ────────────────▶ Preparing ──────────────────────────────────▶ Completing
 *     ▲                    Rebalance ◀── join (new / changed) / leave ──  Rebalance
 *     │ last member gone      ▲  ▲        / expiry / sync timeout             │ leader's
 *     └───────────────────────┘  └──────── join / leave / expiry ── Stable ◀──┘ SyncGroup
 *                                                                             written
 *
 * Effects. A JoinGroup or SyncGroup that must wait is "parked": the caller passes an
 * opaque ctx, the group keeps it on the member, and later answers it exactly once
 * through the ops callbacks (join_done, sync_done) — when the phase ends, or with an
 * error when the member goes, the group rebalances, or the group is dropped
 * (rn_group_free answers everything parked with NOT_COORDINATOR). Immediate answers are
 * return values. The leader's SyncGroup returns RN_GROUP_WRITE: the caller writes the
 * group record (rn_group_record with pending assignments) and calls
 * rn_group_sync_written with the outcome; only then do the assignments take effect.
 * A group becoming Empty calls ops.group_emptied (the caller writes its record).
 *
 * Callbacks never call back into the group; borrowed views in their arguments are
 * valid during the call only. Loop thread only (no locking).
 */
#ifndef RN_GROUP_GROUP_H
#define RN_GROUP_GROUP_H

#include <stdbool.h>
#include <stdint.h>

#include "group/group_records.h"
#include "proto/wire.h"
#include "proto/wire_errors.h"

typedef enum {
    RN_GROUP_EMPTY = 0,
    RN_GROUP_PREPARING_REBALANCE,
    RN_GROUP_COMPLETING_REBALANCE,
    RN_GROUP_STABLE,
    RN_GROUP_DEAD,
} rn_group_state_t;

/* Kafka's name of a state ("Empty", "PreparingRebalance", ...). */
const char *rn_group_state_name(rn_group_state_t s);

/* What a request call did, besides its wire error. */
typedef enum {
    RN_GROUP_DONE = 0,   /* answer now with the error (and *out for a join / sync) */
    RN_GROUP_PARKED = 1, /* ctx is held: answered later through ops */
    RN_GROUP_WRITE = 2,  /* the leader's SyncGroup: ctx parked, write the record first */
} rn_group_outcome_t;

typedef struct rn_group_s rn_group_t;

typedef struct rn_group_proto_s {
    char *name;
    uint8_t *meta; /* owned copy (may be NULL when meta_len is 0) */
    int32_t meta_len;
} rn_group_proto_t;

typedef struct rn_group_member_s {
    char *id;
    char *client_id;
    char *client_host;
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms;
    int32_t nprotos;
    rn_group_proto_t *protos; /* in the member's order of preference */
    uint8_t *assignment;      /* owned; from the last completed SyncGroup */
    int32_t assignment_len;
    uint8_t *pending; /* the leader's assignment awaiting its record's write */
    int32_t pending_len;
    int64_t last_heard_ms;
    bool join_waiting; /* join_ctx holds a parked JoinGroup */
    bool sync_waiting; /* sync_ctx holds a parked SyncGroup */
    void *join_ctx;
    void *sync_ctx;
} rn_group_member_t;

/* One committed offset. */
typedef struct rn_group_offset_s {
    char *topic;
    int32_t partition;
    int64_t offset;
    char *metadata; /* NULL: null */
    int64_t commit_timestamp;
} rn_group_offset_t;

/* A JoinGroup answer: views valid during the call. members only for the leader. */
typedef struct rn_group_join_result_s {
    rn_wire_err_t error;
    int32_t generation; /* -1 with an error */
    rn_str_t protocol;
    rn_str_t leader;
    rn_str_t member_id;
    int32_t n_members;
    const rn_group_member_t *const *members; /* each member's metadata: protocol's */
} rn_group_join_result_t;

typedef struct rn_group_ops_s {
    void *arg;
    /* Answer a parked JoinGroup. */
    void (*join_done)(void *arg, rn_group_t *g, void *ctx, const rn_group_join_result_t *res);
    /* Answer a parked SyncGroup with err and (when NONE) the member's assignment. */
    void (*sync_done)(void *arg, rn_group_t *g, void *ctx, rn_wire_err_t err, rn_bytes_t assign);
    /* The group just became Empty (its last member left or expired): write its record. */
    void (*group_emptied)(void *arg, rn_group_t *g);
} rn_group_ops_t;

typedef struct rn_group_cfg_s {
    int32_t min_session_timeout_ms;
    int32_t max_session_timeout_ms;
    int32_t initial_rebalance_delay_ms;
} rn_group_cfg_t;

struct rn_group_s {
    char *id;
    int32_t partition; /* the __consumer_offsets partition it lives in (caller's) */
    rn_group_state_t state;
    char *protocol_type; /* NULL until the first member joins */
    char *protocol;      /* chosen at the end of the join phase; NULL when none */
    char *leader;        /* member id; NULL when none */
    int32_t generation;
    int64_t state_since_ms;
    int32_t nmembers;
    rn_group_member_t **members; /* in join order */
    int32_t cap_members;
    int64_t phase_deadline_ms; /* Preparing: join deadline; Completing: sync deadline */
    int64_t delay_until_ms;    /* Preparing from Empty: group.initial.rebalance.delay.ms */
    bool writing;              /* the leader's assignment record is being written */
    char **pending_ids;        /* ids given out with MEMBER_ID_REQUIRED, not joined yet */
    int64_t *pending_expiry_ms;
    int32_t npending;
    rn_group_offset_t *offsets; /* committed offsets, in no order */
    int32_t noffsets, cap_offsets;
    const rn_group_cfg_t *cfg; /* borrowed */
    const rn_group_ops_t *ops; /* borrowed */
};

/* A new Empty group (generation 0). cfg and ops are borrowed. */
rn_group_t *rn_group_new(const char *id, int32_t partition, const rn_group_cfg_t *cfg,
                         const rn_group_ops_t *ops);

/* Answer everything parked with err (NOT_COORDINATOR when the coordinator drops the
 * group) and free it. NULL is a no-op. */
void rn_group_free(rn_group_t *g, rn_wire_err_t err);

rn_group_member_t *rn_group_member(const rn_group_t *g, rn_str_t member_id);

/* Forget the parked request ctx without answering it (its connection closed: the
 * caller drops it). The member stays; it no longer counts as joined / syncing. */
void rn_group_cancel(rn_group_t *g, void *ctx);

/* Holds nothing worth keeping: Empty, generation 0, no members, no ids given out, no
 * offsets. */
bool rn_group_is_blank(const rn_group_t *g);

/* ---- requests ------------------------------------------------------------------- */

typedef struct rn_group_join_req_s {
    rn_str_t member_id; /* "" the first time */
    rn_str_t client_id;
    rn_str_t client_host;
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms;
    rn_str_t protocol_type;
    int32_t nprotos;
    const rn_str_t *proto_names;
    const rn_bytes_t *proto_metas;
} rn_group_join_req_t;

/* JoinGroup. DONE: answer with *out (MEMBER_ID_REQUIRED carries the new id in
 * out->member_id; the view stays valid until the next call on g). PARKED: ctx is
 * answered through ops.join_done. */
rn_group_outcome_t rn_group_join(rn_group_t *g, const rn_group_join_req_t *req, void *ctx,
                                 int64_t now_ms, rn_group_join_result_t *out);

typedef struct rn_group_assignment_s {
    rn_str_t member_id;
    rn_bytes_t assignment;
} rn_group_assignment_t;

/* SyncGroup. DONE: answer *err with *assign (views into g). PARKED: ctx answered
 * through ops.sync_done. WRITE: the leader's; ctx parked; write rn_group_record
 * (with pending assignments) and call rn_group_sync_written. */
rn_group_outcome_t rn_group_sync(rn_group_t *g, int32_t generation, rn_str_t member_id,
                                 const rn_group_assignment_t *assigns, int32_t nassigns, void *ctx,
                                 int64_t now_ms, rn_wire_err_t *err, rn_bytes_t *assign);

/* The leader's record of `generation` was written (err NONE) or not (err): the
 * assignments take effect and the parked SyncGroups are answered (Stable), or they
 * are answered with err and the group rebalances. Ignored when the group has moved
 * on (another generation, or no longer CompletingRebalance). */
void rn_group_sync_written(rn_group_t *g, int32_t generation, rn_wire_err_t err, int64_t now_ms);

/* Heartbeat: NONE, REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID. */
rn_wire_err_t rn_group_heartbeat(rn_group_t *g, int32_t generation, rn_str_t member_id,
                                 int64_t now_ms);

/* LeaveGroup: NONE or UNKNOWN_MEMBER_ID. */
rn_wire_err_t rn_group_leave(rn_group_t *g, rn_str_t member_id, int64_t now_ms);

/* May this OffsetCommit be written? NONE, or the request-wide error (docs/groups.md
 * "Committed offsets"); refreshes the member's session. */
rn_wire_err_t rn_group_commit_check(rn_group_t *g, int32_t generation, rn_str_t member_id,
                                    int64_t now_ms);

/* Timers: session expiry, the join phase's end, the sync timeout, pending ids. */
void rn_group_tick(rn_group_t *g, int64_t now_ms);

/* ---- persistence ---------------------------------------------------------------- */

/* The group's record value (views into g; *members is rn_malloc'd, caller frees):
 * with the pending assignments when `pending`, else the current ones. */
void rn_group_record(const rn_group_t *g, bool pending, int64_t now_wall_ms, rn_grec_group_t *out);

/* Replace the group's membership by a loaded record (the previous members must be
 * none: loading happens before serving). Members' sessions start at now_ms. */
void rn_group_load(rn_group_t *g, const rn_grec_group_t *v, int64_t now_ms);

/* ---- offsets --------------------------------------------------------------------- */

/* Set (metadata NULL-able view) or replace the committed offset. */
void rn_group_offset_set(rn_group_t *g, rn_str_t topic, int32_t partition, int64_t offset,
                         rn_str_t metadata, int64_t commit_timestamp);
/* Delete it (a tombstone); harmless when absent. */
void rn_group_offset_delete(rn_group_t *g, rn_str_t topic, int32_t partition);
/* The committed offset, or NULL. */
const rn_group_offset_t *rn_group_offset_get(const rn_group_t *g, rn_str_t topic,
                                             int32_t partition);

#endif
