/* test_route.c — the broker's partition choice for produce requests with partition -1:
 * `hash` agrees with Kafka's default partitioner on every row of
 * ../shared/vectors/murmur2-partitions.tsv, `sticky` moves round-robin one batch at a
 * time, `default` mixes the two by whether the first record has a key. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/route.h"
#include "common/alloc.h"
#include "common/errors.h"
#include "proto/batch.h"
#include "testutil.h"

/* One batch whose first record has key[0..key_len) (key_len -1: null), then a record
 * with another key that must not influence the choice. */
static uint8_t *make_batch(const void *key, int32_t key_len, rn_codec_t codec, size_t *len) {
    rn_batch_opts_t opts;
    rn_batch_builder_t b;
    uint8_t *p = NULL;
    rn_batch_opts_default(&opts);
    opts.codec = codec;
    rn_batch_builder_init(&b, &opts);
    assert_int_equal(rn_batch_builder_add(&b, 1000, key, key_len, "v", 1, NULL, 0), 0);
    assert_int_equal(rn_batch_builder_add(&b, 1001, "other", 5, "w", 1, NULL, 0), 0);
    assert_int_equal(rn_batch_builder_finish(&b, &p, len), 0);
    rn_batch_builder_deinit(&b);
    return p;
}

static int32_t route_batch(rn_partitioner_t kind, rn_route_sticky_t *st, int32_t n, const void *key,
                           int32_t key_len, rn_codec_t codec) {
    size_t len;
    uint8_t *p = make_batch(key, key_len, codec, &len);
    rn_route_key_t rk;
    assert_int_equal(rn_route_batch_key(p, len, &rk), 0);
    rn_free(p);
    return rn_route_choose(kind, st, n, &rk);
}

static void check_vectors(rn_partitioner_t kind, rn_codec_t codec) {
    rn_test_murmur2_row_t *rows;
    int n = rn_test_murmur2_rows(&rows);
    rn_route_sticky_t st = {0};
    for (int i = 0; i < n; i++) {
        const rn_test_murmur2_row_t *r = &rows[i];
        int32_t got = route_batch(kind, &st, r->partitions, r->key, (int32_t)r->key_len, codec);
        if (got != r->partition)
            fail_msg("key %s over %d partitions: broker chose %d, Kafka says %d", r->key_hex,
                     r->partitions, got, r->partition);
    }
    free(rows);
}

static void test_route_hash_matches_kafka_vectors(void **state) {
    (void)state;
    check_vectors(RN_PARTITIONER_HASH, RN_CODEC_NONE);
}

static void test_route_default_with_key_matches_kafka_vectors(void **state) {
    (void)state;
    check_vectors(RN_PARTITIONER_DEFAULT, RN_CODEC_NONE);
}

static void test_route_hash_reads_key_of_gzip_batch(void **state) {
    (void)state;
    check_vectors(RN_PARTITIONER_HASH, RN_CODEC_GZIP);
}

static void test_route_sticky_stays_until_append_then_moves_round_robin(void **state) {
    (void)state;
    rn_route_sticky_t st = {0};
    assert_int_equal(route_batch(RN_PARTITIONER_STICKY, &st, 3, NULL, -1, RN_CODEC_NONE), 0);
    assert_int_equal(route_batch(RN_PARTITIONER_STICKY, &st, 3, NULL, -1, RN_CODEC_NONE), 0);
    int32_t seen[6];
    for (int i = 0; i < 6; i++) {
        seen[i] = route_batch(RN_PARTITIONER_STICKY, &st, 3, NULL, -1, RN_CODEC_NONE);
        rn_route_appended(&st, seen[i], 3);
    }
    const int32_t want[6] = {0, 1, 2, 0, 1, 2};
    for (int i = 0; i < 6; i++)
        assert_int_equal(seen[i], want[i]);
}

static void test_route_sticky_ignores_keys(void **state) {
    (void)state;
    rn_route_sticky_t st = {.partition = 2};
    assert_int_equal(route_batch(RN_PARTITIONER_STICKY, &st, 4, "key-a", 5, RN_CODEC_NONE), 2);
    assert_int_equal(route_batch(RN_PARTITIONER_STICKY, &st, 4, "key-b", 5, RN_CODEC_NONE), 2);
}

static void test_route_keyless_uses_sticky_under_hash_and_default(void **state) {
    (void)state;
    rn_route_sticky_t st = {.partition = 1};
    assert_int_equal(route_batch(RN_PARTITIONER_HASH, &st, 4, NULL, -1, RN_CODEC_NONE), 1);
    assert_int_equal(route_batch(RN_PARTITIONER_DEFAULT, &st, 4, NULL, -1, RN_CODEC_GZIP), 1);
}

static void test_route_append_elsewhere_keeps_sticky(void **state) {
    (void)state;
    rn_route_sticky_t st = {.partition = 1};
    rn_route_appended(&st, 3, 4); /* a keyed batch went to 3 */
    assert_int_equal(st.partition, 1);
    rn_route_appended(&st, 1, 4);
    assert_int_equal(st.partition, 2);
}

static void test_route_sticky_wraps_when_partitions_shrink_from_state(void **state) {
    (void)state;
    rn_route_sticky_t st = {.partition = 7};
    int32_t p = route_batch(RN_PARTITIONER_STICKY, &st, 3, NULL, -1, RN_CODEC_NONE);
    assert_int_equal(p, 1);
    rn_route_appended(&st, p, 3);
    assert_int_equal(st.partition, 2);
}

static void test_route_no_partitions_gives_minus_one(void **state) {
    (void)state;
    rn_route_sticky_t st = {0};
    rn_route_key_t key = {.has_key = true, .hash = 5};
    assert_int_equal(rn_route_choose(RN_PARTITIONER_HASH, &st, 0, &key), -1);
}

static void test_route_batch_key_refuses_garbage(void **state) {
    (void)state;
    uint8_t junk[80];
    memset(junk, 0xab, sizeof junk);
    rn_route_key_t key;
    assert_true(rn_route_batch_key(junk, sizeof junk, &key) < 0);
    assert_false(key.has_key);
}

static void test_route_negative_sticky_counts_as_zero(void **state) {
    (void)state;
    rn_route_sticky_t st = {.partition = -1};
    assert_int_equal(route_batch(RN_PARTITIONER_DEFAULT, &st, 5, NULL, -1, RN_CODEC_NONE), 0);
    rn_route_appended(&st, 0, 5);
    assert_int_equal(st.partition, 1);
}

static void test_partitioner_parse(void **state) {
    (void)state;
    rn_partitioner_t k;
    assert_int_equal(rn_partitioner_parse("hash", &k), 0);
    assert_int_equal(k, RN_PARTITIONER_HASH);
    assert_int_equal(rn_partitioner_parse("sticky", &k), 0);
    assert_int_equal(k, RN_PARTITIONER_STICKY);
    assert_int_equal(rn_partitioner_parse("default", &k), 0);
    assert_int_equal(k, RN_PARTITIONER_DEFAULT);
    assert_int_equal(rn_partitioner_parse(NULL, &k), 0);
    assert_int_equal(k, RN_PARTITIONER_DEFAULT);
    assert_int_equal(rn_partitioner_parse("broker", &k), RN_ECONFIG);
    assert_int_equal(rn_partitioner_parse("", &k), RN_ECONFIG);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_route_hash_matches_kafka_vectors),
        cmocka_unit_test(test_route_default_with_key_matches_kafka_vectors),
        cmocka_unit_test(test_route_hash_reads_key_of_gzip_batch),
        cmocka_unit_test(test_route_sticky_stays_until_append_then_moves_round_robin),
        cmocka_unit_test(test_route_sticky_ignores_keys),
        cmocka_unit_test(test_route_keyless_uses_sticky_under_hash_and_default),
        cmocka_unit_test(test_route_append_elsewhere_keeps_sticky),
        cmocka_unit_test(test_route_sticky_wraps_when_partitions_shrink_from_state),
        cmocka_unit_test(test_route_no_partitions_gives_minus_one),
        cmocka_unit_test(test_route_batch_key_refuses_garbage),
        cmocka_unit_test(test_route_negative_sticky_counts_as_zero),
        cmocka_unit_test(test_partitioner_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
