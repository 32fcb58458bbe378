/*
 * image.c — the in-memory metadata image and the deterministic application of records
 * to it (see image.h).
 *
 * topics[] is an array of pointers sorted by name: lookup is a binary search, create
 * and delete move pointers (a few kB for thousands of topics). brokers[] is sorted by
 * id the same way. Every apply validates the whole record before it changes anything,
 * so a rejected record leaves the image exactly as it was.
 */
#include "meta/image.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "meta/records.h"

/* ---- small helpers --------------------------------------------------------------- */

void rn_meta_kv_deinit(rn_meta_kv_t *kv) {
    RN_FREE(&kv->key);
    RN_FREE(&kv->value);
}

static int32_t *dup_ids(const int32_t *v, int32_t n) {
    if (n <= 0)
        return NULL;
    int32_t *c = rn_malloc((size_t)n * sizeof *c);
    memcpy(c, v, (size_t)n * sizeof *c);
    return c;
}

void rn_meta_partition_copy(rn_meta_partition_t *dst, const rn_meta_partition_t *src) {
    *dst = *src;
    dst->replicas = dup_ids(src->replicas, src->nreplicas);
    dst->isr = dup_ids(src->isr, src->nisr);
}

void rn_meta_partition_deinit(rn_meta_partition_t *part) {
    RN_FREE(&part->replicas);
    RN_FREE(&part->isr);
    part->nreplicas = part->nisr = 0;
}

static bool contains(const int32_t *v, int32_t n, int32_t x) {
    for (int32_t i = 0; i < n; i++)
        if (v[i] == x)
            return true;
    return false;
}

static bool has_duplicates(const int32_t *v, int32_t n) {
    for (int32_t i = 1; i < n; i++)
        if (contains(v, i, v[i]))
            return true;
    return false;
}

/* A partition state is consistent when its replicas are distinct and non-empty, the
 * ISR is a duplicate-free subset of them, the leader is -1 or a replica (not
 * necessarily in the ISR: an unclean election may pick one outside it), and the
 * epoch is not negative. */
static bool partition_ok(const int32_t *replicas, int32_t nreplicas, const int32_t *isr,
                         int32_t nisr, int32_t leader, int32_t epoch) {
    if (nreplicas < 1 || has_duplicates(replicas, nreplicas) || has_duplicates(isr, nisr))
        return false;
    for (int32_t i = 0; i < nisr; i++)
        if (!contains(replicas, nreplicas, isr[i]))
            return false;
    if (leader != -1 && !contains(replicas, nreplicas, leader))
        return false;
    return epoch >= 0;
}

static void topic_free(rn_meta_topic_t *topic) {
    if (topic == NULL)
        return;
    rn_free(topic->name);
    for (int32_t i = 0; i < topic->npartitions; i++)
        rn_meta_partition_deinit(&topic->partitions[i]);
    rn_free(topic->partitions);
    for (int32_t i = 0; i < topic->nconfigs; i++)
        rn_meta_kv_deinit(&topic->configs[i]);
    rn_free(topic->configs);
    rn_free(topic);
}

/* ---- lifetime -------------------------------------------------------------------- */

rn_meta_image_t *rn_meta_image_new(void) {
    return rn_calloc(1, sizeof(rn_meta_image_t));
}

void rn_meta_image_free(rn_meta_image_t *img) {
    if (img == NULL)
        return;
    for (size_t i = 0; i < img->ntopics; i++)
        topic_free(img->topics[i]);
    rn_free(img->topics);
    for (size_t i = 0; i < img->nbrokers; i++)
        rn_free(img->brokers[i].host);
    rn_free(img->brokers);
    rn_free(img);
}

static rn_meta_topic_t *topic_copy(const rn_meta_topic_t *src) {
    rn_meta_topic_t *topic = rn_calloc(1, sizeof *topic);
    topic->name = rn_strdup(src->name);
    memcpy(topic->id, src->id, RN_META_ID_LEN);
    topic->npartitions = src->npartitions;
    topic->partitions = rn_calloc((size_t)src->npartitions + 1, sizeof(rn_meta_partition_t));
    for (int32_t i = 0; i < src->npartitions; i++)
        rn_meta_partition_copy(&topic->partitions[i], &src->partitions[i]);
    topic->nconfigs = src->nconfigs;
    topic->configs = rn_calloc((size_t)src->nconfigs + 1, sizeof(rn_meta_kv_t));
    for (int32_t i = 0; i < src->nconfigs; i++) {
        topic->configs[i].key = rn_strdup(src->configs[i].key);
        topic->configs[i].value = rn_strdup(src->configs[i].value);
    }
    return topic;
}

rn_meta_image_t *rn_meta_image_copy(const rn_meta_image_t *img) {
    rn_meta_image_t *c = rn_meta_image_new();
    c->has_cluster_id = img->has_cluster_id;
    memcpy(c->cluster_id, img->cluster_id, RN_META_ID_LEN);
    c->nbrokers = c->brokers_cap = img->nbrokers;
    c->brokers = rn_calloc(img->nbrokers + 1, sizeof *c->brokers);
    for (size_t i = 0; i < img->nbrokers; i++) {
        c->brokers[i] = img->brokers[i];
        c->brokers[i].host = rn_strdup(img->brokers[i].host);
    }
    c->ntopics = c->topics_cap = img->ntopics;
    c->topics = rn_calloc(img->ntopics + 1, sizeof *c->topics);
    for (size_t i = 0; i < img->ntopics; i++)
        c->topics[i] = topic_copy(img->topics[i]);
    return c;
}

/* ---- equality -------------------------------------------------------------------- */

static bool ids_equal(const int32_t *a, int32_t na, const int32_t *b, int32_t nb) {
    return na == nb && (na == 0 || memcmp(a, b, (size_t)na * sizeof *a) == 0);
}

static bool topic_equal(const rn_meta_topic_t *a, const rn_meta_topic_t *b) {
    if (strcmp(a->name, b->name) != 0 || memcmp(a->id, b->id, RN_META_ID_LEN) != 0 ||
        a->npartitions != b->npartitions || a->nconfigs != b->nconfigs)
        return false;
    for (int32_t i = 0; i < a->npartitions; i++) {
        const rn_meta_partition_t *pa = &a->partitions[i], *pb = &b->partitions[i];
        if (pa->leader != pb->leader || pa->leader_epoch != pb->leader_epoch ||
            !ids_equal(pa->replicas, pa->nreplicas, pb->replicas, pb->nreplicas) ||
            !ids_equal(pa->isr, pa->nisr, pb->isr, pb->nisr))
            return false;
    }
    for (int32_t i = 0; i < a->nconfigs; i++)
        if (strcmp(a->configs[i].key, b->configs[i].key) != 0 ||
            strcmp(a->configs[i].value, b->configs[i].value) != 0)
            return false;
    return true;
}

bool rn_meta_image_equal(const rn_meta_image_t *a, const rn_meta_image_t *b) {
    if (a->has_cluster_id != b->has_cluster_id || a->nbrokers != b->nbrokers ||
        a->ntopics != b->ntopics)
        return false;
    if (a->has_cluster_id && memcmp(a->cluster_id, b->cluster_id, RN_META_ID_LEN) != 0)
        return false;
    for (size_t i = 0; i < a->nbrokers; i++) {
        const rn_meta_broker_t *ba = &a->brokers[i], *bb = &b->brokers[i];
        if (ba->id != bb->id || ba->port != bb->port || ba->fenced != bb->fenced ||
            strcmp(ba->host, bb->host) != 0)
            return false;
    }
    for (size_t i = 0; i < a->ntopics; i++)
        if (!topic_equal(a->topics[i], b->topics[i]))
            return false;
    return true;
}

/* ---- lookups --------------------------------------------------------------------- */

/* Index of name in topics[], or of where it would go; *found says which. */
static size_t topic_search(const rn_meta_image_t *img, const char *name, bool *found) {
    size_t lo = 0, hi = img->ntopics;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(img->topics[mid]->name, name);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

static size_t broker_search(const rn_meta_image_t *img, int32_t id, bool *found) {
    size_t lo = 0, hi = img->nbrokers;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (img->brokers[mid].id == id) {
            *found = true;
            return mid;
        }
        if (img->brokers[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

const rn_meta_topic_t *rn_meta_image_topic(const rn_meta_image_t *img, const char *name) {
    bool found;
    size_t at = topic_search(img, name, &found);
    return found ? img->topics[at] : NULL;
}

const rn_meta_topic_t *rn_meta_image_topic_by_id(const rn_meta_image_t *img,
                                                 const uint8_t id[RN_META_ID_LEN]) {
    /* Linear: used on rare paths only; an id index can come when Fetch-by-id does. */
    for (size_t i = 0; i < img->ntopics; i++)
        if (memcmp(img->topics[i]->id, id, RN_META_ID_LEN) == 0)
            return img->topics[i];
    return NULL;
}

const rn_meta_broker_t *rn_meta_image_broker(const rn_meta_image_t *img, int32_t id) {
    bool found;
    size_t at = broker_search(img, id, &found);
    return found ? &img->brokers[at] : NULL;
}

static int config_search(const rn_meta_topic_t *topic, const char *key, bool *found) {
    int32_t lo = 0, hi = topic->nconfigs;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        int c = strcmp(topic->configs[mid].key, key);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

const char *rn_meta_topic_config(const rn_meta_topic_t *topic, const char *key) {
    bool found;
    int at = config_search(topic, key, &found);
    return found ? topic->configs[at].value : NULL;
}

size_t rn_meta_image_live_brokers(const rn_meta_image_t *img) {
    size_t n = 0;
    for (size_t i = 0; i < img->nbrokers; i++)
        n += img->brokers[i].fenced ? 0 : 1;
    return n;
}

/* ---- apply: brokers -------------------------------------------------------------- */

static int apply_register_broker(rn_meta_image_t *img, const rn_meta_record_t *rec) {
    bool found;
    size_t at = broker_search(img, rec->register_broker.broker_id, &found);
    if (rec->register_broker.broker_id < 0 || rec->register_broker.host == NULL)
        return RN_EMALFORMED;
    if (found) {
        /* A broker that restarts registers again, possibly at a new address. */
        rn_meta_broker_t *b = &img->brokers[at];
        rn_free(b->host);
        b->host = rn_strdup(rec->register_broker.host);
        b->port = rec->register_broker.port;
        b->fenced = rec->register_broker.fenced;
        return 0;
    }
    if (img->nbrokers == img->brokers_cap) {
        img->brokers_cap = img->brokers_cap ? img->brokers_cap * 2 : 4;
        img->brokers = rn_realloc(img->brokers, img->brokers_cap * sizeof *img->brokers);
    }
    memmove(&img->brokers[at + 1], &img->brokers[at], (img->nbrokers - at) * sizeof *img->brokers);
    img->brokers[at] = (rn_meta_broker_t){
        .id = rec->register_broker.broker_id,
        .host = rn_strdup(rec->register_broker.host),
        .port = rec->register_broker.port,
        .fenced = rec->register_broker.fenced,
    };
    img->nbrokers++;
    return 0;
}

static int apply_fence(rn_meta_image_t *img, const rn_meta_record_t *rec, bool fenced) {
    bool found;
    size_t at = broker_search(img, rec->fence.broker_id, &found);
    if (!found)
        return RN_EUNKNOWNBROKER;
    img->brokers[at].fenced = fenced;
    return 0;
}

static int apply_cluster_id(rn_meta_image_t *img, const rn_meta_record_t *rec) {
    /* Set once, by the first controller; a second one would split the cluster's
     * identity, so it is refused even when equal (it should never be proposed). */
    if (img->has_cluster_id)
        return RN_EMALFORMED;
    memcpy(img->cluster_id, rec->cluster_id.id, RN_META_ID_LEN);
    img->has_cluster_id = true;
    return 0;
}

/* ---- apply: topics --------------------------------------------------------------- */

static int check_create_topic(const rn_meta_record_t *rec) {
    if (rec->create_topic.name == NULL || rec->create_topic.name[0] == '\0' ||
        strlen(rec->create_topic.name) > RN_META_TOPIC_NAME_MAX)
        return RN_EMALFORMED;
    if (rec->create_topic.npartitions < 1)
        return RN_EMALFORMED;
    for (int32_t i = 0; i < rec->create_topic.npartitions; i++) {
        const rn_meta_partition_t *p = &rec->create_topic.partitions[i];
        if (!partition_ok(p->replicas, p->nreplicas, p->isr, p->nisr, p->leader, p->leader_epoch))
            return RN_EMALFORMED;
    }
    /* Config keys must be distinct (they are kept sorted and unique). */
    for (int32_t i = 0; i < rec->create_topic.nconfigs; i++) {
        const rn_meta_kv_t *kv = &rec->create_topic.configs[i];
        if (kv->key == NULL || kv->value == NULL)
            return RN_EMALFORMED;
        for (int32_t j = 0; j < i; j++)
            if (strcmp(rec->create_topic.configs[j].key, kv->key) == 0)
                return RN_EMALFORMED;
    }
    return 0;
}

static int cmp_kv(const void *a, const void *b) {
    return strcmp(((const rn_meta_kv_t *)a)->key, ((const rn_meta_kv_t *)b)->key);
}

static int apply_create_topic(rn_meta_image_t *img, const rn_meta_record_t *rec) {
    int rc = check_create_topic(rec);
    if (rc != 0)
        return rc;
    bool found;
    size_t at = topic_search(img, rec->create_topic.name, &found);
    if (found)
        return RN_ETOPICEXISTS;
    rn_meta_topic_t src = {
        .name = rec->create_topic.name,
        .partitions = rec->create_topic.partitions,
        .npartitions = rec->create_topic.npartitions,
        .configs = rec->create_topic.configs,
        .nconfigs = rec->create_topic.nconfigs,
    };
    memcpy(src.id, rec->create_topic.topic_id, RN_META_ID_LEN);
    rn_meta_topic_t *topic = topic_copy(&src);
    qsort(topic->configs, (size_t)topic->nconfigs, sizeof *topic->configs, cmp_kv);
    if (img->ntopics == img->topics_cap) {
        img->topics_cap = img->topics_cap ? img->topics_cap * 2 : 16;
        img->topics = rn_realloc(img->topics, img->topics_cap * sizeof *img->topics);
    }
    memmove(&img->topics[at + 1], &img->topics[at], (img->ntopics - at) * sizeof *img->topics);
    img->topics[at] = topic;
    img->ntopics++;
    return 0;
}

/* The topic named name whose id is id; NULL when either does not match. */
static rn_meta_topic_t *find_topic(rn_meta_image_t *img, const char *name, const uint8_t *id,
                                   size_t *at) {
    bool found;
    if (name == NULL)
        return NULL;
    *at = topic_search(img, name, &found);
    if (!found)
        return NULL;
    rn_meta_topic_t *topic = img->topics[*at];
    if (id != NULL && memcmp(topic->id, id, RN_META_ID_LEN) != 0)
        return NULL; /* a newer topic of the same name: the record is stale */
    return topic;
}

static int apply_delete_topic(rn_meta_image_t *img, const rn_meta_record_t *rec) {
    size_t at;
    rn_meta_topic_t *topic =
        find_topic(img, rec->delete_topic.name, rec->delete_topic.topic_id, &at);
    if (topic == NULL)
        return RN_EUNKNOWNTOPIC;
    topic_free(topic);
    memmove(&img->topics[at], &img->topics[at + 1], (img->ntopics - at - 1) * sizeof *img->topics);
    img->ntopics--;
    return 0;
}

static int apply_partition_change(rn_meta_image_t *img, const rn_meta_record_t *rec) {
    size_t at;
    rn_meta_topic_t *topic =
        find_topic(img, rec->partition_change.name, rec->partition_change.topic_id, &at);
    if (topic == NULL)
        return RN_EUNKNOWNTOPIC;
    int32_t p = rec->partition_change.partition;
    if (p < 0 || p >= topic->npartitions)
        return RN_EINVALIDPARTITIONS;
    rn_meta_partition_t *part = &topic->partitions[p];
    /* Epochs never go backwards: followers truncate by them (DESIGN.md, KIP-101). */
    if (rec->partition_change.leader_epoch < part->leader_epoch)
        return RN_EMALFORMED;
    if (!partition_ok(part->replicas, part->nreplicas, rec->partition_change.isr,
                      rec->partition_change.nisr, rec->partition_change.leader,
                      rec->partition_change.leader_epoch))
        return RN_EMALFORMED;
    rn_free(part->isr);
    part->isr = dup_ids(rec->partition_change.isr, rec->partition_change.nisr);
    part->nisr = rec->partition_change.nisr;
    part->leader = rec->partition_change.leader;
    part->leader_epoch = rec->partition_change.leader_epoch;
    return 0;
}

static int apply_set_config(rn_meta_image_t *img, const rn_meta_record_t *rec) {
    size_t at;
    rn_meta_topic_t *topic = find_topic(img, rec->set_config.name, NULL, &at);
    if (topic == NULL)
        return RN_EUNKNOWNTOPIC;
    if (rec->set_config.key == NULL || rec->set_config.key[0] == '\0')
        return RN_EMALFORMED;
    bool found;
    int k = config_search(topic, rec->set_config.key, &found);
    if (rec->set_config.value == NULL) {
        if (!found)
            return 0; /* removing an absent override is a no-op, not an error */
        rn_meta_kv_deinit(&topic->configs[k]);
        memmove(&topic->configs[k], &topic->configs[k + 1],
                (size_t)(topic->nconfigs - k - 1) * sizeof *topic->configs);
        topic->nconfigs--;
        return 0;
    }
    if (found) {
        rn_free(topic->configs[k].value);
        topic->configs[k].value = rn_strdup(rec->set_config.value);
        return 0;
    }
    topic->configs =
        rn_realloc(topic->configs, ((size_t)topic->nconfigs + 1) * sizeof *topic->configs);
    memmove(&topic->configs[k + 1], &topic->configs[k],
            (size_t)(topic->nconfigs - k) * sizeof *topic->configs);
    topic->configs[k].key = rn_strdup(rec->set_config.key);
    topic->configs[k].value = rn_strdup(rec->set_config.value);
    topic->nconfigs++;
    return 0;
}

/* Partitions are only ever appended: the record names where they start (the count it
 * was built against), so a second growth validated against the same image — a race —
 * no longer matches and is skipped whole instead of adding twice. */
static int apply_create_partitions(rn_meta_image_t *img, const rn_meta_record_t *rec) {
    size_t at;
    rn_meta_topic_t *topic =
        find_topic(img, rec->create_partitions.name, rec->create_partitions.topic_id, &at);
    if (topic == NULL)
        return RN_EUNKNOWNTOPIC;
    int32_t n = rec->create_partitions.npartitions;
    if (rec->create_partitions.first != topic->npartitions || n < 1 ||
        n > INT32_MAX - topic->npartitions)
        return RN_EINVALIDPARTITIONS;
    for (int32_t i = 0; i < n; i++) {
        const rn_meta_partition_t *p = &rec->create_partitions.partitions[i];
        if (!partition_ok(p->replicas, p->nreplicas, p->isr, p->nisr, p->leader, p->leader_epoch))
            return RN_EMALFORMED;
    }
    size_t total = (size_t)topic->npartitions + (size_t)n;
    topic->partitions = rn_realloc(topic->partitions, total * sizeof *topic->partitions);
    for (int32_t i = 0; i < n; i++)
        rn_meta_partition_copy(&topic->partitions[topic->npartitions + i],
                               &rec->create_partitions.partitions[i]);
    topic->npartitions = (int32_t)total;
    return 0;
}

int rn_meta_image_apply(rn_meta_image_t *img, const rn_meta_record_t *rec) {
    switch (rec->type) {
    case RN_MREC_REGISTER_BROKER:
        return apply_register_broker(img, rec);
    case RN_MREC_FENCE_BROKER:
        return apply_fence(img, rec, true);
    case RN_MREC_UNFENCE_BROKER:
        return apply_fence(img, rec, false);
    case RN_MREC_CREATE_TOPIC:
        return apply_create_topic(img, rec);
    case RN_MREC_DELETE_TOPIC:
        return apply_delete_topic(img, rec);
    case RN_MREC_PARTITION_CHANGE:
        return apply_partition_change(img, rec);
    case RN_MREC_SET_TOPIC_CONFIG:
        return apply_set_config(img, rec);
    case RN_MREC_SET_CLUSTER_ID:
        return apply_cluster_id(img, rec);
    case RN_MREC_CREATE_PARTITIONS:
        return apply_create_partitions(img, rec);
    default:
        return RN_EBADVERSION;
    }
}
