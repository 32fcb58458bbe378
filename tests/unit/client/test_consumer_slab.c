/* test_consumer_slab.c — messages carved from shared slabs stay valid until their own
 * free, in any order, after the loop has moved to a new slab and released the old one;
 * each slab carries its own copy of the topic; a message larger than a slab gets its
 * own; nothing leaks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "client/consumer_int.h"
#include "common/alloc.h"
#include "common/errors.h"

/* A message whose value is "value-<i>" padded to len bytes with 'a' + i % 26. */
static cmsg_t *carve(cslab_t **cur, const char *topic, int i, size_t len) {
    cmsg_t *m = rn__cmsg_carve(cur, topic, len);
    char *v = (char *)(m + 1);
    memset(v, 'a' + i % 26, len);
    int n = snprintf(v, len, "value-%d", i);
    assert_true(n > 0 && (size_t)n < len);
    m->msg.offset = i;
    m->msg.value = v;
    m->msg.value_len = (int32_t)len;
    return m;
}

static void check(const cmsg_t *m, const char *topic, int i, size_t len) {
    char want[32];
    snprintf(want, sizeof want, "value-%d", i);
    assert_int_equal(m->msg.offset, i);
    assert_string_equal(m->msg.topic, topic);
    assert_int_equal(m->msg.value_len, (int32_t)len);
    assert_string_equal(m->msg.value, want);
    const char *v = m->msg.value;
    for (size_t k = strlen(want) + 1; k < len; k++)
        assert_int_equal(v[k], 'a' + i % 26);
}

#define N 2000 /* ~6 slabs of 200-byte values */

static void test_consumer_slab_messages_outlive_slab_in_any_order(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    char topic[] = "orders";
    cslab_t *cur = NULL;
    static cmsg_t *ms[N];
    for (int i = 0; i < N; i++)
        ms[i] = carve(&cur, topic, i, 200);
    assert_true(ms[0]->slab != ms[N - 1]->slab);
    rn__cslab_release(&cur); /* the loop lets go first: messages keep their slabs */
    assert_null(cur);
    memset(topic, 'x', sizeof topic - 1); /* messages hold a copy, not the source */
    /* Free every other message, then the rest backwards, checking all still held. */
    for (int i = 0; i < N; i += 2) {
        check(ms[i], "orders", i, 200);
        rn_message_free(&ms[i]->msg);
    }
    for (int i = N - 1; i > 0; i -= 2) {
        check(ms[i], "orders", i, 200);
        check(ms[1], "orders", 1, 200);
        rn_message_free(&ms[i]->msg);
    }
    assert_int_equal(rn_alloc_live(), live);
}

static void test_consumer_slab_topic_switch_and_large_message(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    const char *a = "alpha", *b = "beta";
    cslab_t *cur = NULL;
    cmsg_t *m1 = carve(&cur, a, 1, 10);
    cmsg_t *m2 = carve(&cur, b, 2, 10);
    cmsg_t *m3 = carve(&cur, a, 3, 10);
    assert_ptr_equal(m1->slab, m3->slab);
    size_t big = 200 * 1024; /* larger than a slab */
    cmsg_t *m4 = carve(&cur, b, 4, big);
    cmsg_t *m5 = carve(&cur, a, 5, 10);
    assert_ptr_not_equal(m4->slab, m1->slab);
    rn_message_free(&m1->msg);
    rn_message_free(&m2->msg);
    rn_message_free(&m3->msg); /* the first slab goes with its last message */
    check(m4, "beta", 4, big);
    check(m5, "alpha", 5, 10);
    rn_message_free(&m4->msg);
    rn__cslab_release(&cur);
    check(m5, "alpha", 5, 10);
    rn_message_free(&m5->msg);
    rn_message_free(NULL);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_consumer_slab_error_entry_names_partition(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    cpos_t pos = {.topic = "t", .partition = 3};
    cmsg_t *m = rn__cmsg_error(&pos, RN_ECORRUPT, "corrupt record batch at offset 7");
    assert_int_equal(m->err, RN_ECORRUPT);
    assert_null(m->slab);
    assert_string_equal(m->errmsg, "t-3: corrupt record batch at offset 7");
    assert_true(m->bytes > sizeof *m);
    rn__cmsg_free_list(m);
    assert_int_equal(rn_alloc_live(), live);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_consumer_slab_messages_outlive_slab_in_any_order),
        cmocka_unit_test(test_consumer_slab_topic_switch_and_large_message),
        cmocka_unit_test(test_consumer_slab_error_entry_names_partition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
