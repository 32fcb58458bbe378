/* test_api_list_offsets.c — ListOffsets v0: earliest / latest / by-time queries,
 * the debug replica id, per-partition errors; truncation, huge counts, versions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "api_testutil.h"
#include "proto/api_list_offsets.h"

TW_CODEC(list_offsets_request, RN_API_LIST_OFFSETS);
TW_CODEC(list_offsets_response, RN_API_LIST_OFFSETS);

#define MANY 30

static void test_list_offsets_request_round_trips(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_list_offsets_partition_t parts[MANY];
    for (int i = 0; i < MANY; i++)
        parts[i] = (rn_list_offsets_partition_t){i, -1, 1700000000000LL + i};
    parts[0].timestamp = RN_LIST_OFFSETS_EARLIEST;
    parts[1].timestamp = RN_LIST_OFFSETS_LATEST;
    parts[2].current_leader_epoch = 7;
    rn_list_offsets_topic_t topics[] = {{rn_str("orders"), MANY, parts}, {rn_str("x"), 0, NULL}};
    rn_list_offsets_request_t req = {RN_LIST_OFFSETS_DEBUG_ID, 0, 2, topics, {0}}, out;
    size_t len;
    uint8_t *p = tw_roundtrip(&list_offsets_request_codec, &req, &out, &len);
    assert_int_equal(out.replica_id, -2);
    assert_int_equal(out.isolation_level, 0);
    assert_int_equal(out.n_topics, 2);
    assert_int_equal(out.topics[0].n_partitions, MANY);
    assert_true(out.topics[0].partitions[0].timestamp == -2);
    assert_true(out.topics[0].partitions[1].timestamp == -1);
    assert_int_equal(out.topics[0].partitions[2].current_leader_epoch, 7);
    assert_true(out.topics[0].partitions[MANY - 1].timestamp == 1700000000000LL + MANY - 1);
    assert_int_equal(out.topics[1].n_partitions, 0);
    rn_list_offsets_request_deinit(&out);
    rn_free(p);
    topics[0].n_partitions = 3;
    tw_check_all(&list_offsets_request_codec, &req);
    const uint8_t body[] = {0xff, 0xff, 0xff, 0xff, 0, 0x7f, 0xff, 0xff, 0xff};
    tw_expect_malformed(&list_offsets_request_codec, body, sizeof body);
    const uint8_t nested[] = {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 1, 0, 1, 't',
                              0x00, 0x01, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0};
    tw_expect_malformed(&list_offsets_request_codec, nested, sizeof nested);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_list_offsets_response_round_trips(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_list_offsets_partition_response_t parts[MANY];
    for (int i = 0; i < MANY; i++)
        parts[i] = (rn_list_offsets_partition_response_t){i, RN_WIRE_NONE, -1, 812 + i, 4};
    parts[1].error_code = RN_WIRE_NOT_LEADER_OR_FOLLOWER;
    parts[1].offset = -1;
    parts[2].timestamp = 1700000000123LL;
    rn_list_offsets_topic_response_t topics[] = {{rn_str("orders"), MANY, parts}};
    rn_list_offsets_response_t resp = {RN_WIRE_NONE, 1, topics, {0}}, out;
    size_t len;
    uint8_t *p = tw_roundtrip(&list_offsets_response_codec, &resp, &out, &len);
    const rn_list_offsets_partition_response_t *lp = out.topics[0].partitions;
    assert_int_equal(out.topics[0].n_partitions, MANY);
    assert_int_equal(lp[1].error_code, RN_WIRE_NOT_LEADER_OR_FOLLOWER);
    assert_true(lp[1].offset == -1);
    assert_true(lp[2].timestamp == 1700000000123LL);
    assert_true(lp[MANY - 1].offset == 812 + MANY - 1);
    assert_int_equal(lp[0].leader_epoch, 4);
    assert_int_equal(len, 2 + 4 + 2 + 6 + 4 + MANY * 26);
    rn_list_offsets_response_deinit(&out);
    rn_free(p);
    topics[0].n_partitions = 3;
    tw_check_all(&list_offsets_response_codec, &resp);
    const uint8_t body[] = {0, 0, 0x7f, 0xff, 0xff, 0xff};
    tw_expect_malformed(&list_offsets_response_codec, body, sizeof body);
    assert_int_equal(rn_alloc_live(), live);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_offsets_request_round_trips),
        cmocka_unit_test(test_list_offsets_response_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
