/*
 * controller_elect.c — the controller's leader elections that are not caused by a
 * broker going silent (see controller.h):
 *
 *   preferred   partition p's first assigned replica r[0] (its preferred leader) is
 *               live (registered, unfenced) and in the ISR, and does not lead:
 *               PartitionChange{leader = r[0], leader epoch + 1, same ISR}.
 *               Asked on demand (ElectLeaders) or periodically by the controller
 *               (auto.leader.rebalance.enable), so that leadership spreads back over
 *               the brokers after a failover.
 *   reconcile   a fenced broker that still leads a partition or sits in the ISR of a
 *               partition that has a leader — what a fencing change computed against
 *               an image that missed a concurrent ISR change leaves behind — is
 *               removed as fencing would (controller_brokers.c). Offline partitions
 *               (leader -1) keep their ISR on purpose and are left alone.
 *
 * Only ISR members are ever elected here: a preferred replica out of the ISR may lack
 * acknowledged records.
 */
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "meta/controller.h"
#include "meta/controller_int.h"

static rn_elect_t preferred_one(const rn_meta_image_t *img, const rn_meta_topic_t *t, int32_t p,
                                rn__recs_t *r) {
    const rn_meta_partition_t *mp = &t->partitions[p];
    if (mp->nreplicas < 1)
        return RN_ELECT_NOT_AVAILABLE;
    int32_t pref = mp->replicas[0];
    if (mp->leader == pref)
        return RN_ELECT_NOT_NEEDED;
    if (!rn__ids_contain(mp->isr, mp->nisr, pref) || !rn__broker_live(img, pref, -1, -1))
        return RN_ELECT_NOT_AVAILABLE;
    rn__recs_add_change(r, t, p, pref, mp->leader_epoch + 1, mp->isr, mp->nisr);
    return RN_ELECT_DONE;
}

rn_elect_t rn_controller_elect_preferred(const rn_meta_image_t *img, const char *name, int32_t p,
                                         rn_meta_record_t *out) {
    memset(out, 0, sizeof *out);
    const rn_meta_topic_t *t = rn_meta_image_topic(img, name);
    if (t == NULL || p < 0 || p >= t->npartitions)
        return RN_ELECT_UNKNOWN;
    rn__recs_t r = {0};
    rn_elect_t e = preferred_one(img, t, p, &r);
    if (e == RN_ELECT_DONE)
        *out = r.v[0];
    rn_free(r.v);
    return e;
}

void rn_controller_elect_all_preferred(const rn_meta_image_t *img, size_t max,
                                       rn_meta_record_t **out, size_t *nout) {
    rn__recs_t r = {0};
    for (size_t i = 0; i < img->ntopics && r.n < max; i++)
        for (int32_t p = 0; p < img->topics[i]->npartitions && r.n < max; p++)
            (void)preferred_one(img, img->topics[i], p, &r);
    *out = r.v;
    *nout = r.n;
}

void rn_controller_reconcile_fenced(const rn_meta_image_t *img, rn_meta_record_t **out,
                                    size_t *nout) {
    rn__recs_t r = {0};
    int unclean = 0; /* counted by fencing; the topic's own override still applies */
    for (size_t b = 0; b < img->nbrokers; b++) {
        if (!img->brokers[b].fenced)
            continue;
        for (size_t i = 0; i < img->ntopics; i++)
            for (int32_t p = 0; p < img->topics[i]->npartitions; p++)
                if (img->topics[i]->partitions[p].leader >= 0)
                    rn__fence_partition(img, img->topics[i], p, img->brokers[b].id, false, &r,
                                        &unclean);
    }
    *out = r.v;
    *nout = r.n;
}
