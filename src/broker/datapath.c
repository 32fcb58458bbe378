/*
 * datapath.c — what Produce, Fetch and ListOffsets share: finding the partition a
 * request names (with the leader and epoch checks) and turning internal error codes
 * from the log and the batch codec into wire codes.
 */
#include "broker/datapath_int.h"
#include "common/errors.h"

rn_wire_err_t rn__datapath_err(int rc) {
    if (rc == RN_ECOMPRESS)
        return RN_WIRE_CORRUPT_MESSAGE; /* the batch does not inflate: its fault */
    if (rc < 0 && rc > RN_ERROR_END)
        return RN_WIRE_KAFKA_STORAGE_ERROR; /* -errno from the file system */
    return rn_wire_err_from(rc);
}

rn_wire_err_t rn__datapath_lookup(rn_broker_t *b, rn_str_t topic, int32_t partition,
                                  int32_t current_epoch, bool need_leader, rn_partition_t **out) {
    *out = NULL;
    if (b->parts == NULL || topic.len < 0)
        return RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION;
    rn_ptopic_t *t = rn_partitions_topic(b->parts, topic.ptr, (size_t)topic.len);
    if (t == NULL || partition < 0 || partition >= t->npartitions)
        return RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION;
    rn_partition_t *part = t->parts[partition];
    if (part == NULL || (need_leader && !part->is_leader))
        return RN_WIRE_NOT_LEADER_OR_FOLLOWER;
    if (current_epoch >= 0 && current_epoch < part->leader_epoch)
        return RN_WIRE_FENCED_LEADER_EPOCH;
    if (current_epoch >= 0 && current_epoch > part->leader_epoch)
        return RN_WIRE_UNKNOWN_LEADER_EPOCH;
    *out = part;
    return RN_WIRE_NONE;
}
