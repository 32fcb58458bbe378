/*
 * partitions.h — the partition registry: the partitions this broker hosts.
 *
 * For every partition in the metadata image whose replicas include this broker there
 * is one rn_partition_t, holding its partition log (created with rn_logmgr_create when
 * missing), its effective log config (the broker's log.* defaults overlaid with the
 * topic's overrides), its leadership (is_leader, leader epoch), its high watermark,
 * min.insync.replicas, the topic's partitioner, and a list of waiters (fetches
 * long-polling for data).
 *
 *   registry ── hash by topic name ──▶ rn_ptopic_t { name, npartitions, partitioner,
 *                                                    parts[0..npartitions) }
 *                                        parts[i]: rn_partition_t, or NULL when this
 *                                        broker is not a replica of partition i
 *
 * Lookup by (topic, partition) is one hash probe plus an index: O(1).
 *
 * The registry follows the image: rn_partitions_sync (called from the quorum's on_apply)
 * creates partitions of new topics, deletes those of deleted topics (their logs are
 * deleted from disk, their waiters woken with RN_PART_WAKE_GONE), and re-applies
 * configs (rn_plog_set_config) and leadership. Pointers to an rn_partition_t are
 * valid until the next sync that removes it: a holder across callbacks (a waiting
 * fetch) must register a waiter, which tells it when the partition goes.
 *
 * High watermark (replication step 2b, isr.c): on the leader, HW = the minimum over
 * the MAXIMAL ISR — the committed ISR plus the members of a requested change not yet
 * applied here (want) — of each member's log end (the leader's own; a follower's is
 * its last fetch offset), and never goes back. It moves on appends
 * (rn_partition_appended) and on follower fetches (rn_partition_follower_fetched,
 * which only marks hw_dirty: the fetch handler wakes the waiters once it is done, so
 * that no waiter runs inside a fetch being built). A partition that becomes leader
 * keeps the HW it had as follower and at once raises it to what its maximal ISR
 * allows (with the ISR {itself}: its log end); every sync does the same. On a
 * follower, replica_fetch.c copies the leader's log and sets HW = min(leader's HW,
 * local log end) (rn_partition_set_hw). The HW never exceeds the local log end (a
 * truncation lowers it).
 *
 * Persistence: every write of high_watermark goes through one setter that also
 * records it in the partition log (rn_plog_set_hw); the log manager writes all of
 * them to <logdir>/replication-offset-checkpoint every
 * replica.high.watermark.checkpoint.interval.ms and at a clean shutdown. A partition
 * opened at start-up takes its HW from that file, clamped to its log end (its log
 * start when the file is missing or corrupt, or does not list it); a leader then
 * raises it as above, a follower takes the leader's.
 *
 * Storage failure: when a write to a partition's log fails with a system error
 * (ENOSPC, EIO, ...; the log has already cut the failed batch back), the partition is
 * marked offline on this broker (storage_err, rn_partition_storage_failed: one ERROR
 * line naming it and the errno). From then on Produce and consumer Fetch of it are
 * answered KAFKA_STORAGE_ERROR (followers may still read a leader's copy: handle_fetch.c),
 * a follower stops copying it, and nothing appends to it again
 * until the broker restarts (recovery then re-validates the tail). Other partitions
 * are unaffected. The controller is not told: leadership does not move by itself.
 *
 * Loop thread only.
 */
#ifndef RN_BROKER_PARTITIONS_H
#define RN_BROKER_PARTITIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "broker/broker_config.h"
#include "broker/route.h"
#include "log/config.h"
#include "log/logmgr.h"
#include "log/plog.h"
#include "meta/image.h"

typedef struct rn_partitions_s rn_partitions_t;
typedef struct rn_partition_s rn_partition_t;
typedef struct rn_part_waiter_s rn_part_waiter_t;

/* Why a waiter is called. */
typedef enum {
    RN_PART_WAKE_APPEND = 0, /* data was appended (the HW may have moved) */
    RN_PART_WAKE_GONE = 1,   /* partition deleted or no longer hosted here: drop it */
    RN_PART_WAKE_STOP = 2,   /* the broker is stopping: answer now */
} rn_part_wake_t;

/*
 * A waiter, embedded in the caller's own state (the registry never allocates or frees
 * one). Registered on one partition at a time; fn runs on the loop thread. For
 * RN_PART_WAKE_GONE and RN_PART_WAKE_STOP the waiter has already been removed when fn
 * runs; for RN_PART_WAKE_APPEND it stays registered (fn may remove it, or remove and
 * free any waiter, including itself). fn must not call rn_partitions_sync.
 */
struct rn_part_waiter_s {
    rn_part_waiter_t *prev, *next; /* registry-owned links */
    rn_partition_t *part;          /* where it is registered; NULL when not */
    void (*fn)(rn_part_waiter_t *w, rn_partition_t *part, rn_part_wake_t why);
    void *arg; /* caller's */
};

typedef struct rn_ptopic_s rn_ptopic_t;

/* Where a follower's log ends, as its last Fetch said, and when it last was caught
 * up to the leader's log end (isr.c). */
typedef struct rn_replica_pos_s {
    int32_t replica_id;
    int64_t log_end;      /* its last fetch offset */
    int64_t caught_up_ms; /* monotonic ms it last reached the leader's log end */
    int64_t prev_end;     /* the leader's log end at its previous fetch */
    int64_t prev_ms;      /* when that fetch came */
} rn_replica_pos_t;

struct rn_partition_s {
    rn_ptopic_t *topic;      /* back pointer (name, partitioner, partition count) */
    int32_t index;           /* partition number */
    rn_plog_t *plog;         /* owned by the log manager; valid while registered */
    rn_log_config_t log_cfg; /* effective config, as given to rn_plog_set_config */
    int32_t min_insync_replicas;
    bool is_leader;       /* this broker leads the partition */
    int32_t leader_id;    /* -1: offline */
    int32_t leader_epoch; /* stamped into appended batches */
    int32_t nreplicas;
    int32_t *replicas;           /* rn_malloc'd copy of the assignment */
    int32_t nisr;                /* committed ISR size (acks=all checks) */
    int32_t *isr;                /* rn_malloc'd copy of the committed ISR */
    int32_t *want;               /* leader: ISR asked of the controller, not applied yet */
    int32_t nwant;               /* (NULL/0 when none; isr.c) */
    bool want_sent;              /* want is in the AlterPartition in flight */
    bool hw_dirty;               /* a follower fetch moved the HW: waiters not woken yet */
    int64_t leader_since_ms;     /* when this broker became leader (lag grace) */
    int64_t high_watermark;      /* consumers read below this */
    rn_part_waiter_t waiters;    /* list head (sentinel); empty when next == &waiters */
    struct rn_ack_part_s *acks;  /* produce_wait.c: acks=all waiting list; NULL when none */
    rn_replica_pos_t *followers; /* leader: each follower's fetch offset (rn_malloc'd) */
    int32_t nfollowers;
    int storage_err; /* 0, or the -errno of the failed write: offline on this broker */
};

struct rn_ptopic_s {
    char *name;                   /* owned */
    uint8_t id[RN_META_ID_LEN];   /* topic id: a re-created topic differs */
    rn_partitioner_t partitioner; /* the topic's `partitioner` config (route.h) */
    int32_t npartitions;          /* in the image (hosted or not) */
    rn_partition_t **parts;       /* npartitions entries; NULL: not hosted here */
    rn_route_sticky_t sticky;     /* broker-side sticky routing state (route.h) */
    rn_ptopic_t *hnext;           /* hash chain */
};

/* An empty registry for broker broker_id, creating logs in mgr with cfg's log.*
 * defaults and min.insync.replicas. Both borrowed; must outlive the registry. */
rn_partitions_t *rn_partitions_new(int32_t broker_id, const rn_broker_config_t *cfg,
                                   rn_logmgr_t *mgr);

/* Wake every waiter with RN_PART_WAKE_STOP and free the registry (the logs stay open
 * in the log manager, which the caller closes). NULL is a no-op. */
void rn_partitions_free(rn_partitions_t *reg);

/*
 * Bring the registry in line with img: create what is missing (topics, partitions and
 * their logs), remove topics the image no longer has (or re-created with another id)
 * and delete their logs when delete_logs is true, update configs and leadership.
 * Partitions on disk that the image does not know are left alone (logged once).
 * Returns 0, or the first error creating a log (the others were still processed; the
 * error is logged once per partition).
 */
int rn_partitions_sync(rn_partitions_t *reg, const rn_meta_image_t *img, bool delete_logs);

/* The same for one topic `name` only (what a CreateTopic, DeleteTopic, PartitionChange
 * or SetTopicConfig record touched): O(partitions of that topic). */
int rn_partitions_sync_topic(rn_partitions_t *reg, const rn_meta_image_t *img, const char *name,
                             bool delete_logs);

/* The partition (topic is `len` bytes, not NUL-terminated), or NULL when this broker
 * does not host it. */
rn_partition_t *rn_partitions_get(rn_partitions_t *reg, const char *topic, size_t len,
                                  int32_t partition);

/* The topic entry, or NULL when the image (as last synced) has no such topic. */
rn_ptopic_t *rn_partitions_topic(rn_partitions_t *reg, const char *topic, size_t len);

/* Partitions hosted. */
int rn_partitions_count(const rn_partitions_t *reg);

/* Wake every waiter of every partition with RN_PART_WAKE_STOP (shutdown). */
void rn_partitions_wake_all(rn_partitions_t *reg, rn_part_wake_t why);

/* The effective log config for a topic: defaults overlaid with the topic's overrides
 * (retention.ms, retention.bytes, segment.bytes, segment.ms, max.message.bytes,
 * flush.messages, flush.ms), and its min.insync.replicas and partitioner. topic may be
 * NULL (defaults only). Overrides that fail to parse keep the default (the controller
 * validated them; logged). Pure. */
void rn_partitions_resolve(const rn_broker_config_t *cfg, const rn_meta_topic_t *topic,
                           rn_log_config_t *log_cfg, int32_t *min_isr,
                           rn_partitioner_t *partitioner);

/* ---- per partition ------------------------------------------------------------- */

/* Call after every successful leader append: advances the high watermark over the
 * maximal ISR and wakes the waiters with RN_PART_WAKE_APPEND. */
void rn_partition_appended(rn_partition_t *part);

/* Leader: follower `replica_id` fetched at `fetch_offset`, so its log ends there:
 * records it (and its caught-up time), advances the HW; sets hw_dirty when the HW
 * moved — the caller then calls rn_partition_flush_hw once it is safe to wake. */
void rn_partition_follower_fetched(rn_partition_t *part, int32_t replica_id, int64_t fetch_offset);

/* Follower: set the HW to `hw` (the leader's, from a fetch answer) clamped to the
 * local log end, and record it for the checkpoint. */
void rn_partition_set_hw(rn_partition_t *part, int64_t hw);

/* hw_dirty: clear it and wake the waiters with RN_PART_WAKE_APPEND. */
void rn_partition_flush_hw(rn_partition_t *part);

/* The high watermark the maximal ISR allows: the minimum over isr ∪ want of each
 * member's log end — self_end for `self`, the fetch offset in fol[] for a follower —
 * or -1 when a member has not fetched yet. Pure. */
int64_t rn_isr_high_watermark(int32_t self, int64_t self_end, const int32_t *isr, int32_t nisr,
                              const int32_t *want, int32_t nwant, const rn_replica_pos_t *fol,
                              int32_t nfol);

/* Members of isr ∪ want (the maximal ISR). Pure. */
int32_t rn_isr_max_size(const int32_t *isr, int32_t nisr, const int32_t *want, int32_t nwant);

/* A write to part's log failed with rc (-errno): mark it offline on this broker
 * (storage_err) and log one ERROR line naming the partition and the errno (the first
 * time only). */
void rn_partition_storage_failed(rn_partition_t *part, int rc);

/* Whether rc from a log write is a storage failure (a system error, -errno) rather
 * than a verdict on the data (RN_ETOOLARGE, RN_ECORRUPT, ...). */
bool rn_partition_is_storage_error(int rc);

/* Call fn on every hosted partition (fn must not sync or free the registry). */
void rn_partitions_each(rn_partitions_t *reg, void (*fn)(rn_partition_t *part, void *arg),
                        void *arg);

/* acks=all may be accepted: the committed ISR has at least min.insync.replicas
 * members (checked when a batch arrives). */
bool rn_partition_isr_ok(const rn_partition_t *part);

/* acks=all may be acknowledged: the maximal ISR has at least min.insync.replicas
 * members (checked when the HW passes the batch). */
bool rn_partition_max_isr_ok(const rn_partition_t *part);

/* Register w (fn and arg set by the caller) on part; w must not be registered. */
void rn_partition_wait(rn_partition_t *part, rn_part_waiter_t *w);

/* Remove w if registered (harmless otherwise). */
void rn_part_waiter_remove(rn_part_waiter_t *w);

/* "topic-partition" into buf, for logs. Returns buf. */
const char *rn_partition_name(const rn_partition_t *part, char *buf, size_t len);

#endif
