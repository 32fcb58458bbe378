/*
 * controller_brokers.c — the controller's decisions about broker liveness (see
 * controller.h): fencing a silent broker and unfencing a returning one, each as ONE
 * list of records that commit together.
 *
 * Fencing broker F, per partition (replicas in assignment order r[0..n)):
 *
 *   F leads it:   new leader = the first r[i] that is in the ISR, registered and not
 *                 fenced (F excluded); the ISR loses F; leader epoch + 1.
 *                 None: unclean election allowed (topic override, else the broker
 *                 default) → the first live r[i] at all, ISR = {it} (data may be lost);
 *                 otherwise offline: leader -1, ISR left as it is (so that F, the
 *                 replica that has the data, can lead again when it returns).
 *   F follows:    the ISR loses F (same leader, same epoch).
 *
 * Unfencing broker U: every offline partition whose ISR contains a replica that is
 * live once U is back gets the first such ISR member (assignment order) as leader,
 * leader epoch + 1.
 */
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "meta/controller.h"
#include "meta/controller_int.h"

static bool unclean_allowed(const rn_meta_topic_t *t, bool unclean_default) {
    const char *v = rn_meta_topic_config(t, "unclean.leader.election.enable");
    return v != NULL ? strcmp(v, "true") == 0 : unclean_default;
}

void rn__fence_partition(const rn_meta_image_t *img, const rn_meta_topic_t *t, int32_t p,
                         int32_t id, bool unclean_default, rn__recs_t *r, int *unclean) {
    const rn_meta_partition_t *mp = &t->partitions[p];
    bool in_isr = rn__ids_contain(mp->isr, mp->nisr, id);
    if (mp->leader != id && !in_isr)
        return;
    int32_t *isr = rn_malloc((size_t)(mp->nisr > 0 ? mp->nisr : 1) * sizeof *isr);
    int32_t nisr = 0;
    for (int32_t i = 0; i < mp->nisr; i++)
        if (mp->isr[i] != id)
            isr[nisr++] = mp->isr[i];
    if (mp->leader != id) {
        rn__recs_add_change(r, t, p, mp->leader, mp->leader_epoch, isr, nisr);
        rn_free(isr);
        return;
    }
    int32_t leader = -1;
    for (int32_t i = 0; i < mp->nreplicas && leader < 0; i++)
        if (rn__ids_contain(isr, nisr, mp->replicas[i]) &&
            rn__broker_live(img, mp->replicas[i], id, -1))
            leader = mp->replicas[i];
    if (leader < 0 && unclean_allowed(t, unclean_default)) {
        for (int32_t i = 0; i < mp->nreplicas && leader < 0; i++)
            if (rn__broker_live(img, mp->replicas[i], id, -1))
                leader = mp->replicas[i];
        if (leader >= 0) {
            isr[0] = leader;
            nisr = 1;
            (*unclean)++;
        }
    }
    if (leader < 0) /* offline: keep the ISR, F included, to know who has the data */
        rn__recs_add_change(r, t, p, -1, mp->leader_epoch + 1, mp->isr, mp->nisr);
    else
        rn__recs_add_change(r, t, p, leader, mp->leader_epoch + 1, isr, nisr);
    rn_free(isr);
}

int rn_controller_fence_broker(const rn_meta_image_t *img, int32_t id, bool unclean_default,
                               rn_meta_record_t **out, size_t *nout, int *unclean) {
    *out = NULL;
    *nout = 0;
    *unclean = 0;
    const rn_meta_broker_t *mb = rn_meta_image_broker(img, id);
    if (mb == NULL)
        return RN_EUNKNOWNBROKER;
    rn__recs_t r = {0};
    rn_meta_record_t *fence = rn__recs_add(&r);
    fence->type = RN_MREC_FENCE_BROKER;
    fence->fence.broker_id = id;
    for (size_t i = 0; i < img->ntopics; i++)
        for (int32_t p = 0; p < img->topics[i]->npartitions; p++)
            rn__fence_partition(img, img->topics[i], p, id, unclean_default, &r, unclean);
    *out = r.v;
    *nout = r.n;
    return 0;
}

int rn_controller_unfence_broker(const rn_meta_image_t *img, int32_t id, rn_meta_record_t **out,
                                 size_t *nout) {
    *out = NULL;
    *nout = 0;
    if (rn_meta_image_broker(img, id) == NULL)
        return RN_EUNKNOWNBROKER;
    rn__recs_t r = {0};
    rn_meta_record_t *unfence = rn__recs_add(&r);
    unfence->type = RN_MREC_UNFENCE_BROKER;
    unfence->fence.broker_id = id;
    for (size_t i = 0; i < img->ntopics; i++) {
        const rn_meta_topic_t *t = img->topics[i];
        for (int32_t p = 0; p < t->npartitions; p++) {
            const rn_meta_partition_t *mp = &t->partitions[p];
            if (mp->leader >= 0)
                continue;
            int32_t leader = -1;
            for (int32_t j = 0; j < mp->nreplicas && leader < 0; j++)
                if (rn__ids_contain(mp->isr, mp->nisr, mp->replicas[j]) &&
                    rn__broker_live(img, mp->replicas[j], -1, id))
                    leader = mp->replicas[j];
            if (leader >= 0)
                rn__recs_add_change(&r, t, p, leader, mp->leader_epoch + 1, mp->isr, mp->nisr);
        }
    }
    *out = r.v;
    *nout = r.n;
    return 0;
}

void rn_controller_records_free(rn_meta_record_t *recs, size_t n) {
    for (size_t i = 0; i < n; i++)
        rn_meta_record_deinit(&recs[i]);
    rn_free(recs);
}

/* ---- AlterPartition ----------------------------------------------------------------- */

/* new_isr is a valid ISR for mp: the leader, replicas only, no duplicates. */
static bool isr_shape_ok(const rn_meta_partition_t *mp, const int32_t *v, int32_t n) {
    if (n < 1 || !rn__ids_contain(v, n, mp->leader))
        return false;
    for (int32_t i = 0; i < n; i++)
        if (!rn__ids_contain(mp->replicas, mp->nreplicas, v[i]) || rn__ids_contain(v, i, v[i]))
            return false;
    return true;
}

rn_alter_isr_t rn_controller_alter_isr(const rn_meta_image_t *img, const char *name, int32_t p,
                                       int32_t broker_id, int32_t leader_epoch,
                                       const int32_t *new_isr, int32_t n, rn_meta_record_t *out,
                                       bool *changed) {
    *changed = false;
    const rn_meta_topic_t *t = rn_meta_image_topic(img, name);
    if (t == NULL || p < 0 || p >= t->npartitions)
        return RN_ALTER_ISR_UNKNOWN;
    const rn_meta_partition_t *mp = &t->partitions[p];
    if (mp->leader != broker_id)
        return RN_ALTER_ISR_NOT_LEADER;
    if (mp->leader_epoch != leader_epoch)
        return RN_ALTER_ISR_STALE;
    if (!isr_shape_ok(mp, new_isr, n))
        return RN_ALTER_ISR_INVALID;
    for (int32_t i = 0; i < n; i++)
        if (!rn__ids_contain(mp->isr, mp->nisr, new_isr[i]) &&
            !rn__broker_live(img, new_isr[i], -1, -1))
            return RN_ALTER_ISR_INELIGIBLE;
    bool same = n == mp->nisr;
    for (int32_t i = 0; i < n && same; i++)
        same = rn__ids_contain(mp->isr, mp->nisr, new_isr[i]);
    if (same)
        return RN_ALTER_ISR_OK;
    int32_t *isr = rn_malloc((size_t)n * sizeof *isr);
    int32_t k = 0;
    for (int32_t i = 0; i < mp->nreplicas; i++) /* assignment order */
        if (rn__ids_contain(new_isr, n, mp->replicas[i]))
            isr[k++] = mp->replicas[i];
    rn__recs_t r = {0};
    rn__recs_add_change(&r, t, p, mp->leader, mp->leader_epoch, isr, k);
    rn_free(isr);
    *out = r.v[0];
    rn_free(r.v);
    *changed = true;
    return RN_ALTER_ISR_OK;
}

/* ---- shared helpers (controller_int.h) --------------------------------------------- */

rn_meta_record_t *rn__recs_add(rn__recs_t *r) {
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 8;
        r->v = rn_realloc(r->v, r->cap * sizeof *r->v);
    }
    rn_meta_record_t *rec = &r->v[r->n++];
    memset(rec, 0, sizeof *rec);
    return rec;
}

bool rn__ids_contain(const int32_t *v, int32_t n, int32_t id) {
    for (int32_t i = 0; i < n; i++)
        if (v[i] == id)
            return true;
    return false;
}

bool rn__broker_live(const rn_meta_image_t *img, int32_t id, int32_t skip, int32_t back) {
    if (id == skip)
        return false;
    if (id == back)
        return true;
    const rn_meta_broker_t *mb = rn_meta_image_broker(img, id);
    return mb != NULL && !mb->fenced;
}

void rn__recs_add_change(rn__recs_t *r, const rn_meta_topic_t *t, int32_t p, int32_t leader,
                         int32_t epoch, const int32_t *isr, int32_t nisr) {
    rn_meta_record_t *rec = rn__recs_add(r);
    rec->type = RN_MREC_PARTITION_CHANGE;
    rec->partition_change.name = rn_strdup(t->name);
    memcpy(rec->partition_change.topic_id, t->id, RN_META_ID_LEN);
    rec->partition_change.partition = p;
    rec->partition_change.leader = leader;
    rec->partition_change.leader_epoch = epoch;
    rec->partition_change.nisr = nisr;
    rec->partition_change.isr = rn_malloc((size_t)(nisr > 0 ? nisr : 1) * sizeof(int32_t));
    if (nisr > 0)
        memcpy(rec->partition_change.isr, isr, (size_t)nisr * sizeof(int32_t));
}
