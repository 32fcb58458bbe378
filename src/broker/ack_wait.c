/*
 * ack_wait.c — the offset-keyed acks=all waiting list (ack_wait.h).
 */
#include "broker/ack_wait.h"

#include <stddef.h>

void rn_ack_list_init(rn_ack_list_t *l) {
    l->head.prev = l->head.next = &l->head;
}

bool rn_ack_list_empty(const rn_ack_list_t *l) {
    return l->head.next == &l->head;
}

void rn_ack_list_add(rn_ack_list_t *l, rn_ack_waiter_t *w, int64_t need) {
    /* From the tail: the new waiter goes after the last one with need <= its own. */
    rn_ack_waiter_t *at = l->head.prev;
    while (at != &l->head && at->need > need)
        at = at->prev;
    w->need = need;
    w->prev = at;
    w->next = at->next;
    at->next->prev = w;
    at->next = w;
}

void rn_ack_waiter_remove(rn_ack_waiter_t *w) {
    if (w->next == NULL)
        return;
    w->prev->next = w->next;
    w->next->prev = w->prev;
    w->prev = w->next = NULL;
}

int rn_ack_list_release(rn_ack_list_t *l, int64_t hw) {
    int n = 0;
    /* Re-read the head every time: fn may remove other waiters. */
    while (!rn_ack_list_empty(l) && l->head.next->need <= hw) {
        rn_ack_waiter_t *w = l->head.next;
        rn_ack_waiter_remove(w);
        w->fn(w, RN_ACK_RELEASED);
        n++;
    }
    return n;
}

int rn_ack_list_abort(rn_ack_list_t *l) {
    int n = 0;
    while (!rn_ack_list_empty(l)) {
        rn_ack_waiter_t *w = l->head.next;
        rn_ack_waiter_remove(w);
        w->fn(w, RN_ACK_ABORTED);
        n++;
    }
    return n;
}
