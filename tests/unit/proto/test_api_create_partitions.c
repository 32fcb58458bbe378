/* test_api_create_partitions.c — CreatePartitions v0: round trips, golden bytes,
 * truncation, huge counts, versions, null and non-null assignments, bad counts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "api_testutil.h"
#include "proto/api_create_partitions.h"

TW_CODEC(create_partitions_request, RN_API_CREATE_PARTITIONS);
TW_CODEC(create_partitions_response, RN_API_CREATE_PARTITIONS);

static void test_create_partitions_request_golden_bytes(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_create_partitions_topic_t t = {.name = rn_str("t"), .count = 4, .n_assignments = -1};
    rn_create_partitions_request_t req = {.n_topics = 1, .topics = &t, .timeout_ms = 5000}, out;
    size_t len;
    uint8_t *p = tw_encode(&create_partitions_request_codec, &req, &len);
    const uint8_t want[] = {0,    0,    0,    1,    /* topics count */
                            0,    1,    't',        /* name */
                            0,    0,    0,    4,    /* count (the new total) */
                            0xff, 0xff, 0xff, 0xff, /* assignments: null */
                            0,    0,    0x13, 0x88, /* timeout_ms 5000 */
                            0};                     /* validate_only */
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
    p = tw_roundtrip(&create_partitions_request_codec, &req, &out, &len);
    assert_int_equal(out.n_topics, 1);
    assert_str(out.topics[0].name, "t");
    assert_int_equal(out.topics[0].count, 4);
    assert_int_equal(out.topics[0].n_assignments, -1);
    assert_null(out.topics[0].assignments);
    assert_int_equal(out.timeout_ms, 5000);
    assert_false(out.validate_only);
    rn_create_partitions_request_deinit(&out);
    rn_free(p);
    tw_check_all(&create_partitions_request_codec, &req);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_create_partitions_request_round_trips_assignments(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    int32_t ids[] = {1, 2};
    rn_create_partitions_assignment_t as[] = {{.n_broker_ids = 2, .broker_ids = ids},
                                              {.n_broker_ids = 0}};
    rn_create_partitions_topic_t t[] = {
        {.name = rn_str("orders"), .count = 5, .n_assignments = 2, .assignments = as},
        {.name = rn_str(""), .count = INT32_MAX, .n_assignments = 0},
    };
    rn_create_partitions_request_t req = {.n_topics = 2,
                                          .topics = t,
                                          .timeout_ms = -1,
                                          .validate_only = true},
                                   out;
    size_t len;
    uint8_t *p = tw_roundtrip(&create_partitions_request_codec, &req, &out, &len);
    assert_int_equal(len, 4 + (8 + 4 + 4 + 12 + 4) + (2 + 4 + 4) + 4 + 1);
    assert_int_equal(out.n_topics, 2);
    assert_str(out.topics[0].name, "orders");
    assert_int_equal(out.topics[0].count, 5);
    assert_int_equal(out.topics[0].n_assignments, 2);
    assert_int_equal(out.topics[0].assignments[0].n_broker_ids, 2);
    assert_int_equal(out.topics[0].assignments[0].broker_ids[1], 2);
    assert_int_equal(out.topics[0].assignments[1].n_broker_ids, 0);
    assert_str(out.topics[1].name, "");
    assert_int_equal(out.topics[1].count, INT32_MAX);
    assert_int_equal(out.topics[1].n_assignments, 0);
    assert_int_equal(out.timeout_ms, -1);
    assert_true(out.validate_only);
    rn_create_partitions_request_deinit(&out);
    rn_free(p);
    tw_check_all(&create_partitions_request_codec, &req);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_create_partitions_request_bad_counts_are_malformed(void **state) {
    (void)state;
    /* topics: -1 (not nullable) */
    const uint8_t null_topics[] = {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0};
    tw_expect_malformed(&create_partitions_request_codec, null_topics, sizeof null_topics);
    /* assignments: -2 */
    const uint8_t bad_assign[] = {0, 0,    0,    1,    0,    1, 't', 0, 0, 0,
                                  4, 0xff, 0xff, 0xff, 0xfe, 0, 0,   0, 0, 0};
    tw_expect_malformed(&create_partitions_request_codec, bad_assign, sizeof bad_assign);
    /* a null topic name */
    const uint8_t null_name[] = {0,    0,    0,    1,    0xff, 0xff, 0, 0, 0, 4,
                                 0xff, 0xff, 0xff, 0xff, 0,    0,    0, 0, 0};
    tw_expect_malformed(&create_partitions_request_codec, null_name, sizeof null_name);
    /* a broker id list longer than the body */
    const uint8_t long_ids[] = {0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 4, 0, 0, 0,
                                1, 0, 0, 0, 9, 0, 0,   0, 1, 0, 0, 0, 0, 0};
    tw_expect_malformed(&create_partitions_request_codec, long_ids, sizeof long_ids);
}

static void test_create_partitions_response_golden_bytes(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_create_partitions_result_t res[] = {
        {.name = rn_str("a"), .error_code = RN_WIRE_NONE, .error_message = RN_STR_NULL},
        {.name = rn_str("b"),
         .error_code = RN_WIRE_INVALID_PARTITIONS,
         .error_message = rn_str("no")},
    };
    rn_create_partitions_response_t resp = {.error_code = RN_WIRE_NONE,
                                            .n_results = 2,
                                            .results = res},
                                    out;
    size_t len;
    uint8_t *p = tw_encode(&create_partitions_response_codec, &resp, &len);
    const uint8_t want[] = {0, 0,                                    /* error_code */
                            0, 0, 0,   2,                            /* results count */
                            0, 1, 'a', 0, 0,  0xff, 0xff,            /* a, NONE, null */
                            0, 1, 'b', 0, 37, 0,    2,    'n', 'o'}; /* b, INVALID_PARTITIONS */
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
    p = tw_roundtrip(&create_partitions_response_codec, &resp, &out, &len);
    assert_int_equal(out.error_code, RN_WIRE_NONE);
    assert_int_equal(out.n_results, 2);
    assert_str(out.results[0].name, "a");
    assert_true(rn_str_is_null(out.results[0].error_message));
    assert_int_equal(out.results[1].error_code, RN_WIRE_INVALID_PARTITIONS);
    assert_str(out.results[1].error_message, "no");
    rn_create_partitions_response_deinit(&out);
    rn_free(p);
    tw_check_all(&create_partitions_response_codec, &resp);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_create_partitions_response_error_body_and_bad_count(void **state) {
    (void)state;
    rn_create_partitions_response_t resp = {.error_code = RN_WIRE_NOT_CONTROLLER}, out;
    size_t len;
    uint8_t *p = tw_roundtrip(&create_partitions_response_codec, &resp, &out, &len);
    assert_int_equal(len, 2 + 4);
    assert_int_equal(out.error_code, RN_WIRE_NOT_CONTROLLER);
    assert_int_equal(out.n_results, 0);
    rn_create_partitions_response_deinit(&out);
    rn_free(p);
    tw_check_all(&create_partitions_response_codec, &resp);
    const uint8_t null_results[] = {0, 0, 0xff, 0xff, 0xff, 0xff};
    tw_expect_malformed(&create_partitions_response_codec, null_results, sizeof null_results);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_partitions_request_golden_bytes),
        cmocka_unit_test(test_create_partitions_request_round_trips_assignments),
        cmocka_unit_test(test_create_partitions_request_bad_counts_are_malformed),
        cmocka_unit_test(test_create_partitions_response_golden_bytes),
        cmocka_unit_test(test_create_partitions_response_error_body_and_bad_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
