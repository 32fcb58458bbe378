/*
 * wire_errors.h — the error codes carried in protocol messages (int16 error_code
 * fields): Apache Kafka's numbers and names, so that operators recognise them and a
 * Kafka-protocol listener can pass them through unchanged.
 *
 * These are a separate type from runnel's internal codes (common/errors.h): a handler
 * converts explicitly with rn_wire_err_from, never by cast. "Retriable" follows Kafka:
 * the same request may succeed if sent again later (typically after refreshing
 * metadata); clients retry those until their delivery timeout runs out.
 *
 * docs/protocol.md holds the same table.
 */
#ifndef RN_PROTO_WIRE_ERRORS_H
#define RN_PROTO_WIRE_ERRORS_H

#include <stdbool.h>
#include <stdint.h>

typedef int16_t rn_wire_err_t;

/* X(NAME, code, retriable, message) */
#define RN_WIRE_ERROR_TABLE(X)                                                                     \
    X(UNKNOWN_SERVER_ERROR, -1, 0, "the server hit an unexpected error")                           \
    X(NONE, 0, 0, "no error")                                                                      \
    X(OFFSET_OUT_OF_RANGE, 1, 0, "offset outside the partition's log")                             \
    X(CORRUPT_MESSAGE, 2, 1, "record batch failed its checksum or is otherwise corrupt")           \
    X(UNKNOWN_TOPIC_OR_PARTITION, 3, 1, "this broker does not host the topic-partition")           \
    X(INVALID_FETCH_SIZE, 4, 0, "invalid fetch size")                                              \
    X(LEADER_NOT_AVAILABLE, 5, 1, "the partition has no leader (election in progress)")            \
    X(NOT_LEADER_OR_FOLLOWER, 6, 1, "this broker is not the partition's leader (or replica)")      \
    X(REQUEST_TIMED_OUT, 7, 1, "the request timed out")                                            \
    X(BROKER_NOT_AVAILABLE, 8, 0, "the broker is not available")                                   \
    X(REPLICA_NOT_AVAILABLE, 9, 1, "the replica is not available")                                 \
    X(MESSAGE_TOO_LARGE, 10, 0, "record batch larger than the broker accepts")                     \
    X(STALE_CONTROLLER_EPOCH, 11, 0, "the controller moved to another broker")                     \
    X(OFFSET_METADATA_TOO_LARGE, 12, 0, "offset commit metadata too large")                        \
    X(NETWORK_EXCEPTION, 13, 1, "the server disconnected before a response was received")          \
    X(COORDINATOR_LOAD_IN_PROGRESS, 14, 1, "the coordinator is still loading")                     \
    X(COORDINATOR_NOT_AVAILABLE, 15, 1, "the coordinator is not available")                        \
    X(NOT_COORDINATOR, 16, 1, "this broker is not the coordinator")                                \
    X(INVALID_TOPIC_EXCEPTION, 17, 0, "invalid topic name or operation on an internal topic")      \
    X(RECORD_LIST_TOO_LARGE, 18, 0, "record batch larger than the segment size")                   \
    X(NOT_ENOUGH_REPLICAS, 19, 1, "fewer in-sync replicas than min.insync.replicas")               \
    X(NOT_ENOUGH_REPLICAS_AFTER_APPEND, 20, 1,                                                     \
      "appended, but to fewer in-sync replicas than "                                              \
      "required")                                                                                  \
    X(INVALID_REQUIRED_ACKS, 21, 0, "acks must be -1, 0 or 1")                                     \
    X(ILLEGAL_GENERATION, 22, 0, "unknown group generation")                                       \
    X(INCONSISTENT_GROUP_PROTOCOL, 23, 0, "member protocols incompatible with the group")          \
    X(INVALID_GROUP_ID, 24, 0, "invalid group id")                                                 \
    X(UNKNOWN_MEMBER_ID, 25, 0, "the coordinator does not know this member")                       \
    X(INVALID_SESSION_TIMEOUT, 26, 0, "session timeout outside the broker's allowed range")        \
    X(REBALANCE_IN_PROGRESS, 27, 0, "the group is rebalancing; rejoin")                            \
    X(INVALID_COMMIT_OFFSET_SIZE, 28, 0, "invalid offset commit size")                             \
    X(TOPIC_AUTHORIZATION_FAILED, 29, 0, "topic authorization failed")                             \
    X(GROUP_AUTHORIZATION_FAILED, 30, 0, "group authorization failed")                             \
    X(CLUSTER_AUTHORIZATION_FAILED, 31, 0, "cluster authorization failed")                         \
    X(INVALID_TIMESTAMP, 32, 0, "timestamp out of the acceptable range")                           \
    X(UNSUPPORTED_SASL_MECHANISM, 33, 0, "unsupported SASL mechanism")                             \
    X(ILLEGAL_SASL_STATE, 34, 0, "request not valid in the current SASL state")                    \
    X(UNSUPPORTED_VERSION, 35, 0, "unsupported API key or version")                                \
    X(TOPIC_ALREADY_EXISTS, 36, 0, "topic already exists")                                         \
    X(INVALID_PARTITIONS, 37, 0, "invalid number of partitions")                                   \
    X(INVALID_REPLICATION_FACTOR, 38, 0, "replication factor below 1 or above the broker count")   \
    X(INVALID_REPLICA_ASSIGNMENT, 39, 0, "invalid replica assignment")                             \
    X(INVALID_CONFIG, 40, 0, "invalid configuration")                                              \
    X(NOT_CONTROLLER, 41, 1, "this broker is not the controller")                                  \
    X(INVALID_REQUEST, 42, 0, "malformed or invalid request")                                      \
    X(UNSUPPORTED_FOR_MESSAGE_FORMAT, 43, 0, "not supported by the record format")                 \
    X(POLICY_VIOLATION, 44, 0, "request violates the configured policy")                           \
    X(OUT_OF_ORDER_SEQUENCE_NUMBER, 45, 0, "out of order producer sequence number")                \
    X(DUPLICATE_SEQUENCE_NUMBER, 46, 0, "duplicate producer sequence number")                      \
    X(INVALID_PRODUCER_EPOCH, 47, 0, "producer epoch is old")                                      \
    X(INVALID_TXN_STATE, 48, 0, "invalid transaction state")                                       \
    X(INVALID_PRODUCER_ID_MAPPING, 49, 0, "producer id not assigned to this transactional id")     \
    X(INVALID_TRANSACTION_TIMEOUT, 50, 0, "transaction timeout too large")                         \
    X(CONCURRENT_TRANSACTIONS, 51, 0, "another operation on this transaction is in progress")      \
    X(TRANSACTION_COORDINATOR_FENCED, 52, 0, "transaction coordinator fenced")                     \
    X(TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 53, 0, "transactional id authorization failed")       \
    X(SECURITY_DISABLED, 54, 0, "security features are disabled")                                  \
    X(OPERATION_NOT_ATTEMPTED, 55, 0,                                                              \
      "operation not attempted (another part of the batch "                                        \
      "failed)")                                                                                   \
    X(KAFKA_STORAGE_ERROR, 56, 1, "disk error on the broker")                                      \
    X(LOG_DIR_NOT_FOUND, 57, 0, "log directory not found")                                         \
    X(SASL_AUTHENTICATION_FAILED, 58, 0, "SASL authentication failed")                             \
    X(UNKNOWN_PRODUCER_ID, 59, 0, "unknown producer id")                                           \
    X(REASSIGNMENT_IN_PROGRESS, 60, 0, "a partition reassignment is in progress")                  \
    X(NON_EMPTY_GROUP, 68, 0, "the group is not empty")                                            \
    X(GROUP_ID_NOT_FOUND, 69, 0, "the group id does not exist")                                    \
    X(FETCH_SESSION_ID_NOT_FOUND, 70, 1, "fetch session not found")                                \
    X(INVALID_FETCH_SESSION_EPOCH, 71, 1, "invalid fetch session epoch")                           \
    X(LISTENER_NOT_FOUND, 72, 1, "no matching listener on the leader")                             \
    X(TOPIC_DELETION_DISABLED, 73, 0, "topic deletion is disabled")                                \
    X(FENCED_LEADER_EPOCH, 74, 1, "leader epoch in the request is older than the broker's")        \
    X(UNKNOWN_LEADER_EPOCH, 75, 1, "leader epoch in the request is newer than the broker's")       \
    X(UNSUPPORTED_COMPRESSION_TYPE, 76, 0, "unsupported compression codec")                        \
    X(STALE_BROKER_EPOCH, 77, 0, "broker epoch has changed")                                       \
    X(OFFSET_NOT_AVAILABLE, 78, 1, "high watermark not yet caught up after a leader change")       \
    X(MEMBER_ID_REQUIRED, 79, 0, "the member needs a member id first")                             \
    X(PREFERRED_LEADER_NOT_AVAILABLE, 80, 1, "the preferred leader is not available")              \
    X(GROUP_MAX_SIZE_REACHED, 81, 0, "the group has reached its maximum size")                     \
    X(FENCED_INSTANCE_ID, 82, 0, "static member fenced by another with the same instance id")      \
    X(ELIGIBLE_LEADERS_NOT_AVAILABLE, 83, 1, "no eligible leader for the partition")               \
    X(ELECTION_NOT_NEEDED, 84, 0, "leader election not needed")                                    \
    X(NO_REASSIGNMENT_IN_PROGRESS, 85, 0, "no partition reassignment in progress")                 \
    X(GROUP_SUBSCRIBED_TO_TOPIC, 86, 0, "the group is subscribed to the topic")                    \
    X(INVALID_RECORD, 87, 0, "a record failed broker-side validation")                             \
    X(UNSTABLE_OFFSET_COMMIT, 88, 1, "unstable offsets need to be cleared")                        \
    X(THROTTLING_QUOTA_EXCEEDED, 89, 1, "throttling quota exceeded")

enum {
#define RN__WIRE_ERR_ENUM(name, code, retriable, msg) RN_WIRE_##name = code,
    RN_WIRE_ERROR_TABLE(RN__WIRE_ERR_ENUM)
#undef RN__WIRE_ERR_ENUM
};

/* "NOT_LEADER_OR_FOLLOWER"; "UNKNOWN_WIRE_ERROR" for a code not in the table (a newer
 * peer may send one). Never NULL. Thread-safe. */
const char *rn_wire_err_name(rn_wire_err_t err);

/* A short description; for codes not in the table, UNKNOWN_SERVER_ERROR's. */
const char *rn_wire_err_message(rn_wire_err_t err);

/* Whether a client may retry the request that failed with err. Codes not in the table
 * are not retriable (Kafka clients treat them as UNKNOWN_SERVER_ERROR). */
bool rn_wire_err_retriable(rn_wire_err_t err);

/* The wire code a handler sends for an internal error code rc (0 -> NONE):
 *   RN_ECORRUPT, RN_EMALFORMED, RN_EBADCOUNT,
 *   RN_EBADOFFSET, RN_EBADMAGIC                -> CORRUPT_MESSAGE
 *   RN_ETOOLARGE                               -> MESSAGE_TOO_LARGE
 *   RN_EBADCODEC                               -> UNSUPPORTED_COMPRESSION_TYPE
 *   RN_EOFFSETRANGE                            -> OFFSET_OUT_OF_RANGE
 *   RN_EBADVERSION                             -> UNSUPPORTED_VERSION
 *   RN_ECONFIG                                 -> INVALID_CONFIG
 *   anything else (including -errno)           -> UNKNOWN_SERVER_ERROR
 * Handlers convert per-partition results, where RN_EMALFORMED comes from validating
 * record data (rn_batch_validate): that is the data's fault, CORRUPT_MESSAGE, as Kafka
 * answers for bad records. A request body that does not decode at all is answered by
 * the dispatcher with INVALID_REQUEST directly (docs/protocol.md, "Errors"). */
rn_wire_err_t rn_wire_err_from(int rc);

#endif
