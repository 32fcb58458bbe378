/*
 * assignor.h — the group leader's partition assignors (docs/groups.md, "Client"):
 * given every member's subscription and the partition count of every topic, who
 * consumes which partition. The leader runs the one the coordinator chose (JoinGroup's
 * protocol_name) and sends the result in SyncGroup.
 *
 *   range       Kafka's RangeAssignor: per topic, the members subscribed to it sorted
 *               by member id get contiguous ranges; the first (count mod members) get
 *               one more. 2 members, 6 partitions: 0-2 / 3-5; 4 partitions over 3
 *               members: 0-1 / 2 / 3.
 *   roundrobin  Kafka's RoundRobinAssignor: every subscribed partition, sorted by topic
 *               then partition, dealt in turn over the members sorted by id; a member
 *               not subscribed to a partition's topic is skipped for it.
 *
 * Pure functions; any thread. A topic missing from `topics` (or with no partitions)
 * assigns nothing.
 */
#ifndef RN_CLIENT_ASSIGNOR_H
#define RN_CLIENT_ASSIGNOR_H

#include <stdint.h>

typedef struct rn__asg_topic_s {
    const char *name;
    int32_t npart;
} rn__asg_topic_t;

typedef struct rn__asg_member_s {
    const char *member_id;
    int32_t n_subs;
    const char *const *subs; /* the topics it subscribes to */
    /* results: sorted by topic name, then partition; free with rn__assign_free */
    int32_t n_assigned;
    const char **asg_topics; /* point at topics[].name */
    int32_t *asg_parts;
} rn__asg_member_t;

/* 1 when name is an assignor librunnel has ("range", "roundrobin"), else 0. */
int rn__assignor_known(const char *name);

/* Fill every member's results with the assignor `strategy`. 0, or -EINVAL for an
 * unknown strategy (results left empty). */
int rn__assign(const char *strategy, rn__asg_member_t *members, int32_t n_members,
               const rn__asg_topic_t *topics, int32_t n_topics);

/* Free the results of members[0..n). */
void rn__assign_free(rn__asg_member_t *members, int32_t n);

#endif
