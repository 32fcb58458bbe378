/*
 * quorum.h — the metadata quorum: this broker's libraft node, on the broker's own uv
 * loop, whose committed log is applied to the metadata image (image.h).
 *
 *   rn_quorum_propose(records) ──▶ raft_apply ──▶ replicated, committed
 *                                                      │
 *        every member's FSM apply: decode the entry, rn_meta_image_apply each
 *            record (skip + WARN the ones that cannot apply), on_apply(record)
 *
 * On disk: <log_dir>/__meta/ holds libraft's files (metadata1/2, segments, snapshots).
 * The first start of a voter finds that directory new and bootstraps the
 * configuration from the voter list (every voter bootstraps the same one); a restart
 * loads the snapshot and the log and replays them. A single broker is a one-voter
 * quorum: it elects itself at start and commits alone. Nothing here knows how many
 * voters there are. A broker that is not a voter starts with an empty configuration
 * and waits until the leader adds it as a standby (rn_quorum_add_standby); from then
 * on its own log holds the configuration, so a restart needs nothing more.
 *
 * The image is snapshotted every snapshot_threshold applied entries (default 1024,
 * keeping snapshot_trailing = 128 entries behind it), so the log on disk stays
 * bounded.
 *
 * Leadership: this node is "leader" for rn_quorum_is_leader only once it is Raft
 * leader *and* a barrier of its term has been applied, i.e. its image holds every
 * entry committed before it took over. The controller must decide only then.
 * on_leader fires whenever the known leader or that readiness changes.
 *
 * Threading: everything runs on the loop thread given to rn_quorum_start; every
 * function must be called from it.
 */
#ifndef RN_META_QUORUM_H
#define RN_META_QUORUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "meta/image.h"
#include "meta/records.h"

typedef struct rn_quorum_s rn_quorum_t;

typedef struct rn_quorum_voter_s {
    int32_t id;          /* broker id, > 0 */
    const char *address; /* "ipv4:port" of its controller listener */
} rn_quorum_voter_t;

/* A committed record was applied to the image (rec borrowed for the call), or the
 * whole image was replaced from a snapshot (rec NULL). */
typedef void (*rn_quorum_apply_fn)(void *arg, const rn_meta_record_t *rec);

/* The known leader changed (leader_id -1: none known), or this node became a ready
 * leader or stopped being one (is_self). */
typedef void (*rn_quorum_leader_fn)(void *arg, int32_t leader_id, bool is_self);

typedef struct rn_quorum_config_s {
    int32_t node_id;                 /* this broker's id, > 0 */
    const char *address;             /* this broker's controller.listener, "ipv4:port" */
    const char *log_dir;             /* log.dirs[0]; the quorum lives in <log_dir>/__meta */
    const rn_quorum_voter_t *voters; /* controller.quorum.voters */
    size_t nvoters;
    unsigned snapshot_threshold;   /* 0: 1024 entries */
    unsigned snapshot_trailing;    /* 0: 128 entries */
    unsigned election_timeout_ms;  /* 0: 1000 */
    unsigned heartbeat_timeout_ms; /* 0: 100 */
    rn_quorum_apply_fn on_apply;   /* may be NULL */
    rn_quorum_leader_fn on_leader; /* may be NULL */
    void *arg;
} rn_quorum_config_t;

/* Create the data directory if needed, bootstrap it if it is new and this node is a
 * voter, and start the Raft node on loop. The snapshot and log already on disk are
 * loaded before this returns (on_apply(NULL) fires for a restored snapshot); the
 * entries after the snapshot are applied once committed, i.e. shortly after a single
 * voter has elected itself.
 *
 * 0 and *out, or an error: -errno (directory), RN_ECONFIG (node id or voters
 * invalid), RN_ERAFT (libraft refused: address in use, corrupt files, ...; the
 * reason is logged). On an error after libraft started to initialise, its clean-up
 * completes asynchronously on loop: keep running the loop until it has no handles. */
int rn_quorum_start(uv_loop_t *loop, const rn_quorum_config_t *cfg, rn_quorum_t **out);

/* Stop the node: new proposals are refused (RN_ECLOSED); those in flight are given up
 * to an election timeout to commit (their callbacks fire as usual, or with
 * RN_ENOTLEADER when libraft gives up on them at close); then libraft and its
 * transport close, q and its image are freed and cb(arg) fires (cb may be NULL).
 * q must not be used after this call. */
void rn_quorum_stop(rn_quorum_t *q, void (*cb)(void *arg), void *arg);

/* Propose n records as one Raft entry (they commit and apply together, in order).
 * recs are borrowed for the call. 0: cb(arg, status) fires exactly once, with status 0
 * once the entry is committed and applied, the first record's apply error if a record
 * was skipped at apply time (RN_ETOPICEXISTS, ...), RN_ENOTLEADER if leadership was
 * lost first (the entry may still commit later), or RN_ECLOSED when the node stops.
 * Otherwise an error and cb never fires: RN_ENOTLEADER (not a ready leader),
 * RN_ECLOSED (stopping), RN_ERAFT. */
typedef void (*rn_quorum_propose_cb)(void *arg, int status);
int rn_quorum_propose(rn_quorum_t *q, const rn_meta_record_t *recs, size_t n,
                      rn_quorum_propose_cb cb, void *arg);

/* Make broker id, whose controller listener is address ("ipv4:port", borrowed), a
 * standby member of the quorum: it replicates the log and applies it, but never votes
 * and never leads, so a cluster can have more brokers than voters. Only the ready
 * leader can do this; libraft allows one configuration change at a time, so it takes
 * two calls' worth of changes (raft_add makes a spare, raft_assign a standby), chained
 * here. 0: id is a voter or standby already, or the change has started (its outcome is
 * logged; call again later to check); RN_EBUSY (another change is in flight: retry),
 * RN_ENOTLEADER, RN_ECLOSED, RN_ERAFT (libraft refused, e.g. the address is another
 * member's; logged). */
int rn_quorum_add_standby(rn_quorum_t *q, int32_t id, const char *address);

/* The image as applied so far: borrowed, changes under every apply. */
const rn_meta_image_t *rn_quorum_image(const rn_quorum_t *q);

/* This node leads and has applied everything committed before its term. */
bool rn_quorum_is_leader(const rn_quorum_t *q);

/* The leader's broker id as this node knows it, or -1. */
int32_t rn_quorum_leader_id(const rn_quorum_t *q);

/* Index of the last Raft entry applied to the image (for tests and status). */
uint64_t rn_quorum_applied_index(const rn_quorum_t *q);

/* ---- status (DescribeQuorum) ------------------------------------------------------ */

/* One member of the Raft configuration as this node knows it. */
typedef struct rn_quorum_member_s {
    int32_t id;      /* broker id */
    bool voter;      /* false: a non-voting member (standby or spare) */
    int64_t log_end; /* last log index known for it; -1 unknown (this node is not the
                      * leader, or the leader has not heard from it yet) */
} rn_quorum_member_t;

typedef struct rn_quorum_status_s {
    int32_t leader_id;     /* as rn_quorum_leader_id: -1 when none known */
    uint64_t term;         /* the current Raft term */
    uint64_t commit_index; /* last index known committed */
    uint64_t applied_index;
} rn_quorum_status_t;

/* The last other node this one followed as Raft leader (-1: none yet), and in
 * *silent_ms how long ago it last heard from it (sampled every heartbeat period while
 * following). A new leader uses it to count the old leader's silence from when it
 * really began, not from its own election. */
int32_t rn_quorum_last_contact(const rn_quorum_t *q, uint64_t *silent_ms);

/* What this node knows of the quorum, for any node (leader or not): fills *st, and
 * the first min(cap, count) members of the current Raft configuration, in its order,
 * into members (NULL when cap is 0). Returns the number of members, so a caller may
 * ask with cap 0 first. A leader knows every member's log end (its match index, its
 * own last index for itself); another node knows only its own. */
size_t rn_quorum_status(const rn_quorum_t *q, rn_quorum_status_t *st, rn_quorum_member_t *members,
                        size_t cap);

#endif
