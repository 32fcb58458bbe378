/*
 * api.h — the API keys of the runnel protocol and the versions this codec speaks.
 *
 * Keys are Apache Kafka's numbers. A row with versions -1..-1 is reserved: the key is
 * assigned (a later issue implements it) but there is no codec yet.
 *
 *   key  name              codec versions
 *   ---  ----------------  --------------
 *     0  Produce           0..0
 *     1  Fetch             0..0
 *     2  ListOffsets       0..0
 *     3  Metadata          0..1
 *     8  OffsetCommit      0..0   api_offsets.h
 *     9  OffsetFetch       0..0   api_offsets.h
 *    10  FindCoordinator   0..0   api_find_coordinator.h
 *    11  JoinGroup         0..0   api_group.h
 *    12  Heartbeat         0..0   api_group.h
 *    13  LeaveGroup        0..0   api_group.h
 *    14  SyncGroup         0..0   api_group.h
 *    15  DescribeGroups    0..0   api_groups_admin.h
 *    16  ListGroups        0..0   api_groups_admin.h
 *    18  ApiVersions       0..0
 *    19  CreateTopics      0..0
 *    20  DeleteTopics      0..0
 *    32  DescribeConfigs   0..0
 *    33  AlterConfigs      0..0
 *    37  CreatePartitions  0..0
 *    43  ElectLeaders      0..0   api_elect_leaders.h
 *    55  DescribeQuorum    0..0
 *    56  AlterPartition    0..0
 *    60  DescribeCluster   reserved
 *    63  BrokerHeartbeat   0..2
 *
 * This is what the codec can encode and decode — NOT what a broker advertises or
 * answers. The broker's dispatch table (src/broker/dispatch.c: key, versions, handler,
 * error-body encoder) is the one list of what the broker speaks: ApiVersions lists its
 * rows, and a request whose key has no row there is answered UNSUPPORTED_VERSION even
 * when this table has a codec for it (the group APIs and ElectLeaders have codecs
 * before they have handlers). A dispatch row's versions must lie inside this table's.
 * Every encode/decode function takes the version and refuses one outside this range
 * with RN_EBADVERSION; a v1 adds fields behind `if (version >= 1)` in the codec.
 */
#ifndef RN_PROTO_API_H
#define RN_PROTO_API_H

#include <stdint.h>

/* X(ENUM, key, name, min_version, max_version) */
#define RN_API_TABLE(X)                                                                            \
    X(PRODUCE, 0, "Produce", 0, 0)                                                                 \
    X(FETCH, 1, "Fetch", 0, 0)                                                                     \
    X(LIST_OFFSETS, 2, "ListOffsets", 0, 0)                                                        \
    X(METADATA, 3, "Metadata", 0, 1)                                                               \
    X(OFFSET_COMMIT, 8, "OffsetCommit", 0, 0)                                                      \
    X(OFFSET_FETCH, 9, "OffsetFetch", 0, 0)                                                        \
    X(FIND_COORDINATOR, 10, "FindCoordinator", 0, 0)                                               \
    X(JOIN_GROUP, 11, "JoinGroup", 0, 0)                                                           \
    X(HEARTBEAT, 12, "Heartbeat", 0, 0)                                                            \
    X(LEAVE_GROUP, 13, "LeaveGroup", 0, 0)                                                         \
    X(SYNC_GROUP, 14, "SyncGroup", 0, 0)                                                           \
    X(DESCRIBE_GROUPS, 15, "DescribeGroups", 0, 0)                                                 \
    X(LIST_GROUPS, 16, "ListGroups", 0, 0)                                                         \
    X(API_VERSIONS, 18, "ApiVersions", 0, 0)                                                       \
    X(CREATE_TOPICS, 19, "CreateTopics", 0, 0)                                                     \
    X(DELETE_TOPICS, 20, "DeleteTopics", 0, 0)                                                     \
    X(DESCRIBE_CONFIGS, 32, "DescribeConfigs", 0, 0)                                               \
    X(ALTER_CONFIGS, 33, "AlterConfigs", 0, 0)                                                     \
    X(CREATE_PARTITIONS, 37, "CreatePartitions", 0, 0)                                             \
    X(ELECT_LEADERS, 43, "ElectLeaders", 0, 0)                                                     \
    X(DESCRIBE_QUORUM, 55, "DescribeQuorum", 0, 0)                                                 \
    X(ALTER_PARTITION, 56, "AlterPartition", 0, 0)                                                 \
    X(DESCRIBE_CLUSTER, 60, "DescribeCluster", -1, -1)                                             \
    X(BROKER_HEARTBEAT, 63, "BrokerHeartbeat", 0, 2)

enum {
#define RN__API_ENUM(name, key, str, min, max) RN_API_##name = key,
    RN_API_TABLE(RN__API_ENUM)
#undef RN__API_ENUM
};

typedef struct rn_api_info_s {
    int16_t key;
    const char *name;    /* Kafka's name, "Produce" */
    int16_t min_version; /* -1 for a reserved key */
    int16_t max_version; /* -1 for a reserved key */
} rn_api_info_t;

/* The row for key, or NULL when the key is not assigned. Thread-safe. */
const rn_api_info_t *rn_api_info(int16_t key);

/* Kafka's name of the key ("Metadata"), or "Unknown" for an unassigned key. */
const char *rn_api_name(int16_t key);

/* 0 when the codec speaks (key, version), else RN_EBADVERSION (unknown or reserved
 * key, or a version outside min..max). */
int rn_api_check_version(int16_t key, int16_t version);

/*
 * Codec functions. Every API header (api_<name>.h) declares, for its request and its
 * response message rn_<msg>_t:
 *
 *   int  rn_<msg>_encode(rn_writer_t *wr, int16_t version, const rn_<msg>_t *m);
 *   int  rn_<msg>_decode(const uint8_t *p, size_t len, int16_t version, rn_<msg>_t *m);
 *   void rn_<msg>_deinit(rn_<msg>_t *m);
 *
 *   encode  appends the body (no frame, no header) to wr. Returns 0; RN_EBADVERSION
 *           (version outside this table's range); RN_ETOOLARGE / RN_EMALFORMED for a
 *           value the wire cannot carry (a string over 32767 bytes, a null
 *           non-nullable string, a negative count for a non-nullable array). Nothing
 *           is written on error. m is borrowed; its arena is not used.
 *   decode  decodes exactly p[0..len) as the body. Returns 0; RN_EBADVERSION;
 *           RN_EMALFORMED (short input, bad lengths or counts, bytes left over). On
 *           success m owns an arena holding its arrays; its strings and bytes are
 *           VIEWS into p, which must outlive m. On error m is left deinit'ed.
 *   deinit  frees what decode allocated and zeroes m (harmless on a zeroed m).
 *
 * Arrays are a pointer plus a count, `x` and `n_x`; a count of -1 is a null array
 * where the protocol allows one. Pure functions, no global state: any thread may call
 * them on its own messages.
 */

/* The rows, in key order, for iteration. (ApiVersions lists the broker's dispatch table,
 * not this one.) */
const rn_api_info_t *rn_api_table(int *count);

#endif
