/*
 * coordinator.h — this broker's group coordinator (docs/groups.md): the groups of the
 * __consumer_offsets partitions it leads, their loading from the log, their writes,
 * and their timers. The group logic itself is src/group/ (pure); this is the glue to
 * the partition registry, the log and the request handlers.
 *
 *   broker tick (100 ms) ──▶ rn_coord_tick: for each offsets partition
 *        leads it now, not loaded ──▶ load: replay the log from its start to its end
 *        loaded, no longer leads ──▶ unload: writes fail NOT_COORDINATOR, groups
 *                                    dropped (parked requests NOT_COORDINATOR)
 *      then every group's timers (session expiry, join / sync timeouts) and the
 *      writes' timeouts
 *
 *   write: records ──▶ one batch appended to the local partition as a Produce append
 *          (leader epoch stamped) ──▶ the HW passes it (acks=all, via a partition
 *          waiter) ──▶ done(NONE) ; not enough replicas / timeout / leadership moved
 *          ──▶ done(error). The caller changes its in-memory state only on NONE.
 *
 * Handlers (handle_group.c, handle_offsets.c, handle_groups_admin.c) find a group's
 * state with rn_coord_group_for. Everything runs on the loop thread.
 */
#ifndef RN_BROKER_COORDINATOR_H
#define RN_BROKER_COORDINATOR_H

#include <stdbool.h>
#include <stdint.h>

#include "broker/ack_wait.h"
#include "broker/broker_int.h"
#include "group/group.h"

#define RN_OFFSETS_TOPIC          "__consumer_offsets"
#define RN_COORD_WRITE_TIMEOUT_MS 5000 /* Kafka's offsets.commit.timeout.ms */
#define RN_OFFSET_METADATA_MAX    4096 /* Kafka's offset.metadata.max.bytes */

typedef struct rn_coord_s rn_coord_t;
typedef struct rn_coord_write_s rn_coord_write_t;

/* A write in flight: embedded in the caller's state. done runs exactly once (maybe
 * before rn_coord_write returns), after w is off every list. */
struct rn_coord_write_s {
    rn_ack_waiter_t aw; /* on its partition's list while waiting for the HW */
    int32_t partition;
    int32_t epoch; /* leader epoch the batch was appended under */
    int64_t deadline_ms;
    void (*done)(rn_coord_write_t *w, rn_wire_err_t err);
    void *arg;
    rn_coord_t *coord;
};

rn_coord_t *rn_coord_new(rn_broker_t *b);
/* Broker stopping: every write fails and every group is dropped (parked requests are
 * answered NOT_COORDINATOR). */
void rn_coord_stop(rn_coord_t *c);
void rn_coord_free(rn_coord_t *c); /* after stop; NULL is a no-op */
void rn_coord_tick(rn_coord_t *c);

/* The offsets partition of group id (murmur2 mod the topic's partitions), or -1 with
 * *err COORDINATOR_NOT_AVAILABLE when the topic does not exist. */
int32_t rn_coord_partition_of(rn_coord_t *c, rn_str_t group, rn_wire_err_t *err);

/* The group id's state on this broker: NONE and *g (created Empty when `create`, else
 * NULL when unknown), or NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE /
 * COORDINATOR_LOAD_IN_PROGRESS / INVALID_GROUP_ID. */
rn_wire_err_t rn_coord_group_for(rn_coord_t *c, rn_str_t group, bool create, rn_group_t **g);

/* The same without looking at leadership (no load / unload: safe inside write
 * callbacks): the group when its partition is loaded (created when `create`), else
 * NULL. */
rn_group_t *rn_coord_group_loaded(rn_coord_t *c, rn_str_t group, bool create);

/* Forget g if it holds nothing (Empty, generation 0, no offsets, nothing parked). */
void rn_coord_group_gc(rn_coord_t *c, rn_group_t *g);

/* Every group this broker serves (for ListGroups). */
int32_t rn_coord_groups(rn_coord_t *c, rn_group_t ***out);

/* Append the records (keys and values: rn_malloc'd arrays of views, value NULL-ptr
 * with len -1 for a tombstone) as one batch to offsets partition `partition` and call
 * w->done once the HW passes it or it fails. w->done and w->arg set by the caller. */
typedef struct rn_coord_rec_s {
    rn_bytes_t key;
    rn_bytes_t value; /* len -1: a tombstone */
} rn_coord_rec_t;
void rn_coord_write(rn_coord_t *c, int32_t partition, const rn_coord_rec_t *recs, int32_t n,
                    rn_coord_write_t *w);

/* Write g's group record (pending assignments when `pending`) on partition g->partition. */
void rn_coord_write_group(rn_coord_t *c, rn_group_t *g, bool pending, rn_coord_write_t *w);

/* The controller: propose __consumer_offsets if it does not exist (one proposal at a
 * time). 0 proposed or already there / being created; else the reason. */
int rn_coord_create_offsets_topic(rn_broker_t *b);

/* handle_group.c: answer a parked JoinGroup / SyncGroup (the groups' ops callbacks). */
void rn__group_join_answer(void *ctx, const rn_group_join_result_t *res);
void rn__group_sync_answer(void *ctx, rn_wire_err_t err, rn_bytes_t assign);

#endif
