/*
 * controller.h — the decisions the controller (the metadata quorum's Raft leader)
 * takes before it proposes records: validate a request against the current image and
 * turn it into the records that carry it out.
 *
 * These functions are pure: they read the image and build records, and neither
 * propose nor apply anything. The caller proposes the records (rn_quorum_propose)
 * and reports the outcome. Because two proposals validated against the same image
 * can race, the apply step re-checks (a second CreateTopic of the same name is skipped
 * and its proposer learns RN_ETOPICEXISTS from rn_quorum_propose's callback).
 *
 * Every function writes a one-line reason into err (when err is non-NULL) on failure,
 * naming the topic, key or value, for the protocol's error_message fields.
 */
#ifndef RN_META_CONTROLLER_H
#define RN_META_CONTROLLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meta/image.h"
#include "meta/records.h"

/* Most partitions one CreateTopic may ask for, and most a topic may grow to (bounds
 * one Raft entry's size). */
#define RN_CONTROLLER_MAX_PARTITIONS 100000

typedef struct rn_topic_spec_s {
    const char *name;
    int32_t partitions;
    int32_t replication_factor;
    const rn_meta_kv_t *configs; /* overrides; borrowed */
    size_t nconfigs;
} rn_topic_spec_t;

/* Kafka's rules: 1..249 characters of [A-Za-z0-9._-], and not "." or "..".
 * 0 or RN_EINVALIDTOPIC. */
int rn_controller_check_topic_name(const char *name);

/* A per-topic override: the key must be one DESIGN.md lists and the value valid for
 * it (integers in range, true/false, default/sticky/hash). value NULL asks whether
 * the key may be removed (any known key may). 0 or RN_ECONFIG. */
int rn_controller_check_config(const char *key, const char *value, char *err, size_t errlen);

/* Validate spec against img and build the CreateTopic record in *out (owned by the
 * caller: rn_meta_record_deinit). Replicas go round-robin over the live (unfenced)
 * brokers, each partition starting one broker further on, and the starting broker
 * moves with the number of partitions already in the cluster, so leaders spread
 * evenly within and across topics. The new topic gets a random id (topic_id NULL) or
 * topic_id. The first replica leads at epoch 0 and is the whole ISR (followers join it
 * through AlterPartition once they have caught up).
 * 0, or RN_EINVALIDTOPIC, RN_ETOPICEXISTS, RN_EINVALIDPARTITIONS (< 1 or over
 * RN_CONTROLLER_MAX_PARTITIONS), RN_EREPLICATIONFACTOR (< 1 or more than the live
 * brokers), RN_ECONFIG (a bad or repeated override). */
int rn_controller_create_topic(const rn_meta_image_t *img, const rn_topic_spec_t *spec,
                               const uint8_t *topic_id, rn_meta_record_t *out, char *err,
                               size_t errlen);

/* The DeleteTopic record for name. 0 or RN_EUNKNOWNTOPIC. */
int rn_controller_delete_topic(const rn_meta_image_t *img, const char *name, rn_meta_record_t *out,
                               char *err, size_t errlen);

/* The CreatePartitions record growing topic name to new_total partitions (owned by
 * the caller: rn_meta_record_deinit). The new partitions continue the topic's
 * round-robin over the live brokers (partition p goes where p would have gone at
 * creation, counted from partition 0's preferred leader), with the topic's
 * replication factor; leader = first replica, epoch 0, ISR = {leader}.
 * 0, or RN_EUNKNOWNTOPIC, RN_EINVALIDPARTITIONS (new_total not above the current
 * count: "topic T has 3 partitions; it can only grow", or over
 * RN_CONTROLLER_MAX_PARTITIONS), RN_EREPLICATIONFACTOR (fewer live brokers than the
 * topic's replication factor). */
int rn_controller_create_partitions(const rn_meta_image_t *img, const char *name, int32_t new_total,
                                    rn_meta_record_t *out, char *err, size_t errlen);

/* SetTopicConfig records for changes (value NULL: remove the override), all validated
 * before any is built. *out is an rn_malloc'd array of *nout records: deinit each,
 * then rn_free the array. 0, or RN_EUNKNOWNTOPIC / RN_ECONFIG with *out NULL. */
int rn_controller_alter_configs(const rn_meta_image_t *img, const char *name,
                                const rn_meta_kv_t *changes, size_t n, rn_meta_record_t **out,
                                size_t *nout, char *err, size_t errlen);

/* The records that fence broker id in one committed change (controller_brokers.c):
 * FenceBroker, then a PartitionChange for every partition whose ISR holds it or that
 * it leads — leadership moves to the first live ISR member in assignment order (leader
 * epoch + 1); with none, the partition goes offline (leader -1, ISR kept) unless
 * unclean election is allowed (the topic's unclean.leader.election.enable, else
 * unclean_default), which picks the first live replica (*unclean counts those).
 * *out: rn_controller_records_free(*out, *nout). 0 or RN_EUNKNOWNBROKER. */
int rn_controller_fence_broker(const rn_meta_image_t *img, int32_t id, bool unclean_default,
                               rn_meta_record_t **out, size_t *nout, int *unclean);

/* The records that unfence broker id: UnfenceBroker, then a PartitionChange electing
 * the first live ISR member (assignment order, id counted live) of every offline
 * partition that has one. 0 or RN_EUNKNOWNBROKER. */
int rn_controller_unfence_broker(const rn_meta_image_t *img, int32_t id, rn_meta_record_t **out,
                                 size_t *nout);

/* What the controller makes of an AlterPartition item (the handler maps it to a wire
 * error). */
typedef enum {
    RN_ALTER_ISR_OK = 0,     /* *changed: a PartitionChange in *out; else already so */
    RN_ALTER_ISR_UNKNOWN,    /* no such topic or partition */
    RN_ALTER_ISR_NOT_LEADER, /* broker_id does not lead the partition */
    RN_ALTER_ISR_STALE,      /* leader_epoch is not the partition's current one */
    RN_ALTER_ISR_INVALID,    /* new ISR: empty, duplicates, a non-replica, no leader */
    RN_ALTER_ISR_INELIGIBLE, /* new ISR adds a broker that is fenced or unregistered */
} rn_alter_isr_t;

/* AlterPartition: the leader broker_id, leading partition p of topic name at
 * leader_epoch, asks for ISR new_isr[0..n). Valid when broker_id is the current leader
 * at that epoch, new_isr holds the leader, only replicas, no duplicates, and every
 * member it adds is registered and unfenced (removals are always allowed). Then, when
 * it differs from the ISR as a set, *out is a PartitionChange with the same leader and
 * epoch (the leader epoch counts leaderships only; an ISR change does not bump it) and
 * the new ISR in assignment order, and *changed is true (caller: rn_meta_record_deinit).
 * Pure. */
rn_alter_isr_t rn_controller_alter_isr(const rn_meta_image_t *img, const char *name, int32_t p,
                                       int32_t broker_id, int32_t leader_epoch,
                                       const int32_t *new_isr, int32_t n, rn_meta_record_t *out,
                                       bool *changed);

/* What a preferred leader election makes of one partition (controller_elect.c). */
typedef enum {
    RN_ELECT_DONE = 0,      /* *out: a PartitionChange to the preferred replica */
    RN_ELECT_NOT_NEEDED,    /* the preferred replica leads already */
    RN_ELECT_NOT_AVAILABLE, /* the preferred replica is fenced, unregistered or not in sync */
    RN_ELECT_UNKNOWN,       /* no such topic or partition */
} rn_elect_t;

/* Preferred leader election for partition p of topic name: when its first assigned
 * replica is live, in the ISR and not the leader, *out is a PartitionChange making it
 * the leader (leader epoch + 1, same ISR; caller: rn_meta_record_deinit). Pure. */
rn_elect_t rn_controller_elect_preferred(const rn_meta_image_t *img, const char *name, int32_t p,
                                         rn_meta_record_t *out);

/* The same for every partition of the image that needs and allows it, at most max
 * records (the periodic rebalance bounds one metadata entry). *out:
 * rn_controller_records_free(*out, *nout); NULL/0 when none. Pure. */
void rn_controller_elect_all_preferred(const rn_meta_image_t *img, size_t max,
                                       rn_meta_record_t **out, size_t *nout);

/* PartitionChanges removing fenced brokers that a partition with a leader still names
 * as leader or ISR member (left by a fencing change that raced with an ISR change):
 * the same change fencing makes. Offline partitions are left as they are. *out as
 * above. Pure. */
void rn_controller_reconcile_fenced(const rn_meta_image_t *img, rn_meta_record_t **out,
                                    size_t *nout);

/* Deinit each of n records, then free the array. NULL is a no-op. */
void rn_controller_records_free(rn_meta_record_t *recs, size_t n);

/* 16 random bytes from the kernel, never all zero (a topic or cluster id).
 * 0 or -errno. */
int rn_controller_random_id(uint8_t id[RN_META_ID_LEN]);

#endif
