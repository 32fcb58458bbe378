/*
 * fuzz_request.c — libFuzzer target for the protocol codecs (src/proto/wire.c and
 * api_*.c).
 *
 * Each input is read as a frame, as a broker reads it from a socket:
 *
 *   [size int32][api_key int16][api_version int16][correlation_id int32]
 *   [client_id nstring][body ...................................]
 *
 * The frame size is checked with rn_wire_frame_decode; whatever it says, the bytes
 * after the first 4 are then decoded as a request header, and the rest as the body
 * of the request (and, for more coverage, of the response) the header names.
 *
 * Beyond "no crash, no sanitizer report, no leak" it checks the codecs' promises and
 * aborts when one breaks:
 *   - a complete frame's message lies inside the input;
 *   - an unknown or reserved key or an unsupported version is RN_EBADVERSION, and a
 *     supported one never is;
 *   - every decode returns 0 or RN_EMALFORMED, and leaves nothing allocated on error;
 *   - a decoded header re-encodes to the same bytes;
 *   - a decoded body re-encodes (B) to as many bytes as it had (the classic encoding
 *     has one width per field), B decodes, and re-encodes to B again: what decoded
 *     successfully decodes to the same thing.
 *
 * For JoinGroup and SyncGroup keys the body is also decoded as the consumer
 * protocol's embedded bytes (consumer_protocol.h: Subscription and Assignment), which
 * ride inside those messages: 0 or RN_EMALFORMED, no leak, and what decoded re-encodes
 * (as v0) to bytes that decode and re-encode to themselves.
 */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "proto/api.h"
#include "proto/api_alter_partition.h"
#include "proto/api_broker_heartbeat.h"
#include "proto/api_configs.h"
#include "proto/api_create_partitions.h"
#include "proto/api_describe_quorum.h"
#include "proto/api_elect_leaders.h"
#include "proto/api_fetch.h"
#include "proto/api_find_coordinator.h"
#include "proto/api_group.h"
#include "proto/api_groups_admin.h"
#include "proto/api_list_offsets.h"
#include "proto/api_metadata.h"
#include "proto/api_offsets.h"
#include "proto/api_produce.h"
#include "proto/api_topics.h"
#include "proto/api_versions.h"
#include "proto/consumer_protocol.h"
#include "proto/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FRAME (1 << 20)

static void expect(int cond) {
    if (!cond)
        abort();
}

typedef struct {
    size_t size;
    int (*encode)(rn_writer_t *wr, int16_t version, const void *m);
    int (*decode)(const uint8_t *p, size_t len, int16_t version, void *m);
    void (*deinit)(void *m);
} codec_t;

/* Typed wrappers, so that no function is called through a mismatched pointer type. */
#define CODEC(msg)                                                                                 \
    static int msg##_enc(rn_writer_t *wr, int16_t v, const void *m) {                              \
        return rn_##msg##_encode(wr, v, (const rn_##msg##_t *)m);                                  \
    }                                                                                              \
    static int msg##_dec(const uint8_t *p, size_t n, int16_t v, void *m) {                         \
        return rn_##msg##_decode(p, n, v, (rn_##msg##_t *)m);                                      \
    }                                                                                              \
    static void msg##_fin(void *m) {                                                               \
        rn_##msg##_deinit((rn_##msg##_t *)m);                                                      \
    }                                                                                              \
    static const codec_t msg##_codec = {sizeof(rn_##msg##_t), msg##_enc, msg##_dec, msg##_fin}

CODEC(produce_request);
CODEC(produce_response);
CODEC(fetch_request);
CODEC(fetch_response);
CODEC(list_offsets_request);
CODEC(list_offsets_response);
CODEC(metadata_request);
CODEC(metadata_response);
CODEC(api_versions_request);
CODEC(api_versions_response);
CODEC(create_topics_request);
CODEC(create_topics_response);
CODEC(delete_topics_request);
CODEC(delete_topics_response);
CODEC(describe_configs_request);
CODEC(describe_configs_response);
CODEC(alter_configs_request);
CODEC(alter_configs_response);
CODEC(create_partitions_request);
CODEC(create_partitions_response);
CODEC(describe_quorum_request);
CODEC(describe_quorum_response);
CODEC(alter_partition_request);
CODEC(alter_partition_response);
CODEC(broker_heartbeat_request);
CODEC(broker_heartbeat_response);
CODEC(offset_commit_request);
CODEC(offset_commit_response);
CODEC(offset_fetch_request);
CODEC(offset_fetch_response);
CODEC(find_coordinator_request);
CODEC(find_coordinator_response);
CODEC(join_group_request);
CODEC(join_group_response);
CODEC(heartbeat_request);
CODEC(heartbeat_response);
CODEC(leave_group_request);
CODEC(leave_group_response);
CODEC(sync_group_request);
CODEC(sync_group_response);
CODEC(describe_groups_request);
CODEC(describe_groups_response);
CODEC(list_groups_request);
CODEC(list_groups_response);
CODEC(elect_leaders_request);
CODEC(elect_leaders_response);

static const struct {
    int16_t key;
    const codec_t *request, *response;
} apis[] = {
    {RN_API_PRODUCE, &produce_request_codec, &produce_response_codec},
    {RN_API_FETCH, &fetch_request_codec, &fetch_response_codec},
    {RN_API_LIST_OFFSETS, &list_offsets_request_codec, &list_offsets_response_codec},
    {RN_API_METADATA, &metadata_request_codec, &metadata_response_codec},
    {RN_API_OFFSET_COMMIT, &offset_commit_request_codec, &offset_commit_response_codec},
    {RN_API_OFFSET_FETCH, &offset_fetch_request_codec, &offset_fetch_response_codec},
    {RN_API_FIND_COORDINATOR, &find_coordinator_request_codec, &find_coordinator_response_codec},
    {RN_API_JOIN_GROUP, &join_group_request_codec, &join_group_response_codec},
    {RN_API_HEARTBEAT, &heartbeat_request_codec, &heartbeat_response_codec},
    {RN_API_LEAVE_GROUP, &leave_group_request_codec, &leave_group_response_codec},
    {RN_API_SYNC_GROUP, &sync_group_request_codec, &sync_group_response_codec},
    {RN_API_DESCRIBE_GROUPS, &describe_groups_request_codec, &describe_groups_response_codec},
    {RN_API_LIST_GROUPS, &list_groups_request_codec, &list_groups_response_codec},
    {RN_API_API_VERSIONS, &api_versions_request_codec, &api_versions_response_codec},
    {RN_API_CREATE_TOPICS, &create_topics_request_codec, &create_topics_response_codec},
    {RN_API_DELETE_TOPICS, &delete_topics_request_codec, &delete_topics_response_codec},
    {RN_API_DESCRIBE_CONFIGS, &describe_configs_request_codec, &describe_configs_response_codec},
    {RN_API_ALTER_CONFIGS, &alter_configs_request_codec, &alter_configs_response_codec},
    {RN_API_CREATE_PARTITIONS, &create_partitions_request_codec, &create_partitions_response_codec},
    {RN_API_ELECT_LEADERS, &elect_leaders_request_codec, &elect_leaders_response_codec},
    {RN_API_DESCRIBE_QUORUM, &describe_quorum_request_codec, &describe_quorum_response_codec},
    {RN_API_ALTER_PARTITION, &alter_partition_request_codec, &alter_partition_response_codec},
    {RN_API_BROKER_HEARTBEAT, &broker_heartbeat_request_codec, &broker_heartbeat_response_codec},
};

/* Storage for any decoded message struct. */
typedef struct {
    alignas(max_align_t) unsigned char bytes[512];
} msg_buf_t;

static uint8_t *encode(const codec_t *c, int16_t version, const void *m, size_t *len) {
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    expect(c->encode(&wr, version, m) == 0);
    return rn_writer_take(&wr, len);
}

/* Decode p as c's message; on success check the re-encoding promises. */
static void check_body(const codec_t *c, int16_t version, const uint8_t *p, size_t len) {
    msg_buf_t first, second;
    expect(c->size <= sizeof first.bytes);
    int64_t live = rn_alloc_live();
    int rc = c->decode(p, len, version, first.bytes);
    if (rc != 0) {
        expect(rc == RN_EMALFORMED);
        expect(rn_alloc_live() == live);
        return;
    }
    size_t blen, clen;
    uint8_t *b = encode(c, version, first.bytes, &blen);
    expect(blen == len);
    expect(c->decode(b, blen, version, second.bytes) == 0);
    uint8_t *again = encode(c, version, second.bytes, &clen);
    expect(clen == blen && (blen == 0 || memcmp(b, again, blen) == 0));
    c->deinit(second.bytes);
    c->deinit(first.bytes);
    rn_free(again);
    rn_free(b);
    expect(rn_alloc_live() == live);
}

/* The consumer protocol's embedded messages (no version parameter: the version is in
 * the bytes). A body of a version above 0 may carry fields the v0 encoder drops, so
 * the first re-encoding may be shorter than the input. */
typedef struct {
    size_t size;
    int (*encode)(rn_writer_t *wr, const void *m);
    int (*decode)(const uint8_t *p, size_t len, void *m);
    void (*deinit)(void *m);
} embedded_t;

#define EMBEDDED(msg)                                                                              \
    static int msg##_enc(rn_writer_t *wr, const void *m) {                                         \
        return rn_##msg##_encode(wr, (const rn_##msg##_t *)m);                                     \
    }                                                                                              \
    static int msg##_dec(const uint8_t *p, size_t n, void *m) {                                    \
        return rn_##msg##_decode(p, n, (rn_##msg##_t *)m);                                         \
    }                                                                                              \
    static void msg##_fin(void *m) {                                                               \
        rn_##msg##_deinit((rn_##msg##_t *)m);                                                      \
    }                                                                                              \
    static const embedded_t msg##_codec = {sizeof(rn_##msg##_t), msg##_enc, msg##_dec, msg##_fin}

EMBEDDED(consumer_subscription);
EMBEDDED(consumer_assignment);

static void check_embedded(const embedded_t *c, const uint8_t *p, size_t len) {
    msg_buf_t first, second;
    expect(c->size <= sizeof first.bytes);
    int64_t live = rn_alloc_live();
    int rc = c->decode(p, len, first.bytes);
    if (rc != 0) {
        expect(rc == RN_EMALFORMED);
        expect(rn_alloc_live() == live);
        return;
    }
    rn_writer_t b, again;
    rn_writer_init(&b, 0);
    rn_writer_init(&again, 0);
    expect(c->encode(&b, first.bytes) == 0 && b.len <= len);
    expect(c->decode(b.buf, b.len, second.bytes) == 0);
    expect(c->encode(&again, second.bytes) == 0);
    expect(again.len == b.len && memcmp(b.buf, again.buf, b.len) == 0);
    c->deinit(second.bytes);
    c->deinit(first.bytes);
    rn_writer_deinit(&again);
    rn_writer_deinit(&b);
    expect(rn_alloc_live() == live);
}

static void check_header(const uint8_t *msg, size_t len, const rn_request_header_t *h,
                         size_t hlen) {
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    expect(rn_request_header_encode(&wr, h) == 0);
    expect(wr.len == hlen && hlen <= len && memcmp(wr.buf, msg, hlen) == 0);
    rn_writer_deinit(&wr);
}

static void run_message(const uint8_t *msg, size_t len) {
    rn_reader_t rd;
    rn_request_header_t h;
    rn_reader_init(&rd, msg, len);
    int rc = rn_request_header_decode(&rd, &h);
    if (rc != 0) {
        expect(rc == RN_EMALFORMED);
        return;
    }
    check_header(msg, len, &h, rd.pos);
    const uint8_t *body = msg + rd.pos;
    size_t body_len = len - rd.pos;
    int supported = rn_api_check_version(h.api_key, h.api_version) == 0;
    for (size_t i = 0; i < sizeof apis / sizeof apis[0]; i++) {
        if (apis[i].key != h.api_key)
            continue;
        if (!supported) {
            msg_buf_t m;
            expect(apis[i].request->decode(body, body_len, h.api_version, m.bytes) ==
                   RN_EBADVERSION);
            return;
        }
        check_body(apis[i].request, h.api_version, body, body_len);
        check_body(apis[i].response, h.api_version, body, body_len);
        if (h.api_key == RN_API_JOIN_GROUP || h.api_key == RN_API_SYNC_GROUP) {
            check_embedded(&consumer_subscription_codec, body, body_len);
            check_embedded(&consumer_assignment_codec, body, body_len);
        }
        return;
    }
    expect(!supported); /* every key with a codec is in apis[] */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *msg;
    size_t msg_len;
    int rc = rn_wire_frame_decode(data, size, MAX_FRAME, &msg, &msg_len);
    if (rc == 1)
        expect(msg == data + RN_WIRE_FRAME_SIZE_LEN && msg_len <= size - RN_WIRE_FRAME_SIZE_LEN);
    else
        expect(rc == 0 || rc == RN_EMALFORMED || rc == RN_ETOOLARGE);
    if (size < RN_WIRE_FRAME_SIZE_LEN)
        return 0;
    /* An exact-size copy of the message, so that ASan catches any read past it. */
    size_t len = size - RN_WIRE_FRAME_SIZE_LEN;
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, data + RN_WIRE_FRAME_SIZE_LEN, len);
    run_message(copy, len);
    free(copy);
    return 0;
}
