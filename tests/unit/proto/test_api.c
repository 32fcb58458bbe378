/* test_api.c — the API key table: Kafka's numbers, codec version ranges, reserved
 * keys refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/errors.h"
#include "proto/api.h"

static void test_api_keys_are_kafkas_numbers(void **state) {
    (void)state;
    assert_int_equal(RN_API_PRODUCE, 0);
    assert_int_equal(RN_API_FETCH, 1);
    assert_int_equal(RN_API_LIST_OFFSETS, 2);
    assert_int_equal(RN_API_METADATA, 3);
    assert_int_equal(RN_API_OFFSET_COMMIT, 8);
    assert_int_equal(RN_API_OFFSET_FETCH, 9);
    assert_int_equal(RN_API_FIND_COORDINATOR, 10);
    assert_int_equal(RN_API_JOIN_GROUP, 11);
    assert_int_equal(RN_API_HEARTBEAT, 12);
    assert_int_equal(RN_API_LEAVE_GROUP, 13);
    assert_int_equal(RN_API_SYNC_GROUP, 14);
    assert_int_equal(RN_API_DESCRIBE_GROUPS, 15);
    assert_int_equal(RN_API_LIST_GROUPS, 16);
    assert_int_equal(RN_API_API_VERSIONS, 18);
    assert_int_equal(RN_API_CREATE_TOPICS, 19);
    assert_int_equal(RN_API_DELETE_TOPICS, 20);
    assert_int_equal(RN_API_DESCRIBE_CONFIGS, 32);
    assert_int_equal(RN_API_ALTER_CONFIGS, 33);
    assert_int_equal(RN_API_CREATE_PARTITIONS, 37);
    assert_int_equal(RN_API_ELECT_LEADERS, 43);
    assert_int_equal(RN_API_ALTER_PARTITION, 56);
    assert_int_equal(RN_API_BROKER_HEARTBEAT, 63);
}

static void test_api_versions_are_checked(void **state) {
    (void)state;
    assert_int_equal(rn_api_check_version(RN_API_PRODUCE, 0), 0);
    assert_int_equal(rn_api_check_version(RN_API_API_VERSIONS, 0), 0);
    assert_int_equal(rn_api_check_version(RN_API_CREATE_PARTITIONS, 0), 0);
    assert_int_equal(rn_api_check_version(RN_API_CREATE_PARTITIONS, 1), RN_EBADVERSION);
    assert_int_equal(rn_api_check_version(RN_API_PRODUCE, 1), RN_EBADVERSION);
    assert_int_equal(rn_api_check_version(RN_API_PRODUCE, -1), RN_EBADVERSION);
    assert_int_equal(rn_api_check_version(RN_API_JOIN_GROUP, 0), 0);
    assert_int_equal(rn_api_check_version(RN_API_ELECT_LEADERS, 0), 0);
    assert_int_equal(rn_api_check_version(RN_API_ELECT_LEADERS, 1), RN_EBADVERSION);
    assert_int_equal(rn_api_check_version(RN_API_DESCRIBE_CLUSTER, 0),
                     RN_EBADVERSION);                             /* reserved */
    assert_int_equal(rn_api_check_version(4, 0), RN_EBADVERSION); /* unknown */
    assert_int_equal(rn_api_check_version(-1, 0), RN_EBADVERSION);
    assert_null(rn_api_info(4));
    assert_string_equal(rn_api_name(4), "Unknown");
    assert_string_equal(rn_api_name(RN_API_LIST_OFFSETS), "ListOffsets");
    assert_int_equal(rn_api_info(RN_API_DESCRIBE_CLUSTER)->min_version, -1);
    assert_int_equal(rn_api_info(RN_API_HEARTBEAT)->min_version, 0);
    assert_string_equal(rn_api_name(RN_API_ELECT_LEADERS), "ElectLeaders");
}

static void test_api_table_is_sorted_and_unique(void **state) {
    (void)state;
    int n, with_codec = 0;
    const rn_api_info_t *t = rn_api_table(&n);
    for (int i = 0; i < n; i++) {
        if (i > 0)
            assert_true(t[i - 1].key < t[i].key);
        assert_true(t[i].min_version <= t[i].max_version);
        with_codec += t[i].min_version >= 0;
    }
    assert_int_equal(with_codec, 23);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_keys_are_kafkas_numbers),
        cmocka_unit_test(test_api_versions_are_checked),
        cmocka_unit_test(test_api_table_is_sorted_and_unique),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
