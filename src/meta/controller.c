/*
 * controller.c — topic creation, growth, deletion and config changes as the controller
 * decides them (see controller.h).
 *
 * Replica assignment, for n live brokers b[0..n) sorted by id, replication factor r
 * and s = (partitions already in the cluster) mod n:
 *
 *   partition p: replicas b[(s+p) % n], b[(s+p+1) % n], ..., b[(s+p+r-1) % n]
 *                leader   b[(s+p) % n]
 *
 * so the leaders of one topic's partitions are distinct while p < n, and successive
 * topics start on different brokers. The ISR starts as {leader}: until follower
 * replication exists, no other replica has the data.
 */
#include "meta/controller.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/alloc.h"
#include "common/errors.h"

__attribute__((format(printf, 4, 5))) static int fail(char *err, size_t errlen, int code,
                                                      const char *fmt, ...) {
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

int rn_controller_check_topic_name(const char *name) {
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > RN_META_TOPIC_NAME_MAX || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return RN_EINVALIDTOPIC;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok)
            return RN_EINVALIDTOPIC;
    }
    return 0;
}

/* ---- configs --------------------------------------------------------------------- */

typedef enum { KIND_LONG, KIND_BOOL, KIND_PARTITIONER } kind_t;

typedef struct config_key_s {
    const char *key;
    kind_t kind;
    int64_t min, max; /* KIND_LONG only */
} config_key_t;

/* Ranges follow Kafka's topic configs, tightened where runnel's log module needs it
 * (log/config.h: segments hold at least one batch header, batches at least 61 bytes). */
static const config_key_t config_keys[] = {
    {"flush.messages", KIND_LONG, 1, INT64_MAX},
    {"flush.ms", KIND_LONG, 0, INT64_MAX},
    {"max.message.bytes", KIND_LONG, 61, INT32_MAX},
    {"min.insync.replicas", KIND_LONG, 1, INT32_MAX},
    {"partitioner", KIND_PARTITIONER, 0, 0},
    {"retention.bytes", KIND_LONG, -1, INT64_MAX},
    {"retention.ms", KIND_LONG, -1, INT64_MAX},
    {"segment.bytes", KIND_LONG, 73, INT32_MAX},
    {"segment.ms", KIND_LONG, 1, INT64_MAX},
    {"unclean.leader.election.enable", KIND_BOOL, 0, 0},
};

static bool parse_long(const char *s, int64_t *out) {
    char *end;
    if (*s == '\0' || *s == ' ' || *s == '+')
        return false;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

static bool value_ok(const config_key_t *ck, const char *value) {
    int64_t v;
    switch (ck->kind) {
    case KIND_LONG:
        return parse_long(value, &v) && v >= ck->min && v <= ck->max;
    case KIND_BOOL:
        return strcmp(value, "true") == 0 || strcmp(value, "false") == 0;
    case KIND_PARTITIONER:
        return strcmp(value, "default") == 0 || strcmp(value, "sticky") == 0 ||
               strcmp(value, "hash") == 0;
    }
    return false;
}

int rn_controller_check_config(const char *key, const char *value, char *err, size_t errlen) {
    for (size_t i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++) {
        const config_key_t *ck = &config_keys[i];
        if (strcmp(ck->key, key) != 0)
            continue;
        if (value == NULL || value_ok(ck, value))
            return 0;
        if (ck->kind == KIND_LONG)
            return fail(err, errlen, RN_ECONFIG,
                        "%s: expected an integer in [%" PRId64 ", %" PRId64 "], got '%s'", key,
                        ck->min, ck->max, value);
        return fail(err, errlen, RN_ECONFIG, "%s: expected %s, got '%s'", key,
                    ck->kind == KIND_BOOL ? "true or false" : "default, sticky or hash", value);
    }
    return fail(err, errlen, RN_ECONFIG, "%s: unknown topic config", key);
}

static int check_configs(const rn_meta_kv_t *kvs, size_t n, bool allow_remove, char *err,
                         size_t errlen) {
    for (size_t i = 0; i < n; i++) {
        if (kvs[i].value == NULL && !allow_remove)
            return fail(err, errlen, RN_ECONFIG, "%s: no value", kvs[i].key);
        int rc = rn_controller_check_config(kvs[i].key, kvs[i].value, err, errlen);
        if (rc != 0)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(kvs[j].key, kvs[i].key) == 0)
                return fail(err, errlen, RN_ECONFIG, "%s: given twice", kvs[i].key);
    }
    return 0;
}

/* ---- create ---------------------------------------------------------------------- */

int rn_controller_random_id(uint8_t id[RN_META_ID_LEN]) {
    static const uint8_t zero[RN_META_ID_LEN];
    do {
        ssize_t n = getrandom(id, RN_META_ID_LEN, 0);
        if (n < 0)
            return -errno;
        if (n != RN_META_ID_LEN)
            return -EIO;
    } while (memcmp(id, zero, RN_META_ID_LEN) == 0);
    return 0;
}

static int new_topic_id(const rn_meta_image_t *img, uint8_t id[RN_META_ID_LEN]) {
    int rc;
    do {
        rc = rn_controller_random_id(id);
    } while (rc == 0 && rn_meta_image_topic_by_id(img, id) != NULL);
    return rc;
}

static int check_create(const rn_meta_image_t *img, const rn_topic_spec_t *spec, size_t live,
                        char *err, size_t errlen) {
    if (rn_controller_check_topic_name(spec->name) != 0)
        return fail(err, errlen, RN_EINVALIDTOPIC,
                    "'%s': topic names are 1..249 characters of [A-Za-z0-9._-], not . or ..",
                    spec->name ? spec->name : "");
    if (rn_meta_image_topic(img, spec->name) != NULL)
        return fail(err, errlen, RN_ETOPICEXISTS, "topic '%s' already exists", spec->name);
    if (spec->partitions < 1 || spec->partitions > RN_CONTROLLER_MAX_PARTITIONS)
        return fail(err, errlen, RN_EINVALIDPARTITIONS, "%s: partitions must be 1..%d, got %d",
                    spec->name, RN_CONTROLLER_MAX_PARTITIONS, (int)spec->partitions);
    if (spec->replication_factor < 1 || (size_t)spec->replication_factor > live)
        return fail(err, errlen, RN_EREPLICATIONFACTOR,
                    "%s: replication factor %d, but %zu live broker%s", spec->name,
                    (int)spec->replication_factor, live, live == 1 ? "" : "s");
    return check_configs(spec->configs, spec->nconfigs, false, err, errlen);
}

/* The live (unfenced) brokers' ids, sorted (brokers[] is); *n of them. */
static int32_t *live_brokers(const rn_meta_image_t *img, size_t *n) {
    int32_t *brokers = rn_malloc((img->nbrokers + 1) * sizeof *brokers);
    *n = 0;
    for (size_t i = 0; i < img->nbrokers; i++)
        if (!img->brokers[i].fenced)
            brokers[(*n)++] = img->brokers[i].id;
    return brokers;
}

/* Partitions first..first+np-1 (stored at parts[0..np)) of a topic whose round-robin
 * starts at brokers[start]: partition p gets brokers[(start+p) % n], the next rf-1
 * after it, and leads with the first. */
static void assign_from(const int32_t *brokers, size_t n, size_t start, int32_t rf, int32_t first,
                        rn_meta_partition_t *parts, int32_t np) {
    for (int32_t i = 0; i < np; i++) {
        rn_meta_partition_t *part = &parts[i];
        size_t p = (size_t)first + (size_t)i;
        part->nreplicas = rf;
        part->replicas = rn_malloc((size_t)rf * sizeof *part->replicas);
        for (int32_t j = 0; j < rf; j++)
            part->replicas[j] = brokers[(start + p + (size_t)j) % n];
        part->leader = part->replicas[0];
        /* Only the leader is in sync: followers copy nothing until replication lands,
         * so counting them would make acks=all acknowledge what only one broker has. */
        part->nisr = 1;
        part->isr = rn_malloc(sizeof *part->isr);
        part->isr[0] = part->leader;
        part->leader_epoch = 0;
    }
}

/* Where a new topic's round-robin starts: after the partitions the cluster has. */
static size_t cluster_start(const rn_meta_image_t *img, size_t n) {
    uint64_t existing = 0;
    for (size_t i = 0; i < img->ntopics; i++)
        existing += (uint64_t)img->topics[i]->npartitions;
    return (size_t)(existing % n);
}

static void assign(const rn_meta_image_t *img, int32_t rf, rn_meta_partition_t *parts, int32_t np) {
    size_t n;
    int32_t *brokers = live_brokers(img, &n);
    assign_from(brokers, n, cluster_start(img, n), rf, 0, parts, np);
    rn_free(brokers);
}

int rn_controller_create_topic(const rn_meta_image_t *img, const rn_topic_spec_t *spec,
                               const uint8_t *topic_id, rn_meta_record_t *out, char *err,
                               size_t errlen) {
    memset(out, 0, sizeof *out);
    int rc = check_create(img, spec, rn_meta_image_live_brokers(img), err, errlen);
    if (rc != 0)
        return rc;
    uint8_t id[RN_META_ID_LEN];
    if (topic_id != NULL)
        memcpy(id, topic_id, RN_META_ID_LEN);
    else if ((rc = new_topic_id(img, id)) != 0)
        return fail(err, errlen, rc, "%s: cannot draw a topic id", spec->name);
    out->type = RN_MREC_CREATE_TOPIC;
    out->create_topic.name = rn_strdup(spec->name);
    memcpy(out->create_topic.topic_id, id, RN_META_ID_LEN);
    out->create_topic.npartitions = spec->partitions;
    out->create_topic.partitions = rn_calloc((size_t)spec->partitions, sizeof(rn_meta_partition_t));
    assign(img, spec->replication_factor, out->create_topic.partitions, spec->partitions);
    out->create_topic.nconfigs = (int32_t)spec->nconfigs;
    out->create_topic.configs = rn_calloc(spec->nconfigs + 1, sizeof(rn_meta_kv_t));
    for (size_t i = 0; i < spec->nconfigs; i++) {
        out->create_topic.configs[i].key = rn_strdup(spec->configs[i].key);
        out->create_topic.configs[i].value = rn_strdup(spec->configs[i].value);
    }
    return 0;
}

/* ---- delete, alter --------------------------------------------------------------- */

int rn_controller_delete_topic(const rn_meta_image_t *img, const char *name, rn_meta_record_t *out,
                               char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    const rn_meta_topic_t *topic = rn_meta_image_topic(img, name);
    if (topic == NULL)
        return fail(err, errlen, RN_EUNKNOWNTOPIC, "unknown topic '%s'", name);
    out->type = RN_MREC_DELETE_TOPIC;
    out->delete_topic.name = rn_strdup(name);
    memcpy(out->delete_topic.topic_id, topic->id, RN_META_ID_LEN);
    return 0;
}

int rn_controller_alter_configs(const rn_meta_image_t *img, const char *name,
                                const rn_meta_kv_t *changes, size_t n, rn_meta_record_t **out,
                                size_t *nout, char *err, size_t errlen) {
    *out = NULL;
    *nout = 0;
    if (rn_meta_image_topic(img, name) == NULL)
        return fail(err, errlen, RN_EUNKNOWNTOPIC, "unknown topic '%s'", name);
    int rc = check_configs(changes, n, true, err, errlen);
    if (rc != 0)
        return rc;
    rn_meta_record_t *recs = rn_calloc(n + 1, sizeof *recs);
    for (size_t i = 0; i < n; i++) {
        recs[i].type = RN_MREC_SET_TOPIC_CONFIG;
        recs[i].set_config.name = rn_strdup(name);
        recs[i].set_config.key = rn_strdup(changes[i].key);
        recs[i].set_config.value = changes[i].value ? rn_strdup(changes[i].value) : NULL;
    }
    *out = recs;
    *nout = n;
    return 0;
}

/* ---- grow ------------------------------------------------------------------------ */

int rn_controller_create_partitions(const rn_meta_image_t *img, const char *name, int32_t new_total,
                                    rn_meta_record_t *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    const rn_meta_topic_t *topic = rn_meta_image_topic(img, name);
    if (topic == NULL)
        return fail(err, errlen, RN_EUNKNOWNTOPIC, "unknown topic '%s'", name);
    int32_t have = topic->npartitions;
    if (new_total <= have)
        return fail(err, errlen, RN_EINVALIDPARTITIONS,
                    "topic %s has %d partition%s; it can only grow", name, (int)have,
                    have == 1 ? "" : "s");
    if (new_total > RN_CONTROLLER_MAX_PARTITIONS)
        return fail(err, errlen, RN_EINVALIDPARTITIONS, "%s: partitions must be 1..%d, got %d",
                    name, RN_CONTROLLER_MAX_PARTITIONS, (int)new_total);
    /* The topic's replication factor is its first partition's (creation gives every
     * partition the same). */
    int32_t rf = have > 0 ? topic->partitions[0].nreplicas : 1;
    size_t n;
    int32_t *brokers = live_brokers(img, &n);
    if (rf < 1 || (size_t)rf > n) {
        rn_free(brokers);
        return fail(err, errlen, RN_EREPLICATIONFACTOR,
                    "%s: replication factor %d, but %zu live broker%s", name, (int)rf, n,
                    n == 1 ? "" : "s");
    }
    /* Continue the topic's own round-robin: partition 0's preferred leader marks where
     * it started, so partition p keeps going to brokers[(start + p) % n] and leaders
     * stay spread. When that broker is gone (fenced), start where a new topic would. */
    size_t start = cluster_start(img, n);
    for (size_t i = 0; have > 0 && i < n; i++)
        if (brokers[i] == topic->partitions[0].replicas[0])
            start = i;
    int32_t np = new_total - have;
    out->type = RN_MREC_CREATE_PARTITIONS;
    out->create_partitions.name = rn_strdup(name);
    memcpy(out->create_partitions.topic_id, topic->id, RN_META_ID_LEN);
    out->create_partitions.first = have;
    out->create_partitions.npartitions = np;
    out->create_partitions.partitions = rn_calloc((size_t)np, sizeof(rn_meta_partition_t));
    assign_from(brokers, n, start, rf, have, out->create_partitions.partitions, np);
    rn_free(brokers);
    return 0;
}
