/*
 * group_int.h — the group consumer's state, shared by group.c (membership: find,
 * join, assign, sync, heartbeat) and group_offsets.c (OffsetFetch, commits, and the
 * public subscribe / commit / close). Everything here is loop-thread only unless
 * said otherwise.
 */
#ifndef RN_CLIENT_GROUP_INT_H
#define RN_CLIENT_GROUP_INT_H

#include <stdint.h>

#include "client/group.h"

typedef enum {
    G_FIND,     /* find the coordinator, then go to `resume` */
    G_REVOKE,   /* take the partitions away (commit first), then JOIN */
    G_REVOKING, /* the revocation's commit is in flight */
    G_JOIN,
    G_ASSIGN, /* the leader waits for fresh metadata, then computes the assignment */
    G_SYNC,
    G_OFFSETS, /* OffsetFetch of the new assignment */
    G_STABLE,
    G_CLOSING, /* commit and LeaveGroup of rn_consumer_close */
    G_DEAD,
} gstate_t;

/* Why a commit was sent: what its answer completes. */
typedef enum { GC_USER, GC_AUTO, GC_REVOKE, GC_CLOSE } gckind_t;

/* rn_consumer_commit_sync / _async on their way to the loop and back. */
typedef struct gcommit_s {
    rn__cmd_t cmd;
    rn_consumer_t *c;
    int sync;
    rn_commit_fn cb;
    void *opaque;
    int done; /* sync: under cl->lock */
    int err;
    char msg[256];
} gcommit_t;

/* One request in flight to the coordinator. */
typedef struct greq_s {
    rn__group_t *g;
    uint32_t epoch;
    gckind_t kind; /* commits */
    gcommit_t *user;
    int32_t n; /* commits: what was committed */
    const char **topics;
    int32_t *partitions;
    int64_t *offsets;
    cpos_t **poss;
} greq_t;

/* The leader's view of one member (JoinGroup response). */
typedef struct gmember_s {
    char *id;
    uint8_t *meta;
    int32_t meta_len;
} gmember_t;

struct rn__group_s {
    rn_consumer_t *c;
    char *group_id;
    int32_t n_topics;
    char **topics; /* subscribed */
    gstate_t state, resume;
    uint32_t epoch;
    int main_inflight; /* find / join / sync / offsets / revoke commit / leave */
    int hb_inflight;
    int auto_inflight;
    int64_t next_try;
    int64_t next_hb;
    int64_t next_auto;
    int32_t coord_id; /* the coordinator's own broker entry (RN__COORD_ID); -1: unknown */
    char *member_id;  /* "" until the coordinator gives one */
    int32_t generation;
    char *protocol;
    int is_leader;
    int last_fatal; /* the last fatal error pushed to poll (pushed once) */
    /* the leader, between JoinGroup and SyncGroup */
    int32_t n_members;
    gmember_t *members;
    int32_t n_union;
    char **union_topics;
    int64_t assign_since;
    int32_t n_sync; /* the assignment to send (the leader's; 0 for the others) */
    char **sync_ids;
    uint8_t **sync_bytes;
    int32_t *sync_lens;
    /* the leader: partition counts its last assignment used, to notice growth */
    int32_t n_counted;
    char **counted_topics;
    int32_t *counted_parts;
    /* the assignment SyncGroup gave, and whether it is in force (fetching) */
    int32_t n_asg;
    char **asg_topics;
    int32_t *asg_parts;
    int has_assignment;
};

/* ---- group.c ---- */
int rn__group_timeout(const rn__group_t *g, int join);
void rn__group_coord_lost(rn__group_t *g);
void rn__group_rejoin(rn__group_t *g, int err);
int rn__group_coord_err(int err);
void rn__group_fatal(rn__group_t *g, int err, const char *what);
/* Send a request body (encoded after the header in wr) to the coordinator. */
void rn__group_send(rn__group_t *g, rn_writer_t *wr, int32_t corr, int timeout_ms, rn__resp_fn cb,
                    greq_t *r);
greq_t *rn__greq_new(rn__group_t *g);
void rn__greq_free(greq_t *r);
/* Push an ASSIGNED or REVOKED event with the current assignment. */
void rn__group_push_rebalance(rn__group_t *g, cevkind_t kind);
void rn__group_finish_close(rn__group_t *g);

/* ---- group_offsets.c ---- */
void rn__group_send_offset_fetch(rn__group_t *g);
/* Send a commit of the given offsets (arrays taken). 0 once sent. */
int rn__group_send_commit(rn__group_t *g, gckind_t kind, gcommit_t *user, int32_t n,
                          const char **topics, int32_t *partitions, int64_t *offsets,
                          cpos_t **poss);
void rn__group_auto_commit(rn__group_t *g, int64_t now);
void rn__group_revoke(rn__group_t *g);
void rn__group_leave(rn__group_t *g);

#endif
