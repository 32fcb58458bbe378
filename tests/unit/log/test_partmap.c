/* test_partmap.c — topic names, partition directory names (split at the last '-'),
 * and the (topic, partition) hash table with thousands of entries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "log/partmap.h"

static void test_partmap_topic_names(void **state) {
    (void)state;
    assert_true(rn__topic_valid("orders"));
    assert_true(rn__topic_valid("Az09._-"));
    assert_true(rn__topic_valid("a-b-c"));
    char long249[250], long250[251];
    memset(long249, 'x', 249);
    long249[249] = '\0';
    memset(long250, 'x', 250);
    long250[250] = '\0';
    assert_true(rn__topic_valid(long249));
    assert_false(rn__topic_valid(long250));
    const char *bad[] = {"", ".", "..", "a/b", "a b", "t\xc3\xb6pic", "star*", "colon:"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(rn__topic_valid(bad[i]));
}

static void parse_ok(const char *name, const char *topic, int32_t partition) {
    char t[RN__TOPIC_MAX + 1];
    int32_t p = -1;
    if (!rn__partdir_parse(name, t, &p))
        fail_msg("\"%s\" not parsed", name);
    assert_string_equal(t, topic);
    assert_int_equal(p, partition);
}

static void test_partmap_directory_names_split_at_last_dash(void **state) {
    (void)state;
    parse_ok("orders-0", "orders", 0);
    parse_ok("a-b-c-10", "a-b-c", 10);
    parse_ok("click-stream.eu-west-12", "click-stream.eu-west", 12);
    parse_ok("x--1", "x-", 1);
    parse_ok("t-2147483647", "t", 2147483647);
    const char *bad[] = {
        "orders",     "orders-",      "-0",    "orders-x",          "orders-01",
        "orders--1x", "t-2147483648", "a b-0", "not-a-partition-x", "orders-0.1-2.deleted",
        "__meta"};
    char t[RN__TOPIC_MAX + 1];
    int32_t p;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (rn__partdir_parse(bad[i], t, &p))
            fail_msg("\"%s\" parsed as a partition directory", bad[i]);
}

static int visits;
static void count_visit(rn__part_t *part, void *arg) {
    (void)arg;
    assert_int_equal((intptr_t)part->plog, part->partition + 1);
    visits++;
}

static void test_partmap_put_get_remove_many(void **state) {
    (void)state;
    rn__partmap_t map = {0};
    assert_null(rn__partmap_get(&map, "t", 0));
    assert_null(rn__partmap_remove(&map, "t", 0));
    char topic[32];
    for (int i = 0; i < 10000; i++) {
        snprintf(topic, sizeof topic, "topic-%d", i % 100);
        rn__partmap_put(&map, topic, i, (rn_plog_t *)(intptr_t)(i + 1));
    }
    assert_int_equal(map.n, 10000);
    for (int i = 0; i < 10000; i++) {
        snprintf(topic, sizeof topic, "topic-%d", i % 100);
        rn__part_t *e = rn__partmap_get(&map, topic, i);
        assert_non_null(e);
        assert_int_equal((intptr_t)e->plog, i + 1);
        assert_null(rn__partmap_get(&map, topic, i + 10000));
    }
    visits = 0;
    rn__partmap_foreach(&map, count_visit, NULL);
    assert_int_equal(visits, 10000);
    for (int i = 0; i < 10000; i += 2) {
        snprintf(topic, sizeof topic, "topic-%d", i % 100);
        rn_free(rn__partmap_remove(&map, topic, i));
    }
    assert_int_equal(map.n, 5000);
    assert_null(rn__partmap_get(&map, "topic-0", 0));
    assert_non_null(rn__partmap_get(&map, "topic-1", 1));
    rn__partmap_deinit(&map);
    assert_int_equal(map.n, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partmap_topic_names),
        cmocka_unit_test(test_partmap_directory_names_split_at_last_dash),
        cmocka_unit_test(test_partmap_put_get_remove_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
