/* test_accumulator.c — batches close at batch.size and after linger.ms (time is
 * passed in), keep records in order, decode back to what went in, and come back in
 * sequence order after a retry. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "client/accumulator.h"
#include "common/errors.h"

static rn__acc_opts_t opts(int32_t batch_size, int32_t linger, rn_codec_t codec) {
    return (rn__acc_opts_t){
        .batch_size = batch_size, .max_batch_bytes = 1048588, .linger_ms = linger, .codec = codec};
}

static void add(rn__pq_t *pq, const rn__acc_opts_t *o, int64_t now, int i) {
    char v[32];
    int n = snprintf(v, sizeof v, "value-%d", i);
    assert_int_equal(rn__pq_append(pq, o, now, now + 30000, 1000 + i, "k", 1, v, n, NULL, 0,
                                   (void *)(intptr_t)(i + 1)),
                     0);
}

static void test_accumulator_closes_batch_at_batch_size(void **state) {
    (void)state;
    rn__pq_t pq;
    rn__pq_init(&pq, "t", 0, NULL);
    rn__acc_opts_t o = opts(200, 1000, RN_CODEC_NONE);
    for (int i = 0; i < 20; i++)
        add(&pq, &o, 0, i);
    assert_true(pq.nready >= 2);
    int64_t total = 0;
    for (rn__batch_t *b = pq.ready_head; b != NULL; b = b->next) {
        assert_true(b->len <= 200 + 64);
        total += b->count;
    }
    total += pq.open ? pq.open->count : 0;
    assert_int_equal(total, 20);
    rn__pq_deinit(&pq);
}

static void test_accumulator_closes_after_linger(void **state) {
    (void)state;
    rn__pq_t pq;
    rn__pq_init(&pq, "t", 0, NULL);
    rn__acc_opts_t o = opts(16384, 5, RN_CODEC_NONE);
    add(&pq, &o, 100, 0);
    assert_int_equal(rn__pq_linger(&pq, &o, 104, 0), 105); /* not yet: due at 105 */
    assert_null(pq.ready_head);
    assert_null(rn__pq_take(&pq, 104));
    assert_int_equal(rn__pq_linger(&pq, &o, 105, 0), INT64_MAX);
    rn__batch_t *b = rn__pq_take(&pq, 105);
    assert_non_null(b);
    assert_int_equal(b->count, 1);
    rn__batch_free(b);
    /* force (flush) closes at once */
    add(&pq, &o, 200, 1);
    rn__pq_linger(&pq, &o, 200, 1);
    assert_non_null(pq.ready_head);
    rn__pq_deinit(&pq);
}

static void check_batch(const rn__batch_t *b, int first, int count) {
    rn_batch_iter_t it;
    assert_int_equal(rn_batch_iter_init(&it, b->bytes, b->len), 0);
    rn_record_t rec;
    int i = 0;
    while (rn_batch_iter_next(&it, &rec) == 1) {
        char v[32];
        int n = snprintf(v, sizeof v, "value-%d", first + i);
        assert_int_equal(rec.value_len, n);
        assert_memory_equal(rec.value, v, (size_t)n);
        assert_int_equal(rec.timestamp, 1000 + first + i);
        assert_ptr_equal(b->opaques[i], (void *)(intptr_t)(first + i + 1));
        i++;
    }
    assert_int_equal(i, count);
    rn_batch_iter_deinit(&it);
}

static void test_accumulator_batches_decode_in_order_plain_and_gzip(void **state) {
    (void)state;
    for (int codec = RN_CODEC_NONE; codec <= RN_CODEC_GZIP; codec++) {
        rn__pq_t pq;
        rn__pq_init(&pq, "t", 0, NULL);
        rn__acc_opts_t o = opts(300, 0, (rn_codec_t)codec);
        for (int i = 0; i < 50; i++)
            add(&pq, &o, 0, i);
        rn__pq_close(&pq);
        int first = 0;
        rn__batch_t *b;
        while ((b = rn__pq_take(&pq, 0)) != NULL) {
            check_batch(b, first, b->count);
            first += b->count;
            rn__batch_free(b);
        }
        assert_int_equal(first, 50);
        rn__pq_deinit(&pq);
    }
}

static void test_accumulator_requeue_keeps_sequence_and_backoff(void **state) {
    (void)state;
    rn__pq_t pq;
    rn__pq_init(&pq, "t", 0, NULL);
    rn__acc_opts_t o = opts(16384, 0, RN_CODEC_NONE);
    for (int i = 0; i < 3; i++) {
        add(&pq, &o, 0, i);
        rn__pq_close(&pq);
    }
    rn__batch_t *b0 = rn__pq_take(&pq, 0);
    rn__batch_t *b1 = rn__pq_take(&pq, 0);
    rn__pq_requeue(&pq, b1, 50);
    rn__pq_requeue(&pq, b0, 50);
    assert_null(rn__pq_take(&pq, 49)); /* the head waits out its back-off */
    assert_int_equal(rn__pq_next_event(&pq), 50);
    assert_ptr_equal(rn__pq_take(&pq, 50), b0);
    assert_ptr_equal(rn__pq_take(&pq, 50), b1);
    rn__batch_free(b0);
    rn__batch_free(b1);
    rn__pq_deinit(&pq);
}

static void test_accumulator_expires_batches_past_their_deadline(void **state) {
    (void)state;
    rn__pq_t pq;
    rn__pq_init(&pq, "t", 0, NULL);
    rn__acc_opts_t o = opts(16384, 0, RN_CODEC_NONE);
    add(&pq, &o, 0, 0); /* deadline 30000 */
    rn__pq_close(&pq);
    assert_null(rn__pq_expired(&pq, 29999));
    rn__batch_t *x = rn__pq_expired(&pq, 30000);
    assert_non_null(x);
    assert_null(x->next);
    assert_int_equal(pq.nready, 0);
    rn__batch_free(x);
    rn__pq_deinit(&pq);
}

/* partition -1 (the broker routes by each batch's first key): one key per batch. */
static void test_accumulator_one_key_queue_splits_batches_by_key(void **state) {
    (void)state;
    rn__pq_t pq;
    rn__pq_init(&pq, "t", -1, NULL);
    pq.one_key = 1;
    rn__acc_opts_t o = opts(16384, 1000, RN_CODEC_NONE);
    const char *keys[] = {"a", "a", "b", NULL, NULL, "a"};
    for (int i = 0; i < 6; i++)
        assert_int_equal(
            rn__pq_append(&pq, &o, 0, 1000, 1, keys[i], keys[i] ? 1 : -1, "v", 1, NULL, 0, NULL),
            0);
    rn__pq_close(&pq);
    int counts[4], n = 0;
    rn__batch_t *b;
    while ((b = rn__pq_take(&pq, 0)) != NULL) {
        assert_true(n < 4);
        counts[n++] = b->count;
        rn__batch_free(b);
    }
    assert_int_equal(n, 4); /* a a | b | null null | a */
    assert_int_equal(counts[0], 2);
    assert_int_equal(counts[1], 1);
    assert_int_equal(counts[2], 2);
    assert_int_equal(counts[3], 1);
    rn__pq_deinit(&pq);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accumulator_closes_batch_at_batch_size),
        cmocka_unit_test(test_accumulator_closes_after_linger),
        cmocka_unit_test(test_accumulator_batches_decode_in_order_plain_and_gzip),
        cmocka_unit_test(test_accumulator_requeue_keeps_sequence_and_backoff),
        cmocka_unit_test(test_accumulator_expires_batches_past_their_deadline),
        cmocka_unit_test(test_accumulator_one_key_queue_splits_batches_by_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
