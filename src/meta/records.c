/*
 * records.c — encode and decode the metadata records and the entries that batch them
 * (layouts in records.h).
 *
 * Decoders read a whole record with the sticky-error reader, then check rd.err once.
 * Every count is checked against the bytes left before allocating (a count of n int32
 * needs 4n bytes), so allocation is bounded by the input size. On any error the
 * partly decoded record is released, never returned.
 */
#include "meta/records.h"

#include <assert.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "proto/reader.h"

#define STRING_MAX 32767

/* ---- primitives ------------------------------------------------------------------ */

static void put_string(rn_writer_t *wr, const char *s) {
    assert(s != NULL);
    size_t n = strlen(s);
    assert(n <= STRING_MAX);
    rn_writer_i16(wr, (int16_t)n);
    rn_writer_bytes(wr, s, n);
}

static void put_nstring(rn_writer_t *wr, const char *s) {
    if (s == NULL)
        rn_writer_i16(wr, -1);
    else
        put_string(wr, s);
}

static void put_i32array(rn_writer_t *wr, const int32_t *v, int32_t n) {
    assert(n >= 0);
    rn_writer_i32(wr, n);
    for (int32_t i = 0; i < n; i++)
        rn_writer_i32(wr, v[i]);
}

/* A NUL-terminated copy of the next string; NULL for a null nstring (when nullable)
 * or on error. Strings may not contain NUL bytes: C callers could not see past one. */
static char *get_string(rn_reader_t *rd, bool nullable) {
    int16_t n = rn_reader_i16(rd);
    if (rd->err)
        return NULL;
    if (n < 0) {
        if (!nullable || n != -1)
            rn_reader_fail(rd, RN_EMALFORMED);
        return NULL;
    }
    const uint8_t *p = rn_reader_bytes(rd, (size_t)n);
    if (p == NULL)
        return NULL;
    if (memchr(p, 0, (size_t)n) != NULL) {
        rn_reader_fail(rd, RN_EMALFORMED);
        return NULL;
    }
    return rn_strndup((const char *)p, (size_t)n);
}

/* A count of items of at least min_size bytes each, checked against what is left. */
static int32_t get_count(rn_reader_t *rd, size_t min_size) {
    int32_t n = rn_reader_i32(rd);
    if (rd->err)
        return 0;
    if (n < 0 || (size_t)n > rn_reader_remaining(rd) / min_size) {
        rn_reader_fail(rd, RN_EMALFORMED);
        return 0;
    }
    return n;
}

static int32_t *get_i32array(rn_reader_t *rd, int32_t *n_out) {
    int32_t n = get_count(rd, 4);
    *n_out = n;
    if (rd->err || n == 0)
        return NULL;
    int32_t *v = rn_malloc((size_t)n * sizeof *v);
    for (int32_t i = 0; i < n; i++)
        v[i] = rn_reader_i32(rd);
    return v;
}

static void get_id(rn_reader_t *rd, uint8_t id[RN_META_ID_LEN]) {
    const uint8_t *p = rn_reader_bytes(rd, RN_META_ID_LEN);
    if (p != NULL)
        memcpy(id, p, RN_META_ID_LEN);
}

/* ---- encode ---------------------------------------------------------------------- */

/* npartitions i32 | npartitions × (replicas | leader | leader_epoch | isr) */
static void put_partitions(rn_writer_t *wr, const rn_meta_partition_t *parts, int32_t n) {
    rn_writer_i32(wr, n);
    for (int32_t i = 0; i < n; i++) {
        const rn_meta_partition_t *part = &parts[i];
        put_i32array(wr, part->replicas, part->nreplicas);
        rn_writer_i32(wr, part->leader);
        rn_writer_i32(wr, part->leader_epoch);
        put_i32array(wr, part->isr, part->nisr);
    }
}

static void encode_create_topic(const rn_meta_record_t *rec, rn_writer_t *wr) {
    put_string(wr, rec->create_topic.name);
    rn_writer_bytes(wr, rec->create_topic.topic_id, RN_META_ID_LEN);
    put_partitions(wr, rec->create_topic.partitions, rec->create_topic.npartitions);
    rn_writer_i32(wr, rec->create_topic.nconfigs);
    for (int32_t i = 0; i < rec->create_topic.nconfigs; i++) {
        put_string(wr, rec->create_topic.configs[i].key);
        put_string(wr, rec->create_topic.configs[i].value);
    }
}

static void encode_create_partitions(const rn_meta_record_t *rec, rn_writer_t *wr) {
    put_string(wr, rec->create_partitions.name);
    rn_writer_bytes(wr, rec->create_partitions.topic_id, RN_META_ID_LEN);
    rn_writer_i32(wr, rec->create_partitions.first);
    put_partitions(wr, rec->create_partitions.partitions, rec->create_partitions.npartitions);
}

void rn_meta_record_encode(const rn_meta_record_t *rec, rn_writer_t *wr) {
    rn_writer_i16(wr, rec->type);
    rn_writer_i16(wr, rec->version);
    switch (rec->type) {
    case RN_MREC_REGISTER_BROKER:
        rn_writer_i32(wr, rec->register_broker.broker_id);
        put_string(wr, rec->register_broker.host);
        rn_writer_u16(wr, rec->register_broker.port);
        rn_writer_i8(wr, rec->register_broker.fenced ? 1 : 0);
        break;
    case RN_MREC_FENCE_BROKER:
    case RN_MREC_UNFENCE_BROKER:
        rn_writer_i32(wr, rec->fence.broker_id);
        break;
    case RN_MREC_CREATE_TOPIC:
        encode_create_topic(rec, wr);
        break;
    case RN_MREC_DELETE_TOPIC:
        put_string(wr, rec->delete_topic.name);
        rn_writer_bytes(wr, rec->delete_topic.topic_id, RN_META_ID_LEN);
        break;
    case RN_MREC_PARTITION_CHANGE:
        put_string(wr, rec->partition_change.name);
        rn_writer_bytes(wr, rec->partition_change.topic_id, RN_META_ID_LEN);
        rn_writer_i32(wr, rec->partition_change.partition);
        rn_writer_i32(wr, rec->partition_change.leader);
        rn_writer_i32(wr, rec->partition_change.leader_epoch);
        put_i32array(wr, rec->partition_change.isr, rec->partition_change.nisr);
        break;
    case RN_MREC_SET_TOPIC_CONFIG:
        put_string(wr, rec->set_config.name);
        put_string(wr, rec->set_config.key);
        put_nstring(wr, rec->set_config.value);
        break;
    case RN_MREC_SET_CLUSTER_ID:
        rn_writer_bytes(wr, rec->cluster_id.id, RN_META_ID_LEN);
        break;
    case RN_MREC_CREATE_PARTITIONS:
        encode_create_partitions(rec, wr);
        break;
    default:
        assert(!"unknown metadata record type");
    }
}

/* ---- decode ---------------------------------------------------------------------- */

/* Smallest encoded partition: two empty arrays, leader, epoch. */
#define PARTITION_MIN_SIZE 16
/* Smallest encoded config: two empty strings. */
#define CONFIG_MIN_SIZE 4

/* The inverse of put_partitions: *parts (never NULL after a good count) and *n. */
static void get_partitions(rn_reader_t *rd, rn_meta_partition_t **parts, int32_t *n) {
    int32_t np = get_count(rd, PARTITION_MIN_SIZE);
    if (rd->err)
        return;
    *parts = rn_calloc((size_t)np + 1, sizeof(rn_meta_partition_t));
    *n = np;
    for (int32_t i = 0; i < np && !rd->err; i++) {
        rn_meta_partition_t *part = &(*parts)[i];
        part->replicas = get_i32array(rd, &part->nreplicas);
        part->leader = rn_reader_i32(rd);
        part->leader_epoch = rn_reader_i32(rd);
        part->isr = get_i32array(rd, &part->nisr);
    }
}

static void decode_create_topic(rn_reader_t *rd, rn_meta_record_t *rec) {
    rec->create_topic.name = get_string(rd, false);
    get_id(rd, rec->create_topic.topic_id);
    get_partitions(rd, &rec->create_topic.partitions, &rec->create_topic.npartitions);
    if (rd->err)
        return;
    int32_t nc = get_count(rd, CONFIG_MIN_SIZE);
    if (rd->err)
        return;
    rec->create_topic.configs = rn_calloc((size_t)nc + 1, sizeof(rn_meta_kv_t));
    rec->create_topic.nconfigs = nc;
    for (int32_t i = 0; i < nc && !rd->err; i++) {
        rec->create_topic.configs[i].key = get_string(rd, false);
        rec->create_topic.configs[i].value = get_string(rd, false);
    }
}

static void decode_fields(rn_reader_t *rd, rn_meta_record_t *rec) {
    switch (rec->type) {
    case RN_MREC_REGISTER_BROKER:
        rec->register_broker.broker_id = rn_reader_i32(rd);
        rec->register_broker.host = get_string(rd, false);
        rec->register_broker.port = rn_reader_u16(rd);
        rec->register_broker.fenced = rn_reader_i8(rd) != 0;
        break;
    case RN_MREC_FENCE_BROKER:
    case RN_MREC_UNFENCE_BROKER:
        rec->fence.broker_id = rn_reader_i32(rd);
        break;
    case RN_MREC_CREATE_TOPIC:
        decode_create_topic(rd, rec);
        break;
    case RN_MREC_DELETE_TOPIC:
        rec->delete_topic.name = get_string(rd, false);
        get_id(rd, rec->delete_topic.topic_id);
        break;
    case RN_MREC_PARTITION_CHANGE:
        rec->partition_change.name = get_string(rd, false);
        get_id(rd, rec->partition_change.topic_id);
        rec->partition_change.partition = rn_reader_i32(rd);
        rec->partition_change.leader = rn_reader_i32(rd);
        rec->partition_change.leader_epoch = rn_reader_i32(rd);
        rec->partition_change.isr = get_i32array(rd, &rec->partition_change.nisr);
        break;
    case RN_MREC_SET_TOPIC_CONFIG:
        rec->set_config.name = get_string(rd, false);
        rec->set_config.key = get_string(rd, false);
        rec->set_config.value = get_string(rd, true);
        break;
    case RN_MREC_SET_CLUSTER_ID:
        get_id(rd, rec->cluster_id.id);
        break;
    case RN_MREC_CREATE_PARTITIONS:
        rec->create_partitions.name = get_string(rd, false);
        get_id(rd, rec->create_partitions.topic_id);
        rec->create_partitions.first = rn_reader_i32(rd);
        get_partitions(rd, &rec->create_partitions.partitions, &rec->create_partitions.npartitions);
        break;
    default:
        rn_reader_fail(rd, RN_EBADVERSION);
    }
}

int rn_meta_record_decode(const void *p, size_t len, rn_meta_record_t *out) {
    rn_reader_t rd;
    rn_reader_init(&rd, p, len);
    memset(out, 0, sizeof *out);
    out->type = rn_reader_i16(&rd);
    out->version = rn_reader_i16(&rd);
    if (!rd.err && out->version != 0)
        rn_reader_fail(&rd, RN_EBADVERSION);
    if (!rd.err)
        decode_fields(&rd, out);
    /* The record must fill its bytes exactly: trailing garbage means a layout we do
     * not understand. */
    if (!rd.err && rn_reader_remaining(&rd) != 0)
        rn_reader_fail(&rd, RN_EMALFORMED);
    if (rd.err) {
        int err = rd.err;
        rn_meta_record_deinit(out);
        return err;
    }
    return 0;
}

/* ---- ownership ------------------------------------------------------------------- */

void rn_meta_record_deinit(rn_meta_record_t *rec) {
    switch (rec->type) {
    case RN_MREC_REGISTER_BROKER:
        rn_free(rec->register_broker.host);
        break;
    case RN_MREC_CREATE_TOPIC:
        rn_free(rec->create_topic.name);
        for (int32_t i = 0; rec->create_topic.partitions && i < rec->create_topic.npartitions; i++)
            rn_meta_partition_deinit(&rec->create_topic.partitions[i]);
        rn_free(rec->create_topic.partitions);
        for (int32_t i = 0; rec->create_topic.configs && i < rec->create_topic.nconfigs; i++)
            rn_meta_kv_deinit(&rec->create_topic.configs[i]);
        rn_free(rec->create_topic.configs);
        break;
    case RN_MREC_DELETE_TOPIC:
        rn_free(rec->delete_topic.name);
        break;
    case RN_MREC_PARTITION_CHANGE:
        rn_free(rec->partition_change.name);
        rn_free(rec->partition_change.isr);
        break;
    case RN_MREC_SET_TOPIC_CONFIG:
        rn_free(rec->set_config.name);
        rn_free(rec->set_config.key);
        rn_free(rec->set_config.value);
        break;
    case RN_MREC_CREATE_PARTITIONS:
        rn_free(rec->create_partitions.name);
        for (int32_t i = 0;
             rec->create_partitions.partitions && i < rec->create_partitions.npartitions; i++)
            rn_meta_partition_deinit(&rec->create_partitions.partitions[i]);
        rn_free(rec->create_partitions.partitions);
        break;
    default:
        break;
    }
    memset(rec, 0, sizeof *rec);
}

static char *dup_or_null(const char *s) {
    return s ? rn_strdup(s) : NULL;
}

static int32_t *dup_i32(const int32_t *v, int32_t n) {
    if (n <= 0)
        return NULL;
    int32_t *c = rn_malloc((size_t)n * sizeof *c);
    memcpy(c, v, (size_t)n * sizeof *c);
    return c;
}

void rn_meta_record_copy(rn_meta_record_t *dst, const rn_meta_record_t *src) {
    *dst = *src;
    switch (src->type) {
    case RN_MREC_REGISTER_BROKER:
        dst->register_broker.host = dup_or_null(src->register_broker.host);
        break;
    case RN_MREC_CREATE_TOPIC: {
        int32_t np = src->create_topic.npartitions, nc = src->create_topic.nconfigs;
        dst->create_topic.name = dup_or_null(src->create_topic.name);
        dst->create_topic.partitions = rn_calloc((size_t)np + 1, sizeof(rn_meta_partition_t));
        for (int32_t i = 0; i < np; i++)
            rn_meta_partition_copy(&dst->create_topic.partitions[i],
                                   &src->create_topic.partitions[i]);
        dst->create_topic.configs = rn_calloc((size_t)nc + 1, sizeof(rn_meta_kv_t));
        for (int32_t i = 0; i < nc; i++) {
            dst->create_topic.configs[i].key = dup_or_null(src->create_topic.configs[i].key);
            dst->create_topic.configs[i].value = dup_or_null(src->create_topic.configs[i].value);
        }
        break;
    }
    case RN_MREC_DELETE_TOPIC:
        dst->delete_topic.name = dup_or_null(src->delete_topic.name);
        break;
    case RN_MREC_PARTITION_CHANGE:
        dst->partition_change.name = dup_or_null(src->partition_change.name);
        dst->partition_change.isr = dup_i32(src->partition_change.isr, src->partition_change.nisr);
        break;
    case RN_MREC_SET_TOPIC_CONFIG:
        dst->set_config.name = dup_or_null(src->set_config.name);
        dst->set_config.key = dup_or_null(src->set_config.key);
        dst->set_config.value = dup_or_null(src->set_config.value);
        break;
    case RN_MREC_CREATE_PARTITIONS: {
        int32_t np = src->create_partitions.npartitions;
        dst->create_partitions.name = dup_or_null(src->create_partitions.name);
        dst->create_partitions.partitions = rn_calloc((size_t)np + 1, sizeof(rn_meta_partition_t));
        for (int32_t i = 0; i < np; i++)
            rn_meta_partition_copy(&dst->create_partitions.partitions[i],
                                   &src->create_partitions.partitions[i]);
        break;
    }
    default:
        break;
    }
}

/* ---- entries --------------------------------------------------------------------- */

void rn_meta_entry_encode(const rn_meta_record_t *recs, size_t n, rn_writer_t *wr) {
    assert(n <= INT32_MAX);
    size_t start = wr->len;
    rn_writer_u8(wr, RN_MREC_ENTRY_MAGIC);
    rn_writer_i8(wr, RN_MREC_ENTRY_FORMAT);
    rn_writer_i32(wr, (int32_t)n);
    for (size_t i = 0; i < n; i++) {
        size_t at = rn_writer_reserve(wr, 4);
        rn_meta_record_encode(&recs[i], wr);
        size_t len = wr->len - at - 4;
        assert(len <= INT32_MAX);
        rn_writer_patch_i32(wr, at, (int32_t)len);
    }
    /* libraft 0.15's uv backend stores entry data padded to 8 bytes but checksums the
     * unpadded length, and so finds any other length corrupt on reload. */
    static const uint8_t zeros[8];
    rn_writer_bytes(wr, zeros, (8 - (wr->len - start) % 8) % 8);
}

int rn_meta_entry_open(rn_meta_entry_iter_t *it, const void *p, size_t len, int32_t *count) {
    rn_reader_t rd;
    rn_reader_init(&rd, p, len);
    uint8_t magic = rn_reader_u8(&rd);
    int8_t format = rn_reader_i8(&rd);
    int32_t n = get_count(&rd, 4 + 4); /* each record: length + type + version */
    if (rd.err || magic != RN_MREC_ENTRY_MAGIC || format != RN_MREC_ENTRY_FORMAT)
        return RN_EMALFORMED;
    it->p = p;
    it->len = len;
    it->pos = rd.pos;
    it->left = n;
    *count = n;
    return 0;
}

int rn_meta_entry_next(rn_meta_entry_iter_t *it, const uint8_t **rec, size_t *rec_len) {
    rn_reader_t rd;
    if (it->left <= 0)
        return RN_EMALFORMED;
    rn_reader_init(&rd, it->p, it->len);
    rd.pos = it->pos;
    int32_t n = rn_reader_i32(&rd);
    if (rd.err || n < 0)
        return RN_EMALFORMED;
    const uint8_t *body = rn_reader_bytes(&rd, (size_t)n);
    if (body == NULL)
        return RN_EMALFORMED;
    it->pos = rd.pos;
    it->left--;
    *rec = body;
    *rec_len = (size_t)n;
    return 0;
}

int rn_meta_entry_close(const rn_meta_entry_iter_t *it) {
    size_t rem = it->len - it->pos;
    if (it->left != 0 || rem != (8 - it->pos % 8) % 8)
        return RN_EMALFORMED;
    for (size_t i = it->pos; i < it->len; i++)
        if (it->p[i] != 0)
            return RN_EMALFORMED;
    return 0;
}

const char *rn_meta_record_type_name(int type) {
    switch (type) {
    case RN_MREC_REGISTER_BROKER:
        return "RegisterBroker";
    case RN_MREC_FENCE_BROKER:
        return "FenceBroker";
    case RN_MREC_UNFENCE_BROKER:
        return "UnfenceBroker";
    case RN_MREC_CREATE_TOPIC:
        return "CreateTopic";
    case RN_MREC_DELETE_TOPIC:
        return "DeleteTopic";
    case RN_MREC_PARTITION_CHANGE:
        return "PartitionChange";
    case RN_MREC_SET_TOPIC_CONFIG:
        return "SetTopicConfig";
    case RN_MREC_SET_CLUSTER_ID:
        return "SetClusterId";
    case RN_MREC_CREATE_PARTITIONS:
        return "CreatePartitions";
    default:
        return "Unknown";
    }
}
