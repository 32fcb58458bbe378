/*
 * group.h — librunnel's group consumer (docs/groups.md, "Client"): the membership
 * state machine of a subscribed rn_consumer_t, run on the consumer's loop thread.
 *
 *   FIND ──▶ JOIN ──▶ (leader: ASSIGN) ──▶ SYNC ──▶ OFFSETS ──▶ STABLE
 *    ▲        ▲  MEMBER_ID_REQUIRED: again       (OffsetFetch,     │ heartbeats,
 *    │        │  with the id                      then start the   │ auto commit
 *    │        └── REVOKE ◀── REBALANCE_IN_PROGRESS / ILLEGAL_      │
 *    │            (commit,    GENERATION / UNKNOWN_MEMBER_ID ◀─────┘
 *    │             revoked cb)
 *    └── NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, a lost connection (from any
 *        state; a STABLE or OFFSETS member resumes where it was once found again)
 *
 *   close: (auto commit of the positions) ──▶ LeaveGroup ──▶ DEAD
 *
 * FindCoordinator goes to the controller (the Metadata's controller_id), which
 * creates __consumer_offsets on first use; retriable answers are retried after
 * retry.backoff.ms. Every request names the member's epoch (bumped at every rejoin
 * and coordinator loss) so that a late answer from before it is ignored.
 *
 * The polling thread sees the group through events (consumer_int.h): REVOKED once
 * the partitions were taken away (after their last auto commit), ASSIGNED once the
 * new partitions' starting offsets are known, COMMIT for rn_consumer_commit_async.
 * Commits carry positions only: `committable` (what poll returned before its latest
 * call: auto commit, revocation) or `position` (rn_consumer_commit_*, close: the
 * application says it has processed everything returned).
 */
#ifndef RN_CLIENT_GROUP_H
#define RN_CLIENT_GROUP_H

#include <stdint.h>

#include "client/consumer_int.h"

/* Loop thread: drive the state machine; the next time it wants to run. */
int64_t rn__group_serve(rn__group_t *g, int64_t now);

/* Loop thread: the client is stopping. */
void rn__group_on_stop(rn__group_t *g);

/* After the loop has stopped. NULL is ignored. */
void rn__group_free(rn__group_t *g);

#endif
