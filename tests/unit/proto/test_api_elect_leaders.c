/* test_api_elect_leaders.c — ElectLeaders v0: golden bytes, the null (all) partition
 * list, round trips, truncation, huge counts, versions, bad counts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "api_testutil.h"
#include "proto/api_elect_leaders.h"

TW_CODEC(elect_leaders_request, RN_API_ELECT_LEADERS);
TW_CODEC(elect_leaders_response, RN_API_ELECT_LEADERS);

static void test_elect_leaders_request_golden_bytes(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    int32_t parts[] = {0, 2};
    rn_elect_leaders_topic_t t = {.topic = rn_str("t"), .n_partitions = 2, .partitions = parts};
    rn_elect_leaders_request_t req = {.election_type = RN_ELECTION_UNCLEAN,
                                      .n_topic_partitions = 1,
                                      .topic_partitions = &t,
                                      .timeout_ms = 5000},
                               out;
    size_t len;
    uint8_t *p = tw_encode(&elect_leaders_request_codec, &req, &len);
    const uint8_t want[] = {1,                 /* election_type unclean */
                            0, 0, 0,    1,     /* topic_partitions count */
                            0, 1, 't',         /* topic */
                            0, 0, 0,    2,     /* partitions count */
                            0, 0, 0,    0,     /* 0 */
                            0, 0, 0,    2,     /* 2 */
                            0, 0, 0x13, 0x88}; /* timeout_ms 5000 */
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
    p = tw_roundtrip(&elect_leaders_request_codec, &req, &out, &len);
    assert_int_equal(out.election_type, RN_ELECTION_UNCLEAN);
    assert_int_equal(out.n_topic_partitions, 1);
    assert_str(out.topic_partitions[0].topic, "t");
    assert_int_equal(out.topic_partitions[0].n_partitions, 2);
    assert_int_equal(out.topic_partitions[0].partitions[1], 2);
    assert_int_equal(out.timeout_ms, 5000);
    rn_elect_leaders_request_deinit(&out);
    rn_free(p);
    tw_check_all(&elect_leaders_request_codec, &req);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_elect_leaders_request_null_means_all(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_elect_leaders_request_t req = {.election_type = RN_ELECTION_PREFERRED,
                                      .n_topic_partitions = -1,
                                      .timeout_ms = 5000},
                               out;
    size_t len;
    uint8_t *p = tw_encode(&elect_leaders_request_codec, &req, &len);
    const uint8_t want[] = {0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0x13, 0x88};
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
    p = tw_roundtrip(&elect_leaders_request_codec, &req, &out, &len);
    assert_int_equal(out.n_topic_partitions, -1);
    assert_null(out.topic_partitions);
    rn_elect_leaders_request_deinit(&out);
    rn_free(p);
    tw_check_all(&elect_leaders_request_codec, &req);
    const uint8_t neg2[] = {0, 0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 0};
    tw_expect_malformed(&elect_leaders_request_codec, neg2, sizeof neg2);
    /* a topic whose partition list is null: only the outer list is nullable */
    const uint8_t null_parts[] = {0, 0, 0, 0, 1, 0, 1, 't', 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0};
    tw_expect_malformed(&elect_leaders_request_codec, null_parts, sizeof null_parts);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_elect_leaders_response_golden_bytes(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_elect_leaders_part_result_t pr[] = {
        {.partition_id = 0, .error_code = RN_WIRE_NONE, .error_message = RN_STR_NULL},
        {.partition_id = 1,
         .error_code = RN_WIRE_ELECTION_NOT_NEEDED,
         .error_message = rn_str("n")},
    };
    rn_elect_leaders_result_t r = {
        .topic = rn_str("t"), .n_partition_result = 2, .partition_result = pr};
    rn_elect_leaders_response_t resp = {.error_code = RN_WIRE_NONE,
                                        .n_replica_election_results = 1,
                                        .replica_election_results = &r},
                                out;
    size_t len;
    uint8_t *p = tw_encode(&elect_leaders_response_codec, &resp, &len);
    const uint8_t want[] = {0, 0,                                  /* error_code */
                            0, 0, 0,   1,                          /* results count */
                            0, 1, 't',                             /* topic */
                            0, 0, 0,   2,                          /* partition_result count */
                            0, 0, 0,   0, 0, 0,  0xff, 0xff,       /* 0: NONE, null */
                            0, 0, 0,   1, 0, 84, 0,    1,    'n'}; /* 1: ELECTION_NOT_NEEDED */
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
    p = tw_roundtrip(&elect_leaders_response_codec, &resp, &out, &len);
    assert_int_equal(out.n_replica_election_results, 1);
    assert_str(out.replica_election_results[0].topic, "t");
    assert_int_equal(out.replica_election_results[0].n_partition_result, 2);
    assert_str(out.replica_election_results[0].partition_result[0].error_message, NULL);
    assert_int_equal(out.replica_election_results[0].partition_result[1].error_code,
                     RN_WIRE_ELECTION_NOT_NEEDED);
    assert_str(out.replica_election_results[0].partition_result[1].error_message, "n");
    rn_elect_leaders_response_deinit(&out);
    rn_free(p);
    tw_check_all(&elect_leaders_response_codec, &resp);
    rn_elect_leaders_response_t err = {.error_code = RN_WIRE_NOT_CONTROLLER};
    p = tw_roundtrip(&elect_leaders_response_codec, &err, &out, &len);
    assert_int_equal(len, 6);
    assert_int_equal(out.error_code, RN_WIRE_NOT_CONTROLLER);
    rn_elect_leaders_response_deinit(&out);
    rn_free(p);
    const uint8_t null_results[] = {0, 0, 0xff, 0xff, 0xff, 0xff};
    tw_expect_malformed(&elect_leaders_response_codec, null_results, sizeof null_results);
    assert_int_equal(rn_alloc_live(), live);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elect_leaders_request_golden_bytes),
        cmocka_unit_test(test_elect_leaders_request_null_means_all),
        cmocka_unit_test(test_elect_leaders_response_golden_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
