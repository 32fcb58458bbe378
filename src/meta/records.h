/*
 * records.h — the metadata records: every change to cluster metadata is one of these,
 * committed in the Raft log (quorum.h) and applied to the image (image.h).
 *
 * A record on the wire (big-endian, proto/reader.h + writer.h):
 *
 *   type int16 | version int16 | fields of that type and version
 *
 *   string   := len int16 (0..32767) | bytes            (no NUL)
 *   nstring  := len int16 (-1 = null) | bytes
 *   id       := 16 bytes
 *   i32array := n int32 (>= 0) | n × int32
 *
 *   1 RegisterBroker v0   broker_id i32 | host string | port u16 | fenced i8
 *   2 FenceBroker v0      broker_id i32
 *   3 UnfenceBroker v0    broker_id i32
 *   4 CreateTopic v0      name string | topic_id id | npartitions i32 |
 *                           npartitions × (replicas i32array | leader i32 |
 *                                          leader_epoch i32 | isr i32array) |
 *                           nconfigs i32 | nconfigs × (key string | value string)
 *   5 DeleteTopic v0      name string | topic_id id
 *   6 PartitionChange v0  name string | topic_id id | partition i32 | leader i32 |
 *                           leader_epoch i32 | isr i32array
 *   7 SetTopicConfig v0   name string | key string | value nstring (null = remove)
 *   8 SetClusterId v0     cluster_id id
 *   9 CreatePartitions v0 name string | topic_id id | first i32 | npartitions i32 |
 *                           npartitions × (replicas i32array | leader i32 |
 *                                          leader_epoch i32 | isr i32array)
 *                         (partitions first, first+1, ... appended to the topic;
 *                          first must be the topic's current count)
 *
 * A Raft entry carries a batch of records, each length-prefixed so that a broker can
 * skip a record it does not know and still read the rest:
 *
 *   entry := magic u8 (0x4d 'M') | format i8 (0) | count i32 | count × (len i32 | record)
 *            | 0..7 zero bytes, so that the entry's length is a multiple of 8
 *
 * The padding is libraft's need, not ours: its uv backend (0.15) pads entry data to 8
 * bytes on disk but checksums the unpadded length, so an entry of any other length
 * reads back as corrupt after a restart (and libraft then moves the segment aside).
 *
 * Decoding is bounds-checked everywhere and never trusts a count: every array length
 * is checked against the bytes left before anything is allocated, so a hostile input
 * cannot make the decoder allocate more than a small multiple of its own size. Bad
 * input is RN_EMALFORMED; an unknown type or version is RN_EBADVERSION.
 *
 * A decoded record owns its memory (copies of strings and arrays); release it with
 * rn_meta_record_deinit.
 */
#ifndef RN_META_RECORDS_H
#define RN_META_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "meta/image.h"
#include "proto/writer.h"

typedef enum {
    RN_MREC_REGISTER_BROKER = 1,
    RN_MREC_FENCE_BROKER = 2,
    RN_MREC_UNFENCE_BROKER = 3,
    RN_MREC_CREATE_TOPIC = 4,
    RN_MREC_DELETE_TOPIC = 5,
    RN_MREC_PARTITION_CHANGE = 6,
    RN_MREC_SET_TOPIC_CONFIG = 7,
    RN_MREC_SET_CLUSTER_ID = 8,
    RN_MREC_CREATE_PARTITIONS = 9,
} rn_meta_record_type_t;

#define RN_MREC_ENTRY_MAGIC  0x4d
#define RN_MREC_ENTRY_FORMAT 0

typedef struct rn_meta_record_s {
    int16_t type;    /* rn_meta_record_type_t */
    int16_t version; /* 0 for every type today */
    union {
        struct {
            int32_t broker_id;
            char *host;
            uint16_t port;
            bool fenced;
        } register_broker;
        struct {
            int32_t broker_id;
        } fence; /* FenceBroker and UnfenceBroker */
        struct {
            char *name;
            uint8_t topic_id[RN_META_ID_LEN];
            rn_meta_partition_t *partitions;
            int32_t npartitions;
            rn_meta_kv_t *configs;
            int32_t nconfigs;
        } create_topic;
        struct {
            char *name;
            uint8_t topic_id[RN_META_ID_LEN];
        } delete_topic;
        struct {
            char *name;
            uint8_t topic_id[RN_META_ID_LEN];
            int32_t partition;
            int32_t leader;
            int32_t leader_epoch;
            int32_t *isr;
            int32_t nisr;
        } partition_change;
        struct {
            char *name;
            char *key;
            char *value; /* NULL: remove the override */
        } set_config;
        struct {
            uint8_t id[RN_META_ID_LEN];
        } cluster_id;
        struct {
            char *name;
            uint8_t topic_id[RN_META_ID_LEN];
            int32_t first;                   /* index of the first new partition: the old count */
            rn_meta_partition_t *partitions; /* the new ones, first.. */
            int32_t npartitions;
        } create_partitions;
    };
} rn_meta_record_t;

/* Free what rec owns and zero it. A zeroed record is a no-op. */
void rn_meta_record_deinit(rn_meta_record_t *rec);

/* Deep copy src into dst (dst is overwritten, not freed). */
void rn_meta_record_copy(rn_meta_record_t *dst, const rn_meta_record_t *src);

/* Append rec's encoding (type, version, fields) to wr. The record must be well formed
 * (strings non-NULL and at most 32767 bytes, arrays as long as their counts): a
 * violation is a programmer error and asserts. */
void rn_meta_record_encode(const rn_meta_record_t *rec, rn_writer_t *wr);

/* Decode one record from p[0..len), which must hold exactly that record. 0 and *out
 * filled (owned by the caller), or RN_EMALFORMED / RN_EBADVERSION with *out zeroed. */
int rn_meta_record_decode(const void *p, size_t len, rn_meta_record_t *out);

/* Encode n records as one Raft entry (see the layout above) into wr. */
void rn_meta_entry_encode(const rn_meta_record_t *recs, size_t n, rn_writer_t *wr);

/* Walk an entry: rn_meta_entry_open checks the header and returns the record count;
 * rn_meta_entry_next then yields each record's bytes in turn. Both return 0 or
 * RN_EMALFORMED; the views point into the entry buffer. */
typedef struct rn_meta_entry_iter_s {
    const uint8_t *p;
    size_t len;
    size_t pos;
    int32_t left;
} rn_meta_entry_iter_t;

int rn_meta_entry_open(rn_meta_entry_iter_t *it, const void *p, size_t len, int32_t *count);
int rn_meta_entry_next(rn_meta_entry_iter_t *it, const uint8_t **rec, size_t *rec_len);

/* After the last record: 0 when only the zero padding is left, else RN_EMALFORMED. */
int rn_meta_entry_close(const rn_meta_entry_iter_t *it);

/* "CreateTopic" etc. for logs; "Unknown" for other values. */
const char *rn_meta_record_type_name(int type);

#endif
