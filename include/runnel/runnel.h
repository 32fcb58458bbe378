/*
 * runnel.h — librunnel, the C client library of runnel: producer, consumer, admin.
 *
 * Threads. Every client object (rn_producer_t, rn_consumer_t, rn_admin_t) runs its own
 * libuv loop on a background thread that owns its connections. Every function here is
 * thread-safe and may be called from any thread, except that an object must not be
 * used after (or concurrently with) its _free. Callbacks (delivery reports) run on the
 * client's background thread: keep them short and do not call the same object's
 * _flush or _free from inside one.
 *
 * Errors. Functions return int: 0 on success; a negative value is a local error
 * (runnel's own codes, or -errno); a positive value is a protocol error code carried
 * from the broker (Kafka's numbering: 3 = UNKNOWN_TOPIC_OR_PARTITION, 19 =
 * NOT_ENOUGH_REPLICAS, ...). rn_err_str() describes either kind; functions that can
 * fail for a reason worth a sentence also fill an `err` buffer the caller passes
 * (one line, NUL-terminated; may be NULL when errlen is 0).
 *
 * Ownership. Arguments are borrowed for the duration of the call (data is copied);
 * objects returned by _new or in an `out` pointer belong to the caller and are
 * released with the matching _free.
 */
#ifndef RUNNEL_RUNNEL_H
#define RUNNEL_RUNNEL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define RN_API __attribute__((visibility("default")))
#else
#define RN_API
#endif

/* ---- errors ------------------------------------------------------------------- */

/* Local codes a caller may want to test for (any other: rn_err_str). */
#define RN_ERR_QUEUE_FULL          (-ENOBUFS)   /* send: flush, then send again */
#define RN_ERR_TIMED_OUT           (-ETIMEDOUT) /* flush, delivery or request timeout */
#define RN_ERR_CLOSED              (-99991)     /* the object is closing */
#define RN_ERR_CORRUPT             (-99998)     /* poll: a batch failed its CRC or checks */
#define RN_ERR_OFFSET_OUT_OF_RANGE (-99992)     /* poll: position outside the partition's log */

/* A description of err (0, negative local code or positive protocol code). Static
 * storage; never NULL. */
RN_API const char *rn_err_str(int err);

/* 1 when retrying the same operation later may succeed (leader moved, not enough
 * replicas, timeouts, connection lost), else 0. */
RN_API int rn_err_retriable(int err);

/* ---- configuration ------------------------------------------------------------------ */

/*
 * Keys (Kafka's client names; defaults in parentheses):
 *   bootstrap.servers            host:port[,host:port...]   (127.0.0.1:9092)
 *   client.id                    (runnel)
 *   request.timeout.ms           (30000)
 *   metadata.max.age.ms          refresh metadata at least this often (300000)
 *   retry.backoff.ms             (100)
 *   producer:
 *   acks                         0, 1, all or -1 (all)
 *   linger.ms                    wait this long to fill a batch (5)
 *   batch.size                   bytes per partition batch (16384)
 *   compression.type             none or gzip (none)
 *   delivery.timeout.ms          give up on a record after this (30000)
 *   max.in.flight.requests.per.connection   (5)
 *   partitioner                  default, sticky, hash or broker (default)
 *   message.max.bytes            largest batch sent (1048588)
 *   consumer:
 *   fetch.max.wait.ms            broker long-poll wait (500)
 *   fetch.min.bytes              (1)
 *   fetch.max.bytes              per response (52428800)
 *   max.partition.fetch.bytes    per partition (1048576)
 *   check.crcs                   accepted for Kafka compatibility; librunnel always
 *                                verifies every batch's CRC32C, whatever the value
 *   consumer groups (docs/groups.md; used by rn_consumer_subscribe):
 *   group.id                     the group to join (none)
 *   session.timeout.ms           the coordinator drops a silent member after (45000)
 *   heartbeat.interval.ms        how often a member heartbeats (500; Kafka's is 3000):
 *                                a member learns that another joined (or left) only
 *                                from its next heartbeat, so this bounds how long a
 *                                rebalance waits for the members already in the group.
 *                                Must be lower than session.timeout.ms (checked by
 *                                rn_consumer_subscribe); at most a third of it is advised
 *   max.poll.interval.ms         the rebalance timeout sent in JoinGroup (300000)
 *   enable.auto.commit           true or false (true): commit, every
 *                                auto.commit.interval.ms, before a rebalance and at
 *                                close, the position after the records poll returned
 *                                before its latest call (those the application has
 *                                processed); at close, the positions themselves
 *   auto.commit.interval.ms      (5000)
 *   auto.offset.reset            earliest, latest or none (latest): where a partition
 *                                without a committed offset (or whose committed offset
 *                                is out of range) starts; none: poll reports the
 *                                partition as an error (RN_ERR_OFFSET_OUT_OF_RANGE)
 *   partition.assignment.strategy  assignors in order of preference, comma-separated:
 *                                range, roundrobin (range,roundrobin)
 */
typedef struct rn_conf_s rn_conf_t;

RN_API rn_conf_t *rn_conf_new(void);
RN_API void rn_conf_free(rn_conf_t *conf);

/* Set a key. 0, or a negative code with err naming the key and what was wrong
 * (unknown key, bad value). */
RN_API int rn_conf_set(rn_conf_t *conf, const char *key, const char *value, char *err,
                       size_t errlen);

/* ---- partitioners (DESIGN.md §7) --------------------------------------------------- */

#define RN_PARTITION_ANY (-1) /* let the partitioner (or the broker) choose */

/*
 * A partitioner picks a partition in [0, partition_count) for a record. key is NULL
 * when the record has no key (key_len is then -1). Called on the producer's background
 * thread. A result outside the range fails that record with an error.
 */
typedef int32_t (*rn_partitioner_fn)(void *opaque, const char *topic, const void *key,
                                     int32_t key_len, int32_t partition_count);

/* Install a custom partitioner (replaces the `partitioner` key's choice). */
RN_API void rn_conf_set_partitioner(rn_conf_t *conf, rn_partitioner_fn fn, void *opaque);

/* Kafka's default placement of a keyed record: murmur2(key) & 0x7fffffff mod count,
 * identical to the Java client and librdkafka. A NULL key maps to partition 0; use
 * the sticky partitioner for keyless records. */
RN_API int32_t rn_partition_hash(const void *key, int32_t key_len, int32_t partition_count);

/* ---- producer -------------------------------------------------------------------- */

typedef struct rn_producer_s rn_producer_t;

typedef struct rn_header_s {
    const char *key; /* NUL-terminated */
    const void *value;
    int32_t value_len; /* -1: null value */
} rn_header_t;

/* Delivery report: err 0 with the record's partition and offset (offset -1 under
 * acks=0), or the error that ended its delivery. msg_opaque is send's argument. */
typedef void (*rn_delivery_fn)(void *opaque, int err, const char *topic, int32_t partition,
                               int64_t offset, void *msg_opaque);

/* Start a producer: takes ownership of conf (even on failure). Does not connect yet.
 * Returns NULL with err filled on a bad configuration. dr may be NULL. */
RN_API rn_producer_t *rn_producer_new(rn_conf_t *conf, rn_delivery_fn dr, void *dr_opaque,
                                      char *err, size_t errlen);

/*
 * Queue a record. key/value NULL with length -1 mean null. partition RN_PARTITION_ANY
 * lets the partitioner choose. timestamp_ms 0 means now. Returns 0 once queued (the
 * delivery report follows), or a negative code: the queue is full (retry after
 * rn_producer_flush), the record is larger than message.max.bytes, the producer is
 * closing.
 */
RN_API int rn_producer_send(rn_producer_t *p, const char *topic, int32_t partition, const void *key,
                            int32_t key_len, const void *value, int32_t value_len,
                            const rn_header_t *headers, int32_t nheaders, int64_t timestamp_ms,
                            void *msg_opaque);

/* Wait until every queued record has its delivery report, or timeout_ms passes
 * (-1: no limit). 0, or a negative timeout code with the number still outstanding
 * available from rn_producer_outstanding. */
RN_API int rn_producer_flush(rn_producer_t *p, int timeout_ms);

/* Records queued or in flight without a delivery report yet. */
RN_API int64_t rn_producer_outstanding(rn_producer_t *p);

/* Flush (up to delivery.timeout.ms), stop the background thread and free. Records
 * still undelivered get a delivery report with an error first. NULL is ignored. */
RN_API void rn_producer_free(rn_producer_t *p);

/* ---- consumer (manual assignment, or a group: rn_consumer_subscribe) ------------- */

typedef struct rn_consumer_s rn_consumer_t;

#define RN_OFFSET_BEGINNING (-2) /* the partition's log start */
#define RN_OFFSET_END       (-1) /* the high watermark: only new records */

typedef struct rn_message_s {
    const char *topic;
    int32_t partition;
    int64_t offset;
    int64_t timestamp_ms;
    const void *key; /* NULL when null */
    int32_t key_len; /* -1 when null */
    const void *value;
    int32_t value_len;
    int32_t nheaders;
    const rn_header_t *headers;
} rn_message_t;

/* Takes ownership of conf (even on failure). NULL with err filled on bad config. */
RN_API rn_consumer_t *rn_consumer_new(rn_conf_t *conf, char *err, size_t errlen);

/* Add a partition to the assignment, starting at offset (>= 0, RN_OFFSET_BEGINNING or
 * RN_OFFSET_END). Assigning an assigned partition again seeks it. */
RN_API int rn_consumer_assign(rn_consumer_t *c, const char *topic, int32_t partition,
                              int64_t offset);

/* Assign every partition of topic (looked up now) at offset. Returns the partition
 * count (> 0) or an error (unknown topic: a positive protocol code). */
RN_API int rn_consumer_assign_topic(rn_consumer_t *c, const char *topic, int64_t offset, char *err,
                                    size_t errlen);

/*
 * The next record, waiting up to timeout_ms (-1: forever). Returns 1 and *msg (free it
 * with rn_message_free), 0 on timeout, or an error: a partition that failed (offset
 * out of range, topic deleted, a corrupt batch) reports once, with err filled, and is
 * not fetched again until it is assigned (sought) again. Offset out of range comes as
 * RN_ERR_OFFSET_OUT_OF_RANGE (its protocol code, 1, would read as "a message").
 */
RN_API int rn_consumer_poll(rn_consumer_t *c, int timeout_ms, rn_message_t **msg, char *err,
                            size_t errlen);

/* The next offset the consumer will return for a partition, or -1 if not assigned. */
RN_API int64_t rn_consumer_position(rn_consumer_t *c, const char *topic, int32_t partition);

/* ---- consumer groups (docs/groups.md) --------------------------------------------- */

/* Rebalance callbacks, called on the thread inside rn_consumer_poll (never
 * concurrently): revoked before a rebalance takes partitions away (after the last
 * auto commit of them), assigned once the new assignment is known and its starting
 * offsets fetched. parts lists (topic, partition) pairs: topics[i], partitions[i]. */
typedef void (*rn_rebalance_fn)(void *opaque, rn_consumer_t *c, const char *const *topics,
                                const int32_t *partitions, int32_t count);

/* Install rebalance callbacks (either may be NULL) for consumers made from conf. */
RN_API void rn_conf_set_rebalance_cb(rn_conf_t *conf, rn_rebalance_fn assigned,
                                     rn_rebalance_fn revoked, void *opaque);

/*
 * Join group.id (required) subscribed to topics[0..n): the group's members share the
 * topics' partitions, and rn_consumer_poll returns records of the partitions assigned
 * to this member, starting at the group's committed offsets (else auto.offset.reset).
 * Replaces any manual assignment; may be called once per consumer. Returns 0, or an
 * error with err filled (no group.id, a bad topic name, heartbeat.interval.ms not
 * lower than session.timeout.ms). Joining happens in the background; poll drives
 * the callbacks.
 */
RN_API int rn_consumer_subscribe(rn_consumer_t *c, const char *const *topics, int32_t n, char *err,
                                 size_t errlen);

/* Commit the current position of every assigned partition (the next offset poll would
 * return) and wait for the coordinator's answer, up to request.timeout.ms. 0, or the
 * error (e.g. a rebalance took the partitions: REBALANCE_IN_PROGRESS / ILLEGAL_GENERATION;
 * no group: RN_EINVAL-like negative code) with err filled. While the member is not in
 * a stable generation (joining, or looking for its coordinator) it fails at once with
 * REBALANCE_IN_PROGRESS / COORDINATOR_NOT_AVAILABLE: the records will be read again by
 * whoever gets the partitions, never skipped. */
RN_API int rn_consumer_commit_sync(rn_consumer_t *c, char *err, size_t errlen);

/* The same without waiting: cb (may be NULL) is called with the outcome on the thread
 * of a later rn_consumer_poll / rn_consumer_close. 0 once queued. */
typedef void (*rn_commit_fn)(void *opaque, int err);
RN_API int rn_consumer_commit_async(rn_consumer_t *c, rn_commit_fn cb, void *opaque);

/* The partitions assigned now (manual or by the group): arrays owned by the caller,
 * free with rn_consumer_assignment_free. Returns the count. */
RN_API int32_t rn_consumer_assignment(rn_consumer_t *c, char ***topics, int32_t **partitions);
RN_API void rn_consumer_assignment_free(char **topics, int32_t *partitions, int32_t count);

/* Leave the group (with enable.auto.commit, commit first), so the others rebalance at
 * once; then the consumer only frees (poll returns RN_ERR_CLOSED). The revoked callback
 * and pending commit_async callbacks run inside it. Waits at most request.timeout.ms
 * for the commit and 5 s for LeaveGroup. Idempotent; rn_consumer_free calls it. */
RN_API void rn_consumer_close(rn_consumer_t *c);

/* Release a message from rn_consumer_poll; any thread, in any order, also after
 * rn_consumer_free. Messages are carved from shared 64 KiB blocks: a block is freed
 * when its last message is, so holding one message keeps its whole block. */
RN_API void rn_message_free(rn_message_t *msg);
RN_API void rn_consumer_free(rn_consumer_t *c);

/* ---- admin ------------------------------------------------------------------------ */

typedef struct rn_admin_s rn_admin_t;

typedef struct rn_config_entry_s {
    const char *name;
    const char *value; /* NULL: remove the override (alter) / no value (describe) */
    int is_default;    /* describe: the broker default applies */
} rn_config_entry_t;

typedef struct rn_partition_info_s {
    int32_t partition;
    int32_t leader; /* -1 when offline */
    int32_t leader_epoch;
    int32_t nreplicas, nisr;
    const int32_t *replicas, *isr;
    int64_t log_start_offset, high_watermark, log_end_offset;
} rn_partition_info_t;

typedef struct rn_topic_info_s {
    const char *name;
    int32_t npartitions;
    int32_t replication_factor;
    const rn_partition_info_t *partitions;
    int32_t nconfigs; /* every topic config: the override, else the broker default
                       * (is_default set; value NULL when it has none, e.g. flush.ms) */
    const rn_config_entry_t *configs;
} rn_topic_info_t;

typedef struct rn_broker_info_s {
    int32_t id;
    const char *host;
    int32_t port;
    int fenced;
    int is_controller;
} rn_broker_info_t;

/* Takes ownership of conf (even on failure). */
RN_API rn_admin_t *rn_admin_new(rn_conf_t *conf, char *err, size_t errlen);
RN_API void rn_admin_free(rn_admin_t *a);

/* Every call below blocks until the broker answers or request.timeout.ms passes and
 * fills err with one line naming the topic and the problem on failure. */
RN_API int rn_admin_create_topic(rn_admin_t *a, const char *name, int32_t partitions,
                                 int32_t replication_factor, const rn_config_entry_t *configs,
                                 int32_t nconfigs, char *err, size_t errlen);
RN_API int rn_admin_delete_topic(rn_admin_t *a, const char *name, char *err, size_t errlen);

/* Grow topic name to new_total partitions (CreatePartitions, at the controller);
 * the broker places the new partitions. A new_total not above the current count
 * fails with 37 = INVALID_PARTITIONS ("topic T has 3 partitions; it can only grow").
 * Producers and consumers see the new partitions at their next metadata
 * refresh (metadata.max.age.ms); keyed records then hash to other partitions. */
RN_API int rn_admin_create_partitions(rn_admin_t *a, const char *name, int32_t new_total, char *err,
                                      size_t errlen);

/* Topic names, sorted; free with rn_admin_names_free. */
RN_API int rn_admin_list_topics(rn_admin_t *a, char ***names, int32_t *count, char *err,
                                size_t errlen);
RN_API void rn_admin_names_free(char **names, int32_t count);

/* One topic with partitions, offsets and effective configs; free with
 * rn_admin_topic_free. The offsets of partitions whose leader is offline or cannot
 * be reached (a dead broker not yet fenced) are -1; only an error from a broker
 * that answered fails the call. */
RN_API int rn_admin_describe_topic(rn_admin_t *a, const char *name, rn_topic_info_t **out,
                                   char *err, size_t errlen);
RN_API void rn_admin_topic_free(rn_topic_info_t *t);

/* Set (value != NULL) or remove (value == NULL) topic config overrides; keys not
 * named are left alone. Nothing changes when any entry is invalid. */
RN_API int rn_admin_alter_topic_configs(rn_admin_t *a, const char *name,
                                        const rn_config_entry_t *configs, int32_t nconfigs,
                                        char *err, size_t errlen);

/* Brokers of the cluster; free with rn_admin_brokers_free. */
RN_API int rn_admin_list_brokers(rn_admin_t *a, rn_broker_info_t **out, int32_t *count, char *err,
                                 size_t errlen);
RN_API void rn_admin_brokers_free(rn_broker_info_t *brokers, int32_t count);

/* One member of the metadata quorum. */
typedef struct rn_quorum_replica_info_s {
    int32_t id;             /* broker id */
    int64_t log_end_offset; /* last metadata log index known for it; -1 unknown */
} rn_quorum_replica_info_t;

/* The metadata quorum (Raft group) as the controller, or any broker while none is
 * known, reports it. A broker that is not the controller knows only its own log end. */
typedef struct rn_quorum_info_s {
    int32_t leader_id;      /* the controller; -1 unknown */
    int32_t leader_epoch;   /* the Raft term */
    int64_t high_watermark; /* last committed metadata log index */
    int32_t nvoters, nobservers;
    const rn_quorum_replica_info_t *voters;    /* sorted by id */
    const rn_quorum_replica_info_t *observers; /* non-voting standbys, sorted by id */
} rn_quorum_info_t;

/* DescribeQuorum; free with rn_admin_quorum_free. */
RN_API int rn_admin_describe_quorum(rn_admin_t *a, rn_quorum_info_t **out, char *err,
                                    size_t errlen);
RN_API void rn_admin_quorum_free(rn_quorum_info_t *q);

/* One partition's outcome of a preferred leader election. */
typedef struct rn_election_result_s {
    char *topic;
    int32_t partition;
    int error;     /* 0: leadership moved to the preferred replica; else a wire error
                      (rn_err_str): ELECTION_NOT_NEEDED (84) when it leads already,
                      PREFERRED_LEADER_NOT_AVAILABLE (80) when it is not alive and in sync */
    char *message; /* the broker's detail, or NULL */
} rn_election_result_t;

/* Preferred leader election (ElectLeaders) for every partition of topic, or of every
 * topic when topic is NULL: the controller moves each partition's leadership to its
 * first assigned replica when that replica is alive and in the ISR. *out (one entry
 * per partition, free with rn_admin_election_results_free) and *count on success;
 * a non-zero return is a request-level failure (unknown topic, no controller). */
RN_API int rn_admin_elect_leaders(rn_admin_t *a, const char *topic, rn_election_result_t **out,
                                  int32_t *count, char *err, size_t errlen);
RN_API void rn_admin_election_results_free(rn_election_result_t *r, int32_t count);

/* ---- groups (admin) --------------------------------------------------------------- */

/* One group member as DescribeGroups reports it, with its assignment decoded. */
typedef struct rn_group_member_info_s {
    char *member_id;
    char *client_id;
    char *host;
    int32_t nassigned;
    char **topics; /* nassigned (topic, partition) pairs */
    int32_t *partitions;
} rn_group_member_info_t;

/* A partition of a group: committed offset (-1: none), the log end (the HW; -1 when
 * unknown) and lag (log end - committed; -1 when either is unknown), and the member it
 * is assigned to (NULL when none). */
typedef struct rn_group_offset_info_s {
    char *topic;
    int32_t partition;
    int64_t committed;
    int64_t log_end;
    int64_t lag;
    const rn_group_member_info_t *member; /* into members[], or NULL */
} rn_group_offset_info_t;

typedef struct rn_group_info_s {
    char *group_id;
    char *state; /* Empty, PreparingRebalance, CompletingRebalance, Stable, Dead */
    char *protocol;
    int32_t nmembers;
    rn_group_member_info_t *members;
    int32_t noffsets; /* every partition with a committed offset or an assigned member, */
    rn_group_offset_info_t *offsets; /* sorted by topic, partition */
} rn_group_info_t;

/* Group ids of the cluster (ListGroups to every broker), sorted; free with
 * rn_admin_names_free. */
RN_API int rn_admin_list_groups(rn_admin_t *a, char ***names, int32_t *count, char *err,
                                size_t errlen);

/* DescribeGroups + OffsetFetch at the group's coordinator, log ends from the leaders;
 * free with rn_admin_group_free. An unknown group is an error (GROUP_ID_NOT_FOUND). */
RN_API int rn_admin_describe_group(rn_admin_t *a, const char *group, rn_group_info_t **out,
                                   char *err, size_t errlen);
RN_API void rn_admin_group_free(rn_group_info_t *g);

/* Commit offsets for every partition of topic for group: to_offset >= 0, or
 * RN_OFFSET_BEGINNING / RN_OFFSET_END (each partition's log start / HW). Refused with
 * an error naming the group while it has members (the coordinator answers
 * UNKNOWN_MEMBER_ID to a simple commit; reported as "group G has active members").
 * *count gets the number of partitions reset. */
RN_API int rn_admin_reset_group_offsets(rn_admin_t *a, const char *group, const char *topic,
                                        int64_t to_offset, int32_t *count, char *err,
                                        size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
