/*
 * partitions.c — the partition registry (partitions.h): a hash of topics, each with an
 * array of the partitions this broker hosts, kept in line with the metadata image.
 *
 * Invariants: every registered rn_ptopic_t matches a topic of the image as last synced
 * (same name and id); its parts[i] is non-NULL exactly when this broker is among
 * partition i's replicas and its log opened; every hosted partition's plog is in the
 * log manager. A partition's directory holds `partition.metadata` naming the topic id,
 * so that a directory left over from an earlier topic of the same name (deleted while
 * the broker was down, or before a crash) is recognised and replaced, not served.
 *
 *   partition.metadata:   version: 0
 *                         topic_id: <32 hex digits>
 */
#include "broker/partitions.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/logging.h"

#define MOD       "broker"
#define PART_META "partition.metadata"

struct rn_partitions_s {
    int32_t broker_id;
    const rn_broker_config_t *cfg; /* borrowed */
    rn_logmgr_t *mgr;              /* borrowed */
    rn_ptopic_t **buckets;         /* nbuckets (a power of two) chains */
    size_t nbuckets;
    size_t ntopics;
    int nparts;
};

/* ---- config resolution ------------------------------------------------------------ */

static bool parse_i64(const char *s, int64_t *out) {
    if (s == NULL || *s == '\0')
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

/* Overlay one integer override; a value that does not parse keeps the default. */
static void overlay_i64(const rn_meta_topic_t *topic, const char *key, int64_t *field) {
    const char *v = rn_meta_topic_config(topic, key);
    int64_t x;
    if (v == NULL)
        return;
    if (parse_i64(v, &x))
        *field = x;
    else
        rn_log(RN_LOG_WARN, MOD, "%s: ignoring bad %s=%s", topic->name, key, v);
}

void rn_partitions_resolve(const rn_broker_config_t *cfg, const rn_meta_topic_t *topic,
                           rn_log_config_t *log_cfg, int32_t *min_isr,
                           rn_partitioner_t *partitioner) {
    *log_cfg = cfg->log;
    *min_isr = cfg->min_insync_replicas;
    *partitioner = RN_PARTITIONER_DEFAULT;
    if (topic == NULL)
        return;
    overlay_i64(topic, "retention.ms", &log_cfg->retention_ms);
    overlay_i64(topic, "retention.bytes", &log_cfg->retention_bytes);
    overlay_i64(topic, "segment.bytes", &log_cfg->segment_bytes);
    overlay_i64(topic, "segment.ms", &log_cfg->segment_ms);
    overlay_i64(topic, "flush.messages", &log_cfg->flush_messages);
    overlay_i64(topic, "flush.ms", &log_cfg->flush_ms);
    int64_t v = log_cfg->max_message_bytes;
    overlay_i64(topic, "max.message.bytes", &v);
    if (v > 0 && v <= INT32_MAX)
        log_cfg->max_message_bytes = (int32_t)v;
    v = *min_isr;
    overlay_i64(topic, "min.insync.replicas", &v);
    if (v > 0 && v <= INT32_MAX)
        *min_isr = (int32_t)v;
    const char *p = rn_meta_topic_config(topic, "partitioner");
    if (p != NULL && rn_partitioner_parse(p, partitioner) != 0)
        rn_log(RN_LOG_WARN, MOD, "%s: ignoring bad partitioner=%s", topic->name, p);
}

/* ---- the hash --------------------------------------------------------------------- */

static uint64_t hash_name(const char *s, size_t len) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (uint8_t)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static rn_ptopic_t **bucket_of(rn_partitions_t *reg, const char *name, size_t len) {
    return &reg->buckets[hash_name(name, len) & (reg->nbuckets - 1)];
}

static void grow(rn_partitions_t *reg) {
    size_t n = reg->nbuckets * 2;
    rn_ptopic_t **nb = rn_calloc(n, sizeof *nb);
    for (size_t i = 0; i < reg->nbuckets; i++) {
        rn_ptopic_t *t = reg->buckets[i];
        while (t != NULL) {
            rn_ptopic_t *next = t->hnext;
            rn_ptopic_t **b = &nb[hash_name(t->name, strlen(t->name)) & (n - 1)];
            t->hnext = *b;
            *b = t;
            t = next;
        }
    }
    rn_free(reg->buckets);
    reg->buckets = nb;
    reg->nbuckets = n;
}

rn_ptopic_t *rn_partitions_topic(rn_partitions_t *reg, const char *topic, size_t len) {
    for (rn_ptopic_t *t = *bucket_of(reg, topic, len); t != NULL; t = t->hnext)
        if (strncmp(t->name, topic, len) == 0 && t->name[len] == '\0')
            return t;
    return NULL;
}

rn_partition_t *rn_partitions_get(rn_partitions_t *reg, const char *topic, size_t len,
                                  int32_t partition) {
    rn_ptopic_t *t = rn_partitions_topic(reg, topic, len);
    if (t == NULL || partition < 0 || partition >= t->npartitions)
        return NULL;
    return t->parts[partition];
}

int rn_partitions_count(const rn_partitions_t *reg) {
    return reg->nparts;
}

/* ---- lifecycle ------------------------------------------------------------------- */

rn_partitions_t *rn_partitions_new(int32_t broker_id, const rn_broker_config_t *cfg,
                                   rn_logmgr_t *mgr) {
    rn_partitions_t *reg = rn_calloc(1, sizeof *reg);
    reg->broker_id = broker_id;
    reg->cfg = cfg;
    reg->mgr = mgr;
    reg->nbuckets = 64;
    reg->buckets = rn_calloc(reg->nbuckets, sizeof *reg->buckets);
    return reg;
}

static void wake(rn_partition_t *part, rn_part_wake_t why) {
    /* GONE/STOP remove each waiter before calling it; APPEND leaves it registered and
     * tolerates fn removing any waiter: fetch the next link only after the call when
     * the current one stayed. */
    rn_part_waiter_t *head = &part->waiters;
    if (why != RN_PART_WAKE_APPEND) {
        while (head->next != head) {
            rn_part_waiter_t *w = head->next;
            rn_part_waiter_remove(w);
            w->fn(w, part, why);
        }
        return;
    }
    /* Detach the current list so that waiters added by the callbacks wait for the next
     * append; each waiter still registered afterwards goes back on the list. */
    rn_part_waiter_t pending = {.prev = &pending, .next = &pending};
    if (head->next != head) {
        pending.next = head->next;
        pending.prev = head->prev;
        pending.next->prev = &pending;
        pending.prev->next = &pending;
        head->next = head->prev = head;
    }
    while (pending.next != &pending) {
        rn_part_waiter_t *w = pending.next;
        /* move w back to the partition's list, then call it: fn may remove it */
        w->prev->next = w->next;
        w->next->prev = w->prev;
        w->next = head;
        w->prev = head->prev;
        head->prev->next = w;
        head->prev = w;
        w->fn(w, part, why);
    }
}

static void part_free(rn_partitions_t *reg, rn_partition_t *part, bool delete_log) {
    wake(part, RN_PART_WAKE_GONE);
    if (delete_log) {
        int rc = rn_logmgr_delete(reg->mgr, part->topic->name, part->index);
        if (rc != 0 && rc != -ENOENT)
            rn_log(RN_LOG_ERROR, MOD, "%s-%d: cannot delete log: %s", part->topic->name,
                   (int)part->index, rn_strerror(rc));
    }
    reg->nparts--;
    rn_free(part->followers);
    rn_free(part->replicas);
    rn_free(part->isr);
    rn_free(part->want);
    rn_free(part);
}

static void topic_free(rn_partitions_t *reg, rn_ptopic_t *t, bool delete_logs) {
    for (int32_t i = 0; i < t->npartitions; i++)
        if (t->parts[i] != NULL)
            part_free(reg, t->parts[i], delete_logs);
    rn_free(t->parts);
    rn_free(t->name);
    rn_free(t);
}

void rn_partitions_wake_all(rn_partitions_t *reg, rn_part_wake_t why) {
    for (size_t i = 0; i < reg->nbuckets; i++)
        for (rn_ptopic_t *t = reg->buckets[i]; t != NULL; t = t->hnext)
            for (int32_t p = 0; p < t->npartitions; p++)
                if (t->parts[p] != NULL)
                    wake(t->parts[p], why);
}

void rn_partitions_free(rn_partitions_t *reg) {
    if (reg == NULL)
        return;
    rn_partitions_wake_all(reg, RN_PART_WAKE_STOP);
    for (size_t i = 0; i < reg->nbuckets; i++) {
        rn_ptopic_t *t = reg->buckets[i];
        while (t != NULL) {
            rn_ptopic_t *next = t->hnext;
            topic_free(reg, t, false);
            t = next;
        }
    }
    rn_free(reg->buckets);
    rn_free(reg);
}

/* ---- partition.metadata ------------------------------------------------------------ */

static void hex_id(const uint8_t id[RN_META_ID_LEN], char out[2 * RN_META_ID_LEN + 1]) {
    for (int i = 0; i < RN_META_ID_LEN; i++)
        snprintf(out + 2 * i, 3, "%02x", id[i]);
}

/* 1: the file names id; 0: it names another id; -ENOENT: no file (or unreadable). */
static int part_meta_matches(const char *dir, const uint8_t id[RN_META_ID_LEN]) {
    char path[4200], want[2 * RN_META_ID_LEN + 1], got[64] = "";
    snprintf(path, sizeof path, "%s/" PART_META, dir);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -ENOENT;
    char line[128];
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "topic_id: %63s", got) == 1)
            break;
    fclose(f);
    hex_id(id, want);
    return strcmp(got, want) == 0 ? 1 : 0;
}

static int part_meta_write(const char *dir, const uint8_t id[RN_META_ID_LEN]) {
    char path[4200], hex[2 * RN_META_ID_LEN + 1];
    snprintf(path, sizeof path, "%s/" PART_META, dir);
    hex_id(id, hex);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -errno;
    int ok = fprintf(f, "version: 0\ntopic_id: %s\n", hex) > 0;
    ok = (fclose(f) == 0) && ok;
    return ok ? 0 : -EIO;
}

/* ---- sync -------------------------------------------------------------------------- */

static bool is_replica(const rn_meta_partition_t *mp, int32_t broker_id) {
    for (int32_t i = 0; i < mp->nreplicas; i++)
        if (mp->replicas[i] == broker_id)
            return true;
    return false;
}

/* Open (or create) the log of partition index of topic t, checking its topic id. */
static int open_log(rn_partitions_t *reg, rn_ptopic_t *t, int32_t index, const rn_log_config_t *lc,
                    rn_plog_t **out) {
    int rc = rn_logmgr_create(reg->mgr, t->name, index, lc, out);
    if (rc != 0)
        return rc;
    int m = part_meta_matches(rn_plog_dir(*out), t->id);
    if (m == 0) {
        /* A directory of an earlier topic of this name: the image says it is gone. */
        rn_log(RN_LOG_WARN, MOD, "%s-%d: log belongs to an older topic of that name: replaced",
               t->name, (int)index);
        rc = rn_logmgr_delete(reg->mgr, t->name, index);
        if (rc == 0)
            rc = rn_logmgr_create(reg->mgr, t->name, index, lc, out);
        if (rc != 0)
            return rc;
        m = -ENOENT;
    }
    if (m == -ENOENT)
        rc = part_meta_write(rn_plog_dir(*out), t->id);
    return rc;
}

static void copy_ids(int32_t **dst, int32_t *n, const int32_t *src, int32_t nsrc) {
    *dst = rn_realloc(*dst, (size_t)(nsrc > 0 ? nsrc : 1) * sizeof **dst);
    if (nsrc > 0)
        memcpy(*dst, src, (size_t)nsrc * sizeof **dst);
    *n = nsrc;
}

static bool has_id(const int32_t *v, int32_t n, int32_t id) {
    for (int32_t i = 0; i < n; i++)
        if (v[i] == id)
            return true;
    return false;
}

static bool same_set(const int32_t *a, int32_t na, const int32_t *b, int32_t nb) {
    if (na != nb)
        return false;
    for (int32_t i = 0; i < na; i++)
        if (!has_id(b, nb, a[i]))
            return false;
    return true;
}

static void drop_want(rn_partition_t *part) {
    rn_free(part->want);
    part->want = NULL;
    part->nwant = 0;
    part->want_sent = false;
}

/* The one writer of part->high_watermark: also records it in the log, from which
 * the log manager writes replication-offset-checkpoint. */
static void set_hw(rn_partition_t *part, int64_t hw) {
    part->high_watermark = hw;
    rn_plog_set_hw(part->plog, hw);
}

void rn_partition_set_hw(rn_partition_t *part, int64_t hw) {
    int64_t end = rn_plog_end_offset(part->plog);
    set_hw(part, hw < end ? hw : end);
}

/* Never above the log end (a truncation cut below it); on the leader, raise the HW to
 * what the maximal ISR allows. True when it rose. */
static bool update_hw(rn_partition_t *part) {
    int64_t end = rn_plog_end_offset(part->plog);
    if (part->high_watermark > end)
        set_hw(part, end);
    if (!part->is_leader)
        return false;
    int64_t hw = rn_isr_high_watermark(part->leader_id, end, part->isr, part->nisr, part->want,
                                       part->nwant, part->followers, part->nfollowers);
    if (hw > end)
        hw = end; /* a diverged follower may claim more than we have */
    if (hw <= part->high_watermark)
        return false;
    set_hw(part, hw);
    return true;
}

static void part_update(rn_partitions_t *reg, rn_partition_t *part, const rn_meta_partition_t *mp,
                        const rn_log_config_t *lc, int32_t min_isr) {
    if (memcmp(&part->log_cfg, lc, sizeof *lc) != 0) {
        int rc = rn_plog_set_config(part->plog, lc);
        if (rc == 0)
            part->log_cfg = *lc;
        else
            rn_log(RN_LOG_WARN, MOD, "%s-%d: config change refused by the log: %s",
                   part->topic->name, (int)part->index, rn_strerror(rc));
    }
    part->min_insync_replicas = min_isr;
    bool was_leader = part->is_leader;
    int32_t old_epoch = part->leader_epoch;
    part->leader_id = mp->leader;
    part->leader_epoch = mp->leader_epoch;
    part->is_leader = mp->leader == reg->broker_id;
    copy_ids(&part->replicas, &part->nreplicas, mp->replicas, mp->nreplicas);
    copy_ids(&part->isr, &part->nisr, mp->isr, mp->nisr);
    if (!part->is_leader || !was_leader || old_epoch != part->leader_epoch) {
        part->nfollowers = 0; /* fetch positions are the current leadership's business */
        drop_want(part);
        part->leader_since_ms = rn_mono_ms();
    } else if (part->want != NULL && same_set(part->want, part->nwant, part->isr, part->nisr)) {
        drop_want(part); /* the change we asked for has applied */
    }
    /* A new leader keeps the HW it had as follower (or from the checkpoint) and raises
     * it at once to what its maximal ISR allows: with the ISR {itself} that is its log
     * end, so a lone broker restarted with an older checkpoint hides nothing it had
     * acknowledged. The waiters are woken at the next tick (no waiter runs inside a
     * sync). */
    if (update_hw(part))
        part->hw_dirty = true;
    /* Leadership ended or changed: the next tick's wake answers the acks=all waiters of
     * the old one NOT_LEADER_OR_FOLLOWER (produce_wait.c). */
    if (was_leader && (!part->is_leader || old_epoch != part->leader_epoch))
        part->hw_dirty = true;
}

static int part_add(rn_partitions_t *reg, rn_ptopic_t *t, int32_t index,
                    const rn_meta_partition_t *mp, const rn_log_config_t *lc, int32_t min_isr) {
    rn_plog_t *plog;
    int rc = open_log(reg, t, index, lc, &plog);
    if (rc != 0) {
        rn_log(RN_LOG_ERROR, MOD, "%s-%d: cannot open log: %s", t->name, (int)index,
               rn_strerror(rc));
        return rc;
    }
    rn_partition_t *part = rn_calloc(1, sizeof *part);
    part->topic = t;
    part->index = index;
    part->plog = plog;
    part->log_cfg = *rn_plog_config(plog);
    part->waiters.next = part->waiters.prev = &part->waiters;
    /* The HW from replication-offset-checkpoint, clamped to the log (its start when the
     * checkpoint did not list it); part_update raises it on a leader, a follower takes
     * the leader's at its first fetch. */
    set_hw(part, rn_plog_hw(plog));
    part_update(reg, part, mp, lc, min_isr);
    t->parts[index] = part;
    reg->nparts++;
    return 0;
}

static rn_ptopic_t *topic_add(rn_partitions_t *reg, const rn_meta_topic_t *mt) {
    if (reg->ntopics + 1 > reg->nbuckets)
        grow(reg);
    rn_ptopic_t *t = rn_calloc(1, sizeof *t);
    t->name = rn_strdup(mt->name);
    memcpy(t->id, mt->id, RN_META_ID_LEN);
    rn_ptopic_t **b = bucket_of(reg, t->name, strlen(t->name));
    t->hnext = *b;
    *b = t;
    reg->ntopics++;
    return t;
}

static void topic_remove(rn_partitions_t *reg, rn_ptopic_t *t, bool delete_logs) {
    rn_ptopic_t **pp = bucket_of(reg, t->name, strlen(t->name));
    while (*pp != t)
        pp = &(*pp)->hnext;
    *pp = t->hnext;
    reg->ntopics--;
    topic_free(reg, t, delete_logs);
}

/* Bring topic t in line with mt (same name and id). */
static int topic_update(rn_partitions_t *reg, rn_ptopic_t *t, const rn_meta_topic_t *mt) {
    rn_log_config_t lc;
    int32_t min_isr;
    rn_partitions_resolve(reg->cfg, mt, &lc, &min_isr, &t->partitioner);
    if (mt->npartitions > t->npartitions) {
        t->parts = rn_realloc(t->parts, (size_t)mt->npartitions * sizeof *t->parts);
        memset(t->parts + t->npartitions, 0,
               (size_t)(mt->npartitions - t->npartitions) * sizeof *t->parts);
        t->npartitions = mt->npartitions;
    }
    int first_err = 0;
    for (int32_t i = 0; i < mt->npartitions; i++) {
        const rn_meta_partition_t *mp = &mt->partitions[i];
        rn_partition_t *part = t->parts[i];
        bool want = is_replica(mp, reg->broker_id);
        if (part != NULL && !want) {
            part_free(reg, part, true); /* reassigned away (later issues) */
            t->parts[i] = NULL;
        } else if (part != NULL) {
            part_update(reg, part, mp, &lc, min_isr);
        } else if (want) {
            int rc = part_add(reg, t, i, mp, &lc, min_isr);
            first_err = first_err ? first_err : rc;
        }
    }
    return first_err;
}

int rn_partitions_sync_topic(rn_partitions_t *reg, const rn_meta_image_t *img, const char *name,
                             bool delete_logs) {
    const rn_meta_topic_t *mt = rn_meta_image_topic(img, name);
    rn_ptopic_t *t = rn_partitions_topic(reg, name, strlen(name));
    if (t != NULL && (mt == NULL || memcmp(t->id, mt->id, RN_META_ID_LEN) != 0)) {
        topic_remove(reg, t, delete_logs);
        t = NULL;
    }
    if (mt == NULL)
        return 0;
    if (t == NULL)
        t = topic_add(reg, mt);
    return topic_update(reg, t, mt);
}

int rn_partitions_sync(rn_partitions_t *reg, const rn_meta_image_t *img, bool delete_logs) {
    /* Topics gone from the image first (collect, then remove: removal edits chains). */
    for (size_t i = 0; i < reg->nbuckets; i++) {
        rn_ptopic_t **pp = &reg->buckets[i];
        while (*pp != NULL) {
            rn_ptopic_t *t = *pp;
            const rn_meta_topic_t *mt = rn_meta_image_topic(img, t->name);
            if (mt != NULL && memcmp(t->id, mt->id, RN_META_ID_LEN) == 0) {
                pp = &t->hnext;
                continue;
            }
            *pp = t->hnext;
            reg->ntopics--;
            topic_free(reg, t, delete_logs);
        }
    }
    int first_err = 0;
    for (size_t i = 0; i < img->ntopics; i++) {
        int rc = rn_partitions_sync_topic(reg, img, img->topics[i]->name, delete_logs);
        first_err = first_err ? first_err : rc;
    }
    return first_err;
}

/* ---- per partition ------------------------------------------------------------------ */

void rn_partition_appended(rn_partition_t *part) {
    update_hw(part);
    part->hw_dirty = false;
    wake(part, RN_PART_WAKE_APPEND); /* followers wait for data, acks=all for the HW */
}

void rn_partition_flush_hw(rn_partition_t *part) {
    if (!part->hw_dirty)
        return;
    part->hw_dirty = false;
    wake(part, RN_PART_WAKE_APPEND);
}

static rn_replica_pos_t *follower_pos(rn_partition_t *part, int32_t replica_id) {
    for (int32_t i = 0; i < part->nfollowers; i++)
        if (part->followers[i].replica_id == replica_id)
            return &part->followers[i];
    part->followers =
        rn_realloc(part->followers, (size_t)(part->nfollowers + 1) * sizeof *part->followers);
    rn_replica_pos_t *f = &part->followers[part->nfollowers++];
    f->replica_id = replica_id;
    f->caught_up_ms = part->leader_since_ms; /* grace: lagging counts from leadership */
    f->prev_end = INT64_MAX;
    f->prev_ms = 0;
    return f;
}

void rn_partition_follower_fetched(rn_partition_t *part, int32_t replica_id, int64_t fetch_offset) {
    rn_replica_pos_t *f = follower_pos(part, replica_id);
    int64_t now = rn_mono_ms();
    int64_t end = rn_plog_end_offset(part->plog);
    /* Caught up: at our log end now, or at least where our log ended at its previous
     * fetch (then it was caught up when it sent that one: Kafka's rule). */
    if (fetch_offset >= end)
        f->caught_up_ms = now;
    else if (fetch_offset >= f->prev_end && f->prev_ms > f->caught_up_ms)
        f->caught_up_ms = f->prev_ms;
    f->prev_end = end;
    f->prev_ms = now;
    f->log_end = fetch_offset;
    if (update_hw(part))
        part->hw_dirty = true;
}

int64_t rn_isr_high_watermark(int32_t self, int64_t self_end, const int32_t *isr, int32_t nisr,
                              const int32_t *want, int32_t nwant, const rn_replica_pos_t *fol,
                              int32_t nfol) {
    int64_t hw = self_end;
    for (int32_t i = 0; i < nisr + nwant; i++) {
        int32_t id = i < nisr ? isr[i] : want[i - nisr];
        if (id == self || (i >= nisr && has_id(isr, nisr, id)))
            continue;
        int64_t end = -1;
        for (int32_t j = 0; j < nfol; j++)
            if (fol[j].replica_id == id)
                end = fol[j].log_end;
        if (end < hw)
            hw = end;
    }
    return hw;
}

int32_t rn_isr_max_size(const int32_t *isr, int32_t nisr, const int32_t *want, int32_t nwant) {
    int32_t n = nisr;
    for (int32_t i = 0; i < nwant; i++)
        if (!has_id(isr, nisr, want[i]))
            n++;
    return n;
}

void rn_partitions_each(rn_partitions_t *reg, void (*fn)(rn_partition_t *part, void *arg),
                        void *arg) {
    for (size_t i = 0; i < reg->nbuckets; i++)
        for (rn_ptopic_t *t = reg->buckets[i]; t != NULL; t = t->hnext)
            for (int32_t p = 0; p < t->npartitions; p++)
                if (t->parts[p] != NULL)
                    fn(t->parts[p], arg);
}

bool rn_partition_isr_ok(const rn_partition_t *part) {
    return part->nisr >= part->min_insync_replicas;
}

bool rn_partition_max_isr_ok(const rn_partition_t *part) {
    return rn_isr_max_size(part->isr, part->nisr, part->want, part->nwant) >=
           part->min_insync_replicas;
}

void rn_partition_wait(rn_partition_t *part, rn_part_waiter_t *w) {
    rn_part_waiter_t *head = &part->waiters;
    w->part = part;
    w->next = head;
    w->prev = head->prev;
    head->prev->next = w;
    head->prev = w;
}

void rn_part_waiter_remove(rn_part_waiter_t *w) {
    if (w->part == NULL)
        return;
    w->prev->next = w->next;
    w->next->prev = w->prev;
    w->next = w->prev = NULL;
    w->part = NULL;
}

bool rn_partition_is_storage_error(int rc) {
    return rc < 0 && rc > RN_ERROR_END; /* -errno; ours are below RN_ERROR_END */
}

void rn_partition_storage_failed(rn_partition_t *part, int rc) {
    if (part->storage_err != 0)
        return;
    part->storage_err = rc;
    rn_log(RN_LOG_ERROR, MOD,
           "%s-%d: log write failed: %s (%s, errno %d): partition offline on this broker "
           "(produce and consumer fetches answer KAFKA_STORAGE_ERROR); free space or fix the "
           "disk, then "
           "restart the broker",
           part->topic->name, (int)part->index, rn_strerror(rc), rn_errname(rc), -rc);
}

const char *rn_partition_name(const rn_partition_t *part, char *buf, size_t len) {
    snprintf(buf, len, "%s-%" PRId32, part->topic->name, part->index);
    return buf;
}
