/*
 * controller_int.h — helpers shared by the controller's decision files
 * (controller_brokers.c, controller_elect.c): a growable list of records and the
 * PartitionChange builder. Not a public API: only src/meta/controller_*.c include it.
 */
#ifndef RN_META_CONTROLLER_INT_H
#define RN_META_CONTROLLER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meta/image.h"
#include "meta/records.h"

typedef struct rn__recs_s {
    rn_meta_record_t *v;
    size_t n, cap;
} rn__recs_t;

/* A zeroed record appended to r. */
rn_meta_record_t *rn__recs_add(rn__recs_t *r);

/* id is one of v[0..n). */
bool rn__ids_contain(const int32_t *v, int32_t n, int32_t id);

/* Broker id is live: registered and not fenced; `skip` counts as dead (the broker
 * being fenced), `back` as live (the broker being unfenced); -1 for neither. */
bool rn__broker_live(const rn_meta_image_t *img, int32_t id, int32_t skip, int32_t back);

/* Append a PartitionChange of partition p of t: leader, epoch, isr[0..nisr). */
void rn__recs_add_change(rn__recs_t *r, const rn_meta_topic_t *t, int32_t p, int32_t leader,
                         int32_t epoch, const int32_t *isr, int32_t nisr);

/* The PartitionChange (if any) fencing broker id makes to partition p of t
 * (controller_brokers.c describes it); *unclean counts unclean elections. */
void rn__fence_partition(const rn_meta_image_t *img, const rn_meta_topic_t *t, int32_t p,
                         int32_t id, bool unclean_default, rn__recs_t *r, int *unclean);

#endif
