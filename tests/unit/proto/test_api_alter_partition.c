/* test_api_alter_partition.c — AlterPartition v0: round trips, golden bytes,
 * truncation, huge counts, versions, bad counts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "api_testutil.h"
#include "proto/api_alter_partition.h"

TW_CODEC(alter_partition_request, RN_API_ALTER_PARTITION);
TW_CODEC(alter_partition_response, RN_API_ALTER_PARTITION);

static void test_alter_partition_request_golden_bytes(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    int32_t isr[] = {1, 2};
    rn_alter_partition_part_t pp = {.index = 0, .leader_epoch = 3, .n_new_isr = 2, .new_isr = isr};
    rn_alter_partition_topic_t t = {.name = rn_str("t"), .n_partitions = 1, .partitions = &pp};
    rn_alter_partition_request_t req = {.broker_id = 1, .n_topics = 1, .topics = &t}, out;
    size_t len;
    uint8_t *p = tw_encode(&alter_partition_request_codec, &req, &len);
    const uint8_t want[] = {0, 0, 0,   1,  /* broker_id */
                            0, 0, 0,   1,  /* topics count */
                            0, 1, 't',     /* name */
                            0, 0, 0,   1,  /* partitions count */
                            0, 0, 0,   0,  /* index */
                            0, 0, 0,   3,  /* leader_epoch */
                            0, 0, 0,   2,  /* new_isr count */
                            0, 0, 0,   1,  /* 1 */
                            0, 0, 0,   2}; /* 2 */
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
    p = tw_roundtrip(&alter_partition_request_codec, &req, &out, &len);
    assert_int_equal(out.broker_id, 1);
    assert_int_equal(out.n_topics, 1);
    assert_str(out.topics[0].name, "t");
    assert_int_equal(out.topics[0].n_partitions, 1);
    assert_int_equal(out.topics[0].partitions[0].leader_epoch, 3);
    assert_int_equal(out.topics[0].partitions[0].n_new_isr, 2);
    assert_int_equal(out.topics[0].partitions[0].new_isr[1], 2);
    rn_alter_partition_request_deinit(&out);
    rn_free(p);
    tw_check_all(&alter_partition_request_codec, &req);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_alter_partition_request_bad_counts_are_malformed(void **state) {
    (void)state;
    const uint8_t null_topics[] = {0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff};
    tw_expect_malformed(&alter_partition_request_codec, null_topics, sizeof null_topics);
    const uint8_t long_isr[] = {0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1, 0,
                                0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 9,   0, 0, 0, 1};
    tw_expect_malformed(&alter_partition_request_codec, long_isr, sizeof long_isr);
}

static void test_alter_partition_response_golden_bytes(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    int32_t isr[] = {2};
    rn_alter_partition_part_result_t pr[] = {
        {.index = 1,
         .error_code = RN_WIRE_NONE,
         .leader_id = 2,
         .leader_epoch = 5,
         .n_isr = 1,
         .isr = isr},
        {.index = 2,
         .error_code = RN_WIRE_FENCED_LEADER_EPOCH,
         .leader_id = -1,
         .leader_epoch = 0,
         .n_isr = 0},
    };
    rn_alter_partition_topic_result_t t = {
        .name = rn_str("a"), .n_partitions = 2, .partitions = pr};
    rn_alter_partition_response_t resp = {.error_code = RN_WIRE_NONE, .n_topics = 1, .topics = &t},
                                  out;
    size_t len;
    uint8_t *p = tw_encode(&alter_partition_response_codec, &resp, &len);
    assert_int_equal(len, 2 + 4 + 3 + 4 + (4 + 2 + 4 + 4 + 4 + 4) + (4 + 2 + 4 + 4 + 4));
    rn_free(p);
    p = tw_roundtrip(&alter_partition_response_codec, &resp, &out, &len);
    assert_int_equal(out.error_code, RN_WIRE_NONE);
    assert_int_equal(out.n_topics, 1);
    assert_str(out.topics[0].name, "a");
    assert_int_equal(out.topics[0].partitions[0].leader_epoch, 5);
    assert_int_equal(out.topics[0].partitions[0].isr[0], 2);
    assert_int_equal(out.topics[0].partitions[1].error_code, RN_WIRE_FENCED_LEADER_EPOCH);
    assert_int_equal(out.topics[0].partitions[1].leader_id, -1);
    rn_alter_partition_response_deinit(&out);
    rn_free(p);
    tw_check_all(&alter_partition_response_codec, &resp);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_alter_partition_response_error_body_and_bad_count(void **state) {
    (void)state;
    rn_alter_partition_response_t resp = {.error_code = RN_WIRE_NOT_CONTROLLER}, out;
    size_t len;
    uint8_t *p = tw_roundtrip(&alter_partition_response_codec, &resp, &out, &len);
    assert_int_equal(len, 2 + 4);
    assert_int_equal(out.error_code, RN_WIRE_NOT_CONTROLLER);
    rn_alter_partition_response_deinit(&out);
    rn_free(p);
    const uint8_t null_topics[] = {0, 0, 0xff, 0xff, 0xff, 0xff};
    tw_expect_malformed(&alter_partition_response_codec, null_topics, sizeof null_topics);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alter_partition_request_golden_bytes),
        cmocka_unit_test(test_alter_partition_request_bad_counts_are_malformed),
        cmocka_unit_test(test_alter_partition_response_golden_bytes),
        cmocka_unit_test(test_alter_partition_response_error_body_and_bad_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
