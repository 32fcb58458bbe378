/*
 * ack_wait.h — the acks=all waiting list of one partition: produce requests whose
 * batches are appended but not yet below the high watermark, keyed by the offset the
 * HW must reach (the batch's last offset + 1).
 *
 *   head ⇄ [need 10] ⇄ [need 12] ⇄ [need 12] ⇄ [need 40] ⇄ head     (ascending)
 *            ▲ rn_ack_list_release(hw = 12) calls these three, in order
 *
 * Invariants: the list is sorted by `need`, ties in arrival order. Appends happen in
 * offset order, so an add is O(1) in practice (it scans from the tail); a release is
 * O(released). Whoever advances a partition's high watermark releases its list (the
 * append, or the followers' fetches moving the HW over the ISR: partitions.h).
 *
 * Pure data structure: no I/O, no allocation. The caller embeds the list and the
 * waiters. Loop thread only.
 */
#ifndef RN_BROKER_ACK_WAIT_H
#define RN_BROKER_ACK_WAIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rn_ack_waiter_s rn_ack_waiter_t;

typedef enum {
    RN_ACK_RELEASED = 0, /* the high watermark reached `need` */
    RN_ACK_ABORTED = 1,  /* the list was aborted (partition gone, broker stopping) */
} rn_ack_result_t;

struct rn_ack_waiter_s {
    rn_ack_waiter_t *prev, *next; /* list-owned; NULL when not queued */
    int64_t need;                 /* released once the HW is >= need */
    /* Called once, after w has been taken off the list. May remove (or free) any
     * other waiter of the same list. */
    void (*fn)(rn_ack_waiter_t *w, rn_ack_result_t result);
    void *arg; /* caller's */
};

typedef struct rn_ack_list_s {
    rn_ack_waiter_t head; /* sentinel */
} rn_ack_list_t;

void rn_ack_list_init(rn_ack_list_t *l);
bool rn_ack_list_empty(const rn_ack_list_t *l);

/* Queue w (fn, arg set; not queued) until the HW reaches need. */
void rn_ack_list_add(rn_ack_list_t *l, rn_ack_waiter_t *w, int64_t need);

/* Take every waiter whose need <= hw off the list, in order, calling fn(RELEASED)
 * for each. Returns how many. */
int rn_ack_list_release(rn_ack_list_t *l, int64_t hw);

/* Take every waiter off, calling fn(ABORTED) for each. Returns how many. */
int rn_ack_list_abort(rn_ack_list_t *l);

/* Remove w without calling it; harmless when not queued. */
void rn_ack_waiter_remove(rn_ack_waiter_t *w);

static inline bool rn_ack_waiter_queued(const rn_ack_waiter_t *w) {
    return w->next != NULL;
}

#endif
