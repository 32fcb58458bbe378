/* test_partitioner.c — the partitioners of DESIGN.md §7: hash agrees with Kafka on
 * every row of ../shared/vectors/murmur2-partitions.tsv; sticky stays on a partition
 * until its batch closes and then visits them all; default; a user function. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/accumulator.h"
#include "client/partitioner.h"
#include "common/errors.h"
#include "testutil.h"

static void test_partition_hash_matches_every_kafka_vector(void **state) {
    (void)state;
    rn_test_murmur2_row_t *rows;
    int n = rn_test_murmur2_rows(&rows);
    rn_conf_t *conf = rn_conf_new();
    rn_conf_set(conf, "partitioner", "hash", NULL, 0);
    rn__sticky_t st;
    rn__sticky_init(&st, 0);
    for (int i = 0; i < n; i++) {
        const rn_test_murmur2_row_t *r = &rows[i];
        int32_t len = (int32_t)r->key_len;
        int32_t got = rn_partition_hash(r->key, len, r->partitions);
        if (got != r->partition)
            fail_msg("key %s, %d partitions: %d, Kafka says %d", r->key_hex, r->partitions, got,
                     r->partition);
        /* The hash partitioner and the default one (keyed) agree with it. */
        assert_int_equal(rn__partition_choose(conf, &st, "t", r->key, len, r->partitions),
                         r->partition);
    }
    rn_conf_free(conf);
    free(rows);
}

static void test_partition_hash_null_key_is_partition_zero(void **state) {
    (void)state;
    assert_int_equal(rn_partition_hash(NULL, -1, 7), 0);
}

/* Close each batch as the accumulator does when it fills: the sticky partition moves
 * on, round-robin, and every partition gets a turn. */
static void test_sticky_spreads_over_all_partitions_after_batches_close(void **state) {
    (void)state;
    rn__sticky_t st;
    rn__sticky_init(&st, 12345);
    int seen[4] = {0};
    for (int batch = 0; batch < 8; batch++) {
        int32_t p = rn__sticky_partition(&st, 4);
        for (int rec = 0; rec < 10; rec++)
            assert_int_equal(rn__sticky_partition(&st, 4), p); /* sticks */
        seen[p]++;
        rn__sticky_batch_done(&st, p);
    }
    for (int i = 0; i < 4; i++)
        assert_int_equal(seen[i], 2);
}

static void test_sticky_moves_when_accumulator_batches_fill(void **state) {
    (void)state;
    rn_conf_t *conf = rn_conf_new();
    rn__sticky_t st;
    rn__sticky_init(&st, 0);
    rn__pq_t pqs[3];
    for (int i = 0; i < 3; i++)
        rn__pq_init(&pqs[i], "t", i, &st);
    rn__acc_opts_t opts = {.batch_size = 1000, .max_batch_bytes = 1 << 20, .linger_ms = 1000};
    char value[100];
    memset(value, 'v', sizeof value);
    int per[3] = {0};
    for (int i = 0; i < 300; i++) {
        int32_t p = rn__partition_choose(conf, &st, "t", NULL, -1, 3);
        assert_true(p >= 0 && p < 3);
        per[p]++;
        assert_int_equal(
            rn__pq_append(&pqs[p], &opts, 0, 1000, 1, NULL, -1, value, 100, NULL, 0, NULL), 0);
    }
    for (int i = 0; i < 3; i++) {
        assert_true(per[i] > 50);
        assert_true(pqs[i].nready > 0);
        rn__pq_deinit(&pqs[i]);
    }
    rn_conf_free(conf);
}

static int32_t last_partition(void *opaque, const char *topic, const void *key, int32_t key_len,
                              int32_t count) {
    (void)topic, (void)key;
    *(int32_t *)opaque = key_len;
    return count - 1;
}

static int32_t out_of_range(void *opaque, const char *topic, const void *key, int32_t key_len,
                            int32_t count) {
    (void)opaque, (void)topic, (void)key, (void)key_len;
    return count;
}

static void test_default_and_custom_partitioners(void **state) {
    (void)state;
    rn_conf_t *conf = rn_conf_new();
    rn__sticky_t st;
    rn__sticky_init(&st, 1);
    /* default: keyed → hash, keyless → sticky */
    assert_int_equal(rn__partition_choose(conf, &st, "t", "k", 1, 10),
                     rn_partition_hash("k", 1, 10));
    int32_t s = rn__partition_choose(conf, &st, "t", NULL, -1, 10);
    assert_int_equal(rn__partition_choose(conf, &st, "t", NULL, -1, 10), s);
    /* broker: leave it to the broker */
    rn_conf_set(conf, "partitioner", "broker", NULL, 0);
    assert_int_equal(rn__partition_choose(conf, &st, "t", "k", 1, 10), RN_PARTITION_ANY);
    /* user function with its opaque; keyless records come as NULL, -1 */
    int32_t seen_len = 0;
    rn_conf_set_partitioner(conf, last_partition, &seen_len);
    assert_int_equal(rn__partition_choose(conf, &st, "t", "abc", 3, 10), 9);
    assert_int_equal(seen_len, 3);
    assert_int_equal(rn__partition_choose(conf, &st, "t", NULL, -1, 10), 9);
    assert_int_equal(seen_len, -1);
    rn_conf_set_partitioner(conf, out_of_range, NULL);
    assert_int_equal(rn__partition_choose(conf, &st, "t", "k", 1, 10), RN_EINVALIDPARTITIONS);
    rn_conf_free(conf);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partition_hash_matches_every_kafka_vector),
        cmocka_unit_test(test_partition_hash_null_key_is_partition_zero),
        cmocka_unit_test(test_sticky_spreads_over_all_partitions_after_batches_close),
        cmocka_unit_test(test_sticky_moves_when_accumulator_batches_fill),
        cmocka_unit_test(test_default_and_custom_partitioners),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
