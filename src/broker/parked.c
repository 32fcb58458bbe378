/*
 * parked.c — the broker's list of parked requests (broker_int.h): long-poll fetches
 * and acks=all produces waiting for an event, each with its connection, so that a
 * closing connection releases its waiting requests at once.
 *
 * Invariant: a listed rn_parked_t has pprev pointing at the link that points at it
 * (b->parked or the previous entry's next); an unlisted one has pprev NULL. O(1) add
 * and remove; a connection close walks the list once.
 */
#include <stddef.h>

#include "broker/broker_int.h"

void rn__parked_add(rn_broker_t *b, rn_parked_t *p) {
    p->next = b->parked;
    if (p->next != NULL)
        p->next->pprev = &p->next;
    p->pprev = &b->parked;
    b->parked = p;
}

void rn__parked_remove(rn_parked_t *p) {
    if (p->pprev == NULL)
        return;
    *p->pprev = p->next;
    if (p->next != NULL)
        p->next->pprev = p->pprev;
    p->next = NULL;
    p->pprev = NULL;
}

void rn__parked_conn_closed(rn_broker_t *b, rn_conn_t *conn) {
    /* drop() may unlist other entries (never add any): restart from the head after
     * each drop rather than trusting a saved next pointer. */
    rn_parked_t *p = b->parked;
    while (p != NULL) {
        if (p->conn != conn) {
            p = p->next;
            continue;
        }
        rn__parked_remove(p);
        p->drop(p);
        p = b->parked;
    }
}
