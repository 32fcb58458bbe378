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
        assert_int_equal(rn__partition_choose(conf, &st, "t", r->key, len, r->partitions, NULL),
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
        int32_t p = rn__sticky_partition(&st, 4, NULL);
        for (int rec = 0; rec < 10; rec++)
            assert_int_equal(rn__sticky_partition(&st, 4, NULL), p); /* sticks */
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
        int32_t p = rn__partition_choose(conf, &st, "t", NULL, -1, 3, NULL);
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
    assert_int_equal(rn__partition_choose(conf, &st, "t", "k", 1, 10, NULL),
                     rn_partition_hash("k", 1, 10));
    int32_t s = rn__partition_choose(conf, &st, "t", NULL, -1, 10, NULL);
    assert_int_equal(rn__partition_choose(conf, &st, "t", NULL, -1, 10, NULL), s);
    /* broker: leave it to the broker */
    rn_conf_set(conf, "partitioner", "broker", NULL, 0);
    assert_int_equal(rn__partition_choose(conf, &st, "t", "k", 1, 10, NULL), RN_PARTITION_ANY);
    /* user function with its opaque; keyless records come as NULL, -1 */
    int32_t seen_len = 0;
    rn_conf_set_partitioner(conf, last_partition, &seen_len);
    assert_int_equal(rn__partition_choose(conf, &st, "t", "abc", 3, 10, NULL), 9);
    assert_int_equal(seen_len, 3);
    assert_int_equal(rn__partition_choose(conf, &st, "t", NULL, -1, 10, NULL), 9);
    assert_int_equal(seen_len, -1);
    rn_conf_set_partitioner(conf, out_of_range, NULL);
    assert_int_equal(rn__partition_choose(conf, &st, "t", "k", 1, 10, NULL), RN_EINVALIDPARTITIONS);
    rn_conf_free(conf);
}

/* Keyless records skip partitions without a leader: the sticky choice moves only
 * among the available ones, and off the current one when it loses its leader. */
static void test_sticky_skips_partitions_marked_unavailable(void **state) {
    (void)state;
    rn__sticky_t st;
    rn__sticky_init(&st, 0);
    uint8_t avail[4] = {1, 0, 1, 0};
    int seen[4] = {0};
    for (int batch = 0; batch < 8; batch++) {
        int32_t p = rn__sticky_partition(&st, 4, avail);
        assert_int_equal(rn__sticky_partition(&st, 4, avail), p); /* sticks */
        seen[p]++;
        rn__sticky_batch_done(&st, p);
    }
    assert_int_equal(seen[0], 4);
    assert_int_equal(seen[2], 4);
    assert_int_equal(seen[1] + seen[3], 0);
    /* The current partition goes offline: the next record moves on at once. */
    int32_t p = rn__sticky_partition(&st, 4, avail);
    avail[p] = 0;
    avail[3] = 1;
    assert_int_equal(rn__sticky_partition(&st, 4, avail), p == 0 ? 2 : 3);
    /* The default partitioner, keyless, follows the same rule. */
    rn_conf_t *conf = rn_conf_new();
    uint8_t only1[4] = {0, 1, 0, 0};
    rn__sticky_init(&st, 7);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(rn__partition_choose(conf, &st, "t", NULL, -1, 4, only1), 1);
        rn__sticky_batch_done(&st, 1);
    }
    rn_conf_free(conf);
}

/* No partition has a leader: stay where we are (the records wait there), do not
 * hop round the partitions record by record. */
static void test_sticky_with_none_available_stays(void **state) {
    (void)state;
    rn__sticky_t st;
    rn__sticky_init(&st, 5);
    uint8_t none[3] = {0, 0, 0};
    int32_t p = rn__sticky_partition(&st, 3, none);
    assert_true(p >= 0 && p < 3);
    for (int i = 0; i < 5; i++)
        assert_int_equal(rn__sticky_partition(&st, 3, none), p);
}

/* Keyed records hash over every partition, offline or not: the placement of a key
 * does not change while a broker is down (the default and hash partitioners). */
static void test_keyed_hash_ignores_availability(void **state) {
    (void)state;
    rn_conf_t *conf = rn_conf_new();
    rn__sticky_t st;
    rn__sticky_init(&st, 0);
    uint8_t avail[3] = {1, 1, 1};
    char key[16];
    for (int off = 0; off < 3; off++) {
        memset(avail, 1, sizeof avail);
        avail[off] = 0;
        for (int i = 0; i < 100; i++) {
            int32_t len = (int32_t)snprintf(key, sizeof key, "key-%d", i);
            int32_t want = rn_partition_hash(key, len, 3);
            assert_int_equal(rn__partition_choose(conf, &st, "t", key, len, 3, avail), want);
        }
    }
    rn_conf_set(conf, "partitioner", "hash", NULL, 0);
    uint8_t none[3] = {0, 0, 0};
    assert_int_equal(rn__partition_choose(conf, &st, "t", "abc", 3, 3, none),
                     rn_partition_hash("abc", 3, 3));
    rn_conf_free(conf);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partition_hash_matches_every_kafka_vector),
        cmocka_unit_test(test_partition_hash_null_key_is_partition_zero),
        cmocka_unit_test(test_sticky_spreads_over_all_partitions_after_batches_close),
        cmocka_unit_test(test_sticky_moves_when_accumulator_batches_fill),
        cmocka_unit_test(test_default_and_custom_partitioners),
        cmocka_unit_test(test_sticky_skips_partitions_marked_unavailable),
        cmocka_unit_test(test_sticky_with_none_available_stays),
        cmocka_unit_test(test_keyed_hash_ignores_availability),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
