/* test_ack_wait.c — the acks=all waiting list: waiters are released in offset order
 * exactly when the high watermark reaches them, aborted all at once, and removable
 * at any time (also from another waiter's callback). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "broker/ack_wait.h"

typedef struct rec_s {
    int order[16];
    rn_ack_result_t results[16];
    int n;
} rec_t;

typedef struct tw_s {
    rn_ack_waiter_t w;
    int id;
    rec_t *rec;
    rn_ack_waiter_t *remove_on_call; /* a waiter to take off from the callback */
} tw_t;

static void on_done(rn_ack_waiter_t *w, rn_ack_result_t result) {
    tw_t *t = w->arg;
    t->rec->order[t->rec->n] = t->id;
    t->rec->results[t->rec->n] = result;
    t->rec->n++;
    assert_false(rn_ack_waiter_queued(w));
    if (t->remove_on_call != NULL)
        rn_ack_waiter_remove(t->remove_on_call);
}

static void init_tw(tw_t *t, int id, rec_t *rec) {
    t->w.prev = t->w.next = NULL;
    t->w.fn = on_done;
    t->w.arg = t;
    t->id = id;
    t->rec = rec;
    t->remove_on_call = NULL;
}

static void test_ack_release_in_offset_order_up_to_hw(void **state) {
    (void)state;
    rn_ack_list_t l;
    rec_t rec = {0};
    tw_t t[4];
    rn_ack_list_init(&l);
    const int64_t need[4] = {40, 10, 12, 12};
    for (int i = 0; i < 4; i++) {
        init_tw(&t[i], i, &rec);
        rn_ack_list_add(&l, &t[i].w, need[i]);
    }
    assert_int_equal(rn_ack_list_release(&l, 9), 0);
    assert_int_equal(rn_ack_list_release(&l, 12), 3);
    assert_int_equal(rec.n, 3);
    assert_int_equal(rec.order[0], 1); /* need 10 */
    assert_int_equal(rec.order[1], 2); /* need 12, added first */
    assert_int_equal(rec.order[2], 3);
    assert_int_equal(rec.results[0], RN_ACK_RELEASED);
    assert_false(rn_ack_list_empty(&l));
    assert_int_equal(rn_ack_list_release(&l, 39), 0);
    assert_int_equal(rn_ack_list_release(&l, 40), 1);
    assert_int_equal(rec.order[3], 0);
    assert_true(rn_ack_list_empty(&l));
}

static void test_ack_abort_calls_everyone_once(void **state) {
    (void)state;
    rn_ack_list_t l;
    rec_t rec = {0};
    tw_t t[3];
    rn_ack_list_init(&l);
    for (int i = 0; i < 3; i++) {
        init_tw(&t[i], i, &rec);
        rn_ack_list_add(&l, &t[i].w, 100 + i);
    }
    assert_int_equal(rn_ack_list_abort(&l), 3);
    assert_int_equal(rec.n, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(rec.results[i], RN_ACK_ABORTED);
    assert_true(rn_ack_list_empty(&l));
    assert_int_equal(rn_ack_list_abort(&l), 0);
}

static void test_ack_removed_waiter_is_never_called(void **state) {
    (void)state;
    rn_ack_list_t l;
    rec_t rec = {0};
    tw_t a, b;
    rn_ack_list_init(&l);
    init_tw(&a, 1, &rec);
    init_tw(&b, 2, &rec);
    rn_ack_list_add(&l, &a.w, 5);
    rn_ack_list_add(&l, &b.w, 6);
    rn_ack_waiter_remove(&a.w);
    rn_ack_waiter_remove(&a.w); /* harmless twice */
    assert_int_equal(rn_ack_list_release(&l, 100), 1);
    assert_int_equal(rec.n, 1);
    assert_int_equal(rec.order[0], 2);
}

static void test_ack_callback_may_remove_a_later_waiter(void **state) {
    (void)state;
    rn_ack_list_t l;
    rec_t rec = {0};
    tw_t a, b, c;
    rn_ack_list_init(&l);
    init_tw(&a, 1, &rec);
    init_tw(&b, 2, &rec);
    init_tw(&c, 3, &rec);
    a.remove_on_call = &b.w; /* one request finishing cancels its other entries */
    rn_ack_list_add(&l, &a.w, 1);
    rn_ack_list_add(&l, &b.w, 1);
    rn_ack_list_add(&l, &c.w, 1);
    assert_int_equal(rn_ack_list_release(&l, 1), 2);
    assert_int_equal(rec.order[0], 1);
    assert_int_equal(rec.order[1], 3);
    assert_true(rn_ack_list_empty(&l));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ack_release_in_offset_order_up_to_hw),
        cmocka_unit_test(test_ack_abort_calls_everyone_once),
        cmocka_unit_test(test_ack_removed_waiter_is_never_called),
        cmocka_unit_test(test_ack_callback_may_remove_a_later_waiter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
